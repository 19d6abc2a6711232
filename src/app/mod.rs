//! The explorer's state and intents: owns the worker handle, the [`RunView`] the plots read, the
//! edited configuration and the remembered state, and drains worker events and finished
//! background jobs each frame. It draws nothing and imports nothing from `ui`; the panels under
//! `src/ui/` read this state and call its intents, and `ui::window` is the `eframe::App`.

pub mod dialogs;
pub mod discard;
pub mod export;
pub mod figures;
pub mod intents;
mod loading;
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
    /// The run was training when [`Self::pending_discard`] opened and was paused for it: a
    /// Cancel resumes it (the question names the step it would lose, which must hold still).
    resume_on_cancel: bool,
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
            // Absolute, so the status line's "wrote …" says where it is whatever the folder
            // the explorer was started from.
            export_root: std::env::current_dir()
                .map(|d| d.join(export::EXPORT_ROOT))
                .unwrap_or_else(|_| PathBuf::from(export::EXPORT_ROOT)),
            ctx,
            frame_times: Default::default(),
            on_screen: (figures::PlotKind::ALL.to_vec(), 2),
            pending_apply: None,
            pending_discard: None,
            resume_on_cancel: false,
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
            if self.view.end_far.is_some() && state::homotopy_would_help(self.config()) {
                self.view.message(
                    true,
                    format!(
                        "the run stopped at its step cap ({cap} steps) far from the solution. {}",
                        state::HOMOTOPY_ADVICE
                    ),
                );
                return;
            }
            self.view.message_pointing(
                true,
                format!(
                    "the run stopped at its step cap ({cap} steps): raise the step cap (Optimizer → step cap) and Apply to train on, or Reset"
                ),
                state::Reveal::StepCap,
            );
        } else {
            self.send(Command::Play);
        }
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
            let before = matches!(event, Event::Config(_)).then(|| self.config().clone());
            self.view.apply(event);
            if let Some(before) = before {
                self.take_reported_config(before);
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
        // Not behind an open question either: it holds the run still until answered.
        if ctx.egui_wants_keyboard_input() || self.open_question().is_some() {
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
