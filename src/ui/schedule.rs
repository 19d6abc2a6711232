//! The Δε schedule editor: the schedule as a table and as a plot of ε_k vs k (log axis; on an
//! s-homotopy s_k = p_k − ε* on a linear axis, as the paper counts it), with finished stages
//! showing their final loss, L2RE and x₀ and the current stage highlighted; edit the points,
//! regenerate them (linear or geometric), or switch to the adaptive schedule.

use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use super::plot_view::one_two_five_x_spacer;
use super::widgets::{ListText, bounded, log_drag};
use crate::app::ExplorerApp;
use crate::config::{Control, RunConfig, ScheduleConfig, StrategyKind};
use crate::train::schedule::planned_values;

/// The schedule panel, with the text it keeps for the list of ε values.
#[derive(Debug, Default)]
pub struct SchedulePanel {
    eps_list: ListText,
}

/// How the schedule's points read: ε itself, or s = p − ε* on an s-homotopy (the engine walks
/// p = s + ε*; below ε* p is ε again), by the problem's own map.
#[derive(Clone, Copy)]
struct PathAxis<'a> {
    problem: &'a crate::config::ProblemConfig,
    walks_s: bool,
}

impl<'a> PathAxis<'a> {
    fn of(c: &'a RunConfig) -> Self {
        Self {
            problem: &c.problem,
            walks_s: c.problem.walks_s(),
        }
    }

    fn name(self) -> &'static str {
        if self.walks_s { "s_k" } else { "ε_k" }
    }

    /// The plotted value: s (linear axis; 0 past the end), else log₁₀ ε.
    fn plot_y(self, p: f64) -> f64 {
        match self.problem.s_and_eps(p) {
            Some((s, _)) => s,
            None if self.walks_s => 0.0,
            None => p.log10(),
        }
    }

    /// A point as the plan's preview writes it: s to four places, ε to four significant
    /// digits (0.09, not 0.09000000000000001; 0.09802, not 0.09801766396).
    fn short(self, p: f64) -> String {
        if self.walks_s {
            return self.text(p);
        }
        let p = format!("{p:.3e}").parse().unwrap_or(p);
        super::widgets::number(p)
    }

    /// The table's text for a point.
    fn text(self, p: f64) -> String {
        match self.problem.s_and_eps(p) {
            Some((s, _)) => format!("{s:.4}"),
            // Past the end of the s-path the parameter is ε (s = 0).
            None if self.walks_s => format!("ε {p:.4}"),
            None => format!("{p:.5}"),
        }
    }
}

/// Where the path stands, numbered as the finished stages will be: the stage under way (k and
/// its ε) when the current point is not a finished one, and the points still planned with the
/// k each will have once finished.
#[derive(Debug, PartialEq)]
struct Numbered {
    under_way: Option<(usize, f64)>,
    planned: Vec<(usize, f64)>,
}

impl Numbered {
    /// `finished`: the finished stages' ε in order (stage k is `finished[k]`; Phase I's ε₀ is
    /// k = 0); `current`: the run's ε now; `ahead`: the points the schedule still plans.
    /// A run sitting on its last finished point (the path's end, or re-targeted from it) has
    /// no stage under way, and its next stage is k = finished; otherwise the stage at the
    /// current ε is k = finished (Phase I at ε₀ before anything finished) and the next one
    /// is k + 1.
    fn of(finished: &[f64], current: Option<f64>, ahead: &[f64]) -> Self {
        let n = finished.len();
        let under_way = current
            .filter(|&c| finished.last() != Some(&c))
            .map(|c| (n, c));
        let first = n + usize::from(under_way.is_some());
        Self {
            under_way,
            planned: ahead
                .iter()
                .enumerate()
                .map(|(i, &e)| (first + i, e))
                .collect(),
        }
    }
}

