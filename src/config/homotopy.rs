//! The homotopy parts of a preset: strategy, ε schedule, Phase I, Strategy-1 and Strategy-2
//! settings and the spectral-diagnostics cadence (HRTA is in `hrta.rs`, Levenberg–Marquardt in
//! `lm.rs`). Each struct has
//! documented defaults and a `validate` that names the offending key.

use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::time_march::TimeMarchConfig;

/// Which trainer runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StrategyKind {
    /// Adam at the target ε from the initialization.
    #[default]
    Classical,
    /// Algorithm 1, Strategy 1: Phase I at ε₀, then Euler path tracking with a pseudo-inverse.
    #[serde(rename = "strategy1")]
    Strategy1,
    /// Strategy 2: warm-started stages minimizing L_H + λL_bc + αL_{H_ε}.
    #[serde(rename = "strategy2")]
    Strategy2,
    /// Strategy 2 with α = 0 (the curriculum baseline of Krishnapriyan et al.).
    Curriculum,
    /// Implicit-Euler windows of u_t = −H(u) from the problem's initial state at the target ε
    /// (the time-sequential baseline of the homotopy paper's Table 3).
    TimeSequential,
}

impl StrategyKind {
    pub const ALL: [StrategyKind; 5] = [
        Self::Classical,
        Self::Strategy1,
        Self::Strategy2,
        Self::Curriculum,
        Self::TimeSequential,
    ];

    /// Name for tables, pickers and `reproduce.json`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Classical => "classical",
            Self::Strategy1 => "strategy1",
            Self::Strategy2 => "strategy2",
            Self::Curriculum => "curriculum",
            Self::TimeSequential => "time_sequential",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Classical => "Classical",
            Self::Strategy1 => "Strategy 1 (Euler)",
            Self::Strategy2 => "Strategy 2 (homotopy loss)",
            Self::Curriculum => "Curriculum",
            Self::TimeSequential => "Time-sequential (implicit Euler)",
        }
    }

    /// Whether the strategy walks an ε schedule.
    pub fn is_homotopy(self) -> bool {
        matches!(self, Self::Strategy1 | Self::Strategy2 | Self::Curriculum)
    }
}

/// How ε moves from ε₀ to the target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum ScheduleConfig {
    /// Explicit values after ε₀, ending at the target.
    List { values: Vec<f64> },
    /// Uniform steps of size `delta` (the last one clipped to the target).
    Linear { delta: f64 },
    /// ε_k = ε₀ (ε*/ε₀)^{k/steps}.
    Geometric { steps: usize },
    /// Strategy 1 only: a step is rejected (and Δε shrunk) when the loss after it exceeds
    /// `tolerance` or is not finite; Δε grows after steps whose loss is below
    /// `tolerance · easy_fraction`. Δε stays within [`min_delta`, `max_delta`].
    Adaptive {
        initial_delta: f64,
        min_delta: f64,
        max_delta: f64,
        #[serde(default = "defaults::shrink")]
        shrink: f64,
        #[serde(default = "defaults::grow")]
        grow: f64,
        tolerance: f64,
        #[serde(default = "defaults::easy_fraction")]
        easy_fraction: f64,
    },
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self::Geometric { steps: 230 }
    }
}

impl ScheduleConfig {
    /// Short name for pickers.
    pub fn name(&self) -> &'static str {
        match self {
            Self::List { .. } => "list",
            Self::Linear { .. } => "linear",
            Self::Geometric { .. } => "geometric",
            Self::Adaptive { .. } => "adaptive",
        }
    }
}

