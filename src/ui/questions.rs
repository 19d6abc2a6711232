//! The modal questions the explorer asks before it throws anything away (reset, preset or
//! checkpoint load, Apply of a fresh run, *Clear pins*) and the continue-or-restart question a
//! schedule or strategy change on a paused or finished homotopy waits in. Their state and
//! answers live in `app::discard`; these draw them and pass the answer back.

use crate::app::ExplorerApp;

/// The yes a reset, a preset load over a trained run, or *Clear pins* waits for; a reset or a
/// load offers to pin the run first.
pub fn discard_prompt_ui(app: &mut ExplorerApp, ctx: &egui::Context) {
    use crate::app::{Discard, DiscardChoice};
    let Some(action) = app.pending_discard.clone() else {
        return;
    };
    // Pinned meanwhile (or reset by the worker): nothing would be lost any more.
    if !matches!(action, Discard::Pins) && app.unkept_run().is_none() {
        app.resolve_discard(DiscardChoice::Discard);
        return;
    }
    let (step, eps) = app.unkept_run().unwrap_or_default();
    let lost = format!(
        "The run has trained {step} steps (ε = {}) and is not pinned",
        crate::config::four_digits(eps)
    );
    let title = action.title();
    let (text, go) = match &action {
        Discard::Reset => (format!("{lost}: a reset discards it."), "Reset".to_string()),
        Discard::ResetWith(_) => (
            format!("{lost}: a reset discards it; HRTA then trains from the start."),
            "Reset".to_string(),
        ),
        Discard::Preset { origin, .. } => (
            format!("{lost}: loading preset {origin} discards it."),
            "Load".to_string(),
        ),
        Discard::Apply(_) => (
            format!(
                "{lost}: these settings change the problem, network, backend or seed, so applying them starts a fresh run."
            ),
            "Apply".to_string(),
        ),
        Discard::Checkpoint(path) => (
            format!("{lost}: resuming {} replaces it.", path.display()),
            "Load".to_string(),
        ),
        Discard::Pins => {
            // Pins of other problems are hidden from this problem's table: say they go too.
            let elsewhere = app.view.pins_elsewhere(app.config().problem.kind);
            let all = app.view.pinned.len();
            let which = match elsewhere {
                0 => String::new(),
                n => format!(" ({} of this problem, {n} of other problems)", all - n),
            };
            (
                match all {
                    1 => format!("1 pinned run{which} is removed; it cannot be brought back."),
                    _ => format!(
                        "{all} pinned runs{which} are removed; they cannot be brought back."
                    ),
                },
                "Remove the pins".to_string(),
            )
        }
    };
    let paused = app.paused_for_question();
    let answer = ask(ctx, "discard-question", 520.0, |ui, choice| {
        ui.heading(title);
        ui.label(text);
        if paused {
            ui.label("Training is paused until you answer; Cancel resumes it.");
        }
        buttons(ui, choice, |ui, choice| {
            if !matches!(action, Discard::Pins)
                && ui
                    .button(format!("Pin it, then {}", go.to_lowercase()))
                    .on_hover_text("Keep its curves and numbers beside the next run")
                    .clicked()
            {
                *choice = Some(DiscardChoice::PinFirst);
            }
            if ui.button(&go).clicked() {
                *choice = Some(DiscardChoice::Discard);
            }
        });
    });
    if let Some(c) = answer {
        app.resolve_discard(c);
    }
}

/// A modal question: the plots behind it take no hover or click while it waits (a plot's
/// coordinate tooltip used to sit over the question). `body` draws it and records the button
/// clicked; Esc or a click beside it answers Cancel.
fn ask<C: Cancel>(
    ctx: &egui::Context,
    id: &str,
    width: f32,
    body: impl FnOnce(&mut egui::Ui, &mut Option<C>),
) -> Option<C> {
    let mut choice = None;
    let modal = egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.set_max_width(width);
        body(ui, &mut choice);
    });
    if choice.is_none() && modal.should_close() {
        choice = Some(C::CANCEL);
    }
    choice
}

/// A question's row of answers: `answers` draws its own buttons, then Cancel closes the row.
fn buttons<C: Cancel>(
    ui: &mut egui::Ui,
    choice: &mut Option<C>,
    answers: impl FnOnce(&mut egui::Ui, &mut Option<C>),
) {
    ui.horizontal(|ui| {
        answers(ui, choice);
        if ui.button("Cancel").clicked() {
            *choice = Some(C::CANCEL);
        }
    });
}

/// The answer a question's Cancel button gives.
trait Cancel {
    const CANCEL: Self;
}

impl Cancel for crate::app::DiscardChoice {
    const CANCEL: Self = Self::Cancel;
}

impl Cancel for crate::app::ApplyChoice {
    const CANCEL: Self = Self::Cancel;
}

const KEEPS_PHASE_ONE: &str = "It is in Phase I: Continue lets Phase I go on where it stands; the new schedule takes over after it.";
const RESTARTS_PHASE_ONE: &str = "It is in Phase I: Continue keeps the network and starts Phase I again at ε₀ with the new settings.";
const AT_THE_END: &str = "It completed its path at the target ε: Continue keeps the trained network there with the new schedule (it is walked when you move the ε target); Restart walks it from ε₀.";

/// The choice a schedule or strategy change on a paused or finished homotopy waits for:
/// continue the path from where it stands, or restart from the initialization.
pub fn apply_prompt_ui(app: &mut ExplorerApp, ctx: &egui::Context) {
    use crate::app::ApplyChoice;
    let Some(p) = &app.pending_apply else {
        return;
    };
    // What the question shows, read from the pending change once (not a copy of its
    // configuration every frame).
    let keeps = p.keeps_phase_one(app.config());
    let (what, ended, eps, step, in_phase_one) = (&p.what, p.ended, p.eps, p.step, p.in_phase_one);
    let unkept = app.unkept_run().is_some();
    let at_the_end = app.at_the_end();
    let answer = ask(ctx, "apply-question", 560.0, |ui, choice| {
        ui.heading(crate::app::discard::APPLY_TITLE);
        ui.label(format!(
            "{}: the run is {} at ε = {} after {} steps.",
            what,
            if ended { "finished" } else { "paused" },
            crate::config::four_digits(eps),
            step
        ));
        if unkept {
            ui.label("It is not pinned: a plain restart discards it.");
        }
        if keeps {
            ui.label(KEEPS_PHASE_ONE);
        } else if in_phase_one {
            ui.label(RESTARTS_PHASE_ONE);
        }
        if at_the_end {
            ui.label(AT_THE_END);
        }
        buttons(ui, choice, |ui, choice| {
            if ui
                .button(format!(
                    "Continue from ε = {}",
                    crate::config::four_digits(eps)
                ))
                .on_hover_text(if keeps {
                    "Keep the trained network and let Phase I go on"
                } else if in_phase_one {
                    "Keep the trained network and start Phase I again from it"
                } else {
                    "Keep the trained network and go on along the path from here"
                })
                .clicked()
            {
                *choice = Some(ApplyChoice::Continue);
            }
            if unkept
                && ui
                    .button("Pin it, then restart")
                    .on_hover_text("Keep the trained run's curves and numbers beside the fresh run")
                    .clicked()
            {
                *choice = Some(ApplyChoice::PinThenRestart);
            }
            if ui
                .button("Restart from the initialization")
                .on_hover_text("A fresh run with the new settings (Phase I at ε₀)")
                .clicked()
            {
                *choice = Some(ApplyChoice::Restart);
            }
        });
    });
    if let Some(c) = answer {
        app.resolve_apply(c);
    }
}
