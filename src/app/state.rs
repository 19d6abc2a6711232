//! What the UI knows about the run: the latest snapshot, bounded histories, markers, spectral
//! diagnostics, the λ_max(D_ε) sweep, finished stages and pinned runs. Filled from worker
//! [`Event`]s in `App::logic`; read by the panels.

use std::collections::VecDeque;

use crate::config::RunConfig;
use crate::train::SpectralReport;
use crate::train::{EndReason, StageRecord, TrainEvent};
use crate::worker::history::DecimatedSeries;
use crate::worker::{Event, Snapshot, marker_line};

/// Buckets per history series (≤ 2× this many points drawn).
pub const HISTORY_CAPACITY: usize = 1500;
/// Markers kept for the loss plot.
pub const MAX_MARKERS: usize = 400;

/// Loss and accuracy histories against the step.
#[derive(Clone, Debug)]
pub struct Histories {
    pub loss: DecimatedSeries,
    pub loss_residual: DecimatedSeries,
    pub loss_boundary: DecimatedSeries,
    pub loss_homotopy: DecimatedSeries,
    pub l2re_exact: DecimatedSeries,
    pub l2re_reference: DecimatedSeries,
    pub eps: DecimatedSeries,
    /// ‖θ‖₂ over steps.
    pub theta_norm: DecimatedSeries,
    /// Spectral diagnostics over steps.
    pub lambda_min_k: DecimatedSeries,
    /// The smallest eigenvalue kept at the rank cutoff (defined even when K is singular).
    pub lambda_kept_k: DecimatedSeries,
    pub lambda_max_k: DecimatedSeries,
    pub rank_k: DecimatedSeries,
    pub band_lower: DecimatedSeries,
    pub band_upper: DecimatedSeries,
    pub roundoff_floor: DecimatedSeries,
}

impl Default for Histories {
    fn default() -> Self {
        let s = || DecimatedSeries::new(HISTORY_CAPACITY);
        Self {
            loss: s(),
            loss_residual: s(),
            loss_boundary: s(),
            loss_homotopy: s(),
            l2re_exact: s(),
            l2re_reference: s(),
            eps: s(),
            theta_norm: s(),
            lambda_min_k: s(),
            lambda_kept_k: s(),
            lambda_max_k: s(),
            rank_k: s(),
            band_lower: s(),
            band_upper: s(),
            roundoff_floor: s(),
        }
    }
}

/// The latest spectral snapshot with its residual-point x values.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    pub step: usize,
    pub report: SpectralReport,
    pub residual_x: Vec<f64>,
}

/// λ_max(D_ε) over ε and the value at u_θ.
#[derive(Clone, Debug, Default)]
pub struct Sweep {
    pub points: Vec<(f64, f64)>,
    pub current: Option<(f64, f64)>,
}

/// A finished run kept for comparison.
#[derive(Clone, Debug)]
pub struct PinnedRun {
    /// Its number, as the legends name it ("pin 2"); the pins table says what it was.
    pub number: usize,
    /// What the run was: strategy, schedule, ε*, seed (named by `pins::pin_name`).
    pub name: String,
    /// The problem it solved: pins are drawn on runs of the same problem only.
    pub problem: crate::problem::ProblemKind,
    /// The problem's settings when pinned live (points, path, operator inputs); None for a pin
    /// read from a folder. The error plot draws a pin only against the same problem.
    pub problem_config: Option<crate::config::ProblemConfig>,
    /// Its colour, from [`crate::export::figure::PIN_PALETTE`] (never a live curve's).
    pub color: (u8, u8, u8),
    pub solution: Vec<[f64; 2]>,
    pub loss: Vec<[f64; 2]>,
    pub l2re: Vec<[f64; 2]>,
    /// Its `summary.json` when pinned (final loss, L2RE, x₀, steps, wall time).
    pub summary: crate::train::RunSummary,
}

/// Seconds the `ahead` stages still planned should take at `steps_per_s`, from the mean
/// steps per stage of the last (up to) ten finished stages; None before two stages have
/// finished or while the speed is unknown.
pub fn stages_eta(stages: &[StageRecord], ahead: usize, steps_per_s: f64) -> Option<f64> {
    let recent = &stages[stages.len().saturating_sub(11)..];
    if recent.len() < 2 || steps_per_s.is_nan() || steps_per_s <= 0.0 {
        return None;
    }
    let span = recent[recent.len() - 1].step.saturating_sub(recent[0].step);
    let per_stage = span as f64 / (recent.len() - 1) as f64;
    Some(ahead as f64 * per_stage / steps_per_s)
}

