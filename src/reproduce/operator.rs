//! `reproduce bo`: Burgers operator learning (homotopy paper §5.3, App. B.6), the part of the
//! paper's Burgers experiments that `bu` (a PINN for the one steady state) cannot show: the DeepONet trained by the
//! s-homotopy over random inputs at ε* = 0.5, 0.1, 0.05 (Table 5: loss, L2RE and the squared
//! shock-position error on held-out inputs, paper beside ours), finite-difference time marching
//! with the paper's Δt and our Newton steady-state solve against batched DeepONet inference
//! (Table 8), and Fig. 6 (test inputs with their predicted steady states; one input along s).
//!
//! Each (ε*, seed) is one stored cell ([`super::cells`]); Table 8's solver timings are taken
//! when the page is written.

use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::burgers_fd::{MARCH_T_MAX, MARCH_TOL, march, newton_steady};
use super::cells::{self, Step};
use super::{Page, ReproduceOptions, Reproduction, Said, fmt_stat};
use crate::backend;
use crate::config::RunConfig;
use crate::export::figure::{Figure, Mark, Series, palette};
use crate::export::write_atomic;
use crate::net::deeponet::OperatorPoints;
use crate::net::{Channels, DerivOrder};
use crate::problem::burgers_1d::Burgers1d;
use crate::problem::burgers_operator::{SHOCK_TOLERANCE, mean_square, shock_distances, shock_mse};
use crate::problem::grf::Grf;
use crate::problem::points1d::interpolate_uniform;
use crate::problem::{PointRole, relative_l2};
use crate::train::Session;

/// ε* of Table 5 and Table 8.
pub const EPS: [f64; 3] = [0.5, 0.1, 0.05];
/// Table 5: (ε*, L_H, L2RE, MSE of the shock position).
const PAPER_T5: [(f64, f64, f64, f64); 3] = [
    (0.5, 7.55e-7, 1.50e-3, 1.75e-8),
    (0.1, 3.40e-7, 7.00e-4, 9.14e-8),
    (0.05, 7.77e-7, 2.52e-2, 1.2e-3),
];
/// Table 8, finite differences: (ε, Δt, L2RE, MSE(x_s), seconds); DeepONet inference 0.2 s.
const PAPER_T8: [(f64, f64, f64, f64, f64); 3] = [
    (0.5, 5e-5, 1.63e-12, 7.35e-13, 239.98),
    (0.1, 1e-5, 5.83e-4, 1.57e-5, 1239.77),
    (0.05, 5e-6, 1.01e-2, 4.20e-3, 2416.23),
];
/// The methods: (name, preset file, built-in copy). All train by Strategy 2 with the homotopy
/// loss: the paper's recipe (Adam stages) with the paper's DeepONet and with a stacked one, and
/// ours (a smaller stacked DeepONet on fewer inputs and points, Levenberg–Marquardt stages).
/// The first one's operators are timed in Table 8 and drawn in Fig. 6.
const METHODS: [(&str, &str, &str); 3] = [
    (
        "eq61",
        "burgers_operator_eq61.toml",
        include_str!("../../presets/burgers_operator_eq61.toml"),
    ),
    (
        "stacked",
        "burgers_operator_homotopy.toml",
        include_str!("../../presets/burgers_operator_homotopy.toml"),
    ),
    (
        "lm",
        "burgers_operator_lm.toml",
        include_str!("../../presets/burgers_operator_lm.toml"),
    ),
];
/// Test inputs drawn in Fig. 6.
const SHOWN: usize = 12;
/// Stages drawn in the evolution figure.
const EVOLUTION_CURVES: usize = 7;
/// Inputs of the batched inference timing.
const BATCH: usize = 1000;

