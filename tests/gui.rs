//! The explorer driven through its real UI with egui_kittest, by widget labels (no display and
//! no GPU needed): start training, drag ε, switch strategies, toggle HRTA, load a bad preset,
//! export everything, pin a run and see it overlaid on the next.

use std::time::Duration;

mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use homotopy_explorer::app::ntk_lab::Subject;
use homotopy_explorer::app::{ExplorerApp, LossAxis, PlotKind};
use homotopy_explorer::config::{RunConfig, StrategyKind};
use homotopy_explorer::lab::ntk_pde::PaperPde;
use homotopy_explorer::ui::Explorer;

const PRESET: &str = r#"version = 1
name = "GUI test"
[problem]
kind = "allen_cahn_1d"
eps = 0.05
n_res = 40
n_eval = 201
[network]
hidden = [10, 10]
[training]
max_steps = 1000000
eval_every = 20
[strategy]
kind = "strategy1"
eps_start = 0.1
[strategy.schedule]
kind = "geometric"
steps = 50
[strategy.phase1]
adam_steps = 200
lm_iterations = 20
"#;

fn harness() -> Harness<'static, Explorer> {
    harness_with(PRESET)
}

fn harness_with(preset: &str) -> Harness<'static, Explorer> {
    harness_sized(preset, 1400.0, 900.0)
}

/// The explorer on `preset` in a window of that size (points), once its first snapshot is in.
fn harness_sized(preset: &str, width: f32, height: f32) -> Harness<'static, Explorer> {
    let config = RunConfig::from_toml_str(preset).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(width, height))
        .build_eframe(move |cc| {
            Explorer::new(ExplorerApp::headless(cc.egui_ctx.clone(), Some(config)))
        });
    settle(&mut h, |app| app.view.latest.is_some());
    h
}

/// Load `preset`, press Start and step frames until the run has ended.
fn run_to_end(preset: &str) -> Harness<'static, Explorer> {
    let mut h = harness_with(preset);
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app
        .view
        .latest
        .as_ref()
        .is_some_and(|s| !s.running && s.step > 0)));
    h.run();
    h
}

/// Whether the status line shows a message of that kind (error or info; `None`: either) whose
/// text contains `part`.
fn has_message(app: &ExplorerApp, error: Option<bool>, part: &str) -> bool {
    app.view
        .messages
        .iter()
        .any(|(e, t)| error.is_none_or(|want| *e == want) && t.contains(part))
}

/// Open Presets → the preset's problem and scroll to the preset; asserts it is on screen and
/// returns its label.
fn reach_shipped(h: &mut Harness<'static, Explorer>, file: &str) -> String {
    let (kind, names) = homotopy_explorer::presets::shipped_by_problem()
        .iter()
        .find(|(_, names)| names.contains(&file))
        .expect("a shipped preset");
    h.get_by_label("Presets").click();
    h.run_steps(2);
    h.get_by_label(&format!("{} ({})", kind.label(), names.len()))
        .click();
    h.run_steps(2);
    let label = file.trim_end_matches(".toml").to_string();
    h.get_by_label(&label).scroll_to_me();
    h.run_steps(3);
    let rect = h.get_by_label(&label).rect();
    let screen = h.ctx.content_rect();
    assert!(
        screen.contains_rect(rect),
        "{label} is off screen at {rect:?} ({screen:?})"
    );
    label
}

/// Load a shipped preset the way a user does: Presets → its problem → the preset.
fn load_shipped(h: &mut Harness<'static, Explorer>, file: &str) {
    let label = reach_shipped(h, file);
    h.get_by_label(&label).click();
}

/// Open the strategy picker and choose the entry labelled `label`.
fn pick_strategy(h: &mut Harness<'static, Explorer>, label: &str) {
    h.get_by_label("Strategy").click();
    h.run_steps(2);
    h.get_by_label(label).click();
}

/// Step frames (the worker runs on its own thread) until `done` holds or 10 s pass.
/// Whether the run the app shows stands at `step`.
fn at_step(app: &ExplorerApp, step: usize) -> bool {
    app.view.latest.as_ref().is_some_and(|s| s.step == step)
}

fn settle(h: &mut Harness<'static, Explorer>, done: impl Fn(&ExplorerApp) -> bool) -> bool {
    for _ in 0..500 {
        h.step();
        if done(&h.state().app) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn start_makes_the_loss_plot_gain_points() {
    // A Phase I long enough that the run is still going when we pause it, however slow the
    // machine (the default one finishes its short path in well under a second).
    let mut h = harness_with(&PRESET.replace("adam_steps = 200", "adam_steps = 100000000"));
    assert_eq!(h.state().view.histories.loss.total(), 0);
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.histories.loss.total() > 50));
    assert!(
        h.state().running(),
        "not running after Start: {:?} {:?}",
        h.state().view.end,
        h.state().view.messages
    );
    h.get_by_label("Pause").click();
    assert!(settle(&mut h, |app| !app.running()));
}

#[test]
fn dragging_the_eps_slider_moves_the_workers_target() {
    let mut h = harness();
    let before = h.state().view.latest.as_ref().unwrap().eps_target;
    let rect = h
        .get_by_role_and_label(egui::accesskit::Role::Slider, "ε target")
        .rect();
    // Drag the handle towards the left end of the slider (smaller ε on the log scale).
    let from = rect.center();
    let to = egui::pos2(rect.left() + rect.width() * 0.3, rect.center().y);
    h.drag_at(from);
    h.step();
    h.hover_at(to);
    h.step();
    // A homotopy (this preset's Strategy 1) takes the value on release, not each one passed.
    h.run();
    assert!(
        h.query_by_label_contains("release to send ε target")
            .is_some()
    );
    assert_eq!(h.state().draft.problem.eps, before, "nothing sent mid-drag");
    h.drop_at(to);
    assert!(settle(&mut h, |app| {
        app.view
            .latest
            .as_ref()
            .is_some_and(|s| (s.eps_target - before).abs() > 1e-9)
    }));
    let after = h.state().view.latest.as_ref().unwrap().eps_target;
    assert!(after < before, "dragged left: {before} → {after}");
}

#[test]
fn switching_strategy_1_and_2_reaches_the_worker() {
    let mut h = harness();
    pick_strategy(&mut h, "Strategy 2 (homotopy loss)");
    assert!(settle(&mut h, |app| app.config().strategy.kind
        == StrategyKind::Strategy2));
    // The panel says what the worker's configuration trains by, α included.
    h.run();
    let config = h.state().config().clone();
    let runs = format!("Runs: {}", config.method_label());
    let alpha = config.strategy.stages.alpha;
    assert!(
        runs.contains(if alpha == 0.0 {
            "curriculum"
        } else {
            "homotopy loss"
        }),
        "{runs}"
    );
    h.get_by_label(&runs);
    // α = 0 is reachable from the panel (a checkbox; the log scale cannot show 0), and the
    // applied run then says it is the curriculum.
    if alpha > 0.0 {
        h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "α (L_{H_ε} weight)")
            .click();
        h.run();
        h.get_by_label("0 (curriculum)");
        // A pointer click, as a user's: the panel's scroll bar must not lie over the button.
        h.get_by_label("Apply changes").click();
        h.run();
        // A paused homotopy asks whether to continue along the path or restart.
        if let Some(go_on) = h.query_by_label_contains("Continue from") {
            go_on.click();
        }
        assert!(settle(&mut h, |app| app.config().strategy.stages.alpha == 0.0));
        h.run();
        let runs = format!("Runs: {}", h.state().config().method_label());
        assert!(runs.contains("curriculum"), "{runs}");
        h.get_by_label(&runs);
    }
    pick_strategy(&mut h, "Strategy 1 (Euler)");
    assert!(settle(&mut h, |app| app.config().strategy.kind
        == StrategyKind::Strategy1));
}

