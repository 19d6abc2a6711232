//! A training session: one config, its problem, objective, trainer and state, stepped one unit
//! at a time (the GUI worker) or run to the end (the CLI). The session owns the rules every
//! strategy shares: roll back to the last finite θ on divergence, honour the interrupt flag and
//! the step cap, evaluate at a cadence, grow the residual points by resampling when asked, and
//! keep the history.

use std::sync::Arc;

use super::objective::{LossParts, NetPath, Objective, ObjectiveError};
use super::spectral::{DiagnosticsError, SpectralReport, spectral_report};
use super::trainer::{EndReason, StepReport, TrainEvent, TrainState, Trainer};
use crate::backend::ComputeDevice;
use crate::config::{RunConfig, StrategyKind};
use crate::diagnostics::{EvalReport, evaluate};
use crate::problem::Problem;

mod records;
mod step;

pub use records::{HistoryRow, OperatorSweep, Progress, StageRecord, SummaryInputs};
pub use step::{EXPLODED, EXPLOSION_STEPS};

/// θ with the settings it belongs to.
#[derive(Clone, Debug)]
struct Snapshot {
    theta: Vec<f64>,
    eps: f64,
    s: f64,
    stage: usize,
}

/// A run in progress: the engine's façade. Its parts are private; callers (the worker, the
/// CLI, `reproduce`, `bench`, tests) read them through the accessors below and change the run
/// only through its methods (`step`, `run`, `set_eps_target`, `reconfigure`, `checkpoint`,
/// `restore_checkpoint`, `interrupt`, `set_net_path`).
pub struct Session {
    config: RunConfig,
    problem: Arc<dyn Problem>,
    objective: Objective,
    trainer: Box<dyn Trainer>,
    state: TrainState,
    /// Rows every `outputs.history_every` steps, evaluation steps and the last step.
    history: Vec<HistoryRow>,
    /// Every event the trainer reported.
    events: Vec<TrainEvent>,
    /// Every finished stage.
    stages: Vec<StageRecord>,
    /// Spectral snapshots (step, report) at the configured cadence.
    diagnostics: Vec<(usize, SpectralReport)>,
    last_finite: Snapshot,
    /// The PDE loss ([`LossParts::pde`]: residual + boundary, no homotopy term) of the
    /// untrained network: a run whose PDE loss stays above [`EXPLODED`] times it
    /// for [`EXPLOSION_STEPS`] steps has exploded, and goes back to `last_sane`, the last state
    /// below (set when the loss leaves that scale; a brief spike that recovers, as Adam at a
    /// large rate shows, is left alone).
    loss_scale: f64,
    last_sane: Snapshot,
    steps_above: usize,
    end: Option<EndReason>,
    train_secs: f64,
    /// Steps taken by this session (a resumed checkpoint's earlier steps are not counted).
    steps_trained: usize,
}

impl Session {
    /// Whether a run of `old` can take `new` in place, keeping its trained parameters
    /// ([`Self::reconfigure`]): the same problem, network, initialization, backend and seed.
    /// Otherwise applying `new` builds a fresh run.
    pub fn keeps_state(old: &RunConfig, new: &RunConfig) -> bool {
        new.problem == old.problem
            && new.network.hidden == old.network.hidden
            && new.network.activation == old.network.activation
            && new.network.init == old.network.init
            && new.network.train_output_only == old.network.train_output_only
            && new.backend == old.backend
            && new.training.seed == old.training.seed
    }

    /// Build problem, network, objective and trainer from a validated config.
    pub fn new(config: RunConfig, device: &ComputeDevice) -> Self {
        let problem: Arc<dyn Problem> = Arc::from(config.build_problem());
        let net = config.build_network(problem.as_ref());
        let theta = net.init(config.network.init, config.training.seed);
        let objective = Objective::new(
            problem.clone(),
            net.clone(),
            device,
            config.problem.bc_weight,
        );
        let mut objective = objective;
        if config.network.train_output_only {
            objective.freeze_hidden_layers();
        }
        let loss_scale = objective
            .loss(&theta, config.problem.eps)
            .map_or(f64::NAN, |l| l.pde());
        let mut trainer = super::build_trainer(&config, net.n_params());
        let mut state = TrainState {
            theta,
            eps: config.problem.eps,
            s: config.network.hrta_s,
            stage: 0,
            step: 0,
        };
        trainer.start(&mut state, &mut objective);
        let last_finite = Snapshot {
            theta: state.theta.clone(),
            eps: state.eps,
            s: state.s,
            stage: state.stage,
        };
        Self {
            config,
            problem,
            objective,
            trainer,
            state,
            history: Vec::new(),
            events: Vec::new(),
            stages: Vec::new(),
            diagnostics: Vec::new(),
            last_sane: last_finite.clone(),
            last_finite,
            loss_scale,
            steps_above: 0,
            end: None,
            train_secs: 0.0,
            steps_trained: 0,
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            theta: self.state.theta.clone(),
            eps: self.state.eps,
            s: self.state.s,
            stage: self.state.stage,
        }
    }