/// One trained operator (one cell).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OperatorRow {
    pub method: String,
    pub eps_star: f64,
    pub seed: u64,
    /// ½ mean H² over the training inputs' residual points at the end (s = 0): L_H.
    pub loss_h: f64,
    /// L_H + λL_bc.
    pub loss: f64,
    /// On the held-out inputs against the finite-difference steady state.
    pub l2re: f64,
    /// Mean over the held-out inputs of (x_s − ½)², a profile without a sign change counted
    /// as ½ away.
    pub shock_mse: f64,
    /// The largest |x_s − ½| over the held-out inputs (½ for a profile without a sign change).
    pub shock_max: f64,
    /// How many held-out inputs have their shock within [`SHOCK_TOLERANCE`] of ½ …
    pub shock_within: usize,
    /// … of this many.
    pub test_inputs: usize,
    pub steps: usize,
    pub seconds: f64,
    pub end: String,
}

/// What a cell stores: its row and what Fig. 6 draws.
#[derive(Serialize, Deserialize)]
struct CellOut {
    row: OperatorRow,
    /// Evaluation coordinates of one input.
    y: Vec<f64>,
    /// u₀, prediction and reference of the first [`SHOWN`] test inputs (input-major).
    u0: Vec<f64>,
    predicted: Vec<f64>,
    reference: Vec<f64>,
    /// Test input 0 as each stage ended: (s, u).
    evolution: Vec<(f64, Vec<f64>)>,
    /// θ at the end (Table 8 times its inference).
    theta: Vec<f64>,
}

/// The preset at ε*: the path from s = 1 (p = 1 + ε*) down to s = 0.
fn at_eps(base: &RunConfig, eps_star: f64, seed: u64) -> RunConfig {
    let mut c = base.clone();
    c.problem.eps = eps_star;
    c.strategy.eps_start = 1.0 + eps_star;
    c.training.seed = seed;
    c
}

fn run_cell(
    (method, base): (&str, &RunConfig),
    (eps_star, seed): (f64, u64),
    say: &(dyn Fn(String) + Sync),
) -> Result<CellOut> {
    let device = backend::cpu().context("CPU device")?;
    let started = Instant::now();
    let config = at_eps(base, eps_star, seed);
    config
        .validate()
        .map_err(|e| anyhow::anyhow!("operator preset at ε* = {eps_star}: {e}"))?;
    let mut session = Session::new(config, &device);
    let problem = session.problem().clone();
    let op = problem
        .operator_points(PointRole::Eval)
        .context("the operator preset's problem has no operator batches")?
        .clone();
    let m = op.y.len();
    let path_end = eps_star;
    let mut evolution = Vec::new();
    while let Some(p) = session.step()? {
        super::progress::report(&session);
        for st in &p.stages {
            if st.u.len() >= m {
                let s = (st.eps - path_end).max(0.0);
                evolution.push((s, st.u[..m].to_vec()));
            }
        }
        if p.end.is_some() {
            break;
        }
    }
    let eval = session.evaluate();
    let reference = problem
        .reference(path_end)
        .context("the steady state reference")?
        .values;
    let loss = session.current_loss()?;
    let shown = SHOWN.min(op.n_inputs()) * m;
    let u0: Vec<f64> = op
        .inputs
        .chunks(op.sensors)
        .take(SHOWN)
        .flat_map(|row| interpolate_uniform(row, &op.y))
        .collect();
    let distances = shock_distances(&op.y, &eval.u);
    let row = OperatorRow {
        method: method.to_string(),
        eps_star,
        seed,
        loss_h: loss.residual,
        loss: loss.total,
        l2re: relative_l2(&eval.u, &reference),
        shock_mse: mean_square(&distances),
        shock_max: distances.iter().copied().fold(0.0, f64::max),
        shock_within: distances.iter().filter(|d| **d <= SHOCK_TOLERANCE).count(),
        test_inputs: distances.len(),
        steps: session.state().step,
        seconds: started.elapsed().as_secs_f64(),
        end: session
            .end_reason()
            .map_or("running".into(), |e| e.name().to_string()),
    };
    say(format!(
        "[bo seed {seed}] {method} at ε* = {eps_star}: L_H {:.2e}, L2RE {:.2e}, MSE(x_s) {:.2e}, shock within {SHOCK_TOLERANCE} for {}/{} inputs, {:.0} s",
        row.loss_h, row.l2re, row.shock_mse, row.shock_within, row.test_inputs, row.seconds
    ));
    Ok(CellOut {
        row,
        y: op.y.clone(),
        u0,
        predicted: eval.u[..shown].to_vec(),
        reference: reference[..shown].to_vec(),
        evolution,
        theta: session.state().theta.clone(),
    })
}

