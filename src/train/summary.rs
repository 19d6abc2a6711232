//! `summary.json`: the numbers of a run, with the versions that produced them — one format for
//! `run` (at the end) and the explorer's *Export all* (at the step shown), built by
//! [`super::Session::summary`] and documented field by field in docs/summary.md.

use serde::{Deserialize, Serialize};

use super::session::StageRecord;
use super::{EndReason, LossParts};
use crate::config::StrategyKind;

/// Versions of this program and of the numeric stack.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Versions {
    pub homotopy_explorer: String,
    pub burn: String,
    pub faer: String,
}

impl Default for Versions {
    fn default() -> Self {
        Self {
            homotopy_explorer: env!("CARGO_PKG_VERSION").into(),
            burn: "0.22.1".into(),
            faer: "0.24".into(),
        }
    }
}

/// The final state of a run (read back from a run folder by the explorer).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunSummary {
    /// Preset title.
    pub name: String,
    /// Problem id as in presets.
    pub problem: String,
    /// Strategy that trained the network.
    pub trainer: StrategyKind,
    /// What the run trains by, in words ([`crate::config::RunConfig::method_label`]): the
    /// strategy with its optimizer, α, phase condition, stages and Phase I; empty in summaries
    /// written before it was recorded.
    #[serde(default)]
    pub method: String,
    /// Final ε.
    pub eps: f64,
    pub seed: u64,
    /// Backend id (`cpu` or `wgpu`) and device description.
    pub backend: String,
    pub device: String,
    /// The model trained (`MlpShape` widths, or the DeepONet's form and sizes); empty in
    /// summaries written before it was recorded.
    #[serde(default)]
    pub model: String,
    pub n_params: usize,
    pub steps: usize,
    /// Short name of why the run ended (`EndReason::name`), or `running` / `paused` for an
    /// explorer export of a run that has not ended.
    pub end_reason: String,
    /// The end reason with its numbers; None while the run has not ended.
    pub end_detail: Option<EndReason>,
    /// Loss at the final parameters.
    pub final_loss: LossParts,
    /// What the exact solution is (e.g. `tanh`).
    pub exact_solution: Option<String>,
    pub l2re_exact: Option<f64>,
    pub reference_solution: Option<String>,
    pub l2re_reference: Option<f64>,
    pub front_x0: Option<f64>,
    /// The mean squared distance of the fronts from their place, where the evaluation holds
    /// many profiles (the operator problem's test inputs: Table 5's MSE(x_s)); absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_mse: Option<f64>,
    /// Wall-clock seconds of the whole run (training and evaluations); the explorer gives the
    /// seconds spent training (pauses excluded).
    pub wall_secs: f64,
    /// Steps per second of training time.
    pub steps_per_s: f64,
    /// Every finished homotopy stage or path point with its loss and accuracy.
    pub stages: Vec<StageRecord>,
    pub versions: Versions,
}
