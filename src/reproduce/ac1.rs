//! `reproduce ac1`: the homotopy paper's 1D Allen–Cahn results from the shipped presets.
//!
//! - Table 1: loss and L2RE at ε = 0.1, 0.03, 0.01 for classical training (a fresh run at each ε)
//!   and for every homotopy method (one run from ε₀ = 0.1, read where it passes each ε).
//! - Table 2: λ_min(K_ε) (ours: J Jᵀ of the residual Jacobian, eq. 18's D_ε S Sᵀ D_εᵀ without
//!   the grid) at ε = 0.01 for θ from the Xavier initialization and from the Strategy 1 path at
//!   ε = 0.1, 0.05, 0.03, 0.02, with rank, λ_max and σ_min beside it.
//! - Fig. 4: λ_max(D_ε) vs ε with the exact solution.
//!
//! Writes reproduce.md, reproduce.json, table1.csv, table2.csv, fig4.csv and SVG figures.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::cells::{self, Step};
use super::sweep::{PathCurves, curve};
use super::{Page, ReproduceOptions, Reproduction, fmt_stat, median_spread, with_waypoints};
use crate::backend;
use crate::config::{RunConfig, StrategyKind};
use crate::diagnostics::evaluate;
use crate::diagnostics::operator::{geometric_eps, lambda_max_sweep};
use crate::diagnostics::spectrum::kernel_spectrum;
use crate::export::figure::{Figure, Mark};
use crate::export::{columns_csv, write_atomic};
use crate::train::Session;

/// ε values of Table 1.
pub const TABLE1_EPS: [f64; 3] = [0.1, 0.03, 0.01];
/// Homotopy initializations of Table 2.
pub const TABLE2_EPS: [f64; 4] = [0.1, 0.05, 0.03, 0.02];

/// The methods of Table 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Classical,
    /// Our recommended Strategy 1 (geometric Δε, phase condition, LM corrector); Table 2 is
    /// read off its path.
    Strategy1,
    /// Strategy 1 as the paper runs it (uniform Δε = 0.001).
    Strategy1Paper,
    Strategy2,
    Curriculum,
}

impl Method {
    /// Every method, in the page's order.
    pub const ALL: [Method; 5] = [
        Self::Classical,
        Self::Strategy1,
        Self::Strategy1Paper,
        Self::Strategy2,
        Self::Curriculum,
    ];

    /// The name in tables, CSVs and `reproduce.json`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Classical => "classical",
            Self::Strategy1 => "strategy1",
            Self::Strategy1Paper => "strategy1_paper",
            Self::Strategy2 => "strategy2",
            Self::Curriculum => "curriculum",
        }
    }

    /// Its shipped preset: file name and built-in copy.
    fn preset(self) -> (&'static str, &'static str) {
        match self {
            Self::Classical => (
                "allen_cahn_1d_classical.toml",
                include_str!("../../presets/allen_cahn_1d_classical.toml"),
            ),
            Self::Strategy1 => (
                "allen_cahn_1d_strategy1.toml",
                include_str!("../../presets/allen_cahn_1d_strategy1.toml"),
            ),
            Self::Strategy1Paper => (
                "allen_cahn_1d_strategy1_paper.toml",
                include_str!("../../presets/allen_cahn_1d_strategy1_paper.toml"),
            ),
            Self::Strategy2 => (
                "allen_cahn_1d_strategy2.toml",
                include_str!("../../presets/allen_cahn_1d_strategy2.toml"),
            ),
            Self::Curriculum => (
                "allen_cahn_1d_curriculum.toml",
                include_str!("../../presets/allen_cahn_1d_curriculum.toml"),
            ),
        }
    }

    /// The paper's (loss, L2RE) at Table 1's k-th ε that this method is compared with.
    fn paper(self, k: usize) -> Option<(f64, f64)> {
        match self {
            Self::Classical => Some(PAPER_CLASSICAL[k]),
            Self::Strategy1 | Self::Strategy1Paper => Some(PAPER_HOMOTOPY[k]),
            Self::Strategy2 | Self::Curriculum => None,
        }
    }
}

