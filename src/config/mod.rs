//! `RunConfig`: every tunable number of a run, with documented defaults, and the versioned TOML
//! preset format that serializes it.
//!
//! Parsing is strict: unknown keys, wrong types and out-of-range values are rejected with a
//! [`ConfigError`] that names the key and the line. A config that passed [`RunConfig::validate`]
//! can be built into a problem and a network without further checks.

use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

mod deeponet;
mod edits;
mod homotopy;
mod hrta;
mod lecture;
mod lm;
mod method;
mod optimizer;
mod problem;
mod time_march;
mod toml_spans;
mod validate;

pub use deeponet::{DeepOnetConfig, DeepOnetKind};
pub use edits::{changes, rebase};
pub use homotopy::{
    Corrector, DiagnosticsConfig, EulerConfig, Phase1Config, PseudoInverse, ScheduleConfig,
    StageConfig, StageOptimizer, StrategyConfig, StrategyKind, planned_values,
};
pub use hrta::{HrtaConfig, HrtaSwitch};
pub use lecture::{Control, LectureConfig};
pub use lm::{LeastSquaresForm, LmConfig};
pub use optimizer::{IsgdConfig, LrSchedule, OptimizerConfig, OptimizerKind};
pub use problem::{HomotopyPath, ProblemConfig, ResampleConfig};
pub use time_march::TimeMarchConfig;
use toml_spans::{key_at_span, line_of, locate};

use crate::net::{Activation, ActivationKind, DerivOrder, InitKind, MlpShape, Network};
use crate::problem::Problem;

/// The preset format version this build reads and writes.
pub const PRESET_VERSION: u32 = 1;

/// A rejected preset: what is wrong, at which key and line.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ConfigError {
    #[error("cannot read preset {path}: {message}")]
    Io { path: String, message: String },
    #[error("{}", describe(.line, .key, .message))]
    Invalid {
        /// Dotted key path, e.g. `problem.eps`, when known.
        key: Option<String>,
        /// 1-based line in the preset text, when known.
        line: Option<usize>,
        message: String,
    },
}

fn describe(line: &Option<usize>, key: &Option<String>, message: &str) -> String {
    match (line, key) {
        (Some(l), Some(k)) => format!("line {l}, key `{k}`: {message}"),
        (Some(l), None) => format!("line {l}: {message}"),
        (None, Some(k)) => format!("key `{k}`: {message}"),
        (None, None) => message.to_string(),
    }
}

impl ConfigError {
    pub(crate) fn invalid(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            key: Some(key.to_string()),
            line: None,
            message: message.into(),
        }
    }
}

/// Which compute backend trains the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// burn Flex on the CPU, f64 (with the fused f64 network kernel).
    #[default]
    Cpu,
    /// burn wgpu on a GPU, f32.
    Wgpu,
}

impl BackendKind {
    /// The name used in presets and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Wgpu => "wgpu",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Cpu => "CPU f64",
            Self::Wgpu => "GPU wgpu f32",
        }
    }
}

/// The network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Hidden-layer widths (default [30, 30, 30], the paper's network).
    #[serde(default = "defaults::hidden")]
    pub hidden: Vec<usize>,
    /// Hidden activation (default tanh).
    #[serde(default)]
    pub activation: ActivationKind,
    /// HRTA parameter s of σ_s = (1−s)x + sσ(x), in [0, 2] (default 1 = plain σ).
    #[serde(default = "defaults::one")]
    pub hrta_s: f64,
    /// Initialization (default Xavier-normal with zero biases).
    #[serde(default)]
    pub init: InitKind,
    /// a in the 1/N^a output scaling of the NTK initialization (default ½).
    #[serde(default = "defaults::half")]
    pub output_scale_exponent: f64,
    /// Train the output layer only, hidden layers frozen at their initialization (the
    /// random-feature model; default false).
    #[serde(default)]
    pub train_output_only: bool,
    /// The DeepONet of an operator-learning problem (`burgers_operator`; its defaults when
    /// absent). `hidden`, `init` and the output scaling are the MLP's and do not apply to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deeponet: Option<DeepOnetConfig>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            hidden: defaults::hidden(),
            activation: ActivationKind::default(),
            hrta_s: 1.0,
            init: InitKind::default(),
            output_scale_exponent: 0.5,
            train_output_only: false,
            deeponet: None,
        }
    }
}

