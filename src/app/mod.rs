//! The explorer's state and intents: owns the worker handle, the [`RunView`] the plots read, the
//! edited configuration and the remembered state, and drains worker events and finished
//! background jobs each frame. It draws nothing and imports nothing from `ui`; the panels under
//! `src/ui/` read this state and call its intents, and `ui::window` is the `eframe::App`.

pub mod dialogs;
pub mod discard;
pub mod export;
pub mod figures;
pub mod intents;
pub mod ntk_lab;
pub mod operator_input;
pub mod pins;
mod remembered;
pub mod run_folder;
pub mod state;
pub mod sweep_folder;
#[cfg(test)]
mod test_support;
mod window_intents;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use crate::backend::{self, ComputeDevice};
use crate::config::{BackendKind, RunConfig};
use crate::worker::{Command, Event, WorkerHandle};
pub use dialogs::{DialogRx, NO_DIALOG, Pending, dialog_answer};
pub use discard::{ApplyChoice, Discard, DiscardChoice, PendingApply};
pub use figures::PlotKind;
pub use remembered::{LegendCorner, LossAxis, Remembered, ZOOM_RANGE};
pub use state::RunView;

/// The preset the explorer opens with when nothing was remembered.
pub const DEFAULT_PRESET: &str = include_str!("../../presets/allen_cahn_1d_strategy1.toml");
/// Storage key of the remembered state.
const STORAGE_KEY: &str = "homotopy-explorer";

/// The explorer.
pub struct ExplorerApp {
    pub view: RunView,
    worker: Option<WorkerHandle>,
    /// The configuration being edited in the controls (the one draft; the reported one is
    /// [`ExplorerApp::config`]).
    pub draft: RunConfig,
    pub remembered: Remembered,
    cpu: ComputeDevice,
    /// The GPU adapter check: Ok(description) or Err(reason); None while it runs.
    pub gpu: Option<Result<String, String>>,
    gpu_probe: Option<Receiver<Result<String, String>>>,
    pub pending: Vec<Pending>,
    /// Bumped whenever the draft is replaced as a whole (a load, a reported configuration, a
    /// revert): panels that keep text of their own for draft values re-read it then.
    draft_revision: u64,
    /// Bumped by every preset or checkpoint load (windows editing the previous run close).
    loads: u64,
    /// The configuration as last loaded (preset, checkpoint, or the one the window opened
    /// with): the title says "(modified)" once the run or the draft differs from it.
    loaded: RunConfig,
    /// The NTK lab window and its sweep.
    pub ntk_lab: ntk_lab::NtkLab,
    /// A collected sweep folder shown in its window.
    pub sweep_view: Option<sweep_folder::SweepView>,
    /// Native dialogs and persistence are off under test.
    pub headless: bool,
    /// Where exports go when no file dialog can open (and in headless mode): a new
    /// timestamped folder under it. `out/exports` unless changed (tests use a temporary one).
    pub export_root: PathBuf,
    ctx: egui::Context,
    /// Last frame durations (seconds) for the status line.
    pub frame_times: std::collections::VecDeque<f64>,
    /// The plots the central area shows now, in screen order, and its number of columns
    /// (what "Export shown plots" lays out).
    pub on_screen: (Vec<figures::PlotKind>, usize),
    /// A schedule or strategy change for a paused or finished homotopy, waiting for the user
    /// to choose: continue the path from where it stands, or restart from the initialization.
    pub pending_apply: Option<PendingApply>,
    /// An action that would discard the trained run or the pins, waiting for the user's yes
    /// ([`ExplorerApp::resolve_discard`]).
    pub pending_discard: Option<Discard>,
    /// The configuration the last change sent should make the worker report: the base the
    /// draft's edits not yet applied are carried from ([`crate::config::rebase`]), so what the
    /// worker refused or changed falls back and only the user's own waiting edits stay.
    expected: Option<RunConfig>,
    /// A checkpoint load is on its way: its configuration replaces the draft and becomes the
    /// one loaded.
    replacing: bool,
    frame_started: Option<Instant>,
}

/// Parse "a, b, c" into numbers; the error names the bad entry.
pub fn parse_list<T: std::str::FromStr>(text: &str) -> Result<Vec<T>, String> {
    text.split([',', ' ', ';'])
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.trim()
                .parse::<T>()
                .map_err(|_| format!("“{}” is not a number", p.trim()))
        })
        .collect()
}

