//! The Δε schedule panel: the schedule as a plot of ε_k vs k (log axis; on an s-homotopy
//! s_k = p_k − ε* on a linear axis, as the paper counts it) and an editor (edit the points,
//! regenerate them, linear or geometric, or switch to the adaptive schedule), above the stage
//! table of [`super::stage_table`] (finished stages with their final loss, L2RE and x₀, the
//! current one highlighted).

use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use super::plot_view::one_two_five_x_spacer;
use super::stage_table::{Numbered, PathAxis, nearest_frame, stages_table_ui};
use super::widgets::{ListText, bounded, log_drag};
use crate::app::ExplorerApp;
use crate::config::{Control, RunConfig, ScheduleConfig, StrategyKind};
use crate::train::schedule::planned_values;

/// The schedule panel, with the text it keeps for the list of ε values.
#[derive(Debug, Default)]
pub struct SchedulePanel {
    eps_list: ListText,
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
                crate::config::four_digits(initial_delta)
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
                super::widgets::number(crate::config::round_significant(v, 3))
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

#[cfg(test)]
mod tests {
    use super::plan_preview;
    use crate::config::{RunConfig, ScheduleConfig};

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
}
