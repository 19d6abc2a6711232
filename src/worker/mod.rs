//! The training worker: a thread that owns the [`Session`] (network, optimizer, trainer),
//! obeys [`Command`]s and reports [`Event`]s over a bounded channel. Snapshots are coalesced to
//! at most ~30 per second (their history deltas merged), the UI is woken through a callback,
//! and a panic inside training is caught and reported instead of taking the app down.

mod commands;
pub mod history;
mod operator_input;
pub mod protocol;

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, TrySendError};

pub use protocol::{Checkpoint, Command, Event, HistoryPoint, OperatorInput, Snapshot};

use crate::backend::{self, ComputeDevice};
use crate::config::RunConfig;
use crate::diagnostics::Accuracy;
use crate::diagnostics::metrics::residual_at;
use crate::problem::plot_coordinates;
use crate::train::{LossParts, Session, StageRecord, SummaryInputs, TrainEvent};

/// Minimum time between two snapshots.
pub const SNAPSHOT_INTERVAL: Duration = Duration::from_millis(33);
/// Capacity of the worker → UI channel.
pub const EVENT_CAPACITY: usize = 64;

/// Called by the worker after it sent events (the UI's repaint request).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The UI's handle on a running worker.
pub struct WorkerHandle {
    commands: Sender<Command>,
    events: Receiver<Event>,
    join: Option<JoinHandle<()>>,
}

impl WorkerHandle {
    /// Start a worker for `config` on `device`.
    pub fn spawn(config: RunConfig, device: ComputeDevice, waker: Waker) -> Self {
        let (cmd_tx, cmd_rx) = crossbeam_channel::unbounded();
        let (ev_tx, ev_rx) = crossbeam_channel::bounded(EVENT_CAPACITY);
        let join = std::thread::Builder::new()
            .name("training-worker".into())
            .spawn(move || {
                let panic_tx = ev_tx.clone();
                let waker_on_panic = waker.clone();
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    Worker::new(config, device, ev_tx, waker).run(cmd_rx)
                }));
                if let Err(payload) = result {
                    let _ = panic_tx.send_timeout(
                        Event::Panicked(backend::panic_message(&payload)),
                        Duration::from_secs(1),
                    );
                    waker_on_panic();
                }
            })
            .expect("spawning a thread");
        Self {
            commands: cmd_tx,
            events: ev_rx,
            join: Some(join),
        }
    }

    /// Send a command; false when the worker is gone.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }

    /// Every event waiting now (never blocks).
    pub fn drain(&self) -> Vec<Event> {
        self.events.try_iter().collect()
    }

    /// Whether the thread is still running.
    pub fn is_alive(&self) -> bool {
        self.join.as_ref().is_some_and(|j| !j.is_finished())
    }

    /// Ask the worker to stop and wait for it (at most `timeout`).
    pub fn shutdown(mut self, timeout: Duration) {
        let _ = self.commands.send(Command::Shutdown);
        let deadline = Instant::now() + timeout;
        while self.is_alive() && Instant::now() < deadline {
            // Keep the bounded channel moving so the worker is never blocked on it.
            let _ = self.events.try_iter().count();
            std::thread::sleep(Duration::from_millis(5));
        }
        if let Some(j) = self.join.take()
            && j.is_finished()
        {
            let _ = j.join();
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
    }
}

struct Worker {
    session: Session,
    device: ComputeDevice,
    events: Sender<Event>,
    waker: Waker,
    outbox: VecDeque<Event>,
    running: bool,
    pending_history: Vec<HistoryPoint>,
    /// Stages finished since the last snapshot (they travel inside it).
    pending_stages: Vec<StageRecord>,
    last_snapshot: Instant,
    steps_at_snapshot: usize,
    dirty: bool,
    /// The loss of the last snapshot (snapshots between steps repeat it); None after a new run
    /// starts, until the first snapshot evaluates it.
    last_loss: Option<LossParts>,
    /// The operator problem's shown input (refreshed with every snapshot) and the draws so far.
    probe: Option<operator_input::InputProbe>,
    draws: u64,
}

