//! Strategy 1 (Algorithm 1 of the homotopy paper): Phase I trains at ε₀ (Adam, then
//! Levenberg–Marquardt) until the loss is below τ; Phase II tracks the solution path with Euler
//! predictor steps θ_k = θ_{k−1} − Δε_k J⁺[H_ε; 0], optionally projected by the phase condition
//! ⟨u′, δu⟩ = 0 and followed by a corrector at ε_k. One call to `step` is one Adam step, one LM
//! iteration or one predictor–corrector step.

use super::inner::{Inner, InnerKind};
use super::lm::LevenbergMarquardt;
use super::objective::{Objective, ObjectiveError};
use super::path::PathTracker;
use super::phase_one::PhaseOne;
use super::trainer::{EndReason, PhaseOneHandOver, StepReport, TrainEvent, TrainState, Trainer};
use crate::config::{
    Corrector, LmConfig, OptimizerConfig, PseudoInverse, ScheduleConfig, StrategyConfig,
    StrategyKind,
};
use crate::linalg::matrix_free;
use crate::linalg::{Form, Normal, project_out};
use crate::net::jacobian::Jacobian;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    I,
    Euler,
    Done,
}

/// Strategy 1: Phase I at ε₀, then Euler path tracking.
pub struct Strategy1 {
    cfg: StrategyConfig,
    optimizer: OptimizerConfig,
    phase_one: PhaseOne,
    corrector_lm: LevenbergMarquardt,
    corrector_adam: Inner,
    path: PathTracker,
    phase: Phase,
    /// `lm.memory_budget_mib`: the predictor's stored system must fit in it.
    budget_mib: f64,
    /// Whether the predictor's memory plan was checked (on the first step).
    planned: bool,
}

impl Strategy1 {
    pub fn new(
        cfg: &StrategyConfig,
        optimizer: &OptimizerConfig,
        lm: &LmConfig,
        n_params: usize,
        target: f64,
    ) -> Self {
        Self {
            cfg: cfg.clone(),
            optimizer: optimizer.clone(),
            phase_one: PhaseOne::new(&cfg.phase1, "phase I", optimizer, lm, n_params),
            corrector_lm: LevenbergMarquardt::new(&LmConfig {
                geodesic_acceleration: cfg.euler.corrector_acceleration,
                ..lm.clone()
            }),
            corrector_adam: Inner::new(InnerKind::Adam, optimizer, lm, n_params),
            path: PathTracker::new(cfg, target),
            phase: Phase::I,
            budget_mib: lm.memory_budget_mib,
            planned: false,
        }
    }

    /// The Euler predictor stores J and eigendecomposes its normal matrix (a pseudo-inverse
    /// has no matrix-free route): refuse on the first step, before Phase I's work, naming the
    /// sizes, when they do not fit the memory budget. Any model, any problem.
    fn plan_predictor(&self, objective: &Objective) -> Result<(), ObjectiveError> {
        let sizes = super::lm::sizes(objective);
        let (rows, cols) = (sizes.rows, sizes.cols);
        let form = Form::for_shape(rows, cols);
        let k = form.size(rows, cols);
        // J, the tapes and the k × k normal matrix with a copy (LM's dense estimate), and
        // beside them the eigensolver's eigenvectors and their reordered copy.
        let bytes = matrix_free::dense_bytes(&sizes, form) + 2.0 * 8.0 * (k * k) as f64;
        let need = matrix_free::mib(bytes);
        if need <= self.budget_mib {
            return Ok(());
        }
        Err(ObjectiveError::Memory(format!(
            "Strategy 1's Euler predictor needs {need:.0} MiB, more than lm.memory_budget_mib = {} MiB. It stores the {rows} × {cols} Jacobian and eigendecomposes its {k} × {k} normal matrix, and a pseudo-inverse has no matrix-free route. Raise lm.memory_budget_mib, train on fewer points (for operator learning, fewer inputs), or use strategy2 with LM stages (strategy.stages.optimizer = \"lm\"), whose steps go matrix-free when the system is this large",
            self.budget_mib
        )))
    }

    fn phase_one_step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError> {
        let (report, finished) = self
            .phase_one
            .step(state, objective, &mut self.path.events)?;
        if let Some(loss) = finished {
            self.finish_phase1(state, loss);
        }
        Ok(report)
    }

    /// Phase I is over: mark ε₀ as a finished path point and start Phase II.
    fn finish_phase1(&mut self, state: &TrainState, loss: f64) {
        self.path.events.push(TrainEvent::StageFinished {
            step: state.step,
            stage: state.stage,
            eps: state.eps,
            loss,
        });
        self.phase = Phase::Euler;
        self.path.events.push(TrainEvent::Phase {
            step: state.step + 1,
            name: "phase II: Euler path tracking".into(),
        });
    }

    /// [J_res; √λ J_bc] and [H_ε; −√λ g_ε] (DESIGN §1.4; g_ε = 0 for ε-independent boundary
    /// data), projected by the phase condition if on.
    fn predictor_system(
        &self,
        objective: &Objective,
        theta: &[f64],
        eps: f64,
    ) -> Result<(Jacobian, Vec<f64>, super::LossParts), ObjectiveError> {
        let lin = objective.linearize(theta, eps)?;
        let sqrt_bc = objective.bc_weight().sqrt();
        let mut a = lin.residual.jacobian;
        a.stack_scaled(&lin.boundary.jacobian, sqrt_bc);
        // Rows of d/dε [H; √λ(u_bc − g)] = 0: J θ′ = −[H_ε; −√λ g_ε].
        let mut b = lin.h_eps;
        b.extend(lin.g_eps.iter().map(|g| -sqrt_bc * g));
        if self.cfg.euler.phase_condition {
            for c in objective.phase_directions(theta) {
                project_out(&mut a, &c);
            }
        }
        Ok((a, b, lin.loss))
    }