/// Steps, seed and stopping rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    /// Seed of the initialization and of random sampling (default 0).
    #[serde(default)]
    pub seed: u64,
    /// Step cap (default 20 000).
    #[serde(default = "defaults::max_steps")]
    pub max_steps: usize,
    /// Stop as converged when the loss falls below this (default 0 = never).
    #[serde(default)]
    pub loss_tolerance: f64,
    /// Stop on a plateau when the best loss has not improved by `plateau_rel_improvement`
    /// for this many steps (default 0 = never).
    #[serde(default)]
    pub plateau_patience: usize,
    /// Relative improvement that resets the plateau counter (default 1e-3).
    #[serde(default = "defaults::plateau_rel")]
    pub plateau_rel_improvement: f64,
    /// Compute L2RE and the front position every this many steps (default 100).
    #[serde(default = "defaults::eval_every")]
    pub eval_every: usize,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            max_steps: defaults::max_steps(),
            loss_tolerance: 0.0,
            plateau_patience: 0,
            plateau_rel_improvement: defaults::plateau_rel(),
            eval_every: defaults::eval_every(),
        }
    }
}

/// What a headless run writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Output folder (default `out/<preset name>`); `--out` overrides it.
    #[serde(default)]
    pub dir: Option<String>,
    /// Keep one history row every this many steps (default 10; the last step always).
    #[serde(default = "defaults::history_every")]
    pub history_every: usize,
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            dir: None,
            history_every: defaults::history_every(),
        }
    }
}

/// `v` rounded to `digits` significant digits (at least one), as the nearest f64 to the
/// decimal: 0.09910000000000001 → 0.0991 at 10 digits, 0.0013004127 → 0.0013 at 4.
pub fn round_significant(v: f64, digits: usize) -> f64 {
    format!("{v:.*e}", digits.max(1) - 1).parse().unwrap_or(v)
}

/// `v` to four significant digits in shortest form, for labels: 0.01 → "0.01",
/// 0.0123456 → "0.01235", 1.0 → "1", 0.000001 → "1e-6".
pub fn four_digits(v: f64) -> String {
    let rounded = round_significant(v, 4);
    // Below 10⁻³ a decimal reads badly (0.000001): the exponent form (1e-6) instead.
    if rounded != 0.0 && rounded.abs() < 1e-3 {
        format!("{rounded:e}")
    } else {
        format!("{rounded}")
    }
}

/// The 64-bit FNV-1a hash of `bytes`: stable across builds and machines, for telling whether
/// a stored result (a sweep task, a reproduction's cell) was made from the same inputs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Everything a run needs. A preset file is this struct as TOML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Preset format version; must equal [`PRESET_VERSION`].
    pub version: u32,
    /// Short title shown in the UI and in summaries.
    #[serde(default)]
    pub name: String,
    /// Free text for lecturers and readers.
    #[serde(default)]
    pub description: String,
    /// CPU (f64, default) or wgpu (f32).
    #[serde(default)]
    pub backend: BackendKind,
    pub problem: ProblemConfig,
    #[serde(default)]
    pub network: NetworkConfig,
    #[serde(default)]
    pub optimizer: OptimizerConfig,
    #[serde(default)]
    pub training: TrainingConfig,
    /// Homotopy strategy and ε schedule (default classical).
    #[serde(default)]
    pub strategy: StrategyConfig,
    /// HRTA activation-homotopy stages (default off).
    #[serde(default)]
    pub hrta: HrtaConfig,
    /// Levenberg–Marquardt damping (used by Phase I, correctors and LM stages).
    #[serde(default)]
    pub lm: LmConfig,
    /// Spectral diagnostics cadence.
    #[serde(default)]
    pub diagnostics: DiagnosticsConfig,
    /// Controls a lecturer locked in the explorer (lecture mode).
    #[serde(default)]
    pub lecture: LectureConfig,
    #[serde(default)]
    pub outputs: OutputConfig,
}

