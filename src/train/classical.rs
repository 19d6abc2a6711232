//! Classical training: minimize the loss at the target ε from the current parameters with the
//! configured optimizer — Adam, plain SGD, implicit SGD (ISGD's Algorithm 1), L-BFGS, Levenberg–Marquardt,
//! or the linearized implicit step (LM with fixed μ = 1/α).

use super::adam::Adam;
use super::inner::{Inner, InnerKind, gradient_step};
use super::lm::LevenbergMarquardt;
use super::objective::{Objective, ObjectiveError};
use super::trainer::{EndReason, StepReport, StopRules, TrainState, Trainer};
use crate::config::{
    IsgdConfig, LmConfig, LrSchedule, OptimizerConfig, OptimizerKind, StrategyKind,
};

/// ISGD's state: the anchor θ_n of the current implicit step and the loop counters.
struct Isgd {
    config: IsgdConfig,
    inner: Adam,
    after: Adam,
    anchor: Option<Vec<f64>>,
    inner_done: usize,
    outer_done: usize,
}

impl Isgd {
    /// One inner Adam step on ½‖θ − θ_n‖² + αL(θ), or a plain Adam step once K₀ implicit
    /// steps are done. Returns the learning rate used.
    fn step(&mut self, theta: &mut [f64], grad: &[f64], alpha: f64) -> f64 {
        if self.outer_done >= self.config.outer_steps {
            self.after.step(theta, grad, self.config.final_lr);
            return self.config.final_lr;
        }
        let anchor = self.anchor.get_or_insert_with(|| theta.to_vec());
        let prox: Vec<f64> = theta
            .iter()
            .zip(anchor.iter())
            .zip(grad)
            .map(|((t, a), g)| t - a + alpha * g)
            .collect();
        self.inner.step(theta, &prox, self.config.inner_lr);
        self.inner_done += 1;
        if self.inner_done >= self.config.inner_steps {
            self.inner_done = 0;
            self.outer_done += 1;
            self.anchor = Some(theta.to_vec());
            self.inner.reset();
        }
        self.config.inner_lr
    }
}

/// The shared inner optimizers, and the two updates only classical training makes.
enum Optimizer {
    Inner(Inner),
    Isgd(Box<Isgd>),
    /// The linearized implicit step θ ← θ − (I/α + JᵀJ)⁻¹Jᵀr (LM's routes, fixed damping).
    ImplicitGn(LevenbergMarquardt),
}

/// The configured optimizer on L(θ; ε_target).
pub struct Classical {
    optimizer: Optimizer,
    lr: f64,
    schedule: LrSchedule,
    rules: StopRules,
}

impl Classical {
    pub fn new(
        optimizer: &OptimizerConfig,
        lm: &LmConfig,
        n_params: usize,
        rules: StopRules,
    ) -> Self {
        let inner = |kind| Optimizer::Inner(Inner::new(kind, optimizer, lm, n_params));
        let kind = match optimizer.kind {
            OptimizerKind::Adam => inner(InnerKind::Adam),
            OptimizerKind::Sgd => inner(InnerKind::Sgd),
            OptimizerKind::Isgd => Optimizer::Isgd(Box::new(Isgd {
                config: optimizer.isgd.clone(),
                inner: Adam::new(optimizer, n_params),
                after: Adam::new(optimizer, n_params),
                anchor: None,
                inner_done: 0,
                outer_done: 0,
            })),
            OptimizerKind::Lbfgs => inner(InnerKind::Lbfgs),
            OptimizerKind::Lm => inner(InnerKind::Lm),
            OptimizerKind::ImplicitGn => Optimizer::ImplicitGn(LevenbergMarquardt::new(lm)),
        };
        Self {
            optimizer: kind,
            lr: optimizer.lr,
            schedule: optimizer.schedule,
            rules,
        }
    }
}

impl Trainer for Classical {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Classical
    }

    fn step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError> {
        let mut lr = self.schedule.at(self.lr, state.step);
        let (loss, finite) = match &mut self.optimizer {
            Optimizer::Inner(inner) => {
                let out = inner.step(objective, &mut state.theta, state.eps, lr, &[])?;
                if let Some(mu) = out.mu {
                    lr = mu;
                }
                (out.before, out.finite)
            }
            Optimizer::ImplicitGn(lm) => {
                let loss = lm.fixed_step(objective, &mut state.theta, state.eps, 1.0 / lr)?;
                (loss, loss.is_finite())
            }
            Optimizer::Isgd(isgd) => {
                let out = gradient_step(objective, &mut state.theta, state.eps, |t, g| {
                    lr = isgd.step(t, g, lr)
                })?;
                (out.before, out.finite)
            }
        };
        Ok(StepReport::at(state, lr, loss, finite, false))
    }

    fn end(&mut self, report: &StepReport) -> Option<EndReason> {
        self.rules.check(report.step, report.loss.total)
    }

    fn reset_stopping(&mut self, step: usize) {
        self.rules.reset(step);
    }

    fn set_eps_target(&mut self, state: &mut TrainState, eps: f64) {
        state.eps = eps;
        if let Optimizer::Inner(l @ Inner::Lbfgs(_)) = &mut self.optimizer {
            l.reset();
        }
        self.rules.reset(state.step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isgd_runs_k0_implicit_steps_then_plain_adam() {
        // On L = ½θ², α = 10: each implicit step minimizes ½(θ − θ_n)² + 5θ², so θ_{n+1} ≈
        // θ_n/11 once the K₁ inner steps have converged.
        let cfg = OptimizerConfig {
            kind: OptimizerKind::Isgd,
            isgd: IsgdConfig {
                outer_steps: 3,
                inner_steps: 400,
                inner_lr: 0.05,
                final_lr: 1e-3,
            },
            ..OptimizerConfig::default()
        };
        let mut isgd = Isgd {
            config: cfg.isgd.clone(),
            inner: Adam::new(&cfg, 1),
            after: Adam::new(&cfg, 1),
            anchor: None,
            inner_done: 0,
            outer_done: 0,
        };
        let mut theta = vec![1.0];
        for _ in 0..400 {
            let g = [theta[0]];
            isgd.step(&mut theta, &g, 10.0);
        }
        assert_eq!(isgd.outer_done, 1);
        assert!((theta[0] - 1.0 / 11.0).abs() < 0.02, "{}", theta[0]);
        for _ in 0..800 {
            let g = [theta[0]];
            isgd.step(&mut theta, &g, 10.0);
        }
        assert_eq!(isgd.outer_done, 3);
        let g = [theta[0]];
        assert_eq!(isgd.step(&mut theta, &g, 10.0), 1e-3);
    }
}