    fn restore(&mut self, snap: Snapshot) {
        if snap.s != self.state.s {
            let net = self.objective.network().with_activation_s(snap.s);
            self.objective.set_network(net);
        }
        self.state.theta = snap.theta;
        self.state.eps = snap.eps;
        self.state.s = snap.s;
        self.state.stage = snap.stage;
    }

    /// Residual-based resampling (`problem.resample`) when a multiple of its cadence was just
    /// reached: the `add` candidates with the largest |H(u_θ)| join the residual points and the
    /// objective is rebuilt on them (θ and the optimizer's state are kept).
    fn resample_if_due(&mut self) -> Option<TrainEvent> {
        let r = self.config.problem.resample?;
        let added_so_far = self.objective.n_res() - self.config.problem.n_res;
        if !self.state.step.is_multiple_of(r.every) || added_so_far + r.add > r.max_added {
            return None;
        }
        let seed = self.config.training.seed ^ (self.state.step as u64).wrapping_mul(0x9e37_79b9);
        let candidates = self.problem.random_interior_points(r.candidates, seed)?;
        let h = crate::diagnostics::metrics::residual_at(
            self.problem.as_ref(),
            self.objective.network(),
            &self.state.theta,
            &candidates,
            self.state.eps,
            self.objective.cpu_device(),
        );
        // A failed evaluation reads back as NaN everywhere: nothing to rank, keep the points.
        if h.iter().all(|v| v.is_nan()) {
            return None;
        }
        let mut order: Vec<usize> = (0..h.len()).collect();
        order.sort_by(|&a, &b| h[b].abs().total_cmp(&h[a].abs()));
        let d = self.problem.dim();
        let added: Vec<f64> = order[..r.add]
            .iter()
            .flat_map(|&i| candidates[i * d..(i + 1) * d].iter().copied())
            .collect();
        let problem = self.problem.with_residual_points(&added)?;
        self.objective = self.objective.with_problem(problem.clone());
        self.problem = problem;
        Some(TrainEvent::Resampled {
            step: self.state.step,
            added: r.add,
            n_res: self.objective.n_res(),
        })
    }

    /// The configuration the run trains with (its `problem.eps` is the target ε).
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The problem (its residual points grow when resampling is on).
    pub fn problem(&self) -> &Arc<dyn Problem> {
        &self.problem
    }

    /// The objective: loss, gradient, Jacobians and the network shape.
    pub fn objective(&self) -> &Objective {
        &self.objective
    }

    /// θ, ε, s, stage and step count now.
    pub fn state(&self) -> &TrainState {
        &self.state
    }

    /// Rows every `outputs.history_every` steps, evaluation steps and the last step.
    pub fn history(&self) -> &[HistoryRow] {
        &self.history
    }

    /// Every event the trainer reported.
    pub fn events(&self) -> &[TrainEvent] {
        &self.events
    }

    /// Every finished stage with its accuracy.
    pub fn stages(&self) -> &[StageRecord] {
        &self.stages
    }

    /// Spectral snapshots (step, report) taken at the configured cadence.
    pub fn diagnostics(&self) -> &[(usize, SpectralReport)] {
        &self.diagnostics
    }

    /// The strategy the trainer runs (Strategy 2 with α = 0 is the curriculum).
    pub fn strategy(&self) -> StrategyKind {
        self.trainer.kind()
    }

    /// Whether a homotopy is still in its Phase I at ε₀ (settings applied now start Phase I
    /// again from the current parameters: [`Self::reconfigure`]).
    pub fn in_phase_one(&self) -> bool {
        self.trainer.in_phase_one()
    }

    /// What the trainer is doing now, for progress displays.
    pub fn phase(&self) -> String {
        self.trainer.phase()
    }