/// Phase I of Strategy 1 (and the first stage of Strategy 2): training at ε₀.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase1Config {
    /// Adam steps at ε₀ before Levenberg–Marquardt (default 5000).
    #[serde(default = "defaults::phase1_adam")]
    pub adam_steps: usize,
    /// Levenberg–Marquardt iterations cap after Adam (default 300; 0 = Adam only).
    #[serde(default = "defaults::phase1_lm")]
    pub lm_iterations: usize,
    /// Phase I ends once the loss is below τ (default 1e-13).
    #[serde(default = "defaults::phase1_tol")]
    pub tolerance: f64,
    /// Keep Phase I's LM steps orthogonal to the phase directions (default off, for both
    /// strategies). Off, because at ε₀ the solution must still find its place: on 1D Allen–Cahn
    /// the condition forbids the front's translation, and Strategy 1 then ends at x₀ = 0.385
    /// (L2RE 0.64) instead of 0.4996 (L2RE 4.2e-3).
    #[serde(default)]
    pub phase_condition: bool,
}

impl Default for Phase1Config {
    fn default() -> Self {
        Self {
            adam_steps: defaults::phase1_adam(),
            lm_iterations: defaults::phase1_lm(),
            tolerance: defaults::phase1_tol(),
            phase_condition: false,
        }
    }
}

/// How J⁺ is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PseudoInverse {
    /// Truncated SVD: keep σ_i > rcond·σ_max.
    #[default]
    TruncatedSvd,
    /// Tikhonov: Jᵀ(JJᵀ + μ·σ_max² I)⁻¹.
    Tikhonov,
}

/// What runs after each Euler predictor step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Corrector {
    /// Predictor only (the paper).
    None,
    /// m Levenberg–Marquardt iterations at ε_k, each kept only if the loss drops.
    #[default]
    Lm,
    /// m Adam steps at ε_k.
    Adam,
}

/// Strategy 1's predictor–corrector settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EulerConfig {
    /// Pseudo-inverse (default truncated SVD).
    #[serde(default)]
    pub solver: PseudoInverse,
    /// Relative singular-value cutoff of the truncated SVD (default 1e-4; ≤ 1e-8 diverges).
    #[serde(default = "defaults::rcond")]
    pub rcond: f64,
    /// Tikhonov μ relative to σ_max² (default 1e-8).
    #[serde(default = "defaults::tikhonov")]
    pub tikhonov_mu: f64,
    /// Project steps onto ⟨∂ⱼu, δu⟩ = 0 for every axis j (default on).
    #[serde(default = "defaults::yes")]
    pub phase_condition: bool,
    /// Corrector after each predictor (default one LM iteration).
    #[serde(default)]
    pub corrector: Corrector,
    /// Corrector iterations m (default 1).
    #[serde(default = "defaults::one_usize")]
    pub corrector_steps: usize,
    /// Geodesic acceleration in the LM corrector (default off: it lets the front drift).
    #[serde(default)]
    pub corrector_acceleration: bool,
}

impl Default for EulerConfig {
    fn default() -> Self {
        Self {
            solver: PseudoInverse::TruncatedSvd,
            rcond: defaults::rcond(),
            tikhonov_mu: defaults::tikhonov(),
            phase_condition: true,
            corrector: Corrector::Lm,
            corrector_steps: 1,
            corrector_acceleration: false,
        }
    }
}

/// Which optimizer minimizes each Strategy-2 stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StageOptimizer {
    #[default]
    Adam,
    /// Levenberg–Marquardt iterations.
    Lm,
    /// L-BFGS iterations with a line search.
    Lbfgs,
}

/// Strategy 2 / curriculum stage settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageConfig {
    /// Weight α of L_{H_ε} (default 1; the curriculum strategy forces 0).
    #[serde(default = "defaults::one")]
    pub alpha: f64,
    /// Stage optimizer (default Adam).
    #[serde(default)]
    pub optimizer: StageOptimizer,
    /// A stage ends when its loss is below τ (default 1e-9).
    #[serde(default = "defaults::stage_tol")]
    pub tolerance: f64,
    /// Per-stage step cap (default 2000).
    #[serde(default = "defaults::stage_steps")]
    pub max_steps: usize,
    /// Step cap of the last stage, at the target ε (default: `max_steps`); a longer polish
    /// where the result is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_max_steps: Option<usize>,
    /// Plateau patience within a stage (default 500; 0 = off).
    #[serde(default = "defaults::stage_patience")]
    pub plateau_patience: usize,
    /// Keep LM stage steps orthogonal to the translations ⟨∂ⱼu, δu⟩ = 0 of every axis j
    /// (default off; Adam and L-BFGS stages ignore it).
    #[serde(default)]
    pub phase_condition: bool,
}

