//! The controls panel: run buttons, problem, ε target (a log slider that works while training),
//! strategy (in `strategy.rs`), HRTA, optimizer, network, backend and diagnostics. Training
//! settings are edited in a draft and sent with “Apply”; the strategy picker, the HRTA toggle
//! and the ε slider act at once (an ε target above a path's current ε asks first). The
//! questions these controls can open are drawn in `questions.rs`.

use crate::app::ExplorerApp;
use crate::app::state::Reveal;
use crate::config::{BackendKind, Control, HrtaSwitch, OptimizerKind};
use crate::net::{ActivationKind, InitKind};
use crate::problem::ProblemKind;
use crate::worker::Command;

use super::widgets::{ListText, bounded, bounded_log_slider, bounded_row, log_drag};

/// The controls panel, with the text it keeps for the hidden widths and the HRTA s values.
#[derive(Debug, Default)]
pub struct ControlsPanel {
    widths: ListText,
    s_values: ListText,
    /// An ε target above the path's current ε, waiting for the user to confirm it.
    upward: Option<f64>,
    /// The ε target under a slider drag on a homotopy: sent once, on release (each value
    /// passed on the way would re-plan the path and leave a stage or Euler step behind).
    dragging: Option<f64>,
}

impl ControlsPanel {
    pub fn ui(&mut self, app: &mut ExplorerApp, ui: &mut egui::Ui) {
        let revision = app.draft_revision();
        self.widths
            .sync(revision, || app.draft.network.hidden.clone());
        self.s_values.sync(revision, || app.draft.hrta.s_schedule());
        // Start/Step/Reset above and Apply/Revert below stay in view: only the settings
        // between them scroll (at 1280×720 and zoomed they are taller than the window).
        run_buttons_ui(app, ui);
        ui.separator();
        let apply_row = ui.spacing().interact_size.y + 2.0 * ui.spacing().item_spacing.y + 8.0;
        egui::ScrollArea::both()
            .id_salt("controls-scroll")
            .max_height((ui.available_height() - apply_row).max(60.0))
            .show(ui, |ui| controls_ui(app, self, ui));
        ui.separator();
        apply_row_ui(app, ui);
    }
}

fn controls_ui(app: &mut ExplorerApp, panel: &mut ControlsPanel, ui: &mut egui::Ui) {
    problem_ui(app, ui);
    eps_ui(app, &mut panel.upward, &mut panel.dragging, ui);
    ui.separator();
    super::strategy::strategy_ui(app, ui);
    hrta_ui(app, &mut panel.s_values, ui);
    optimizer_ui(app, ui);
    network_ui(app, &mut panel.widths, ui);
    diagnostics_ui(app, ui);
}

/// Apply and Revert for the draft's training settings.
fn apply_row_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    // The schedule has its own Apply (in the schedule editor): an edit lights one button.
    let changed = {
        let mut draft = app.draft.clone();
        draft.strategy.schedule = app.config().strategy.schedule.clone();
        draft != *app.config()
    };
    ui.horizontal(|ui| {
        let apply = egui::Button::new(if changed {
            "Apply changes"
        } else {
            "Apply"
        })
        .selected(changed);
        if ui
            .add_enabled(changed, apply)
            .on_hover_text("Training settings keep the current parameters; problem, network, seed or backend changes restart the run.")
            .clicked()
        {
            app.apply_draft();
        }
        // Revert also undoes a schedule edit not yet applied.
        if ui
            .add_enabled(app.draft != *app.config(), egui::Button::new("Revert"))
            .clicked()
        {
            app.revert_draft();
        }
    });
}

fn run_buttons_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        let label = if app.running() { "Pause" } else { "Start" };
        if ui
            .add(egui::Button::new(label).min_size(egui::vec2(70.0, 0.0)))
            .on_hover_text("space")
            .clicked()
        {
            app.play_pause();
        }
        if ui.button("Step").on_hover_text("s").clicked() {
            app.send(Command::Step);
        }
        if ui
            .button("Reset")
            .on_hover_text(
                "r: back to the initialization (asks first when a trained run would be lost)",
            )
            .clicked()
        {
            app.reset();
        }
    });
    if let Some(end) = &app.view.end {
        ui.label(egui::RichText::new(format!("ended: {end}")).weak());
        // The status line's warning, kept here once that line has moved on.
        if let Some(far) = &app.view.end_far {
            ui.label(egui::RichText::new(far).color(ui.visuals().error_fg_color));
        }
    }
}