/// What Apply would plan from `c` (the draft): the points after ε₀ (all of them when few, else
/// the first three and the last two), how many stages, and for a staged strategy the most
/// steps the plan can take beside the step cap; true when the cap may cut the plan short.
fn plan_preview(c: &RunConfig) -> (String, bool) {
    let axis = PathAxis::of(c);
    let (from, to) = (c.strategy.eps_start, c.problem.eps);
    if let ScheduleConfig::Adaptive { initial_delta, .. } = c.strategy.schedule {
        return (
            format!(
                "plan: {} → {}, Δε adapted as the path goes (first Δε = {})",
                axis.short(from),
                axis.short(to),
                // A step, not a point: never read through the s-path's map.
                super::widgets::number(
                    format!("{initial_delta:.3e}")
                        .parse()
                        .unwrap_or(initial_delta)
                )
            ),
            false,
        );
    }
    let v = planned_values(&c.strategy.schedule, from, to);
    let shown: Vec<String> = v.iter().map(|&p| axis.short(p)).collect();
    let list = if shown.len() <= 6 {
        shown.join(", ")
    } else {
        format!(
            "{} … {}",
            shown[..3].join(", "),
            shown[shown.len() - 2..].join(", ")
        )
    };
    let stages = match v.len() {
        1 => "1 stage".to_string(),
        n => format!("{n} stages"),
    };
    let mut text = format!("plan: {} → {list} ({stages}", axis.short(from));
    let mut over = false;
    if let Some(most) = c.strategy.most_steps(to) {
        over = most > c.training.max_steps;
        text += &format!("; at most {most} steps, step cap {}", c.training.max_steps);
    }
    text.push(')');
    (text, over)
}

/// The schedule's ε values after ε₀: a list's own, else the planned ones.
fn schedule_points(c: &RunConfig) -> Vec<f64> {
    match &c.strategy.schedule {
        ScheduleConfig::List { values } => values.clone(),
        other => planned_values(other, c.strategy.eps_start, c.problem.eps),
    }
}

impl SchedulePanel {
    pub fn ui(&mut self, app: &mut ExplorerApp, ui: &mut egui::Ui) {
        self.eps_list
            .sync(app.draft_revision(), || schedule_points(&app.draft));
        schedule_ui(app, &mut self.eps_list, ui);
    }
}

fn schedule_ui(app: &mut ExplorerApp, eps_list: &mut ListText, ui: &mut egui::Ui) {
    ui.heading("Δε schedule");
    if !app.config().strategy.kind.is_homotopy() {
        let who = match app.config().strategy.kind {
            StrategyKind::TimeSequential => {
                "The time-sequential strategy marches in time at the target ε"
            }
            _ => "Classical training stays at the target ε",
        };
        ui.label(format!("{who}, with no ε schedule. Pick Strategy 1, Strategy 2 or Curriculum to walk ε from ε₀ to the target."));
        return;
    }
    let current_eps = app.view.latest.as_ref().map(|s| s.eps);
    let ahead = app
        .view
        .latest
        .as_ref()
        .map(|s| s.schedule_ahead.clone())
        .unwrap_or_default();
    let finished: Vec<f64> = app.view.stages.iter().map(|s| s.eps).collect();
    let numbered = Numbered::of(&finished, current_eps, &ahead);
    schedule_plot_ui(app, ui, &numbered, current_eps);
    ui.add_enabled_ui(!app.locked(Control::Schedule), |ui| {
        editor_ui(app, eps_list, ui)
    });
    ui.separator();
    // A finished stage's row clicked: every plot shows it, as the timeline would.
    if let Some(k) = stages_table_ui(app, ui, &numbered)
        && let Some(frame) = nearest_frame(&app.view.frames(), k)
    {
        app.view.scrub = Some(frame);
    }
}

/// The stage with a frame nearest to stage row `k` (frames thin out on long paths), the
/// earlier one on a tie; None when no stage has a frame.
fn nearest_frame(frames: &[usize], k: usize) -> Option<usize> {
    frames.iter().copied().min_by_key(|&f| (f.abs_diff(k), f))
}