/// Memory the timeline's frames may take: θ, u_θ, the reference and the residual of each
/// finished stage. Past it every other frame is dropped (their numbers stay in the stage table).
pub const FRAME_BUDGET_BYTES: usize = 64 << 20;

/// Memory the spectral snapshots kept for the timeline may take (past it the oldest go).
pub const DIAGNOSTICS_BUDGET_BYTES: usize = 32 << 20;

impl Diagnostics {
    fn bytes(&self) -> usize {
        let r = &self.report;
        8 * (self.residual_x.len()
            + r.k.eigenvalues.len()
            + r.k.soft_mode.len()
            + r.sst.eigenvalues.len()
            + r.soft_mode_u.len())
    }
}

/// Said of a classical run stopped at its step cap far from the solution.
pub const HOMOTOPY_ADVICE: &str = "More steps rarely move a classical run off a wrong solution: pick a homotopy strategy (Strategy 1) and Reset";

/// Whether `config` trains classically on a problem that Strategy 1 can walk instead (some
/// problems admit classical training only): then a classical run stuck far from the solution
/// is told to pick a homotopy rather than to raise its step cap.
pub fn homotopy_would_help(config: &RunConfig) -> bool {
    if config.strategy.kind != crate::config::StrategyKind::Classical {
        return false;
    }
    let mut homotopy = config.clone();
    homotopy.strategy.kind = crate::config::StrategyKind::Strategy1;
    homotopy.validate().is_ok()
}

/// A control a message can point to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reveal {
    /// Optimizer → step cap.
    StepCap,
    /// Not a control but the way out the message names: reset the run and turn HRTA on from
    /// the start ([`crate::app::ExplorerApp::reset_with_hrta`]), for HRTA refused mid-run.
    ResetWithHrta,
}

impl Reveal {
    /// The status line's button.
    pub fn button(self) -> &'static str {
        match self {
            Self::StepCap => "show the step cap",
            Self::ResetWithHrta => "reset with HRTA on",
        }
    }
}

/// Everything the plots and tables show.
#[derive(Clone, Debug, Default)]
pub struct RunView {
    pub latest: Option<Snapshot>,
    pub histories: Histories,
    /// (step, label) of ε/s/phase changes, newest last.
    pub markers: VecDeque<(usize, String)>,
    pub diagnostics: Option<Diagnostics>,
    /// The spectral snapshots so far, oldest first, within [`DIAGNOSTICS_BUDGET_BYTES`]: the
    /// timeline shows the last one before the stage it scrubs to.
    pub diagnostics_log: VecDeque<Diagnostics>,
    pub sweep: Option<Sweep>,
    pub stages: Vec<StageRecord>,
    /// The finished stage (index into `stages`, one with a frame) the timeline shows instead of
    /// the live state; None: live.
    pub scrub: Option<usize>,
    /// Frames are kept for every `frame_stride`-th stage (1 until the budget is reached).
    pub frame_stride: usize,
    pub end: Option<EndReason>,
    /// With [`Self::end`]: how far from the solution the run ended, when far
    /// ([`crate::diagnostics::Accuracy::far_from_solution`]).
    pub end_far: Option<String>,
    /// The configuration the worker runs, as it last reported it (its `Config` events, and the
    /// target ε of each snapshot): the app's one reported configuration. The lecture locks in
    /// it are the window's (`ExplorerApp` keeps them across reports).
    /// None only in a view that no app owns yet (unit tests of the view).
    pub config: Option<RunConfig>,
    pub pinned: Vec<PinnedRun>,
    /// The pin number and step of the live run's last pin (None after a reset): a run pinned
    /// as it stands, while that pin is kept, may be reset without asking.
    pub pinned_live: Option<(usize, usize)>,
    /// Messages for the status line (newest last).
    pub messages: VecDeque<(bool, String)>,
    /// The control the newest message tells the user to change: the status line offers to
    /// show it.
    pub points_to: Option<Reveal>,
    /// A request for the controls panel to open that control's section, scroll it into view
    /// and focus it (taken by the panel when it draws the control).
    pub reveal: Option<Reveal>,
    /// The file or folder the last export wrote (the status line offers to copy its path).
    pub last_written: Option<std::path::PathBuf>,
    /// The path last copied to the clipboard ("copy path" then reads "copied ✓").
    pub copied: Option<std::path::PathBuf>,
    /// Operator problems: the input the solution plot shows instead of the first test input
    /// (*New input* or drawn with the mouse), answered at the latest parameters.
    pub operator_input: Option<crate::worker::OperatorInput>,
    /// The shown input answered with the scrubbed stage's parameters, and the stage step last
    /// asked for (the timeline).
    pub operator_input_at: Option<crate::worker::OperatorInput>,
    pub operator_input_asked: Option<usize>,
}