fn problem_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    ui.add_enabled_ui(!app.locked(Control::Problem), |ui| {
        let mut kind = app.draft.problem.kind;
        super::widgets::picker(ui, "Problem", kind.label(), |ui| {
            for k in ProblemKind::all() {
                ui.selectable_value(&mut kind, k, k.label());
            }
        });
        if kind != app.draft.problem.kind {
            app.pick_problem(kind);
        }
    });
}

/// The ε target slider. On a homotopy a target above the path's current ε would plan the path
/// upward (ε growing); that waits in `upward` until the user confirms or keeps the old target.
fn eps_ui(
    app: &mut ExplorerApp,
    upward: &mut Option<f64>,
    dragging: &mut Option<f64>,
    ui: &mut egui::Ui,
) {
    ui.add_enabled_ui(!app.locked(Control::Eps), |ui| {
        // Before the first snapshot the path stands at ε₀ with the preset's target.
        let (target, current) = match &app.view.latest {
            Some(s) => (s.eps_target, s.eps),
            None => (app.config().problem.eps, app.config().strategy.eps_start),
        };
        let homotopy = app.config().strategy.kind.is_homotopy();
        let mut eps = dragging.or(*upward).unwrap_or(target);
        // As wide as the panel allows beside its value: four decades on egui's default 100
        // points made a short drag a decade. The value box is measured at its widest (a value
        // like 0.001235), so that it is not cut at the panel's edge when the value grows.
        let text_width = |text: &str| super::widgets::text_width(ui, text, egui::TextStyle::Body);
        // The name on its own row: the slider takes the panel's whole width beside its value
        // (four decades in about 190 points at a lecture's zoom, not 100).
        let widest = text_width("0.001235");
        let name = ui.label("ε target");
        let value = widest
            + 2.0 * ui.spacing().button_padding.x
            + 2.0 * ui.spacing().item_spacing.x
            + 8.0;
        ui.spacing_mut().slider_width = (ui.available_width() - value).max(100.0);
        // Four significant digits in shortest form: 0.01 reads "0.01", a dragged value
        // 0.0123456… reads "0.01235".
        let response = bounded_log_slider(ui, "ε target", &mut eps, 1e-4..=1.0, "", |v| {
            crate::config::four_digits(v)
        })
        .labelled_by(name.id);
        // A dragged value is the one shown: four significant digits (0.0013, not
        // 0.0013004127…), so that the target, the plan and the pins read as the slider did.
        if response.dragged() || response.drag_stopped() {
            eps = crate::config::round_significant(eps, 4);
        }
        // Classical training follows the slider live; a homotopy takes the value let go of.
        let chosen = if response.changed() && homotopy && response.dragged() {
            *dragging = Some(eps);
            None
        } else if response.changed() {
            dragging.take();
            Some(eps)
        } else if !response.dragged() {
            dragging.take()
        } else {
            None
        };
        if let Some(eps) = chosen {
            if homotopy && eps > current {
                *upward = Some(eps);
            } else {
                *upward = None;
                app.set_eps_target(eps);
            }
        }
        if let Some(d) = *dragging {
            ui.label(
                egui::RichText::new(format!(
                    "release to send ε target {} (the path is re-planned once)",
                    crate::config::four_digits(d)
                ))
                .weak(),
            );
        }
        if let Some(up) = *upward {
            ui.label(
                egui::RichText::new(format!(
                    "ε target {} lies above the path's current ε = {}: the homotopy would run upward, ε growing.",
                    crate::config::four_digits(up),
                    crate::config::four_digits(current)
                ))
                .color(ui.visuals().warn_fg_color),
            );
            ui.horizontal_wrapped(|ui| {
                if ui.button("Run the path upward").clicked() {
                    *upward = None;
                    app.set_eps_target(up);
                }
                if ui
                    .button(format!("Keep ε target {}", crate::config::four_digits(target)))
                    .clicked()
                {
                    *upward = None;
                }
            });
        }
        ui.label(
            egui::RichText::new(
                "Classical training re-targets the loss; Strategy 1 continues its path from the current ε; Strategy 2 starts a new stage from the current state.",
            )
            .small()
            .weak(),
        );
    });
}