mod defaults {
    pub fn n_res() -> usize {
        200
    }
    pub fn n_bc() -> usize {
        2
    }
    pub fn n_eval() -> usize {
        1001
    }
    pub fn one() -> f64 {
        1.0
    }
    pub fn half() -> f64 {
        0.5
    }
    pub fn two() -> usize {
        2
    }
    pub fn hidden() -> Vec<usize> {
        vec![30, 30, 30]
    }
    pub fn max_steps() -> usize {
        20_000
    }
    pub fn plateau_rel() -> f64 {
        1e-3
    }
    pub fn eval_every() -> usize {
        100
    }
    pub fn history_every() -> usize {
        10
    }
}

impl RunConfig {
    /// Parse and validate a preset's text.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let config: RunConfig = toml::from_str(text).map_err(|e| {
            let span = e.span();
            ConfigError::Invalid {
                key: span.clone().and_then(|s| key_at_span(text, s)),
                line: e.span().map(|s| line_of(text, s.start)),
                message: e.message().trim().to_string(),
            }
        })?;
        config.validate().map_err(|e| locate(e, text))?;
        Ok(config)
    }

    /// Read, parse and validate a preset file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_toml_str(&text)
    }

    /// The preset text of this config.
    pub fn to_toml_string(&self) -> String {
        toml::to_string_pretty(self).expect("RunConfig always serializes")
    }

    /// The derivative order the configured problem's residual needs.
    pub fn problem_order(&self) -> DerivOrder {
        self.problem.kind.order()
    }

    /// Build the problem instance (sampling included).
    pub fn build_problem(&self) -> Box<dyn Problem> {
        self.problem.build(self.training.seed)
    }

    /// The model for `problem`: a DeepONet over its sensors for an operator-learning problem,
    /// else the MLP of its input dimension.
    pub fn build_network(&self, problem: &dyn Problem) -> Network {
        let activation = Activation {
            kind: self.network.activation,
            s: self.network.hrta_s,
        };
        match problem.operator_points(crate::problem::PointRole::Residual) {
            Some(op) => Network::DeepOnet(
                self.network
                    .deeponet
                    .clone()
                    .unwrap_or_default()
                    .shape(op.sensors, activation),
            ),
            None => Network::Mlp(self.build_shape(problem.dim())),
        }
    }

    /// The network shape for a problem of input dimension `dim`.
    pub fn build_shape(&self, dim: usize) -> MlpShape {
        let n = &self.network;
        let mut widths = Vec::with_capacity(n.hidden.len() + 2);
        widths.push(dim);
        widths.extend(&n.hidden);
        widths.push(1);
        let last_hidden = *n
            .hidden
            .last()
            .expect("validated: at least one hidden layer");
        let output_scale = match n.init {
            InitKind::XavierNormal => 1.0,
            InitKind::NtkNormal => (last_hidden as f64).powf(-n.output_scale_exponent),
        };
        MlpShape::new(
            widths,
            Activation {
                kind: n.activation,
                s: n.hrta_s,
            },
            output_scale,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "version = 1\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.1\n";

    #[test]
    fn problems_compare_equal_apart_from_eps_as_a_copy_with_the_other_eps_would() {
        let a = RunConfig::from_toml_str(MINIMAL).unwrap().problem;
        let mut b = a.clone();
        b.eps = 0.01;
        assert!(a.eq_except_eps(&b) && a != b);
        assert_eq!(
            a,
            ProblemConfig {
                eps: 0.1,
                ..b.clone()
            }
        );
        b.n_res += 1;
        assert!(!a.eq_except_eps(&b));
        b.n_res -= 1;
        b.path = Some(crate::problem::s_path::Path::SHomotopy);
        assert!(!a.eq_except_eps(&b));
    }

    #[test]
    fn a_seed_a_preset_cannot_store_is_refused_with_the_limit() {
        let mut c = RunConfig::from_toml_str(
            "version = 1\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.05\n",
        )
        .unwrap();
        c.training.seed = i64::MAX as u64;
        assert!(c.validate().is_ok());
        assert!(!c.to_toml_string().is_empty());
        c.training.seed = u64::MAX;
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("training.seed") && e.contains("9223372036854775807"),
            "{e}"
        );
    }

    #[test]
    fn labels_keep_four_digits_and_write_tiny_values_with_an_exponent() {
        assert_eq!(four_digits(0.01), "0.01");
        assert_eq!(four_digits(0.0123456), "0.01235");
        assert_eq!(four_digits(1.0), "1");
        assert_eq!(four_digits(1e-6), "1e-6");
        assert_eq!(four_digits(0.0005), "5e-4");
        assert_eq!(four_digits(0.0), "0");
        assert_eq!(round_significant(0.09910000000000001, 10), 0.0991);
        assert_eq!(round_significant(0.0013004127, 4), 0.0013);
        assert_eq!(round_significant(2.6, 0), 3.0);
    }

    fn err(text: &str) -> (Option<String>, Option<usize>, String) {
        match RunConfig::from_toml_str(text).unwrap_err() {
            ConfigError::Invalid { key, line, message } => (key, line, message),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn minimal_preset_gets_the_paper_defaults() {
        let c = RunConfig::from_toml_str(MINIMAL).unwrap();
        assert_eq!(c.network.hidden, vec![30, 30, 30]);
        assert_eq!(c.problem.n_res, 200);
        assert_eq!(c.backend, BackendKind::Cpu);
        assert_eq!(c.build_shape(1).n_params(), 1951);
    }

    #[test]
    fn round_trips_through_toml() {
        let mut c = RunConfig::from_toml_str(MINIMAL).unwrap();
        c.optimizer.schedule = LrSchedule::Exponential {
            rate: 0.5,
            every: 1000,
        };
        let back = RunConfig::from_toml_str(&c.to_toml_string()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn non_positive_eps_names_key_and_line() {
        let (key, line, msg) = err(&MINIMAL.replace("eps = 0.1", "eps = -0.1"));
        assert_eq!(key.as_deref(), Some("problem.eps"));
        assert_eq!(line, Some(4));
        assert!(msg.contains("ε must be > 0"), "{msg}");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let (key, line, msg) = err(&format!("{MINIMAL}epsilon_target = 3\n"));
        assert_eq!(line, Some(5));
        assert!(msg.contains("epsilon_target"), "{msg}");
        assert!(key.is_some());
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let (key, line, msg) = err(&MINIMAL.replace("eps = 0.1", "eps = \"small\""));
        assert_eq!(key.as_deref(), Some("problem.eps"));
        assert_eq!(line, Some(4));
        assert!(msg.contains("invalid type"), "{msg}");
    }

    #[test]
    fn zero_width_and_bad_s_and_lr_are_rejected() {
        let (key, line, _) = err(&format!("{MINIMAL}[network]\nhidden = [30, 0]\n"));
        assert_eq!((key.as_deref(), line), (Some("network.hidden"), Some(6)));
        let (key, _, _) = err(&format!("{MINIMAL}[network]\nhrta_s = 2.5\n"));
        assert_eq!(key.as_deref(), Some("network.hrta_s"));
        let (key, _, _) = err(&format!("{MINIMAL}[optimizer]\nlr = 0.0\n"));
        assert_eq!(key.as_deref(), Some("optimizer.lr"));
    }

    #[test]
    fn relu_with_second_order_residual_says_why() {
        let (key, _, msg) = err(&format!("{MINIMAL}[network]\nactivation = \"relu\"\n"));
        assert_eq!(key.as_deref(), Some("network.activation"));
        assert!(msg.contains("σ″ ≡ 0"), "{msg}");
    }

    #[test]
    fn unknown_problem_is_named() {
        let (key, line, msg) = err(&MINIMAL.replace("allen_cahn_1d", "navier_stokes"));
        assert_eq!(key.as_deref(), Some("problem.kind"));
        assert_eq!(line, Some(3));
        assert!(msg.contains("navier_stokes"), "{msg}");
    }

    #[test]
    fn wrong_version_is_rejected() {
        let (key, line, _) = err(&MINIMAL.replace("version = 1", "version = 7"));
        assert_eq!((key.as_deref(), line), (Some("version"), Some(1)));
    }
}