fn schedule_plot_ui(
    app: &ExplorerApp,
    ui: &mut egui::Ui,
    numbered: &Numbered,
    current: Option<f64>,
) {
    let axis = PathAxis::of(app.config());
    let walks_s = axis.walks_s;
    let done: Vec<[f64; 2]> = app
        .view
        .stages
        .iter()
        .enumerate()
        .map(|(k, s)| [k as f64, axis.plot_y(s.eps)])
        .collect();
    // The current point: the stage under way, or the finished point the run sits on.
    let here = numbered
        .under_way
        .map(|(k, e)| [k as f64, axis.plot_y(e)])
        .or_else(|| current.and(done.last().copied()));
    // The planned line runs from the last finished stage through the current point to the
    // points still ahead.
    let planned: Vec<[f64; 2]> = done
        .last()
        .copied()
        .into_iter()
        .chain(here)
        .chain(
            numbered
                .planned
                .iter()
                .map(|&(k, e)| [k as f64, axis.plot_y(e)]),
        )
        .collect();
    Plot::new("schedule-plot")
        .height(170.0)
        .allow_scroll(false)
        .legend(Legend::default())
        .x_axis_label("k")
        .x_grid_spacer(one_two_five_x_spacer(1.0))
        .y_axis_label(axis.name())
        .y_axis_formatter(move |m, _| {
            if walks_s {
                format!("{:.2}", m.value)
            } else {
                // Three significant digits, as typed: 1e-4 (not "0.000"), 0.05, 0.1.
                let v = 10f64.powf(m.value);
                super::widgets::number(format!("{v:.2e}").parse().unwrap_or(v))
            }
        })
        .show(ui, |p| {
            p.line(
                Line::new("planned", PlotPoints::from(planned.clone())).color(egui::Color32::GRAY),
            );
            p.points(Points::new("finished", PlotPoints::from(done.clone())).radius(2.5));
            if let Some(here) = here {
                p.points(
                    Points::new("current", PlotPoints::from(vec![here]))
                        .radius(5.0)
                        .color(egui::Color32::from_rgb(214, 39, 40)),
                );
            }
        });
}

fn editor_ui(app: &mut ExplorerApp, eps_list: &mut ListText, ui: &mut egui::Ui) {
    let target = app.draft.problem.eps;
    let eps_start = app.draft.strategy.eps_start;
    let mut kind = app.draft.strategy.schedule.name();
    ui.horizontal_wrapped(|ui| {
        ui.label("kind");
        for k in ["list", "linear", "geometric", "adaptive"] {
            ui.selectable_value(&mut kind, k, k);
        }
    });
    if kind != app.draft.strategy.schedule.name() {
        app.draft.strategy.schedule = match kind {
            "linear" => ScheduleConfig::Linear {
                delta: (eps_start - target) / 90.0,
            },
            "geometric" => ScheduleConfig::Geometric { steps: 230 },
            "adaptive" => ScheduleConfig::Adaptive {
                initial_delta: (eps_start - target) / 100.0,
                min_delta: (eps_start - target) / 10_000.0,
                max_delta: (eps_start - target) / 20.0,
                shrink: 0.5,
                grow: 1.5,
                tolerance: 1e-8,
                easy_fraction: 0.1,
            },
            _ => ScheduleConfig::List {
                values: planned_values(&app.draft.strategy.schedule, eps_start, target),
            },
        };
        eps_list.set(&schedule_points(&app.draft));
    }
    match &mut app.draft.strategy.schedule {
        ScheduleConfig::List { values } => {
            let label = ui.label(if app.draft.problem.walks_s() {
                "path points p = s + ε* after p₀ (comma-separated, decreasing):"
            } else {
                "ε values after ε₀ (comma-separated, decreasing):"
            });
            let r = ui
                .add(
                    egui::TextEdit::multiline(&mut eps_list.text)
                        .desired_rows(3)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if r.changed()
                && let Some(v) = eps_list.parse::<f64>()
            {
                *values = v;
            }
            eps_list.error_ui(ui);
        }
        ScheduleConfig::Linear { delta } => {
            ui.horizontal(|ui| {
                let label = ui.label("Δε");
                bounded(ui, "Δε", delta, 1e-7..=1.0, |d| d.speed(1e-5)).labelled_by(label.id);
            });
        }
        ScheduleConfig::Geometric { steps } => {
            ui.horizontal(|ui| {
                let label = ui.label("steps from ε₀ to ε*");
                bounded(ui, "steps from ε₀ to ε*", steps, 1..=100_000, |d| d).labelled_by(label.id);
            });
        }
        ScheduleConfig::Adaptive {
            initial_delta,
            min_delta,
            max_delta,
            tolerance,
            ..
        } => {
            egui::Grid::new("adaptive").num_columns(2).show(ui, |ui| {
                for (label, v) in [
                    ("initial Δε", initial_delta),
                    ("min Δε", min_delta),
                    ("max Δε", max_delta),
                    ("reject above loss", tolerance),
                ] {
                    // Scientific notation: a tolerance of 1e-8 read "0.000000" as a plain
                    // drag value.
                    let l = ui.label(label);
                    log_drag(ui, label, v, 1e-14, 1.0).labelled_by(l.id);
                    ui.end_row();
                }
            });
        }
    }
    let (plan, over) = plan_preview(&app.draft);
    // Said where what the plan is made of (the schedule, ε₀, the target, the strategy) is
    // edited and not applied; an edit elsewhere (Phase I's steps) says nothing here.
    let (draft, run) = (&app.draft, app.config());
    let unapplied = draft.strategy.schedule != run.strategy.schedule
        || draft.strategy.eps_start != run.strategy.eps_start
        || draft.strategy.kind != run.strategy.kind
        || draft.problem.eps != run.problem.eps;
    let plan = if unapplied {
        format!("{plan} · not applied yet")
    } else {
        plan
    };
    let plan = egui::RichText::new(plan).small();
    ui.label(if over {
        plan.color(ui.visuals().error_fg_color)
    } else {
        plan
    })
    .on_hover_text("What Apply schedule would run from ε₀; raise the step cap (Optimizer → step cap) where it may cut the plan short");
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Regenerate as list")
            .on_hover_text("Expand the current kind into explicit points you can edit")
            .clicked()
        {
            // Ten significant digits: a linear plan's 0.09910000000000001 reads 0.0991. The
            // last value is the target itself, kept exact.
            let mut values = planned_values(&app.draft.strategy.schedule, eps_start, target);
            let last = values.len().saturating_sub(1);
            for v in &mut values[..last] {
                *v = crate::config::round_significant(*v, 10);
            }
            eps_list.set(&values);
            app.draft.strategy.schedule = ScheduleConfig::List { values };
        }
        if ui.button("Apply schedule").clicked() {
            app.apply_schedule();
        }
    });
}