impl ExplorerApp {
    /// Create the app from eframe's creation context (restoring remembered state).
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let remembered: Remembered = cc
            .storage
            .and_then(|s| eframe::get_value(s, STORAGE_KEY))
            .unwrap_or_default();
        let mut app = Self::with_state(cc.egui_ctx.clone(), remembered, false);
        app.probe_gpu();
        app
    }

    /// An app without persistence or native dialogs (tests, screenshots).
    pub fn headless(ctx: egui::Context, config: Option<RunConfig>) -> Self {
        let mut remembered = Remembered::default();
        if let Some(c) = config {
            remembered.last_preset = Some(c.to_toml_string());
        }
        let mut app = Self::with_state(ctx, remembered, true);
        app.gpu = Some(Err("not probed in headless mode".into()));
        app
    }

    fn with_state(ctx: egui::Context, remembered: Remembered, headless: bool) -> Self {
        install_fonts(&ctx);
        let mut view = RunView::default();
        if let Some(n) = remembered.threads
            && !crate::pool::from_command_line()
            && let Err(e) = crate::pool::set_threads(n)
        {
            view.message(true, format!("remembered compute threads ignored: {e}"));
        }
        let mut config = remembered
            .last_preset
            .as_deref()
            .and_then(|text| match RunConfig::from_toml_str(text) {
                Ok(c) => Some(c),
                Err(e) => {
                    view.message(true, format!("remembered preset ignored: {e}"));
                    None
                }
            })
            .unwrap_or_else(|| {
                RunConfig::from_toml_str(DEFAULT_PRESET).expect("the built-in preset is valid")
            });
        let cpu = backend::cpu().expect("the CPU backend is always available");
        if config.backend == BackendKind::Wgpu {
            // The GPU is checked in the background; start on the CPU and say so.
            view.message(
                false,
                "the preset asks for the GPU; starting on the CPU until the adapter check finishes",
            );
            config.backend = BackendKind::Cpu;
        }
        view.config = Some(config.clone());
        let mut app = Self {
            view,
            worker: None,
            loaded: config.clone(),
            draft: config,
            remembered,
            cpu,
            gpu: None,
            gpu_probe: None,
            pending: Vec::new(),
            draft_revision: 0,
            loads: 0,
            ntk_lab: ntk_lab::NtkLab::default(),
            sweep_view: None,
            headless,
            export_root: PathBuf::from(export::EXPORT_ROOT),
            ctx,
            frame_times: Default::default(),
            on_screen: (figures::PlotKind::ALL.to_vec(), 2),
            pending_apply: None,
            pending_discard: None,
            expected: None,
            replacing: false,
            frame_started: None,
        };
        if let Err(why) = app.remembered.figure_style.check() {
            app.view.message(
                true,
                format!("remembered figure style not used ({why}); exports use the paper style"),
            );
            app.remembered.figure_style = Default::default();
        }
        let zoom = app.remembered.zoom;
        if !app.set_zoom(zoom) {
            app.view.message(
                true,
                format!("remembered zoom {zoom} is outside 50–300 %; the window opens at 100 %"),
            );
            app.set_zoom(1.0);
        }
        app.set_light_theme(app.remembered.light_theme);
        app.start_worker();
        app
    }

    /// Start (or restart after a crash) the worker with the current configuration.
    pub fn start_worker(&mut self) {
        if let Some(old) = self.worker.take() {
            old.shutdown(Duration::from_millis(500));
        }
        let ctx = self.ctx.clone();
        let waker: crate::worker::Waker =
            Arc::new(move || ctx.request_repaint_after(Duration::from_millis(33)));
        self.view.clear_run();
        self.worker = Some(WorkerHandle::spawn(
            self.config().clone(),
            self.cpu.clone(),
            waker,
        ));
        // λ_max(D_ε) vs ε (at the exact solution) depends only on the problem: sweep it once.
        if self.config().problem.has_operator() {
            self.send(Command::RequestSweep);
        }
    }

    /// Whether a worker is running.
    pub fn worker_alive(&self) -> bool {
        self.worker.as_ref().is_some_and(|w| w.is_alive())
    }

    /// Send a command to the worker (reports a dead worker on the status line).
    pub fn send(&mut self, command: Command) {
        let ok = self.worker.as_ref().is_some_and(|w| w.send(command));
        if !ok {
            self.view.message(
                true,
                "the training worker is not running; press “Restart worker”",
            );
        }
    }

    /// Whether training is running (per the last snapshot).
    pub fn running(&self) -> bool {
        self.view.latest.as_ref().is_some_and(|s| s.running)
    }

    pub fn play_pause(&mut self) {
        if self.running() {
            self.send(Command::Pause);
        } else if self.view.end == Some(crate::train::EndReason::MaxSteps)
            && self.view.latest.as_ref().map_or(0, |s| s.step) >= self.config().training.max_steps
        {
            // Another step would only hit the cap again (and leave the stage under way).
            let cap = self.config().training.max_steps;
            self.view.message(
                true,
                format!(
                    "the run stopped at its step cap ({cap} steps): raise the step cap (Optimizer → step cap) and Apply to train on, or Reset"
                ),
            );
        } else {
            self.send(Command::Play);
        }
    }

    /// Load a configuration (a preset): a fresh run.
    pub fn load_config(&mut self, mut config: RunConfig, path: Option<PathBuf>) {
        if let Some(why) = self.cpu_fallback(&mut config) {
            self.view
                .message(true, format!("no usable GPU ({why}); running on the CPU"));
        }
        self.remembered.last_preset = Some(config.to_toml_string());
        if path.is_some() {
            self.remembered.last_preset_path = path;
        }
        self.draft = config.clone();
        self.loaded = config.clone();
        // The reported configuration changes when the worker confirms the load; the lecture
        // locks are the window's and apply at once. Without a worker, the loaded preset is
        // what a restarted worker will run.
        if self.worker_alive() {
            if let Some(c) = &mut self.view.config {
                c.lecture = config.lecture.clone();
            }
        } else {
            self.view.config = Some(config.clone());
        }
        // An open lecture-locks window edits the locks of the run it was opened on.
        self.loads += 1;
        self.draft_revision += 1;
        // The view drops the previous problem's sweep when the worker confirms the new one.
        let sweep = config.problem.has_operator();
        self.send(Command::LoadConfig(Box::new(config)));
        if sweep {
            self.send(Command::RequestSweep);
        }
    }

    /// Move a wgpu configuration onto the CPU when no GPU is usable; returns why, if it did.
    fn cpu_fallback(&self, config: &mut RunConfig) -> Option<String> {
        if config.backend != BackendKind::Wgpu || matches!(self.gpu, Some(Ok(_))) {
            return None;
        }
        config.backend = BackendKind::Cpu;
        Some(match &self.gpu {
            Some(Err(e)) => e.clone(),
            _ => "the adapter check has not finished".into(),
        })
    }

    /// Parse preset text and load it; a bad preset changes nothing and shows why.
    /// In lecture mode a preset that would change a locked control is refused, and the locks
    /// in force are kept whatever the loaded preset says. Over a trained run that is not
    /// pinned as it stands, the checked preset waits for the user's yes
    /// ([`Self::resolve_discard`]); true: loaded or waiting.
    pub fn load_preset_text(&mut self, text: &str, origin: &str, path: Option<PathBuf>) -> bool {
        match RunConfig::from_toml_str(text) {
            Ok(mut config) => {
                // Compare what would actually run (a wgpu preset runs on the CPU without a GPU).
                let mut runs = config.clone();
                self.cpu_fallback(&mut runs);
                let blocked = self.locked_changes(&runs);
                if let Some(names) = crate::config::Control::sentence(&blocked) {
                    self.view.message(
                        true,
                        format!(
                            "preset {origin} not loaded: it changes {names}, which lecture mode locks (untick View → Lecture mode to change them)"
                        ),
                    );
                    return false;
                }
                if self.remembered.lecture_mode {
                    for c in &self.config().lecture.locked {
                        if !config.lecture.locked.contains(c) {
                            config.lecture.locked.push(*c);
                        }
                    }
                }
                // A question waits for an answer about the run this would replace.
                if !self.may_ask(&format!("loading preset {origin}")) {
                    return false;
                }
                if self.unkept_run().is_some() {
                    return self.ask_discard(Discard::Preset {
                        config: Box::new(config),
                        origin: origin.to_string(),
                        path,
                    });
                }
                self.load_checked_preset(config, origin, path);
                true
            }
            Err(e) => {
                self.view
                    .message(true, format!("preset {origin} not loaded: {e}"));
                false
            }
        }
    }

    pub(super) fn load_checked_preset(
        &mut self,
        config: RunConfig,
        origin: &str,
        path: Option<PathBuf>,
    ) {
        self.view.message(false, format!("loaded preset {origin}"));
        // Save preset writes to the file this preset came from, and to no other: a shipped or
        // pasted preset has none (it was left pointing at the last file opened).
        self.remembered.last_preset_path = path.clone();
        self.load_config(config, path);
    }

    /// Changes whenever the draft is replaced as a whole; text a panel keeps for a draft value
    /// is stale when this differs from the revision it was read at.
    pub fn draft_revision(&self) -> u64 {
        self.draft_revision
    }

    /// The edited configuration as preset text (Save preset, Copy preset): edits since the
    /// load are named in it (see [`RunConfig::described_against`]).
    pub fn preset_text(&self) -> String {
        self.draft.described_against(&self.loaded).to_toml_string()
    }

    /// Send `command`, which should make the worker report `expected`.
    pub(super) fn send_change(&mut self, expected: RunConfig, command: Command) {
        self.expected = Some(expected);
        self.send(command);
    }

    /// Resume the checkpoint at `path` in place of the run.
    pub(super) fn send_checkpoint_load(&mut self, path: PathBuf) {
        self.replacing = true;
        self.send(Command::LoadCheckpoint(path));
    }

    /// Whether the run's configuration or the draft differs from what was last loaded.
    pub fn modified(&self) -> bool {
        self.draft != self.loaded || *self.config() != self.loaded
    }

    /// How many presets or checkpoints were loaded (a window editing the previous run's
    /// settings closes when this changes).
    pub fn loads(&self) -> u64 {
        self.loads
    }

    /// Apply the edited draft (keeps the parameters when only training settings changed).
    /// The schedule is not part of it: a schedule edit waits for *Apply schedule* (which asks
    /// whether to continue the path) and stays in the draft meanwhile.
    pub fn apply_draft(&mut self) {
        if !self.may_ask("apply") {
            return;
        }
        let mut draft = self.draft.clone();
        draft.strategy.schedule = self.config().strategy.schedule.clone();
        if let Err(e) = draft.validate() {
            if self.draft.validate().is_ok() {
                self.view.message(
                    true,
                    format!("settings not applied: with the schedule that runs they are invalid ({e}); they need the edited schedule: press Apply schedule first, then Apply"),
                );
                return;
            }
            self.view
                .message(true, format!("settings not applied: {e}"));
            return;
        }
        if !crate::train::Session::keeps_state(self.config(), &draft) && self.unkept_run().is_some()
        {
            self.ask_discard(Discard::Apply(Box::new(draft)));
            return;
        }
        self.send_draft(draft);
    }

    pub(super) fn send_draft(&mut self, draft: RunConfig) {
        self.remembered.last_preset = Some(draft.to_toml_string());
        self.send_change(draft.clone(), Command::ApplyConfig(Box::new(draft)));
    }

    fn probe_gpu(&mut self) {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let ctx = self.ctx.clone();
        std::thread::spawn(move || {
            let result = backend::wgpu()
                .map(|d| d.description)
                .map_err(|e| e.to_string());
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.gpu_probe = Some(rx);
    }

    /// Drain worker events and finished background jobs (no drawing).
    pub fn poll(&mut self) {
        if let Some(rx) = &self.gpu_probe
            && let Ok(result) = rx.try_recv()
        {
            if let Err(e) = &result {
                self.view
                    .message(false, format!("GPU backend unavailable: {e}"));
            }
            self.gpu = Some(result);
            self.gpu_probe = None;
        }
        let events = self.worker.as_ref().map(|w| w.drain()).unwrap_or_default();
        for event in events {
            let reported = matches!(event, Event::Config(_));
            // The lecture locks belong to the window, not to the run: keep the ones in force
            // (a loaded preset brought its own before the worker answered).
            let lecture = self.config().lecture.clone();
            let before = reported.then(|| self.config().clone());
            self.view.apply(event);
            if let Some(before) = before {
                if let Some(c) = &mut self.view.config {
                    c.lecture = lecture;
                }
                if std::mem::take(&mut self.replacing) {
                    // A checkpoint's run: its settings, with no file of its own to save to.
                    self.draft = self.config().clone();
                    self.loaded = self.config().clone();
                    self.remembered.last_preset_path = None;
                    self.expected = None;
                } else {
                    // Edits not yet applied (a schedule waiting for its own Apply, a rate typed
                    // before the ε slider moved) are carried onto what the worker now runs;
                    // what the worker refused or changed falls back.
                    let base = self.expected.take().unwrap_or(before);
                    self.draft = match crate::config::rebase(&base, &self.draft, self.config()) {
                        Ok(draft) => draft,
                        Err(why) => {
                            self.view.message(
                                true,
                                format!("edits not applied yet were dropped: {why}"),
                            );
                            self.config().clone()
                        }
                    };
                }
                self.draft_revision += 1;
            }
        }
        self.drop_stale_apply();
        if self.worker.is_some() && !self.worker_alive() {
            self.view
                .message(true, "the training worker stopped; press “Restart worker”");
            self.worker = None;
        }
        if let Some((is_error, text)) = self.ntk_lab.poll() {
            self.view.message(is_error, text);
        }
        dialogs::poll_pending(self);
    }

    /// Start the NTK lab's sweep for the problem of the run the worker holds.
    pub fn start_ntk_lab(&mut self) {
        let config = self.config().clone();
        self.ntk_lab
            .start(&config, self.cpu.clone(), self.ctx.clone());
    }

    /// Keyboard shortcuts: space play/pause, s step, r reset (not while typing).
    fn shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let (space, s, r) = ctx.input(|i| {
            (
                i.key_pressed(egui::Key::Space),
                i.key_pressed(egui::Key::S),
                i.key_pressed(egui::Key::R),
            )
        });
        if space {
            self.play_pause();
        }
        if s {
            self.send(Command::Step);
        }
        if r {
            self.reset();
        }
    }
}

