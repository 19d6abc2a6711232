//! The method × ε table shared by most reproductions (ac2, hf, bu, hh, cd, pm, pm2, hk): every
//! method's preset is run for each seed — a classical preset afresh at each table ε, a homotopy
//! preset once with its schedule passing through the table ε — on up to `--jobs` threads, and
//! loss, L2RE, front and end reason are measured for the table beside the paper's numbers. A
//! spec may add the largest eigenvalue of D_ε along ε (paper Fig. 4/15) and of the Gauss–Newton
//! Hessian JᵀJ at each table ε along one method (the ISGD paper's stiffness measure). The page
//! itself (markdown, CSV, JSON, figures) is [`super::sweep_page`]'s.

use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::cells::{self, Step};
pub use super::row::{Row, fmt_eps};
use super::row::{end_text, measure};
use super::{ReproduceOptions, with_waypoints};
use crate::backend::{self, ComputeDevice};
use crate::config::RunConfig;
use crate::diagnostics::evaluate;
use crate::diagnostics::operator::{geometric_eps, lambda_max_sweep};
use crate::linalg::{gram, lambda_max_power};
use crate::problem::plot_coordinates;
use crate::train::Session;

/// One method of a table: a shipped preset.
#[derive(Clone, Copy, Debug)]
pub struct Method {
    pub name: &'static str,
    pub file: &'static str,
    pub builtin: &'static str,
}

/// A number the paper reports for (method, ε).
#[derive(Clone, Copy, Debug)]
pub struct PaperValue {
    /// The paper's method this is compared with (one of the spec's method names).
    pub method: &'static str,
    pub eps: f64,
    pub loss: Option<f64>,
    pub l2re: Option<f64>,
}

/// A method × ε reproduction: what it runs and prints, and what `--full` changes.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub id: &'static str,
    pub title: &'static str,
    /// Markdown paragraph: setup, what the paper's numbers measure, deviations.
    pub intro: &'static str,
    pub methods: &'static [Method],
    /// ε values of the table, largest first.
    pub table_eps: &'static [f64],
    pub paper: &'static [PaperValue],
    /// λ(D_ε) along ε from `.0` down to `.1` (problems with a D_ε).
    pub operator_sweep: Option<(f64, f64)>,
    /// λ_max(JᵀJ) at each table ε along this (homotopy) method.
    pub stiffness_along: Option<&'static str>,
    /// Print ε as 1/k (the paper's style for frequencies).
    pub fractions: bool,
    /// The method whose seed-0 solution at the smallest ε gets an account of what its error
    /// is made of ([`super::interfaces`]: 2D interfaces on the axes).
    pub interface_account: Option<&'static str>,
    /// The homotopy methods run again at half the smallest table ε with twice the points
    /// ([`super::below`]).
    pub below: &'static [&'static str],
    /// The full Hessian's spectrum beside JᵀJ's at the end of every method at every table ε
    /// (seed 0; the ISGD paper's Fig. 1, [`super::hessian`]), with the paper's λ_max at each
    /// ε it states.
    pub hessian: Option<&'static [(f64, f64)]>,
    /// What `--full` changes ([`super::full`]).
    pub full_note: &'static str,
    /// The papers' sizes applied to one method's preset under `--full`.
    pub scale_full: fn(&mut RunConfig),
}

impl Spec {
    /// A table with no operator sweep, no stiffness column, ε printed as decimals and nothing
    /// changed by `--full`: the start the specs change with `..`.
    pub const BASE: Spec = Spec {
        id: "",
        title: "",
        intro: "",
        methods: &[],
        table_eps: &[],
        paper: &[],
        operator_sweep: None,
        stiffness_along: None,
        fractions: false,
        interface_account: None,
        below: &[],
        hessian: None,
        full_note: "",
        scale_full: |_| {},
    };
}

/// One λ_max(JᵀJ) entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StiffnessRow {
    pub eps: f64,
    pub seed: u64,
    pub lambda_max_gn: f64,
}