impl Worker {
    fn new(config: RunConfig, device: ComputeDevice, events: Sender<Event>, waker: Waker) -> Self {
        let session = Session::new(config, &device);
        let mut w = Self {
            session,
            device,
            events,
            waker,
            outbox: VecDeque::new(),
            running: false,
            pending_history: Vec::new(),
            pending_stages: Vec::new(),
            last_snapshot: Instant::now(),
            steps_at_snapshot: 0,
            dirty: true,
            last_loss: None,
            probe: None,
            draws: 0,
        };
        w.outbox
            .push_back(Event::Config(Box::new(w.session.config().clone())));
        w
    }

    fn run(mut self, commands: Receiver<Command>) {
        loop {
            let command = if self.running {
                match commands.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => return,
                }
            } else {
                match commands.recv_timeout(Duration::from_millis(30)) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            };
            if let Some(c) = command {
                if matches!(c, Command::Shutdown) {
                    return;
                }
                self.handle(c);
            }
            if self.running {
                self.step();
            }
            let due = self.last_snapshot.elapsed() >= SNAPSHOT_INTERVAL;
            if self.dirty && (due || !self.running) {
                self.snapshot();
            }
            self.flush();
        }
    }

    fn push(&mut self, event: Event) {
        // A newer answer for the shown input replaces a queued one.
        if matches!(event, Event::OperatorInput(_)) {
            self.outbox
                .retain(|e| !matches!(e, Event::OperatorInput(_)));
        }
        // Coalesce snapshots: a newer one replaces a queued one, keeping its history and stage
        // deltas.
        if let Event::Snapshot(new) = &event
            && let Some(pos) = self
                .outbox
                .iter()
                .rposition(|e| matches!(e, Event::Snapshot(_)))
            && let Some(Event::Snapshot(old)) = self.outbox.remove(pos)
        {
            let mut merged = new.clone();
            let mut history = old.history;
            history.append(&mut merged.history);
            merged.history = history;
            let mut stages = old.stages;
            stages.append(&mut merged.stages);
            merged.stages = stages;
            self.outbox.push_back(Event::Snapshot(merged));
            return;
        }
        self.outbox.push_back(event);
    }

    fn flush(&mut self) {
        let mut sent = false;
        while let Some(event) = self.outbox.pop_front() {
            match self.events.try_send(event) {
                Ok(()) => sent = true,
                Err(TrySendError::Full(event)) => {
                    self.outbox.push_front(event);
                    break;
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.outbox.clear();
                    break;
                }
            }
        }
        if sent {
            (self.waker)();
        }
    }

    fn error(&mut self, message: String) {
        self.push(Event::Error(message));
    }

    /// Answer the shown input at the current parameters; one that cannot be answered is
    /// dropped with the reason.
    fn answer_probe(&mut self) {
        let Some(probe) = self.probe.as_mut() else {
            return;
        };
        match probe.evaluate(&self.session) {
            Ok(answer) => self.push(Event::OperatorInput(Box::new(answer))),
            Err(e) => {
                self.probe = None;
                self.error(format!("the shown input cannot be answered: {e}"));
            }
        }
    }

    fn step(&mut self) {
        match self.session.step() {
            Ok(Some(p)) => {
                self.dirty = true;
                let eval = p.eval.as_ref();
                self.pending_history.push(HistoryPoint {
                    step: p.report.step,
                    eps: p.report.eps,
                    s: p.report.s,
                    loss: p.report.loss,
                    accuracy: Accuracy::of(eval),
                    theta_norm: crate::linalg::norm(&self.session.state().theta),
                });
                for e in p.events {
                    self.push(Event::Marker(e));
                }
                let mut stages = p.stages;
                for stage in &mut stages {
                    stage.residual = self.residual_now(stage.eps);
                }
                self.pending_stages.extend(stages);
                let diagnosed = p.diagnostics.is_some();
                if let Some(report) = p.diagnostics {
                    let residual_x = self.residual_x();
                    self.push(Event::Diagnostics {
                        step: p.report.step,
                        report: Box::new(report),
                        residual_x,
                    });
                }
                if let Some(end) = p.end {
                    self.running = false;
                    // The spectrum plots should describe the final state, not the last cadence
                    // point before it.
                    if !diagnosed && crate::train::spectral::offered(self.session.objective()) {
                        self.diagnose_now();
                    }
                    // The session evaluates a step that ends the run: its accuracy is the
                    // final state's.
                    let accuracy = match &p.eval {
                        Some(e) => e.accuracy,
                        None => self.session.evaluate().accuracy,
                    };
                    self.push(Event::Ended(end, accuracy));
                }
            }
            Ok(None) => self.running = false,
            Err(e) => {
                self.running = false;
                self.error(format!("training step failed: {e}"));
            }
        }
    }

    /// Compute the spectral report for the current state and send it.
    fn diagnose_now(&mut self) {
        match self.session.spectral_report() {
            Ok(report) => {
                let residual_x = self.residual_x();
                self.push(Event::Diagnostics {
                    step: self.session.state().step,
                    report: Box::new(report),
                    residual_x,
                });
            }
            Err(e) => self.error(format!("diagnostics failed: {e}")),
        }
    }

    /// H(u_θ, p) at the residual points for the current θ (a finished stage's frame, or the
    /// snapshot's live residual).
    fn residual_now(&self, p: f64) -> Vec<f64> {
        let session = &self.session;
        let problem = session.problem().as_ref();
        residual_at(
            problem,
            session.objective().network(),
            &session.state().theta,
            problem.residual_points(),
            p,
            &self.device.device,
        )
    }

    fn residual_x(&self) -> Vec<f64> {
        let problem = self.session.problem().as_ref();
        plot_coordinates(problem, problem.residual_points())
    }

    fn snapshot(&mut self) {
        let session = &self.session;
        let problem = session.problem().clone();
        let eps = session.state().eps;
        let eval = session.evaluate();
        // The evaluation just solved (or found cached) the reference at this ε for its L2RE, so
        // every snapshot carries it: the curve never drops out while ε moves.
        let (reference_label, reference) =
            problem.reference(eps).map(|r| (r.label, r.values)).unzip();
        let exact = problem.exact(eps);
        // While training, the last step's loss (taken before that step's update); paused,
        // ended or before any step, the loss at the current parameters, as `run` reports it.
        let stepped = self
            .pending_history
            .last()
            .map(|h| h.loss)
            .or(self.last_loss);
        let loss = match stepped {
            Some(l) if self.running => l,
            _ => session
                .current_loss()
                .ok()
                .or(stepped)
                .unwrap_or(LossParts::NAN),
        };
        self.last_loss = Some(loss);
        let summary = session.summary(SummaryInputs {
            device: &self.device.description,
            wall_secs: session.train_secs(),
            final_loss: loss,
            eval: &eval,
            running: self.running,
            exact_solution: exact.as_ref().map(|e| e.label.clone()),
            reference_solution: reference_label,
        });
        let residual = self.residual_now(eps);
        let elapsed = self.last_snapshot.elapsed().as_secs_f64();
        let steps = session.state().step.saturating_sub(self.steps_at_snapshot);
        let snapshot = Snapshot {
            step: session.state().step,
            eps,
            eps_target: session.config().problem.eps,
            s: session.state().s,
            stage: session.state().stage,
            phase: session.phase(),
            in_phase_one: session.in_phase_one(),
            running: self.running,
            loss,
            accuracy: eval.accuracy,
            plot_x: plot_coordinates(problem.as_ref(), problem.eval_points()),
            plot_label: problem.plot_label(),
            dim: problem.dim(),
            grid: problem.eval_grid(),
            residual_grid: problem.residual_grid(),
            u: eval.u,
            exact: exact.map(|e| e.values),
            reference,
            residual_x: self.residual_x(),
            residual,
            history: std::mem::take(&mut self.pending_history),
            stages: std::mem::take(&mut self.pending_stages),
            steps_per_s: if elapsed > 0.0 {
                steps as f64 / elapsed
            } else {
                0.0
            },
            schedule_ahead: session.schedule_ahead(),
            summary: Box::new(summary),
        };
        self.last_snapshot = Instant::now();
        self.steps_at_snapshot = self.session.state().step;
        self.dirty = false;
        self.push(Event::Snapshot(Box::new(snapshot)));
        self.answer_probe();
    }

    fn apply_config(&mut self, config: RunConfig) {
        if let Err(e) = config.validate() {
            self.error(format!("configuration rejected: {e}"));
            return;
        }
        if let Some(why) = self.session.hrta_refusal(&config) {
            self.error(why);
            // The app's draft and view go back to the configuration that runs.
            self.push(Event::Config(Box::new(self.session.config().clone())));
            return;
        }
        if !self.session.reconfigure(config.clone()) {
            self.rebuild(config);
        }
        self.dirty = true;
        self.push(Event::Config(Box::new(self.session.config().clone())));
    }

    /// The device `config` asks for, or the current one (with a message, and `config` moved
    /// onto it) when that one is unavailable.
    fn device_for(&mut self, config: &mut RunConfig) -> ComputeDevice {
        if config.backend == self.device.kind {
            return self.device.clone();
        }
        match backend::device_for(config.backend) {
            Ok(d) => d,
            Err(e) => {
                self.error(format!("{e}; staying on {}", self.device.description));
                config.backend = self.device.kind;
                self.device.clone()
            }
        }
    }

    fn rebuild(&mut self, mut config: RunConfig) {
        self.device = self.device_for(&mut config);
        self.replace_session(Session::new(config, &self.device));
    }

    /// Resume a checkpoint; a file that cannot be read or does not fit leaves the run as it
    /// is and says why.
    fn load_checkpoint(&mut self, path: &Path) {
        let mut cp = match load_checkpoint(path) {
            Ok(cp) => cp,
            Err(e) => return self.error(format!("{e:#}")),
        };
        let (step, eps) = (cp.step, cp.eps);
        let device = self.device_for(&mut cp.config);
        match Session::from_checkpoint(cp, &device) {
            Ok(session) => {
                self.device = device;
                self.replace_session(session);
                self.dirty = true;
                self.push(Event::Config(Box::new(self.session.config().clone())));
                self.push(Event::Checkpoint(format!(
                    "loaded checkpoint {} (step {step}, ε = {eps})",
                    path.display()
                )));
            }
            Err(e) => self.error(format!(
                "{}: {e}; the current run is unchanged",
                path.display()
            )),
        }
    }

    /// A new run in place of the current one: pending history and stages, the reference
    /// throttle and queued snapshots belong to the old run.
    fn replace_session(&mut self, session: Session) {
        self.session = session;
        // The old run's matrices, kept by the allocator for reuse, go back to the system.
        crate::pool::release_freed_memory();
        self.running = false;
        self.pending_history.clear();
        self.pending_stages.clear();
        self.steps_at_snapshot = 0;
        self.last_loss = None;
        // The shown input stays across a reset of the same operator problem, not onto another.
        let sensors = self
            .session
            .problem()
            .operator_points(crate::problem::PointRole::Eval)
            .map(|op| op.sensors);
        if self.probe.as_ref().map(|p| Some(p.sensors())) != Some(sensors) {
            self.probe = None;
        }
        // Queued snapshots belong to the old run.
        self.outbox.retain(|e| !matches!(e, Event::Snapshot(_)));
        self.push(Event::RunReset);
    }
}