#[test]
fn toggling_hrta_reaches_the_worker() {
    let mut h = harness();
    assert!(!h.state().config().hrta.enabled);
    h.get_by_label("HRTA").click();
    assert!(settle(&mut h, |app| app.config().hrta.enabled));
    h.get_by_label("HRTA").click();
    assert!(settle(&mut h, |app| !app.config().hrta.enabled));
}

#[test]
fn a_bad_preset_shows_its_error_and_changes_nothing() {
    let mut h = harness();
    let before = h.state().config().clone();
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Paste preset…").click();
    h.run_steps(2);
    let bad = PRESET.replace("eps = 0.05", "eps = -0.05");
    h.get_by_role(egui::accesskit::Role::MultilineTextInput)
        .click();
    h.run_steps(1);
    h.get_by_role(egui::accesskit::Role::MultilineTextInput)
        .type_text(&bad);
    h.run_steps(2);
    h.get_by_label("Load").click();
    h.run_steps(3);
    let (error, text) = h.state().view.messages.back().cloned().unwrap();
    assert!(error, "{text}");
    assert!(
        text.contains("problem.eps") && text.contains("line"),
        "{text}"
    );
    h.get_by_label_contains("problem.eps");
    assert_eq!(*h.state().config(), before);
}

#[test]
fn export_all_writes_every_figure_the_preset_and_a_summary() {
    let mut h = harness();
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.histories.loss.total() > 20));
    h.get_all_by_label("Compute now").next().unwrap().click();
    assert!(settle(&mut h, |app| app.view.diagnostics.is_some()));
    let dir = tempfile::tempdir().unwrap();
    homotopy_explorer::app::export::start_export_all(h.state_mut(), dir.path().to_path_buf());
    assert!(settle(&mut h, |app| app
        .view
        .messages
        .iter()
        .any(|(_, t)| t.starts_with("exported everything"))));
    let folder = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for needed in ["preset.toml", "summary.json"] {
        assert!(names.iter().any(|n| n == needed), "{names:?}");
    }
    // The summary is the run's summary.json format (docs/summary.md) at the state exported.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["problem"], "allen_cahn_1d");
    assert_eq!(summary["trainer"], "strategy1");
    assert!(
        ["running", "paused", "completed"].contains(&summary["end_reason"].as_str().unwrap()),
        "{summary}"
    );
    assert!(summary["steps"].as_u64().unwrap() > 20, "{summary}");
    assert!(
        summary["final_loss"]["total"].as_f64().unwrap() > 0.0,
        "{summary}"
    );
    assert!(summary["stages"].is_array() && summary["versions"].is_object());
    // Every plot in each format, and the plots on screen as one figure (not as CSV).
    for ext in ["svg", "png", "pdf", "csv"] {
        let shown = usize::from(ext != "csv");
        assert_eq!(
            names.iter().filter(|n| n.ends_with(ext)).count(),
            homotopy_explorer::app::PlotKind::ALL.len() + shown,
            "{ext}: {names:?}"
        );
    }
    assert!(names.iter().any(|n| n == "shown_plots.pdf"), "{names:?}");
    // An unwritable target fails cleanly and leaves nothing behind.
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, "x").unwrap();
    homotopy_explorer::app::export::start_export_all(h.state_mut(), blocked.clone());
    assert!(settle(&mut h, |app| app
        .view
        .messages
        .iter()
        .any(|(e, t)| *e && t.starts_with("export failed"))));
    assert!(blocked.is_file());
}

#[test]
fn a_pinned_run_is_overlaid_on_the_next_one_with_a_legend() {
    let mut h = harness();
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.end.is_some()));
    h.get_by_label("Pin run").click();
    assert!(settle(&mut h, |app| app.view.pinned.len() == 1));
    h.get_by_label("Reset").click();
    assert!(settle(&mut h, |app| at_step(app, 0)));
    let app = h.state();
    assert_eq!(app.view.pinned.len(), 1, "a reset keeps the pinned run");
    let labels = |kind: PlotKind| -> Vec<String> {
        kind.figure(&app.view, LossAxis::Step)
            .series
            .iter()
            .filter(|s| !s.points.is_empty())
            .map(|s| s.label.clone())
            .collect()
    };
    let solution = labels(PlotKind::Solution);
    // Pinned at ε = 0.05, drawn beside the reset run at ε₀ = 0.1: the legend says where it was.
    assert!(
        solution.iter().any(|l| l == "pin 1 (ε = 0.05)"),
        "{solution:?}"
    );
    h.get_by_label("Strategy 1 (Euler), geometric 50 from ε₀ = 0.1, ε* = 0.05, seed 0");
    let loss = labels(PlotKind::Loss);
    for label in ["pin 1 loss", "pin 1 L2RE"] {
        assert!(loss.iter().any(|l| l == label), "{loss:?}");
    }
    // The table row carries the run's own numbers, and the pin's colour is no live curve's.
    let pin = &app.view.pinned[0];
    let l2re = pin.summary.l2re_exact.expect("an exact solution");
    h.get_by_label(&format!("{l2re:.3e}"));
    let live: Vec<_> = PlotKind::Loss
        .figure(&app.view, LossAxis::Step)
        .series
        .iter()
        .filter(|s| !s.label.starts_with("pin "))
        .map(|s| s.color)
        .collect();
    assert!(!live.contains(&pin.color));
    // On another problem the pin stays pinned but is not drawn, and the table says why.
    load_shipped(&mut h, "burgers_1d_classical.toml");
    assert!(
        settle(&mut h, |app| app.config().problem.kind
            == homotopy_explorer::problem::ProblemKind::Burgers1d),
        "{:?}",
        h.state().view.messages
    );
    h.run();
    let app = h.state();
    assert_eq!(app.view.pinned.len(), 1);
    for kind in [PlotKind::Solution, PlotKind::Loss] {
        let fig = kind.figure(&app.view, LossAxis::Step);
        assert!(!fig.series.iter().any(|s| s.label.starts_with("pin ")));
    }
    h.get_by_label("Pinned runs (0 here, 1 of other problems hidden)");
}

#[test]
fn every_shipped_preset_loads_and_starts() {
    for (name, text) in homotopy_explorer::presets::SHIPPED {
        let mut h = harness_with(text);
        assert_eq!(h.state().view.histories.loss.total(), 0, "{name}");
        h.get_by_label("Start").click();
        // The paper-sized 2D presets take seconds per Levenberg–Marquardt step, more while the
        // other GUI tests share the cores: allow three settle budgets.
        let trained = |app: &ExplorerApp| app.view.histories.loss.total() > 3;
        assert!(
            settle(&mut h, trained) || settle(&mut h, trained) || settle(&mut h, trained),
            "{name}: no training steps after Start: {:?} {:?}",
            h.state().view.end,
            h.state().view.messages
        );
        assert!(
            !h.state().view.messages.iter().any(|m| m.0),
            "{name}: {:?}",
            h.state().view.messages
        );
    }
}

#[test]
fn picking_a_problem_loads_its_preset() {
    use homotopy_explorer::problem::ProblemKind;
    let mut h = harness();
    h.get_by_label("Problem").click();
    h.run();
    h.get_by_label(ProblemKind::Burgers1d.label()).click();
    assert!(settle(&mut h, |app| app.config().problem.kind
        == ProblemKind::Burgers1d));
    assert_eq!(h.state().config().name, "Burgers 1D, classical, ε = 0.05");
    assert_eq!(h.state().config().problem.n_res, 128);
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.histories.loss.total() > 3));
}

#[test]
fn a_problem_without_an_operator_drops_the_previous_sweep() {
    use homotopy_explorer::problem::ProblemKind;
    let mut h = harness();
    assert!(settle(&mut h, |app| app.view.sweep.is_some()));
    h.get_by_label("Problem").click();
    h.run();
    h.get_by_label(ProblemKind::HighFrequencyFit.label())
        .click();
    assert!(settle(&mut h, |app| app.config().problem.kind
        == ProblemKind::HighFrequencyFit));
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.histories.loss.total() > 3));
    assert!(h.state().view.sweep.is_none());
}