/// Everything a sweep measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub id: String,
    pub rows: Vec<Row>,
    pub operator: Vec<(f64, f64)>,
    pub stiffness: Vec<StiffnessRow>,
    /// The runs at half the smallest table ε with twice the points.
    pub below: Vec<super::below::BelowRow>,
    /// The runs' seconds added up, wherever and however many at a time they ran.
    pub seconds: f64,
}

impl Report {
    /// The L2RE of every seed of `method` at `eps` that has one.
    pub fn l2re_of(&self, method: &str, eps: f64) -> Vec<f64> {
        self.rows
            .iter()
            .filter(|r| r.method == method && r.eps == eps)
            .filter_map(|r| r.l2re)
            .collect()
    }
}

/// λ_max(JᵀJ) of the weighted least-squares system at θ (= λ_max(JJᵀ)).
fn gauss_newton_lambda_max(session: &Session, theta: &[f64], eps: f64) -> Result<f64> {
    let lin = session.objective().linearize(theta, eps)?;
    let (a, _) = lin.weighted_system();
    Ok(lambda_max_power(&gram(&a), 100))
}

/// u_θ at the evaluation points.
fn values(session: &Session, theta: &[f64], eps: f64) -> Vec<f64> {
    evaluate(
        session.problem().as_ref(),
        session.objective().network(),
        theta,
        eps,
    )
    .u
}

/// Solution curve (x, u) of θ at ε.
pub(crate) fn curve(session: &Session, theta: &[f64], eps: f64) -> Vec<(f64, f64)> {
    let problem = session.problem().as_ref();
    plot_coordinates(problem, problem.eval_points())
        .into_iter()
        .zip(values(session, theta, eps))
        .collect()
}

/// u_θ at a few ε along one homotopy run (seed 0) and the reference at the last: the page's
/// evolution figure of that method ([`crate::export::figure::evolution`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PathCurves {
    pub method: String,
    /// (ε, u_θ at the evaluation points) at up to six stages evenly spaced along the path.
    pub frames: Vec<(f64, Vec<f64>)>,
    pub reference: Option<(f64, Vec<f64>)>,
    /// The preset's problem, to name path points ("ε = 0.05", or "s = 0.7" on an s-homotopy).
    pub problem: crate::config::ProblemConfig,
}

impl PathCurves {
    /// The curves of `stages` (finished stages with their u_θ) of `method`; None without two.
    pub fn of(
        method: &str,
        problem: &crate::config::ProblemConfig,
        stages: Vec<crate::train::StageRecord>,
    ) -> Option<Self> {
        let with: Vec<crate::train::StageRecord> =
            stages.into_iter().filter(|s| !s.u.is_empty()).collect();
        if with.len() < 2 {
            return None;
        }
        let index: Vec<usize> = (0..with.len()).collect();
        let chosen = crate::export::figure::evolution::spaced(
            &index,
            crate::export::figure::evolution::CURVES,
        );
        let last = &with[*chosen.last()?];
        Some(Self {
            method: method.into(),
            problem: problem.clone(),
            reference: last.reference.clone().map(|r| (last.eps, r)),
            frames: chosen
                .iter()
                .map(|&k| (with[k].eps, with[k].u.clone()))
                .collect(),
        })
    }

    /// The evolution figure on `problem`'s evaluation points.
    pub fn figure(&self, problem: &dyn crate::problem::Problem) -> crate::export::figure::Figure {
        let frames: Vec<(f64, &[f64])> = self
            .frames
            .iter()
            .map(|(e, u)| (*e, u.as_slice()))
            .collect();
        crate::export::figure::evolution::figure(
            &format!(
                "{} along the path (seed 0)",
                super::method_label(&self.method)
            ),
            &plot_coordinates(problem, problem.eval_points()),
            problem.plot_label(),
            problem.eval_grid(),
            &frames,
            self.reference.as_ref().map(|(e, r)| (*e, r.as_slice())),
            &|p| self.problem.path_point(p),
        )
    }
}

