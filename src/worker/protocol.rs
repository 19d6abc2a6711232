//! What the UI and the training worker say to each other: typed [`Command`]s in, [`Event`]s out.

use std::path::PathBuf;

use crate::config::{HrtaConfig, LectureConfig, RunConfig, ScheduleConfig, StrategyConfig};
use crate::diagnostics::Accuracy;
use crate::train::SpectralReport;
use crate::train::{EndReason, LossParts, RunSummary, StageRecord, TrainEvent};

/// UI → worker.
#[derive(Clone, Debug)]
pub enum Command {
    /// Start or resume training.
    Play,
    /// Stop stepping (the run can be resumed).
    Pause,
    /// One step (while paused).
    Step,
    /// Back to the initialization of the current configuration.
    Reset,
    /// Move the target ε (the slider); trainers re-target from the current state.
    SetEpsTarget(f64),
    /// New strategy settings; the trainer restarts its schedule from the current parameters.
    SetStrategy(Box<StrategyConfig>),
    /// New ε schedule for the current strategy.
    SetSchedule(ScheduleConfig),
    /// HRTA on/off, s values and switching rule.
    SetHrta(Box<HrtaConfig>),
    /// Which controls lecture mode locks (the run is untouched).
    SetLectureLocks(LectureConfig),
    /// A whole new configuration (a preset); rebuilds the run from its initialization.
    LoadConfig(Box<RunConfig>),
    /// Edited settings: kept parameters where the problem and network are unchanged
    /// (strategy, schedule, HRTA, optimizer), a fresh run otherwise.
    ApplyConfig(Box<RunConfig>),
    /// Compute a spectral snapshot now.
    RequestDiagnostics,
    /// Compute the spectral snapshot of a finished stage (its θ and path point, the step it
    /// ended at), answered by [`Event::StageDiagnostics`].
    RequestStageDiagnostics {
        step: usize,
        theta: Vec<f64>,
        eps: f64,
    },
    /// Recompute λ_max(D_ε) over a range of ε (paper Fig. 4).
    RequestSweep,
    /// Operator problems: show a fresh draw from the input field with the operator's answer
    /// (answered by [`Event::OperatorInput`], refreshed with every snapshot).
    NewOperatorInput,
    /// Operator problems: show this input (sensor values, e.g. drawn with the mouse).
    SetOperatorInput(Vec<f64>),
    /// Operator problems: back to the held-out test inputs.
    ClearOperatorInput,
    /// Operator problems: answer the shown input with a finished stage's parameters (the
    /// timeline), answered by [`Event::OperatorInputAt`].
    AnswerOperatorInputAt {
        step: usize,
        theta: Vec<f64>,
        eps: f64,
    },
    /// Write θ, ε, s, step and the configuration to a file.
    SaveCheckpoint(PathBuf),
    /// Read a checkpoint written by `SaveCheckpoint` and continue from it.
    LoadCheckpoint(PathBuf),
    /// Stop the worker thread.
    Shutdown,
}

/// One point of the loss / accuracy history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistoryPoint {
    pub step: usize,
    pub eps: f64,
    pub s: f64,
    pub loss: LossParts,
    /// Present on evaluation steps.
    pub accuracy: Accuracy,
    /// ‖θ‖₂ after the step (the random-feature model's implicit-regularization trace).
    pub theta_norm: f64,
}

