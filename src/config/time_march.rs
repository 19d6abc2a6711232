//! `[strategy.time]` of a preset: the time-sequential baseline of the homotopy paper's Table 3
//! (sequence-to-sequence training, Δt = 0.01): implicit-Euler windows of u_t = −H(u) from the
//! problem's initial state, one warm-started minimization per window; its range checks.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Time windows of the time-sequential strategy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeMarchConfig {
    /// Window length Δt (default 0.01, the paper's).
    #[serde(default = "defaults::dt")]
    pub dt: f64,
    /// Steps fitting the network to u₀ before the first window, at most (default 5000; the
    /// fit ends early below `tolerance`; 0 = march from the network as initialized).
    #[serde(default = "defaults::initial_steps")]
    pub initial_steps: usize,
    /// Optimizer steps per window at most (default 100).
    #[serde(default = "defaults::window_steps")]
    pub window_steps: usize,
    /// A window ends early once its loss is below τ (default 1e-10).
    #[serde(default = "defaults::tolerance")]
    pub tolerance: f64,
    /// The march stops at this time (default 10).
    #[serde(default = "defaults::t_end")]
    pub t_end: f64,
    /// …or earlier, once the rate ‖H(u_n)‖/‖u_n‖ of u_t = −H at the residual points falls
    /// below this (default 1e-3; 0 = march to `t_end`).
    #[serde(default = "defaults::steady_tolerance")]
    pub steady_tolerance: f64,
}

impl Default for TimeMarchConfig {
    fn default() -> Self {
        Self {
            dt: defaults::dt(),
            initial_steps: defaults::initial_steps(),
            window_steps: defaults::window_steps(),
            tolerance: defaults::tolerance(),
            t_end: defaults::t_end(),
            steady_tolerance: defaults::steady_tolerance(),
        }
    }
}

impl TimeMarchConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let finite_positive = |key: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(ConfigError::invalid(key, format!("must be > 0 (got {v})")))
            }
        };
        finite_positive("strategy.time.dt", self.dt)?;
        finite_positive("strategy.time.t_end", self.t_end)?;
        if self.t_end < self.dt {
            return Err(ConfigError::invalid(
                "strategy.time.t_end",
                format!(
                    "must be at least one window Δt = {} (got {})",
                    self.dt, self.t_end
                ),
            ));
        }
        if self.window_steps == 0 {
            return Err(ConfigError::invalid(
                "strategy.time.window_steps",
                "must be ≥ 1",
            ));
        }
        for (key, v) in [
            ("strategy.time.tolerance", self.tolerance),
            ("strategy.time.steady_tolerance", self.steady_tolerance),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ConfigError::invalid(key, format!("must be ≥ 0 (got {v})")));
            }
        }
        Ok(())
    }

    /// Number of windows to reach `t_end` (the last one may end past it).
    pub fn windows(&self) -> usize {
        (self.t_end / self.dt - 1e-9).ceil().max(1.0) as usize
    }
}

mod defaults {
    pub fn dt() -> f64 {
        0.01
    }
    pub fn initial_steps() -> usize {
        5000
    }
    pub fn window_steps() -> usize {
        100
    }
    pub fn tolerance() -> f64 {
        1e-10
    }
    pub fn t_end() -> f64 {
        10.0
    }
    pub fn steady_tolerance() -> f64 {
        1e-3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_windows_are_named() {
        let ok = TimeMarchConfig::default();
        assert!(ok.validate().is_ok());
        assert_eq!(ok.windows(), 1000);
        let cases = [
            (
                TimeMarchConfig {
                    dt: 0.0,
                    ..ok.clone()
                },
                "strategy.time.dt",
            ),
            (
                TimeMarchConfig {
                    dt: f64::NAN,
                    ..ok.clone()
                },
                "strategy.time.dt",
            ),
            (
                TimeMarchConfig {
                    t_end: 0.001,
                    ..ok.clone()
                },
                "strategy.time.t_end",
            ),
            (
                TimeMarchConfig {
                    window_steps: 0,
                    ..ok.clone()
                },
                "strategy.time.window_steps",
            ),
            (
                TimeMarchConfig {
                    tolerance: -1.0,
                    ..ok.clone()
                },
                "strategy.time.tolerance",
            ),
            (
                TimeMarchConfig {
                    steady_tolerance: f64::INFINITY,
                    ..ok.clone()
                },
                "strategy.time.steady_tolerance",
            ),
        ];
        for (c, key) in cases {
            let e = c.validate().expect_err(key).to_string();
            assert!(e.contains(key), "{e}");
        }
    }
}