    /// How far the run is, from 0 to 1, for progress displays: for a homotopy the share of
    /// its stages that are finished (the running one counted as not), else the steps over the
    /// step cap (whichever is further; a run can end before either reaches 1, and is 1 once
    /// ended).
    pub fn fraction_done(&self) -> f64 {
        if self.end.is_some() {
            return 1.0;
        }
        let steps = self.state.step as f64 / self.config.training.max_steps.max(1) as f64;
        let ahead = self.schedule_ahead().len() as f64;
        let done = self.stages.len() as f64;
        // The stage running now is neither done nor ahead.
        let stages = if done + ahead > 0.0 {
            done / (done + ahead + 1.0)
        } else {
            0.0
        };
        steps.max(stages).min(1.0)
    }

    /// The ε values the schedule still plans after the current ε.
    pub fn schedule_ahead(&self) -> Vec<f64> {
        self.trainer.schedule_ahead(self.state.eps)
    }

    /// Move the target ε while training: the trainer re-targets (classical training changes
    /// its loss, Strategy 1 continues its path, Strategy 2 starts a new stage) and the
    /// configuration records the new target.
    pub fn set_eps_target(&mut self, eps: f64) {
        self.config.problem.eps = eps;
        self.trainer.set_eps_target(&mut self.state, eps);
    }

    /// Record which controls lecture mode locks (saved with checkpoints and reported with
    /// the configuration); nothing else changes.
    pub fn set_lecture(&mut self, lecture: crate::config::LectureConfig) {
        self.config.lecture = lecture;
    }

    /// Evaluate the network by another path (fused CPU kernel or burn ops) from now on. θ and
    /// the trainer are kept, but the objective is new: a Strategy-2 homotopy term or a time
    /// window in force is dropped, so call it before the first step (benchmarks time the same
    /// step both ways).
    pub fn set_net_path(&mut self, path: NetPath, device: &ComputeDevice) {
        self.objective = Objective::with_path(
            self.problem.clone(),
            self.objective.network().clone(),
            &device.device,
            self.config.problem.bc_weight,
            path,
        );
    }

    /// One step of the trainer alone: no rollback, history, evaluation or end check (what a
    /// benchmark times). Returns the trainer's report.
    pub fn trainer_step(&mut self) -> Result<StepReport, ObjectiveError> {
        self.trainer.step(&mut self.state, &mut self.objective)
    }

    /// The λ(D_ε) sweep for the λ_max plot; None when the problem defines no D_ε.
    pub fn operator_sweep(&self) -> Option<OperatorSweep> {
        use crate::diagnostics::operator::{geometric_eps, lambda_max_sweep, operator_spectrum};
        let target = self.config.problem.eps;
        let hi = self.config.strategy.eps_start.max(target * 10.0).max(1.0);
        let points: Vec<(f64, f64)> = lambda_max_sweep(
            self.problem.as_ref(),
            &geometric_eps(hi, target.min(1e-3), 41),
        )
        .into_iter()
        .filter_map(|(e, v)| v.map(|v| (e, v)))
        .collect();
        if points.is_empty() {
            return None;
        }
        let eps = self.state.eps;
        let n = self.objective.n_res();
        let u = self.objective.residual_channels(&self.state.theta).ok()?[..n].to_vec();
        let current = self
            .problem
            .discrete_operator(&u, eps)
            .and_then(|op| operator_spectrum(&op).ok())
            .map(|o| (eps, o.reported()));
        Some(OperatorSweep { points, current })
    }

    /// The run's `summary.json` at the current state, from what the caller has already
    /// evaluated there.
    pub fn summary(&self, at: SummaryInputs<'_>) -> super::RunSummary {
        let end_reason = match (self.end, at.running) {
            (Some(e), _) => e.name(),
            (None, true) => "running",
            (None, false) => "paused",
        };
        super::RunSummary {
            name: self.config.name.clone(),
            problem: self.config.problem.kind.id().to_string(),
            trainer: self.trainer.kind(),
            method: self.config.method_label(),
            eps: self.state.eps,
            seed: self.config.training.seed,
            backend: self.config.backend.id().to_string(),
            device: at.device.to_string(),
            model: self.objective.network().label(),
            n_params: self.objective.network().n_params(),
            steps: self.state.step,
            end_reason: end_reason.to_string(),
            end_detail: self.end,
            final_loss: at.final_loss,
            exact_solution: at.exact_solution,
            l2re_exact: at.eval.accuracy.l2re_exact,
            reference_solution: at.reference_solution,
            l2re_reference: at.eval.accuracy.l2re_reference,
            front_x0: at.eval.accuracy.front_x0,
            front_mse: self.problem.front_mse(&at.eval.u),
            wall_secs: at.wall_secs,
            steps_per_s: if self.train_secs > 0.0 {
                self.steps_trained as f64 / self.train_secs
            } else {
                0.0
            },
            stages: self.stages.clone(),
            versions: super::Versions::default(),
        }
    }