#[test]
fn a_2d_problem_draws_its_solution_error_and_residual_as_heat_maps() {
    use homotopy_explorer::app::PlotKind;
    let preset = r#"
version = 1
[problem]
kind = "poisson_multiscale_2d"
eps = 0.25
n_res = 100
n_bc = 40
n_eval = 441
[network]
hidden = [10, 10]
[training]
max_steps = 50
"#;
    let h = run_to_end(preset);
    let app = h.state();
    let heat = |k: PlotKind| k.figure(&app.view, LossAxis::Step).heatmap;
    let solution = heat(PlotKind::Solution).expect("solution heat map");
    assert_eq!((solution.nx, solution.ny), (21, 21));
    assert_eq!(solution.x, (0.0, 1.0));
    let error = heat(PlotKind::Error).expect("error heat map");
    assert!(error.label.contains("exact"), "{}", error.label);
    let residual = heat(PlotKind::Residual).expect("residual heat map on the 10 × 10 grid");
    assert_eq!((residual.nx, residual.ny), (10, 10));
    // The error field is u_θ − u* node by node.
    let s = app.view.latest.as_ref().unwrap();
    let exact = s.exact.as_ref().unwrap();
    assert!((error.values[7] - (s.u[7] - exact[7])).abs() < 1e-15);
}

#[test]
fn the_random_feature_model_plots_the_parameter_norm() {
    use homotopy_explorer::app::PlotKind;
    let preset = r#"
version = 1
[problem]
kind = "allen_cahn_1d"
eps = 0.1
n_res = 20
[network]
hidden = [40]
train_output_only = true
[training]
max_steps = 40
"#;
    let h = run_to_end(preset);
    let fig = PlotKind::Loss.figure(&h.state().view, LossAxis::Step);
    let norm = fig
        .series
        .iter()
        .find(|s| s.label == "‖θ‖")
        .expect("a ‖θ‖ curve");
    assert!(!norm.points.is_empty());
    assert!(norm.points.iter().all(|&(_, v)| v.is_finite() && v > 0.0));
}

/// Run an NTK lab sweep of `widths` at a = 1 with three seeds and five steps, to its end
/// without an error: two rows.
fn small_ntk_sweep(h: &mut Harness<'static, Explorer>, widths: &str) {
    {
        let lab = &mut h.state_mut().ntk_lab;
        lab.widths = widths.into();
        lab.exponents = "1".into();
        lab.settings.seeds = 3;
        lab.settings.steps = 5;
    }
    h.run();
    h.get_by_label("Run sweep").click();
    assert!(settle(h, |app| !app.ntk_lab.running()));
    h.run();
    let lab = &h.state().ntk_lab;
    assert!(lab.error.is_none(), "{:?}", lab.error);
    assert_eq!(lab.rows.len(), 2);
}

/// The folder an NTK lab export under `parent` wrote, once it says so.
fn exported_lab(
    h: &mut Harness<'static, Explorer>,
    parent: &std::path::Path,
) -> std::path::PathBuf {
    assert!(settle(h, |app| has_message(
        app,
        None,
        "exported the NTK lab"
    )));
    std::fs::read_dir(parent)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

#[test]
fn the_ntk_lab_sweeps_the_current_problem_from_its_window() {
    let mut h = harness();
    h.get_by_label("Labs").click();
    h.run();
    h.get_by_label("NTK lab…").click();
    h.run();
    assert!(h.state().ntk_lab.open);
    // A bad width list is reported in the window and nothing starts.
    h.get_by_label("Widths N").click();
    h.get_by_label("Widths N").type_text(", x");
    h.run();
    h.get_by_label("Run sweep").click();
    h.run();
    let error = h.state().ntk_lab.error.clone().expect("an error for “x”");
    assert!(error.starts_with("widths"), "{error}");
    assert!(!h.state().ntk_lab.running());
    small_ntk_sweep(&mut h, "5, 300");
    let lab = &h.state().ntk_lab;
    let Some(Subject::Run(base)) = lab.measured.as_ref() else {
        panic!("the lab ran the run's problem: {:?}", lab.measured)
    };
    // The lab ran the explorer's problem with one swept hidden layer.
    assert_eq!(base.problem, h.state().config().problem);
    assert_eq!(base.network.hidden.len(), 1);
    // Wider nets in the 1/N scaling have a kernel that varies less across seeds.
    assert!(lab.rows[1].entry_rel_spread < lab.rows[0].entry_rel_spread);
    assert!(h.query_by_label("spread K(0)").is_some());
    assert!(has_message(
        h.state(),
        Some(false),
        "NTK lab finished 2 cells"
    ));
    // The lab's export: both figures in three formats, the base run and the rows.
    let dir = tempfile::tempdir().unwrap();
    homotopy_explorer::app::export::start_export_ntk_lab(h.state_mut(), dir.path().into());
    let out = exported_lab(&mut h, dir.path());
    let (spread, drift) = homotopy_explorer::lab::ntk::figures(&h.state().ntk_lab.rows);
    for stem in [spread.file_stem(), drift.file_stem()] {
        for ext in ["svg", "png", "csv"] {
            assert!(out.join(format!("{stem}.{ext}")).is_file(), "{stem}.{ext}");
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["rows"].as_array().unwrap().len(), 2);
    assert!(out.join("preset.toml").is_file());
}

#[test]
fn the_ntk_lab_sweeps_the_ntk_papers_kdv_problem_picked_in_its_window() {
    let mut h = harness();
    h.state_mut().ntk_lab.open = true;
    h.run();
    // The picker offers the run's problem and the paper's two equations.
    h.get_by_label("Sweep on").click();
    h.run();
    h.get_by_label("NTK paper: KdV (initial–boundary value problem)")
        .click();
    h.run();
    assert_eq!(h.state().ntk_lab.pick, Some(PaperPde::Kdv));
    small_ntk_sweep(&mut h, "5, 200");
    let lab = &h.state().ntk_lab;
    assert!(matches!(
        lab.measured,
        Some(Subject::Paper {
            pde: PaperPde::Kdv,
            steps: 5,
            ..
        })
    ));
    // Every row carries the spread of each kernel block, shown in the table.
    for r in &lab.rows {
        assert!(r.loss_before.is_some_and(|l| l > 0.0), "{r:?}");
        for s in [r.spread_ff, r.spread_bf, r.spread_bb] {
            assert!(s.is_some_and(|s| s.is_finite() && s > 0.0), "{r:?}");
        }
    }
    assert!(h.query_by_label("K_bb").is_some());
    assert!(h.query_by_label("loss at start").is_some());
    // Its export, from the window's button (no dialog opens in the harness: the export root):
    // the rows and the equation by name; no preset, since no run config made them.
    let dir = tempfile::tempdir().unwrap();
    h.state_mut().export_root = dir.path().to_path_buf();
    h.get_by_label("Export lab…").click();
    let out = exported_lab(&mut h, dir.path());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["problem"], "kdv");
    assert_eq!(summary["rows"].as_array().unwrap().len(), 2);
    assert!(!out.join("preset.toml").exists());
}

#[test]
fn the_sobolev_fit_refuses_a_jacobian_strategy_with_a_message_and_keeps_running() {
    let preset = r#"
version = 1
[problem]
kind = "sobolev_poisson_2d"
eps = 1.0
n_res = 16
n_bc = 8
bc_weight = 0.0
n_eval = 25
[network]
hidden = [20]
activation = "relu2"
[training]
max_steps = 1000000
"#;
    let mut h = harness_with(preset);
    pick_strategy(&mut h, "Strategy 1 (Euler)");
    assert!(settle(&mut h, |app| has_message(
        app,
        Some(true),
        "3 residual rows per point"
    )));
    // The worker still runs the classical configuration.
    assert_eq!(h.state().config().strategy.kind, StrategyKind::Classical);
    assert!(h.state().worker_alive());
}

#[test]
fn the_ntk_lab_stops_on_request_and_keeps_the_finished_cells() {
    let mut h = harness();
    h.state_mut().ntk_lab.open = true;
    {
        let lab = &mut h.state_mut().ntk_lab;
        lab.widths = "5, 10, 20, 40, 80, 160, 320, 640".into();
        lab.exponents = "0.25, 0.5, 1".into();
        lab.settings.seeds = 8;
        lab.settings.steps = 2000;
    }
    h.run();
    h.get_by_label("Run sweep").click();
    assert!(settle(&mut h, |app| app.ntk_lab.running()));
    h.get_by_label("Stop sweep").click();
    assert!(settle(&mut h, |app| !app.ntk_lab.running()));
    let app = h.state();
    assert!(app.ntk_lab.rows.len() < 24);
    assert!(app.ntk_lab.error.is_none());
    assert!(
        has_message(app, Some(false), "NTK lab stopped after"),
        "{:?}",
        app.view.messages
    );
}

#[test]
fn the_time_sequential_strategy_runs_on_2d_allen_cahn_and_is_refused_without_u0() {
    // 1D Allen–Cahn (the default) has no initial state to march from: the picker says so.
    let mut h = harness();
    let before = h.state().config().strategy.kind;
    pick_strategy(&mut h, StrategyKind::TimeSequential.label());
    assert!(settle(&mut h, |app| has_message(
        app,
        Some(true),
        "no initial state u₀"
    )));
    assert_eq!(h.state().config().strategy.kind, before);
    // On 2D Allen–Cahn it reaches the worker, shows its window settings and trains.
    let preset = common::small_ac2("max_steps = 1000000\n");
    let mut h = harness_with(&preset);
    pick_strategy(&mut h, StrategyKind::TimeSequential.label());
    assert!(settle(&mut h, |app| app.config().strategy.kind
        == StrategyKind::TimeSequential));
    h.get_by_label("Δt (window)");
    h.get_by_label("Steps per window (cap)");
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.histories.loss.total() > 3));
    assert!(!h.state().view.messages.iter().any(|m| m.0));
}