/// The frame's halves and the window's lifecycle, called by the `eframe::App` impl in
/// `ui::window` (the app holds state and intents; the ui draws and calls in).
impl ExplorerApp {
    /// Before drawing: drain worker events and finished jobs, handle shortcuts, keep repainting
    /// while training.
    pub fn begin_frame(&mut self, ctx: &egui::Context) {
        self.frame_started = Some(Instant::now());
        // ctrl +/−/0 zoom in egui itself; remember where they left it.
        self.remembered.zoom = ctx.zoom_factor();
        self.poll();
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        for file in dropped {
            self.open_dropped(file.path(), || file.bytes());
        }
        self.shortcuts(ctx);
        if self.running() {
            ctx.request_repaint_after(crate::worker::SNAPSHOT_INTERVAL);
        }
    }

    /// After drawing: record the frame time.
    pub fn end_frame(&mut self) {
        if let Some(t) = self.frame_started.take() {
            self.frame_times.push_back(t.elapsed().as_secs_f64());
            while self.frame_times.len() > 120 {
                self.frame_times.pop_front();
            }
        }
    }

    /// Remember the layout and the edited preset (not in headless tests).
    pub fn save_to(&mut self, storage: &mut dyn eframe::Storage) {
        if !self.headless {
            self.remembered.last_preset = Some(self.draft.to_toml_string());
            eframe::set_value(storage, STORAGE_KEY, &self.remembered);
        }
    }

