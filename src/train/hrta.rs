//! HRTA stages (DESIGN §1.5): the activation homotopy σ_s = (1−s)x + sσ(x) walked through a list
//! of s values (relaxation for 1 < s ≤ 2), switching after a fixed number of steps or on a loss
//! plateau. Wraps any trainer; at each switch it records λ_min(SSᵀ) at the same θ for the old
//! and the new s (Theorem 1 of the HRTA paper: it grows with s).

use super::objective::{Objective, ObjectiveError};
use super::trainer::{EndReason, StepReport, StopRules, TrainEvent, TrainState, Trainer};
use crate::config::{HrtaConfig, HrtaSwitch, StrategyKind};
use crate::diagnostics::spectrum::kernel_spectrum;
use crate::net::Activation;

/// HRTA stages around an inner trainer.
pub struct Hrta {
    inner: Box<dyn Trainer>,
    s_values: Vec<f64>,
    index: usize,
    switch: HrtaSwitch,
    steps_at_s: usize,
    rules: StopRules,
    pending: bool,
    rcond: f64,
    events: Vec<TrainEvent>,
}

impl Hrta {
    pub fn new(inner: Box<dyn Trainer>, config: &HrtaConfig, rcond: f64) -> Self {
        let (patience, rel) = match config.switch {
            HrtaSwitch::Plateau {
                patience,
                rel_improvement,
            } => (patience, rel_improvement),
            HrtaSwitch::Steps { .. } => (0, 0.0),
        };
        Self {
            inner,
            s_values: config.s_schedule(),
            index: 0,
            switch: config.switch,
            steps_at_s: 0,
            rules: StopRules::new(0.0, patience, rel),
            pending: false,
            rcond,
            events: Vec::new(),
        }
    }

    fn set_s(objective: &mut Objective, state: &mut TrainState, s: f64) {
        let mut shape = objective.shape().clone();
        shape.activation = Activation {
            kind: shape.activation.kind,
            s,
        };
        objective.set_shape(shape);
        state.s = s;
    }

    fn lambda_min_sst(&self, objective: &Objective, theta: &[f64]) -> Option<f64> {
        let (s, _) = objective.value_jacobian(theta);
        kernel_spectrum(&s, self.rcond)
            .ok()
            .and_then(|k| k.lambda_min)
    }

    fn switch(&mut self, state: &mut TrainState, objective: &mut Objective) {
        let from = self.s_values[self.index];
        let to = self.s_values[self.index + 1];
        let before = self.lambda_min_sst(objective, &state.theta);
        Self::set_s(objective, state, to);
        let after = self.lambda_min_sst(objective, &state.theta);
        self.events.push(TrainEvent::SChanged {
            step: state.step,
            from,
            to,
            lambda_min_sst_from: before,
            lambda_min_sst_to: after,
        });
        self.index += 1;
        self.steps_at_s = 0;
        self.rules.reset(state.step);
        self.inner.reset_stopping(state.step);
    }

    fn is_last(&self) -> bool {
        self.index + 1 >= self.s_values.len()
    }
}

impl Trainer for Hrta {
    fn kind(&self) -> StrategyKind {
        self.inner.kind()
    }

    fn start(&mut self, state: &mut TrainState, objective: &mut Objective) {
        Self::set_s(objective, state, self.s_values[0]);
        self.inner.start(state, objective);
    }

    fn step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError> {
        if self.pending {
            self.pending = false;
            self.switch(state, objective);
        }
        let report = self.inner.step(state, objective)?;
        self.steps_at_s += 1;
        if !self.is_last() {
            let due = match self.switch {
                HrtaSwitch::Steps { every } => self.steps_at_s >= every,
                HrtaSwitch::Plateau { .. } => {
                    self.rules.check(report.step, report.loss.total).is_some()
                }
            };
            self.pending |= due;
        }
        Ok(report)
    }

    fn end(&mut self, report: &StepReport) -> Option<EndReason> {
        let inner = self.inner.end(report);
        match inner {
            Some(EndReason::Converged { .. } | EndReason::Plateau { .. }) if !self.is_last() => {
                self.pending = true;
                None
            }
            other => other,
        }
    }

    fn set_eps_target(&mut self, state: &mut TrainState, eps: f64) {
        self.inner.set_eps_target(state, eps);
    }

    fn reset_stopping(&mut self, step: usize) {
        self.inner.reset_stopping(step);
    }

    fn schedule_ahead(&self, current: f64) -> Vec<f64> {
        self.inner.schedule_ahead(current)
    }

    fn drain_events(&mut self) -> Vec<TrainEvent> {
        let mut events = std::mem::take(&mut self.events);
        events.extend(self.inner.drain_events());
        events
    }

    fn phase(&self) -> String {
        format!(
            "{} · HRTA s = {} ({}/{})",
            self.inner.phase(),
            self.s_values[self.index],
            self.index + 1,
            self.s_values.len()
        )
    }
}