/// Table 8's rows: (ε, Δt, FD L2RE, FD MSE(x_s), FD seconds, t reached, Newton seconds,
/// inference seconds per input, per 1000 inputs).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SolverRow {
    pub eps: f64,
    pub dt: f64,
    pub march_l2re: f64,
    /// The marched state against the Newton solution on the same grid.
    pub march_vs_newton: f64,
    pub march_shock_mse: f64,
    pub march_seconds: f64,
    pub march_t: f64,
    pub march_steps: usize,
    pub newton_seconds: f64,
    pub newton_l2re: f64,
    pub inference_seconds_one: f64,
    pub inference_seconds_batch: f64,
}

/// `bo` in the registry ([`super::REPRODUCTIONS`]).
pub const PAGE: Page = Page {
    id: "bo",
    full_note: "`--full` changes nothing here: the Adam presets already have the paper's 128-point grid for inputs and outputs (the `lm` preset trains on 20 inputs × 30 points, our choice so that its Jacobian rows fit the dense least-squares route), and the paper states neither the number of training inputs nor its step counts.",
    scale_full: |_| {},
    run: run_page,
};

/// Run the cells as `opts.mode` asks and write `reproduce.md`, `operator.json` and the figures.
fn run_page(opts: &ReproduceOptions) -> Result<Said> {
    let (md, line, cells) = match run(opts)? {
        Step::Page(page) => page,
        Step::Done(said) => return Ok(said),
    };
    let page = format!(
        "# Burgers operator learning (`reproduce bo`; homotopy paper §5.3, Tables 5 and 8, Fig. 6)\n\n{md}\n{}",
        PAGE.scale_line(opts.full)
    );
    write_atomic(&opts.out_dir.join("reproduce.md"), page.as_bytes())?;
    Ok(Said {
        lines: vec![line],
        cells,
    })
}

