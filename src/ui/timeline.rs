//! The timeline under the plots: a homotopy's finished stages as frames to scrub. Every plot
//! shows the scrubbed stage: the solution, its error (against the reference at the stage's ε)
//! and the residual as the stage ended; the loss and λ(K_ε) plots mark where it ended and
//! λ_max(D_ε) its ε; the spectrum and soft mode are the last spectral snapshot taken before it
//! ended (their titles say which) until *Compute at this stage* (in their headers) computes
//! them from the θ the stage kept. *Play* animates the path, *Live* returns to the running
//! state, and the path's exports (an animated GIF, the evolution figure) are here.

use crate::app::ExplorerApp;
use crate::app::export::{self, Format};
use crate::export::figure::animation::FPS;

/// Seconds a whole path takes to play (longer paths skip frames to keep it).
const PLAY_SECONDS: f64 = 8.0;

/// The timeline's own state: whether it plays, and when it moves next.
#[derive(Debug, Default)]
pub struct TimelinePanel {
    playing: bool,
    next_tick: f64,
}

/// Whether the view has a path to scrub (two finished stages with frames).
pub fn has_path(app: &ExplorerApp) -> bool {
    app.view
        .stages
        .iter()
        .filter(|s| !s.u.is_empty())
        .nth(1)
        .is_some()
}

impl TimelinePanel {
    /// While playing, move to the next frame when its time has come. The window calls this
    /// before it draws any panel, so the stage table, the timeline's label and every plot show
    /// the same frame.
    pub fn advance(&mut self, app: &mut ExplorerApp, ctx: &egui::Context) {
        if !self.playing {
            return;
        }
        let Some((frames, pos)) = self.frames(app) else {
            return;
        };
        let n = frames.len();
        let now = ctx.input(|i| i.time);
        if now >= self.next_tick {
            let step = ((n as f64) / (PLAY_SECONDS * f64::from(FPS)))
                .ceil()
                .max(1.0) as usize;
            let next = pos.map_or(0, |p| (p + step).min(n - 1));
            app.view.scrub = Some(frames[next]);
            if next + 1 == n {
                self.playing = false;
            }
            self.next_tick = now + 1.0 / f64::from(FPS);
        }
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(1.0 / f64::from(FPS)));
    }

    /// The frames to scrub and the shown one's place among them; none (and not playing) when
    /// there are fewer than two.
    fn frames(&mut self, app: &ExplorerApp) -> Option<(Vec<usize>, Option<usize>)> {
        let frames = app.view.frames();
        if frames.len() < 2 {
            self.playing = false;
            return None;
        }
        let pos = app
            .view
            .scrub
            .and_then(|k| frames.iter().position(|&f| f == k));
        Some((frames, pos))
    }

    pub fn ui(&mut self, app: &mut ExplorerApp, ui: &mut egui::Ui) {
        let Some((frames, pos)) = self.frames(app) else {
            return;
        };
        let n = frames.len();
        let now = ui.input(|i| i.time);
        // Buttons and the stage on one line, the slider across the whole width under them (the
        // central column can be narrow on a projector).
        ui.horizontal_wrapped(|ui| {
            let play = if self.playing {
                "■ Pause"
            } else {
                "▶ Play"
            };
            if ui
                .button(play)
                .on_hover_text("Animate the path stage by stage (about 8 s)")
                .clicked()
            {
                self.playing = !self.playing;
                if self.playing && pos.is_none_or(|p| p + 1 == n) {
                    app.view.scrub = Some(frames[0]);
                }
                self.next_tick = now + 1.0 / f64::from(FPS);
                ui.ctx().request_repaint();
            }
            if ui
                .add_enabled(app.view.scrub.is_some(), egui::Button::new("● Live"))
                .on_hover_text("Back to the running state")
                .clicked()
            {
                app.view.scrub = None;
                self.playing = false;
            }
            ui.menu_button("Export path", |ui| {
                if ui
                    .button("Animated GIF…")
                    .on_hover_text("u_θ stage by stage, 10 frames a second")
                    .clicked()
                {
                    export::start_export_path_gif(app, false);
                    ui.close();
                }
                if ui
                    .button("MP4 video…")
                    .on_hover_text("The same as a video (needs ffmpeg on the PATH)")
                    .clicked()
                {
                    export::start_export_path_gif(app, true);
                    ui.close();
                }
                for (label, format) in [
                    ("Evolution figure (SVG)…", Format::Svg),
                    ("Evolution figure (PNG)…", Format::Png),
                    ("Evolution figure (PDF)…", Format::Pdf),
                ] {
                    if ui
                        .button(label)
                        .on_hover_text(
                            "u_θ at six ε along the path overlaid (the papers' Figs. 3 and 5)",
                        )
                        .clicked()
                    {
                        export::start_export_evolution(app, format);
                        ui.close();
                    }
                }
            });
            let first = app.view.stages.first().map_or(0, |s| s.stage);
            let last = app.view.stages.last().map_or(0, |s| s.stage);
            let text = match app.view.scrub.and_then(|k| app.view.stages.get(k)) {
                Some(s) => format!(
                    "stage {} of {first}–{last} · {} · step {}",
                    s.stage,
                    app.config().problem.path_point(s.eps),
                    s.step
                ),
                None => format!("live · stages {first}–{last} finished"),
            };
            ui.label(text);
            if app.view.frame_stride > 1 {
                ui.label(
                    egui::RichText::new(format!(
                        "(every {}th stage kept: {} MB cap)",
                        app.view.frame_stride,
                        crate::app::state::FRAME_BUDGET_BYTES >> 20
                    ))
                    .weak(),
                );
            }
        });
        let mut p = pos.unwrap_or(n - 1);
        ui.spacing_mut().slider_width = ui.available_width().max(60.0);
        let slider = ui
            .add(egui::Slider::new(&mut p, 0..=n - 1).show_value(false))
            .on_hover_text("Scrub the finished stages");
        if slider.changed() {
            app.view.scrub = Some(frames[p]);
            self.playing = false;
        }
    }
}
