//! Strategy 2 (homotopy loss) and its α = 0 special case, the curriculum baseline.
//!
//! Stage 0 is Phase I at ε₀ (Adam, then Levenberg–Marquardt, as in Strategy 1). Each later stage
//! k warm-starts from the previous one at ε_k and minimizes L_H + λL_bc + αL_{H_ε}, the last term
//! built from the previous stage's output channels, until the loss is below τ, it plateaus, or
//! the per-stage step cap is reached.

use super::adam::Adam;
use super::lbfgs::Lbfgs;
use super::lm::LevenbergMarquardt;
use super::objective::{HomotopyTerm, LossParts, Objective, ObjectiveError};
use super::schedule::EpsSchedule;
use super::trainer::{EndReason, StepReport, StopRules, TrainEvent, TrainState, Trainer};
use crate::config::{LmConfig, OptimizerConfig, StageOptimizer, StrategyConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Phase I at ε₀ with Adam.
    Adam,
    /// Phase I at ε₀ with Levenberg–Marquardt.
    Lm,
    /// A homotopy stage at ε_k ≠ ε₀.
    Stage,
    Done,
}

/// Strategy 2 / curriculum.
pub struct Strategy2 {
    cfg: StrategyConfig,
    alpha: f64,
    target: f64,
    optimizer: OptimizerConfig,
    adam: Adam,
    lm: LevenbergMarquardt,
    lbfgs: Lbfgs,
    rules: StopRules,
    schedule: EpsSchedule,
    phase: Phase,
    steps_in_phase: usize,
    /// The step cap of the current stage (the last stage may have its own).
    stage_cap: usize,
    next_stage_pending: bool,
    events: Vec<TrainEvent>,
    done: Option<EndReason>,
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
            target,
            optimizer: optimizer.clone(),
            adam: Adam::new(optimizer, n_params),
            lm: LevenbergMarquardt::new(lm),
            lbfgs: Lbfgs::default(),
            rules: StopRules::new(st.tolerance, st.plateau_patience, 1e-3),
            schedule: EpsSchedule::new(&cfg.schedule, cfg.eps_start, target),
            phase: Phase::Adam,
            steps_in_phase: 0,
            stage_cap: st.max_steps,
            next_stage_pending: false,
            events: Vec::new(),
            done: None,
        }
    }

    fn event_phase(&mut self, step: usize, name: &str) {
        self.events.push(TrainEvent::Phase {
            step,
            name: name.into(),
        });
    }

    fn finish_stage(&mut self, state: &TrainState, loss: f64) {
        self.events.push(TrainEvent::StageFinished {
            step: state.step,
            stage: state.stage,
            eps: state.eps,
            loss,
        });
        if self.schedule.peek(state.eps).is_some() {
            self.next_stage_pending = true;
        } else {
            self.phase = Phase::Done;
            self.done = Some(EndReason::Completed { loss });
        }
    }

    fn begin_stage(&mut self, state: &mut TrainState, objective: &mut Objective) {
        let Some(next) = self.schedule.peek(state.eps) else {
            return;
        };
        self.schedule.advance();
        let current = state.eps;
        if self.alpha > 0.0 {
            objective.set_homotopy(Some(HomotopyTerm {
                alpha: self.alpha,
                delta_eps: next - current,
                previous: objective.residual_channels(&state.theta),
            }));
        } else {
            objective.set_homotopy(None);
        }
        state.eps = next;
        state.stage += 1;
        self.phase = Phase::Stage;
        self.steps_in_phase = 0;
        self.adam.reset();
        self.lbfgs.reset();
        self.lm.reset();
        self.rules.reset(state.step);
        self.events.push(TrainEvent::EpsChanged {
            step: state.step,
            from: current,
            to: next,
        });
    }

    fn report(
        state: &TrainState,
        lr: f64,
        loss: LossParts,
        after: bool,
        finite: bool,
    ) -> StepReport {
        StepReport {
            step: state.step,
            eps: state.eps,
            s: state.s,
            stage: state.stage,
            lr,
            loss,
            finite,
            evaluated_after: after,
        }
    }

    fn adam_step(
        &mut self,
        state: &mut TrainState,
        objective: &Objective,
    ) -> Result<StepReport, ObjectiveError> {
        let (loss, grad) = objective.loss_and_grad(&state.theta, state.eps)?;
        let lr = self
            .optimizer
            .schedule
            .at(self.optimizer.lr, self.steps_in_phase);
        let finite = grad.iter().all(|g| g.is_finite());
        if loss.is_finite() && finite {
            self.adam.step(&mut state.theta, &grad, lr);
        }
        Ok(Self::report(state, lr, loss, false, finite))
    }

    fn lm_step(
        &mut self,
        state: &mut TrainState,
        objective: &Objective,
    ) -> Result<(StepReport, bool), ObjectiveError> {
        let phase = if self.cfg.stages.phase_condition {
            objective.phase_directions(&state.theta)
        } else {
            Vec::new()
        };
        let out = self
            .lm
            .iterate(objective, &mut state.theta, state.eps, &phase)?;
        Ok((
            Self::report(state, f64::NAN, out.loss_after, true, true),
            out.accepted,
        ))
    }
}

