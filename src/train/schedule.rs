//! ε schedules at run time: the planned path from the current ε to the target (list, linear,
//! geometric) or an adaptive step size driven by accepted and rejected Euler steps. The plan
//! itself, [`planned_values`], is pure arithmetic on the configuration and lives beside it.

use crate::config::ScheduleConfig;

/// Where a schedule stands.
#[derive(Clone, Debug)]
pub struct EpsSchedule {
    config: ScheduleConfig,
    target: f64,
    /// Planned values still ahead (non-adaptive schedules).
    ahead: Vec<f64>,
    /// Current adaptive step |Δε|.
    delta: f64,
}

pub use crate::config::planned_values;

impl EpsSchedule {
    /// A schedule from `from` to `target`.
    pub fn new(config: &ScheduleConfig, from: f64, target: f64) -> Self {
        let delta = match config {
            ScheduleConfig::Adaptive { initial_delta, .. } => *initial_delta,
            _ => 0.0,
        };
        let mut s = Self {
            config: config.clone(),
            target,
            ahead: Vec::new(),
            delta,
        };
        s.retarget(from, target);
        s
    }

    pub fn target(&self) -> f64 {
        self.target
    }

    pub fn is_adaptive(&self) -> bool {
        matches!(self.config, ScheduleConfig::Adaptive { .. })
    }

    /// The values still planned (for adaptive: a preview at the current step size).
    pub fn ahead(&self, current: f64) -> Vec<f64> {
        if self.is_adaptive() {
            let mut preview = self.config.clone();
            if let ScheduleConfig::Adaptive { initial_delta, .. } = &mut preview {
                *initial_delta = self.delta;
            }
            planned_values(&preview, current, self.target)
        } else {
            self.ahead.clone()
        }
    }

    /// The next ε after `current`, or None once the target is reached.
    pub fn peek(&self, current: f64) -> Option<f64> {
        if current == self.target {
            return None;
        }
        if self.is_adaptive() {
            let down = self.target < current;
            let next = if down {
                (current - self.delta).max(self.target)
            } else {
                (current + self.delta).min(self.target)
            };
            return Some(next);
        }
        self.ahead.first().copied()
    }

    /// Move past the value returned by [`Self::peek`].
    pub fn advance(&mut self) {
        if !self.is_adaptive() && !self.ahead.is_empty() {
            self.ahead.remove(0);
        }
    }

    /// Adaptive: a rejected step shrinks Δε. Returns false when Δε is already at its minimum
    /// (the step must then be accepted as it is). Non-adaptive schedules cannot shrink.
    pub fn on_rejected(&mut self) -> bool {
        if let ScheduleConfig::Adaptive {
            min_delta, shrink, ..
        } = self.config
        {
            if self.delta <= min_delta {
                return false;
            }
            self.delta = (self.delta * shrink).max(min_delta);
            return true;
        }
        false
    }

    /// Adaptive: an easy step grows Δε.
    pub fn on_easy(&mut self) {
        if let ScheduleConfig::Adaptive {
            max_delta, grow, ..
        } = self.config
        {
            self.delta = (self.delta * grow).min(max_delta);
        }
    }

    /// Adaptive step size now (0 for planned schedules).
    pub fn delta(&self) -> f64 {
        self.delta
    }

    /// A new target ε* for a homotopy's walk (the UI's ε slider): before the walk has
    /// `started` (Phase I runs at ε₀) it is planned afresh from `eps_start`; once started, from
    /// `current`. Returns whether a started walk has ground left to cover (then the strategy
    /// resumes walking).
    pub fn set_target(&mut self, eps_start: f64, started: bool, current: f64, target: f64) -> bool {
        if !started {
            *self = Self::new(&self.config.clone(), eps_start, target);
            return false;
        }
        self.retarget(current, target);
        current != target
    }

    /// Re-plan from `current` towards a new target.
    pub fn retarget(&mut self, current: f64, target: f64) {
        self.target = target;
        self.ahead = if current == target {
            Vec::new()
        } else {
            planned_values(&self.config, current, target)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_schedule_ends_exactly_at_the_target() {
        let v = planned_values(&ScheduleConfig::Geometric { steps: 230 }, 0.1, 0.01);
        assert_eq!(v.len(), 230);
        assert_eq!(*v.last().unwrap(), 0.01);
        // Δε ≈ 0.01 ε: every ratio is 0.1^(1/230).
        let r = 0.1f64.powf(1.0 / 230.0);
        assert!((v[1] / v[0] - r).abs() < 1e-12);
    }

    #[test]
    fn linear_schedule_is_the_papers_uniform_step() {
        let v = planned_values(&ScheduleConfig::Linear { delta: 0.001 }, 0.1, 0.01);
        assert_eq!(v.len(), 90);
        assert!((v[0] - 0.099).abs() < 1e-15);
        assert_eq!(*v.last().unwrap(), 0.01);
    }

    #[test]
    fn list_schedule_is_clipped_and_completed() {
        let cfg = ScheduleConfig::List {
            values: vec![0.05, 0.03, 0.02, 0.01, 0.005],
        };
        assert_eq!(
            planned_values(&cfg, 0.1, 0.01),
            vec![0.05, 0.03, 0.02, 0.01]
        );
        assert_eq!(planned_values(&cfg, 0.04, 0.015), vec![0.03, 0.02, 0.015]);
    }

    #[test]
    fn adaptive_schedule_shrinks_and_grows_within_bounds() {
        let cfg = ScheduleConfig::Adaptive {
            initial_delta: 0.004,
            min_delta: 0.001,
            max_delta: 0.008,
            shrink: 0.5,
            grow: 1.5,
            tolerance: 1e-6,
            easy_fraction: 0.1,
        };
        let mut s = EpsSchedule::new(&cfg, 0.1, 0.01);
        assert!((s.peek(0.1).unwrap() - 0.096).abs() < 1e-15);
        assert!(s.on_rejected());
        assert!(s.on_rejected());
        assert!(!s.on_rejected(), "at min_delta it cannot shrink");
        assert!((s.delta() - 0.001).abs() < 1e-15);
        for _ in 0..10 {
            s.on_easy();
        }
        assert!((s.delta() - 0.008).abs() < 1e-15);
        assert_eq!(s.peek(0.012), Some(0.01));
        assert_eq!(s.peek(0.01), None);
    }

    #[test]
    fn retarget_replans_from_the_current_value() {
        let mut s = EpsSchedule::new(&ScheduleConfig::Linear { delta: 0.01 }, 0.1, 0.05);
        assert!((s.peek(0.1).unwrap() - 0.09).abs() < 1e-15);
        s.advance();
        s.retarget(0.09, 0.02);
        assert_eq!(s.ahead(0.09).len(), 7);
        assert!((s.peek(0.09).unwrap() - 0.08).abs() < 1e-15);
    }
}