impl RunView {
    /// Forget the current run (a reset or a new preset); pinned runs stay, and so does the
    /// λ_max(D_ε) sweep until a new one replaces it.
    pub fn clear_run(&mut self) {
        let pinned = std::mem::take(&mut self.pinned);
        let messages = std::mem::take(&mut self.messages);
        let points_to = self.points_to;
        let config = self.config.take();
        let sweep = self.sweep.take();
        *self = Self {
            pinned,
            messages,
            points_to,
            config,
            sweep,
            ..Self::default()
        };
    }

    /// The indices of the stages that have a frame (u_θ kept), oldest first.
    pub fn frames(&self) -> Vec<usize> {
        (0..self.stages.len())
            .filter(|&i| !self.stages[i].u.is_empty())
            .collect()
    }

    /// Keep the frames under [`FRAME_BUDGET_BYTES`]: drop every other one (never the newest)
    /// until they fit, doubling `frame_stride`.
    fn thin_frames(&mut self) {
        self.thin_frames_within(FRAME_BUDGET_BYTES);
    }

    fn thin_frames_within(&mut self, budget: usize) {
        let bytes = |s: &StageRecord| {
            8 * (s.u.len()
                + s.reference.as_ref().map_or(0, Vec::len)
                + s.residual.len()
                + s.theta.len())
        };
        self.frame_stride = self.frame_stride.max(1);
        while self.stages.iter().map(bytes).sum::<usize>() > budget {
            let frames = self.frames();
            if frames.len() < 3 {
                break;
            }
            for &i in frames.iter().skip(1).step_by(2) {
                if i != frames[frames.len() - 1] {
                    self.stages[i].u = Vec::new();
                    self.stages[i].reference = None;
                    self.stages[i].residual = Vec::new();
                    self.stages[i].theta = Vec::new();
                }
            }
            self.frame_stride *= 2;
            // The frame shown was thinned out: the kept one before it takes its place (Play
            // goes on from there instead of jumping to the live state or back to the start).
            if let Some(k) = self.scrub
                && self.stages[k].u.is_empty()
            {
                self.scrub = self.frames().into_iter().rev().find(|&f| f < k);
            }
        }
    }

