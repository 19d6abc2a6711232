//! The explorer's named intents: the ways the panels change what runs. Each one is checked
//! once, here, against the lecture locks and (except the ε target, which may move either way
//! from where the run is) the validation of the configuration it would make; a refused intent
//! changes nothing and says why on the status line. The panels only draw and call these; the
//! tests below drive them without drawing anything.

use crate::config::{Control, RunConfig, StrategyKind};
use crate::problem::ProblemKind;
use crate::worker::Command;

use super::ExplorerApp;

impl ExplorerApp {
    /// Refuse (with a message) when lecture mode locks `control`.
    pub(super) fn unlocked(&mut self, control: Control, what: &str) -> bool {
        if self.locked(control) {
            self.view.message(
                true,
                format!(
                    "{what} is locked in lecture mode (untick View → Lecture mode, or edit View → Lecture locks…)"
                ),
            );
            return false;
        }
        true
    }

    /// Apply `change` to a copy of the running configuration, validate it once and send
    /// `command` built from it; on an invalid result nothing is sent and the message says why.
    fn send_checked(
        &mut self,
        what: &str,
        change: impl FnOnce(&mut RunConfig),
        command: impl FnOnce(&RunConfig) -> Command,
    ) -> bool {
        let mut config = self.config().clone();
        change(&mut config);
        match config.validate() {
            Ok(()) => {
                let command = command(&config);
                self.send_change(config, command);
                true
            }
            Err(e) => {
                self.view.message(true, format!("{what}: {e}"));
                false
            }
        }
    }

    /// Move the target ε now (the slider): every strategy re-targets from where it is.
    /// Refused unless ε is a positive finite number.
    pub fn set_eps_target(&mut self, eps: f64) -> bool {
        if !self.unlocked(Control::Eps, "the ε target") {
            return false;
        }
        if !(eps.is_finite() && eps > 0.0) {
            self.view.message(
                true,
                format!("ε target not changed: it must be a positive number (got {eps})"),
            );
            return false;
        }
        self.draft.problem.eps = eps;
        let mut expected = self.config().clone();
        let old = expected.problem.eps;
        expected.problem.eps = eps;
        // A homotopy re-plans its path once (the slider sends on release): say to where, as
        // a short drag on the log scale can move the target by a decade.
        if expected.strategy.kind.is_homotopy() && old != eps {
            use crate::config::four_digits;
            let from = self
                .view
                .latest
                .as_ref()
                .map_or(expected.strategy.eps_start, |s| s.eps);
            // Four digits, unless they would show the same number on both sides (a typed
            // 0.0013004127 dragged to 0.0013): then in full.
            let (was, now) = if four_digits(old) == four_digits(eps) {
                (old.to_string(), eps.to_string())
            } else {
                (four_digits(old), four_digits(eps))
            };
            self.view.message(
                false,
                format!(
                    "ε target {was} → {now}: the path is planned again from ε = {}",
                    four_digits(from)
                ),
            );
        }
        self.send_change(expected, Command::SetEpsTarget(eps));
        true
    }

    /// Switch the strategy of the running configuration now, when the configuration admits it
    /// (the draft follows the choice either way, so Apply can fix what is missing).
    pub fn pick_strategy(&mut self, kind: StrategyKind) -> bool {
        if !self.unlocked(Control::Strategy, "the strategy") {
            return false;
        }
        self.draft.strategy.kind = kind;
        let mut config = self.config().clone();
        config.strategy.kind = kind;
        if let Err(e) = config.validate() {
            self.view.message(
                true,
                format!("{} not applied (adjust and Apply): {e}", kind.label()),
            );
            return false;
        }
        let command = Command::SetStrategy(Box::new(config.strategy.clone()));
        self.apply_to_path(kind.label(), &config, command);
        if self.pending_apply.is_none() {
            self.say_what_the_schedule_plans(&config, false);
        }
        true
    }

    /// Switch HRTA s-stages on or off now, with the draft's HRTA settings.
    pub fn set_hrta(&mut self, enabled: bool) -> bool {
        if !self.unlocked(Control::Hrta, "HRTA") {
            return false;
        }
        // On a network that has trained, HRTA goes on from its current s; s values below it
        // would change the learned function at once, so they are refused here, not sent.
        if enabled
            && !self.config().hrta.enabled
            && let Some(s) = self.view.latest.as_ref().filter(|s| s.step > 0)
            && let Err(why) =
                crate::train::hrta::mid_run_schedule(&self.draft.hrta.s_schedule(), s.s, true)
        {
            self.view
                .message_pointing(true, why, super::state::Reveal::ResetWithHrta);
            return false;
        }
        self.draft.hrta.enabled = enabled;
        let hrta = self.draft.hrta.clone();
        self.send_checked(
            "HRTA not changed",
            |c| c.hrta = hrta,
            |c| Command::SetHrta(Box::new(c.hrta.clone())),
        )
    }

