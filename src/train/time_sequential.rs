//! The time-sequential baseline of the homotopy paper's Table 3 (sequence-to-sequence training,
//! Δt = 0.01): the network is first fitted to the problem's initial state u₀ (the first window's
//! data); then, from u₀, window after window of the implicit-Euler
//! step u − u_prev + Δt·H(u) = 0 at the target ε, each minimized by the configured optimizer
//! warm-started from the previous window (its state carried over); the march ends at `t_end`
//! or once the state stops changing (a steady state of u_t = −H).

use super::classical::Classical;
use super::objective::{Objective, ObjectiveError, TimeStep};
use super::trainer::{EndReason, StepReport, StopRules, TrainEvent, TrainState, Trainer};
use crate::config::{LmConfig, OptimizerConfig, TimeMarchConfig};

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

    /// Open the first window from u₀ itself (not the network's fit of it).
    fn begin_march(&mut self, state: &TrainState, objective: &mut Objective, u0: Vec<f64>) {
        self.steps_in_window = 0;
        objective.set_time_step(Some(TimeStep {
            dt: self.cfg.dt,
            previous: u0,
        }));
        self.events.push(TrainEvent::Phase {
            step: state.step,
            name: format!("time march from u₀, Δt = {}", self.cfg.dt),
        });
    }

    /// Close the window: u at θ becomes u_prev of the next one, unless the march ends here.
    /// Its loss is evaluated at the window's final θ (a step reports the loss before it).
    fn finish_window(
        &mut self,
        state: &mut TrainState,
        objective: &mut Objective,
    ) -> Result<(), ObjectiveError> {
        let loss = objective.loss(&state.theta, state.eps)?.total;
        let n = objective.n_res();
        let u = objective.residual_channels(&state.theta)[..n].to_vec();
        let prev = &objective
            .time_step()
            .expect("the time-sequential strategy keeps a window open")
            .previous;
        let diff: f64 = u.iter().zip(prev).map(|(a, b)| (a - b) * (a - b)).sum();
        let norm: f64 = u.iter().map(|a| a * a).sum();
        let change = (diff / norm).sqrt() / self.cfg.dt;
        self.windows_done += 1;
        self.windows_total += 1;
        state.stage = self.windows_total;
        self.steps_in_window = 0;
        let time = self.time();
        self.events.push(TrainEvent::WindowFinished {
            step: state.step,
            window: self.windows_total,
            time,
            dt: self.cfg.dt,
            loss,
            change,
        });
        let steady = change < self.cfg.steady_tolerance;
        if steady || self.windows_done >= self.cfg.windows() {
            self.done = Some(EndReason::Marched { time, steady, loss });
        } else {
            objective.set_time_step(Some(TimeStep {
                dt: self.cfg.dt,
                previous: u,
            }));
        }
        Ok(())
    }
}

impl Trainer for TimeSequential {
    fn label(&self) -> &'static str {
        "time_sequential"
    }

    fn start(&mut self, state: &mut TrainState, objective: &mut Objective) {
        let u0 = objective
            .problem()
            .initial_state()
            .expect("the config admits the time-sequential strategy only with an initial state");
        objective.set_homotopy(None);
        self.windows_done = 0;
        self.windows_total = 0;
        self.steps_in_window = 0;
        self.done = None;
        state.stage = 0;
        if self.cfg.initial_steps == 0 {
            self.fitting = None;
            self.begin_march(state, objective, u0);
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
        let r = self.inner.step(state, objective)?;
        self.steps_in_window += 1;
        let usable = r.loss.is_finite() && r.finite;
        if self.fitting.is_some() {
            if usable
                && (r.loss.total < self.cfg.tolerance
                    || self.steps_in_window >= self.cfg.initial_steps)
                && let Some(u0) = self.fitting.take()
            {
                self.begin_march(state, objective, u0);
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
