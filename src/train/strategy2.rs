//! Strategy 2 (homotopy loss) and its α = 0 special case, the curriculum baseline.
//!
//! Stage 0 is Phase I at ε₀ (Adam, then Levenberg–Marquardt, as in Strategy 1). Each later stage
//! k warm-starts from the previous one at ε_k and minimizes L_H + λL_bc + αL_{H_ε}, the last term
//! built from the previous stage's output channels, until the loss is below τ, it plateaus, or
//! the per-stage step cap is reached.

use super::inner::{Inner, InnerKind};
use super::objective::{HomotopyTerm, Objective, ObjectiveError};
use super::path::PathTracker;
use super::phase_one::PhaseOne;
use super::trainer::{
    EndReason, PhaseOneHandOver, StepReport, StopRules, TrainEvent, TrainState, Trainer,
};
use crate::config::{LmConfig, OptimizerConfig, StageOptimizer, StrategyConfig, StrategyKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Stage 0: Phase I at ε₀.
    I,
    /// A homotopy stage at ε_k ≠ ε₀.
    Stage,
    Done,
}

/// Strategy 2 / curriculum.
pub struct Strategy2 {
    cfg: StrategyConfig,
    alpha: f64,
    optimizer: OptimizerConfig,
    phase_one: PhaseOne,
    /// The stages' optimizer.
    inner: Inner,
    rules: StopRules,
    path: PathTracker,
    phase: Phase,
    steps_in_phase: usize,
    /// The step cap of the current stage (the last stage may have its own).
    stage_cap: usize,
    next_stage_pending: bool,
}

impl Strategy2 {
    /// `curriculum` forces α = 0 (no L_{H_ε} term).
    pub fn new(
        cfg: &StrategyConfig,
        optimizer: &OptimizerConfig,
        lm: &LmConfig,
        n_params: usize,
        target: f64,
        curriculum: bool,
    ) -> Self {
        let st = &cfg.stages;
        Self {
            cfg: cfg.clone(),
            alpha: if curriculum { 0.0 } else { st.alpha },
            optimizer: optimizer.clone(),
            phase_one: PhaseOne::new(&cfg.phase1, "stage 0 (phase I)", optimizer, lm, n_params),
            inner: Inner::new(
                match st.optimizer {
                    StageOptimizer::Adam => InnerKind::Adam,
                    StageOptimizer::Lm => InnerKind::Lm,
                    StageOptimizer::Lbfgs => InnerKind::Lbfgs,
                },
                optimizer,
                lm,
                n_params,
            ),
            rules: StopRules::new(st.tolerance, st.plateau_patience, 1e-3),
            path: PathTracker::new(cfg, target),
            phase: Phase::I,
            steps_in_phase: 0,
            stage_cap: st.max_steps,
            next_stage_pending: false,
        }
    }

    fn finish_stage(&mut self, state: &TrainState, loss: f64) {
        self.path.events.push(TrainEvent::StageFinished {
            step: state.step,
            stage: state.stage,
            eps: state.eps,
            loss,
        });
        if self.path.schedule.peek(state.eps).is_some() {
            self.next_stage_pending = true;
        } else {
            self.phase = Phase::Done;
            self.path.done = Some(EndReason::Completed { loss });
        }
    }

    fn begin_stage(&mut self, state: &mut TrainState, objective: &mut Objective) {
        let Some(next) = self.path.schedule.peek(state.eps) else {
            return;
        };
        self.path.schedule.advance();
        let current = state.eps;
        if self.alpha > 0.0 {
            objective.set_homotopy(Some(HomotopyTerm {
                alpha: self.alpha,
                delta_eps: next - current,
                previous: objective.residual_channels_or_nan(&state.theta),
            }));
        } else {
            objective.set_homotopy(None);
        }
        state.eps = next;
        state.stage += 1;
        self.phase = Phase::Stage;
        self.steps_in_phase = 0;
        self.inner.reset();
        self.rules.reset(state.step);
        self.path.events.push(TrainEvent::EpsChanged {
            step: state.step,
            from: current,
            to: next,
        });
    }