/// The page's body (markdown), its summary line and cell count, with its figures and
/// `operator.json` written; or what the mode said when it writes no page.
fn run(opts: &ReproduceOptions) -> Result<Step<(String, String, usize)>> {
    let mut methods = Vec::new();
    for (name, file, builtin) in METHODS {
        let (config, from) = opts.preset("bo", name, file, builtin)?;
        methods.push((name, config, from));
    }
    let mut cell_list = Vec::new();
    for seed in 0..opts.seeds {
        for k in 0..methods.len() {
            for &e in &EPS {
                cell_list.push((k, e, seed));
            }
        }
    }
    let material = cells::material_of(methods.iter().map(|(_, c, _)| c));
    let outs = match cells::run(
        opts,
        "bo",
        &material,
        &cell_list,
        |&(k, e, seed)| format!("seed {seed}, {} at ε* = {e}", methods[k].0),
        |&(k, e, seed), say| run_cell((methods[k].0, &methods[k].1), (e, seed), say),
    )? {
        Step::Page(outs) => outs,
        Step::Done(said) => return Ok(Step::Done(said)),
    };
    let n_cells = cell_list.len();
    let rows: Vec<OperatorRow> = outs.iter().map(|o| o.row.clone()).collect();
    let base = &methods[0].1;
    let op = base.problem.operator.unwrap_or_default();
    let mut md = format!(
        "The paper's DeepONet learns u₀ ↦ u∞ over random inputs u₀ ~ N(0, {}²(−Δ + {}I)^−{}) on a {}-point grid, without solution data, by the s-homotopy of eq. 62 with ε(s) = max(s, ε*). Ours: {} held-out test inputs × {} points, and per method below its training inputs, residual points, network and stages, from s = 1 (Phase I) down to s = 0. L2RE and the squared shock-position error are on the held-out inputs against the finite-difference steady state (which does not depend on u₀); L_H = ½ mean H² at s = 0 on the training inputs. Median [range] over {} seeds.\n\n",
        op.grf.sigma,
        op.grf.tau2,
        op.grf.alpha,
        op.sensors,
        op.test_inputs,
        base.problem.n_eval,
        opts.seeds,
    );
    for (name, config, from) in &methods {
        let net = config.build_network(config.build_problem().as_ref());
        let inputs = config.problem.operator.unwrap_or_default().inputs;
        md.push_str(&format!(
            "- `{name}` (preset: {from}): {inputs} training inputs × {} residual points; {}; {}",
            config.problem.n_res,
            config.method_label(),
            net.label()
        ));
        if let Some(d) = &config.network.deeponet
            && let Some(spread) = d.trunk_spread
        {
            md.push_str(&format!(
                ", first trunk layer started as tanh ramps spread over [0, 1] with slopes of standard deviation {spread} (Xavier's are too gentle for the shock)"
            ));
        }
        md.push_str(".\n");
    }
    md.push_str(&format!("\n| method | ε* | L_H (paper) | L_H (ours) | L2RE (paper) | L2RE (ours) | MSE(x_s) (paper) | MSE(x_s) (ours) | max \\|x_s − ½\\| (ours) | shock within {SHOCK_TOLERANCE} (ours, every seed) | seconds per run |\n|---|---|---|---|---|---|---|---|---|---|---|\n"));
    for (name, ..) in &methods {
        for (e, lh, l2, mse) in PAPER_T5 {
            let of = |f: fn(&OperatorRow) -> f64| -> Vec<f64> {
                rows.iter()
                    .filter(|r| r.eps_star == e && r.method == *name)
                    .map(f)
                    .collect()
            };
            md.push_str(&format!(
                "| {name} | {e} | {lh:.2e} | {} | {l2:.2e} | {} | {mse:.2e} | {} | {} | {} | {} |\n",
                fmt_stat(&of(|r| r.loss_h)),
                fmt_stat(&of(|r| r.l2re)),
                fmt_stat(&of(|r| r.shock_mse)),
                fmt_stat(&of(|r| r.shock_max)),
                within_counts(rows.iter().filter(|r| r.eps_star == e && r.method == *name)),
                {
                    let (med, ..) = super::median_spread(&of(|r| r.seconds));
                    format!("{med:.0}")
                },
            ));
        }
    }
    // Table 8: the solvers, timed now.
    let first = methods[0].0;
    let solvers = solver_rows(
        base,
        outs.iter()
            .filter(|o| o.row.method == first)
            .map(|o| (o.row.eps_star, o.row.seed, &o.theta)),
    )?;
    md.push_str(&format!(
        "\nTable 8: finite differences on the same {}-point grid from the first test input, explicit Euler in time (central differences) with the paper's Δt until max |u_t| < {MARCH_TOL:e} (or t = {MARCH_T_MAX}), against our Newton solve of the steady state on that grid and against the trained DeepONet (`{first}`, seed 0; inference on one input, and on {BATCH} inputs in one batch). L2RE and MSE(x_s) of the finite-difference solutions are against the fine-grid steady state (20 times finer).\n\n| ε | Δt | FD L2RE (paper) | FD L2RE (ours) | FD MSE(x_s) (paper) | FD MSE(x_s) (ours) | FD seconds (paper) | FD seconds (ours; t reached, steps) | Newton seconds (L2RE) | DeepONet inference (paper) | ours, 1 input | ours, {BATCH} inputs |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        base.problem.n_eval
    ));
    for (s, (e, dt, l2, mse, secs)) in solvers.iter().zip(PAPER_T8) {
        md.push_str(&format!(
            "| {e} | {dt:.0e} | {l2:.2e} | {:.2e} (same-grid Newton: {:.1e}) | {mse:.2e} | {:.2e} | {secs:.0} | {:.2} ({}, {} steps) | {:.1e} ({:.1e}) | 0.2 | {:.1e} | {:.1e} |\n",
            s.march_l2re,
            s.march_vs_newton,
            s.march_shock_mse,
            s.march_seconds,
            if s.march_t >= MARCH_T_MAX {
                format!("stopped at t = {MARCH_T_MAX}, not settled")
            } else {
                format!("settled at t = {:.2}", s.march_t)
            },
            s.march_steps,
            s.newton_seconds,
            s.newton_l2re,
            s.inference_seconds_one,
            s.inference_seconds_batch,
        ));
    }
    if let Some(last) = solvers.last() {
        let per_input = last.inference_seconds_batch / BATCH as f64;
        let compare = |a: f64, b: f64| {
            if a < b {
                format!("{:.0}× faster than", b / a)
            } else {
                format!("{:.0}× slower than", a / b)
            }
        };
        md.push_str(&format!(
            "\nAt ε = {}: time marching took {:.2} s, the Newton solve of the same grid {:.1e} s ({} marching); the DeepONet takes {:.1e} s for one input and {:.1e} s per input in a batch of {BATCH}, {} the Newton solve per input.\n",
            last.eps,
            last.march_seconds,
            last.newton_seconds,
            compare(last.newton_seconds, last.march_seconds),
            last.inference_seconds_one,
            per_input,
            compare(per_input, last.newton_seconds),
        ));
    }
    md.push_str("\nFig. 6: `operator_fig6.svg`: the first 12 test inputs u₀, their predicted steady states and the reference, one panel per ε* (the first method, seed 0); `operator_evolution.svg`: test input 0 along s at seven stages from s = 1 to s = 0 (the first method, ε* = 0.05, seed 0).\n");
    let drawn: Vec<&CellOut> = outs.iter().filter(|o| o.row.method == first).collect();
    write_figures(opts, &drawn)?;
    write_atomic(
        &opts.out_dir.join("operator.json"),
        serde_json::to_string_pretty(&(&rows, &solvers))?.as_bytes(),
    )?;
    let best = methods
        .iter()
        .flat_map(|(name, ..)| EPS.iter().map(move |&e| (*name, e)))
        .map(|(name, e)| {
            let l: Vec<f64> = rows
                .iter()
                .filter(|r| r.eps_star == e && r.method == name)
                .map(|r| r.l2re)
                .collect();
            format!("{name} ε* = {e}: L2RE {}", fmt_stat(&l))
        })
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Step::Page((
        md,
        format!("operator (DeepONet): {best}"),
        n_cells,
    )))
}

