//! What Strategy 1 and Strategy 2 share around their ε path: the schedule and its target, the
//! events a step reports, how the path ended, and what a new target or a resumed run does to
//! them. Each strategy keeps its own phases and steps; this keeps the two from drifting apart
//! on re-targeting (the UI's slider) and on resuming.

use super::schedule::EpsSchedule;
use super::trainer::{EndReason, TrainEvent, TrainState};
use crate::config::StrategyConfig;

/// A strategy's ε path: where it goes, what happened on it, how it ended.
pub struct PathTracker {
    pub schedule: EpsSchedule,
    /// ε₀, where Phase I trains and the path starts.
    eps_start: f64,
    pub target: f64,
    pub events: Vec<TrainEvent>,
    pub done: Option<EndReason>,
}

impl PathTracker {
    pub fn new(cfg: &StrategyConfig, target: f64) -> Self {
        Self {
            schedule: EpsSchedule::new(&cfg.schedule, cfg.eps_start, target),
            eps_start: cfg.eps_start,
            target,
            events: Vec::new(),
            done: None,
        }
    }

    /// A new target ε while training. Before the path has `started` (Phase I) the plan is
    /// rebuilt from ε₀; on it, it is re-planned from `current`. True when there is path left
    /// to walk: the strategy is no longer done and goes on along it.
    pub fn set_target(&mut self, started: bool, current: f64, eps: f64) -> bool {
        self.target = eps;
        let more = self
            .schedule
            .set_target(self.eps_start, started, current, eps);
        if more {
            self.done = None;
        }
        more
    }

    /// Go on from a trained run's ε towards the target (new settings applied, or Play on a
    /// finished run), reporting the phase `what` as continued from there.
    pub fn resume(&mut self, state: &TrainState, what: &str) {
        self.schedule.retarget(state.eps, self.target);
        self.done = None;
        self.events.push(TrainEvent::Phase {
            step: state.step,
            name: format!("{what} continued from ε = {}", state.eps),
        });
    }

    /// The path points still planned after `current`; none once the path is `finished`.
    pub fn ahead(&self, current: f64, finished: bool) -> Vec<f64> {
        if finished {
            Vec::new()
        } else {
            self.schedule.ahead(current)
        }
    }

    pub fn drain_events(&mut self) -> Vec<TrainEvent> {
        std::mem::take(&mut self.events)
    }
}
