//! `[network.deeponet]`: the DeepONet an operator-learning problem trains (its form and sizes;
//! the sensors m come from `[problem.operator]`).

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::net::Activation;
use crate::net::deeponet::{DeepOnetForm, DeepOnetShape};
use crate::problem::burgers_operator::OperatorArgs;

/// Which DeepONet form, by preset name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DeepOnetKind {
    /// The homotopy paper's eq. 61: one trunk layer of p units, a shallow branch of `width`
    /// units per basis function.
    #[default]
    Paper,
    /// Dense branch and trunk MLPs (`branch_hidden`, `trunk_hidden`).
    Stacked,
}

fn default_basis() -> usize {
    64
}
fn default_width() -> usize {
    4
}
fn default_hidden() -> Vec<usize> {
    vec![64, 64]
}

/// The DeepONet's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeepOnetConfig {
    /// Form (default the paper's eq. 61).
    #[serde(default)]
    pub form: DeepOnetKind,
    /// Basis functions p (default 64).
    #[serde(default = "default_basis")]
    pub basis: usize,
    /// Eq. 61: branch units per basis function (default 4).
    #[serde(default = "default_width")]
    pub width: usize,
    /// Stacked form: the branch's hidden widths (default [64, 64]).
    #[serde(default = "default_hidden")]
    pub branch_hidden: Vec<usize>,
    /// Stacked form: the trunk's hidden widths (default [64, 64]).
    #[serde(default = "default_hidden")]
    pub trunk_hidden: Vec<usize>,
    /// Start the first trunk layer as tanh ramps with centres spread evenly over [0, 1] and
    /// slopes drawn from N(0, trunk_spread²) (default: Xavier weights, zero biases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trunk_spread: Option<f64>,
}

impl Default for DeepOnetConfig {
    fn default() -> Self {
        Self {
            form: DeepOnetKind::default(),
            basis: default_basis(),
            width: default_width(),
            branch_hidden: default_hidden(),
            trunk_hidden: default_hidden(),
            trunk_spread: None,
        }
    }
}

/// Largest basis, width or hidden layer accepted (a typo guard: 4096² weights is already
/// 128 MB of θ).
const MAX_WIDTH: usize = 4096;

impl DeepOnetConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let check = |key: &str, v: usize| {
            if (1..=MAX_WIDTH).contains(&v) {
                Ok(())
            } else {
                Err(ConfigError::invalid(
                    key,
                    format!("must lie in 1..={MAX_WIDTH} (got {v})"),
                ))
            }
        };
        if let Some(s) = self.trunk_spread
            && !(s.is_finite() && s > 0.0 && s <= 1e4)
        {
            return Err(ConfigError::invalid(
                "network.deeponet.trunk_spread",
                format!("the slopes' standard deviation must lie in (0, 10000] (got {s})"),
            ));
        }
        check("network.deeponet.basis", self.basis)?;
        check("network.deeponet.width", self.width)?;
        for (key, list) in [
            ("network.deeponet.branch_hidden", &self.branch_hidden),
            ("network.deeponet.trunk_hidden", &self.trunk_hidden),
        ] {
            for &w in list {
                check(key, w)?;
            }
        }
        Ok(())
    }

    /// The shape for `sensors` sensors.
    pub fn shape(&self, sensors: usize, activation: Activation) -> DeepOnetShape {
        let form = match self.form {
            DeepOnetKind::Paper => DeepOnetForm::Paper { width: self.width },
            DeepOnetKind::Stacked => DeepOnetForm::Stacked {
                branch_hidden: self.branch_hidden.clone(),
                trunk_hidden: self.trunk_hidden.clone(),
            },
        };
        DeepOnetShape::new(form, sensors, self.basis, activation)
            .with_trunk_spread(self.trunk_spread)
    }
}

/// Range checks of `[problem.operator]`.
pub(super) fn validate_inputs(op: &OperatorArgs) -> Result<(), ConfigError> {
    let key = |k: &str| format!("problem.operator.{k}");
    if !(1..=100_000).contains(&op.inputs) {
        return Err(ConfigError::invalid(
            &key("inputs"),
            format!("must lie in 1..=100000 (got {})", op.inputs),
        ));
    }
    if !(1..=10_000).contains(&op.test_inputs) {
        return Err(ConfigError::invalid(
            &key("test_inputs"),
            format!("must lie in 1..=10000 (got {})", op.test_inputs),
        ));
    }
    if !(4..=4096).contains(&op.sensors) {
        return Err(ConfigError::invalid(
            &key("sensors"),
            format!("must lie in 4..=4096 (got {})", op.sensors),
        ));
    }
    let g = op.grf;
    if !(g.sigma.is_finite() && g.sigma > 0.0) {
        return Err(ConfigError::invalid(
            &key("grf.sigma"),
            format!("σ must be finite and > 0 (got {})", g.sigma),
        ));
    }
    if !(g.tau2.is_finite() && g.tau2 >= 0.0) {
        return Err(ConfigError::invalid(
            &key("grf.tau2"),
            format!("τ² must be finite and ≥ 0 (got {})", g.tau2),
        ));
    }
    if !(g.alpha.is_finite() && g.alpha > 0.0) {
        return Err(ConfigError::invalid(
            &key("grf.alpha"),
            format!("α must be finite and > 0 (got {})", g.alpha),
        ));
    }
    Ok(())
}
