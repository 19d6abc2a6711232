//! The NTK lab window: what to sweep on (the current problem or one of the NTK paper's
//! equations), widths, exponents a, seeds, steps and rate; run or stop the sweep; progress; the
//! table of (a, N) cells with the spread of each kernel block; spread and drift against N.

use crate::app::{ExplorerApp, Pending};
use crate::lab::ntk;
use crate::lab::ntk_pde::PaperPde;
use crate::ui::plot_view::figure_ui;
use crate::ui::widgets::bounded_row;

pub fn ntk_lab_ui(app: &mut ExplorerApp, ctx: &egui::Context) {
    if !app.ntk_lab.open {
        return;
    }
    let mut open = true;
    let (mut run, mut export) = (false, false);
    egui::Window::new("NTK lab")
        .open(&mut open)
        .default_width(820.0)
        .default_height(980.0)
        .vscroll(true)
        .show(ctx, |ui| {
            let problem = &app.config().problem;
            let current = format!(
                "This run's problem: {} at ε = {}",
                problem.kind.label(),
                problem.eps
            );
            let on = match app.ntk_lab.pick {
                None => format!(
                    "the current problem ({} at ε = {}, {} kernel rows)",
                    problem.kind.label(),
                    problem.eps,
                    ntk::kernel_rows(app.config())
                ),
                Some(pde) => format!(
                    "the NTK paper's {} — {}; {} kernel rows, {} of them residual rows",
                    pde.label(),
                    pde.setup(),
                    pde.rows().len(),
                    pde.residual_rows()
                ),
            };
            ui.label(format!(
                "Sweeps one tanh hidden layer of width N, N(0, 1) weights and biases, output \
                 scaled by 1/N^a, on {on}. For each (a, N): the spread of the initial kernel \
                 K = JJᵀ over seeds, whole and per block (residual rows f, boundary rows b), and \
                 its drift ‖K(T) − K(0)‖/‖K(0)‖ after gradient descent (rate capped at \
                 1/λ_max(K(0)))."
            ));
            ui.label(
                "The NTK papers' claims: K_bb(0) concentrates as N grows for a ≥ ½, K_ff and K_bf \
                 for a ≥ 1 when the operator has a non-homogeneous term; K stays near K(0) in \
                 training for a > ¼.",
            );
            let lab = &mut app.ntk_lab;
            let busy = lab.running();
            ui.add_enabled_ui(!busy, |ui| {
                ui.horizontal(|ui| {
                    let l = ui.label("Sweep on");
                    let name = |p: Option<PaperPde>| match p {
                        None => current.clone(),
                        Some(p) => format!("NTK paper: {} ({})", p.name(), p.problem()),
                    };
                    egui::ComboBox::from_id_salt("ntk_subject")
                        .selected_text(name(lab.pick))
                        .width(420.0)
                        .show_ui(ui, |ui| {
                            for p in [None, Some(PaperPde::SineGordon), Some(PaperPde::Kdv)] {
                                ui.selectable_value(&mut lab.pick, p, name(p));
                            }
                        })
                        .response
                        .labelled_by(l.id);
                });
            });
            ui.add_enabled_ui(!busy, |ui| {
                egui::Grid::new("ntk_settings")
                    .num_columns(2)
                    .show(ui, |ui| {
                        let l = ui.label("Widths N");
                        ui.text_edit_singleline(&mut lab.widths).labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label("Exponents a");
                        ui.text_edit_singleline(&mut lab.exponents)
                            .labelled_by(l.id);
                        ui.end_row();
                        bounded_row(ui, "Seeds per cell", &mut lab.settings.seeds, 2..=64, |d| d);
                        bounded_row(
                            ui,
                            "Training steps",
                            &mut lab.settings.steps,
                            1..=100_000,
                            |d| d,
                        );
                        bounded_row(ui, "Rate (GD)", &mut lab.settings.lr, 1e-6..=10.0, |d| {
                            d.speed(0.01)
                        });
                    });
            });
            ui.horizontal(|ui| {
                run = ui
                    .add_enabled(!busy, egui::Button::new("Run sweep"))
                    .on_hover_text("Start the sweep on its own thread; training goes on")
                    .clicked();
                if ui
                    .add_enabled(busy, egui::Button::new("Stop sweep"))
                    .clicked()
                {
                    lab.stop();
                }
                export = ui
                    .add_enabled(
                        !busy && !lab.rows.is_empty(),
                        egui::Button::new("Export lab…"),
                    )
                    .on_hover_text(format!(
                        "Figures (SVG, PNG, CSV), the base run and the table into a new folder \
                         (under {} when no file dialog can open)",
                        app.export_root.display()
                    ))
                    .clicked();
            });
            let lab = &app.ntk_lab;
            if let Some(job) = &lab.job {
                let done = lab.done();
                ui.add(
                    egui::ProgressBar::new(done as f32 / job.total.max(1) as f32).text(format!(
                        "cell {} of {}, {:.0} s",
                        (done + 1).min(job.total),
                        job.total,
                        job.started.elapsed().as_secs_f64()
                    )),
                );
            }
            if let Some(e) = &lab.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            if lab.rows.is_empty() {
                return;
            }
            if let Some(subject) = &lab.measured {
                ui.label(format!(
                    "Results for {} ({} seeds):",
                    subject.describe(),
                    lab.rows[0].seeds
                ));
            }
            let (spread, drift) = ntk::figures(&lab.rows);
            ui.columns(2, |cols| {
                let figs = [(&spread, "ntk_spread"), (&drift, "ntk_drift")];
                for (ui, (fig, id)) in cols.iter_mut().zip(figs) {
                    ui.strong(&fig.title);
                    figure_ui(ui, id, fig, 300.0, Some(egui_plot::Corner::RightTop), None);
                }
            });
            egui::Grid::new("ntk_rows")
                .striped(true)
                .num_columns(11)
                .show(ui, |ui| {
                    for h in [
                        "a",
                        "N",
                        "mean λ_max(K(0))",
                        "spread λ_max",
                        "spread K(0)",
                        "K_ff",
                        "K_bf",
                        "K_bb",
                        "drift",
                        "loss at start",
                        "loss after",
                    ] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for r in &lab.rows {
                        ui.label(r.exponent.to_string());
                        ui.label(r.width.to_string());
                        ui.label(format!("{:.3e}", r.lambda_max_mean));
                        ui.label(format!("{:.3}", r.lambda_max_rel_spread));
                        ui.label(format!("{:.3}", r.entry_rel_spread));
                        for s in [r.spread_ff, r.spread_bf, r.spread_bb] {
                            ui.label(s.map_or("—".into(), |s| format!("{s:.3}")));
                        }
                        ui.label(format!("{:.3e}", r.drift));
                        ui.label(r.loss_before.map_or("—".into(), |l| format!("{l:.2e}")));
                        ui.label(format!("{:.2e}", r.loss_after));
                        ui.end_row();
                    }
                });
        });
    app.ntk_lab.open = open;
    if run {
        app.start_ntk_lab();
    }
    if export && app.headless {
        let root = app.export_root.clone();
        crate::app::export::start_export_ntk_lab(app, root);
    } else if export {
        app.dialog(Pending::NtkLabFolder, || {
            rfd::FileDialog::new()
                .set_title("Export the NTK lab into folder")
                .pick_folder()
        });
    }
}
