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
    fn unlocked(&mut self, control: Control, what: &str) -> bool {
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
                self.send(command(&config));
                true
            }
            Err(e) => {
                self.view.message(true, format!("{what}: {e}"));
                false
            }
        }
    }

    /// Send a schedule or strategy `command` (for `config`) to a homotopy: while it runs the
    /// path continues from where it stands, and the status line says so; a paused or finished
    /// run waits for *Continue from here* or *Restart* ([`Self::resolve_apply`]).
    fn apply_to_path(&mut self, what: &str, config: &RunConfig, command: Command) {
        let path = self.config().strategy.kind.is_homotopy() && config.strategy.kind.is_homotopy();
        match self.view.latest.as_ref().filter(|s| s.step > 0) {
            Some(s) if path && !s.running => {
                self.pending_apply = Some(super::PendingApply {
                    what: what.to_string(),
                    command,
                    eps: s.eps,
                    step: s.step,
                    ended: self.view.end.is_some(),
                });
            }
            Some(s) if path => {
                let eps = s.eps;
                self.send(command);
                self.view.message(
                    false,
                    format!("{what} applied: the path continues from ε = {eps}"),
                );
            }
            _ => self.send(command),
        }
    }

    /// Carry out the waiting change: continue the path from where it stands, or restart the run
    /// from its initialization with it; None drops it (the draft keeps the edit).
    pub fn resolve_apply(&mut self, restart: Option<bool>) {
        let Some(p) = self.pending_apply.take() else {
            return;
        };
        match restart {
            None => {}
            Some(false) => {
                self.send(p.command);
                self.view.message(
                    false,
                    format!(
                        "{} applied: the path continues from ε = {} (step {})",
                        p.what, p.eps, p.step
                    ),
                );
            }
            Some(true) => {
                self.send(p.command);
                self.send(Command::Reset);
                self.view.message(
                    false,
                    format!(
                        "{} applied: the run restarted from its initialization; Start trains it",
                        p.what
                    ),
                );
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
        self.send(Command::SetEpsTarget(eps));
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
            self.view.message(true, why);
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
        true
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

    /// Zoom the whole window (View → Zoom, ctrl +/−/0). Refused, with the window left as it
    /// is, outside [`super::ZOOM_RANGE`]; returns whether it applied.
    pub fn set_zoom(&mut self, zoom: f32) -> bool {
        if !(zoom.is_finite() && super::ZOOM_RANGE.contains(&zoom)) {
            return false;
        }
        self.remembered.zoom = zoom;
        self.ctx.set_zoom_factor(zoom);
        true
    }

    /// The light theme (projectors, printed handouts) or the dark one; remembered.
    pub fn set_light_theme(&mut self, light: bool) {
        self.remembered.light_theme = light;
        self.ctx.set_theme(if light {
            egui::Theme::Light
        } else {
            egui::Theme::Dark
        });
    }

    /// The style of exported figures (File → Figure style…), refused with the reason when a
    /// value is outside its range; returns the refusal.
    pub fn set_figure_style(
        &mut self,
        style: crate::export::figure::FigureStyle,
    ) -> Result<(), String> {
        style.check()?;
        self.remembered.figure_style = style;
        Ok(())
    }

    /// The style exports use now: the remembered one, a slide in the window's theme.
    pub fn export_style(&self) -> crate::export::figure::FigureStyle {
        use crate::export::figure::{StyleKind, Theme};
        let mut s = self.remembered.figure_style;
        s.theme = match (s.kind, self.remembered.light_theme) {
            (StyleKind::Slide, false) => Theme::Dark,
            _ => Theme::Light,
        };
        s
    }

    /// A folder opened or dropped: a collected sweep shows in its window, anything else is
    /// read as a run folder and pinned.
    pub fn open_folder(&mut self, dir: &std::path::Path) {
        if super::sweep_folder::is_sweep(dir) {
            match super::sweep_folder::read(dir) {
                Ok(view) => {
                    self.view.message(
                        false,
                        format!(
                            "opened sweep {} ({} groups, {} figures)",
                            dir.display(),
                            view.rows.len(),
                            view.figures.len()
                        ),
                    );
                    self.sweep_view = Some(view);
                }
                Err(e) => self.view.message(true, format!("sweep not opened: {e}")),
            }
        } else {
            self.open_run_folder(dir);
        }
    }

    /// A finished run's folder (`run`, a sweep task, Export all) pinned beside the live run:
    /// its loss, L2RE and (1D) solution curves, drawn on runs of the same problem. What is
    /// missing or malformed is said and nothing is pinned.
    pub fn open_run_folder(&mut self, dir: &std::path::Path) {
        match super::run_folder::read(dir) {
            Ok(run) => {
                let folder = dir.file_name().map_or_else(
                    || dir.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let text = format!(
                    "{} ({folder}: {} steps, {})",
                    run.summary.name, run.summary.steps, run.summary.end_reason
                );
                let other_problem = run.problem != self.config().problem.kind;
                let problem = run.problem.label();
                let number = self.view.pin_folder(run, text);
                self.view.message(
                    false,
                    if other_problem {
                        format!("pinned {} as pin {number}; it solved {problem}, so it shows on runs of that problem", dir.display())
                    } else {
                        format!("pinned {} as pin {number}", dir.display())
                    },
                );
            }
            Err(e) => self.view.message(true, format!("nothing pinned: {e}")),
        }
    }

    /// A file dropped on the window: a preset (`.toml`) loads as if opened, honouring the
    /// lecture locks; a run folder is pinned; anything else is refused with a message naming
    /// what is accepted. `read` gives the file's bytes (called for presets only).
    pub fn open_dropped(
        &mut self,
        path: &std::path::Path,
        read: impl FnOnce() -> Result<Vec<u8>, String>,
    ) {
        let name = path.display().to_string();
        if path.is_dir() {
            self.open_folder(path);
            return;
        }
        if !name.to_ascii_lowercase().ends_with(".toml") {
            self.view.message(
                true,
                format!("{name} was not opened: drop a preset (.toml), a run folder or a sweep folder; checkpoints load from File → Load checkpoint…"),
            );
            return;
        }
        match read().and_then(|b| String::from_utf8(b).map_err(|e| e.to_string())) {
            Ok(text) => {
                self.load_preset_text(&text, &name, Some(path.to_path_buf()));
            }
            Err(e) => self.view.message(true, format!("cannot read {name}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRESET: &str = r#"version = 1
[problem]
kind = "allen_cahn_1d"
eps = 0.05
n_res = 40
n_eval = 101
[network]
hidden = [8, 8]
[strategy]
kind = "strategy1"
eps_start = 0.1
[lecture]
locked = ["problem", "eps"]
"#;

    /// An app whose worker has reported its first state (as in the window after a frame).
    fn app() -> ExplorerApp {
        let config = RunConfig::from_toml_str(PRESET).unwrap();
        let mut app = ExplorerApp::headless(egui::Context::default(), Some(config));
        assert!(settle(&mut app, |a| a.view.latest.is_some()));
        app
    }

    /// Drain worker events until `done` holds (at most 5 s).
    fn settle(app: &mut ExplorerApp, done: impl Fn(&ExplorerApp) -> bool) -> bool {
        for _ in 0..500 {
            app.poll();
            if done(app) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        false
    }

    fn last_message(app: &ExplorerApp) -> String {
        app.view
            .messages
            .back()
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }

    #[test]
    fn figure_styles_are_checked_and_slides_follow_the_theme() {
        use crate::export::figure::{FigureStyle, Theme};
        let mut app = app();
        let mut bad = FigureStyle::paper();
        bad.width_in = 0.5;
        assert!(app.set_figure_style(bad).unwrap_err().contains("width"));
        assert_eq!(app.remembered.figure_style, FigureStyle::paper());
        app.set_figure_style(FigureStyle::slide(Theme::Light))
            .unwrap();
        app.set_light_theme(false);
        assert_eq!(app.export_style().theme, Theme::Dark);
        app.set_light_theme(true);
        assert_eq!(app.export_style().theme, Theme::Light);
        // Paper stays white whatever the window's theme.
        app.set_figure_style(FigureStyle::paper()).unwrap();
        app.set_light_theme(false);
        assert_eq!(app.export_style().theme, Theme::Light);
    }

    #[test]
    fn the_plots_on_screen_export_as_one_labelled_figure_without_a_dialog() {
        use super::super::export::{Format, start_export_shown};
        let mut app = app();
        let dir = tempfile::tempdir().unwrap();
        app.export_root = dir.path().to_path_buf();
        app.on_screen = (
            vec![
                crate::app::PlotKind::Solution,
                crate::app::PlotKind::Loss,
                crate::app::PlotKind::Residual,
            ],
            2,
        );
        for format in [Format::Svg, Format::Pdf] {
            app.view.last_written = None;
            start_export_shown(&mut app, format);
            assert!(settle(&mut app, |a| a.view.last_written.is_some()));
        }
        let plots = dir.path().join("plots");
        let svg = std::fs::read_to_string(plots.join("shown_plots.svg")).unwrap();
        assert!(svg.contains("(a)") && svg.contains("(c)") && !svg.contains("(d)"));
        // Two columns of paper: the 6.7 in double column.
        assert!(svg.contains("width=\"6.7in\""), "{}", &svg[..120]);
        let pdf = std::fs::read(plots.join("shown_plots.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        app.on_screen = (vec![], 1);
        start_export_shown(&mut app, Format::Svg);
        assert!(last_message(&app).contains("no plot is shown"));
    }

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
        // The reported configuration follows when the worker confirms.
        assert!(settle(&mut app, |a| a.config().problem.eps == 0.02));
        assert_eq!(
            (app.config().problem.eps, app.draft.problem.eps),
            (0.02, 0.02)
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
    fn zoom_outside_its_range_is_refused_and_the_theme_reaches_egui() {
        let mut app = app();
        assert!(app.set_zoom(1.5));
        // egui applies a new zoom at the start of the next pass.
        let _ = app.ctx.run_ui(egui::RawInput::default(), |_| {});
        assert_eq!((app.remembered.zoom, app.ctx.zoom_factor()), (1.5, 1.5));
        for bad in [0.2, 4.0, f32::NAN] {
            assert!(!app.set_zoom(bad), "{bad}");
            assert_eq!(app.remembered.zoom, 1.5);
        }
        app.set_light_theme(true);
        assert!(app.remembered.light_theme);
        assert_eq!(app.ctx.theme(), egui::Theme::Light);
        app.set_light_theme(false);
        assert_eq!(app.ctx.theme(), egui::Theme::Dark);
    }

    #[test]
    fn a_run_folder_dropped_on_the_window_becomes_a_pin_and_anything_else_is_named() {
        let mut app = app();
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("finished");
        std::fs::create_dir(&run).unwrap();
        let mut config = RunConfig::from_toml_str(PRESET).unwrap();
        config.training.max_steps = 30;
        config.training.eval_every = 10;
        let device = crate::backend::cpu().unwrap();
        let never = std::sync::atomic::AtomicBool::new(false);
        let summary =
            crate::export::run::train_and_write(config, &device, &run, &never, false, None)
                .unwrap();
        app.open_dropped(&run, || unreachable!("a folder is not read as a file"));
        assert_eq!(app.view.pinned.len(), 1, "{:?}", app.view.messages);
        let pin = &app.view.pinned[0];
        assert!(pin.name.contains("finished") && pin.name.contains(&summary.end_reason));
        assert_eq!(pin.summary.steps, summary.steps);
        assert_eq!(pin.solution.len(), 101, "u_θ at the evaluation points");
        assert!(!pin.loss.is_empty() && !pin.l2re.is_empty());
        // A folder without a summary, and a run folder with a broken history, pin nothing.
        app.open_dropped(dir.path(), || unreachable!());
        std::fs::write(run.join("history.csv"), "step,loss\n1,x\n").unwrap();
        app.open_dropped(&run, || unreachable!());
        assert_eq!(app.view.pinned.len(), 1);
        let said: Vec<&str> = app.view.messages.iter().map(|(_, t)| t.as_str()).collect();
        assert!(
            said.iter().any(|t| t.contains("no summary.json")),
            "{said:?}"
        );
        assert!(said.iter().any(|t| t.contains("l2re_exact")), "{said:?}");
    }

    #[test]
    fn a_collected_sweep_folder_opens_in_its_window_and_an_uncollected_one_says_how() {
        let mut app = app();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.toml"), PRESET).unwrap();
        let out = dir.path().join("sw");
        let manifest = dir.path().join("m.toml");
        std::fs::write(
            &manifest,
            format!(
                "version = 1\nname = \"t\"\npresets = [\"p.toml\"]\nseeds = [0]\nout = \"{}\"\n[[axis]]\nkey = \"training.max_steps\"\nvalues = [10, 20]\n",
                out.display()
            ),
        )
        .unwrap();
        let m = crate::sweep::Manifest::from_file(&manifest).unwrap();
        let never = std::sync::atomic::AtomicBool::new(false);
        let tasks = m.tasks().unwrap();
        for k in 0..2 {
            crate::sweep::run::run_one(&m, &tasks, k, &never, false).unwrap();
        }
        app.open_dropped(&out, || unreachable!());
        assert!(app.sweep_view.is_none());
        let said = app.view.messages.back().unwrap().1.clone();
        assert!(said.contains("sweep collect"), "{said}");
        crate::sweep::collect::collect(&out, &crate::sweep::collect::default_output()).unwrap();
        app.open_dropped(&out, || unreachable!());
        let view = app.sweep_view.as_ref().expect("the sweep window");
        assert_eq!(view.rows.len(), 2);
        assert!(view.header.iter().any(|h| h == "training.max_steps"));
        assert!(view.figures[0].0.starts_with("l2re"), "L2RE first");
        // A task of it is a run folder: it pins.
        app.open_dropped(&out.join("tasks").join("t001"), || unreachable!());
        assert_eq!(app.view.pinned.len(), 1);
    }
}