/// One Table 1 entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Table1Row {
    pub method: String,
    pub eps: f64,
    pub seed: u64,
    /// L_H + λL_bc at the recorded parameters.
    pub loss: f64,
    pub l2re_tanh: Option<f64>,
    pub l2re_reference: Option<f64>,
    pub front_x0: Option<f64>,
}

/// One Table 2 entry (K at ε = 0.01).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Table2Row {
    /// "xavier" or "hom_eps_0.05" etc.
    pub init: String,
    pub seed: u64,
    /// None when K is numerically singular (rank-deficient at the round-off floor).
    pub lambda_min: Option<f64>,
    pub lambda_max: f64,
    /// Numerical rank at rcond 1e-4.
    pub rank: usize,
    pub sigma_min: Option<f64>,
    /// The smallest eigenvalue kept at rcond 1e-4 (λ at the cutoff).
    pub lambda_min_kept: f64,
    /// How many eigenvalues lie above the round-off floor.
    pub rank_above_floor: usize,
    /// λ_min of eq. 18's K_ε = D_ε S Sᵀ D_εᵀ (D_ε the finite-difference operator at u_θ on the
    /// residual grid), None when it is singular to round-off or D_ε does not exist.
    #[serde(default)]
    pub lambda_min_eq18: Option<f64>,
}

/// One Fig. 4 point.
#[derive(Clone, Debug, Serialize)]
pub struct Fig4Row {
    pub eps: f64,
    pub lambda_max_d: f64,
}

/// Everything `reproduce ac1` measured.
#[derive(Clone, Debug, Serialize)]
pub struct Ac1Report {
    pub table1: Vec<Table1Row>,
    pub table2: Vec<Table2Row>,
    pub fig4: Vec<Fig4Row>,
    /// Seconds per (method, seed) run.
    #[serde(skip)]
    pub timings: Vec<(String, u64, f64)>,
}

/// The paper's Table 1: (loss, L2RE) at ε = 0.1, 0.03, 0.01 for classical and homotopy.
const PAPER_CLASSICAL: [(f64, f64); 3] = [(5.00e-6, 1.71e-2), (7.76e-4, 1.11), (7.21, 8.17e-1)];
const PAPER_HOMOTOPY: [(f64, f64); 3] =
    [(5.00e-6, 1.71e-2), (7.45e-8, 9.83e-3), (4.63e-8, 8.08e-3)];
/// The paper's Table 2: λ_min(K_0.01) from Xavier and from homotopy at 0.1, 0.05, 0.03, 0.02.
const PAPER_TABLE2: [(&str, f64); 5] = [
    ("xavier", 7.38e-8),
    ("hom_eps_0.1", 2.11e-6),
    ("hom_eps_0.05", 7.77e-5),
    ("hom_eps_0.03", 1.57e-4),
    ("hom_eps_0.02", 1.48e-2),
];

/// The rcond used for ranks in Table 2.
const RCOND: f64 = 1e-4;

fn plain_loss(session: &Session, theta: &[f64], eps: f64) -> Result<f64> {
    let parts = session.objective().loss(theta, eps)?;
    Ok(parts.residual + session.objective().bc_weight() * parts.boundary)
}

fn row(method: &str, seed: u64, eps: f64, session: &Session, theta: &[f64]) -> Result<Table1Row> {
    let eval = evaluate(
        session.problem().as_ref(),
        session.objective().shape(),
        theta,
        eps,
    );
    Ok(Table1Row {
        method: method.into(),
        eps,
        seed,
        loss: plain_loss(session, theta, eps)?,
        l2re_tanh: eval.l2re_exact,
        l2re_reference: eval.l2re_reference,
        front_x0: eval.front_x0,
    })
}

