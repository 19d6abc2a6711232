//! A training session: one config, its problem, objective, trainer and state, stepped one unit
//! at a time (the GUI worker) or run to the end (the CLI). The session owns the rules every
//! strategy shares: roll back to the last finite θ on divergence, honour the interrupt flag and
//! the step cap, evaluate at a cadence, and keep the history.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::Serialize;

use super::classical::Classical;
use super::objective::{LossParts, Objective, ObjectiveError};
use super::trainer::{EndReason, StepReport, StopRules, TrainState, Trainer};
use crate::backend::ComputeDevice;
use crate::config::RunConfig;
use crate::diagnostics::{EvalReport, evaluate};
use crate::problem::Problem;

/// One row of the run history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryRow {
    pub step: usize,
    pub eps: f64,
    pub s: f64,
    pub stage: usize,
    pub lr: f64,
    pub loss: f64,
    pub loss_residual: f64,
    pub loss_boundary: f64,
    pub l2re_exact: Option<f64>,
    pub l2re_reference: Option<f64>,
    pub front_x0: Option<f64>,
}

impl HistoryRow {
    fn new(r: &StepReport, eval: Option<&EvalReport>) -> Self {
        Self {
            step: r.step,
            eps: r.eps,
            s: r.s,
            stage: r.stage,
            lr: r.lr,
            loss: r.loss.total,
            loss_residual: r.loss.residual,
            loss_boundary: r.loss.boundary,
            l2re_exact: eval.and_then(|e| e.l2re_exact),
            l2re_reference: eval.and_then(|e| e.l2re_reference),
            front_x0: eval.and_then(|e| e.front_x0),
        }
    }
}

/// What one call to [`Session::step`] produced.
#[derive(Clone, Debug)]
pub struct Progress {
    pub report: StepReport,
    /// Present on evaluation steps.
    pub eval: Option<EvalReport>,
    /// Set when this step ended the run.
    pub end: Option<EndReason>,
}

/// A run in progress.
pub struct Session {
    pub config: RunConfig,
    pub problem: Arc<dyn Problem>,
    pub objective: Objective,
    pub trainer: Box<dyn Trainer>,
    pub state: TrainState,
    /// Rows every `outputs.history_every` steps, evaluation steps and the last step.
    pub history: Vec<HistoryRow>,
    last_finite_theta: Vec<f64>,
    end: Option<EndReason>,
    train_secs: f64,
}

impl Session {
    /// Build problem, network, objective and trainer from a validated config.
    pub fn new(config: RunConfig, device: &ComputeDevice) -> Self {
        let problem: Arc<dyn Problem> = Arc::from(config.build_problem());
        let shape = config.build_shape(problem.dim());
        let theta = shape.init(config.network.init, config.training.seed);
        let objective = Objective::new(
            problem.clone(),
            shape.clone(),
            device,
            config.problem.bc_weight,
        );
        let t = &config.training;
        let rules = StopRules::new(
            t.loss_tolerance,
            t.plateau_patience,
            t.plateau_rel_improvement,
        );
        let trainer = Box::new(Classical::new(&config.optimizer, shape.n_params(), rules));
        let state = TrainState {
            theta: theta.clone(),
            eps: config.problem.eps,
            s: config.network.hrta_s,
            stage: 0,
            step: 0,
        };
        Self {
            config,
            problem,
            objective,
            trainer,
            state,
            history: Vec::new(),
            last_finite_theta: theta,
            end: None,
            train_secs: 0.0,
        }
    }

    /// Why the run ended, once it has.
    pub fn end_reason(&self) -> Option<EndReason> {
        self.end
    }

    /// Seconds spent inside [`Session::step`] so far.
    pub fn train_secs(&self) -> f64 {
        self.train_secs
    }

    /// Evaluate the current θ at the current ε.
    pub fn evaluate(&self) -> EvalReport {
        evaluate(
            self.problem.as_ref(),
            self.objective.shape(),
            &self.state.theta,
            self.state.eps,
        )
    }

    /// The loss at the current θ.
    pub fn current_loss(&self) -> Result<LossParts, ObjectiveError> {
        self.objective.loss(&self.state.theta, self.state.eps)
    }

    /// Stop the run now (the UI's pause-and-end or Ctrl-C).
    pub fn interrupt(&mut self) {
        if self.end.is_none() {
            self.end = Some(EndReason::Interrupted);
        }
    }

    /// Take one step. Returns `None` when the run has already ended.
    pub fn step(&mut self) -> Result<Option<Progress>, ObjectiveError> {
        if self.end.is_some() {
            return Ok(None);
        }
        let started = Instant::now();
        let start_theta = self.state.theta.clone();
        let report = self.trainer.step(&mut self.state, &mut self.objective)?;
        let end = if report.loss.is_finite() && report.finite {
            self.last_finite_theta = start_theta;
            self.state.step += 1;
            self.trainer.end(&report).or_else(|| {
                (self.state.step >= self.config.training.max_steps).then_some(EndReason::MaxSteps)
            })
        } else {
            self.state.theta = self.last_finite_theta.clone();
            Some(EndReason::Diverged { step: report.step })
        };
        self.train_secs += started.elapsed().as_secs_f64();
        let eval_due = report.step % self.config.training.eval_every == 0 || end.is_some();
        let eval = eval_due.then(|| self.evaluate());
        if eval_due || report.step % self.config.outputs.history_every == 0 {
            self.history.push(HistoryRow::new(&report, eval.as_ref()));
        }
        self.end = end;
        Ok(Some(Progress { report, eval, end }))
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