/// The state of the run for the plots (at most ~30 per second).
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub step: usize,
    pub eps: f64,
    pub eps_target: f64,
    pub s: f64,
    pub stage: usize,
    /// What the trainer is doing (e.g. "phase II: Euler → ε* = 0.01").
    pub phase: String,
    /// A homotopy still in its Phase I ([`crate::train::Session::in_phase_one`]).
    pub in_phase_one: bool,
    pub running: bool,
    pub loss: LossParts,
    /// As of the last evaluation.
    pub accuracy: Accuracy,
    /// Evaluation points as plotted (1D: x; nD: the problem's plot coordinate) and u_θ on them.
    pub plot_x: Vec<f64>,
    /// What `plot_x` is, for axis labels.
    pub plot_label: &'static str,
    /// Input dimension of the problem.
    pub dim: usize,
    /// The evaluation points as a tensor grid in the plane (2D problems: heat maps).
    pub grid: Option<crate::problem::Grid2d>,
    /// The residual points as a tensor grid (2D problems on a grid: residual heat map).
    pub residual_grid: Option<crate::problem::Grid2d>,
    pub u: Vec<f64>,
    pub exact: Option<Vec<f64>>,
    pub reference: Option<Vec<f64>>,
    /// Residual points and H(u_θ(x_i), ε) there.
    pub residual_x: Vec<f64>,
    pub residual: Vec<f64>,
    /// History since the previous snapshot.
    pub history: Vec<HistoryPoint>,
    /// Training steps per second over the last snapshot interval.
    pub steps_per_s: f64,
    /// The ε values still planned by the schedule.
    pub schedule_ahead: Vec<f64>,
    /// Stages finished since the previous snapshot (with `schedule_ahead`, one consistent
    /// picture of the schedule).
    pub stages: Vec<StageRecord>,
    /// The run's `summary.json` at this snapshot (what *Export all* writes).
    pub summary: Box<RunSummary>,
}

/// An input of an operator problem with the operator's answer (see [`Command::NewOperatorInput`]).
#[derive(Clone, Debug, PartialEq)]
pub struct OperatorInput {
    /// Where the input came from.
    pub label: String,
    /// One input's evaluation coordinates, u₀ there and the operator's output.
    pub x: Vec<f64>,
    pub u0: Vec<f64>,
    pub u: Vec<f64>,
    /// The finite-difference reference at `eps` for this input, where it could be solved.
    pub reference: Option<Vec<f64>>,
    /// Path point and step of the parameters that answered.
    pub eps: f64,
    pub step: usize,
    /// Seconds the DeepONet took for this input, and the reference's finite-difference solve.
    pub inference_secs: f64,
    pub reference_secs: f64,
    /// max |u₀| of this input, and the largest over the training inputs (None when the
    /// problem has none): an input above it asks the operator to extrapolate.
    pub input_max: f64,
    pub training_max: Option<f64>,
}

/// Worker → UI.
#[derive(Clone, Debug)]
pub enum Event {
    Snapshot(Box<Snapshot>),
    /// A spectral snapshot (cadence or on demand).
    Diagnostics {
        step: usize,
        report: Box<SpectralReport>,
        residual_x: Vec<f64>,
    },
    /// A finished stage's spectral snapshot (asked for by the timeline): kept with the others
    /// at its step, never taken for the live state.
    StageDiagnostics {
        step: usize,
        report: Box<SpectralReport>,
        residual_x: Vec<f64>,
    },
    /// The shown input of an operator problem, answered at the current parameters.
    OperatorInput(Box<OperatorInput>),
    /// The shown input answered with a finished stage's parameters.
    OperatorInputAt(Box<OperatorInput>),
    /// λ_max(D_ε) over ε with the exact solution, and at u_θ for the current ε.
    Sweep {
        points: Vec<(f64, f64)>,
        current: Option<(f64, f64)>,
    },
    /// A phase change, ε or s change, rejected step (plot markers).
    Marker(TrainEvent),
    /// The run ended, with u_θ's accuracy at its final parameters (the snapshot before the
    /// end may be a few steps older).
    Ended(EndReason, Accuracy),
    /// The configuration the worker now runs (after a load or a change).
    Config(Box<RunConfig>),
    /// The run restarted from its initialization (reset, new preset, checkpoint): histories
    /// of the previous run no longer apply.
    RunReset,
    /// A checkpoint was written or read.
    Checkpoint(String),
    /// Something failed; the run keeps its last good state.
    Error(String),
    /// The worker thread panicked; a new worker must be started.
    Panicked(String),
}

/// A saved trained state (defined with the session that makes and restores it).
pub use crate::train::Checkpoint;