fn k_row(init: &str, seed: u64, session: &Session, theta: &[f64]) -> Result<Table2Row> {
    let lin = session.objective().linearize(theta, 0.01)?;
    let k = kernel_spectrum(&lin.residual.jacobian, RCOND)?;
    // Eq. 18 as printed: D_ε S with S = ∇_θ u at the residual points.
    let (s, u) = session.objective().value_jacobian(theta);
    let lambda_min_eq18 = match session.problem().discrete_operator(&u, 0.01) {
        Some(d) if d.on_residual_points && d.matrix.nrows() == u.len() && s.rows >= u.len() => {
            let n = u.len();
            let product = &d.matrix * s.as_mat().subrows(0, n);
            let ds = crate::net::jacobian::Jacobian {
                rows: n,
                cols: s.cols,
                data: (0..n)
                    .flat_map(|i| product.row(i).iter().copied().collect::<Vec<_>>())
                    .collect(),
            };
            kernel_spectrum(&ds, RCOND)?.lambda_min
        }
        _ => None,
    };
    Ok(Table2Row {
        init: init.into(),
        seed,
        lambda_min: k.lambda_min,
        lambda_max: k.lambda_max,
        rank: k.rank,
        sigma_min: k.sigma_min,
        lambda_min_kept: k.lambda_min_kept,
        rank_above_floor: k
            .eigenvalues
            .iter()
            .filter(|&&l| l > k.roundoff_floor)
            .count(),
        lambda_min_eq18,
    })
}

/// What one homotopy run gives the tables: Table 1 rows, θ at the Table 2 ε values, and the
/// final solution curve (x, u).
type HomotopyRun = (
    Vec<Table1Row>,
    Vec<(f64, Vec<f64>)>,
    Vec<(f64, f64)>,
    Vec<crate::train::StageRecord>,
);

/// Run a homotopy preset to its end, recording Table 1 rows at [`TABLE1_EPS`] and, for
/// Strategy 1, θ at [`TABLE2_EPS`].
fn run_homotopy(
    method: &str,
    mut config: RunConfig,
    seed: u64,
    device: &backend::ComputeDevice,
) -> Result<HomotopyRun> {
    config.training.seed = seed;
    let mut waypoints: Vec<f64> = TABLE1_EPS.iter().chain(&TABLE2_EPS).copied().collect();
    waypoints.sort_by(|a, b| b.total_cmp(a));
    with_waypoints(&mut config, &waypoints);
    config.validate().context("schedule with table waypoints")?;
    let mut session = Session::new(config, device);
    let mut rows = Vec::new();
    let mut thetas = Vec::new();
    let mut stages = Vec::new();
    while let Some(p) = session.step()? {
        super::progress::report(&session);
        stages.extend(p.stages.iter().cloned());
        for stage in &p.stages {
            if TABLE1_EPS.contains(&stage.eps) {
                rows.push(row(
                    method,
                    seed,
                    stage.eps,
                    &session,
                    &session.state().theta,
                )?);
            }
            if TABLE2_EPS.contains(&stage.eps) {
                thetas.push((stage.eps, session.state().theta.clone()));
            }
        }
        if p.end.is_some() {
            break;
        }
    }
    // A run that ended early (cap, divergence) is reported where it stopped.
    let reached: Vec<f64> = rows.iter().map(|r| r.eps).collect();
    for &eps in &TABLE1_EPS {
        if !reached.contains(&eps) && session.state().eps <= eps {
            rows.push(row(method, seed, eps, &session, &session.state().theta)?);
        }
    }
    let solution = curve(&session, &session.state().theta, session.state().eps);
    Ok((rows, thetas, solution, stages))
}

/// `ac1` in the registry ([`super::REPRODUCTIONS`]).
pub const PAGE: Page = Page {
    id: "ac1",
    full_note: super::full::AC1_NOTE,
    scale_full: |_| {},
    run: |opts| {
        let (report, cells) = match run(opts)? {
            Step::Page(page) => page,
            Step::Done(said) => return Ok(said),
        };
        Ok(super::Said {
            lines: Method::ALL
                .iter()
                .map(|m| summary_line(&report, m.id()))
                .collect(),
            cells,
        })
    },
};

/// What one run of the page contributes (stored as a cell, [`cells`]).
#[derive(Serialize, Deserialize)]
struct CellOut {
    table1: Vec<Table1Row>,
    table2: Vec<Table2Row>,
    timing: (String, u64, f64),
    solution: Option<(String, Vec<(f64, f64)>)>,
    /// u_θ along the path (homotopy, seed 0).
    evolution: Option<PathCurves>,
}