    /// Stop the worker (window closing).
    pub fn shutdown_worker(&mut self) {
        if let Some(w) = self.worker.take() {
            w.shutdown(Duration::from_secs(2));
        }
    }

    /// Whether lecture mode locks `control` (the widget is then shown disabled).
    pub fn locked(&self, control: crate::config::Control) -> bool {
        self.remembered.lecture_mode && self.config().lecture.is_locked(control)
    }

    /// The configuration the worker runs, as it last reported it (with the lecture locks in
    /// force); edits go to [`ExplorerApp::draft`].
    pub fn config(&self) -> &RunConfig {
        self.view
            .config
            .as_ref()
            .expect("the app sets the reported configuration when it starts")
    }
}

/// Add the bundled DejaVu Sans as a fallback font: the labels use Greek letters, sub- and
/// superscripts and math brackets that egui's default font lacks.
pub fn install_fonts(ctx: &egui::Context) {
    use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
    let data = egui::FontData::from_static(include_bytes!("../../assets/DejaVuSans.ttf"));
    ctx.add_font(FontInsert::new(
        "DejaVuSans",
        data,
        vec![
            InsertFontFamily {
                family: egui::FontFamily::Proportional,
                priority: FontPriority::Lowest,
            },
            InsertFontFamily {
                family: egui::FontFamily::Monospace,
                priority: FontPriority::Lowest,
            },
        ],
    ));
}
