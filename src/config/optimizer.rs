//! The optimizer part of a preset: which optimizer, its learning rate and schedule, Adam's
//! constants and ISGD's loop sizes, with documented defaults and a `validate` that names the
//! offending key.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Learning-rate schedule of a first-order optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum LrSchedule {
    /// lr throughout.
    #[default]
    Constant,
    /// lr · rate^(step / every), continuous.
    Exponential { rate: f64, every: usize },
    /// lr · rate^⌊step / every⌋.
    Step { rate: f64, every: usize },
}

impl LrSchedule {
    /// The learning rate at `step` for base rate `lr`.
    pub fn at(&self, lr: f64, step: usize) -> f64 {
        match *self {
            Self::Constant => lr,
            Self::Exponential { rate, every } => lr * rate.powf(step as f64 / every as f64),
            Self::Step { rate, every } => lr * rate.powi((step / every) as i32),
        }
    }
}

/// Which optimizer trains the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    #[default]
    Adam,
    /// Plain gradient descent θ ← θ − lr·∇L.
    Sgd,
    /// Implicit SGD (ISGD paper, Algorithm 1): K₀ implicit steps of size α = lr, each solved by
    /// K₁ inner Adam steps on ½‖θ − θ_n‖² + αL(θ), then K₂ plain Adam steps.
    Isgd,
    /// L-BFGS (memory 10) with a backtracking Armijo line search (one iteration per step).
    Lbfgs,
    /// Levenberg–Marquardt with adaptive damping (one iteration per step).
    Lm,
    /// The linearized implicit step θ ← θ − (I/α + JᵀJ)⁻¹Jᵀr with α = lr: the implicit step
    /// under the Gauss–Newton model, i.e. LM with fixed μ = 1/α (DESIGN §1.6).
    ImplicitGn,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 6] = [
        Self::Adam,
        Self::Sgd,
        Self::Isgd,
        Self::Lbfgs,
        Self::Lm,
        Self::ImplicitGn,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Adam => "Adam",
            Self::Sgd => "SGD (full batch)",
            Self::Isgd => "ISGD (implicit, inner Adam)",
            Self::Lbfgs => "L-BFGS (line search)",
            Self::Lm => "Levenberg–Marquardt",
            Self::ImplicitGn => "Linearized implicit step (GN, μ = 1/α)",
        }
    }
}

/// ISGD's loop sizes (ISGD paper, Algorithm 1); the implicit step size α is `optimizer.lr`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsgdConfig {
    /// K₀ implicit (outer) steps (default 200).
    #[serde(default = "defaults::isgd_outer")]
    pub outer_steps: usize,
    /// K₁ inner Adam steps per implicit step (default 50).
    #[serde(default = "defaults::isgd_inner")]
    pub inner_steps: usize,
    /// γ, the inner Adam learning rate (default 5e-4, the paper's).
    #[serde(default = "defaults::isgd_inner_lr")]
    pub inner_lr: f64,
    /// η, the learning rate of the K₂ plain Adam steps after the implicit phase (default 1e-3);
    /// K₂ is whatever the step cap leaves.
    #[serde(default = "defaults::lr")]
    pub final_lr: f64,
}

impl Default for IsgdConfig {
    fn default() -> Self {
        Self {
            outer_steps: defaults::isgd_outer(),
            inner_steps: defaults::isgd_inner(),
            inner_lr: defaults::isgd_inner_lr(),
            final_lr: defaults::lr(),
        }
    }
}

/// The optimizer and its schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizerConfig {
    #[serde(default)]
    pub kind: OptimizerKind,
    /// Base learning rate (default 1e-3).
    #[serde(default = "defaults::lr")]
    pub lr: f64,
    /// Adam β₁ (default 0.9).
    #[serde(default = "defaults::beta1")]
    pub beta1: f64,
    /// Adam β₂ (default 0.999).
    #[serde(default = "defaults::beta2")]
    pub beta2: f64,
    /// Adam ε̂ in the denominator (default 1e-8).
    #[serde(default = "defaults::adam_epsilon")]
    pub epsilon: f64,
    /// Learning-rate schedule (default constant).
    #[serde(default)]
    pub schedule: LrSchedule,
    /// ISGD loop sizes (used when kind = "isgd").
    #[serde(default)]
    pub isgd: IsgdConfig,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            lr: defaults::lr(),
            beta1: defaults::beta1(),
            beta2: defaults::beta2(),
            epsilon: defaults::adam_epsilon(),
            schedule: LrSchedule::Constant,
            isgd: IsgdConfig::default(),
        }
    }
}

impl OptimizerConfig {
    /// Range checks; the error names the offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let o = self;
        if !(o.lr.is_finite() && o.lr > 0.0) {
            return Err(ConfigError::invalid(
                "optimizer.lr",
                format!("learning rate must be > 0 (got {})", o.lr),
            ));
        }
        for (key, beta) in [("optimizer.beta1", o.beta1), ("optimizer.beta2", o.beta2)] {
            if !(0.0..1.0).contains(&beta) {
                return Err(ConfigError::invalid(
                    key,
                    format!("must lie in [0, 1) (got {beta})"),
                ));
            }
        }
        if o.kind == OptimizerKind::Isgd {
            let i = &o.isgd;
            if i.outer_steps == 0 || i.inner_steps == 0 {
                return Err(ConfigError::invalid(
                    "optimizer.isgd",
                    "outer_steps (K₀) and inner_steps (K₁) must be ≥ 1",
                ));
            }
            for (key, lr) in [
                ("optimizer.isgd.inner_lr", i.inner_lr),
                ("optimizer.isgd.final_lr", i.final_lr),
            ] {
                if !(lr.is_finite() && lr > 0.0) {
                    return Err(ConfigError::invalid(
                        key,
                        format!("learning rate must be > 0 (got {lr})"),
                    ));
                }
            }
        }
        if !(o.epsilon.is_finite() && o.epsilon > 0.0) {
            return Err(ConfigError::invalid("optimizer.epsilon", "must be > 0"));
        }
        match o.schedule {
            LrSchedule::Constant => {}
            LrSchedule::Exponential { rate, every } | LrSchedule::Step { rate, every } => {
                if !(rate > 0.0 && rate <= 1.0) {
                    return Err(ConfigError::invalid(
                        "optimizer.schedule.rate",
                        format!("must lie in (0, 1] (got {rate})"),
                    ));
                }
                if every == 0 {
                    return Err(ConfigError::invalid(
                        "optimizer.schedule.every",
                        "must be ≥ 1",
                    ));
                }
            }
        }
        Ok(())
    }
}

mod defaults {
    pub fn lr() -> f64 {
        1e-3
    }
    pub fn beta1() -> f64 {
        0.9
    }
    pub fn beta2() -> f64 {
        0.999
    }
    pub fn adam_epsilon() -> f64 {
        1e-8
    }
    pub fn isgd_outer() -> usize {
        200
    }
    pub fn isgd_inner() -> usize {
        50
    }
    pub fn isgd_inner_lr() -> f64 {
        5e-4
    }
}