fn hrta_ui(app: &mut ExplorerApp, s_values: &mut ListText, ui: &mut egui::Ui) {
    let lock = app.locked(Control::Hrta);
    ui.add_enabled_ui(!lock, |ui| {
        let mut enabled = app.draft.hrta.enabled;
        if ui
            .checkbox(&mut enabled, "HRTA")
            .on_hover_text("Activation homotopy σ_s = (1−s)x + sσ(x); s > 1 is relaxation")
            .changed()
        {
            app.set_hrta(enabled);
        }
        if !app.draft.hrta.enabled {
            return;
        }
        egui::Grid::new("hrta-grid").num_columns(2).show(ui, |ui| {
            let label = ui.label("s per stage");
            if ui
                .text_edit_singleline(&mut s_values.text)
                .labelled_by(label.id)
                .changed()
                && let Some(v) = s_values.parse::<f64>()
            {
                app.draft.hrta.s_values = v;
            }
            ui.end_row();
            if s_values.has_error() {
                ui.label("");
                s_values.error_ui(ui);
                ui.end_row();
            }
            ui.label("Switch");
            let h = &mut app.draft.hrta;
            ui.horizontal(|ui| {
                let mut plateau = matches!(h.switch, HrtaSwitch::Plateau { .. });
                if ui.radio_value(&mut plateau, false, "every").clicked() {
                    h.switch = HrtaSwitch::Steps { every: 5000 };
                }
                if ui.radio_value(&mut plateau, true, "on plateau").clicked() {
                    h.switch = HrtaSwitch::Plateau {
                        patience: 2000,
                        rel_improvement: 1e-3,
                    };
                }
            });
            ui.end_row();
            match &mut h.switch {
                HrtaSwitch::Steps { every } => {
                    let label = ui.label("steps per s");
                    bounded(ui, "steps per s", every, 1..=1_000_000, |d| d).labelled_by(label.id);
                }
                HrtaSwitch::Plateau { patience, .. } => {
                    let label = ui.label("patience (steps)");
                    bounded(ui, "patience", patience, 1..=1_000_000, |d| d).labelled_by(label.id);
                }
            }
            ui.end_row();
        });
        if let Some(s) = &app.view.latest {
            ui.label(format!("current s = {}", s.s));
        }
    });
}