#[test]
fn lecture_locks_change_only_the_locks_and_a_locked_problem_refuses_other_presets() {
    let mut h = harness();
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.end.is_some()));
    let (end, step, eps) = {
        let s = h.state().view.latest.as_ref().unwrap();
        (h.state().view.end, s.step, s.eps)
    };
    // Lock the problem from the window and apply: the finished run stays as it is.
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Lecture locks…").click();
    h.run_steps(2);
    h.get_by_label("problem").click();
    h.run_steps(1);
    h.get_by_label("Apply locks").click();
    h.run_steps(3);
    assert!(has_message(
        h.state(),
        Some(false),
        "lecture mode locks: problem"
    ));
    assert!(
        h.state()
            .config()
            .lecture
            .is_locked(homotopy_explorer::config::Control::Problem)
    );
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    let s = h.state().view.latest.as_ref().unwrap();
    assert_eq!((h.state().view.end, s.step, s.eps), (end, step, eps));
    // With lecture mode on, a preset of another problem is refused and the badge shows.
    h.state_mut().remembered.lecture_mode = true;
    h.run_steps(2);
    h.get_by_label_contains("LECTURE MODE");
    let other = PRESET.replace("allen_cahn_1d", "burgers_1d");
    assert!(!h.state_mut().load_preset_text(&other, "other", None));
    assert!(has_message(
        h.state(),
        Some(true),
        "which lecture mode locks"
    ));
    assert_eq!(
        h.state().config().problem.kind,
        homotopy_explorer::problem::ProblemKind::AllenCahn1d
    );
    // The same through the Presets menu and through a dropped file.
    h.state_mut().view.messages.clear();
    load_shipped(&mut h, "burgers_1d_classical.toml");
    h.run_steps(2);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(
            "presets/burgers_1d_strategy1.toml".into(),
        )));
    h.run_steps(3);
    let refusals = h
        .state()
        .view
        .messages
        .iter()
        .filter(|(error, text)| *error && text.contains("which lecture mode locks"))
        .count();
    assert_eq!(refusals, 2, "{:?}", h.state().view.messages);
    assert_eq!(
        h.state().config().problem.kind,
        homotopy_explorer::problem::ProblemKind::AllenCahn1d
    );
}

#[test]
fn at_720_pixels_every_preset_can_be_reached_and_the_view_menu_stays_open_while_toggling() {
    let config = RunConfig::from_toml_str(PRESET).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_eframe(move |cc| {
            Explorer::new(ExplorerApp::headless(cc.egui_ctx.clone(), Some(config)))
        });
    assert!(settle(&mut h, |app| app.view.latest.is_some()));
    // Every shipped preset can be reached in its problem's submenu; the last one loads.
    for (file, _) in &homotopy_explorer::presets::SHIPPED {
        reach_shipped(&mut h, file);
        h.key_press(egui::Key::Escape);
        h.run_steps(2);
    }
    let (file, text) = homotopy_explorer::presets::SHIPPED.last().unwrap();
    let name = RunConfig::from_toml_str(text).unwrap().name;
    load_shipped(&mut h, file);
    assert!(settle(&mut h, |app| app.config().name == name));
    // Toggling a panel in the View menu leaves the menu open for the next toggle.
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Schedule editor").click();
    h.run_steps(2);
    assert!(!h.state().remembered.show_schedule);
    h.get_by_label("Controls panel").click();
    h.run_steps(2);
    assert!(!h.state().remembered.show_controls);
}

#[test]
fn a_plot_fills_the_area_on_focus_and_esc_brings_the_grid_back() {
    let mut h = harness();
    h.run();
    let focus_buttons = |h: &Harness<'static, Explorer>| h.query_all_by_label("Focus").count();
    let all = focus_buttons(&h);
    assert_eq!(all, PlotKind::ALL.len(), "one Focus button per shown plot");
    h.query_all_by_label("Focus").next().unwrap().click();
    h.run_steps(3);
    assert_eq!(focus_buttons(&h), 0, "only the focused plot is drawn");
    h.get_by_label("Back");
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert_eq!(focus_buttons(&h), all);
}

#[test]
fn view_menu_zooms_within_its_range_and_switches_to_the_light_theme() {
    let mut h = harness();
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label_contains("Zoom in").click();
    h.run_steps(2);
    let zoom = h.state().remembered.zoom;
    assert!((zoom - 1.1).abs() < 1e-6, "zoom {zoom}");
    h.get_by_label_contains("Zoom 100 %").click();
    h.run_steps(2);
    assert_eq!(h.state().remembered.zoom, 1.0);
    h.get_by_label("Light theme").click();
    h.run_steps(2);
    assert!(h.state().remembered.light_theme);
    h.get_by_label("Legends on plots").click();
    h.run_steps(2);
    assert!(!h.state().remembered.show_legends);
    assert_eq!(h.ctx.theme(), egui::Theme::Light);
}

#[test]
fn the_loss_plot_can_follow_the_path_by_stage_or_by_eps() {
    let mut h = run_to_end(PRESET);
    h.get_by_label("x axis").click();
    h.run_steps(2);
    h.get_by_label("ε").click();
    h.run_steps(2);
    let app = h.state();
    assert_eq!(app.remembered.loss_axis, LossAxis::Eps);
    let fig = PlotKind::Loss.figure(&app.view, app.remembered.loss_axis);
    assert!(
        fig.x_log && fig.x_reversed,
        "ε on a log axis running down to the right"
    );
    let stage_loss = fig
        .series
        .iter()
        .find(|s| s.label == "stage loss")
        .expect("a stage loss curve");
    assert_eq!(stage_loss.points.len(), app.view.stages.len());
    assert!(app.view.stages.len() > 10, "a homotopy run has its stages");
    let last = app.view.stages.last().unwrap();
    assert_eq!(*stage_loss.points.last().unwrap(), (last.eps, last.loss));
}

