//! The status line: step, ε, s, loss, L2RE, x₀, speed, what the trainer is doing, the time
//! left to the end of a homotopy's schedule, the latest message, and a restart button when the
//! worker is gone.

use crate::app::ExplorerApp;
use crate::app::state::Reveal;

pub fn status_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        if let Some(s) = &app.view.latest {
            let fmt = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.3e}"));
            // On an s-homotopy the engine walks p = s + ε*: say s, and ε(s) = max(s, ε*).
            let s_path = app.config().problem.walks_s();
            let where_ = if s_path {
                let homotopy_s = (s.eps - s.eps_target).max(0.0);
                format!(
                    "homotopy s = {:.4} → 0 (ε = {:.4}, ε* = {:.4})",
                    homotopy_s,
                    homotopy_s.max(s.eps_target),
                    s.eps_target
                )
            } else {
                format!("ε = {:.4} (target {:.4})", s.eps, s.eps_target)
            };
            // The relaxation exponent only where HRTA (or a preset's fixed s) uses it.
            let hrta = if app.config().hrta.enabled || s.s != 1.0 {
                format!("HRTA s = {}  ·  ", s.s)
            } else {
                String::new()
            };
            ui.label(format!(
                "step {}  ·  {where_}  ·  {hrta}loss {:.3e}  ·  L2RE {}  ·  x₀ {}  ·  {} steps/s",
                s.step,
                s.loss.total,
                l2re_text(fmt(s.accuracy.l2re_exact), fmt(s.accuracy.l2re_reference)),
                s.accuracy
                    .front_x0
                    .map_or("—".into(), |x| format!("{x:.4}")),
                // Paused or ended: the speed of the last steps would read as a live figure.
                if !s.running {
                    "—".to_string()
                } else if s.steps_per_s < 10.0 {
                    // LM iterations on 2D problems run below one per second.
                    format!("{:.2}", s.steps_per_s)
                } else {
                    format!("{:.0}", s.steps_per_s)
                }
            ));
            ui.separator();
            ui.label(egui::RichText::new(&s.phase).italics());
            let ahead = s.schedule_ahead.len();
            if s.running
                && ahead > 0
                && let Some(secs) =
                    crate::app::state::stages_eta(&app.view.stages, ahead, s.steps_per_s)
            {
                ui.separator();
                let stages = if ahead == 1 { "stage" } else { "stages" };
                ui.label(format!("{ahead} {stages} left, ≈ {}", duration(secs)))
                    .on_hover_text("At the current speed and the steps the last ten stages took");
            }
        } else {
            ui.label("starting…");
        }
        // The frame time is for whoever tunes the app: shown where the line has room for it,
        // never pushing the status onto a second row (a zoomed lecture screen).
        if !app.frame_times.is_empty() {
            let worst = app.frame_times.iter().fold(0.0f64, |m, t| m.max(*t));
            let text = format!("frame ≤ {:.1} ms", worst * 1e3);
            let width = super::widgets::text_width(ui, &text, egui::TextStyle::Body);
            // The separator: its 6 points and the gap after it (the one before it is behind
            // the cursor already), with a little slack for a number that grows.
            let separator = ui.spacing().item_spacing.x + 6.0 + 8.0;
            if ui.available_width() > width + separator {
                ui.separator();
                ui.add(egui::Label::new(text).extend());
            }
        }
    });
    // Wrapped: a long message (a memory plan's sizes and advice) is read whole on a narrow
    // window, and its dismiss button, placed first, is never pushed off the edge.
    ui.horizontal_wrapped(|ui| {
        if !app.worker_alive() && ui.button("Restart worker").clicked() {
            app.start_worker();
        }
        if let Some((error, text)) = app.view.messages.back() {
            let color = if *error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().weak_text_color()
            };
            let text = egui::RichText::new(text.clone()).color(color);
            // Dismissing clears every message: an older one never comes back in its place.
            let more = app.view.messages.len() - 1;
            let label = if more == 0 { "dismiss" } else { "dismiss all" };
            if ui.small_button(label).clicked() {
                app.view.messages.clear();
                app.view.points_to = None;
            }
            // The older messages stay readable, newest first, until dismissed.
            if more > 0 {
                ui.menu_button(format!("{more} earlier"), |ui| {
                    // Wide enough that a long message (a written file's path) wraps at its
                    // words, not letter by letter; scrolled when there are many.
                    let screen = ui.ctx().content_rect();
                    ui.set_min_width((0.6 * screen.width()).min(720.0));
                    ui.set_max_width((0.9 * screen.width()).min(900.0));
                    let n = app.view.messages.len();
                    egui::ScrollArea::vertical()
                        .max_height(0.6 * screen.height())
                        .show(ui, |ui| {
                            for (error, text) in app.view.messages.iter().take(n - 1).rev() {
                                let color = if *error {
                                    ui.visuals().error_fg_color
                                } else {
                                    ui.visuals().text_color()
                                };
                                ui.add(
                                    egui::Label::new(egui::RichText::new(text).color(color)).wrap(),
                                );
                            }
                        });
                })
                .response
                .on_hover_text("The messages before this one, newest first");
            }
            // The control the message names, opened and scrolled into view (at 1280×720 the
            // step cap is below the controls panel's fold); before the text, like dismiss.
            if let Some(to) = app.view.points_to
                && ui.small_button(to.button()).clicked()
            {
                match to {
                    Reveal::ResetWithHrta => app.reset_with_hrta(),
                    _ => {
                        app.remembered.show_controls = true;
                        app.view.reveal = Some(to);
                    }
                }
            }
            ui.label(text);
        }
        if let Some(path) = &app.view.last_written {
            // Said on the button, not as a message: the message it belongs to stays.
            let copied = app.view.copied.as_ref() == Some(path);
            if ui
                .small_button(if copied { "copied ✓" } else { "copy path" })
                .on_hover_text(format!("Copy {} to the clipboard", path.display()))
                .clicked()
            {
                ui.ctx().copy_text(path.display().to_string());
                app.view.copied = Some(path.clone());
            }
        }
    });
}

/// "45 s", "3 min", "1.2 h".
fn duration(secs: f64) -> String {
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else if secs < 5400.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

/// The status line's L2RE: against the exact solution and the reference, once where the two
/// read the same ("3.494e-3", not "3.494e-3 / ref 3.494e-3"), "(ref)" where only the reference
/// is known.
fn l2re_text(exact: String, reference: String) -> String {
    match (exact.as_str(), reference.as_str()) {
        (_, "—") => exact,
        ("—", _) => format!("{reference} (ref)"),
        (e, r) if e == r => exact,
        _ => format!("{exact} / ref {reference}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_l2re_is_said_once_when_exact_and_reference_agree() {
        let t = |e: &str, r: &str| super::l2re_text(e.into(), r.into());
        assert_eq!(t("3.494e-3", "3.494e-3"), "3.494e-3");
        assert_eq!(t("3.494e-3", "3.502e-3"), "3.494e-3 / ref 3.502e-3");
        assert_eq!(t("—", "1.092e-1"), "1.092e-1 (ref)");
        assert_eq!(t("2.0e-3", "—"), "2.0e-3");
        assert_eq!(t("—", "—"), "—");
    }
}
