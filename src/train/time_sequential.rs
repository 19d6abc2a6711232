//! The time-sequential baseline of the homotopy paper's Table 3 (sequence-to-sequence training,
//! Δt = 0.01): a fresh run first fits the network to the problem's initial state u₀ (the first
//! window's data); then, from u₀, window after window of the implicit-Euler step
//! u − u_prev + Δt·H(u) = 0 at the target ε, each minimized by the configured optimizer
//! warm-started from the previous window (Adam's state carried over, L-BFGS's memory not); the
//! march ends at `t_end` or once ‖H(u)‖/‖u‖ (the relative rate of u_t = −H) is below the
//! steady-state tolerance. A run that has already trained (continued after its end, switched
//! to this strategy, or given a new ε) marches on from its current state.

use super::classical::Classical;
use super::objective::{Objective, ObjectiveError, TimeStep};
use super::trainer::{EndReason, StepReport, StopRules, TrainEvent, TrainState, Trainer};
use crate::config::{LmConfig, OptimizerConfig, StrategyKind, TimeMarchConfig};
use crate::problem::relative_l2;

/// The time-sequential strategy.
pub struct TimeSequential {
    cfg: TimeMarchConfig,
    /// The configured optimizer; window ends are judged here, so its own stop rules are off.
    inner: Classical,
    /// u₀ at the residual points while the network is still being fitted to it.
    fitting: Option<Vec<f64>>,
    /// Windows finished since the march (re)started.
    windows_done: usize,
    /// Windows finished in all (time = windows_total·Δt).
    windows_total: usize,
    steps_in_window: usize,
    events: Vec<TrainEvent>,
    done: Option<EndReason>,
}

impl TimeSequential {
    pub fn new(
        cfg: &TimeMarchConfig,
        optimizer: &OptimizerConfig,
        lm: &LmConfig,
        n_params: usize,
    ) -> Self {
        Self {
            cfg: cfg.clone(),
            inner: Classical::new(optimizer, lm, n_params, StopRules::new(0.0, 0, 0.0)),
            fitting: None,
            windows_done: 0,
            windows_total: 0,
            steps_in_window: 0,
            events: Vec::new(),
            done: None,
        }
    }

    /// The time reached (end of the last finished window).
    pub fn time(&self) -> f64 {
        self.windows_total as f64 * self.cfg.dt
    }

    /// Open a window of length Δt from `previous` (u at the residual points), with a fresh
    /// optimizer memory where it holds one (L-BFGS pairs from another objective mislead).
    fn open_window(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
        previous: Vec<f64>,
    ) {
        self.steps_in_window = 0;
        self.inner.set_eps_target(state, state.eps);
        objective.set_time_step(Some(TimeStep {
            dt: self.cfg.dt,
            previous,
        }));
    }

    /// Start marching from `from` (u₀, or the current state of a trained run).
    fn begin_march(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
        from: Vec<f64>,
        what: &str,
    ) {
        self.open_window(state, objective, from);
        self.events.push(TrainEvent::Phase {
            step: state.step,
            name: format!("time march from {what}, Δt = {}", self.cfg.dt),
        });
    }

    /// u_θ at the residual points.
    fn current_u(objective: &Objective, theta: &[f64]) -> Vec<f64> {
        let n = objective.n_res();
        objective.residual_channels_or_nan(theta)[..n].to_vec()
    }