#[test]
fn without_a_file_dialog_exports_land_in_the_default_folder_and_the_path_can_be_copied() {
    let mut h = run_to_end(PRESET);
    let root = tempfile::tempdir().unwrap();
    h.state_mut().export_root = root.path().to_path_buf();
    // One plot: the first plot's SVG button (the harness opens no dialogs).
    h.query_all_by_label("SVG").next().unwrap().click();
    assert!(settle(&mut h, |app| app.view.last_written.is_some()));
    let written = h.state().view.last_written.clone().unwrap();
    assert!(written.starts_with(root.path()) && written.extension().unwrap() == "svg");
    assert!(std::fs::read_to_string(&written).unwrap().contains("<svg"));
    assert!(has_message(h.state(), Some(false), "wrote "));
    // Export all, from the File menu, into a new folder there too.
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export all…").click();
    assert!(
        settle(&mut h, |app| app
            .view
            .last_written
            .as_ref()
            .is_some_and(|p| p.is_dir())),
        "{:?}",
        h.state().view.messages
    );
    let folder = h.state().view.last_written.clone().unwrap();
    assert!(folder.join("summary.json").is_file(), "{folder:?}");
    h.get_by_label("copy path").click();
    h.run_steps(1);
    // Several messages go with one click, and none comes back.
    h.state_mut().view.message(true, "an older error");
    h.state_mut().view.message(false, "the newest note");
    h.run_steps(1);
    // The older ones are read from the "n earlier" list before they go.
    let earlier = h.state().view.messages.len() - 1;
    h.get_by_label(&format!("{earlier} earlier")).click();
    h.run_steps(2);
    assert!(h.query_by_label("an older error").is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.get_by_label_contains("dismiss all").click();
    h.run_steps(2);
    assert!(h.state().view.messages.is_empty());
}

/// A file as the window system hands a drop to egui.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn f1_lists_the_shortcuts_and_a_dropped_preset_loads() {
    let mut h = harness();
    h.key_press(egui::Key::F1);
    h.run_steps(2);
    h.get_by_label("start / pause training");
    // Esc closes the list (it covered the lecture-mode badge until F1 again).
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.query_by_label("start / pause training").is_none());
    h.key_press(egui::Key::F1);
    h.run_steps(2);
    h.get_by_label("start / pause training");
    // A checkpoint dropped by mistake is refused with what to do instead.
    let drop = |h: &mut Harness<'static, Explorer>, path: &str| {
        h.input_mut()
            .dropped_files
            .push(std::sync::Arc::new(Dropped(path.into())));
        h.run_steps(2);
    };
    drop(&mut h, "run/checkpoint.json");
    assert!(has_message(h.state(), Some(true), "drop a preset (.toml)"));
    drop(&mut h, "presets/burgers_1d_classical.toml");
    assert!(settle(&mut h, |app| app.config().problem.kind
        == homotopy_explorer::problem::ProblemKind::Burgers1d));
}

#[test]
fn the_title_says_modified_once_the_run_differs_from_the_loaded_preset() {
    let mut h = harness();
    h.run();
    h.get_by_label("GUI test");
    assert!(!h.state().modified());
    // An edit not yet applied: modified.
    h.state_mut().draft.optimizer.lr *= 2.0;
    h.run();
    h.get_by_label("GUI test (modified)");
    // A new ε target is named: a preset's name may state its ε.
    assert!(h.state_mut().set_eps_target(0.02));
    assert!(settle(&mut h, |app| app.config().problem.eps == 0.02));
    h.run();
    h.get_by_label("GUI test (modified: now ε target 0.02)");
    // So is a switched strategy: the preset's name may say another one.
    assert!(h.state_mut().pick_strategy(StrategyKind::Strategy2));
    assert!(settle(&mut h, |app| app.config().strategy.kind
        == StrategyKind::Strategy2));
    h.run();
    h.get_by_label("GUI test (modified: now Strategy 2 (homotopy loss), ε target 0.02)");
    load_shipped(&mut h, "allen_cahn_1d_classical.toml");
    assert!(settle(&mut h, |app| app.config().name != "GUI test"
        && !app.modified()));
}

#[test]
fn a_list_entry_that_is_not_a_number_is_named_and_nothing_is_applied() {
    let mut h = harness();
    let before = h.state().draft.network.hidden.clone();
    h.get_by_label("Network, sampling, backend").click();
    h.run_steps(2);
    h.get_by_label("hidden widths").click();
    h.run_steps(1);
    h.get_by_label("hidden widths").type_text(", x");
    h.run_steps(2);
    h.get_by_label_contains("“x” is not a number: not applied");
    assert_eq!(h.state().draft.network.hidden, before);
}

/// Type `text` into the number field labelled `label` and press Enter.
fn type_into(h: &mut Harness<'static, Explorer>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
}

#[test]
fn typed_numbers_outside_a_fields_range_are_refused_with_the_range_not_clamped() {
    let mut h = harness();
    h.get_by_label("Optimizer").click();
    h.run();
    let before = h.state().app.draft.training.max_steps;
    type_into(&mut h, "step cap", "0");
    assert_eq!(h.state().app.draft.training.max_steps, before);
    assert!(
        has_message(
            &h.state().app,
            Some(true),
            "step cap: 0 is outside the range; allowed 1 to 1e8, kept"
        ),
        "{:?}",
        h.state().app.view.messages
    );
    type_into(&mut h, "step cap", "2.5");
    assert_eq!(h.state().app.draft.training.max_steps, before);
    // Refused once on Enter, not again as the field lost focus to the next entry.
    let said = |part: &str| {
        let m = &h.state().app.view.messages;
        m.iter().filter(|(_, t)| t.contains(part)).count()
    };
    assert_eq!(
        said("step cap: 0 is outside the range"),
        1,
        "{:?}",
        h.state().app.view.messages
    );
    assert!(has_message(
        &h.state().app,
        Some(true),
        "2.5 is not a whole number"
    ));
    // Not a number at all, in a log-scale field: named, and the value kept.
    let tol = h.state().app.draft.training.loss_tolerance;
    type_into(&mut h, "loss tolerance", "abc");
    assert_eq!(h.state().app.draft.training.loss_tolerance, tol);
    assert!(has_message(
        &h.state().app,
        Some(true),
        "loss tolerance: “abc” is not a number"
    ));
    // A value inside the range is taken as typed.
    type_into(&mut h, "step cap", "500");
    assert_eq!(h.state().app.draft.training.max_steps, 500);
    type_into(&mut h, "loss tolerance", "1e-9");
    assert!((h.state().app.draft.training.loss_tolerance - 1e-9).abs() < 1e-20);
}

/// Type `text` into the ε target slider's number box, which shows `shown` (the slider itself
/// carries the same value), and press Enter.
fn type_eps(h: &mut Harness<'static, Explorer>, shown: &str, text: &str) {
    let number_box = |h: &Harness<'static, Explorer>| {
        let roles: Vec<_> = h
            .get_all_by_value(shown)
            .map(|n| n.accesskit_node().role())
            .collect();
        roles
            .iter()
            .position(|r| *r != egui::accesskit::Role::Slider)
            .unwrap_or_else(|| panic!("no number box among {roles:?}"))
    };
    let k = number_box(h);
    h.get_all_by_value(shown).nth(k).unwrap().click();
    h.run();
    let k = number_box(h);
    h.get_all_by_value(shown).nth(k).unwrap().type_text(text);
    h.key_press(egui::Key::Enter);
    h.run();
}