/// Table 8 from the trained operators (`(ε*, seed, θ)`; seed 0 is timed).
fn solver_rows<'a>(
    base: &RunConfig,
    trained: impl Iterator<Item = (f64, u64, &'a Vec<f64>)>,
) -> Result<Vec<SolverRow>> {
    let trained: Vec<(f64, u64, &Vec<f64>)> = trained.collect();
    let mut rows = Vec::new();
    for (e, dt, ..) in PAPER_T8 {
        let config = at_eps(base, e, 0);
        let problem = config.build_problem();
        let op = problem
            .operator_points(PointRole::Eval)
            .context("operator batches")?;
        let y = &op.y;
        let m = y.len();
        let u0 = interpolate_uniform(&op.inputs[..op.sensors], y);
        // The fine steady state, sampled at the grid's nodes.
        let refine = 20;
        let fine = Burgers1d::finite_difference(e, (m - 1) * refine)
            .context("fine finite-difference steady state")?;
        let exact: Vec<f64> = (0..m).map(|i| fine[i * refine]).collect();
        let started = Instant::now();
        let (marched, t, steps) = march(e, dt, y, &u0, MARCH_TOL, MARCH_T_MAX);
        let march_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let newton = newton_steady(e, m - 1).context("Newton steady state")?;
        let newton_seconds = started.elapsed().as_secs_f64();
        // Inference: the seed-0 operator of this ε* on one input and on a batch.
        let theta = trained
            .iter()
            .find(|(te, seed, _)| *te == e && *seed == 0)
            .map(|(_, _, t)| (*t).clone());
        let (one, batch) = match theta {
            Some(theta) => {
                let net = config.build_network(problem.as_ref());
                let grf = Grf::new(config.problem.operator.unwrap_or_default().grf, op.sensors);
                let inputs = grf.sample(BATCH, 777);
                let ch = Channels::new(1, DerivOrder::Value);
                let single = OperatorPoints {
                    inputs: inputs[..op.sensors].to_vec(),
                    y: y.clone(),
                    sensors: op.sensors,
                };
                let reps = 100;
                let started = Instant::now();
                for _ in 0..reps {
                    std::hint::black_box(net.evaluate(&theta, &[], Some(&single), ch)?);
                }
                let one = started.elapsed().as_secs_f64() / reps as f64;
                let all = OperatorPoints {
                    inputs,
                    y: y.clone(),
                    sensors: op.sensors,
                };
                let started = Instant::now();
                std::hint::black_box(net.evaluate(&theta, &[], Some(&all), ch)?);
                (one, started.elapsed().as_secs_f64())
            }
            None => (f64::NAN, f64::NAN),
        };
        rows.push(SolverRow {
            eps: e,
            dt,
            march_l2re: relative_l2(&marched, &exact),
            march_vs_newton: relative_l2(&marched, &newton),
            march_shock_mse: shock_mse(y, &marched),
            march_seconds,
            march_t: t,
            march_steps: steps,
            newton_seconds,
            newton_l2re: relative_l2(&newton, &exact),
            inference_seconds_one: one,
            inference_seconds_batch: batch,
        });
    }
    Ok(rows)
}

