//! Labs → Stiff quadratic: the ISGD paper's two-parameter example (§2.2, eqs. 7–8) for any
//! K₁, K₂ and step size α — the bounds D_GD and D_IGD, the steps each descent takes, the loss
//! against the step and the path in the plane, drawn from [`crate::lab::stiff`] in the window
//! itself (it is exact and instant), and exported like any plot.

use crate::app::ExplorerApp;
use crate::app::export::{Format, start_export_figures};
use crate::export::figure::Figure;
use crate::lab::stiff::{CAP, Descent, FRACTION, StiffQuadratic, figures, ratio};

use super::plot_view::figure_ui;
use super::widgets::{bounded_row, log_drag};

/// The window's settings (it owns them; nothing of the run depends on them).
#[derive(Debug)]
pub struct StiffLabWindow {
    pub open: bool,
    quadratic: StiffQuadratic,
    alpha: f64,
    steps: usize,
    /// The two figures and the settings they were drawn for: rebuilt when a setting changes,
    /// not every frame (up to 2 × 100 000 steps).
    drawn: Option<(Settings, Figure, Figure)>,
}

/// What the figures depend on.
type Settings = (StiffQuadratic, f64, usize);

impl Default for StiffLabWindow {
    fn default() -> Self {
        Self {
            open: false,
            quadratic: StiffQuadratic::PAPER,
            alpha: 1e-4,
            steps: 200,
            drawn: None,
        }
    }
}

impl StiffLabWindow {
    pub fn ui(&mut self, app: &mut ExplorerApp, ctx: &egui::Context) {
        if !self.open {
            return;
        }
        let mut open = true;
        egui::Window::new("Stiff quadratic (ISGD paper §2.2)")
            .open(&mut open)
            .default_width(760.0)
            .default_height(620.0)
            .vscroll(true)
            .show(ctx, |ui| self.contents(app, ui));
        self.open = open;
    }

    fn contents(&mut self, app: &mut ExplorerApp, ui: &mut egui::Ui) {
        ui.label(
            "L(θ) = K₁/2 (θ₁ − θ₁*)² + K₂/2 (θ₂ − θ₂*)² from θ₀ = (1, 1) to θ* = 0. Gradient \
             descent multiplies θᵢ − θᵢ* by 1 − αKᵢ a step and diverges once α > 2/max K; the \
             implicit step divides it by 1 + αKᵢ and contracts for every α.",
        );
        let q = &mut self.quadratic;
        egui::Grid::new("stiff_settings")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label("K₁ (soft)");
                log_drag(ui, "K₁ (soft)", &mut q.k[0], 1e-8, 1e8).labelled_by(l.id);
                ui.end_row();
                let l = ui.label("K₂ (stiff)");
                log_drag(ui, "K₂ (stiff)", &mut q.k[1], 1e-8, 1e8).labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Step size α");
                log_drag(ui, "Step size α", &mut self.alpha, 1e-8, 1e8).labelled_by(l.id);
                ui.end_row();
                bounded_row(ui, "Steps drawn", &mut self.steps, 1..=100_000, |d| d);
            });
        let q = self.quadratic;
        if let Err(e) = q.check() {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        let limit = 2.0 / q.k[0].max(q.k[1]);
        egui::Grid::new("stiff_numbers")
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                for h in [
                    "",
                    "bound on L(θₙ₊₁)/L(θₙ)",
                    "steps to ‖θ − θ*‖ ≤ 10⁻³‖θ₀ − θ*‖",
                    "",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for d in Descent::ALL {
                    let bound = q.decay_bound(d, self.alpha);
                    ui.label(match d {
                        Descent::Gd => "GD (eq. 7)",
                        Descent::Igd => "IGD (eq. 8)",
                    });
                    ui.label(ratio(bound));
                    ui.label(match q.steps_to(d, self.alpha, FRACTION, CAP) {
                        Some(n) => format!("{n}"),
                        None => "never (does not contract)".into(),
                    });
                    ui.label(if bound > 1.0 { "grows" } else { "" });
                    ui.end_row();
                }
            });
        ui.label(format!("GD contracts for α < 2/max K = {limit:.3e}."));
        let settings = (q, self.alpha, self.steps);
        if self.drawn.as_ref().is_none_or(|d| d.0 != settings) {
            let (loss, path) = figures(&q, &[self.alpha], self.steps);
            self.drawn = Some((settings, loss, path));
        }
        let Some((_, loss, path)) = &self.drawn else {
            return;
        };
        ui.horizontal(|ui| {
            ui.label("Export both:");
            for format in [Format::Svg, Format::Png, Format::Pdf, Format::Csv] {
                if ui.button(format.extension().to_uppercase()).clicked() {
                    start_export_figures(
                        app,
                        vec![loss.clone(), path.clone()],
                        2,
                        format,
                        "stiff_quadratic",
                    );
                }
            }
        });
        ui.columns(2, |cols| {
            for (ui, (fig, id)) in cols
                .iter_mut()
                .zip([(&loss, "stiff_loss"), (&path, "stiff_path")])
            {
                ui.strong(&fig.title);
                figure_ui(ui, id, fig, 300.0, Some(egui_plot::Corner::RightTop), None);
            }
        });
    }
}