#[test]
fn an_eps_target_above_the_paths_current_eps_waits_for_confirmation() {
    // Strategy 1 from ε₀ = 0.1 (not started: the path stands at ε₀).
    let mut h = harness();
    let target = h.state().app.config().problem.eps;
    h.state_mut().app.view.messages.clear();
    // 0.5 typed into the slider's number box lies above ε₀ = 0.1: nothing is sent yet.
    type_eps(&mut h, "0.05", "0.5");
    assert_eq!(h.state().app.config().problem.eps, target);
    h.get_by_label("Keep ε target 0.05").click();
    h.run();
    assert_eq!(h.state().app.config().problem.eps, target);
    assert!(h.query_by_label("Run the path upward").is_none());
    // Asked again and confirmed: the target goes up.
    type_eps(&mut h, "0.05", "0.5");
    h.get_by_label("Run the path upward").click();
    assert!(settle(&mut h, |app| app
        .view
        .latest
        .as_ref()
        .is_some_and(|s| s.eps_target == 0.5)));
}

#[test]
fn the_timeline_scrubs_plays_and_exports_the_path() {
    let mut h = run_to_end(PRESET);
    let frames = h.state().view.frames();
    // Phase I's end and each of the 50 Euler stages.
    assert!(frames.len() > 40, "{} frames", frames.len());
    // Scrubbed to a finished stage: the solution and the loss plot show it.
    h.state_mut().view.scrub = Some(frames[10]);
    h.run();
    let stage = h.state().view.stages[frames[10]].clone();
    // Its numbers too: the frame carries the stage's accuracy (the front mark), not the live's.
    let frame = h.state().view.frame(frames[10]).unwrap();
    assert_eq!(frame.accuracy, stage.accuracy);
    // The timeline numbers it as the stages table and the plot do (0: Phase I at ε₀).
    let last = h.state().view.stages.last().unwrap().stage;
    h.get_by_label_contains(&format!("stage {} of 0–{last} ·", stage.stage));
    let live = h.state().view.latest.as_ref().unwrap().accuracy;
    assert_ne!(frame.accuracy.l2re(), live.l2re());
    let axis = h.state().remembered.loss_axis;
    let sol = PlotKind::Solution.figure(&h.state().view, axis);
    assert!(sol.title.contains("timeline: stage"), "{}", sol.title);
    let u = &sol.series.iter().find(|s| s.label == "u_θ").unwrap().points;
    assert_eq!(u.iter().map(|p| p.1).collect::<Vec<_>>(), stage.u);
    let loss = PlotKind::Loss.figure(&h.state().view, axis);
    assert!(
        loss.vlines
            .iter()
            .any(|(_, l)| l.starts_with("timeline: stage"))
    );
    // The other plots show the stage too: its residual, where it ended on λ(K_ε), its ε on
    // λ_max(D_ε), and (no spectral cadence in this preset: only the run's end has a spectrum)
    // the spectrum plot says there was none yet.
    let residual = PlotKind::Residual.figure(&h.state().view, axis);
    let r: Vec<f64> = residual.series[0].points.iter().map(|p| p.1).collect();
    assert_eq!(r.len(), 40);
    assert_eq!(r, stage.residual);
    let point = h.state().app.config().problem.path_point(stage.eps);
    assert!(
        residual.title.contains(&point),
        "{} {point}",
        residual.title
    );
    let kernel = PlotKind::Kernel.figure(&h.state().view, axis);
    assert!(kernel.vlines.contains(&(
        stage.step as f64,
        format!("timeline: stage {}", stage.stage)
    )));
    let operator = PlotKind::Operator.figure(&h.state().view, axis);
    assert_eq!(operator.vlines[0].0, stage.eps);
    let spectrum_title =
        |h: &Harness<'static, Explorer>| PlotKind::Spectrum.figure(&h.state().view, axis).title;
    let title = spectrum_title(&h);
    assert!(
        title.contains(&format!("no spectrum before stage {}", stage.stage)),
        "{title}"
    );
    // Asked for, the stage's own spectrum (from the θ it ended with) takes its place; the
    // live one stays the live one.
    let live_step = h.state().view.diagnostics.as_ref().map(|d| d.step);
    h.get_all_by_label("Compute at this stage")
        .next()
        .unwrap()
        .scroll_to_me();
    h.run_steps(3);
    h.get_all_by_label("Compute at this stage")
        .next()
        .unwrap()
        .click();
    assert!(
        settle(&mut h, |app| app
            .view
            .diagnostics_shown()
            .is_some_and(|d| d.step == stage.step)),
        "{:?}",
        h.state().view.messages
    );
    let title = spectrum_title(&h);
    assert!(
        title.ends_with(&format!("end of stage {}", stage.stage)),
        "{title}"
    );
    assert_eq!(
        h.state().view.diagnostics.as_ref().map(|d| d.step),
        live_step
    );
    // Live again: the latest state.
    h.get_by_label("● Live").click();
    h.run();
    assert_eq!(h.state().view.scrub, None);
    // Play runs from the first frame to the last and stops there.
    h.get_by_label("▶ Play").click();
    h.step();
    assert_eq!(h.state().view.scrub, Some(frames[0]));
    for _ in 0..400 {
        h.step();
        // The label names the frame every plot shows in the same frame (it used to lag one
        // frame behind while playing).
        let shown = h.state().view.scrub.unwrap();
        let label = format!("stage {} of 0–{last} ·", h.state().view.stages[shown].stage);
        assert!(h.query_by_label_contains(&label).is_some(), "{label}");
        std::thread::sleep(Duration::from_millis(10));
        if h.query_by_label("▶ Play").is_some() {
            break;
        }
    }
    assert_eq!(h.state().view.scrub, Some(*frames.last().unwrap()));
    // The path as a GIF (one frame per stage here, under 120) and the evolution figure.
    let root = tempfile::tempdir().unwrap();
    h.state_mut().export_root = root.path().to_path_buf();
    h.get_by_label("Export path").click();
    h.run();
    h.get_by_label("Animated GIF…").click();
    assert!(settle(&mut h, |app| app
        .view
        .last_written
        .as_ref()
        .is_some_and(|p| p.extension().is_some_and(|e| e == "gif"))));
    let gif = h.state().view.last_written.clone().unwrap();
    let mut decoder = gif::DecodeOptions::new()
        .read_info(std::fs::File::open(&gif).unwrap())
        .unwrap();
    let mut count = 0;
    while decoder.read_next_frame().unwrap().is_some() {
        count += 1;
    }
    assert_eq!(count, frames.len().min(120));
    let evolution = homotopy_explorer::app::figures::evolution(&h.state().view, 6).unwrap();
    let labels: Vec<&str> = evolution.series.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), 7, "{labels:?}");
    assert!(labels[0].starts_with("ε = 0.1") && labels[6].starts_with("reference at ε = 0.05"));
}

#[test]
fn hrta_ticked_on_a_trained_run_is_refused_when_it_would_jump_back_to_a_smaller_s() {
    let mut h = run_to_end(PRESET);
    let before = h.state().app.view.latest.as_ref().unwrap().loss.total;
    // The default schedule s = 0.5, 1 starts below the trained network's s = 1.
    h.get_by_label("HRTA").click();
    h.run();
    assert!(!h.state().app.draft.hrta.enabled);
    assert!(!h.state().app.config().hrta.enabled);
    assert!(has_message(
        &h.state().app,
        Some(true),
        "HRTA not turned on"
    ));
    h.run();
    assert_eq!(
        h.state().app.view.latest.as_ref().unwrap().loss.total,
        before
    );
    // The way out the message names is one click: reset (asked first: the run is not
    // pinned), then HRTA on from the start.
    h.get_by_label("reset with HRTA on").click();
    h.run();
    h.get_by_label("Reset the run?");
    // The dialog's Reset: drawn after the controls panel's.
    h.query_all_by_label("Reset").last().unwrap().click();
    assert!(settle(&mut h, |app| app.config().hrta.enabled
        && app.view.latest.as_ref().is_some_and(|s| s.step == 0)));
    assert!(h.state().app.draft.hrta.enabled);
    assert!(has_message(
        &h.state().app,
        Some(false),
        "with HRTA on from the start"
    ));
}