/// One run: classical training at `eps`, or a homotopy method through the table's ε (with
/// Table 2's kernel rows along the best Strategy 1 path).
fn run_cell(
    configs: &BTreeMap<Method, RunConfig>,
    seed: u64,
    method: Method,
    eps: Option<f64>,
    say: &(dyn Fn(String) + Sync),
) -> Result<CellOut> {
    let device = backend::cpu().context("CPU device")?;
    let started = Instant::now();
    if let Some(eps) = eps {
        let mut config = configs[&Method::Classical].clone();
        config.problem.eps = eps;
        config.training.seed = seed;
        let mut session = Session::new(config, &device);
        super::progress::run(&mut session)?;
        let r = row(
            Method::Classical.id(),
            seed,
            eps,
            &session,
            &session.state().theta,
        )?;
        let secs = started.elapsed().as_secs_f64();
        say(format!(
            "[seed {seed}] classical ε = {eps}: L2RE {:.3e}, x0 {:.4}, {secs:.1} s",
            r.l2re_tanh.unwrap_or(f64::NAN),
            r.front_x0.unwrap_or(f64::NAN)
        ));
        return Ok(CellOut {
            solution: (seed == 0 && eps == 0.01).then(|| {
                (
                    "classical".into(),
                    curve(&session, &session.state().theta, eps),
                )
            }),
            table1: vec![r],
            table2: Vec::new(),
            evolution: None,
            timing: (format!("classical ε={eps}"), seed, secs),
        });
    }
    let (rows, thetas, sol, stages) =
        run_homotopy(method.id(), configs[&method].clone(), seed, &device)?;
    let secs = started.elapsed().as_secs_f64();
    let last = rows.iter().find(|r| r.eps == 0.01);
    say(format!(
        "[seed {seed}] {}: L2RE at ε = 0.01 {:.3e}, x0 {:.4}, {secs:.1} s",
        method.id(),
        last.and_then(|r| r.l2re_tanh).unwrap_or(f64::NAN),
        last.and_then(|r| r.front_x0).unwrap_or(f64::NAN)
    ));
    let mut table2 = Vec::new();
    if method == Method::Strategy1 && configs[&method].strategy.kind == StrategyKind::Strategy1 {
        // Table 2 from the best Strategy 1 path, plus the Xavier initialization.
        let mut config = configs[&Method::Strategy1].clone();
        config.training.seed = seed;
        let session = Session::new(config, &device);
        let init = session
            .objective()
            .shape()
            .init(session.config().network.init, seed);
        table2.push(k_row("xavier", seed, &session, &init)?);
        for (eps, theta) in &thetas {
            table2.push(k_row(&format!("hom_eps_{eps}"), seed, &session, theta)?);
        }
    }
    Ok(CellOut {
        table1: rows,
        table2,
        timing: (method.id().into(), seed, secs),
        solution: (seed == 0).then(|| (method.id().into(), sol)),
        evolution: if seed == 0 {
            PathCurves::of(method.id(), &configs[&method].problem, stages)
        } else {
            None
        },
    })
}

