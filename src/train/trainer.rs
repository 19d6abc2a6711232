//! The one trainer abstraction: a [`Trainer`] advances a [`TrainState`] by one unit of work
//! and says when it is done; the [`super::Session`] around it handles divergence, interruption,
//! step caps and history, so every strategy gets those for free.

use serde::Serialize;

use super::objective::{LossParts, Objective, ObjectiveError};
use crate::config::StrategyKind;

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EndReason {
    /// The loss fell below the tolerance.
    Converged { loss: f64 },
    /// The step cap was reached.
    MaxSteps,
    /// The loss stopped improving.
    Plateau { best_loss: f64 },
    /// Someone asked the run to stop.
    Interrupted,
    /// A non-finite loss or gradient appeared at `step`; θ was restored to the last finite state.
    Diverged { step: usize },
    /// A homotopy strategy reached the end of its schedule (loss at the final ε).
    Completed { loss: f64 },
    /// The time-sequential strategy ended its march at `time`: at a steady state (the state
    /// stopped changing) or at the configured end time (loss at the end of the last window).
    Marched { time: f64, steady: bool, loss: f64 },
}

impl EndReason {
    /// Short name for tables and CSVs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Converged { .. } => "converged",
            Self::MaxSteps => "max_steps",
            Self::Plateau { .. } => "plateau",
            Self::Interrupted => "interrupted",
            Self::Diverged { .. } => "diverged",
            Self::Completed { .. } => "completed",
            Self::Marched { steady: true, .. } => "steady_state",
            Self::Marched { steady: false, .. } => "end_time",
        }
    }
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Converged { loss } => write!(f, "converged (loss {loss:.3e} below tolerance)"),
            Self::MaxSteps => write!(f, "reached the step cap"),
            Self::Plateau { best_loss } => write!(f, "loss plateaued at {best_loss:.3e}"),
            Self::Interrupted => write!(f, "interrupted"),
            Self::Diverged { step } => write!(
                f,
                "diverged at step {step} (non-finite loss); restored the last finite parameters"
            ),
            Self::Completed { loss } => {
                write!(f, "reached the target ε (last step's loss {loss:.3e})")
            }
            Self::Marched {
                time,
                steady: true,
                loss,
            } => write!(
                f,
                "reached a steady state at t = {time:.3} (last window's loss {loss:.3e})"
            ),
            Self::Marched {
                time,
                steady: false,
                loss,
            } => write!(
                f,
                "marched to the end time t = {time:.3} (last window's loss {loss:.3e})"
            ),
        }
    }
}

/// The mutable state every trainer works on.
#[derive(Clone, Debug)]
pub struct TrainState {
    /// Flat parameters (see [`crate::net::MlpShape`]).
    pub theta: Vec<f64>,
    /// Current ε of the objective.
    pub eps: f64,
    /// Current HRTA activation parameter s.
    pub s: f64,
    /// Current homotopy/HRTA stage (0 for classical training).
    pub stage: usize,
    /// Steps taken so far.
    pub step: usize,
}

/// What one step did: the loss at the parameters it started from, and the settings it used.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StepReport {
    /// Index of this step (0-based).
    pub step: usize,
    pub eps: f64,
    pub s: f64,
    pub stage: usize,
    /// Learning rate used (NaN for optimizers without one).
    pub lr: f64,
    pub loss: LossParts,
    /// Whether the step's gradient was finite (a finite loss with a non-finite gradient is
    /// divergence too).
    #[serde(skip)]
    pub finite: bool,
    /// Whether `loss` was evaluated after the update (LM and Euler steps) rather than at the
    /// parameters the step started from (gradient steps).
    #[serde(skip)]
    pub evaluated_after: bool,
}

impl StepReport {
    /// A report of the step `state` is at, with its ε, s and stage.
    pub fn at(
        state: &TrainState,
        lr: f64,
        loss: LossParts,
        finite: bool,
        evaluated_after: bool,
    ) -> Self {
        Self {
            step: state.step,
            eps: state.eps,
            s: state.s,
            stage: state.stage,
            lr,
            loss,
            finite,
            evaluated_after,
        }
    }
}

/// Something a trainer did that a plot, a table or a log should mark.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TrainEvent {
    /// A new phase began (e.g. "phase I: Adam", "phase I: LM", "phase II: Euler").
    Phase { step: usize, name: String },
    /// ε moved (an Euler step or a new stage).
    EpsChanged { step: usize, from: f64, to: f64 },
    /// A stage (Strategy 2) or path point (Strategy 1) finished at `eps`.
    StageFinished {
        step: usize,
        stage: usize,
        eps: f64,
        loss: f64,
    },
    /// An adaptive Euler step was rejected; Δε shrank to `new_delta`.
    StepRejected {
        step: usize,
        eps_tried: f64,
        loss: f64,
        new_delta: f64,
    },
    /// A time window of the time-sequential strategy finished at `time` (= window·Δt): its
    /// loss at the window's final parameters, how far it moved, ‖u_n − u_{n−1}‖/(Δt‖u_{n−1}‖),
    /// and the rate ‖H(u_n)‖/‖u_n‖ of u_t = −H that judges steadiness (residual points).
    WindowFinished {
        step: usize,
        window: usize,
        time: f64,
        dt: f64,
        loss: f64,
        change: f64,
        rate: f64,
    },
    /// Residual-based resampling added `added` points; the residual set now has `n_res`.
    Resampled {
        step: usize,
        added: usize,
        n_res: usize,
    },
    /// HRTA moved from s = `from` to `to`; λ_min(SSᵀ) at the same θ for both values (None
    /// where SSᵀ is numerically singular).
    SChanged {
        step: usize,
        from: f64,
        to: f64,
        lambda_min_sst_from: Option<f64>,
        lambda_min_sst_to: Option<f64>,
    },
}