impl Trainer for Strategy2 {
    fn label(&self) -> &'static str {
        if self.alpha > 0.0 {
            "strategy2"
        } else {
            "curriculum"
        }
    }

    fn start(&mut self, state: &mut TrainState, objective: &mut Objective) {
        state.eps = self.cfg.eps_start;
        state.stage = 0;
        objective.set_homotopy(None);
        if self.cfg.phase1.adam_steps > 0 {
            self.phase = Phase::Adam;
            self.event_phase(state.step, "stage 0 (phase I): Adam at ε₀");
        } else {
            self.phase = Phase::Lm;
            self.event_phase(state.step, "stage 0 (phase I): Levenberg–Marquardt at ε₀");
        }
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
        self.steps_in_phase += 1;
        let p1 = self.cfg.phase1.clone();
        match self.phase {
            Phase::Adam => {
                let r = self.adam_step(state, objective)?;
                if r.loss.total < p1.tolerance {
                    self.finish_stage(state, r.loss.total);
                } else if self.steps_in_phase >= p1.adam_steps {
                    if p1.lm_iterations > 0 {
                        self.phase = Phase::Lm;
                        self.steps_in_phase = 0;
                        self.event_phase(
                            state.step + 1,
                            "stage 0 (phase I): Levenberg–Marquardt at ε₀",
                        );
                    } else {
                        self.finish_stage(state, r.loss.total);
                    }
                }
                Ok(r)
            }
            Phase::Lm => {
                let (r, accepted) = self.lm_step(state, objective)?;
                if r.loss.total < p1.tolerance
                    || self.steps_in_phase >= p1.lm_iterations
                    || !accepted
                {
                    self.finish_stage(state, r.loss.total);
                }
                Ok(r)
            }
            Phase::Stage | Phase::Done => {
                let st = self.cfg.stages.clone();
                let (r, stalled) = match st.optimizer {
                    StageOptimizer::Adam => (self.adam_step(state, objective)?, false),
                    StageOptimizer::Lm => {
                        let (r, accepted) = self.lm_step(state, objective)?;
                        (r, !accepted)
                    }
                    StageOptimizer::Lbfgs => {
                        let (loss, moved) =
                            self.lbfgs.iterate(objective, &mut state.theta, state.eps)?;
                        (
                            Self::report(state, f64::NAN, loss, false, loss.is_finite()),
                            !moved,
                        )
                    }
                };
                self.stage_cap = st.cap(state.eps, self.target);
                let stop = self.rules.check(state.step, r.loss.total).is_some()
                    || stalled
                    || self.steps_in_phase >= self.stage_cap;
                if stop && self.phase == Phase::Stage {
                    self.finish_stage(state, r.loss.total);
                }
                Ok(r)
            }
        }
    }

    fn end(&mut self, _report: &StepReport) -> Option<EndReason> {
        self.done
    }

    fn set_eps_target(&mut self, state: &mut TrainState, eps: f64) {
        self.target = eps;
        match self.phase {
            Phase::Adam | Phase::Lm => {
                self.schedule = EpsSchedule::new(&self.cfg.schedule, self.cfg.eps_start, eps);
            }
            Phase::Stage | Phase::Done => {
                self.schedule.retarget(state.eps, eps);
                if state.eps != eps {
                    // Re-target from the current state: a new stage starts at the next step.
                    self.next_stage_pending = true;
                    self.done = None;
                    self.phase = Phase::Stage;
                }
            }
        }
    }

    fn schedule_ahead(&self, current: f64) -> Vec<f64> {
        match self.phase {
            Phase::Done => Vec::new(),
            _ => self.schedule.ahead(current),
        }
    }

    fn drain_events(&mut self) -> Vec<TrainEvent> {
        std::mem::take(&mut self.events)
    }

    fn phase(&self) -> String {
        match self.phase {
            Phase::Adam => format!(
                "stage 0: Adam {}/{}",
                self.steps_in_phase, self.cfg.phase1.adam_steps
            ),
            Phase::Lm => format!(
                "stage 0: LM {}/{}",
                self.steps_in_phase, self.cfg.phase1.lm_iterations
            ),
            Phase::Stage => format!(
                "stage: step {}/{} (α = {})",
                self.steps_in_phase, self.stage_cap, self.alpha
            ),
            Phase::Done => "done".into(),
        }
    }
}
