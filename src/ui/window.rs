//! The window: the `eframe::App` of [`Explorer`] (drain events, draw the panels, record the
//! frame time, persist, stop the worker on close) and `run_gui`, which opens it.

use super::Explorer;
use crate::app::ExplorerApp;
use crate::config::RunConfig;
use crate::worker::Command;

impl eframe::App for Explorer {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.app.begin_frame(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.panels.ui(&mut self.app, ui);
        for refused in super::widgets::take_refusals(ui.ctx()) {
            // A typed value is parsed on Enter and again as the field loses focus: one refusal
            // on the status line, not two.
            let newest = self.app.view.messages.back();
            if newest.is_none_or(|(error, text)| !*error || *text != refused) {
                self.app.view.message(true, refused);
            }
        }
        self.app.end_frame();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.save_to(storage);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.app.shutdown_worker();
    }
}

/// Open the explorer window, with `preset` (read from its file) instead of the remembered
/// configuration when given, training from the start when `start`. Errors (no display, no
/// OpenGL) are returned as text.
pub fn run_gui(
    preset: Option<(RunConfig, std::path::PathBuf)>,
    start: bool,
    open: Option<std::path::PathBuf>,
) -> Result<(), String> {
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("Homotopy Explorer")
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([900.0, 600.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Homotopy Explorer",
        options,
        Box::new(move |cc| {
            let mut app = ExplorerApp::new(cc);
            if let Some((config, path)) = preset {
                app.load_config(config, Some(path));
            }
            if start {
                app.send(Command::Play);
            }
            if let Some(dir) = &open {
                app.open_folder(dir);
            }
            Ok(Box::new(Explorer::new(app)))
        }),
    )
    .map_err(|e| e.to_string())
}