    /// A spectral snapshot of the current state.
    pub fn spectral_report(&self) -> Result<SpectralReport, DiagnosticsError> {
        self.spectral_report_at(&self.state.theta, self.state.eps)
            .expect("the session's own θ fits its network")
    }

    /// The spectral snapshot at other parameters θ and path point p of this run (a finished
    /// stage's); None when θ does not fit the network (it was rebuilt since).
    pub fn spectral_report_at(
        &self,
        theta: &[f64],
        p: f64,
    ) -> Option<Result<SpectralReport, DiagnosticsError>> {
        (theta.len() == self.state.theta.len())
            .then(|| spectral_report(&self.objective, theta, p, self.config.diagnostics.rcond))
    }

    /// Why the run ended, once it has.
    pub fn end_reason(&self) -> Option<EndReason> {
        self.end
    }

    /// Seconds spent inside [`Session::step`] so far.
    pub fn train_secs(&self) -> f64 {
        self.train_secs
    }

    /// Evaluate the current θ at the current ε.
    pub fn evaluate(&self) -> EvalReport {
        evaluate(
            self.problem.as_ref(),
            self.objective.network(),
            &self.state.theta,
            self.state.eps,
        )
    }

    /// The loss at the current θ.
    pub fn current_loss(&self) -> Result<LossParts, ObjectiveError> {
        self.objective.loss(&self.state.theta, self.state.eps)
    }

    /// Switch to a new configuration of the same problem and network shape, keeping θ: the
    /// trainer is rebuilt and a finished run becomes runnable again. A homotopy that has trained
    /// past its Phase I continues its path from the current ε with the new settings (no new
    /// Phase I); one in its Phase I given a new ε schedule alone carries on that Phase I as it
    /// stands; otherwise the trainer starts from the current parameters. Returns false when
    /// the change needs a fresh session (different problem, sampling, network or backend).
    /// Callers check [`Self::hrta_refusal`] first.
    pub fn reconfigure(&mut self, config: RunConfig) -> bool {
        if !Self::keeps_state(&self.config, &config) {
            return false;
        }
        let theta = self.state.theta.clone();
        let step = self.state.step;
        let eps = self.state.eps;
        // The last finished stage's number: a path that goes on counts on from it (a Strategy
        // 2 stage cut short by a pause is begun again as the next one, not skipped).
        let stage = self.stages.last().map_or(0, |r| r.stage);
        // A homotopy that has trained continues its path; from classical training (already at
        // ε*) a newly picked homotopy starts with its Phase I at ε₀ from the trained weights, and
        // one still in its Phase I starts that again with the new settings (resuming would skip
        // what is left of it and step off ε₀ at once), unless only the schedule changed.
        let continues = step > 0
            && self.config.strategy.kind.is_homotopy()
            && config.strategy.kind.is_homotopy()
            && !self.trainer.in_phase_one();
        // Only the ε schedule changed during a Phase I under way: it goes on where it stands
        // (the schedule takes over after it), its optimizer state and progress kept. Not for a
        // run that ended in Phase I (diverged, capped): Start then begins Phase I afresh.
        let schedule_only = self.trainer.in_phase_one()
            && self.end.is_none()
            && self.config.keeps_phase_one(&config);
        // HRTA on a network that has trained goes on from its current s (the function it has
        // learned), never back to the schedule's start ([`super::hrta::mid_run_schedule`]).
        let mut trainer_config = config.clone();
        let mut s = config.network.hrta_s;
        if config.hrta.enabled
            && step > 0
            && let Ok(values) =
                super::hrta::mid_run_schedule(&config.hrta.s_schedule(), self.state.s, false)
        {
            s = self.state.s;
            trainer_config.hrta.s_values = values;
        }
        self.config = config;
        let net = self.config.build_network(self.problem.as_ref());
        self.objective.set_network(net.clone());
        self.objective.set_homotopy(None);
        self.objective.set_time_step(None);
        let old = std::mem::replace(
            &mut self.trainer,
            super::build_trainer(&trainer_config, net.n_params()),
        );
        let phase_one = schedule_only.then(|| old.into_phase_one()).flatten();
        self.state = TrainState {
            theta,
            eps: if self.config.strategy.kind.is_homotopy() {
                eps
            } else {
                self.config.problem.eps
            },
            s,
            // A path that goes on numbers its next stages after the ones it has finished (the
            // stage table and the timeline number rows in order); a Phase I started again is
            // stage 0.
            stage: if continues { stage } else { 0 },
            step,
        };
        if continues {
            self.trainer.resume(&mut self.state, &mut self.objective);
        } else {
            self.trainer.start(&mut self.state, &mut self.objective);
            if let Some(p) = phase_one {
                self.trainer.adopt_phase_one(p);
            }
        }
        self.last_finite = self.snapshot();
        self.last_sane = self.last_finite.clone();
        self.steps_above = 0;
        self.end = None;
        true
    }

