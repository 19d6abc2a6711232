//! What a session hands out: the history rows, the finished stages, one step's progress, the
//! λ_max(D_ε) sweep and what `summary` takes from its caller.

use serde::Serialize;

use super::super::objective::LossParts;
use super::super::spectral::SpectralReport;
use super::super::trainer::{EndReason, StepReport, TrainEvent};
use crate::diagnostics::{Accuracy, EvalReport};

/// One row of the run history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryRow {
    pub step: usize,
    pub eps: f64,
    pub s: f64,
    pub stage: usize,
    pub lr: f64,
    pub loss: f64,
    pub loss_residual: f64,
    pub loss_boundary: f64,
    /// Present on evaluation steps (all `None` on the others).
    #[serde(flatten)]
    pub accuracy: Accuracy,
}

impl HistoryRow {
    pub(super) fn new(r: &StepReport, eval: Option<&EvalReport>) -> Self {
        Self {
            step: r.step,
            eps: r.eps,
            s: r.s,
            stage: r.stage,
            lr: r.lr,
            loss: r.loss.total,
            loss_residual: r.loss.residual,
            loss_boundary: r.loss.boundary,
            accuracy: Accuracy::of(eval),
        }
    }
}

/// A finished homotopy stage (or path point) with its accuracy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct StageRecord {
    pub step: usize,
    pub stage: usize,
    pub eps: f64,
    pub loss: f64,
    #[serde(flatten)]
    pub accuracy: Accuracy,
    /// u_θ at the evaluation points as the stage ended: a frame of the explorer's timeline
    /// (only in [`Progress::stages`]; the session's own list and summary.json leave it out).
    #[serde(skip)]
    pub u: Vec<f64>,
    /// The reference (else exact) solution at this ε on the same points, where one is known.
    #[serde(skip)]
    pub reference: Option<Vec<f64>>,
    /// H(u_θ, ε) at the residual points as the stage ended (the explorer's worker fills it for
    /// the timeline; empty elsewhere).
    #[serde(skip)]
    pub residual: Vec<f64>,
    /// θ as the stage ended (like `u`, only in [`Progress::stages`]): the explorer computes a
    /// stage's spectrum from it on request.
    #[serde(skip)]
    pub theta: Vec<f64>,
}

/// What one call to [`Session::step`] produced.
#[derive(Clone, Debug)]
pub struct Progress {
    pub report: StepReport,
    /// Present on evaluation steps.
    pub eval: Option<EvalReport>,
    /// Set when this step ended the run.
    pub end: Option<EndReason>,
    /// What the trainer marked during this step.
    pub events: Vec<TrainEvent>,
    /// Stages that finished during this step.
    pub stages: Vec<StageRecord>,
    /// A spectral snapshot, on diagnostics steps.
    pub diagnostics: Option<SpectralReport>,
}

/// λ_max(D_ε) (or the largest |λ| where D_ε is not symmetric) along ε, for the λ_max plot.
#[derive(Clone, Debug)]
pub struct OperatorSweep {
    /// (ε, λ) at 41 geometric ε from max(ε₀, 10ε*, 1) down to min(ε*, 10⁻³), at the problem's
    /// reference solution where it has one.
    pub points: Vec<(f64, f64)>,
    /// (ε, λ) of D_ε at u_θ now.
    pub current: Option<(f64, f64)>,
}

/// What [`Session::summary`] takes from its caller, who has already evaluated the state.
pub struct SummaryInputs<'a> {
    /// The device's description.
    pub device: &'a str,
    pub wall_secs: f64,
    /// The loss at the current parameters.
    pub final_loss: LossParts,
    /// The evaluation at the current parameters.
    pub eval: &'a EvalReport,
    /// Whether an unended run is training (`running`) or paused.
    pub running: bool,
    /// Labels of the exact and reference solutions, where the problem has them.
    pub exact_solution: Option<String>,
    pub reference_solution: Option<String>,
}
