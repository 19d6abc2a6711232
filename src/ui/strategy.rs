//! The strategy part of the controls panel: the strategy picker (it acts at once) and the
//! parameters of Phase I, the Euler predictor and corrector, Strategy-2 stages and the
//! time-sequential windows (edited in the draft and sent with “Apply”).

use crate::app::ExplorerApp;
use crate::config::{
    Control, Corrector, EulerConfig, PseudoInverse, StageOptimizer, StrategyConfig, StrategyKind,
    TimeMarchConfig,
};

use super::widgets::{bounded, bounded_row, log_drag};

fn stage_optimizer_label(o: StageOptimizer) -> &'static str {
    match o {
        StageOptimizer::Adam => "Adam",
        StageOptimizer::Lm => "LM",
        StageOptimizer::Lbfgs => "L-BFGS",
    }
}

pub(super) fn strategy_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    let lock = app.locked(Control::Strategy);
    ui.add_enabled_ui(!lock, |ui| {
        picker(app, ui);
        // What the run trains by (the reported configuration, not the draft): Strategy 2 with
        // α = 0 is the curriculum, whatever the picker says.
        ui.label(egui::RichText::new(format!("Runs: {}", app.config().method_label())).weak())
            .on_hover_text("What the worker's configuration trains by: strategy, optimizer, α of the homotopy loss, phase condition, stages and Phase I. Edits below take effect with Apply.");
        let st = &mut app.draft.strategy;
        match st.kind {
            StrategyKind::Classical => {}
            StrategyKind::TimeSequential => time_parameters(ui, &mut st.time),
            StrategyKind::Strategy1 | StrategyKind::Strategy2 | StrategyKind::Curriculum => {
                homotopy_parameters(ui, st)
            }
        }
    });
}

/// The strategy picker: a choice is sent to the worker at once when the configuration admits
/// it; otherwise the status line says why (the real validation error, not a guess).
fn picker(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    let before = app.draft.strategy.kind;
    let mut kind = before;
    super::widgets::picker(ui, "Strategy", kind.label(), |ui| {
        for k in StrategyKind::ALL {
            ui.selectable_value(&mut kind, k, k.label());
        }
    });
    if kind != before {
        app.pick_strategy(kind);
    }
}

/// Δt, the step caps of the u₀ fit and of each window, τ, the end time and the steady-state
/// tolerance.
fn time_parameters(ui: &mut egui::Ui, t: &mut TimeMarchConfig) {
    egui::CollapsingHeader::new("Time windows")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("time-grid").num_columns(2).show(ui, |ui| {
                let label = ui.label("Δt (window)");
                log_drag(ui, "Δt (window)", &mut t.dt, 1e-5, 1.0).labelled_by(label.id);
                ui.end_row();
                bounded_row(
                    ui,
                    "Steps fitting u₀ (cap)",
                    &mut t.initial_steps,
                    0..=1_000_000,
                    |d| d,
                );
                bounded_row(
                    ui,
                    "Steps per window (cap)",
                    &mut t.window_steps,
                    1..=1_000_000,
                    |d| d,
                );
                let label = ui.label("Window τ");
                log_drag(ui, "Window τ", &mut t.tolerance, 1e-16, 1.0).labelled_by(label.id);
                ui.end_row();
                bounded_row(ui, "End time", &mut t.t_end, 1e-4..=1e4, |d| d.speed(0.1));
                let label = ui.label("Steady when rate <");
                log_drag(
                    ui,
                    "Steady when rate <",
                    &mut t.steady_tolerance,
                    1e-12,
                    1.0,
                )
                .labelled_by(label.id)
                .on_hover_text("‖H(u)‖/‖u‖ at the residual points: the relative rate of u_t = −H");
                ui.end_row();
            });
            ui.label(
                egui::RichText::new(format!(
                    "{} windows from u₀ at most; Apply to use",
                    t.windows()
                ))
                .weak(),
            );
        });
}

/// ε₀, Phase I, then the Euler (Strategy 1) or stage (Strategy 2, curriculum) settings.
fn homotopy_parameters(ui: &mut egui::Ui, st: &mut StrategyConfig) {
    egui::CollapsingHeader::new("Strategy parameters")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("strategy-grid")
                .num_columns(2)
                .show(ui, |ui| {
                    bounded_row(ui, "ε₀ (start)", &mut st.eps_start, 1e-4..=10.0, |d| { d.speed(0.001) });
                    // Phase I's rows under its own heading, indented: the label column stays
                    // narrow enough for the values beside it at a lecture's zoom.
                    ui.label(egui::RichText::new("Phase I, at ε₀").strong());
                    ui.end_row();
                    let label = indented(ui, "Adam steps");
                    bounded(ui, "Phase I Adam steps", &mut st.phase1.adam_steps, 0..=1_000_000, |d| d).labelled_by(label.id);
                    ui.end_row();
                    let label = indented(ui, "LM iterations");
                    bounded(ui, "Phase I LM iterations", &mut st.phase1.lm_iterations, 0..=100_000, |d| d).labelled_by(label.id);
                    ui.end_row();
                    let label = indented(ui, "τ");
                    log_drag(ui, "Phase I τ", &mut st.phase1.tolerance, 1e-16, 1.0).labelled_by(label.id);
                    ui.end_row();
                    let label = indented(ui, "phase condition");
                    ui.checkbox(&mut st.phase1.phase_condition, "⟨u′, δu⟩ = 0")
                        .on_hover_text(
                            "LM orthogonal to u′: keep Phase I's LM steps orthogonal to the phase directions. Off by default: at ε₀ the solution must still find its place (on 1D Allen–Cahn the condition pins the front away from x = ½).",
                        )
                        .labelled_by(label.id);
                    ui.end_row();
                    if st.kind == StrategyKind::Strategy1 {
                        euler_rows(ui, &mut st.euler);
                    } else {
                        stage_rows(ui, st);
                    }
                });
            ui.label(
                egui::RichText::new(format!(
                    "Schedule: {} (edit on the right)",
                    st.schedule.name()
                ))
                .weak(),
            );
        });
}