/// Run the whole reproduction as `opts.mode` asks; the report and the number of cells when
/// the page was written.
pub fn run(opts: &ReproduceOptions) -> Result<Step<(Ac1Report, usize)>> {
    let mut configs = BTreeMap::new();
    let mut sources = Vec::new();
    for method in Method::ALL {
        let (file, builtin) = method.preset();
        let (config, from) = opts.preset("ac1", method.id(), file, builtin)?;
        configs.insert(method, config);
        sources.push(format!("{}: {from}", method.id()));
    }
    let mut report = Ac1Report {
        table1: Vec::new(),
        table2: Vec::new(),
        fig4: Vec::new(),
        timings: Vec::new(),
    };
    let mut solutions: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let mut evolutions = Vec::new();
    // The independent runs, in the order the tables list them: per seed, classical training
    // at each ε, then each homotopy method.
    let mut cells: Vec<(u64, Method, Option<f64>)> = Vec::new();
    for seed in 0..opts.seeds {
        cells.extend(
            TABLE1_EPS
                .iter()
                .map(|&e| (seed, Method::Classical, Some(e))),
        );
        cells.extend(
            Method::ALL
                .into_iter()
                .filter(|&m| m != Method::Classical)
                .map(|m| (seed, m, None)),
        );
    }
    let describe = |&(seed, method, eps): &(u64, Method, Option<f64>)| match eps {
        Some(e) => format!("seed {seed}, {} at ε = {e}", method.id()),
        None => format!("seed {seed}, {} through every table ε", method.id()),
    };
    let material = cells::material_of(configs.values());
    let outs = match cells::run(
        opts,
        "ac1",
        &material,
        &cells,
        describe,
        |&(seed, method, eps), say| run_cell(&configs, seed, method, eps, say),
    )? {
        Step::Page(outs) => outs,
        Step::Done(said) => return Ok(Step::Done(said)),
    };
    for out in outs {
        report.table1.extend(out.table1);
        report.table2.extend(out.table2);
        report.timings.push(out.timing);
        solutions.extend(out.solution);
        evolutions.extend(out.evolution);
    }
    // Fig. 4: λ_max(D_ε) with the exact solution on the residual grid.
    let problem = configs[&Method::Classical].build_problem();
    for (eps, value) in lambda_max_sweep(problem.as_ref(), &geometric_eps(1.0, 1e-3, 31)) {
        if let Some(v) = value {
            report.fig4.push(Fig4Row {
                eps,
                lambda_max_d: v,
            });
        }
    }
    write_outputs(opts, &report, &solutions, &sources, &configs)?;
    // Each homotopy method's path: u_θ at six ε along it (the paper's Fig. 3).
    let problem = configs[&Method::Classical].build_problem();
    for e in &evolutions {
        opts.figures.write_one(
            &e.figure(problem.as_ref()),
            &opts.out_dir,
            &format!("evolution_{}", e.method),
        )?;
    }
    Ok(Step::Page((report, cells.len())))
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2e}")).unwrap_or_else(|| "—".into())
}

