//! The inner optimizer every strategy wraps (STYLE habit 5: a homotopy wraps an optimizer
//! rather than copying it): one Adam, SGD, L-BFGS or Levenberg–Marquardt step on the
//! objective at a fixed ε, with one outcome type. Classical training, Phase I, the
//! Strategy-2 stages and Strategy 1's Adam corrector all step through it; learning-rate
//! schedules stay with the caller, which knows what its step count means.

use super::adam::Adam;
use super::lbfgs::Lbfgs;
use super::lm::LevenbergMarquardt;
use super::objective::{LossParts, Objective, ObjectiveError};
use crate::config::{LmConfig, OptimizerConfig};

/// Which update an [`Inner`] makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InnerKind {
    Adam,
    Sgd,
    Lbfgs,
    Lm,
}

/// An inner optimizer with its state (Adam moments, L-BFGS pairs, LM damping).
#[derive(Clone, Debug)]
pub enum Inner {
    Adam(Adam),
    Sgd,
    Lbfgs(Lbfgs),
    Lm(LevenbergMarquardt),
}

/// What one inner step did.
#[derive(Clone, Copy, Debug)]
pub struct InnerStep {
    /// Loss at the parameters the step started from.
    pub before: LossParts,
    /// Loss at the parameters after the step, where the optimizer evaluated it (LM).
    pub after: Option<LossParts>,
    /// Whether the step's gradient was finite (gradient steps); LM and L-BFGS report whether
    /// the loss they start from is finite.
    pub finite: bool,
    /// Whether θ moved: an accepted LM step, an L-BFGS step that was taken, a gradient step
    /// with a finite loss and gradient.
    pub moved: bool,
    /// LM's relative damping after the step.
    pub mu: Option<f64>,
}

impl InnerStep {
    /// The loss a homotopy strategy reports: after the step where it was evaluated, else before.
    pub fn latest(&self) -> LossParts {
        self.after.unwrap_or(self.before)
    }
}

impl Inner {
    /// A fresh optimizer of `kind` for `n_params` parameters.
    pub fn new(
        kind: InnerKind,
        optimizer: &OptimizerConfig,
        lm: &LmConfig,
        n_params: usize,
    ) -> Self {
        match kind {
            InnerKind::Adam => Self::Adam(Adam::new(optimizer, n_params)),
            InnerKind::Sgd => Self::Sgd,
            InnerKind::Lbfgs => Self::Lbfgs(Lbfgs::default()),
            InnerKind::Lm => Self::Lm(LevenbergMarquardt::new(lm)),
        }
    }

    /// Forget the optimizer's memory (a new stage or window changes the objective under it).
    pub fn reset(&mut self) {
        match self {
            Self::Adam(a) => a.reset(),
            Self::Sgd => {}
            Self::Lbfgs(l) => l.reset(),
            Self::Lm(l) => l.reset(),
        }
    }

    /// LM's current relative damping.
    pub fn mu(&self) -> Option<f64> {
        match self {
            Self::Lm(l) => Some(l.mu()),
            _ => None,
        }
    }

    /// One step at ε from `theta` (updated in place). `lr` is used by Adam and SGD; LM keeps
    /// its step orthogonal to the orthonormal `phase` directions (empty: no phase condition).
    pub fn step(
        &mut self,
        objective: &Objective,
        theta: &mut [f64],
        eps: f64,
        lr: f64,
        phase: &[Vec<f64>],
    ) -> Result<InnerStep, ObjectiveError> {
        match self {
            Self::Adam(adam) => gradient_step(objective, theta, eps, |t, g| adam.step(t, g, lr)),
            Self::Sgd => gradient_step(objective, theta, eps, |t, g| {
                for (ti, gi) in t.iter_mut().zip(g) {
                    *ti -= lr * gi;
                }
            }),
            Self::Lbfgs(lbfgs) => {
                let (loss, moved) = lbfgs.iterate(objective, theta, eps)?;
                Ok(InnerStep {
                    before: loss,
                    after: None,
                    finite: loss.is_finite(),
                    moved,
                    mu: None,
                })
            }
            Self::Lm(lm) => {
                let out = lm.iterate(objective, theta, eps, phase)?;
                Ok(InnerStep {
                    before: out.loss_before,
                    after: Some(out.loss_after),
                    finite: out.loss_before.is_finite(),
                    moved: out.accepted,
                    mu: Some(out.mu),
                })
            }
        }
    }
}

/// One first-order update: ∇L at θ, then `update(θ, ∇L)` when loss and gradient are finite.
pub fn gradient_step(
    objective: &Objective,
    theta: &mut [f64],
    eps: f64,
    update: impl FnOnce(&mut [f64], &[f64]),
) -> Result<InnerStep, ObjectiveError> {
    let (loss, grad) = objective.loss_and_grad(theta, eps)?;
    let finite = grad.iter().all(|g| g.is_finite());
    let moved = loss.is_finite() && finite;
    if moved {
        update(theta, &grad);
    }
    Ok(InnerStep {
        before: loss,
        after: None,
        finite,
        moved,
        mu: None,
    })
}
