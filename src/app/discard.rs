//! The questions the explorer asks before it throws anything away: a reset, a preset or
//! checkpoint load, or an Apply that needs a fresh run over a trained run that is not pinned
//! as it stands, *Clear pins*, and a schedule or strategy change on a paused or finished
//! homotopy (continue the path, or restart it). One question is open at a time: an action
//! that would ask a second one while the first waits is refused with a message naming the
//! open one, never queued or swapped in silence. The answers are intents the panels call; the
//! tests below drive them without drawing anything.

use std::path::PathBuf;

use crate::config::{Control, RunConfig};
use crate::worker::Command;

use super::ExplorerApp;

/// What would be lost, and by what ([`ExplorerApp::reset`], a preset load,
/// [`ExplorerApp::clear_pins`]).
#[derive(Clone, Debug)]
pub enum Discard {
    /// Reset the trained run to its initialization.
    Reset,
    /// Load a checked preset (where it came from, its file) in place of the trained run.
    Preset {
        config: Box<RunConfig>,
        origin: String,
        path: Option<PathBuf>,
    },
    /// Remove every pinned run.
    Pins,
    /// Apply settings that need a fresh run (another problem, network, backend or seed).
    Apply(Box<RunConfig>),
    /// Resume a checkpoint in place of the trained run.
    Checkpoint(PathBuf),
    /// Reset, then run this configuration from the initialization (HRTA turned on from the
    /// start, which a trained run refuses).
    ResetWith(Box<RunConfig>),
}

impl Discard {
    /// The question's title, as its window shows it.
    pub fn title(&self) -> &'static str {
        match self {
            Discard::Reset | Discard::ResetWith(_) => "Reset the run?",
            Discard::Preset { .. } => "Load the preset?",
            Discard::Pins => "Clear the pins?",
            Discard::Apply(_) => "Apply the settings?",
            Discard::Checkpoint(_) => "Load the checkpoint?",
        }
    }
}

impl Discard {
    /// The action in words, for messages ("reset", "loading preset x.toml").
    pub fn what(&self) -> String {
        match self {
            Discard::Reset | Discard::ResetWith(_) => "reset".to_string(),
            Discard::Preset { origin, .. } => format!("loading preset {origin}"),
            Discard::Pins => "clear pins".to_string(),
            Discard::Apply(_) => "apply".to_string(),
            Discard::Checkpoint(path) => format!("loading checkpoint {}", path.display()),
        }
    }
}

/// The answer to a [`Discard`] prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscardChoice {
    /// Keep everything; the action is dropped.
    Cancel,
    /// Go ahead.
    Discard,
    /// Pin the run's curves first, then go ahead (not for *Clear pins*).
    PinFirst,
}

/// A change waiting for *Continue from here* or *Restart* ([`ExplorerApp::resolve_apply`]).
#[derive(Clone, Debug)]
pub struct PendingApply {
    /// What changes, for the messages ("the schedule", "Strategy 2").
    pub what: String,
    pub command: Command,
    /// The configuration the command should make the worker report.
    pub expects: Box<RunConfig>,
    /// Where the run stands: ε and step.
    pub eps: f64,
    pub step: usize,
    /// Whether the run had ended (else it is paused).
    pub ended: bool,
    /// Whether the run is in its Phase I (continuing starts Phase I again).
    pub in_phase_one: bool,
}

impl PendingApply {
    /// Whether Continue lets Phase I go on where it stands: a new ε schedule alone, applied
    /// in Phase I, takes over after it ([`crate::train::Session::reconfigure`]).
    pub fn keeps_phase_one(&self, run: &RunConfig) -> bool {
        self.in_phase_one && !self.ended && run.keeps_phase_one(&self.expects)
    }
}

/// The status line after a change applied to a path that goes on from where it stands (a new
/// schedule alone keeps a Phase I under way; another change starts it again).
fn continued(what: &str, eps: f64, step: usize, in_phase_one: bool, schedule: bool) -> String {
    if in_phase_one && schedule {
        format!(
            "{what} applied: Phase I goes on at ε₀ = {eps} (step {step}); the new schedule takes over after it"
        )
    } else if in_phase_one {
        format!(
            "{what} applied: Phase I starts again at ε₀ = {eps} from the current parameters (step {step})"
        )
    } else {
        format!("{what} applied: the path continues from ε = {eps} (step {step})")
    }
}

/// The answer to a [`PendingApply`] prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyChoice {
    /// Drop the change (the draft keeps the edit).
    Cancel,
    /// Keep the trained network and go on along the path from where it stands.
    Continue,
    /// Restart from the initialization with the change.
    Restart,
    /// Pin the trained run first, then restart.
    PinThenRestart,
}

/// The title of the continue-or-restart question.
pub const APPLY_TITLE: &str = "Apply to the path";