/// The stage table; returns the finished stage whose row was clicked.
fn stages_table_ui(app: &ExplorerApp, ui: &mut egui::Ui, numbered: &Numbered) -> Option<usize> {
    let axis = PathAxis::of(app.config());
    // Numbered as the plot and the timeline number them: stage 0 is Phase I at ε₀.
    let finished = match (app.view.stages.first(), app.view.stages.last()) {
        (Some(a), Some(b)) if a.stage != b.stage => format!("stages {}–{}", a.stage, b.stage),
        (Some(a), _) => format!("stage {}", a.stage),
        _ => "none".to_string(),
    };
    // An adaptive Δε is chosen as the path goes: its rows ahead are the current Δε carried on,
    // an estimate, and said to be one.
    let adaptive = matches!(
        app.config().strategy.schedule,
        crate::config::ScheduleConfig::Adaptive { .. }
    );
    let label = if adaptive && !numbered.planned.is_empty() {
        format!(
            "{finished} finished, about {} planned at the current Δε (adaptive: Δε changes as the path goes)",
            numbered.planned.len()
        )
    } else {
        format!("{finished} finished, {} planned", numbered.planned.len())
    };
    if app.view.stages.is_empty() {
        ui.label(label);
    } else {
        // The red row is the red "current" point of the plot above.
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{label} ·"));
            ui.label(
                egui::RichText::new("red: the last one reached")
                    .color(egui::Color32::from_rgb(214, 39, 40)),
            );
        });
    }
    let fmt = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.2e}"));
    // Follow the newest finished stage (once per new stage, so the user can still scroll).
    let seen_id = ui.make_persistent_id("stages_table_seen");
    let seen: usize = ui.data(|d| d.get_temp(seen_id)).unwrap_or(0);
    let follow = seen != app.view.stages.len();
    ui.data_mut(|d| d.insert_temp(seen_id, app.view.stages.len()));
    // Follow the timeline too: a newly scrubbed stage's row is scrolled into view.
    let scrub_id = ui.make_persistent_id("stages_table_scrub");
    let scrub_seen: Option<usize> = ui.data(|d| d.get_temp(scrub_id)).flatten();
    let scrubbed = (scrub_seen != app.view.scrub)
        .then_some(app.view.scrub)
        .flatten();
    ui.data_mut(|d| d.insert_temp(scrub_id, app.view.scrub));
    // The header stays put above the scrolling rows; equal column widths keep them aligned.
    // The x₀ column only where the problem has a front; a panel too narrow for the columns
    // (1280×720 zoomed for a room) gets them narrower in small text, never clipped.
    const WIDTHS: [f32; 5] = [34.0, 58.0, 62.0, 66.0, 50.0];
    let fronts = app
        .view
        .stages
        .iter()
        .any(|s| s.accuracy.front_x0.is_some())
        || app
            .view
            .latest
            .as_ref()
            .is_some_and(|s| s.accuracy.front_x0.is_some());
    let columns = if fronts { 5 } else { 4 };
    let gap = ui.spacing().item_spacing.x;
    let needed: f32 = WIDTHS[..columns].iter().sum::<f32>() + gap * columns as f32;
    // What is in view (the panel scrolls sideways, so its width may be more), less the
    // panel's scroll bar and the rows' own.
    let visible = ui.clip_rect().right().min(ui.max_rect().right()) - ui.cursor().min.x;
    let room = visible - 2.0 * ui.spacing().scroll.allocated_width() - 3.0 * gap;
    // In twentieths: a width that moves by a scroll bar's coming and going must not re-lay
    // the grid every frame.
    // Not below 0.6: narrower than that the panel scrolls sideways instead.
    let scale = ((room / needed).clamp(0.6, 1.0) * 20.0).floor() / 20.0;
    // The columns have room to spare around their numbers: small text only past a fifth less.
    if scale < 0.8 {
        ui.style_mut().override_text_style = Some(egui::TextStyle::Small);
    }
    let cell = |ui: &mut egui::Ui, i: usize, text: egui::RichText| {
        (i < columns).then(|| {
            ui.add_sized(
                [WIDTHS[i] * scale, 18.0 * scale],
                egui::Label::new(text).sense(egui::Sense::click()),
            )
        })
    };
    let mut clicked = None;
    egui::Grid::new("stages-header")
        .num_columns(columns)
        .show(ui, |ui| {
            for (i, h) in ["k", axis.name(), "loss", "L2RE", "x₀"]
                .into_iter()
                .enumerate()
            {
                cell(ui, i, egui::RichText::new(h).strong());
            }
            ui.end_row();
        });
    let mut rows = egui::ScrollArea::vertical().max_height(320.0);
    if follow && app.view.stages.len() < seen {
        // A fresh run (reset, preset): back to its first rows, not the old run's last ones
        // (kept, the offset of a 230-row table showed a 5-row one as no rows at all).
        rows = rows.vertical_scroll_offset(0.0);
    }
    rows.show(ui, |ui| {
        egui::Grid::new("stages")
            .striped(true)
            .num_columns(columns)
            .show(ui, |ui| {
                for (k, s) in app.view.stages.iter().enumerate() {
                    // The stage reached last is the current one (snapshots may lag the stage events).
                    let is_current = k + 1 == app.view.stages.len();
                    let text = |t: String| {
                        if is_current {
                            egui::RichText::new(t)
                                .strong()
                                .color(egui::Color32::from_rgb(214, 39, 40))
                        } else {
                            egui::RichText::new(t)
                        }
                    };
                    // The stage the timeline shows is marked ▸.
                    let shown = if app.view.scrub == Some(k) {
                        "▸ "
                    } else {
                        ""
                    };
                    let first = cell(ui, 0, text(format!("{shown}{k}")));
                    if let Some(first) = &first
                        && ((follow && k + 1 == app.view.stages.len()) || scrubbed == Some(k))
                    {
                        first.scroll_to_me(Some(egui::Align::Center));
                    }
                    let row = [
                        first,
                        cell(ui, 1, text(axis.text(s.eps))),
                        cell(ui, 2, text(format!("{:.2e}", s.loss))),
                        cell(ui, 3, text(fmt(s.accuracy.l2re()))),
                        cell(
                            ui,
                            4,
                            text(
                                s.accuracy
                                    .front_x0
                                    .map_or("—".into(), |x| format!("{x:.4}")),
                            ),
                        ),
                    ];
                    for r in row.into_iter().flatten() {
                        if r.on_hover_text(
                            "Click: every plot shows this stage (the timeline scrubs to it)",
                        )
                        .clicked()
                        {
                            clicked = Some(k);
                        }
                    }
                    ui.end_row();
                }
                if let Some((k, e)) = numbered.under_way {
                    cell(ui, 0, egui::RichText::new(k.to_string()).italics());
                    cell(ui, 1, egui::RichText::new(axis.text(e)).italics());
                    // Under way only while training runs: before the first step the stage is
                    // next, and a paused run holds it.
                    let state = match &app.view.latest {
                        Some(s) if s.running => "under way",
                        Some(_) if app.view.end.is_some() => "ended in it",
                        Some(s) if s.step > 0 => "paused in it",
                        _ => "next",
                    };
                    cell(ui, 2, egui::RichText::new(state).italics());
                    for c in 3..5 {
                        cell(ui, c, egui::RichText::new(""));
                    }
                    ui.end_row();
                }
                for &(k, e) in numbered.planned.iter().take(200) {
                    cell(ui, 0, egui::RichText::new(k.to_string()).weak());
                    cell(ui, 1, egui::RichText::new(axis.text(e)).weak());
                    for c in 2..5 {
                        cell(ui, c, egui::RichText::new(""));
                    }
                    ui.end_row();
                }
            });
    });
    clicked
}

