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
mod tests {
    use super::super::test_support::{PRESET, app, last_message, settle, train};
    use super::*;
    use crate::config::StrategyKind;

    /// The plan's step count is said once the change is applied, not while the question is
    /// open (a cancelled one left it standing), and counts the Phase I that Continue starts
    /// again; a strategy picked with no question says it at once.
    #[test]
    fn the_plan_against_the_step_cap_is_said_when_the_change_is_applied() {
        let plan = |app: &ExplorerApp| {
            app.view
                .messages
                .iter()
                .filter(|(_, t)| t.starts_with("the plan may take"))
                .map(|(_, t)| t.clone())
                .collect::<Vec<_>>()
        };
        let mut app = app();
        app.pick_strategy(StrategyKind::Strategy2);
        assert!(settle(&mut app, |a| a.config().strategy.kind
            == StrategyKind::Strategy2));
        // Strategy 2's default plan from Strategy 1's settings outgrows the step cap: said at
        // once (it was only in the schedule panel's small print).
        assert_eq!(plan(&app).len(), 1, "{:?}", app.view.messages);
        assert!(plan(&app)[0].contains("(Phase I "), "{:?}", plan(&app));
        // Dismissed, as the status line's button does.
        app.view.messages.clear();
        app.view.points_to = None;
        train(&mut app, 2);
        assert!(app.view.latest.as_ref().unwrap().in_phase_one);
        app.draft.strategy.schedule = crate::config::ScheduleConfig::Linear { delta: 0.0001 };
        assert!(app.apply_schedule());
        assert!(app.pending_apply.is_some());
        assert!(
            plan(&app).is_empty(),
            "said before the answer: {:?}",
            plan(&app)
        );
        app.resolve_apply(ApplyChoice::Cancel);
        assert!(plan(&app).is_empty());
        assert_eq!(app.view.points_to, None);
        assert!(app.apply_schedule());
        app.resolve_apply(ApplyChoice::Continue);
        let said = plan(&app);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].contains("(2 taken, the rest of Phase I, 500 stages"),
            "{said:?}"
        );
        assert_eq!(
            app.view.points_to,
            Some(super::super::state::Reveal::StepCap)
        );
    }

    #[test]
    fn a_question_over_a_training_run_pauses_it_and_cancel_resumes_it() {
        let mut app = app();
        train(&mut app, 2);
        app.play_pause();
        assert!(settle(&mut app, |a| a.running()));
        app.reset();
        assert!(app.paused_for_question());
        assert!(settle(&mut app, |a| !a.running()), "paused while asked");
        let step = app.view.latest.as_ref().unwrap().step;
        std::thread::sleep(std::time::Duration::from_millis(100));
        app.poll();
        assert_eq!(app.view.latest.as_ref().unwrap().step, step, "held still");
        app.resolve_discard(DiscardChoice::Cancel);
        assert_eq!(last_message(&app), "reset cancelled; training resumed");
        assert!(settle(&mut app, |a| a.running()));
        // Asked while paused: Cancel leaves it paused.
        app.play_pause();
        assert!(settle(&mut app, |a| !a.running()));
        app.reset();
        assert!(!app.paused_for_question());
        app.resolve_discard(DiscardChoice::Cancel);
        std::thread::sleep(std::time::Duration::from_millis(100));
        app.poll();
        assert!(!app.running());
    }

    #[test]
    fn a_reset_over_a_trained_run_waits_for_a_yes_and_can_pin_it_first() {
        let mut app = app();
        // Nothing trained: at once.
        app.reset();
        assert!(app.pending_discard.is_none());
        train(&mut app, 3);
        app.reset();
        assert!(matches!(app.pending_discard, Some(Discard::Reset)));
        app.resolve_discard(DiscardChoice::Cancel);
        assert!(app.pending_discard.is_none());
        train(&mut app, 1);
        assert_eq!(
            app.view.latest.as_ref().unwrap().step,
            4,
            "cancel kept the run"
        );
        app.reset();
        app.resolve_discard(DiscardChoice::PinFirst);
        assert_eq!(app.view.pinned.len(), 1);
        assert_eq!(app.view.pinned[0].summary.steps, 4);
        assert!(settle(&mut app, |a| a
            .view
            .latest
            .as_ref()
            .is_some_and(|s| s.step == 0)));
        // A run pinned as it stands goes without asking.
        train(&mut app, 2);
        assert!(app.view.pin_current());
        // Unpinned again: it would be lost, so the reset asks.
        app.view.pinned.pop();
        app.reset();
        assert!(matches!(app.pending_discard, Some(Discard::Reset)));
        app.resolve_discard(DiscardChoice::Cancel);
        assert!(app.view.pin_current());
        app.reset();
        assert!(app.pending_discard.is_none());
        assert!(settle(&mut app, |a| a
            .view
            .latest
            .as_ref()
            .is_some_and(|s| s.step == 0)));
        // Clearing the pins asks too, and says how many went.
        app.clear_pins();
        assert!(matches!(app.pending_discard, Some(Discard::Pins)));
        app.resolve_discard(DiscardChoice::Discard);
        assert!(app.view.pinned.is_empty());
        assert!(last_message(&app).contains("2 pinned runs cleared"));
    }

    #[test]
    fn a_preset_over_a_trained_run_is_checked_then_waits_for_a_yes() {
        let mut app = app();
        train(&mut app, 2);
        let other = PRESET.replace("strategy1", "strategy2");
        // A bad preset is refused at once, not asked about.
        assert!(!app.load_preset_text("version = 1\n[problem]\neps = -1\n", "bad", None));
        assert!(app.pending_discard.is_none());
        assert!(app.load_preset_text(&other, "other", None));
        assert!(matches!(app.pending_discard, Some(Discard::Preset { .. })));
        assert_eq!(app.config().strategy.kind, StrategyKind::Strategy1);
        app.resolve_discard(DiscardChoice::Discard);
        assert!(last_message(&app).contains("loaded preset other"));
        assert!(settle(&mut app, |a| a.config().strategy.kind
            == StrategyKind::Strategy2));
    }

    #[test]
    fn settings_that_need_a_fresh_run_wait_for_a_yes_and_the_rest_apply_in_place() {
        let mut app = app();
        train(&mut app, 2);
        app.draft.optimizer.lr = 0.02;
        app.apply_draft();
        assert!(
            app.pending_discard.is_none(),
            "a rate keeps the trained state"
        );
        assert!(settle(&mut app, |a| a.config().optimizer.lr == 0.02));
        assert_eq!(app.view.latest.as_ref().unwrap().step, 2);
        app.draft.training.seed = 7;
        app.apply_draft();
        assert!(matches!(app.pending_discard, Some(Discard::Apply(_))));
        app.resolve_discard(DiscardChoice::Cancel);
        assert_eq!(app.config().training.seed, 0);
        app.apply_draft();
        app.resolve_discard(DiscardChoice::Discard);
        assert!(settle(&mut app, |a| a.config().training.seed == 7));
    }

    #[test]
    fn a_second_question_is_refused_while_one_is_open_and_the_first_is_kept() {
        let mut app = app();
        train(&mut app, 2);
        app.reset();
        assert!(matches!(app.pending_discard, Some(Discard::Reset)));
        // `r` again is the same question: nothing to refuse.
        let said = app.view.messages.len();
        app.reset();
        assert!(matches!(app.pending_discard, Some(Discard::Reset)));
        assert_eq!(app.view.messages.len(), said);
        let other = PRESET.replace("strategy1", "strategy2");
        assert!(!app.load_preset_text(&other, "other", None));
        assert!(matches!(app.pending_discard, Some(Discard::Reset)));
        assert_eq!(
            last_message(&app),
            "loading preset other not done: answer the open question “Reset the run?” first"
        );
        // Pinned now, Clear pins would ask too: refused while the reset question is open.
        assert!(app.view.pin_current());
        app.clear_pins();
        assert!(matches!(app.pending_discard, Some(Discard::Reset)));
        assert!(last_message(&app).starts_with("clear pins not done"));
        app.resolve_discard(DiscardChoice::Cancel);
        assert!(app.open_question().is_none());
        assert_eq!(app.view.latest.as_ref().unwrap().step, 2);
    }

    #[test]
    fn an_open_apply_question_holds_off_loads_and_applies_and_goes_when_the_run_moves() {
        let mut app = app();
        train(&mut app, 3);
        assert!(app.view.pin_current());
        assert!(app.pick_strategy(StrategyKind::Strategy2));
        assert!(app.pending_apply.is_some());
        // Nothing would be lost (the run is pinned), but the question is about this run.
        let other = PRESET.replace("eps_start = 0.1", "eps_start = 0.2");
        assert!(!app.load_preset_text(&other, "other", None));
        assert!(last_message(&app).contains("“Apply to the path” first"));
        app.draft.optimizer.lr = 0.02;
        app.apply_draft();
        assert!(last_message(&app).starts_with("apply not done"));
        // Trained on meanwhile: the question no longer holds.
        app.send(Command::Step);
        assert!(settle(&mut app, |a| a.pending_apply.is_none()));
        assert!(last_message(&app).contains("moved on while the question was open"));
    }

    #[test]
    fn apply_leaves_a_schedule_edit_to_apply_schedule_and_the_draft_keeps_it() {
        use crate::config::ScheduleConfig;
        let mut app = app();
        train(&mut app, 2);
        let running = app.config().strategy.schedule.clone();
        let edit = ScheduleConfig::Linear { delta: 0.01 };
        app.draft.strategy.schedule = edit.clone();
        app.draft.optimizer.lr = 0.02;
        app.apply_draft();
        assert!(settle(&mut app, |a| a.config().optimizer.lr == 0.02));
        assert_eq!(app.config().strategy.schedule, running, "not applied");
        assert_eq!(
            app.draft.strategy.schedule, edit,
            "still waiting in the draft"
        );
        assert_eq!(app.view.latest.as_ref().unwrap().step, 2);
        // Revert drops it for good.
        app.revert_draft();
        assert_eq!(app.draft.strategy.schedule, running);
    }

    #[test]
    fn a_restart_from_the_apply_question_can_pin_the_trained_run_first() {
        let mut app = app();
        train(&mut app, 3);
        assert!(app.pick_strategy(StrategyKind::Strategy2));
        assert!(app.pending_apply.is_some(), "a paused path asks");
        // The open question holds off a reset, which would otherwise ask a second one.
        app.reset();
        assert!(last_message(&app).contains("“Apply to the path” first"));
        assert!(app.pending_discard.is_none());
        app.resolve_apply(ApplyChoice::PinThenRestart);
        assert_eq!(app.view.pinned.len(), 1);
        assert_eq!(app.view.pinned[0].summary.steps, 3);
        assert!(settle(&mut app, |a| a.config().strategy.kind
            == StrategyKind::Strategy2
            && a.view.latest.as_ref().is_some_and(|s| s.step == 0)));
    }
}