/// A row label indented under a heading row (Phase I's).
fn indented(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.horizontal(|ui| {
        ui.add_space(ui.spacing().indent);
        ui.label(text)
    })
    .inner
}

/// Pseudo-inverse, phase condition and corrector of Strategy 1.
fn euler_rows(ui: &mut egui::Ui, euler: &mut EulerConfig) {
    let label = ui.label("Pseudo-inverse");
    egui::ComboBox::from_id_salt("pinv")
        .selected_text(match euler.solver {
            PseudoInverse::TruncatedSvd => "truncated SVD",
            PseudoInverse::Tikhonov => "Tikhonov",
        })
        .show_ui(ui, |ui| {
            ui.selectable_value(
                &mut euler.solver,
                PseudoInverse::TruncatedSvd,
                "truncated SVD",
            );
            ui.selectable_value(&mut euler.solver, PseudoInverse::Tikhonov, "Tikhonov");
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    match euler.solver {
        PseudoInverse::TruncatedSvd => {
            let label = ui.label("cutoff rcond");
            log_drag(ui, "cutoff rcond", &mut euler.rcond, 1e-14, 1e-1).labelled_by(label.id);
        }
        PseudoInverse::Tikhonov => {
            let label = ui.label("damping μ / σ²_max");
            log_drag(
                ui,
                "damping μ / σ²_max",
                &mut euler.tikhonov_mu,
                1e-16,
                1e-1,
            )
            .labelled_by(label.id);
        }
    }
    ui.end_row();
    let label = ui.label("Phase condition");
    ui.checkbox(&mut euler.phase_condition, "⟨u′, δu⟩ = 0")
        .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Corrector");
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt("corrector")
            // Its choices are short; the step count beside it stays inside the panel.
            .width(56.0)
            .selected_text(match euler.corrector {
                Corrector::None => "none",
                Corrector::Lm => "LM",
                Corrector::Adam => "Adam",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut euler.corrector, Corrector::None, "none");
                ui.selectable_value(&mut euler.corrector, Corrector::Lm, "LM");
                ui.selectable_value(&mut euler.corrector, Corrector::Adam, "Adam");
            })
            .response
            .labelled_by(label.id);
        bounded(
            ui,
            "corrector steps",
            &mut euler.corrector_steps,
            1..=100,
            |d| d.suffix(" steps"),
        )
        .labelled_by(label.id);
    });
    ui.end_row();
}

/// α (Strategy 2), the stage optimizer, τ, the step cap, patience and the LM phase condition.
fn stage_rows(ui: &mut egui::Ui, st: &mut StrategyConfig) {
    if st.kind == StrategyKind::Strategy2 {
        // α = 0 is the curriculum (no homotopy-loss term): a checkbox turns the term on or
        // off, and the log scale sets its weight when on (a log scale cannot show 0).
        let label = ui.label("α (L_{H_ε} weight)");
        ui.horizontal(|ui| {
            let mut on = st.stages.alpha > 0.0;
            if ui
                .checkbox(&mut on, "")
                .labelled_by(label.id)
                .on_hover_text("Off: α = 0, the curriculum (no homotopy-loss term)")
                .changed()
            {
                st.stages.alpha = if on { 1.0 } else { 0.0 };
            }
            if on {
                log_drag(ui, "α (L_{H_ε} weight)", &mut st.stages.alpha, 1e-12, 100.0)
                    .labelled_by(label.id);
            } else {
                ui.label("0 (curriculum)");
            }
        });
        ui.end_row();
    }
    let label = ui.label("Stage optimizer");
    egui::ComboBox::from_id_salt("stage-opt")
        .selected_text(stage_optimizer_label(st.stages.optimizer))
        .show_ui(ui, |ui| {
            for o in [
                StageOptimizer::Adam,
                StageOptimizer::Lm,
                StageOptimizer::Lbfgs,
            ] {
                ui.selectable_value(&mut st.stages.optimizer, o, stage_optimizer_label(o));
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Stage τ");
    log_drag(ui, "Stage τ", &mut st.stages.tolerance, 1e-16, 1.0).labelled_by(label.id);
    ui.end_row();
    bounded_row(
        ui,
        "Steps per stage (cap)",
        &mut st.stages.max_steps,
        1..=1_000_000,
        |d| d,
    );
    bounded_row(
        ui,
        "Plateau patience",
        &mut st.stages.plateau_patience,
        0..=1_000_000,
        |d| d,
    );
    if st.stages.optimizer == StageOptimizer::Lm {
        ui.label("");
        ui.checkbox(&mut st.stages.phase_condition, "⟨∂ⱼu, δu⟩ = 0")
            .on_hover_text(
                "Phase condition: keep LM steps orthogonal to translations of the solution along each axis",
            );
        ui.end_row();
    }
}