impl ExplorerApp {
    /// The trained run's step and ε when it would be lost: it has trained and is not pinned
    /// as it stands.
    pub fn unkept_run(&self) -> Option<(usize, f64)> {
        let s = self.view.latest.as_ref().filter(|s| s.step > 0)?;
        let kept = self.view.pinned_live.is_some_and(|(number, step)| {
            step == s.step && self.view.pinned.iter().any(|p| p.number == number)
        });
        (!kept).then_some((s.step, s.eps))
    }

    /// The title of the question waiting for an answer, if one is.
    pub fn open_question(&self) -> Option<&'static str> {
        match (&self.pending_discard, &self.pending_apply) {
            (Some(d), _) => Some(d.title()),
            (None, Some(_)) => Some(APPLY_TITLE),
            (None, None) => None,
        }
    }

    /// Whether a new question may open; if one is open already, `what` is refused with a
    /// message naming it (the open one stays as it was).
    pub(super) fn may_ask(&mut self, what: &str) -> bool {
        match self.open_question() {
            Some(title) => {
                self.view.message(
                    true,
                    format!("{what} not done: answer the open question “{title}” first"),
                );
                false
            }
            None => true,
        }
    }

    /// Ask before `action` discards the trained run or the pins (see [`Self::resolve_discard`]);
    /// refused with a message while another question is open. True: the question is open.
    pub fn ask_discard(&mut self, action: Discard) -> bool {
        // The same reset or clear asked again (`r` pressed twice) is the question already open.
        if matches!(
            (&self.pending_discard, &action),
            (Some(Discard::Reset), Discard::Reset) | (Some(Discard::Pins), Discard::Pins)
        ) {
            return true;
        }
        let what = action.what();
        let asked = self.may_ask(&what);
        if asked {
            // What would be lost holds still while the user decides.
            self.resume_on_cancel = !matches!(action, Discard::Pins) && self.running();
            if self.resume_on_cancel {
                self.send(Command::Pause);
            }
            self.pending_discard = Some(action);
        }
        asked
    }

    /// Whether the open question paused a training run (Cancel resumes it).
    pub fn paused_for_question(&self) -> bool {
        self.resume_on_cancel && self.pending_discard.is_some()
    }

    /// Reset the run to its initialization (button, `r`): at once when nothing trained would be
    /// lost, else after the user's yes.
    pub fn reset(&mut self) {
        if self.unkept_run().is_some() {
            self.ask_discard(Discard::Reset);
        } else if self.may_ask("reset") {
            self.send_reset();
        }
    }

    /// Reset the run and turn HRTA on with the draft's s values, from the initialization: the
    /// way out when HRTA is refused on a trained run. Asks first like [`Self::reset`].
    pub fn reset_with_hrta(&mut self) {
        if !self.unlocked(Control::Hrta, "HRTA") {
            return;
        }
        let mut config = self.config().clone();
        config.hrta = self.draft.hrta.clone();
        config.hrta.enabled = true;
        if let Err(e) = config.validate() {
            self.view.message(true, format!("HRTA not turned on: {e}"));
            return;
        }
        if self.unkept_run().is_some() {
            self.ask_discard(Discard::ResetWith(Box::new(config)));
        } else if self.may_ask("reset") {
            self.send_reset_with(config);
        }
    }

    /// Reset, then send `config`'s HRTA to the fresh run (the worker takes commands in order).
    fn send_reset_with(&mut self, config: RunConfig) {
        self.send(Command::Reset);
        self.draft.hrta = config.hrta.clone();
        let command = Command::SetHrta(Box::new(config.hrta.clone()));
        self.send_change(config, command);
        self.view.message(
            false,
            "run reset to its initialization with HRTA on from the start; Start trains it",
        );
    }

    /// Reset, and say so (the status line's last word is otherwise the old run's).
    fn send_reset(&mut self) {
        self.send(Command::Reset);
        self.view
            .message(false, "run reset to its initialization; Start trains it");
    }

    /// Remove every pinned run, after the user's yes.
    pub fn clear_pins(&mut self) {
        if !self.view.pinned.is_empty() {
            self.ask_discard(Discard::Pins);
        }
    }

    /// Carry out or drop the action waiting in [`Self::pending_discard`].
    pub fn resolve_discard(&mut self, choice: DiscardChoice) {
        let Some(action) = self.pending_discard.take() else {
            return;
        };
        let resume = std::mem::take(&mut self.resume_on_cancel);
        if choice == DiscardChoice::Cancel {
            // Resumed only as it was left: paused by the question and not ended meanwhile.
            if resume && !self.running() && self.view.end.is_none() {
                self.send(Command::Play);
                self.view.message(
                    false,
                    format!("{} cancelled; training resumed", action.what()),
                );
            }
            return;
        }
        if choice == DiscardChoice::PinFirst && !matches!(action, Discard::Pins) {
            self.view.pin_current();
        }
        match action {
            Discard::Reset => self.send_reset(),
            Discard::ResetWith(config) => self.send_reset_with(*config),
            Discard::Preset {
                config,
                origin,
                path,
            } => {
                // Lecture locks set while the question was open still hold.
                let blocked = self.locked_changes(&config);
                match Control::sentence(&blocked) {
                    Some(names) => self.view.message(
                        true,
                        format!("preset {origin} not loaded: it changes {names}, which lecture mode now locks"),
                    ),
                    None => self.load_checked_preset(*config, &origin, path),
                }
            }
            Discard::Apply(config) => self.send_draft(*config),
            Discard::Checkpoint(path) => self.send_checkpoint_load(path),
            Discard::Pins => {
                let n = self.view.pinned.len();
                self.view.pinned.clear();
                self.view.pinned_live = None;
                let what = if n == 1 {
                    "the pinned run".to_string()
                } else {
                    format!("{n} pinned runs")
                };
                self.view.message(false, format!("{what} cleared"));
            }
        }
    }

    /// Send a schedule or strategy `command` (for `config`) to a homotopy: while it runs the
    /// path continues from where it stands, and the status line says so; a paused or finished
    /// run waits for *Continue from here* or *Restart* ([`Self::resolve_apply`]), unless
    /// another question is open (then nothing is sent and the message says so).
    pub(super) fn apply_to_path(&mut self, what: &str, config: &RunConfig, command: Command) {
        let path = self.config().strategy.kind.is_homotopy() && config.strategy.kind.is_homotopy();
        match self.view.latest.as_ref().filter(|s| s.step > 0) {
            Some(s) if path && !s.running => {
                let (eps, step, in_phase_one) = (s.eps, s.step, s.in_phase_one);
                if self.may_ask(what) {
                    self.pending_apply = Some(PendingApply {
                        what: what.to_string(),
                        command,
                        expects: Box::new(config.clone()),
                        eps,
                        step,
                        ended: self.view.end.is_some(),
                        in_phase_one,
                    });
                }
            }
            Some(s) if path => {
                let schedule = self.config().keeps_phase_one(config);
                let text = continued(what, s.eps, s.step, s.in_phase_one, schedule);
                self.send_change(config.clone(), command);
                self.view.message(false, text);
            }
            _ => self.send_change(config.clone(), command),
        }
    }

    /// Drop a continue-or-restart question whose run has moved since it was asked (Start
    /// pressed meanwhile, or the run replaced): its "continue from ε, step" no longer holds.
    pub(super) fn drop_stale_apply(&mut self) {
        let Some(p) = &self.pending_apply else {
            return;
        };
        let step = self.view.latest.as_ref().map_or(0, |s| s.step);
        if step != p.step {
            let what = p.what.clone();
            self.pending_apply = None;
            self.view.message(
                true,
                format!("{what} not applied: the run moved on while the question was open; apply it again"),
            );
        }
    }

    /// Whether *Continue* has no path left to walk: the run completed its path at the target
    /// ε (it keeps the network there with the new schedule, for a later ε target).
    pub fn at_the_end(&self) -> bool {
        let completed = matches!(
            self.view.end,
            Some(crate::train::EndReason::Completed { .. })
        );
        self.pending_apply
            .as_ref()
            .is_some_and(|p| completed && p.eps == self.config().problem.eps)
    }

    /// Carry out the waiting change: continue the path from where it stands, or restart the
    /// run from its initialization with it (pinning the trained run first if asked).
    pub fn resolve_apply(&mut self, choice: ApplyChoice) {
        let Some(p) = self.pending_apply.take() else {
            return;
        };
        match choice {
            ApplyChoice::Cancel => {}
            ApplyChoice::Continue => {
                let schedule = p.keeps_phase_one(self.config());
                let text = continued(&p.what, p.eps, p.step, p.in_phase_one, schedule);
                let config = (*p.expects).clone();
                self.send_change(*p.expects, p.command);
                self.view.message(false, text);
                self.say_what_the_schedule_plans(&config, false);
            }
            ApplyChoice::Restart | ApplyChoice::PinThenRestart => {
                if choice == ApplyChoice::PinThenRestart {
                    self.view.pin_current();
                }
                let config = (*p.expects).clone();
                self.send_change(*p.expects, p.command);
                self.send(Command::Reset);
                self.view.message(
                    false,
                    format!(
                        "{} applied: the run restarted from its initialization; Start trains it",
                        p.what
                    ),
                );
                self.say_what_the_schedule_plans(&config, true);
            }
        }
    }
}

#[cfg(test)]
#[path = "discard_tests.rs"]
mod tests;
