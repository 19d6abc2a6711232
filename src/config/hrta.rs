//! `[hrta]` of a preset: the activation homotopy σ_s = (1−s)x + sσ(x) in s-stages (HRTA paper;
//! relaxation for 1 < s ≤ 2), when it switches s, and its range checks.

use serde::{Deserialize, Serialize};

use super::{ConfigError, defaults};

/// When HRTA moves to the next s.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum HrtaSwitch {
    /// After this many steps at each s.
    Steps { every: usize },
    /// When the loss has not improved by `rel_improvement` for `patience` steps.
    Plateau {
        patience: usize,
        #[serde(default = "defaults::plateau_rel")]
        rel_improvement: f64,
    },
}

impl Default for HrtaSwitch {
    fn default() -> Self {
        Self::Steps { every: 5000 }
    }
}

/// HRTA s-stages (activation homotopy σ_s = (1−s)x + sσ(x); relaxation for 1 < s ≤ 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HrtaConfig {
    /// Off by default.
    #[serde(default)]
    pub enabled: bool,
    /// Explicit s values, one per stage (overrides s_start/zeta/stages when non-empty).
    #[serde(default)]
    pub s_values: Vec<f64>,
    /// s of the first stage (default 0.5).
    #[serde(default = "defaults::half")]
    pub s_start: f64,
    /// Increment ζ per stage (default 0.5).
    #[serde(default = "defaults::half")]
    pub zeta: f64,
    /// Number of stages (default 2: s = 0.5, 1.0).
    #[serde(default = "defaults::two")]
    pub stages: usize,
    #[serde(default)]
    pub switch: HrtaSwitch,
}

impl Default for HrtaConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            s_values: Vec::new(),
            s_start: 0.5,
            zeta: 0.5,
            stages: 2,
            switch: HrtaSwitch::default(),
        }
    }
}

impl HrtaConfig {
    /// The s of every stage.
    pub fn s_schedule(&self) -> Vec<f64> {
        if !self.s_values.is_empty() {
            return self.s_values.clone();
        }
        (0..self.stages)
            .map(|k| self.s_start + k as f64 * self.zeta)
            .collect()
    }
}

impl HrtaConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.enabled {
            return Ok(());
        }
        if self.s_values.is_empty() && self.stages == 0 {
            return Err(ConfigError::invalid("hrta.stages", "must be ≥ 1"));
        }
        let key = if self.s_values.is_empty() {
            "hrta.s_start"
        } else {
            "hrta.s_values"
        };
        for s in self.s_schedule() {
            if !(0.0..=2.0).contains(&s) {
                return Err(ConfigError::invalid(
                    key,
                    format!("every stage's s must lie in [0, 2] (got {s})"),
                ));
            }
        }
        match self.switch {
            HrtaSwitch::Steps { every: 0 } => {
                Err(ConfigError::invalid("hrta.switch.every", "must be ≥ 1"))
            }
            HrtaSwitch::Plateau { patience: 0, .. } => {
                Err(ConfigError::invalid("hrta.switch.patience", "must be ≥ 1"))
            }
            _ => Ok(()),
        }
    }
}
