//! `RunConfig::validate`: the range and consistency checks of a whole preset, each error naming
//! the offending key and what is allowed; the operator problem's checks (DeepONet, input
//! sizes, refused methods) in their own function.

use super::deeponet;
use super::{
    BackendKind, ConfigError, HomotopyPath, OptimizerKind, PRESET_VERSION, RunConfig, StrategyKind,
};
use crate::net::DerivOrder;

impl RunConfig {
    /// Range and consistency checks; the error names the offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.version != PRESET_VERSION {
            return Err(ConfigError::invalid(
                "version",
                format!(
                    "preset version {} is not supported (this build reads version {PRESET_VERSION})",
                    self.version
                ),
            ));
        }
        self.problem.validate()?;
        // A preset is TOML, whose integers are signed 64-bit: a larger seed could not be saved.
        if self.training.seed > i64::MAX as u64 {
            return Err(ConfigError::invalid(
                "training.seed",
                format!(
                    "must be at most {} (a preset stores it as a signed 64-bit integer; got {})",
                    i64::MAX,
                    self.training.seed
                ),
            ));
        }
        let p = &self.problem;
        let n = &self.network;
        if n.hidden.is_empty() {
            return Err(ConfigError::invalid(
                "network.hidden",
                "needs at least one hidden layer",
            ));
        }
        if let Some(i) = n.hidden.iter().position(|&w| w == 0) {
            return Err(ConfigError::invalid(
                "network.hidden",
                format!("hidden layer {} has width 0", i + 1),
            ));
        }
        if !(0.0..=2.0).contains(&n.hrta_s) {
            return Err(ConfigError::invalid(
                "network.hrta_s",
                format!("s must lie in [0, 2] (got {})", n.hrta_s),
            ));
        }
        if !(n.output_scale_exponent.is_finite() && n.output_scale_exponent >= 0.0) {
            return Err(ConfigError::invalid(
                "network.output_scale_exponent",
                "the exponent a of 1/N^a must be finite and ≥ 0",
            ));
        }
        self.validate_operator()?;
        let order = self.problem_order();
        if n.activation.second_derivative_vanishes()
            && matches!(order, DerivOrder::SecondPerAxis | DerivOrder::Laplacian)
        {
            return Err(ConfigError::invalid(
                "network.activation",
                format!(
                    "{} has σ″ ≡ 0, so the second-order residual of {} would ignore u″ and cannot be trained; use relu2, tanh, sin or softplus",
                    n.activation.name(),
                    p.kind.label()
                ),
            ));
        }
        self.optimizer.validate()?;
        let t = &self.training;
        if t.max_steps == 0 {
            return Err(ConfigError::invalid("training.max_steps", "must be ≥ 1"));
        }
        if !(t.loss_tolerance.is_finite() && t.loss_tolerance >= 0.0) {
            return Err(ConfigError::invalid(
                "training.loss_tolerance",
                "must be finite and ≥ 0",
            ));
        }
        if !(t.plateau_rel_improvement.is_finite() && t.plateau_rel_improvement >= 0.0) {
            return Err(ConfigError::invalid(
                "training.plateau_rel_improvement",
                "must be ≥ 0",
            ));
        }
        if t.eval_every == 0 {
            return Err(ConfigError::invalid("training.eval_every", "must be ≥ 1"));
        }
        let rows = p.kind.residual_rows_per_point();
        if rows != 1 {
            let key_why = if self.strategy.kind != StrategyKind::Classical {
                Some(("strategy.kind", "use classical training"))
            } else if matches!(
                self.optimizer.kind,
                OptimizerKind::Lm | OptimizerKind::ImplicitGn
            ) {
                Some(("optimizer.kind", "use Adam, SGD, ISGD or L-BFGS"))
            } else if self.diagnostics.every > 0 {
                Some(("diagnostics.every", "set it to 0"))
            } else {
                None
            };
            if let Some((key, why)) = key_why {
                return Err(ConfigError::invalid(
                    key,
                    format!(
                        "{} stacks {rows} residual rows per point, so Jacobian-based methods do not apply; {why}",
                        p.kind.label()
                    ),
                ));
            }
        }
        self.strategy.validate(p.eps)?;
        if self.strategy.kind == StrategyKind::TimeSequential {
            if p.path == Some(HomotopyPath::SHomotopyAsPrinted) {
                return Err(ConfigError::invalid(
                    "problem.path",
                    "the time-sequential strategy marches u_t = −H(u), which the printed sign turns into backward diffusion; use s_homotopy or epsilon",
                ));
            }
            if self.hrta.enabled {
                return Err(ConfigError::invalid(
                    "hrta.enabled",
                    "an HRTA switch of s inside a time window would change u while u_prev stays; use one or the other",
                ));
            }
            if !p.has_initial_state() {
                return Err(ConfigError::invalid(
                    "strategy.kind",
                    format!(
                        "{} has no initial state u₀ to march from; the time-sequential strategy needs one (2D Allen–Cahn has)",
                        p.kind.label()
                    ),
                ));
            }
        }
        if p.resample.is_some() && self.strategy.kind != StrategyKind::Classical {
            return Err(ConfigError::invalid(
                "problem.resample",
                "resampling changes the residual points, which a homotopy's stages compare across; use it with classical training",
            ));
        }
        self.hrta.validate()?;
        self.lm.validate()?;
        self.diagnostics.validate()?;
        if self.outputs.history_every == 0 {
            return Err(ConfigError::invalid("outputs.history_every", "must be ≥ 1"));
        }
        Ok(())
    }

    /// The most (input, point) pairs one step may evaluate.
    pub const MAX_OPERATOR_POINTS: usize = 2_000_000;

    /// The DeepONet and the operator problem go together, on the CPU, without HRTA, kernel
    /// spectra or time stepping (Strategy 1's predictor has its memory plan at run time).
    fn validate_operator(&self) -> Result<(), ConfigError> {
        let spec = self.problem.kind.spec();
        if !spec.operator {
            if self.network.deeponet.is_some() {
                return Err(ConfigError::invalid(
                    "network.deeponet",
                    format!(
                        "{} learns one solution with an MLP; a DeepONet is trained for an operator problem (burgers_operator)",
                        spec.id
                    ),
                ));
            }
            return Ok(());
        }
        if let Some(d) = &self.network.deeponet {
            d.validate()?;
        }
        let refuse = |key: &str, why: &str| {
            Err(ConfigError::invalid(
                key,
                format!("{} trains a DeepONet, which {why}", spec.id),
            ))
        };
        if self.backend == BackendKind::Wgpu {
            return refuse(
                "backend",
                "runs on the CPU only (its fused f64 kernel); use backend = \"cpu\"",
            );
        }
        if self.network.train_output_only {
            return refuse(
                "network.train_output_only",
                "has no single output layer to train alone; set it to false",
            );
        }
        if self.hrta.enabled {
            return refuse(
                "hrta.enabled",
                "HRTA's s-stages are not offered for; set it to false",
            );
        }
        if self.diagnostics.every > 0 {
            return refuse(
                "diagnostics.every",
                "is given no kernel spectra: their soft modes are drawn over one solution's points, and an operator batch holds every input's; set it to 0",
            );
        }
        if self.strategy.kind == StrategyKind::TimeSequential {
            return refuse(
                "strategy.kind",
                "is not offered the time-sequential strategy; use strategy2, strategy1 or curriculum",
            );
        }
        let op = self.problem.operator.unwrap_or_default();
        deeponet::validate_inputs(&op)?;
        let points = op.inputs * (self.problem.n_res + self.problem.n_bc);
        if points > Self::MAX_OPERATOR_POINTS {
            return Err(ConfigError::invalid(
                "problem.operator.inputs",
                format!(
                    "{} inputs × ({} residual + {} boundary points) = {points} points per step; at most {} are allowed",
                    op.inputs,
                    self.problem.n_res,
                    self.problem.n_bc,
                    Self::MAX_OPERATOR_POINTS
                ),
            ));
        }
        Ok(())
    }
}
