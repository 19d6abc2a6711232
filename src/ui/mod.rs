//! The explorer's window state and panels, one file each: menu bar, controls, Δε schedule
//! editor, plot grid, timeline, status line, small windows and the NTK lab. [`Explorer`] is the window:
//! the app state ([`ExplorerApp`], changed through its intents) and the [`Panels`] drawing it,
//! each panel a struct owning its widgets' own state (text being typed, open windows).

pub mod controls;
pub mod figure_style;
pub mod menu;
pub mod ntk_lab;
pub mod plot_view;
pub mod plots;
pub mod questions;
pub mod schedule;
mod stage_table;
pub mod status;
mod stiff_lab;
pub mod strategy;
pub mod sweep_window;
pub mod timeline;
pub mod widgets;
pub mod window;

pub use window::run_gui;

use crate::app::ExplorerApp;

/// The panels of the window and their widgets' state.
#[derive(Debug, Default)]
pub struct Panels {
    menu: menu::MenuBar,
    controls: controls::ControlsPanel,
    schedule: schedule::SchedulePanel,
    plots: plots::PlotsPanel,
    timeline: timeline::TimelinePanel,
}

impl Panels {
    /// Lay out the whole window.
    pub fn ui(&mut self, app: &mut ExplorerApp, ui: &mut egui::Ui) {
        self.timeline.advance(app, ui.ctx());
        egui::Panel::top("menu").show(ui, |ui| self.menu.ui(app, ui));
        egui::Panel::bottom("status").show(ui, |ui| status::status_ui(app, ui));
        // The side panels never take more than 30 % and 27 % of the window, so the plots keep
        // at least the middle 43 % at any zoom; a wider row scrolls sideways in its panel.
        let width = ui.available_width();
        if app.remembered.show_controls {
            egui::Panel::left("controls")
                .resizable(true)
                .default_size(330.0_f32.min(0.3 * width))
                .max_size(0.3 * width)
                .show(ui, |ui| {
                    // Solid bars take their own room: a floating one would lie over the last
                    // row (the Apply button) whenever the pointer comes near it.
                    ui.style_mut().spacing.scroll = egui::style::ScrollStyle::solid();
                    self.controls.ui(app, ui);
                });
        }
        if app.remembered.show_schedule {
            egui::Panel::right("schedule")
                .resizable(true)
                .default_size(340.0_f32.min(0.27 * width))
                .max_size(0.27 * width)
                .show(ui, |ui| {
                    // Solid bars take their own room: a floating one would lie over the last
                    // row (the Apply button) whenever the pointer comes near it.
                    ui.style_mut().spacing.scroll = egui::style::ScrollStyle::solid();
                    egui::ScrollArea::both()
                        .id_salt("schedule-scroll")
                        .show(ui, |ui| self.schedule.ui(app, ui));
                });
        }
        if timeline::has_path(app) {
            egui::Panel::bottom("timeline").show(ui, |ui| self.timeline.ui(app, ui));
        }
        egui::CentralPanel::default().show(ui, |ui| self.plots.ui(app, ui));
        self.menu.windows_ui(app, ui.ctx());
        questions::apply_prompt_ui(app, ui.ctx());
        questions::discard_prompt_ui(app, ui.ctx());
        ntk_lab::ntk_lab_ui(app, ui.ctx());
        sweep_window::sweep_window_ui(app, ui.ctx());
    }
}

/// The explorer window: the app state and the panels that draw it. It derefs to the app, so
/// code that drives the window (tests, `run_gui`) reaches the intents directly.
pub struct Explorer {
    pub app: ExplorerApp,
    panels: Panels,
}

impl Explorer {
    pub fn new(app: ExplorerApp) -> Self {
        Self {
            app,
            panels: Panels::default(),
        }
    }
}

impl std::ops::Deref for Explorer {
    type Target = ExplorerApp;
    fn deref(&self) -> &ExplorerApp {
        &self.app
    }
}

impl std::ops::DerefMut for Explorer {
    fn deref_mut(&mut self) -> &mut ExplorerApp {
        &mut self.app
    }
}