impl StageConfig {
    /// The step cap of a stage at ε when the target is `target`.
    pub fn cap(&self, eps: f64, target: f64) -> usize {
        if eps == target {
            self.final_max_steps.unwrap_or(self.max_steps)
        } else {
            self.max_steps
        }
    }
}

impl Default for StageConfig {
    fn default() -> Self {
        Self {
            alpha: 1.0,
            optimizer: StageOptimizer::Adam,
            tolerance: defaults::stage_tol(),
            max_steps: defaults::stage_steps(),
            final_max_steps: None,
            plateau_patience: defaults::stage_patience(),
            phase_condition: false,
        }
    }
}

/// The homotopy strategy of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyConfig {
    #[serde(default)]
    pub kind: StrategyKind,
    /// ε₀ where the homotopy starts (default 0.1).
    #[serde(default = "defaults::eps_start")]
    pub eps_start: f64,
    #[serde(default)]
    pub schedule: ScheduleConfig,
    #[serde(default)]
    pub phase1: Phase1Config,
    #[serde(default)]
    pub euler: EulerConfig,
    #[serde(default)]
    pub stages: StageConfig,
    /// Time windows of the time-sequential strategy.
    #[serde(default)]
    pub time: TimeMarchConfig,
}

impl Default for StrategyConfig {
    fn default() -> Self {
        Self {
            kind: StrategyKind::Classical,
            eps_start: defaults::eps_start(),
            schedule: ScheduleConfig::default(),
            phase1: Phase1Config::default(),
            euler: EulerConfig::default(),
            stages: StageConfig::default(),
            time: TimeMarchConfig::default(),
        }
    }
}

/// Spectral diagnostics cadence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticsConfig {
    /// Steps between spectral snapshots (default 0 = only at the end and on demand).
    #[serde(default)]
    pub every: usize,
    /// Relative singular-value cutoff for ranks (default 1e-4).
    #[serde(default = "defaults::rcond")]
    pub rcond: f64,
}

impl Default for DiagnosticsConfig {
    fn default() -> Self {
        Self {
            every: 0,
            rcond: defaults::rcond(),
        }
    }
}

mod defaults {
    pub fn shrink() -> f64 {
        0.5
    }
    pub fn grow() -> f64 {
        1.5
    }
    pub fn easy_fraction() -> f64 {
        0.1
    }
    pub fn phase1_adam() -> usize {
        5000
    }
    pub fn phase1_lm() -> usize {
        300
    }
    pub fn phase1_tol() -> f64 {
        1e-13
    }
    pub fn rcond() -> f64 {
        1e-4
    }
    pub fn tikhonov() -> f64 {
        1e-8
    }
    pub fn yes() -> bool {
        true
    }
    pub fn one_usize() -> usize {
        1
    }
    pub fn one() -> f64 {
        1.0
    }
    pub fn stage_tol() -> f64 {
        1e-9
    }
    pub fn stage_steps() -> usize {
        2000
    }
    pub fn stage_patience() -> usize {
        500
    }
    pub fn eps_start() -> f64 {
        0.1
    }
}

pub(super) fn positive(key: &str, v: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(ConfigError::invalid(key, format!("must be > 0 (got {v})")))
    }
}