/// Run a homotopy preset through the table ε; rows at each table ε it passes, θ there, and
/// every finished stage (with u_θ) for the evolution figure.
#[allow(clippy::type_complexity)]
fn run_homotopy(
    spec: &Spec,
    method: &str,
    mut config: RunConfig,
    seed: u64,
    device: &ComputeDevice,
) -> Result<(
    Vec<Row>,
    Vec<(f64, Vec<f64>)>,
    Session,
    Vec<crate::train::StageRecord>,
)> {
    let started = Instant::now();
    config.training.seed = seed;
    with_waypoints(&mut config, spec.table_eps);
    config.validate().context("schedule with table waypoints")?;
    let mut session = Session::new(config, device);
    let mut rows = Vec::new();
    let mut thetas = Vec::new();
    let mut stages = Vec::new();
    let start = session.state().eps;
    while let Some(p) = session.step()? {
        super::progress::report(&session);
        stages.extend(p.stages.iter().cloned());
        for stage in &p.stages {
            if spec.table_eps.contains(&stage.eps) && !rows.iter().any(|r: &Row| r.eps == stage.eps)
            {
                let theta = session.state().theta.clone();
                rows.push(measure(
                    method, seed, stage.eps, &session, &theta, &started,
                )?);
                thetas.push((stage.eps, theta));
            }
        }
        if p.end.is_some() {
            break;
        }
    }
    // Table ε the run did not reach (cap, divergence) are reported where it stopped; the end
    // column says why.
    let theta = session.state().theta.clone();
    for &eps in spec.table_eps {
        if let Some(r) = rows.iter_mut().find(|r| r.eps == eps) {
            r.end = session
                .end_reason()
                .map_or("running".into(), |e| end_text(&e));
        } else if eps <= start {
            let mut r = measure(method, seed, eps, &session, &theta, &started)?;
            r.end = format!("{} before ε = {eps}", r.end);
            rows.push(r);
        }
    }
    rows.sort_by(|a, b| b.eps.total_cmp(&a.eps));
    Ok((rows, thetas, session, stages))
}

/// The loss over one run's steps (seed 0): a classical run at one ε, or a homotopy's whole
/// path (`eps` None) — the papers' training-curve figures (homotopy paper Figs. 2 and 14).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainingCurve {
    pub method: String,
    pub eps: Option<f64>,
    /// (step, L_H + λL_bc (+ αL_Hε on a Strategy-2 path)) as the history kept it.
    pub loss: Vec<(f64, f64)>,
}

impl TrainingCurve {
    pub(super) fn of(method: &str, eps: Option<f64>, session: &Session) -> Self {
        Self {
            method: method.into(),
            eps,
            loss: session
                .history()
                .iter()
                .map(|h| (h.step as f64, h.loss))
                .collect(),
        }
    }
}

/// What one independent run of a page contributes (stored as a cell, [`cells`]).
#[derive(Serialize, Deserialize)]
struct CellOut {
    /// Seed 0's loss over the steps (absent in cells stored before it was recorded).
    #[serde(default)]
    curve: Option<TrainingCurve>,
    rows: Vec<Row>,
    stiffness: Vec<StiffnessRow>,
    /// u_θ at the smallest ε (seed 0 only), for the solution figures.
    solution: Option<(String, Vec<f64>)>,
    /// u_θ along the path (homotopy, seed 0 only), for the evolution figure.
    evolution: Option<PathCurves>,
    /// The run at half the smallest table ε with twice the points.
    #[serde(default)]
    below: Option<super::below::BelowRow>,
    /// The Hessian's spectrum at each table ε the run measured (seed 0, where the spec asks).
    #[serde(default)]
    hessian: Vec<super::hessian::HessianSpectrum>,
    seconds: f64,
}

/// What one cell of a page runs.
#[derive(Clone, Copy, Debug)]
enum Cell {
    /// A homotopy preset through every table ε.
    Path,
    /// Classical training at one table ε.
    At(f64),
    /// A homotopy preset at half the smallest table ε with twice the points.
    Below,
    /// The same with its list continued by its last ratio.
    BelowContinued,
}