#[cfg(test)]
mod tests {
    use super::{Numbered, nearest_frame, plan_preview};
    use crate::config::{RunConfig, ScheduleConfig};

    #[test]
    fn a_clicked_row_scrubs_to_its_stage_or_the_nearest_one_with_a_frame() {
        assert_eq!(nearest_frame(&[0, 1, 2, 3], 2), Some(2));
        // Thinned frames: every other stage kept.
        assert_eq!(nearest_frame(&[0, 2, 4, 6], 3), Some(2));
        assert_eq!(nearest_frame(&[0, 2, 4, 6], 5), Some(4));
        assert_eq!(nearest_frame(&[0, 2, 4, 6], 9), Some(6));
        assert_eq!(nearest_frame(&[], 3), None);
    }

    #[test]
    fn the_plan_preview_lists_the_stages_and_flags_a_step_cap_that_cuts_it_short() {
        let mut c = RunConfig::from_toml_str(
            "version = 1\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.01\n[strategy]\nkind = \"strategy2\"\neps_start = 0.1\n[training]\nmax_steps = 40000\n",
        )
        .unwrap();
        c.strategy.schedule = ScheduleConfig::List {
            values: vec![0.05, 0.02],
        };
        let (text, over) = plan_preview(&c);
        assert!(
            text.starts_with("plan: 0.1 → 0.05, 0.02, 0.01 (3 stages; at most "),
            "{text}"
        );
        assert!(!over, "{text}");
        c.strategy.schedule = ScheduleConfig::Linear { delta: 0.01 };
        let (text, over) = plan_preview(&c);
        assert!(
            text.starts_with("plan: 0.1 → 0.09, 0.08, 0.07 … 0.02, 0.01 (9 stages; at most "),
            "{text}"
        );
        let most = c.strategy.most_steps(0.01).unwrap();
        assert!(
            text.ends_with(&format!("{most} steps, step cap 40000)")),
            "{text}"
        );
        // 90 stages of Δε = 0.001 at the default caps cannot fit 40 000 steps.
        c.strategy.schedule = ScheduleConfig::Linear { delta: 0.001 };
        let (text, over_far) = plan_preview(&c);
        assert!(text.contains("(90 stages; at most "), "{text}");
        assert!(over_far && !(over && most <= 40000), "{text}");
        // Four significant digits, not the round-off of the geometric factor.
        c.strategy.schedule = ScheduleConfig::Geometric { steps: 230 };
        let (text, _) = plan_preview(&c);
        assert!(
            text.starts_with("plan: 0.1 → 0.099, 0.09802, 0.09704 … 0.0101, 0.01 (230 stages"),
            "{text}"
        );
    }

