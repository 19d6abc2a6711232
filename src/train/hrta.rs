//! HRTA stages (DESIGN §1.5): the activation homotopy σ_s = (1−s)x + sσ(x) walked through a list
//! of s values (relaxation for 1 < s ≤ 2), switching after a fixed number of steps or on a loss
//! plateau. Wraps any trainer; at each switch it records λ_min(SSᵀ) at the same θ for the old
//! and the new s (Theorem 1 of the HRTA paper: it grows with s).

use super::objective::{Objective, ObjectiveError};
use super::trainer::{EndReason, StepReport, StopRules, TrainEvent, TrainState, Trainer};
use crate::config::{HrtaConfig, HrtaSwitch, StrategyKind};
use crate::diagnostics::spectrum::kernel_spectrum;

/// The largest change of s in one HRTA stage when HRTA starts on a network that has already
/// trained: the function changes by at most this much of (x − σ(x)) at each switch.
pub const MID_RUN_DS: f64 = 0.1;

/// The s values HRTA walks when it starts (or restarts, after a settings change) on a network
/// trained at `current`: from `current` itself (the function the run has learned) up through
/// the schedule's values above it in steps of at most [`MID_RUN_DS`]. Refused when `fresh_on`
/// (HRTA was off) and the schedule holds an s below `current`: going down would change the
/// learned function at once. Values below `current` of a schedule already running are done.
pub fn mid_run_schedule(
    schedule: &[f64],
    current: f64,
    fresh_on: bool,
) -> Result<Vec<f64>, String> {
    let list = schedule
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if fresh_on && let Some(low) = schedule.iter().copied().find(|&s| s < current - 1e-12) {
        return Err(format!(
            "HRTA not turned on: its s values ({list}) start below the network's current s = {current}, and switching to s = {low} now would change the function this run has learned (the loss would jump); Reset to train with HRTA from the start, or choose s values from {current} up (a relaxation, e.g. {current}, 1.5)"
        ));
    }
    let mut out = vec![current];
    for &target in schedule.iter().filter(|&&s| s > current + 1e-12) {
        let last = *out.last().expect("starts with current");
        if target <= last {
            continue;
        }
        let n = ((target - last) / MID_RUN_DS).ceil().max(1.0) as usize;
        out.extend((1..=n).map(|i| last + (target - last) * i as f64 / n as f64));
    }
    Ok(out)
}

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
        let net = objective.network().with_activation_s(s);
        objective.set_network(net);
        state.s = s;
    }

    fn lambda_min_sst(&self, objective: &Objective, theta: &[f64]) -> Option<f64> {
        let (s, _) = objective.value_jacobian(theta).ok()?;
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

    fn resume(&mut self, state: &mut TrainState, objective: &mut Objective) {
        Self::set_s(objective, state, self.s_values[0]);
        self.inner.resume(state, objective);
    }

    fn in_phase_one(&self) -> bool {
        self.inner.in_phase_one()
    }

    fn into_phase_one(self: Box<Self>) -> Option<super::trainer::PhaseOneHandOver> {
        self.inner.into_phase_one()
    }

    fn adopt_phase_one(&mut self, phase_one: super::trainer::PhaseOneHandOver) -> bool {
        self.inner.adopt_phase_one(phase_one)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrta_mid_run_goes_on_from_the_current_s_in_small_steps_or_says_why_not() {
        // Relaxation from a network trained at s = 1: 1 → 1.5 in steps of 0.1.
        let up = mid_run_schedule(&[1.0, 1.5], 1.0, true).unwrap();
        assert_eq!(up.len(), 6);
        assert_eq!(up[0], 1.0);
        assert!((up[5] - 1.5).abs() < 1e-12);
        assert!(up.windows(2).all(|w| w[1] - w[0] <= MID_RUN_DS + 1e-12));
        // The homotopy 0.5 → 1 would first jump down to 0.5: refused, saying why and what to do.
        let why = mid_run_schedule(&[0.5, 1.0], 1.0, true).unwrap_err();
        assert!(
            why.contains("below the network's current s = 1") && why.contains("Reset"),
            "{why}"
        );
        // A schedule already running restarts from where it stands (values below are done).
        assert_eq!(
            mid_run_schedule(&[0.5, 1.0], 1.0, false).unwrap(),
            vec![1.0]
        );
        let rest = mid_run_schedule(&[0.5, 1.0, 1.2], 1.0, false).unwrap();
        assert_eq!(rest.len(), 3);
        assert!((rest[2] - 1.2).abs() < 1e-12);
    }
}