/// Write a checkpoint as JSON (atomically).
pub fn save_checkpoint(path: &Path, cp: &Checkpoint) -> anyhow::Result<()> {
    let text = serde_json::to_string(cp)?;
    crate::export::write_atomic(path, text.as_bytes())
}

/// Read a checkpoint, checking its format tag.
pub fn load_checkpoint(path: &Path) -> anyhow::Result<Checkpoint> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read checkpoint {}", path.display()))?;
    let cp: Checkpoint = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a checkpoint", path.display()))?;
    if cp.format != Checkpoint::FORMAT {
        anyhow::bail!(
            "{}: unknown checkpoint format `{}`",
            path.display(),
            cp.format
        );
    }
    Ok(cp)
}

/// Markers worth drawing as vertical lines (ε or s changes), as (step, label).
pub fn marker_line(event: &TrainEvent) -> Option<(usize, String)> {
    match event {
        TrainEvent::EpsChanged { step, to, .. } => Some((*step, format!("ε={to:.3}"))),
        TrainEvent::SChanged { step, to, .. } => Some((*step, format!("s={to}"))),
        TrainEvent::Phase { step, name } => Some((*step, name.clone())),
        TrainEvent::Resampled { step, n_res, .. } => Some((*step, format!("n={n_res}"))),
        // One line per unit of time, not per window (a march has hundreds of windows).
        TrainEvent::WindowFinished { step, time, dt, .. }
            if (time + 1e-9).floor() > (time - dt + 1e-9).floor() =>
        {
            Some((*step, format!("t={:.0}", time.round())))
        }
        _ => None,
    }
}