/// A training strategy: one unit of work per call.
/// A Phase I under way, handed from a replaced trainer to the one replacing it
/// ([`Trainer::into_phase_one`], [`Trainer::adopt_phase_one`]). Opaque here: Phase I's own
/// type uses this module's events, and this module does not use it back.
pub struct PhaseOneHandOver(pub(super) Box<dyn std::any::Any + Send>);

pub trait Trainer: Send {
    /// The strategy the trainer runs, for tables, files and the UI (Strategy 2 with α = 0
    /// reports itself as the curriculum; HRTA stages report the strategy they wrap).
    fn kind(&self) -> StrategyKind;

    /// Evaluate at `state.theta`, then update it. The report carries the loss at the parameters
    /// the step started from. A trainer must not leave non-finite values in θ without
    /// reporting `finite: false` or a non-finite loss.
    fn step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError>;

    /// Whether the strategy is done after this report (convergence, plateau, schedule end).
    fn end(&mut self, report: &StepReport) -> Option<EndReason>;

    /// Change the target ε while training (the UI's slider).
    fn set_eps_target(&mut self, state: &mut TrainState, eps: f64);

    /// Set up the state before the first step (e.g. ε₀ of a homotopy).
    fn start(&mut self, _state: &mut TrainState, _objective: &mut Objective) {}

    /// Set up the state to go on from where a trained run stands (new settings applied to it,
    /// or Play on a finished run): a homotopy plans its path from the current ε to the target
    /// and skips its Phase I; other trainers start as usual.
    fn resume(&mut self, state: &mut TrainState, objective: &mut Objective) {
        self.start(state, objective);
    }

    /// Whether a homotopy is still in its Phase I at ε₀ (new settings applied then start Phase I
    /// again from the current parameters rather than skip what is left of it).
    fn in_phase_one(&self) -> bool {
        false
    }

    /// The Phase I under way (its progress and optimizer state), when the trainer is in one;
    /// the trainer is given up for it ([`Self::adopt_phase_one`]).
    fn into_phase_one(self: Box<Self>) -> Option<PhaseOneHandOver> {
        None
    }

    /// Carry on `phase_one`, taken from the trainer this started one replaces, in place of the
    /// Phase I its start began: a new ε schedule applied during Phase I takes over after it,
    /// not by starting it again. False (the fresh Phase I stays) for a trainer without one.
    fn adopt_phase_one(&mut self, _phase_one: PhaseOneHandOver) -> bool {
        false
    }

    /// Forget loss-based stopping state (best loss, plateau counter) from `step` on; used when
    /// the objective changes under the trainer (a new HRTA s).
    fn reset_stopping(&mut self, _step: usize) {}

    /// Events since the last call.
    fn drain_events(&mut self) -> Vec<TrainEvent> {
        Vec::new()
    }

    /// The ε values its schedule still plans after `current` (empty for classical training).
    fn schedule_ahead(&self, _current: f64) -> Vec<f64> {
        Vec::new()
    }

    /// What the trainer is doing now, for progress displays.
    fn phase(&self) -> String {
        self.kind().name().to_string()
    }
}

/// Loss-tolerance and plateau rules, shared by strategies that minimize a fixed objective.
#[derive(Clone, Debug)]
pub struct StopRules {
    /// Converged below this loss (0 = never).
    pub tolerance: f64,
    /// Steps without relative improvement before a plateau (0 = never).
    pub patience: usize,
    /// Relative improvement that counts.
    pub rel_improvement: f64,
    best: f64,
    best_step: usize,
}

impl StopRules {
    pub fn new(tolerance: f64, patience: usize, rel_improvement: f64) -> Self {
        Self {
            tolerance,
            patience,
            rel_improvement,
            best: f64::INFINITY,
            best_step: 0,
        }
    }

    /// Forget the best loss (a new stage starts a new plateau count at `step`).
    pub fn reset(&mut self, step: usize) {
        self.best = f64::INFINITY;
        self.best_step = step;
    }

    /// The end reason, if this loss at this step ends the minimization.
    pub fn check(&mut self, step: usize, loss: f64) -> Option<EndReason> {
        if self.tolerance > 0.0 && loss < self.tolerance {
            return Some(EndReason::Converged { loss });
        }
        if loss < self.best * (1.0 - self.rel_improvement) || !self.best.is_finite() {
            self.best = loss;
            self.best_step = step;
        } else if self.patience > 0 && step - self.best_step >= self.patience {
            return Some(EndReason::Plateau {
                best_loss: self.best,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_rules_detect_tolerance_and_plateau() {
        let mut r = StopRules::new(1e-6, 3, 0.1);
        assert_eq!(r.check(0, 1.0), None);
        assert_eq!(r.check(1, 0.5), None);
        assert_eq!(r.check(2, 0.49), None);
        assert_eq!(r.check(3, 0.48), None);
        assert_eq!(
            r.check(4, 0.47),
            Some(EndReason::Plateau { best_loss: 0.5 })
        );
        assert_eq!(r.check(5, 1e-7), Some(EndReason::Converged { loss: 1e-7 }));
    }
}
