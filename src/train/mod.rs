//! Training: the objective and its derivatives, optimizers (Adam, L-BFGS, Levenberg–Marquardt), ε
//! schedules, the trainer abstraction with its strategies (classical, Strategy 1, Strategy 2,
//! curriculum, time-sequential, HRTA stages), and the session that runs them with shared divergence and
//! stopping rules.

pub mod adam;
pub mod checkpoint;
pub mod classical;
pub mod hrta;
pub mod inner;
pub mod lbfgs;
pub mod linearization;
pub mod lm;
pub mod objective;
pub mod path;
pub mod phase_one;
pub mod schedule;
pub mod session;
pub mod spectral;
pub mod strategy1;
pub mod strategy2;
pub mod summary;
pub mod time_sequential;
pub mod trainer;

pub use checkpoint::Checkpoint;
pub use objective::{LossParts, NetPath, Objective, ObjectiveError};
pub use session::{
    EXPLODED, HistoryRow, OperatorSweep, Progress, Session, StageRecord, SummaryInputs,
};
pub use spectral::{DiagnosticsError, SpectralReport, spectral_report};
pub use summary::{RunSummary, Versions};
pub use trainer::{EndReason, StepReport, StopRules, TrainEvent, TrainState, Trainer};

use crate::config::{RunConfig, StrategyKind};

/// The trainer a config asks for (HRTA stages wrapped around it when enabled).
pub fn build_trainer(config: &RunConfig, n_params: usize) -> Box<dyn Trainer> {
    let st = &config.strategy;
    let target = config.problem.eps;
    let inner: Box<dyn Trainer> = match st.kind {
        StrategyKind::Classical => {
            let t = &config.training;
            let rules = StopRules::new(
                t.loss_tolerance,
                t.plateau_patience,
                t.plateau_rel_improvement,
            );
            Box::new(classical::Classical::new(
                &config.optimizer,
                &config.lm,
                n_params,
                rules,
            ))
        }
        StrategyKind::Strategy1 => Box::new(strategy1::Strategy1::new(
            st,
            &config.optimizer,
            &config.lm,
            n_params,
            target,
        )),
        StrategyKind::Strategy2 | StrategyKind::Curriculum => Box::new(strategy2::Strategy2::new(
            st,
            &config.optimizer,
            &config.lm,
            n_params,
            target,
            st.kind == StrategyKind::Curriculum,
        )),
        StrategyKind::TimeSequential => Box::new(time_sequential::TimeSequential::new(
            &st.time,
            &config.optimizer,
            &config.lm,
            n_params,
        )),
    };
    if config.hrta.enabled {
        Box::new(hrta::Hrta::new(
            inner,
            &config.hrta,
            config.diagnostics.rcond,
        ))
    } else {
        inner
    }
}