    /// Send the draft's ε schedule to the run.
    pub fn apply_schedule(&mut self) -> bool {
        if !self.unlocked(Control::Schedule, "the schedule") {
            return false;
        }
        let mut config = self.config().clone();
        config.strategy.schedule = self.draft.strategy.schedule.clone();
        if let Err(e) = config.validate() {
            self.view
                .message(true, format!("schedule not applied: {e}"));
            return false;
        }
        let command = Command::SetSchedule(config.strategy.schedule.clone());
        self.apply_to_path("New schedule", &config, command);
        // A question opened instead: the plan is said once it is answered (resolve_apply).
        if self.pending_apply.is_none() {
            self.say_what_the_schedule_plans(&config, false);
        }
        true
    }

    /// After a schedule or strategy is applied (`restart`: with the run restarted): say when a
    /// linear Δε spans ε₀ → ε* in one jump, and when the plan can need more steps than the
    /// run's step cap (the run would stop short of ε*), counting a Phase I the change starts
    /// again (in Phase I, or from classical training) as [`crate::train::Session::reconfigure`]
    /// does.
    pub(super) fn say_what_the_schedule_plans(&mut self, config: &RunConfig, restart: bool) {
        let st = &config.strategy;
        let target = config.problem.eps;
        if let crate::config::ScheduleConfig::Linear { delta } = st.schedule {
            let span = (st.eps_start - target).abs();
            if delta >= span {
                self.view.message(
                    false,
                    format!(
                        "Δε = {delta} is not smaller than ε₀ − ε* = {}: the schedule is one stage, straight from ε₀ = {} to ε* = {target}",
                        (span * 1e12).round() / 1e12,
                        st.eps_start
                    ),
                );
            }
        }
        // A path that has trained continues from where it stands, its steps so far counted; a
        // new schedule alone lets a Phase I under way go on, another change starts it again.
        let was_path = self.config().strategy.kind.is_homotopy();
        let schedule_only = self.config().keeps_phase_one(config) && self.view.end.is_none();
        let (step, from, phase_one) = match self.view.latest.as_ref().filter(|s| s.step > 0) {
            Some(s) if !restart && was_path && !s.in_phase_one => (s.step, s.eps, false),
            Some(s) if !restart => (s.step, st.eps_start, true),
            _ => (0, st.eps_start, true),
        };
        let first = st.phase1.adam_steps + st.phase1.lm_iterations;
        // A Phase I that goes on has at most its budget in all, the steps taken included.
        let total = if phase_one && schedule_only && step > 0 {
            st.most_steps_from(from, target, false)
                .map(|rest| step.max(first) + rest)
        } else {
            st.most_steps_from(from, target, phase_one)
                .map(|ahead| step + ahead)
        };
        if let Some(total) = total
            && total > config.training.max_steps
        {
            let stages = crate::config::planned_values(&st.schedule, from, target).len();
            let done = match (step, phase_one) {
                (0, _) => format!("Phase I {first}"),
                (_, true) if schedule_only => format!("{step} taken, the rest of Phase I"),
                (_, true) => format!("{step} taken, Phase I {first} again"),
                (_, false) => format!("{step} taken"),
            };
            self.view.message_pointing(
                true,
                format!(
                    "the plan may take up to {} steps ({done}, {stages} stages of at most {}) but the step cap is {}: the run can stop short of ε* = {target}; raise the step cap (Optimizer → step cap)",
                    total,
                    st.stages.max_steps,
                    config.training.max_steps
                ),
                crate::app::state::Reveal::StepCap,
            );
        }
    }

    /// Open another problem at its first shipped preset (a new problem with the last one's ε,
    /// schedule and phase condition would rarely make sense).
    pub fn pick_problem(&mut self, kind: ProblemKind) -> bool {
        if !self.unlocked(Control::Problem, "the problem") {
            return false;
        }
        match crate::presets::first_for(kind) {
            Some((name, _)) => {
                match crate::presets::text(&std::path::PathBuf::from("presets"), name) {
                    Some((text, origin)) => self.load_preset_text(&text, &origin, None),
                    None => false,
                }
            }
            None => {
                self.draft.problem.kind = kind;
                true
            }
        }
    }

