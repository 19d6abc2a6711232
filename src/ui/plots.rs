//! The plot grid: solution, its error against the reference, residual, loss and L2RE, λ(K_ε) over training, λ_max(D_ε) vs ε,
//! the K_ε spectrum and its soft mode — each with SVG/PNG/CSV export and, where it applies,
//! pin/compare and recompute buttons.

use crate::app::export::{Format, start_export_plot};
use crate::app::{ExplorerApp, PlotKind};
use crate::worker::Command;

use super::plot_view::figure_ui;

pub fn plots_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    let visible: Vec<PlotKind> = PlotKind::ALL
        .iter()
        .copied()
        .filter(|k| !app.remembered.hidden_plots.contains(k))
        .collect();
    if visible.is_empty() {
        ui.label("All plots are hidden (View menu).");
        return;
    }
    let columns = if ui.available_width() > 900.0 { 2 } else { 1 };
    let rows = visible.len().div_ceil(columns);
    let plot_height = ((ui.available_height() / rows as f32) - 48.0).clamp(170.0, 420.0);
    // Fixed, equal column widths (not an egui Grid, whose remembered column widths would let
    // one wide cell squeeze the others for good).
    let spacing = 12.0;
    egui::ScrollArea::vertical().show(ui, |ui| {
        let width = ui.available_width();
        let cell = ((width - spacing * (columns - 1) as f32) / columns as f32).max(300.0);
        for row in visible.chunks(columns) {
            ui.horizontal_top(|ui| {
                ui.spacing_mut().item_spacing.x = spacing;
                for kind in row {
                    ui.allocate_ui_with_layout(
                        egui::vec2(cell, plot_height + 60.0),
                        egui::Layout::top_down(egui::Align::LEFT),
                        |ui| {
                            ui.set_width(cell);
                            plot_cell_ui(app, ui, *kind, plot_height);
                        },
                    );
                }
            });
            ui.add_space(10.0);
        }
    });
}

fn plot_cell_ui(app: &mut ExplorerApp, ui: &mut egui::Ui, kind: PlotKind, height: f32) {
    let fig = kind.figure(&app.view, app.remembered.log_steps);
    ui.horizontal(|ui| {
        ui.strong(&fig.title);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            for format in [Format::Csv, Format::Png, Format::Svg] {
                let label = format.extension().to_uppercase();
                if ui
                    .small_button(&label)
                    .on_hover_text(format!("Export this plot as {label}"))
                    .clicked()
                {
                    start_export_plot(app, kind, format);
                }
            }
            match kind {
                PlotKind::Solution => {
                    if !app.view.pinned.is_empty() && ui.small_button("Clear pins").clicked() {
                        app.view.pinned.clear();
                    }
                    if ui
                        .small_button("Pin run")
                        .on_hover_text("Keep this run's curves to compare with the next one")
                        .clicked()
                    {
                        let name = format!(
                            "{} #{}",
                            app.config().strategy.kind.name(),
                            app.view.pinned.len() + 1
                        );
                        if !app.view.pin_current(name) {
                            app.view.message(true, "nothing to pin yet");
                        }
                    }
                }
                PlotKind::Loss => {
                    ui.checkbox(&mut app.remembered.log_steps, "log steps");
                }
                PlotKind::Operator => {
                    if ui.small_button("Recompute").clicked() {
                        app.send(Command::RequestSweep);
                    }
                }
                PlotKind::Spectrum | PlotKind::SoftMode | PlotKind::Kernel => {
                    if ui.small_button("Compute now").clicked() {
                        app.send(Command::RequestDiagnostics);
                    }
                }
                PlotKind::Residual | PlotKind::Error => {}
            }
        });
    });
    figure_ui(ui, kind.title(), &fig, height);
    if kind == PlotKind::Kernel && app.view.diagnostics.is_none() {
        ui.label(
            egui::RichText::new("No spectrum yet: set Diagnostics → spectrum every N steps, or press “Compute now”.")
                .small()
                .weak(),
        );
    }
    if kind == PlotKind::Kernel
        && let Some(band) = app
            .view
            .diagnostics
            .as_ref()
            .and_then(|d| d.report.band.as_ref())
        && band.degenerate()
    {
        ui.label(
            egui::RichText::new(format!(
                "Theorem 4.1 band not drawn: SSᵀ is singular to round-off (λ_min ≤ {:.1e})",
                band.n as f64 * f64::EPSILON * band.lambda_max_sst
            ))
            .small()
            .weak(),
        );
    }
}
