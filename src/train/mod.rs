//! Training: the objective and its gradient, optimizers, the trainer abstraction with its
//! strategies, and the session that runs them with shared divergence and stopping rules.

pub mod adam;
pub mod classical;
pub mod objective;
pub mod session;
pub mod trainer;

pub use objective::{LossParts, NetPath, Objective, ObjectiveError};
pub use session::{HistoryRow, Progress, Session};
pub use trainer::{EndReason, StepReport, StopRules, TrainState, Trainer};