#[test]
fn a_run_stopped_by_its_step_cap_offers_to_show_the_step_cap() {
    let capped = PRESET.replace("max_steps = 1000000", "max_steps = 3");
    let mut h = run_to_end(&capped);
    // The Optimizer section starts closed: the field is not on screen.
    assert!(h.query_by_label("step cap").is_none());
    h.get_by_label("show the step cap").click();
    h.run();
    h.get_by_label("step cap");
    assert_eq!(h.state().app.view.reveal, None, "the request was taken");
    // Raised and applied: the warning gives way to what was done.
    h.state_mut().app.draft.training.max_steps = 50;
    h.get_by_label("Apply").click();
    h.run();
    assert!(has_message(
        &h.state().app,
        Some(false),
        "step cap 3 → 50 applied"
    ));
    assert_eq!(h.state().app.view.points_to, None);
    assert!(h.query_by_label("show the step cap").is_none());
}

#[test]
fn a_schedule_applied_in_phase_one_lets_phase_one_go_on_and_says_so() {
    let mut h = harness();
    h.get_by_label("Step").click();
    assert!(settle(&mut h, |app| at_step(app, 1)));
    assert!(h.state().app.view.latest.as_ref().unwrap().in_phase_one);
    h.state_mut().app.draft.strategy.schedule =
        homotopy_explorer::config::ScheduleConfig::Geometric { steps: 20 };
    h.get_by_label("Apply schedule").click();
    h.run();
    h.get_by_label(
        "It is in Phase I: Continue lets Phase I go on where it stands; the new schedule takes over after it.",
    );
    h.get_by_label("Continue from ε = 0.1").click();
    // Stepped, not run to rest: the worker's answer re-lays the stage table when it arrives.
    h.run_steps(2);
    assert!(
        has_message(
            &h.state().app,
            Some(false),
            "New schedule applied: Phase I goes on at ε₀ = 0.1 (step 1); the new schedule takes over after it"
        ),
        "{:?}",
        h.state().app.view.messages
    );
    assert!(!has_message(&h.state().app, None, "the path continues"));
}

#[test]
fn a_schedule_applied_to_a_finished_path_asks_continue_or_restart_and_says_which_happened() {
    let mut h = run_to_end(PRESET);
    let end = h.state().app.view.latest.clone().unwrap();
    assert_eq!(end.eps, 0.05);
    // Continue: the trained network stays at ε* (nothing is left of the path to 0.05).
    h.state_mut().app.draft.strategy.schedule =
        homotopy_explorer::config::ScheduleConfig::Geometric { steps: 20 };
    h.get_by_label("Apply schedule").click();
    h.run();
    assert!(
        h.state().app.pending_apply.is_some(),
        "the choice is asked for"
    );
    h.get_by_label("Continue from ε = 0.05").click();
    h.run();
    assert!(has_message(
        &h.state().app,
        Some(false),
        "the path continues from ε = 0.05"
    ));
    assert!(settle(&mut h, |app| app.config().strategy.schedule
        == homotopy_explorer::config::ScheduleConfig::Geometric {
            steps: 20
        }));
    let s = h.state().app.view.latest.clone().unwrap();
    assert_eq!(s.eps, 0.05, "not sent back to ε₀");
    assert!(s.step >= end.step, "the trained steps are kept");
    // Restart: a fresh run with the new schedule, from step 0 at ε₀.
    h.state_mut().app.draft.strategy.schedule =
        homotopy_explorer::config::ScheduleConfig::Geometric { steps: 30 };
    h.get_by_label("Apply schedule").click();
    h.run();
    h.get_by_label("Restart from the initialization").click();
    assert!(settle(&mut h, |app| app
        .view
        .latest
        .as_ref()
        .is_some_and(|s| s.step == 0 && s.eps == 0.1)));
    assert!(has_message(
        &h.state().app,
        Some(false),
        "restarted from its initialization"
    ));
}

#[test]
fn on_the_plane_the_soft_mode_is_a_heat_map() {
    let preset = common::small_ac2("max_steps = 40\n[diagnostics]\nevery = 10\n");
    let mut h = harness_with(&preset);
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.diagnostics.is_some()));
    let fig = PlotKind::SoftMode.figure(&h.state().view, h.state().remembered.loss_axis);
    let map = fig
        .heatmap
        .expect("a heat map of δu over the residual grid");
    assert_eq!((map.nx, map.ny), (10, 10));
    assert!(fig.title.contains("over the plane"), "{}", fig.title);
    // On its s-homotopy the status line says s and ε(s), not the engine's p = s + ε*.
    h.get_by_label_contains("homotopy s = ");
}

#[test]
fn a_narrow_plot_puts_its_legend_below_and_an_s_path_reads_in_s() {
    // The solution plot's legend as a strip under it in a narrow cell; a corner chosen by the
    // user puts it back inside.
    let mut h = harness_sized(PRESET, 1000.0, 700.0);
    h.run();
    assert!(h.query_by_label("━ u_θ").is_some());
    h.state_mut().remembered.set_legend_corner(
        PlotKind::Solution,
        homotopy_explorer::app::LegendCorner::RightTop,
    );
    h.run();
    assert!(h.query_by_label("━ u_θ").is_none());
    // Burgers on the s-homotopy: the schedule's points are s = p − ε*, and the list editor
    // says what its numbers are.
    let mut h = harness_with(
        "version = 1\n[problem]\nkind = \"burgers_1d\"\npath = \"s_homotopy\"\neps = 0.1\n\
         n_res = 30\nn_eval = 101\n[network]\nhidden = [8]\n[strategy]\nkind = \"strategy2\"\n\
         eps_start = 1.1\n[strategy.schedule]\nkind = \"list\"\nvalues = [0.6, 0.1]\n",
    );
    h.run();
    assert!(h.query_by_label("s_k").is_some());
    // The planned points p = 0.6 and 0.1 read as s = 0.5 and s = 0, the end at ε* = 0.1.
    assert!(h.query_by_label("0.5000").is_some());
    assert!(h.query_by_label("0.0000").is_some());
    assert!(
        h.query_by_label("path points p = s + ε* after p₀ (comma-separated, decreasing):")
            .is_some()
    );
}

#[test]
fn at_projector_zoom_on_1280_by_720_the_plots_keep_the_middle_and_every_view_entry_is_reachable() {
    let mut h = harness_sized(PRESET, 1280.0, 720.0);
    h.ctx.set_zoom_factor(1.5);
    h.run_steps(3);
    // The side panels stop at 30 % and 27 % of the window: the solution plot's title and its
    // buttons lie inside the middle, clear of the schedule panel.
    let screen = h.ctx.content_rect();
    let title = h.get_by_label_contains("Solution u_θ(x)").rect();
    let focus = h.get_all_by_label("Focus").next().unwrap().rect();
    let schedule = h.get_by_label("Δε schedule").rect();
    assert!(title.min.x > 0.3 * screen.width() - 1.0, "{title:?}");
    assert!(title.max.x < schedule.min.x && focus.max.x < schedule.min.x);
    // The View menu is taller than the window at this zoom: it scrolls to its last entry.
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Lecture locks…").scroll_to_me();
    h.run_steps(3);
    let last = h.get_by_label("Lecture locks…").rect();
    assert!(screen.contains_rect(last), "{last:?} off {screen:?}");
}

/// A small operator problem: the DeepONet over a few random inputs.
const OPERATOR: &str = r#"version = 1
name = "GUI operator test"
[problem]
kind = "burgers_operator"
eps = 0.5
n_res = 15
n_eval = 33
path = "s_homotopy"
[problem.operator]
inputs = 4
test_inputs = 3
sensors = 33
[network.deeponet]
basis = 8
width = 2
[training]
max_steps = 200
[strategy]
kind = "strategy2"
eps_start = 1.5
[strategy.schedule]
kind = "geometric"
steps = 4
[strategy.phase1]
adam_steps = 50
lm_iterations = 0
[strategy.stages]
alpha = 0.0001
max_steps = 30
"#;