    /// Why `config` may not be applied to this run as it stands: HRTA turned on after training
    /// with s values below the network's current s ([`super::hrta::mid_run_schedule`]).
    pub fn hrta_refusal(&self, config: &RunConfig) -> Option<String> {
        (config.hrta.enabled && !self.config.hrta.enabled && self.state.step > 0)
            .then(|| {
                super::hrta::mid_run_schedule(&config.hrta.s_schedule(), self.state.s, true).err()
            })
            .flatten()
    }

    /// The trained state as a checkpoint.
    pub fn checkpoint(&self) -> super::Checkpoint {
        super::Checkpoint {
            format: super::Checkpoint::FORMAT.into(),
            config: self.config.clone(),
            theta: self.state.theta.clone(),
            eps: self.state.eps,
            s: self.state.s,
            step: self.state.step,
        }
    }

    /// A session resumed from a checkpoint on `device`, or why it cannot be: an invalid
    /// configuration, or θ of another length than the network's. Nothing else is touched, so
    /// a failed load leaves the caller's run as it was.
    pub fn from_checkpoint(cp: super::Checkpoint, device: &ComputeDevice) -> Result<Self, String> {
        if cp.format != super::Checkpoint::FORMAT {
            return Err(format!(
                "unknown checkpoint format `{}` (expected `{}`)",
                cp.format,
                super::Checkpoint::FORMAT
            ));
        }
        cp.config
            .validate()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        let mut session = Self::new(cp.config, device);
        let n = session.objective.network().n_params();
        if cp.theta.len() != n {
            return Err(format!(
                "{} parameters, the network has {n}",
                cp.theta.len()
            ));
        }
        session.restore_parameters(cp.theta, cp.eps, cp.s, cp.step);
        Ok(session)
    }

    /// Resume from saved parameters at a given ε and s (checkpoint load).
    pub fn restore_parameters(&mut self, theta: Vec<f64>, eps: f64, s: f64, step: usize) {
        let net = self.objective.network().with_activation_s(s);
        self.objective.set_network(net);
        self.state.theta = theta;
        self.state.eps = eps;
        self.state.s = s;
        self.state.step = step;
        self.last_finite = self.snapshot();
        self.last_sane = self.last_finite.clone();
        self.steps_above = 0;
        self.end = None;
    }

    /// Stop the run now (the UI's pause-and-end or Ctrl-C).
    pub fn interrupt(&mut self) {
        if self.end.is_none() {
            self.end = Some(EndReason::Interrupted);
        }
    }
}

/// The unit tests' small session: `kind` at `eps` on `n_res` grid points with hidden layers
/// `hidden` (a TOML list), everything else the defaults, on the CPU.
#[cfg(test)]
pub(crate) fn small_grid_session(kind: &str, eps: f64, n_res: usize, hidden: &str) -> Session {
    let config = RunConfig::from_toml_str(&format!(
        "version = 1\n[problem]\nkind = \"{kind}\"\neps = {eps}\nn_res = {n_res}\n\
         sampling = \"grid\"\n[network]\nhidden = {hidden}\n"
    ))
    .unwrap();
    Session::new(config, &crate::backend::cpu().unwrap())
}