/// The planned ε values after `from`, ending exactly at `to` (not including `from`).
pub fn planned_values(config: &ScheduleConfig, from: f64, to: f64) -> Vec<f64> {
    let down = to < from;
    let beyond = |v: f64| if down { v <= to } else { v >= to };
    let mut values = match config {
        ScheduleConfig::List { values } => {
            let mut v: Vec<f64> = values
                .iter()
                .copied()
                .filter(|&v| if down { v < from } else { v > from })
                .take_while(|&v| !beyond(v) || v == to)
                .collect();
            if v.last() != Some(&to) {
                v.push(to);
            }
            v
        }
        ScheduleConfig::Linear { delta } => {
            let step = if down { -delta } else { *delta };
            // A relative slack keeps 0.09/0.001 from rounding up to 91 steps.
            let count = ((to - from) / step * (1.0 - 1e-12)).ceil().max(1.0) as usize;
            (1..=count).map(|k| from + k as f64 * step).collect()
        }
        ScheduleConfig::Geometric { steps } => {
            let steps = (*steps).max(1);
            (1..=steps)
                .map(|k| from * (to / from).powf(k as f64 / steps as f64))
                .collect()
        }
        ScheduleConfig::Adaptive { initial_delta, .. } => {
            // A preview at the initial step size (the real path adapts).
            let step = if down { -initial_delta } else { *initial_delta };
            let count = ((to - from) / step).ceil().clamp(1.0, 1e6) as usize;
            (1..=count).map(|k| from + k as f64 * step).collect()
        }
    };
    for v in &mut values {
        if beyond(*v) {
            *v = to;
        }
    }
    values.dedup();
    if let Some(last) = values.last_mut() {
        *last = to;
    }
    values
}

impl StrategyConfig {
    /// How many stages a fixed schedule plans from ε₀ to `target` (the last lands on it);
    /// None for the adaptive one, which decides as it goes.
    pub fn planned_stages(&self, target: f64) -> Option<usize> {
        match &self.schedule {
            ScheduleConfig::Adaptive { .. } => None,
            s => Some(planned_values(s, self.eps_start, target).len()),
        }
    }

    /// The most training steps a staged homotopy (Strategy 2, curriculum) can take from ε₀ to
    /// `target`: Phase I, then every planned stage at its cap; None where that is not known
    /// before running (other strategies, the adaptive schedule).
    pub fn most_steps(&self, target: f64) -> Option<usize> {
        self.most_steps_from(self.eps_start, target, true)
    }

    /// [`Self::most_steps`] for the path ahead of `from`, with Phase I still to run or not.
    pub fn most_steps_from(&self, from: f64, target: f64, phase_one: bool) -> Option<usize> {
        if !matches!(
            self.kind,
            StrategyKind::Strategy2 | StrategyKind::Curriculum
        ) || matches!(self.schedule, ScheduleConfig::Adaptive { .. })
        {
            return None;
        }
        let stages = planned_values(&self.schedule, from, target).len();
        let s = &self.stages;
        let last = s.final_max_steps.unwrap_or(s.max_steps);
        let first = if phase_one {
            self.phase1.adam_steps + self.phase1.lm_iterations
        } else {
            0
        };
        Some(first + stages.saturating_sub(1) * s.max_steps + last)
    }