fn write_figures(opts: &ReproduceOptions, outs: &[&CellOut]) -> Result<()> {
    let mut panels = Vec::new();
    for &e in &EPS {
        let Some(o) = outs.iter().find(|o| o.row.eps_star == e && o.row.seed == 0) else {
            continue;
        };
        let m = o.y.len();
        let mut fig = Figure::new(&format!("ε* = {e}: test inputs and predictions"), "x", "u");
        for (k, ((u0, u), r)) in
            o.u0.chunks(m)
                .zip(o.predicted.chunks(m))
                .zip(o.reference.chunks(m))
                .enumerate()
        {
            let pts = |v: &[f64]| o.y.iter().copied().zip(v.iter().copied()).collect();
            let first = k == 0;
            fig.series.push(Series {
                label: if first { "u₀".into() } else { String::new() },
                points: pts(u0),
                mark: Mark::Line,
                color: palette(1),
            });
            fig.series.push(Series {
                label: if first {
                    "DeepONet".into()
                } else {
                    String::new()
                },
                points: pts(u),
                mark: Mark::Line,
                color: palette(0),
            });
            if first {
                fig.series.push(Series {
                    label: "FD steady state".into(),
                    points: pts(r),
                    mark: Mark::Reference,
                    color: palette(2),
                });
            }
        }
        panels.push(fig);
    }
    let refs: Vec<&Figure> = panels.iter().collect();
    if !refs.is_empty() {
        opts.figures
            .write(&refs, refs.len(), &opts.out_dir, "operator_fig6")?;
    }
    if let Some(o) = outs
        .iter()
        .find(|o| o.row.eps_star == 0.05 && o.row.seed == 0)
    {
        let mut fig = Figure::new("Test input 0 along s (ε* = 0.05)", "x", "u");
        // At most seven stages, evenly spaced along the path, the first and the last included.
        let n = o.evolution.len();
        let shown = EVOLUTION_CURVES.min(n);
        for j in 0..shown {
            let k = if shown == 1 {
                0
            } else {
                j * (n - 1) / (shown - 1)
            };
            let (s, u) = &o.evolution[k];
            fig.series.push(Series {
                label: format!("s = {s:.3}"),
                points: o.y.iter().copied().zip(u.iter().copied()).collect(),
                mark: Mark::Line,
                color: palette(j),
            });
        }
        opts.figures
            .write_one(&fig, &opts.out_dir, "operator_evolution")?;
    }
    Ok(())
}

/// "k/n inputs" for each seed's row, in seed order ("—" when there are none).
fn within_counts<'a>(rows: impl Iterator<Item = &'a OperatorRow>) -> String {
    let mut rows: Vec<&OperatorRow> = rows.collect();
    rows.sort_by_key(|r| r.seed);
    if rows.is_empty() {
        return "—".into();
    }
    rows.iter()
        .map(|r| format!("{}/{}", r.shock_within, r.test_inputs))
        .collect::<Vec<_>>()
        .join(", ")
}