    /// The locked control groups (in lecture mode) that loading `new` would change.
    pub fn locked_changes(&self, new: &RunConfig) -> Vec<Control> {
        if !self.remembered.lecture_mode {
            return Vec::new();
        }
        let (a, b) = (self.config(), new);
        Control::ALL
            .into_iter()
            .filter(|&c| self.locked(c))
            .filter(|c| match c {
                Control::Problem => a.problem.kind != b.problem.kind,
                Control::Eps => a.problem.eps != b.problem.eps,
                Control::Strategy => {
                    // The strategy and its parameters; the schedule has its own lock.
                    let mut b_strategy = b.strategy.clone();
                    b_strategy.schedule = a.strategy.schedule.clone();
                    a.strategy != b_strategy
                }
                Control::Schedule => a.strategy.schedule != b.strategy.schedule,
                Control::Hrta => a.hrta != b.hrta,
                Control::Optimizer => a.optimizer != b.optimizer,
                Control::Network => a.network != b.network,
                Control::Backend => a.backend != b.backend,
            })
            .collect()
    }

    /// Set which controls lecture mode locks. Only the locks change: the run, its state and
    /// the draft's other edits are untouched (the locks are saved with the preset).
    pub fn set_lecture_locks(&mut self, locked: Vec<Control>) {
        if let Some(c) = &mut self.view.config {
            c.lecture.locked = locked.clone();
        }
        self.draft.lecture.locked = locked;
        // The worker keeps them too (checkpoints save them); it changes nothing else.
        self.send(Command::SetLectureLocks(self.config().lecture.clone()));
        let message = match self.config().lecture.describe() {
            Some(names) => format!("lecture mode locks: {names}; the run is untouched"),
            None => "lecture mode locks nothing now; the run is untouched".to_string(),
        };
        self.view.message(false, message);
    }

    /// Throw away the draft's edits.
    pub fn revert_draft(&mut self) {
        self.draft = self.config().clone();
        self.draft_revision += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{PRESET, app, last_message, settle};
    use super::*;

    #[test]
    fn a_bad_eps_target_is_refused_with_the_rule_and_changes_nothing() {
        let mut app = app();
        for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            assert!(!app.set_eps_target(bad));
            assert!(last_message(&app).contains("positive number"), "{bad}");
            assert_eq!(app.config().problem.eps, 0.05);
            assert_eq!(app.draft.problem.eps, 0.05);
        }
        assert!(app.set_eps_target(0.02));
        assert_eq!(app.draft.problem.eps, 0.02);
        // This preset's homotopy says where the path goes now.
        assert_eq!(
            last_message(&app),
            "ε target 0.05 → 0.02: the path is planned again from ε = 0.1"
        );
        // The reported configuration follows when the worker confirms.
        assert!(settle(&mut app, |a| a.config().problem.eps == 0.02));
        assert_eq!(
            (app.config().problem.eps, app.draft.problem.eps),
            (0.02, 0.02)
        );
        // A change below four digits is said in full, not as "0.02 → 0.02".
        assert!(app.set_eps_target(0.0200004));
        assert!(
            last_message(&app).starts_with("ε target 0.02 → 0.0200004:"),
            "{}",
            last_message(&app)
        );
        assert!(app.set_eps_target(0.02));
        assert!(settle(&mut app, |a| a.config().problem.eps == 0.02));
        // The title no longer lets a preset's name state the old ε unremarked.
        assert!(
            app.title().ends_with("(modified: now ε target 0.02)"),
            "{}",
            app.title()
        );
    }

    #[test]
    fn lecture_locks_refuse_the_intents_they_cover() {
        let mut app = app();
        app.remembered.lecture_mode = true;
        assert!(!app.set_eps_target(0.02));
        assert!(last_message(&app).contains("locked in lecture mode"));
        assert_eq!(app.config().problem.eps, 0.05);
        assert!(!app.pick_problem(ProblemKind::Burgers1d));
        assert_eq!(app.config().problem.kind, ProblemKind::AllenCahn1d);
        // The strategy is not locked by this preset.
        assert!(app.pick_strategy(StrategyKind::Strategy2));
        // Off again, the same intents go through.
        app.remembered.lecture_mode = false;
        assert!(app.set_eps_target(0.02));
    }