    #[test]
    fn planned_points_get_the_k_they_will_finish_with() {
        // Before training: Phase I at ε₀ = 0.1 is stage 0, the list's points are 1 to 3.
        assert_eq!(
            Numbered::of(&[], Some(0.1), &[0.05, 0.02, 0.01]),
            Numbered {
                under_way: Some((0, 0.1)),
                planned: vec![(1, 0.05), (2, 0.02), (3, 0.01)],
            }
        );
        // A Strategy 2 stage under way at 0.05 after ε₀ finished.
        assert_eq!(
            Numbered::of(&[0.1], Some(0.05), &[0.02, 0.01]),
            Numbered {
                under_way: Some((1, 0.05)),
                planned: vec![(2, 0.02), (3, 0.01)],
            }
        );
        // A finished path re-targeted from its end: nothing under way, the new point is next.
        assert_eq!(
            Numbered::of(&[0.1, 0.05, 0.01], Some(0.01), &[0.005]),
            Numbered {
                under_way: None,
                planned: vec![(3, 0.005)],
            }
        );
        // At the end: nothing under way, nothing planned.
        assert_eq!(
            Numbered::of(&[0.1, 0.01], Some(0.01), &[]),
            Numbered {
                under_way: None,
                planned: vec![],
            }
        );
    }
}
