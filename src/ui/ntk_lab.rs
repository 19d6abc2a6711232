//! The NTK lab window: widths, exponents a, seeds, steps and rate; run or stop the sweep for
//! the current problem; progress; the table of (a, N) cells; spread and drift against N.

use crate::app::{ExplorerApp, Pending};
use crate::lab::ntk;
use crate::ui::plot_view::figure_ui;
use crate::ui::widgets::bounded_row;

pub fn ntk_lab_ui(app: &mut ExplorerApp, ctx: &egui::Context) {
    if !app.ntk_lab.open {
        return;
    }
    let mut open = true;
    let (mut run, mut export) = (false, false);
    egui::Window::new("NTK lab")
        .open(&mut open)
        .default_width(820.0)
        .default_height(980.0)
        .vscroll(true)
        .show(ctx, |ui| {
            let problem = &app.config().problem;
            ui.label(format!(
                "Sweeps one hidden layer of width N, N(0, 1) weights and biases, output scaled by \
                 1/N^a, on the current problem ({} at ε = {}, {} kernel rows). For each (a, N): \
                 the spread of the initial kernel K = JJᵀ over seeds, and its drift \
                 ‖K(T) − K(0)‖/‖K(0)‖ after gradient descent (rate capped at 1/λ_max(K(0))).",
                problem.kind.label(),
                problem.eps,
                ntk::kernel_rows(app.config())
            ));
            ui.label(
                "The NTK papers' claims: K(0) concentrates as N grows when a is large enough, \
                 and K stays near K(0) in training for a > 1/4.",
            );
            let lab = &mut app.ntk_lab;
            let busy = lab.running();
            ui.add_enabled_ui(!busy, |ui| {
                egui::Grid::new("ntk_settings")
                    .num_columns(2)
                    .show(ui, |ui| {
                        let l = ui.label("Widths N");
                        ui.text_edit_singleline(&mut lab.widths).labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label("Exponents a");
                        ui.text_edit_singleline(&mut lab.exponents)
                            .labelled_by(l.id);
                        ui.end_row();
                        bounded_row(ui, "Seeds per cell", &mut lab.settings.seeds, 2..=64, |d| d);
                        bounded_row(
                            ui,
                            "Training steps",
                            &mut lab.settings.steps,
                            1..=100_000,
                            |d| d,
                        );
                        bounded_row(ui, "Rate (GD)", &mut lab.settings.lr, 1e-6..=10.0, |d| {
                            d.speed(0.01)
                        });
                    });
            });
            ui.horizontal(|ui| {
                run = ui
                    .add_enabled(!busy, egui::Button::new("Run sweep"))
                    .on_hover_text("Start the sweep on its own thread; training goes on")
                    .clicked();
                if ui
                    .add_enabled(busy, egui::Button::new("Stop sweep"))
                    .clicked()
                {
                    lab.stop();
                }
                export = ui
                    .add_enabled(
                        !busy && !lab.rows.is_empty() && !app.headless,
                        egui::Button::new("Export lab…"),
                    )
                    .on_hover_text("Figures (SVG, PNG, CSV), the base run and the table")
                    .clicked();
            });
            let lab = &app.ntk_lab;
            if let Some(job) = &lab.job {
                let done = lab.done();
                ui.add(
                    egui::ProgressBar::new(done as f32 / job.total.max(1) as f32).text(format!(
                        "cell {} of {}, {:.0} s",
                        (done + 1).min(job.total),
                        job.total,
                        job.started.elapsed().as_secs_f64()
                    )),
                );
            }
            if let Some(e) = &lab.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            if lab.rows.is_empty() {
                return;
            }
            if let Some(base) = &lab.base {
                ui.label(format!(
                    "Results for {} at ε = {} ({} seeds, {} steps):",
                    base.problem.kind.label(),
                    base.problem.eps,
                    lab.rows[0].seeds,
                    base.training.max_steps
                ));
            }
            let (spread, drift) = ntk::figures(&lab.rows);
            ui.columns(2, |cols| {
                let figs = [(&spread, "ntk_spread"), (&drift, "ntk_drift")];
                for (ui, (fig, id)) in cols.iter_mut().zip(figs) {
                    ui.strong(&fig.title);
                    figure_ui(ui, id, fig, 300.0, Some(egui_plot::Corner::RightTop), None);
                }
            });
            egui::Grid::new("ntk_rows")
                .striped(true)
                .num_columns(7)
                .show(ui, |ui| {
                    for h in [
                        "a",
                        "N",
                        "mean λ_max(K(0))",
                        "spread λ_max",
                        "spread K(0)",
                        "drift",
                        "loss after",
                    ] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for r in &lab.rows {
                        ui.label(r.exponent.to_string());
                        ui.label(r.width.to_string());
                        ui.label(format!("{:.3e}", r.lambda_max_mean));
                        ui.label(format!("{:.3}", r.lambda_max_rel_spread));
                        ui.label(format!("{:.3}", r.entry_rel_spread));
                        ui.label(format!("{:.3e}", r.drift));
                        ui.label(format!("{:.2e}", r.loss_after));
                        ui.end_row();
                    }
                });
        });
    app.ntk_lab.open = open;
    if run {
        app.start_ntk_lab();
    }
    if export {
        app.dialog(Pending::NtkLabFolder, || {
            rfd::FileDialog::new()
                .set_title("Export the NTK lab into folder")
                .pick_folder()
        });
    }
}
