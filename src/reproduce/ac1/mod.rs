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
use super::sweep::{PathCurves, TrainingCurve, curve};
use super::{Page, ReproduceOptions, Reproduction, median_spread, with_waypoints};
use crate::backend;
use crate::config::{RunConfig, StrategyKind};
use crate::diagnostics::evaluate;
use crate::diagnostics::operator::{geometric_eps, lambda_max_sweep};
use crate::diagnostics::spectrum::kernel_spectrum;
use crate::train::Session;

/// ε values of Table 1.
mod page;
use page::{opt, write_outputs};

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
                include_str!("../../../presets/allen_cahn_1d_classical.toml"),
            ),
            Self::Strategy1 => (
                "allen_cahn_1d_strategy1.toml",
                include_str!("../../../presets/allen_cahn_1d_strategy1.toml"),
            ),
            Self::Strategy1Paper => (
                "allen_cahn_1d_strategy1_paper.toml",
                include_str!("../../../presets/allen_cahn_1d_strategy1_paper.toml"),
            ),
            Self::Strategy2 => (
                "allen_cahn_1d_strategy2.toml",
                include_str!("../../../presets/allen_cahn_1d_strategy2.toml"),
            ),
            Self::Curriculum => (
                "allen_cahn_1d_curriculum.toml",
                include_str!("../../../presets/allen_cahn_1d_curriculum.toml"),
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
    /// Strategy 1 at ε = 0.005 with twice the points ([`super::below`]).
    pub below: Vec<super::below::BelowRow>,
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
        session.objective().network(),
        theta,
        eps,
    );
    Ok(Table1Row {
        method: method.into(),
        eps,
        seed,
        loss: plain_loss(session, theta, eps)?,
        l2re_tanh: eval.accuracy.l2re_exact,
        l2re_reference: eval.accuracy.l2re_reference,
        front_x0: eval.accuracy.front_x0,
    })
}

fn k_row(init: &str, seed: u64, session: &Session, theta: &[f64]) -> Result<Table2Row> {
    let lin = session.objective().linearize(theta, 0.01)?;
    let k = kernel_spectrum(&lin.residual.jacobian, RCOND)?;
    // Eq. 18 as printed: D_ε S with S = ∇_θ u at the residual points.
    let (s, u) = session.objective().value_jacobian(theta)?;
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
    /// Seed 0's loss over a classical run's steps (absent in cells stored before it was kept).
    #[serde(default)]
    curve: Option<TrainingCurve>,
    table1: Vec<Table1Row>,
    table2: Vec<Table2Row>,
    timing: (String, u64, f64),
    solution: Option<(String, Vec<(f64, f64)>)>,
    /// u_θ along the path (homotopy, seed 0).
    evolution: Option<PathCurves>,
    /// The run at half the table's smallest ε with twice the points.
    #[serde(default)]
    below: Option<super::below::BelowRow>,
}

/// What one cell of the page runs.
#[derive(Clone, Copy, Debug)]
enum Cell {
    /// Classical training at one ε.
    At(f64),
    /// A homotopy method through the table's ε.
    Path,
    /// Strategy 1 at half the smallest ε with twice the points.
    Below,
}

/// One run: classical training at `eps`, or a homotopy method through the table's ε (with
/// Table 2's kernel rows along the best Strategy 1 path).
fn run_cell(
    configs: &BTreeMap<Method, RunConfig>,
    seed: u64,
    method: Method,
    cell: Cell,
    say: &(dyn Fn(String) + Sync),
) -> Result<CellOut> {
    let device = backend::cpu().context("CPU device")?;
    let started = Instant::now();
    if let Cell::Below = cell {
        let edited = super::below::edited(&configs[&method], TABLE1_EPS[TABLE1_EPS.len() - 1])?;
        let below = super::below::run("ac1", method.id(), &edited, seed, false, say)?;
        return Ok(CellOut {
            curve: None,
            table1: Vec::new(),
            table2: Vec::new(),
            timing: (
                format!("{} ε={}", method.id(), edited.problem.eps),
                seed,
                started.elapsed().as_secs_f64(),
            ),
            solution: None,
            evolution: None,
            below: Some(below),
        });
    }
    if let Cell::At(eps) = cell {
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
            curve: (seed == 0).then(|| TrainingCurve::of("classical", Some(eps), &session)),
            solution: (seed == 0 && eps == 0.01).then(|| {
                (
                    "classical".into(),
                    curve(&session, &session.state().theta, eps),
                )
            }),
            table1: vec![r],
            table2: Vec::new(),
            evolution: None,
            below: None,
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
            .network()
            .init(session.config().network.init, seed);
        table2.push(k_row("xavier", seed, &session, &init)?);
        for (eps, theta) in &thetas {
            table2.push(k_row(&format!("hom_eps_{eps}"), seed, &session, theta)?);
        }
    }
    Ok(CellOut {
        curve: None,
        table1: rows,
        table2,
        timing: (method.id().into(), seed, secs),
        solution: (seed == 0).then(|| (method.id().into(), sol)),
        evolution: if seed == 0 {
            PathCurves::of(method.id(), &configs[&method].problem, stages)
        } else {
            None
        },
        below: None,
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
        below: Vec::new(),
        timings: Vec::new(),
    };
    let mut solutions: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let mut evolutions = Vec::new();
    // The independent runs, in the order the tables list them: per seed, classical training
    // at each ε, then each homotopy method.
    let mut cells: Vec<(u64, Method, Cell)> = Vec::new();
    for seed in 0..opts.seeds {
        cells.extend(
            TABLE1_EPS
                .iter()
                .map(|&e| (seed, Method::Classical, Cell::At(e))),
        );
        cells.extend(
            Method::ALL
                .into_iter()
                .filter(|&m| m != Method::Classical)
                .map(|m| (seed, m, Cell::Path)),
        );
    }
    // Below the paper's ε last, so that the other cells keep their indices.
    super::below::edited(
        &configs[&Method::Strategy1],
        TABLE1_EPS[TABLE1_EPS.len() - 1],
    )
    .context("ac1: the column below the paper's ε")?;
    cells.extend((0..opts.seeds).map(|seed| (seed, Method::Strategy1, Cell::Below)));
    let describe = |&(seed, method, cell): &(u64, Method, Cell)| match cell {
        Cell::At(e) => format!("seed {seed}, {} at ε = {e}", method.id()),
        Cell::Path => format!("seed {seed}, {} through every table ε", method.id()),
        Cell::Below => format!(
            "seed {seed}, {} at half the smallest table ε with twice the points",
            method.id()
        ),
    };
    let mut curves = Vec::new();
    let material = cells::material_of(configs.values());
    let outs = match cells::run(
        opts,
        "ac1",
        &material,
        &cells,
        describe,
        |&(seed, method, cell), say| run_cell(&configs, seed, method, cell, say),
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
        curves.extend(out.curve);
        report.below.extend(out.below);
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
    write_outputs(opts, &report, &solutions, &sources, &configs, &curves)?;
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
        let session =
            crate::train::session::small_grid_session("allen_cahn_1d", 0.01, 8, "[10, 10]");
        let theta = session.state().theta.clone();
        let row = k_row("xavier", 0, &session, &theta).unwrap();
        let got = row.lambda_min_eq18.expect("resolved");
        // Independently: D_ε S as dense matrices, λ_min(D_ε S Sᵀ D_εᵀ) = σ_min(D_ε S)².
        let (s, u) = session.objective().value_jacobian(&theta).unwrap();
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