    /// Close the window at a finite loss: u at θ becomes u_prev of the next one, unless the
    /// march ends here (then the window is switched off, so the objective is the PDE again).
    /// A non-finite loss leaves the window open for the session's divergence rollback.
    fn finish_window(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<(), ObjectiveError> {
        let loss = objective.loss(&state.theta, state.eps)?.total;
        if !loss.is_finite() {
            return Ok(());
        }
        let u = Self::current_u(objective, &state.theta);
        let change = objective
            .time_step()
            .map_or(f64::NAN, |w| relative_l2(&u, &w.previous) / self.cfg.dt);
        // ‖H(u)‖/‖u‖, the relative rate of u_t = −H, judges steadiness whether or not the
        // window moved θ (a rejected LM iteration leaves it in place).
        objective.set_time_step(None);
        let h_rms = (2.0 * objective.loss(&state.theta, state.eps)?.residual).sqrt();
        let rate = h_rms / rms(&u);
        self.windows_done += 1;
        self.windows_total += 1;
        state.stage = self.windows_total;
        let time = self.time();
        self.events.push(TrainEvent::WindowFinished {
            step: state.step,
            window: self.windows_total,
            time,
            dt: self.cfg.dt,
            loss,
            change,
            rate,
        });
        let steady = rate < self.cfg.steady_tolerance;
        if steady || self.windows_done >= self.cfg.windows() {
            self.done = Some(EndReason::Marched { time, steady, loss });
        } else {
            self.open_window(state, objective, u);
        }
        Ok(())
    }
}

/// Root mean square of `v`.
fn rms(v: &[f64]) -> f64 {
    (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt()
}

impl Trainer for TimeSequential {
    fn kind(&self) -> StrategyKind {
        StrategyKind::TimeSequential
    }

    fn start(&mut self, state: &mut TrainState, objective: &mut Objective) {
        objective.set_homotopy(None);
        self.windows_done = 0;
        self.steps_in_window = 0;
        self.done = None;
        if state.step > 0 {
            // A trained run marches on from where it is.
            self.fitting = None;
            let u = Self::current_u(objective, &state.theta);
            self.begin_march(state, objective, u, "the current state");
            return;
        }
        self.windows_total = 0;
        state.stage = 0;
        // Config validation admits this strategy only with an initial state; without one the
        // march starts from the network as it is rather than panicking.
        let Some(u0) = objective.problem().initial_state() else {
            self.fitting = None;
            let u = Self::current_u(objective, &state.theta);
            self.begin_march(
                state,
                objective,
                u,
                "the initial network (the problem has no u₀)",
            );
            return;
        };
        if self.cfg.initial_steps == 0 {
            self.fitting = None;
            self.begin_march(state, objective, u0, "u₀");
        } else {
            // Δt = 0 makes the window's residual u − u₀: a plain fit of the initial state.
            objective.set_time_step(Some(TimeStep {
                dt: 0.0,
                previous: u0.clone(),
            }));
            self.fitting = Some(u0);
            self.events.push(TrainEvent::Phase {
                step: state.step,
                name: "fit u₀".into(),
            });
        }
    }

    fn step(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<StepReport, ObjectiveError> {
        if self.fitting.is_none() && objective.time_step().is_none() {
            // Marching again after the end (a new target ε): from the current state.
            let u = Self::current_u(objective, &state.theta);
            self.open_window(state, objective, u);
        }
        let r = self.inner.step(state, objective)?;
        self.steps_in_window += 1;
        let usable = r.loss.is_finite() && r.finite;
        if self.fitting.is_some() {
            if usable
                && (r.loss.total < self.cfg.tolerance
                    || self.steps_in_window >= self.cfg.initial_steps)
                && let Some(u0) = self.fitting.take()
            {
                // The first window starts from u₀ itself, not the network's fit of it.
                self.begin_march(state, objective, u0, "u₀");
            }
        } else if self.done.is_none()
            && usable
            && (r.loss.total < self.cfg.tolerance || self.steps_in_window >= self.cfg.window_steps)
        {
            self.finish_window(state, objective)?;
        }
        Ok(r)
    }

    fn end(&mut self, _report: &StepReport) -> Option<EndReason> {
        self.done
    }

    /// A new target ε marches on from the current state for up to `t_end` more.
    fn set_eps_target(&mut self, state: &mut TrainState, eps: f64) {
        self.inner.set_eps_target(state, eps);
        self.windows_done = 0;
        self.done = None;
    }

    fn drain_events(&mut self) -> Vec<TrainEvent> {
        std::mem::take(&mut self.events)
    }

    fn phase(&self) -> String {
        if self.fitting.is_some() {
            return format!(
                "fit u₀: step {}/{}",
                self.steps_in_window, self.cfg.initial_steps
            );
        }
        format!(
            "window {}/{}: t = {:.2}, step {}/{}",
            self.windows_done + 1,
            self.cfg.windows(),
            self.time(),
            self.steps_in_window,
            self.cfg.window_steps
        )
    }
}