    /// One step of the stage optimizer at ε_k; also whether it stalled (a rejected LM step,
    /// an L-BFGS line search that found nothing).
    fn stage_step(
        &mut self,
        state: &mut TrainState,
        objective: &Objective,
    ) -> Result<(StepReport, bool), ObjectiveError> {
        let lr = self
            .optimizer
            .schedule
            .at(self.optimizer.lr, self.steps_in_phase);
        let phase = if matches!(self.inner, Inner::Lm(_)) && self.cfg.stages.phase_condition {
            objective.phase_directions(&state.theta)
        } else {
            Vec::new()
        };
        let out = self
            .inner
            .step(objective, &mut state.theta, state.eps, lr, &phase)?;
        Ok(match self.inner {
            Inner::Adam(_) | Inner::Sgd => (
                StepReport::at(state, lr, out.before, out.finite, false),
                false,
            ),
            Inner::Lm(_) => (
                StepReport::at(state, f64::NAN, out.latest(), true, true),
                !out.moved,
            ),
            Inner::Lbfgs(_) => (
                StepReport::at(state, f64::NAN, out.before, out.finite, false),
                !out.moved,
            ),
        })
    }
}

impl Trainer for Strategy2 {
    fn kind(&self) -> StrategyKind {
        if self.alpha > 0.0 {
            StrategyKind::Strategy2
        } else {
            StrategyKind::Curriculum
        }
    }

    fn start(&mut self, state: &mut TrainState, objective: &mut Objective) {
        state.eps = self.cfg.eps_start;
        state.stage = 0;
        objective.set_homotopy(None);
        self.phase = Phase::I;
        self.phase_one.start(state.step, &mut self.path.events);
    }

    fn in_phase_one(&self) -> bool {
        self.phase == Phase::I
    }

    fn into_phase_one(self: Box<Self>) -> Option<PhaseOneHandOver> {
        (self.phase == Phase::I).then_some(self.phase_one.hand_over())
    }

    fn adopt_phase_one(&mut self, phase_one: PhaseOneHandOver) -> bool {
        self.phase_one
            .adopt(self.phase == Phase::I, phase_one, &mut self.path.events)
    }

    fn resume(&mut self, state: &mut TrainState, objective: &mut Objective) {
        objective.set_homotopy(None);
        self.phase = Phase::Stage;
        self.next_stage_pending = true;
        self.path.resume(state, "stages");
    }

    fn step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError> {
        if self.next_stage_pending {
            self.next_stage_pending = false;
            self.begin_stage(state, objective);
        }
        if self.phase == Phase::I {
            let (r, finished) = self
                .phase_one
                .step(state, objective, &mut self.path.events)?;
            if let Some(loss) = finished {
                self.finish_stage(state, loss);
            }
            return Ok(r);
        }
        self.steps_in_phase += 1;
        let (r, stalled) = self.stage_step(state, objective)?;
        self.stage_cap = self.cfg.stages.cap(state.eps, self.path.target);
        let stop = self.rules.check(state.step, r.loss.total).is_some()
            || stalled
            || self.steps_in_phase >= self.stage_cap;
        if stop && self.phase == Phase::Stage {
            self.finish_stage(state, r.loss.total);
        }
        Ok(r)
    }

    fn end(&mut self, _report: &StepReport) -> Option<EndReason> {
        self.path.done
    }

    fn set_eps_target(&mut self, state: &mut TrainState, eps: f64) {
        let started = self.phase != Phase::I;
        if self.path.set_target(started, state.eps, eps) {
            // Re-target from the current state: a new stage starts at the next step.
            self.next_stage_pending = true;
            self.phase = Phase::Stage;
        }
    }

    fn schedule_ahead(&self, current: f64) -> Vec<f64> {
        self.path.ahead(current, self.phase == Phase::Done)
    }

    fn drain_events(&mut self) -> Vec<TrainEvent> {
        self.path.drain_events()
    }

    fn phase(&self) -> String {
        match self.phase {
            Phase::I => format!("stage 0: {}", self.phase_one.progress()),
            Phase::Stage => format!(
                "stage: step {}/{} (α = {})",
                self.steps_in_phase, self.stage_cap, self.alpha
            ),
            Phase::Done => "done".into(),
        }
    }
}