    fn euler_step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError> {
        let Some(next) = self.path.schedule.peek(state.eps) else {
            let loss = objective.loss(&state.theta, state.eps)?;
            self.phase = Phase::Done;
            self.path.done = Some(EndReason::Completed { loss: loss.total });
            return Ok(StepReport::at(state, f64::NAN, loss, true, true));
        };
        let current = state.eps;
        let delta = next - current;
        let (a, b, loss_now) = self.predictor_system(objective, &state.theta, current)?;
        let Ok(eig) = Normal::new(&a).spectral() else {
            return Ok(StepReport::at(state, f64::NAN, loss_now, false, true));
        };
        let x = match self.cfg.euler.solver {
            PseudoInverse::TruncatedSvd => eig.truncated_solve(&a, &b, self.cfg.euler.rcond),
            PseudoInverse::Tikhonov => eig.tikhonov_solve(&a, &b, self.cfg.euler.tikhonov_mu),
        };
        let mut theta: Vec<f64> = state
            .theta
            .iter()
            .zip(&x)
            .map(|(t, xi)| t - delta * xi)
            .collect();
        self.correct(objective, &mut theta, next)?;
        let after = objective.loss(&theta, next)?;
        if let ScheduleConfig::Adaptive {
            tolerance,
            easy_fraction,
            ..
        } = self.cfg.schedule
        {
            let bad = !after.is_finite() || after.total > tolerance;
            if bad && self.path.schedule.on_rejected() {
                self.path.events.push(TrainEvent::StepRejected {
                    step: state.step,
                    eps_tried: next,
                    loss: after.total,
                    new_delta: self.path.schedule.delta(),
                });
                return Ok(StepReport::at(state, f64::NAN, loss_now, true, true));
            }
            if after.total < tolerance * easy_fraction {
                self.path.schedule.on_easy();
            }
        }
        state.theta = theta;
        if !after.is_finite() {
            return Ok(StepReport::at(state, f64::NAN, after, false, true));
        }
        self.path.schedule.advance();
        state.eps = next;
        state.stage += 1;
        self.path.events.push(TrainEvent::EpsChanged {
            step: state.step,
            from: current,
            to: next,
        });
        self.path.events.push(TrainEvent::StageFinished {
            step: state.step,
            stage: state.stage,
            eps: next,
            loss: after.total,
        });
        if self.path.schedule.peek(next).is_none() {
            self.phase = Phase::Done;
            self.path.done = Some(EndReason::Completed { loss: after.total });
        }
        Ok(StepReport::at(state, f64::NAN, after, true, true))
    }

    fn correct(
        &mut self,
        objective: &Objective,
        theta: &mut [f64],
        eps: f64,
    ) -> Result<(), ObjectiveError> {
        let m = self.cfg.euler.corrector_steps;
        match self.cfg.euler.corrector {
            Corrector::None => {}
            Corrector::Lm => {
                for _ in 0..m {
                    let c = if self.cfg.euler.phase_condition {
                        objective.phase_directions(theta)
                    } else {
                        Vec::new()
                    };
                    self.corrector_lm.iterate(objective, theta, eps, &c)?;
                }
            }
            Corrector::Adam => {
                self.corrector_adam.reset();
                for _ in 0..m {
                    let out =
                        self.corrector_adam
                            .step(objective, theta, eps, self.optimizer.lr, &[])?;
                    if !out.moved {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

impl Trainer for Strategy1 {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Strategy1
    }

    fn start(&mut self, state: &mut TrainState, _objective: &mut Objective) {
        state.eps = self.cfg.eps_start;
        state.stage = 0;
        self.phase = Phase::I;
        self.phase_one.start(state.step, &mut self.path.events);
    }

    fn in_phase_one(&self) -> bool {
        self.phase == Phase::I
    }

    fn resume(&mut self, state: &mut TrainState, _objective: &mut Objective) {
        self.phase = Phase::Euler;
        self.path.resume(state, "phase II: Euler path tracking,");
    }

    fn into_phase_one(self: Box<Self>) -> Option<PhaseOneHandOver> {
        (self.phase == Phase::I).then_some(self.phase_one.hand_over())
    }

    fn adopt_phase_one(&mut self, phase_one: PhaseOneHandOver) -> bool {
        self.phase_one
            .adopt(self.phase == Phase::I, phase_one, &mut self.path.events)
    }

    fn step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError> {
        if !self.planned {
            self.plan_predictor(objective)?;
            self.planned = true;
        }
        match self.phase {
            Phase::I => self.phase_one_step(state, objective),
            Phase::Euler | Phase::Done => self.euler_step(state, objective),
        }
    }

    fn end(&mut self, _report: &StepReport) -> Option<EndReason> {
        self.path.done
    }

    fn set_eps_target(&mut self, state: &mut TrainState, eps: f64) {
        // Phase I runs at ε₀; the new target applies when Phase II starts.
        let started = self.phase != Phase::I;
        if self.path.set_target(started, state.eps, eps) {
            self.phase = Phase::Euler;
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
            Phase::I => format!("phase I: {}", self.phase_one.progress()),
            Phase::Euler => format!("phase II: Euler → ε* = {}", self.path.target),
            Phase::Done => "done".into(),
        }
    }
}