fn optimizer_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    let lock = app.locked(Control::Optimizer);
    let reveal = app.view.reveal == Some(Reveal::StepCap);
    ui.add_enabled_ui(!lock, |ui| {
        egui::CollapsingHeader::new("Optimizer")
            .default_open(false)
            .open(reveal.then_some(true))
            .show(ui, |ui| {
                egui::Grid::new("opt-grid").num_columns(2).show(ui, |ui| {
                    let o = &mut app.draft.optimizer;
                    let label = ui.label("optimizer");
                    super::widgets::fitted_combo(
                        ui,
                        "optimizer-kind",
                        o.kind.label(),
                        260.0,
                        |ui| {
                            for k in OptimizerKind::ALL {
                                ui.selectable_value(&mut o.kind, k, k.label());
                            }
                        },
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                    let lr_label = match o.kind {
                        OptimizerKind::Isgd | OptimizerKind::ImplicitGn => "implicit step α",
                        OptimizerKind::Lm | OptimizerKind::Lbfgs => {
                            "learning rate (unused: line search / damping)"
                        }
                        OptimizerKind::Adam | OptimizerKind::Sgd => "learning rate",
                    };
                    let label = ui.label(lr_label);
                    log_drag(ui, lr_label, &mut o.lr, 1e-8, 10.0).labelled_by(label.id);
                    ui.end_row();
                    if o.kind == OptimizerKind::Isgd {
                        let i = &mut o.isgd;
                        bounded_row(
                            ui,
                            "K₀ implicit steps",
                            &mut i.outer_steps,
                            1..=10_000_000,
                            |d| d,
                        );
                        bounded_row(
                            ui,
                            "K₁ inner Adam steps",
                            &mut i.inner_steps,
                            1..=100_000,
                            |d| d,
                        );
                        let label = ui.label("inner Adam γ");
                        log_drag(ui, "inner Adam γ", &mut i.inner_lr, 1e-8, 1.0)
                            .labelled_by(label.id);
                        ui.end_row();
                        let label = ui.label("final Adam η");
                        log_drag(ui, "final Adam η", &mut i.final_lr, 1e-8, 1.0)
                            .labelled_by(label.id);
                        ui.end_row();
                    }
                    let cap = bounded_row(
                        ui,
                        "step cap",
                        &mut app.draft.training.max_steps,
                        1..=100_000_000,
                        |d| d,
                    );
                    if reveal {
                        cap.scroll_to_me(Some(egui::Align::Center));
                        cap.request_focus();
                        app.view.reveal = None;
                    }
                    let label = ui.label("loss tolerance");
                    log_drag(
                        ui,
                        "loss tolerance",
                        &mut app.draft.training.loss_tolerance,
                        1e-20,
                        1.0,
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                });
            });
    });
}

fn network_ui(app: &mut ExplorerApp, widths: &mut ListText, ui: &mut egui::Ui) {
    let lock_net = app.locked(Control::Network);
    let lock_backend = app.locked(Control::Backend);
    egui::CollapsingHeader::new("Network, sampling, backend")
        .default_open(false)
        .show(ui, |ui| {
            ui.add_enabled_ui(!lock_net, |ui| {
                egui::Grid::new("net-grid").num_columns(2).show(ui, |ui| {
                    let label = ui.label("hidden widths");
                    if ui
                        .text_edit_singleline(&mut widths.text)
                        .labelled_by(label.id)
                        .changed()
                        && let Some(w) = widths.parse::<usize>()
                    {
                        app.draft.network.hidden = w;
                    }
                    ui.end_row();
                    if widths.has_error() {
                        ui.label("");
                        widths.error_ui(ui);
                        ui.end_row();
                    }
                    let label = ui.label("activation");
                    let act = &mut app.draft.network.activation;
                    egui::ComboBox::from_id_salt("activation")
                        .selected_text(act.name())
                        .show_ui(ui, |ui| {
                            for k in ActivationKind::ALL {
                                ui.selectable_value(act, k, k.name());
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label("initialization");
                    let init = &mut app.draft.network.init;
                    egui::ComboBox::from_id_salt("init")
                        .selected_text(match init {
                            InitKind::XavierNormal => "Xavier normal",
                            InitKind::NtkNormal => "N(0,1), 1/N^a",
                        })
                        .show_ui(ui, |ui| {
                            ui.selectable_value(init, InitKind::XavierNormal, "Xavier normal");
                            ui.selectable_value(init, InitKind::NtkNormal, "N(0,1), 1/N^a");
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();
                    if app.draft.network.init == InitKind::NtkNormal {
                        bounded_row(
                            ui,
                            "output exponent a",
                            &mut app.draft.network.output_scale_exponent,
                            0.0..=2.0,
                            |d| d.speed(0.05),
                        );
                    }
                    ui.label("");
                    ui.checkbox(
                        &mut app.draft.network.train_output_only,
                        "random features (train the output layer only)",
                    );
                    ui.end_row();
                    bounded_row(
                        ui,
                        "seed",
                        &mut app.draft.training.seed,
                        0..=i64::MAX as u64,
                        |d| d,
                    );
                    bounded_row(
                        ui,
                        "residual points",
                        &mut app.draft.problem.n_res,
                        1..=100_000,
                        |d| d,
                    );
                });
            });
            ui.add_enabled_ui(!lock_backend, |ui| {
                ui.horizontal(|ui| {
                    ui.label("backend");
                    ui.radio_value(&mut app.draft.backend, BackendKind::Cpu, "CPU f64");
                    let gpu_ok = matches!(app.gpu, Some(Ok(_)));
                    let reason = match &app.gpu {
                        Some(Ok(d)) => d.clone(),
                        Some(Err(e)) => format!("unavailable: {e}"),
                        None => "checking for a GPU adapter…".into(),
                    };
                    ui.add_enabled_ui(gpu_ok, |ui| {
                        ui.radio_value(&mut app.draft.backend, BackendKind::Wgpu, "GPU wgpu f32")
                            .on_hover_text(&reason)
                            .on_disabled_hover_text(&reason);
                    });
                });
            });
            ui.label(
                egui::RichText::new("These settings restart the run when applied.")
                    .small()
                    .weak(),
            );
        });
}

fn diagnostics_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    egui::CollapsingHeader::new("Diagnostics")
        .default_open(false)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("spectrum every");
                bounded(
                    ui,
                    "spectrum every",
                    &mut app.draft.diagnostics.every,
                    0..=1_000_000,
                    |d| d.suffix(" steps"),
                )
                .labelled_by(label.id);
            });
            ui.label(egui::RichText::new("0 = only on demand").small().weak());
            ui.horizontal(|ui| {
                if ui.button("Compute spectrum now").clicked() {
                    app.send(Command::RequestDiagnostics);
                }
                if ui.button("Sweep λ_max(D_ε)").clicked() {
                    app.send(Command::RequestSweep);
                }
            });
        });
}