fn write_outputs(
    opts: &ReproduceOptions,
    report: &Ac1Report,
    solutions: &[(String, Vec<(f64, f64)>)],
    sources: &[String],
    configs: &BTreeMap<Method, RunConfig>,
) -> Result<()> {
    let out = &opts.out_dir;
    let n_res = configs[&Method::Classical].problem.n_res;
    let mut md = String::new();
    md.push_str("# Reproduction: 1D Allen–Cahn (homotopy dynamics paper)\n\n");
    md.push_str(&PAGE.scale_line(opts.full));
    md.push_str(&format!(
        "Seeds 0–{} (median [min, max] over seeds). L2RE on 1001 evaluation points against the tanh solution and against a finite-difference solution of the boundary-value problem. x₀ is the zero crossing of u_θ (exact: 0.5).\n\nPresets: {}.\n\n",
        opts.seeds.saturating_sub(1),
        sources.join("; ")
    ));
    md.push_str("## Table 1 — loss and L2RE at ε = 0.1, 0.03, 0.01\n\n");
    md.push_str("| method | ε | paper loss | ours loss | paper L2RE | ours L2RE vs tanh | ours L2RE vs reference | ours x₀ |\n|---|---|---|---|---|---|---|---|\n");
    for method in Method::ALL {
        for (k, &eps) in TABLE1_EPS.iter().enumerate() {
            let rows: Vec<&Table1Row> = report
                .table1
                .iter()
                .filter(|r| r.method == method.id() && r.eps == eps)
                .collect();
            let col = |f: &dyn Fn(&Table1Row) -> Option<f64>| {
                fmt_stat(&rows.iter().filter_map(|r| f(r)).collect::<Vec<_>>())
            };
            let paper = method.paper(k);
            // A row compared with the paper's homotopy says what its Phase I adds to the
            // paper's (the Levenberg–Marquardt polish).
            let lm = configs[&method].strategy.phase1.lm_iterations;
            let label = match method {
                Method::Strategy1 | Method::Strategy1Paper if lm > 0 => {
                    format!("{} (+{lm} LM in Phase I)", method.id())
                }
                _ => method.id().to_string(),
            };
            md.push_str(&format!(
                "| {} | {eps} | {} | {} | {} | {} | {} | {} |\n",
                label,
                paper.map_or("—".into(), |p| format!("{:.2e}", p.0)),
                col(&|r| Some(r.loss)),
                paper.map_or("—".into(), |p| format!("{:.2e}", p.1)),
                col(&|r| r.l2re_tanh),
                col(&|r| r.l2re_reference),
                col(&|r| r.front_x0),
            ));
        }
    }
    md.push_str("\nThe paper reports one homotopy row; it is shown beside both Strategy 1 presets (`strategy1`: geometric Δε, phase condition, LM corrector; `strategy1_paper`: uniform Δε = 0.001, Euler only). Strategy 2 and curriculum have no paper numbers for this problem.\n\n");
    // Phase I as it ran: the paper only says θ(ε₀) comes from minimizing the loss until it is
    // below τ ("the standard training process"); the Levenberg–Marquardt polish is ours.
    for method in [Method::Strategy1, Method::Strategy1Paper] {
        let p1 = &configs[&method].strategy.phase1;
        md.push_str(&format!(
            "`{}` starts with a Phase I of {} Adam steps{} at ε₀ = {}. The paper's Phase I minimizes the loss at ε₀ by standard training until it is below τ; {}\n\n",
            method.id(),
            p1.adam_steps,
            if p1.lm_iterations > 0 {
                format!(" and then {} Levenberg–Marquardt iterations", p1.lm_iterations)
            } else {
                String::new()
            },
            configs[&method].strategy.eps_start,
            if p1.lm_iterations > 0 {
                "the Levenberg–Marquardt polish is ours, not the paper's."
            } else {
                "ours is that with Adam."
            }
        ));
    }
    md.push_str(&format!(
        "## Table 2 — λ_min(K_ε) at ε = 0.01 (n = {n_res}, rcond {RCOND:.0e} for the rank)\n\nθ from the Xavier initialization and from the Strategy 1 path where it passes ε. Our K_ε is J Jᵀ with J the Jacobian of the residual at the n residual points, H_u applied to ∂u_θ/∂θ with the network's exact derivatives: the continuous counterpart of eq. 18's K_ε = D_ε S Sᵀ D_εᵀ, where D_ε is the finite-difference operator on the grid. They agree where the grid resolves ∂u_θ/∂θ (Δ_h applied to S approaches its exact second derivative), not entry by entry on a coarse grid. Eigenvalues are σ_i(J)² with σ from a QR + SVD of J (round-off floor (max(n,p)·ε_mach·σ_max)²). λ_min is shown only where K is numerically nonsingular; otherwise the entry says so and the rank columns show how much of K is resolved: the rank at the cutoff, the smallest eigenvalue kept there, and how many eigenvalues lie above the round-off floor. The last column is eq. 18 as printed, D_ε S Sᵀ D_εᵀ with D_ε the finite-difference operator at u_θ on the residual grid and S = ∇_θ u there (— where it is singular to round-off).\n\n| init | paper λ_min | ours λ_min(J Jᵀ) | ours λ_max | ours rank (rcond) | ours λ at cutoff | ours rank above round-off | ours σ_min(J) | ours λ_min(D_ε S Sᵀ D_εᵀ), eq. 18 |\n|---|---|---|---|---|---|---|---|---|\n"
    ));
    for (init, paper) in PAPER_TABLE2 {
        let rows: Vec<&Table2Row> = report.table2.iter().filter(|r| r.init == init).collect();
        let mins: Vec<f64> = rows.iter().filter_map(|r| r.lambda_min).collect();
        let singular = rows.iter().filter(|r| r.lambda_min.is_none()).count();
        let ours_min = match (mins.is_empty(), singular) {
            (true, 0) => "—".to_string(),
            (true, s) => format!("singular in {s}/{} seeds", rows.len()),
            (false, 0) => fmt_stat(&mins),
            (false, s) => format!("{} (singular in {s}/{})", fmt_stat(&mins), rows.len()),
        };
        let ranks: Vec<f64> = rows.iter().map(|r| r.rank as f64).collect();
        let (rmed, rlo, rhi) = median_spread(&ranks);
        let floors: Vec<f64> = rows.iter().map(|r| r.rank_above_floor as f64).collect();
        let (fmed, flo, fhi) = median_spread(&floors);
        let int_stat = |med: f64, lo: f64, hi: f64| {
            if lo == hi {
                format!("{med:.0}")
            } else {
                format!("{med:.0} [{lo:.0}, {hi:.0}]")
            }
        };
        md.push_str(&format!(
            "| {init} | {paper:.2e} | {ours_min} | {} | {} | {} | {} | {} | {} |\n",
            fmt_stat(&rows.iter().map(|r| r.lambda_max).collect::<Vec<_>>()),
            int_stat(rmed, rlo, rhi),
            fmt_stat(&rows.iter().map(|r| r.lambda_min_kept).collect::<Vec<_>>()),
            int_stat(fmed, flo, fhi),
            fmt_stat(&rows.iter().filter_map(|r| r.sigma_min).collect::<Vec<_>>()),
            fmt_stat(
                &rows
                    .iter()
                    .filter_map(|r| r.lambda_min_eq18)
                    .collect::<Vec<_>>()
            ),
        ));
    }
    md.push_str(&format!(
        "\n## Fig. 4 — λ_max(D_ε) vs ε (exact u on the n = {n_res} residual grid, h = 1/(n+1))\n\nThe paper plots this curve; its stated scale is λ_max ≈ 4ε²n² for large ε and O(1) as ε → 0.\n\n| ε | paper scale 4ε²n² | ours λ_max(D_ε) |\n|---|---|---|\n"
    ));
    for r in &report.fig4 {
        md.push_str(&format!(
            "| {:.4} | {:.4e} | {:.4e} |\n",
            r.eps,
            4.0 * r.eps * r.eps * (n_res as f64).powi(2),
            r.lambda_max_d
        ));
    }
    md.push_str("\n## Time per run\n\n| run | seed | seconds |\n|---|---|---|\n");
    for (name, seed, secs) in &report.timings {
        md.push_str(&format!("| {name} | {seed} | {secs:.1} |\n"));
    }
    md.push_str("\nFigures: `table1.svg` (solution, error and L2RE along ε as one figure), `fig4.svg`, `l2re_vs_eps.svg`, `solutions.svg`, and for each homotopy method `evolution_<method>.svg` (u_θ at six ε evenly spaced over its stages, seed 0, with the reference at the last; the paper's Fig. 3).\n");
    write_atomic(&out.join("reproduce.md"), md.as_bytes())?;
    write_atomic(
        &out.join("reproduce.json"),
        serde_json::to_string_pretty(report)?.as_bytes(),
    )?;
    write_atomic(&out.join("table1.csv"), &rows_csv(&report.table1)?)?;
    write_atomic(&out.join("table2.csv"), &rows_csv(&report.table2)?)?;
    let eps: Vec<f64> = report.fig4.iter().map(|r| r.eps).collect();
    let lam: Vec<f64> = report.fig4.iter().map(|r| r.lambda_max_d).collect();
    write_atomic(
        &out.join("fig4.csv"),
        &columns_csv(&[("eps", &eps), ("lambda_max_d", &lam)])?,
    )?;
    let scale: Vec<(f64, f64)> = eps
        .iter()
        .map(|&e| (e, 4.0 * e * e * (n_res as f64).powi(2)))
        .collect();
    let fig4 = Figure::new("Fig. 4: λ_max(D_ε) vs ε", "ε", "λ_max(D_ε)")
        .log_x()
        .log_y()
        .with_series(
            "ours (exact u)",
            eps.iter().copied().zip(lam.iter().copied()).collect(),
            Mark::LineAndPoints,
        );
    // The paper's scale is a guide, not data: dashed, on top.
    let fig4 = with_reference(fig4, "4ε²n² (paper's scale)", scale);
    opts.figures.write_one(&fig4, out, "fig4")?;
    let mut l2re = Figure::new("Table 1: median L2RE vs ε", "ε", "L2RE vs tanh")
        .log_x()
        .log_y();
    for method in Method::ALL.map(Method::id) {
        let pts = TABLE1_EPS
            .iter()
            .map(|&e| {
                let v: Vec<f64> = report
                    .table1
                    .iter()
                    .filter(|r| r.method == method && r.eps == e)
                    .filter_map(|r| r.l2re_tanh)
                    .collect();
                (e, median_spread(&v).0)
            })
            .collect();
        l2re = l2re.with_series(&super::method_label(method), pts, Mark::LineAndPoints);
    }
    opts.figures.write_one(&l2re, out, "l2re_vs_eps")?;
    let problem = configs[&Method::Classical].build_problem();
    let exact = problem.exact(0.01);
    let mut fig = Figure::new("u_θ at ε = 0.01 (seed 0)", "x", "u");
    let mut error = Figure::new("u_θ − tanh at ε = 0.01 (seed 0)", "x", "u_θ − u*");
    // Each method keeps its Table 1 colour (and dashes) in every panel.
    let color = |name: &str| {
        crate::export::figure::palette(Method::ALL.iter().position(|m| m.id() == name).unwrap_or(0))
    };
    let line = |name: &str, points| crate::export::figure::Series {
        label: super::method_label(name),
        points,
        mark: Mark::Line,
        color: color(name),
    };
    for (name, pts) in solutions {
        fig.series.push(line(name, pts.clone()));
        if let Some(e) = &exact {
            let diff = pts
                .iter()
                .zip(&e.values)
                .map(|(&(x, u), v)| (x, u - v))
                .collect();
            error.series.push(line(name, diff));
        }
    }
    if let Some(e) = exact {
        let pts = problem
            .eval_points()
            .iter()
            .copied()
            .zip(e.values)
            .collect();
        fig = with_reference(fig, "tanh (exact)", pts);
    }
    opts.figures.write_one(&fig, out, "solutions")?;
    // Table 1 as the paper would print it: solution, error and L2RE along ε; (a)'s legend
    // names the methods for all three panels (same colours and dashes).
    error.hide_legend = true;
    l2re.hide_legend = true;
    opts.figures
        .write(&[&fig, &error, &l2re], 3, out, "table1")?;
    Ok(())
}

