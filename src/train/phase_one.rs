//! Phase I, shared by Strategy 1 and Strategy 2 (its stage 0): train at ε₀ with Adam for up to
//! `adam_steps`, then Levenberg–Marquardt for up to `lm_iterations`, until the loss is below
//! τ. LM keeps its steps orthogonal to the phase directions when `strategy.phase1.
//! phase_condition` is on (the same setting for both strategies; off by default). One call to [`PhaseOne::step`] is one Adam step or one LM iteration; the
//! learning-rate schedule counts Adam steps from 0.

use super::inner::{Inner, InnerKind};
use super::objective::{Objective, ObjectiveError};
use super::trainer::{PhaseOneHandOver, StepReport, TrainEvent, TrainState};
use crate::config::{LmConfig, LrSchedule, OptimizerConfig, Phase1Config};

/// Which optimizer Phase I is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Adam,
    Lm,
}

/// Phase I's state.
pub struct PhaseOne {
    cfg: Phase1Config,
    /// How the strategy names Phase I in its phase events ("phase I", "stage 0 (phase I)").
    name: &'static str,
    phase_condition: bool,
    lr: f64,
    lr_schedule: LrSchedule,
    adam: Inner,
    lm: Inner,
    part: Part,
    /// Adam steps or LM iterations taken in the current part.
    steps: usize,
}

impl PhaseOne {
    pub fn new(
        cfg: &Phase1Config,
        name: &'static str,
        optimizer: &OptimizerConfig,
        lm: &LmConfig,
        n_params: usize,
    ) -> Self {
        Self {
            cfg: cfg.clone(),
            name,
            phase_condition: cfg.phase_condition,
            lr: optimizer.lr,
            lr_schedule: optimizer.schedule,
            adam: Inner::new(InnerKind::Adam, optimizer, lm, n_params),
            lm: Inner::new(InnerKind::Lm, optimizer, lm, n_params),
            part: Part::Adam,
            steps: 0,
        }
    }

    /// Begin Phase I at `step` (Adam first unless it has no steps) and name the part begun.
    pub fn start(&mut self, step: usize, events: &mut Vec<TrainEvent>) {
        let first = if self.cfg.adam_steps > 0 {
            Part::Adam
        } else {
            Part::Lm
        };
        self.enter(first, step, events);
    }

    /// This Phase I, to be carried on by another trainer ([`Self::adopt`]).
    pub fn hand_over(self) -> PhaseOneHandOver {
        PhaseOneHandOver(Box::new(self))
    }

    /// Carry on `other` (a Phase I under way, from the trainer this one replaces) in place of
    /// the one just started, withdrawing the start's announcement ("Adam at ε₀") from `events`;
    /// false (nothing changed) when this trainer's Phase I is not `under_way`.
    pub fn adopt(
        &mut self,
        under_way: bool,
        other: PhaseOneHandOver,
        events: &mut Vec<TrainEvent>,
    ) -> bool {
        match other.0.downcast::<PhaseOne>() {
            Ok(other) if under_way => {
                events.retain(|e| !matches!(e, TrainEvent::Phase { .. }));
                *self = *other;
                true
            }
            _ => false,
        }
    }

    fn enter(&mut self, part: Part, step: usize, events: &mut Vec<TrainEvent>) {
        self.part = part;
        self.steps = 0;
        let what = match part {
            Part::Adam => "Adam",
            Part::Lm => "Levenberg–Marquardt",
        };
        events.push(TrainEvent::Phase {
            step,
            name: format!("{}: {what} at ε₀", self.name),
        });
    }

    /// One Adam step or LM iteration at `state.eps`. Returns the step's report and, when Phase
    /// I is over after it, the loss it ended at (Adam: the loss before its last update).
    pub fn step(
        &mut self,
        state: &mut TrainState,
        objective: &Objective,
        events: &mut Vec<TrainEvent>,
    ) -> Result<(StepReport, Option<f64>), ObjectiveError> {
        let cfg = &self.cfg;
        match self.part {
            Part::Adam => {
                let lr = self.lr_schedule.at(self.lr, self.steps);
                let out = self
                    .adam
                    .step(objective, &mut state.theta, state.eps, lr, &[])?;
                self.steps += 1;
                let report = StepReport::at(state, lr, out.before, out.finite, false);
                let loss = out.before.total;
                let capped = self.steps >= cfg.adam_steps;
                if loss < cfg.tolerance || (capped && cfg.lm_iterations == 0) {
                    Ok((report, Some(loss)))
                } else {
                    if capped {
                        self.enter(Part::Lm, state.step + 1, events);
                    }
                    Ok((report, None))
                }
            }
            Part::Lm => {
                let phase = if self.phase_condition {
                    objective.phase_directions(&state.theta)
                } else {
                    Vec::new()
                };
                let out = self
                    .lm
                    .step(objective, &mut state.theta, state.eps, f64::NAN, &phase)?;
                self.steps += 1;
                let after = out.latest();
                let done =
                    after.total < cfg.tolerance || self.steps >= cfg.lm_iterations || !out.moved;
                let report = StepReport::at(state, f64::NAN, after, true, true);
                Ok((report, done.then_some(after.total)))
            }
        }
    }

    /// What Phase I is doing, e.g. "Adam 120/5000" or "LM 3/300 (μ 1e-3)".
    pub fn progress(&self) -> String {
        match self.part {
            Part::Adam => format!("Adam {}/{}", self.steps, self.cfg.adam_steps),
            Part::Lm => format!(
                "LM {}/{} (μ {:.0e})",
                self.steps,
                self.cfg.lm_iterations,
                self.lm.mu().unwrap_or(f64::NAN)
            ),
        }
    }
}
