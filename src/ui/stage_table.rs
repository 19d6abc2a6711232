//! The Δε schedule panel's stage table and what it shares with the panel's plot: how a path
//! point reads (ε, or s on an s-homotopy: [`PathAxis`]), the number each stage has or will have
//! ([`Numbered`]), and the table itself: finished stages with their loss, L2RE and x₀, the one
//! under way, those planned; a clicked finished row scrubs the timeline to it
//! ([`nearest_frame`]), and a scrub scrolls the table to its row.

use crate::app::ExplorerApp;
use crate::config::RunConfig;

/// How the schedule's points read: ε itself, or s = p − ε* on an s-homotopy (the engine walks
/// p = s + ε*; below ε* p is ε again), by the problem's own map.
#[derive(Clone, Copy)]
pub(super) struct PathAxis<'a> {
    problem: &'a crate::config::ProblemConfig,
    pub(super) walks_s: bool,
}

impl<'a> PathAxis<'a> {
    pub(super) fn of(c: &'a RunConfig) -> Self {
        Self {
            problem: &c.problem,
            walks_s: c.problem.walks_s(),
        }
    }

    pub(super) fn name(self) -> &'static str {
        if self.walks_s { "s_k" } else { "ε_k" }
    }

    /// The plotted value: s (linear axis; 0 past the end), else log₁₀ ε.
    pub(super) fn plot_y(self, p: f64) -> f64 {
        match self.problem.s_and_eps(p) {
            Some((s, _)) => s,
            None if self.walks_s => 0.0,
            None => p.log10(),
        }
    }

    /// A point as the plan's preview writes it: s to four places, ε to four significant
    /// digits (0.09, not 0.09000000000000001; 0.09802, not 0.09801766396).
    pub(super) fn short(self, p: f64) -> String {
        if self.walks_s {
            return self.text(p);
        }
        crate::config::four_digits(p)
    }

    /// The table's text for a point.
    pub(super) fn text(self, p: f64) -> String {
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
pub(super) struct Numbered {
    pub(super) under_way: Option<(usize, f64)>,
    pub(super) planned: Vec<(usize, f64)>,
}

impl Numbered {
    /// `finished`: the finished stages' ε in order (stage k is `finished[k]`; Phase I's ε₀ is
    /// k = 0); `current`: the run's ε now; `ahead`: the points the schedule still plans.
    /// A run sitting on its last finished point (the path's end, or re-targeted from it) has
    /// no stage under way, and its next stage is k = finished; otherwise the stage at the
    /// current ε is k = finished (Phase I at ε₀ before anything finished) and the next one
    /// is k + 1.
    pub(super) fn of(finished: &[f64], current: Option<f64>, ahead: &[f64]) -> Self {
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

/// The stage with a frame nearest to stage row `k` (frames thin out on long paths), the
/// earlier one on a tie; None when no stage has a frame.
pub(super) fn nearest_frame(frames: &[usize], k: usize) -> Option<usize> {
    frames.iter().copied().min_by_key(|&f| (f.abs_diff(k), f))
}

/// The stage table; returns the finished stage whose row was clicked.
pub(super) fn stages_table_ui(
    app: &ExplorerApp,
    ui: &mut egui::Ui,
    numbered: &Numbered,
) -> Option<usize> {
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
    use super::{Numbered, nearest_frame};

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