/// One run of a page: a homotopy through every table ε, classical training at one ε, or a
/// homotopy below the table's ε.
fn run_cell(
    spec: &Spec,
    name: &str,
    config: &RunConfig,
    seed: u64,
    cell: Cell,
    smallest: f64,
    say: &(dyn Fn(String) + Sync),
) -> Result<CellOut> {
    let started = Instant::now();
    let device = backend::cpu().context("CPU device")?;
    let mut out = CellOut {
        curve: None,
        rows: Vec::new(),
        stiffness: Vec::new(),
        solution: None,
        evolution: None,
        below: None,
        hessian: Vec::new(),
        seconds: 0.0,
    };
    match cell {
        Cell::Below => {
            let edited = super::below::edited(config, smallest)?;
            let account = spec.interface_account.is_some();
            out.below = Some(super::below::run(
                spec.id, name, &edited, seed, account, say,
            )?);
        }
        Cell::BelowContinued => {
            let edited = super::below::continued(config, smallest)?
                .context("the list continued: the preset has no list on an ε path")?;
            let label = super::below::continued_name(name);
            let account = spec.interface_account.is_some();
            out.below = Some(super::below::run(
                spec.id, &label, &edited, seed, account, say,
            )?);
        }
        Cell::Path => {
            let (rows, thetas, session, stages) =
                run_homotopy(spec, name, config.clone(), seed, &device)?;
            if seed == 0 {
                out.evolution = PathCurves::of(name, &config.problem, stages);
            }
            for r in &rows {
                say(format!(
                    "[{} seed {seed}] {name} ε = {}: loss {:.3e}, L2RE {}, {}",
                    spec.id,
                    r.eps,
                    r.loss,
                    r.l2re.map_or("—".into(), |v| format!("{v:.3e}")),
                    r.end
                ));
            }
            if spec.stiffness_along == Some(name) {
                for (eps, theta) in &thetas {
                    out.stiffness.push(StiffnessRow {
                        eps: *eps,
                        seed,
                        lambda_max_gn: gauss_newton_lambda_max(&session, theta, *eps)?,
                    });
                }
            }
            if seed == 0 && spec.hessian.is_some() {
                for (eps, theta) in &thetas {
                    out.hessian.push(super::hessian::spectrum_or_reason(
                        name, &session, theta, *eps,
                    ));
                }
            }
            if seed == 0 {
                out.solution = Some((
                    name.to_string(),
                    values(&session, &session.state().theta, session.state().eps),
                ));
                out.curve = Some(TrainingCurve::of(name, None, &session));
            }
            out.rows = rows;
        }
        Cell::At(eps) => {
            let started = Instant::now();
            let mut c = config.clone();
            c.problem.eps = eps;
            c.training.seed = seed;
            let mut session = Session::new(c, &device);
            super::progress::run(&mut session)?;
            let theta = session.state().theta.clone();
            let r = measure(name, seed, eps, &session, &theta, &started)?;
            say(format!(
                "[{} seed {seed}] {name} ε = {eps}: loss {:.3e}, L2RE {}, {}, {:.1} s",
                spec.id,
                r.loss,
                r.l2re.map_or("—".into(), |v| format!("{v:.3e}")),
                r.end,
                r.seconds
            ));
            if seed == 0 && eps == smallest {
                out.solution = Some((name.to_string(), values(&session, &theta, eps)));
            }
            if seed == 0 {
                out.curve = Some(TrainingCurve::of(name, Some(eps), &session));
            }
            if seed == 0 && spec.hessian.is_some() {
                out.hessian.push(super::hessian::spectrum_or_reason(
                    name, &session, &theta, eps,
                ));
            }
            out.rows.push(r);
        }
    }
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

/// What a run of a reproduction leaves for its page.
pub struct Outcome {
    pub report: Report,
    /// u_θ of each method at the smallest ε (seed 0), at the evaluation points.
    pub solutions: Vec<(String, Vec<f64>)>,
    /// Where each method's preset came from.
    pub sources: Vec<String>,
    /// The problem every method solved (for the D_ε sweep and the figures).
    pub problem: Box<dyn crate::problem::Problem>,
    /// u_θ along each homotopy method's path (seed 0).
    pub evolutions: Vec<PathCurves>,
    /// Each method's configuration as it ran (the page's setup takes its numbers from them).
    pub configs: Vec<(&'static str, RunConfig)>,
    /// Seed 0's loss over the steps of every run.
    pub curves: Vec<TrainingCurve>,
    /// The Hessian spectra (seed 0) where the spec asks for them.
    pub hessians: Vec<super::hessian::HessianSpectrum>,
}

/// Run the reproduction described by `spec` as `opts.mode` asks (its page is written by
/// [`super::sweep_page`] when the mode writes one): every method's runs are the page's cells.
pub fn run(spec: &Spec, opts: &ReproduceOptions) -> Result<Step<(Outcome, usize)>> {
    let mut configs = Vec::new();
    let mut sources = Vec::new();
    for m in spec.methods {
        let (config, from) = opts.preset(spec.id, m.name, m.file, m.builtin)?;
        configs.push((m.name, config));
        sources.push(format!("`{}`: {from}", m.name));
    }
    let smallest = *spec
        .table_eps
        .last()
        .context("a reproduction needs at least one ε")?;
    // The independent runs, in the order their rows are reported: by seed, then method, then
    // (classical training) ε.
    let mut cells = Vec::new();
    for seed in 0..opts.seeds {
        for (k, (_, config)) in configs.iter().enumerate() {
            if config.strategy.kind.is_homotopy() {
                cells.push((seed, k, Cell::Path));
            } else {
                cells.extend(spec.table_eps.iter().map(|&e| (seed, k, Cell::At(e))));
            }
        }
    }
    // The column below the table's ε comes last, so that adding it keeps the other cells'
    // indices (and their stored results).
    for seed in 0..opts.seeds {
        for (k, (name, config)) in configs.iter().enumerate() {
            if spec.below.contains(name) {
                super::below::edited(config, smallest)
                    .with_context(|| format!("{}: the column below the paper's ε", spec.id))?;
                cells.push((seed, k, Cell::Below));
                if super::below::continued(config, smallest)?.is_some() {
                    cells.push((seed, k, Cell::BelowContinued));
                }
            }
        }
    }
    let describe = |&(seed, k, cell): &(u64, usize, Cell)| match cell {
        Cell::Path => format!("seed {seed}, {} through every table ε", configs[k].0),
        Cell::At(e) => format!("seed {seed}, {} at ε = {e}", configs[k].0),
        Cell::Below => format!(
            "seed {seed}, {} at half the smallest table ε with twice the points",
            configs[k].0
        ),
        Cell::BelowContinued => format!(
            "seed {seed}, {} at half the smallest table ε with twice the points, its list continued",
            configs[k].0
        ),
    };
    let material = cells::material_of(configs.iter().map(|(_, c)| c));
    let outs = match cells::run(
        opts,
        spec.id,
        &material,
        &cells,
        describe,
        |&(seed, k, cell), say| {
            let (name, config) = &configs[k];
            run_cell(spec, name, config, seed, cell, smallest, say)
        },
    )? {
        Step::Page(outs) => outs,
        Step::Done(said) => return Ok(Step::Done(said)),
    };
    let mut report = Report {
        id: spec.id.into(),
        rows: Vec::new(),
        operator: Vec::new(),
        stiffness: Vec::new(),
        below: Vec::new(),
        seconds: 0.0,
    };
    let mut solutions: Vec<(String, Vec<f64>)> = Vec::new();
    let mut evolutions = Vec::new();
    let mut curves = Vec::new();
    let mut hessians = Vec::new();
    for out in outs {
        hessians.extend(out.hessian);
        evolutions.extend(out.evolution);
        curves.extend(out.curve);
        report.rows.extend(out.rows);
        report.stiffness.extend(out.stiffness);
        solutions.extend(out.solution);
        report.below.extend(out.below);
        report.seconds += out.seconds;
    }
    // The first preset's problem (every method of a spec shares the problem) for the operator
    // sweep and the figures.
    let problem = configs[0].1.build_problem();
    if let Some((hi, lo)) = spec.operator_sweep {
        report.operator = lambda_max_sweep(problem.as_ref(), &geometric_eps(hi, lo, 25))
            .into_iter()
            .filter_map(|(e, v)| v.map(|v| (e, v)))
            .collect();
    }
    Ok(Step::Page((
        Outcome {
            report,
            solutions,
            sources,
            problem,
            evolutions,
            configs,
            curves,
            hessians,
        },
        cells.len(),
    )))
}
