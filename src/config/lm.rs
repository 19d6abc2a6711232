//! Levenberg–Marquardt's damping settings (DESIGN §1.4a) and the least-squares form its damped
//! solves take (primal, dual, matrix-free, or chosen by shape and memory), with documented
//! defaults and a `validate` that names the offending key.

use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::homotopy::positive;

/// Levenberg–Marquardt damping (DESIGN §1.4a).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LmConfig {
    /// Initial μ relative to σ_max² (default 1e-3).
    #[serde(default = "defaults::lm_mu")]
    pub mu_init: f64,
    /// Floor of μ (default 1e-16).
    #[serde(default = "defaults::lm_mu_min")]
    pub mu_min: f64,
    /// μ ÷ this after an accepted step (default 3).
    #[serde(default = "defaults::lm_decrease")]
    pub decrease: f64,
    /// μ × this after a rejected step (default 4).
    #[serde(default = "defaults::lm_increase")]
    pub increase: f64,
    /// Rejected tries before an iteration gives up (default 12).
    #[serde(default = "defaults::lm_tries")]
    pub max_tries: usize,
    /// Add the geodesic-acceleration correction (default on).
    #[serde(default = "defaults::yes")]
    pub geodesic_acceleration: bool,
    /// Use the acceleration a only when ‖a‖ ≤ this · ‖d‖ (default 0.75).
    #[serde(default = "defaults::accel_ratio")]
    pub acceleration_ratio: f64,
    /// Which least-squares form the damped solves use (default `auto`: primal when there are at
    /// least as many rows as parameters, dual otherwise, matrix-free when neither fits
    /// `memory_budget_mib`).
    #[serde(default, skip_serializing_if = "LeastSquaresForm::is_auto")]
    pub form: LeastSquaresForm,
    /// Memory the Jacobian and the normal matrix may take, in MiB (default 4096). Above it the
    /// matrix-free Gauss–Newton–CG step takes over; Strategy 1's Euler predictor, which has
    /// no matrix-free route, refuses on its first step instead.
    #[serde(
        default = "defaults::lm_memory_budget",
        skip_serializing_if = "defaults::is_lm_memory_budget"
    )]
    pub memory_budget_mib: f64,
}

/// The least-squares form of Levenberg–Marquardt and the linearized implicit step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LeastSquaresForm {
    /// By shape and memory (see [`LmConfig::form`]).
    #[default]
    Auto,
    /// n × n JᵀJ + μI (parameters).
    Primal,
    /// m × m JJᵀ + μI (rows).
    Dual,
    /// Conjugate gradients on JᵀJ + μI with J·v and Jᵀ·w products; J is never stored.
    MatrixFree,
}

impl LeastSquaresForm {
    pub fn is_auto(&self) -> bool {
        *self == Self::Auto
    }
}

impl Default for LmConfig {
    fn default() -> Self {
        Self {
            mu_init: defaults::lm_mu(),
            mu_min: defaults::lm_mu_min(),
            decrease: defaults::lm_decrease(),
            increase: defaults::lm_increase(),
            max_tries: defaults::lm_tries(),
            geodesic_acceleration: true,
            acceleration_ratio: defaults::accel_ratio(),
            form: LeastSquaresForm::Auto,
            memory_budget_mib: defaults::lm_memory_budget(),
        }
    }
}

impl LmConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        positive("lm.mu_init", self.mu_init)?;
        positive("lm.mu_min", self.mu_min)?;
        if !(self.decrease > 1.0 && self.decrease.is_finite()) {
            return Err(ConfigError::invalid("lm.decrease", "must be > 1"));
        }
        if !(self.increase > 1.0 && self.increase.is_finite()) {
            return Err(ConfigError::invalid("lm.increase", "must be > 1"));
        }
        if self.max_tries == 0 {
            return Err(ConfigError::invalid("lm.max_tries", "must be ≥ 1"));
        }
        positive("lm.acceleration_ratio", self.acceleration_ratio)?;
        positive("lm.memory_budget_mib", self.memory_budget_mib)?;
        Ok(())
    }
}

mod defaults {
    pub fn yes() -> bool {
        true
    }
    pub fn lm_mu() -> f64 {
        1e-3
    }
    pub fn lm_mu_min() -> f64 {
        1e-16
    }
    pub fn lm_decrease() -> f64 {
        3.0
    }
    pub fn lm_increase() -> f64 {
        4.0
    }
    pub fn lm_tries() -> usize {
        12
    }
    pub fn accel_ratio() -> f64 {
        0.75
    }
    pub fn lm_memory_budget() -> f64 {
        4096.0
    }
    pub fn is_lm_memory_budget(v: &f64) -> bool {
        *v == lm_memory_budget()
    }
}
