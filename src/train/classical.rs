//! Classical training: minimize the loss at the target ε from the current parameters with Adam.

use super::adam::Adam;
use super::objective::{Objective, ObjectiveError};
use super::trainer::{EndReason, StepReport, StopRules, TrainState, Trainer};
use crate::config::{LrSchedule, OptimizerConfig};

/// Adam on L(θ; ε_target).
pub struct Classical {
    adam: Adam,
    lr: f64,
    schedule: LrSchedule,
    rules: StopRules,
}

impl Classical {
    pub fn new(optimizer: &OptimizerConfig, n_params: usize, rules: StopRules) -> Self {
        Self {
            adam: Adam::new(optimizer, n_params),
            lr: optimizer.lr,
            schedule: optimizer.schedule,
            rules,
        }
    }
}

impl Trainer for Classical {
    fn label(&self) -> &'static str {
        "classical"
    }

    fn step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError> {
        let (loss, grad) = objective.loss_and_grad(&state.theta, state.eps)?;
        let lr = self.schedule.at(self.lr, state.step);
        let finite = grad.iter().all(|g| g.is_finite());
        if loss.is_finite() && finite {
            self.adam.step(&mut state.theta, &grad, lr);
        }
        Ok(StepReport {
            step: state.step,
            eps: state.eps,
            s: state.s,
            stage: state.stage,
            lr,
            loss,
            finite,
            evaluated_after: false,
        })
    }

    fn end(&mut self, report: &StepReport) -> Option<EndReason> {
        self.rules.check(report.step, report.loss.total)
    }

    fn reset_stopping(&mut self, step: usize) {
        self.rules.reset(step);
    }

    fn set_eps_target(&mut self, state: &mut TrainState, eps: f64) {
        state.eps = eps;
        self.rules.reset(state.step);
    }
}