    /// Checks against the target ε of the problem.
    pub fn validate(&self, eps_target: f64) -> Result<(), ConfigError> {
        if self.kind == StrategyKind::TimeSequential {
            return self.time.validate();
        }
        if !self.kind.is_homotopy() {
            return Ok(());
        }
        positive("strategy.eps_start", self.eps_start)?;
        if self.eps_start <= eps_target {
            return Err(ConfigError::invalid(
                "strategy.eps_start",
                format!(
                    "ε₀ = {} must be larger than the target ε = {eps_target}",
                    self.eps_start
                ),
            ));
        }
        match &self.schedule {
            ScheduleConfig::List { values } => {
                if values.is_empty() {
                    return Err(ConfigError::invalid(
                        "strategy.schedule.values",
                        "needs at least one ε",
                    ));
                }
                let mut prev = self.eps_start;
                for &v in values {
                    positive("strategy.schedule.values", v)?;
                    if v >= prev {
                        return Err(ConfigError::invalid(
                            "strategy.schedule.values",
                            format!(
                                "must decrease strictly from ε₀ = {} (got {v} after {prev})",
                                self.eps_start
                            ),
                        ));
                    }
                    prev = v;
                }
            }
            ScheduleConfig::Linear { delta } => positive("strategy.schedule.delta", *delta)?,
            ScheduleConfig::Geometric { steps } => {
                if *steps == 0 {
                    return Err(ConfigError::invalid(
                        "strategy.schedule.steps",
                        "must be ≥ 1",
                    ));
                }
            }
            ScheduleConfig::Adaptive {
                initial_delta,
                min_delta,
                max_delta,
                shrink,
                grow,
                tolerance,
                easy_fraction,
            } => {
                if self.kind != StrategyKind::Strategy1 {
                    return Err(ConfigError::invalid(
                        "strategy.schedule.kind",
                        "the adaptive schedule needs Strategy 1 (it judges Euler steps)",
                    ));
                }
                positive("strategy.schedule.initial_delta", *initial_delta)?;
                positive("strategy.schedule.min_delta", *min_delta)?;
                positive("strategy.schedule.max_delta", *max_delta)?;
                positive("strategy.schedule.tolerance", *tolerance)?;
                if !(min_delta <= initial_delta && initial_delta <= max_delta) {
                    return Err(ConfigError::invalid(
                        "strategy.schedule.initial_delta",
                        "needs min_delta ≤ initial_delta ≤ max_delta",
                    ));
                }
                if !(*shrink > 0.0 && *shrink < 1.0) {
                    return Err(ConfigError::invalid(
                        "strategy.schedule.shrink",
                        "must lie in (0, 1)",
                    ));
                }
                if !(*grow >= 1.0 && grow.is_finite()) {
                    return Err(ConfigError::invalid(
                        "strategy.schedule.grow",
                        "must be ≥ 1",
                    ));
                }
                if !(*easy_fraction > 0.0 && *easy_fraction <= 1.0) {
                    return Err(ConfigError::invalid(
                        "strategy.schedule.easy_fraction",
                        "must lie in (0, 1]",
                    ));
                }
            }
        }
        if self.phase1.adam_steps == 0 && self.phase1.lm_iterations == 0 {
            return Err(ConfigError::invalid(
                "strategy.phase1.lm_iterations",
                "Phase I needs at least one Adam step or LM iteration at ε₀ (adam_steps and lm_iterations are both 0)",
            ));
        }
        if self.phase1.tolerance < 0.0 || !self.phase1.tolerance.is_finite() {
            return Err(ConfigError::invalid(
                "strategy.phase1.tolerance",
                "must be ≥ 0",
            ));
        }
        positive("strategy.euler.rcond", self.euler.rcond)?;
        positive("strategy.euler.tikhonov_mu", self.euler.tikhonov_mu)?;
        if self.euler.corrector != Corrector::None && self.euler.corrector_steps == 0 {
            return Err(ConfigError::invalid(
                "strategy.euler.corrector_steps",
                "must be ≥ 1 when a corrector is on",
            ));
        }
        let st = &self.stages;
        if !(st.alpha.is_finite() && st.alpha >= 0.0) {
            return Err(ConfigError::invalid("strategy.stages.alpha", "must be ≥ 0"));
        }
        if st.max_steps == 0 {
            return Err(ConfigError::invalid(
                "strategy.stages.max_steps",
                "must be ≥ 1",
            ));
        }
        if st.final_max_steps == Some(0) {
            return Err(ConfigError::invalid(
                "strategy.stages.final_max_steps",
                "must be ≥ 1",
            ));
        }
        if !(st.tolerance.is_finite() && st.tolerance >= 0.0) {
            return Err(ConfigError::invalid(
                "strategy.stages.tolerance",
                "must be ≥ 0",
            ));
        }
        Ok(())
    }
}

impl DiagnosticsConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        positive("diagnostics.rcond", self.rcond)
    }
}