    #[test]
    fn a_preset_that_would_change_a_locked_control_is_refused_and_locks_survive_a_load() {
        let mut app = app();
        app.remembered.lecture_mode = true;
        let other = PRESET.replace("allen_cahn_1d", "burgers_1d");
        assert!(!app.load_preset_text(&other, "other", None));
        assert!(
            last_message(&app).contains("problem"),
            "{}",
            last_message(&app)
        );
        assert_eq!(app.config().problem.kind, ProblemKind::AllenCahn1d);
        // The same problem and ε with another strategy loads, and keeps the locks even though
        // the loaded text has none.
        let same = PRESET
            .replace("strategy1", "strategy2")
            .replace("[lecture]\nlocked = [\"problem\", \"eps\"]\n", "");
        assert!(app.load_preset_text(&same, "same problem", None));
        assert!(settle(&mut app, |a| a.config().strategy.kind
            == StrategyKind::Strategy2));
        assert!(app.locked(Control::Problem) && app.locked(Control::Eps));
    }

    #[test]
    fn setting_lecture_locks_touches_nothing_else() {
        let mut app = app();
        app.draft.optimizer.lr = 0.5;
        app.set_lecture_locks(vec![Control::Strategy]);
        assert_eq!(app.config().lecture.locked, vec![Control::Strategy]);
        assert_eq!(app.draft.lecture.locked, vec![Control::Strategy]);
        // The draft's unrelated edit is neither applied nor lost.
        assert_eq!(app.draft.optimizer.lr, 0.5);
        assert_ne!(app.config().optimizer.lr, 0.5);
        assert!(last_message(&app).contains("the run is untouched"));
    }

    #[test]
    fn a_strategy_the_configuration_cannot_run_is_not_sent_but_stays_in_the_draft() {
        let mut app = app();
        // 1D Allen–Cahn has no initial state for the time-sequential march.
        assert!(!app.pick_strategy(StrategyKind::TimeSequential));
        assert!(
            last_message(&app).contains("not applied"),
            "{}",
            last_message(&app)
        );
        assert_eq!(app.config().strategy.kind, StrategyKind::Strategy1);
        assert_eq!(app.draft.strategy.kind, StrategyKind::TimeSequential);
        app.revert_draft();
        assert_eq!(app.draft.strategy.kind, StrategyKind::Strategy1);
    }

    #[test]
    fn start_at_the_step_cap_says_to_raise_it_instead_of_stepping_into_it() {
        let capped = PRESET.replace("[strategy]", "[training]\nmax_steps = 3\n[strategy]");
        let config = RunConfig::from_toml_str(&capped).unwrap();
        let mut app = ExplorerApp::headless(egui::Context::default(), Some(config));
        app.play_pause();
        assert!(settle(&mut app, |a| a.view.end
            == Some(crate::train::EndReason::MaxSteps)));
        assert!(last_message(&app).contains("reached the step cap"));
        assert_eq!(app.view.points_to, Some(crate::app::state::Reveal::StepCap));
        app.play_pause();
        assert!(last_message(&app).contains("step cap (3 steps)"));
        assert_eq!(app.view.points_to, Some(crate::app::state::Reveal::StepCap));
        assert!(!app.running());
    }

    #[test]
    fn applying_a_schedule_says_when_it_jumps_at_once_or_outgrows_the_step_cap() {
        let mut app = app();
        app.pick_strategy(StrategyKind::Strategy2);
        assert!(settle(&mut app, |a| a.config().strategy.kind
            == StrategyKind::Strategy2));
        // ε₀ = 0.1 → ε* = 0.05 in steps of 0.5: one stage.
        app.draft.strategy.schedule = crate::config::ScheduleConfig::Linear { delta: 0.5 };
        assert!(app.apply_schedule());
        let said: Vec<String> = app.view.messages.iter().map(|(_, t)| t.clone()).collect();
        assert!(
            said.iter()
                .any(|t| t.contains("one stage, straight from ε₀ = 0.1 to ε* = 0.05")),
            "{said:?}"
        );
        assert_eq!(app.view.points_to, None, "that message names no control");
        // 50 stages of Δε = 0.001 at the default caps outgrow the default step cap.
        app.draft.strategy.schedule = crate::config::ScheduleConfig::Linear { delta: 0.001 };
        assert!(app.apply_schedule());
        assert!(
            last_message(&app).contains("raise the step cap (Optimizer → step cap)"),
            "{}",
            last_message(&app)
        );
        assert_eq!(app.view.points_to, Some(crate::app::state::Reveal::StepCap));
    }
}