    /// The live snapshot, or the scrubbed stage's frame in its place (u_θ, ε, front and the
    /// reference at that ε; the rest stays live).
    pub fn shown(&self) -> Option<std::borrow::Cow<'_, Snapshot>> {
        let latest = self.latest.as_ref()?;
        match self.scrub.and_then(|k| self.frame(k)) {
            Some(s) => Some(std::borrow::Cow::Owned(s)),
            None => Some(std::borrow::Cow::Borrowed(latest)),
        }
    }

    /// The path point the plots show: the scrubbed stage's, else the live one (without copying
    /// a frame, as [`Self::shown`] does).
    pub fn shown_eps(&self) -> Option<f64> {
        let latest = self.latest.as_ref()?;
        let framed = |st: &&StageRecord| !st.u.is_empty() && st.u.len() == latest.u.len();
        Some(
            self.scrub
                .and_then(|k| self.stages.get(k))
                .filter(framed)
                .map_or(latest.eps, |st| st.eps),
        )
    }

    /// The live snapshot with stage `k`'s frame in it (u_θ, ε, front, the reference at that ε);
    /// None when the stage has no frame or its points are not the live ones.
    pub fn frame(&self, k: usize) -> Option<Snapshot> {
        let latest = self.latest.as_ref()?;
        let stage = self.stages.get(k)?;
        if stage.u.is_empty() || stage.u.len() != latest.u.len() {
            return None;
        }
        let mut s = latest.clone();
        s.u = stage.u.clone();
        s.eps = stage.eps;
        s.step = stage.step;
        s.stage = stage.stage;
        s.accuracy = stage.accuracy;
        s.exact = None;
        s.reference = stage.reference.clone();
        // The residual as the stage ended; none when the worker did not record one or the
        // residual points have been resampled since.
        s.residual = if stage.residual.len() == latest.residual_x.len() {
            stage.residual.clone()
        } else {
            Vec::new()
        };
        Some(s)
    }

    /// The spectral snapshot the plots show: live, the latest; scrubbed, the last one taken
    /// at or before the step where the stage ended (None when there was none yet).
    pub fn diagnostics_shown(&self) -> Option<&Diagnostics> {
        match self.scrub.and_then(|k| self.stages.get(k)) {
            Some(stage) => self
                .diagnostics_log
                .iter()
                .rev()
                .find(|d| d.step <= stage.step),
            None => self.diagnostics.as_ref(),
        }
    }

    /// Report a message (error or info) on the status line.
    pub fn message(&mut self, error: bool, text: impl Into<String>) {
        self.points_to = None;
        self.messages.push_back((error, text.into()));
        while self.messages.len() > 20 {
            self.messages.pop_front();
        }
    }

    /// How many pins are of another problem than `problem` (their table hides them).
    pub fn pins_elsewhere(&self, problem: crate::problem::ProblemKind) -> usize {
        self.pinned.iter().filter(|p| p.problem != problem).count()
    }

    /// [`Self::message`] naming a control to change, which the status line offers to show.
    pub fn message_pointing(&mut self, error: bool, text: impl Into<String>, to: Reveal) {
        self.message(error, text);
        self.points_to = Some(to);
    }

    /// Fold one worker event into the view.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::RunReset => self.clear_run(),
            Event::OperatorInput(answer) => self.operator_input = Some(*answer),
            Event::OperatorInputAt(answer) => self.operator_input_at = Some(*answer),
            Event::Snapshot(mut snap) => {
                // The target ε moves without a new configuration (the slider).
                if let Some(c) = &mut self.config {
                    c.problem.eps = snap.eps_target;
                }
                let h = &mut self.histories;
                for p in &snap.history {
                    let x = p.step as f64;
                    h.loss.push(x, p.loss.total);
                    h.loss_residual.push(x, p.loss.residual);
                    h.loss_boundary.push(x, p.loss.boundary);
                    if p.loss.homotopy > 0.0 {
                        h.loss_homotopy.push(x, p.loss.homotopy);
                    }
                    h.eps.push(x, p.eps);
                    h.theta_norm.push(x, p.theta_norm);
                    if let Some(v) = p.accuracy.l2re_exact {
                        h.l2re_exact.push(x, v);
                    }
                    if let Some(v) = p.accuracy.l2re_reference {
                        h.l2re_reference.push(x, v);
                    }
                }
                self.stages.append(&mut snap.stages);
                let excess = self.stages.len().saturating_sub(5000);
                self.stages.drain(..excess);
                if excess > 0 {
                    // The stage scrubbed to may be gone; the indices moved either way.
                    self.scrub = None;
                }
                self.thin_frames();
                if snap.running {
                    self.end = None;
                    self.end_far = None;
                }
                self.latest = Some(*snap);
            }
            Event::Diagnostics {
                step,
                report,
                residual_x,
            } => {
                let h = &mut self.histories;
                let x = step as f64;
                if let Some(l) = report.k.lambda_min {
                    h.lambda_min_k.push(x, l);
                }
                h.lambda_kept_k.push(x, report.k.lambda_min_kept);
                h.lambda_max_k.push(x, report.k.lambda_max);
                h.rank_k.push(x, report.k.rank as f64);
                h.roundoff_floor.push(x, report.k.roundoff_floor);
                if let Some(b) = &report.band
                    && !b.degenerate()
                {
                    h.band_lower.push(x, b.lower);
                    h.band_upper.push(x, b.upper);
                }
                let d = Diagnostics {
                    step,
                    report: *report,
                    residual_x,
                };
                self.diagnostics_log.push_back(d.clone());
                let mut bytes: usize = self.diagnostics_log.iter().map(Diagnostics::bytes).sum();
                while bytes > DIAGNOSTICS_BUDGET_BYTES && self.diagnostics_log.len() > 1 {
                    bytes -= self.diagnostics_log.pop_front().map_or(0, |d| d.bytes());
                }
                self.diagnostics = Some(d);
            }
            Event::StageDiagnostics {
                step,
                report,
                residual_x,
            } => {
                // In step order among the others (the live snapshot stays the live one).
                let d = Diagnostics {
                    step,
                    report: *report,
                    residual_x,
                };
                let at = self.diagnostics_log.partition_point(|e| e.step <= step);
                if at > 0 && self.diagnostics_log[at - 1].step == step {
                    self.diagnostics_log[at - 1] = d;
                } else {
                    self.diagnostics_log.insert(at, d);
                }
            }
            Event::Sweep { points, current } => self.sweep = Some(Sweep { points, current }),
            Event::Marker(e) => {
                if let TrainEvent::StepRejected { eps_tried, .. } = &e {
                    self.message(
                        false,
                        format!("Euler step to ε = {eps_tried:.4} rejected; Δε shrunk"),
                    );
                }
                if let Some(m) = marker_line(&e) {
                    self.markers.push_back(m);
                    while self.markers.len() > MAX_MARKERS {
                        self.markers.pop_front();
                    }
                }
                if let TrainEvent::SChanged {
                    from,
                    to,
                    lambda_min_sst_from,
                    lambda_min_sst_to,
                    ..
                } = e
                {
                    let f =
                        |v: Option<f64>| v.map_or("below round-off".into(), |v| format!("{v:.3e}"));
                    self.message(
                        false,
                        format!(
                            "HRTA s {from} → {to}: λ_min(SSᵀ) {} → {}",
                            f(lambda_min_sst_from),
                            f(lambda_min_sst_to)
                        ),
                    );
                }
            }
            Event::Ended(reason, accuracy) => {
                // One message: the status line shows the newest only, and "reached the target"
                // must not be read without the warning that the answer is wrong.
                let far = (reason != EndReason::Interrupted)
                    .then(|| accuracy.far_from_solution())
                    .flatten();
                let text = match &far {
                    Some(far) => format!("run ended: {reason}; but {far}"),
                    None => format!("run ended: {reason}"),
                };
                // A classical run that used its steps and sits on a wrong answer is not helped
                // by more steps (the lecture's point): it is pointed to a homotopy instead,
                // where the problem admits one.
                let to_homotopy = self.config.as_ref().is_some_and(homotopy_would_help);
                if reason == EndReason::MaxSteps && far.is_some() && to_homotopy {
                    self.message(true, format!("{text}. {HOMOTOPY_ADVICE}"));
                } else if reason == EndReason::MaxSteps {
                    self.message_pointing(far.is_some(), text, Reveal::StepCap);
                } else {
                    self.message(far.is_some(), text);
                }
                self.end = Some(reason);
                self.end_far = far;
            }
            Event::Config(config) => {
                // The worker answers in order, so a sweep that arrived before a configuration
                // with another problem belongs to the old one (a new target ε keeps it: the
                // sweep runs over ε itself).
                let same = |old: &RunConfig| old.problem.eq_except_eps(&config.problem);
                if !self.config.as_ref().is_some_and(same) {
                    self.sweep = None;
                }
                // A changed configuration (another strategy, schedule or step cap applied) is
                // a run that has not ended: "ended: reached the step cap" and its verdict
                // belonged to the old one (a new end is reported when it comes). Lecture locks
                // are the window's, not the run's.
                let run_changed = |old: &RunConfig| {
                    RunConfig {
                        lecture: config.lecture.clone(),
                        ..old.clone()
                    } != *config
                };
                if self.config.as_ref().is_some_and(run_changed) {
                    self.end = None;
                    self.end_far = None;
                }
                self.config = Some(*config);
            }
            Event::Checkpoint(text) => self.message(false, text),
            Event::Error(text) => self.message(true, text),
            Event::Panicked(text) => {
                self.message(true, format!("the training worker crashed: {text}"))
            }
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
