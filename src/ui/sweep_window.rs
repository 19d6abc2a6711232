//! The sweep window: a collected sweep's table (median [min, max] over seeds per preset and
//! combination of axis values) and its figures, one at a time, drawn from their sources.

use crate::app::ExplorerApp;
use crate::ui::plot_view::figure_ui;

pub fn sweep_window_ui(app: &mut ExplorerApp, ctx: &egui::Context) {
    let Some(view) = app.sweep_view.as_mut() else {
        return;
    };
    let mut open = view.open;
    let title = format!("Sweep: {}", view.dir.display());
    egui::Window::new(title)
        .id(egui::Id::unique("sweep_window"))
        .open(&mut open)
        .default_width(900.0)
        .default_height(700.0)
        .vscroll(true)
        .show(ctx, |ui| {
            ui.label(format!(
                "{} groups; every task's numbers are in sweep.csv, its files in tasks/ (open one as a pin with File → Open run or sweep folder…).",
                view.rows.len()
            ));
            egui::ScrollArea::horizontal().show(ui, |ui| {
                egui::Grid::new("sweep_table")
                    .striped(true)
                    .num_columns(view.header.len())
                    .show(ui, |ui| {
                        for h in &view.header {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for row in &view.rows {
                            for c in row {
                                ui.label(c);
                            }
                            ui.end_row();
                        }
                    });
            });
            ui.separator();
            if view.figures.is_empty() {
                ui.label("No figures: a sweep with one value on every axis has none.");
                return;
            }
            view.selected = view.selected.min(view.figures.len() - 1);
            egui::ComboBox::from_label("Figure")
                .selected_text(view.figures[view.selected].0.clone())
                .show_ui(ui, |ui| {
                    for (k, (name, _)) in view.figures.iter().enumerate() {
                        ui.selectable_value(&mut view.selected, k, name);
                    }
                });
            let (name, fig) = &view.figures[view.selected];
            figure_ui(ui, &format!("sweep_{name}"), fig, 360.0, Some(egui_plot::Corner::RightTop), None);
        });
    if let Some(view) = app.sweep_view.as_mut() {
        view.open = open;
    }
}