/// `fig` with a dashed reference curve drawn on top of the others.
fn with_reference(mut fig: Figure, label: &str, points: Vec<(f64, f64)>) -> Figure {
    fig.series.push(crate::export::figure::Series {
        label: label.into(),
        points,
        mark: Mark::Reference,
        color: (0, 0, 0),
    });
    fig
}

fn rows_csv<T: Serialize>(rows: &[T]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    Ok(w.into_inner()?)
}

/// One line for the terminal: the median L2RE of `method` at ε = 0.01.
pub fn summary_line(report: &Ac1Report, method: &str) -> String {
    let v: Vec<f64> = report
        .table1
        .iter()
        .filter(|r| r.method == method && r.eps == 0.01)
        .filter_map(|r| r.l2re_tanh)
        .collect();
    format!(
        "{method}: median L2RE at ε = 0.01 = {}",
        opt(Some(median_spread(&v).0))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_2_eq_18_column_is_the_smallest_eigenvalue_of_d_s_st_dt() {
        // 8 residual points and 141 parameters: K is nonsingular, so λ_min is resolved.
        let config = RunConfig::from_toml_str(
            "version = 1\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.01\nn_res = 8\n\
             sampling = \"grid\"\n[network]\nhidden = [10, 10]\n",
        )
        .unwrap();
        let session = Session::new(config, &crate::backend::cpu().unwrap());
        let theta = session.state().theta.clone();
        let row = k_row("xavier", 0, &session, &theta).unwrap();
        let got = row.lambda_min_eq18.expect("resolved");
        // Independently: D_ε S as dense matrices, λ_min(D_ε S Sᵀ D_εᵀ) = σ_min(D_ε S)².
        let (s, u) = session.objective().value_jacobian(&theta);
        let d = session
            .problem()
            .discrete_operator(&u, 0.01)
            .unwrap()
            .matrix;
        let n = u.len();
        let sm = faer::Mat::from_fn(n, s.cols, |i, c| s.row(i)[c]);
        let ds = &d * &sm;
        let sigma = ds.singular_values().unwrap();
        let want = sigma.iter().copied().fold(f64::INFINITY, f64::min).powi(2);
        assert!(
            (got - want).abs() < 1e-6 * want.abs().max(1e-300),
            "{got:e} vs {want:e}"
        );
        // Not the J Jᵀ column: a different matrix.
        assert_ne!(row.lambda_min, Some(got));
    }
}
