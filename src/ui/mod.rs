//! The explorer's panels, one file each (`*_ui` functions drawing into an `egui::Ui`): menu bar,
//! controls, Δε schedule editor, plot grid, status line, small windows and the NTK lab.

pub mod controls;
pub mod menu;
pub mod ntk_lab;
pub mod plot_view;
pub mod plots;
pub mod schedule;
pub mod status;
pub mod strategy;
pub mod widgets;
pub mod window;

pub use window::run_gui;

use crate::app::ExplorerApp;

/// Lay out the whole window.
pub fn main_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    egui::Panel::top("menu").show(ui, |ui| menu::menu_bar_ui(app, ui));
    egui::Panel::bottom("status").show(ui, |ui| status::status_ui(app, ui));
    if app.remembered.show_controls {
        egui::Panel::left("controls")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| controls::controls_ui(app, ui));
            });
    }
    if app.remembered.show_schedule {
        egui::Panel::right("schedule")
            .resizable(true)
            .default_size(340.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| schedule::schedule_ui(app, ui));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| plots::plots_ui(app, ui));
    menu::windows_ui(app, ui.ctx());
    ntk_lab::ntk_lab_ui(app, ui.ctx());
}
