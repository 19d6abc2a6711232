//! One step of a session and the run loop: the trainer's unit of work wrapped in the rules
//! every strategy shares — roll back to the last finite θ on a non-finite step, and to the last
//! state below the explosion scale when the PDE loss stays above it; the step cap; stage
//! records with their pictures for the caller and their numbers for the session; evaluation,
//! history and diagnostics at their cadences.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::super::objective::ObjectiveError;
use super::super::trainer::{EndReason, TrainEvent};
use super::{HistoryRow, Progress, Session, StageRecord};
use crate::diagnostics::evaluate;

/// How many times the untrained network's PDE loss the PDE loss may stay above for
/// [`EXPLOSION_STEPS`] steps before the run counts as exploded (rolled back to the last state
/// below and ended as diverged).
pub const EXPLODED: f64 = 1e4;
/// Steps in a row above [`EXPLODED`] times the untrained loss that make an explosion.
pub const EXPLOSION_STEPS: usize = 50;

impl Session {
    /// Take one step. Returns `None` when the run has already ended.
    pub fn step(&mut self) -> Result<Option<Progress>, ObjectiveError> {
        if self.end.is_some() {
            return Ok(None);
        }
        let started = Instant::now();
        let start = self.snapshot();
        let report = self.trainer.step(&mut self.state, &mut self.objective)?;
        let above = self.loss_scale > 0.0 && report.loss.pde() > EXPLODED * self.loss_scale;
        let finite = report.loss.is_finite() && report.finite;
        let end = if finite && above && self.steps_above + 1 >= EXPLOSION_STEPS {
            self.restore(self.last_sane.clone());
            self.steps_above = 0;
            Some(EndReason::Diverged { step: report.step })
        } else if finite {
            // The loss leaves the untrained network's scale: the last finite state (that of
            // the previous report, below the scale) is the one to come back to. Kept only at
            // that moment, so a normal step copies θ once, not twice.
            if above && self.steps_above == 0 {
                self.last_sane = self.last_finite.clone();
            }
            self.last_finite = if report.evaluated_after {
                self.snapshot()
            } else {
                start
            };
            if above {
                self.steps_above += 1;
            } else {
                self.steps_above = 0;
            }
            self.state.step += 1;
            self.trainer.end(&report).or_else(|| {
                (self.state.step >= self.config.training.max_steps).then_some(EndReason::MaxSteps)
            })
        } else {
            // Non-finite: back to the last finite state, or, when the loss had already left
            // the untrained network's scale, to the last state before it did.
            let to = if self.steps_above > 0 {
                self.last_sane.clone()
            } else {
                self.last_finite.clone()
            };
            self.steps_above = 0;
            self.restore(to);
            Some(EndReason::Diverged { step: report.step })
        };
        let mut events = self.trainer.drain_events();
        if end.is_none() {
            events.extend(self.resample_if_due());
        }
        self.train_secs += started.elapsed().as_secs_f64();
        self.steps_trained += 1;
        let mut stages = Vec::new();
        for e in &events {
            if let TrainEvent::StageFinished {
                step,
                stage,
                eps,
                loss,
            } = *e
            {
                let eval = evaluate(
                    self.problem.as_ref(),
                    self.objective.network(),
                    &self.state.theta,
                    eps,
                );
                let reference = self
                    .problem
                    .reference(eps)
                    .or_else(|| self.problem.exact(eps))
                    .map(|r| r.values);
                stages.push(StageRecord {
                    step,
                    stage,
                    eps,
                    loss,
                    accuracy: eval.accuracy,
                    u: eval.u,
                    reference,
                    residual: Vec::new(),
                    theta: self.state.theta.clone(),
                });
            }
        }
        self.events.extend(events.iter().cloned());
        // The session's own list keeps the numbers; the pictures go to the caller only.
        self.stages.extend(stages.iter().map(|s| StageRecord {
            step: s.step,
            stage: s.stage,
            eps: s.eps,
            loss: s.loss,
            accuracy: s.accuracy,
            ..StageRecord::default()
        }));
        let eval_due = report.step % self.config.training.eval_every == 0 || end.is_some();
        let eval = eval_due.then(|| self.evaluate());
        if eval_due || report.step % self.config.outputs.history_every == 0 {
            self.history.push(HistoryRow::new(&report, eval.as_ref()));
        }
        let every = self.config.diagnostics.every;
        let diagnostics = (every > 0 && report.step % every == 0)
            .then(|| self.spectral_report().ok())
            .flatten();
        if let Some(d) = &diagnostics {
            self.diagnostics.push((report.step, d.clone()));
        }
        self.end = end;
        Ok(Some(Progress {
            report,
            eval,
            end,
            events,
            stages,
            diagnostics,
        }))
    }

    /// Step until the run ends or `interrupt` is set; `observe` sees every step.
    pub fn run(
        &mut self,
        interrupt: &AtomicBool,
        mut observe: impl FnMut(&Progress),
    ) -> Result<EndReason, ObjectiveError> {
        loop {
            if interrupt.load(Ordering::Relaxed) {
                self.interrupt();
            }
            match self.step()? {
                Some(p) => {
                    observe(&p);
                    if let Some(end) = p.end {
                        return Ok(end);
                    }
                }
                None => return Ok(self.end.unwrap_or(EndReason::Interrupted)),
            }
        }
    }
}