#[test]
fn an_operator_answers_a_new_input_and_one_drawn_with_the_mouse() {
    let mut h = harness_with(OPERATOR);
    assert!(h.state().app.is_operator_problem());
    // The solution plot shows the first held-out input until asked for another.
    let title = |h: &Harness<'static, Explorer>| {
        PlotKind::Solution
            .figure(&h.state().view, LossAxis::Step)
            .title
    };
    assert!(title(&h).contains("test input 1 of 3"), "{}", title(&h));
    h.get_by_label("New input").click();
    assert!(settle(&mut h, |app| app
        .view
        .operator_input
        .as_ref()
        .is_some_and(|i| i.label.contains("new input #1"))));
    let shown = h.state().view.operator_input.clone().unwrap();
    assert_eq!((shown.x.len(), shown.u0.len(), shown.u.len()), (33, 33, 33));
    // At s = 1 (the start of the path) the reference is u₀ itself.
    assert!(shown.reference.is_some() && shown.inference_secs > 0.0);
    h.run();
    assert!(title(&h).contains("new input #1"), "{}", title(&h));
    assert!(title(&h).contains("ms"), "{}", title(&h));
    // The error plot follows the shown input.
    let error = PlotKind::Error.figure(&h.state().view, LossAxis::Step);
    assert!(error.title.contains("new input #1"), "{}", error.title);
    assert_eq!(error.series[0].points.len(), 33);
    // Draw a hump across the solution plot: press, move, release.
    h.get_by_label("Draw input").click();
    h.run();
    let button = h.get_by_label("Drawing… (drag on the plot)").rect();
    let y = button.top() - 110.0;
    let (x0, x1) = (button.left() + 80.0, button.left() + 520.0);
    h.drag_at(egui::pos2(x0, y));
    h.step();
    for k in 1..=20 {
        let t = k as f64 / 20.0;
        let x = x0 + (x1 - x0) * t as f32;
        h.hover_at(egui::pos2(
            x,
            y - 60.0 * (std::f64::consts::PI * t).sin() as f32,
        ));
        h.step();
    }
    h.drop_at(egui::pos2(x1, y));
    assert!(
        settle(&mut h, |app| app
            .view
            .operator_input
            .as_ref()
            .is_some_and(|i| i.label.contains("drawn with the mouse"))),
        "{:?}",
        h.state().view.messages
    );
    let drawn = h.state().view.operator_input.clone().unwrap();
    assert_eq!((drawn.u0[0], drawn.u0[32]), (0.0, 0.0));
    assert!(drawn.u0.iter().any(|v| v.abs() > 1e-3), "{:?}", drawn.u0);
    // The training inputs' size is known, so an input beyond it is called an extrapolation.
    assert!(drawn.training_max.is_some_and(|t| t > 0.0) && drawn.input_max > 1e-3);
    let said = title(&h).contains("extrapolation");
    assert_eq!(
        said,
        drawn.input_max > drawn.training_max.unwrap(),
        "{}",
        title(&h)
    );
    // Trained to the end, the timeline's stages answer the drawn input with their own
    // parameters: the output moves along s with the slider.
    h.get_by_label("Start").click();
    assert!(settle(&mut h, |app| app.view.end.is_some()));
    h.run();
    let frames = h.state().view.frames();
    assert!(frames.len() >= 2, "{frames:?}");
    let first = frames[0];
    let stage_step = h.state().view.stages[first].step;
    h.state_mut().app.view.scrub = Some(first);
    assert!(settle(&mut h, |app| app
        .view
        .operator_input_at
        .as_ref()
        .is_some_and(|i| i.step == stage_step)));
    h.run();
    let at_stage = h.state().view.operator_input_at.clone().unwrap();
    let live = h.state().view.operator_input.clone().unwrap();
    assert_ne!(at_stage.u, live.u, "the stage's answer is its own");
    assert!(title(&h).contains("timeline: stage"), "{}", title(&h));
    h.state_mut().app.view.scrub = None;
    // Back to the held-out inputs.
    h.get_by_label("Test inputs").click();
    h.run();
    assert!(h.state().view.operator_input.is_none());
    assert!(title(&h).contains("test input 1 of 3"), "{}", title(&h));
    // A pinned operator run shows the input the live plot shows, not its three test inputs
    // strung together (x running 0 → 1 once, as many points as the live curve).
    h.get_by_label("Pin run").click();
    h.run();
    let fig = PlotKind::Solution.figure(&h.state().view, LossAxis::Step);
    let pin = fig
        .series
        .iter()
        .find(|s| s.label == "pin 1")
        .expect("pin 1 drawn");
    let live = fig
        .series
        .iter()
        .find(|s| s.label == "u_θ")
        .expect("u_θ drawn");
    assert_eq!(pin.points.len(), live.points.len());
    assert!(
        pin.points.windows(2).all(|w| w[1].0 > w[0].0),
        "{:?}",
        pin.points
    );
}

#[test]
fn the_stiff_quadratic_lab_shows_gradient_descent_diverging_where_the_implicit_step_does_not() {
    let mut h = harness();
    h.get_by_label("Labs").click();
    h.run();
    h.get_by_label("Stiff quadratic (ISGD §2.2)…").click();
    h.run();
    // The paper's K₁ = 10⁻⁴, K₂ = 10⁴ at α = 10⁻⁴: both descents contract.
    h.get_by_label("GD contracts for α < 2/max K = 2.000e-4.");
    assert!(h.query_by_label("never (does not contract)").is_none());
    let series = |h: &Harness<'static, Explorer>| -> usize {
        h.query_all_by_label_contains("α = ").count()
    };
    assert!(series(&h) > 0);
    // Past 2/K₂ gradient descent grows and never arrives; the implicit step still does.
    type_into(&mut h, "Step size α", "1e-3");
    h.get_by_label("never (does not contract)");
    h.get_by_label("grows");
    assert!(h.query_all_by_label_contains("(diverges)").count() >= 1);
    // A value outside the field's range is refused by name and the step size kept.
    type_into(&mut h, "Step size α", "1e9");
    assert!(
        has_message(
            &h.state().app,
            Some(true),
            "Step size α: 1e9 is outside the range"
        ),
        "{:?}",
        h.state().app.view.messages
    );
    h.get_by_label("never (does not contract)");
}

#[test]
fn reset_a_preset_and_clear_pins_ask_before_losing_a_trained_run() {
    let mut h = harness();
    h.get_by_label("Step").click();
    assert!(settle(&mut h, |app| at_step(app, 1)));
    h.get_by_label("Reset").click();
    h.run();
    h.get_by_label("Reset the run?");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Reset the run?").is_none());
    assert_eq!(h.state().view.latest.as_ref().unwrap().step, 1, "kept");
    // A preset from the menu asks too; pinning first keeps the run's curves and numbers.
    load_shipped(&mut h, "burgers_1d_classical.toml");
    h.run();
    h.get_by_label("Load the preset?");
    h.get_by_label("Pin it, then load").click();
    assert!(settle(&mut h, |app| app.config().problem.kind
        == homotopy_explorer::problem::ProblemKind::Burgers1d));
    assert_eq!(h.state().view.pinned.len(), 1);
    assert_eq!(h.state().view.pinned[0].summary.steps, 1);
    // Clear pins waits for its own yes.
    h.get_by_label("Clear pins").click();
    h.run();
    assert_eq!(h.state().view.pinned.len(), 1);
    // The pin is of Allen–Cahn, hidden under Burgers: the question says it goes too.
    h.get_by_label(
        "1 pinned run (0 of this problem, 1 of other problems) is removed; it cannot be brought back.",
    );
    h.get_by_label("Remove the pins").click();
    h.run();
    assert!(h.state().view.pinned.is_empty());
    assert!(has_message(
        &h.state().app,
        Some(false),
        "the pinned run cleared"
    ));
}
