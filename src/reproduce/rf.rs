//! `reproduce rf`: the random-feature model (convergence-guarantees paper) — train only the
//! output layer of a two-layer network on a nonlinear PDE with gradient descent and with
//! implicit gradient descent (the closed-form linearized implicit step, and ISGD) at several
//! step sizes, and follow the norm of the trained parameters (the paper's implicit-
//! regularization claim: the implicit dynamics keep ‖θ‖ bounded).

use std::time::Instant;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::cells::{self, Step};
use super::{Page, ReproduceOptions, Reproduction, Said};
use crate::config::{OptimizerKind, RunConfig};
use crate::export::figure::{Figure, Mark};
use crate::export::write_atomic;

/// Step sizes η (GD's learning rate, the implicit step's α).
pub const STEP_SIZES: [f64; 3] = [0.1, 1.0, 10.0];
const METHODS: [(&str, OptimizerKind); 3] = [
    ("gd", OptimizerKind::Sgd),
    ("implicit_gn", OptimizerKind::ImplicitGn),
    ("isgd", OptimizerKind::Isgd),
];
const PRESET: (&str, &str) = (
    "random_features_allen_cahn.toml",
    include_str!("../../presets/random_features_allen_cahn.toml"),
);

/// One run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RfRow {
    pub method: String,
    pub step_size: f64,
    pub seed: u64,
    pub norm_start: f64,
    pub norm_end: f64,
    pub norm_max: f64,
    pub loss_end: f64,
    pub l2re: Option<f64>,
    pub end: String,
    #[serde(skip)]
    pub trace: Vec<(f64, f64)>,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// `rf` in the registry ([`super::REPRODUCTIONS`]).
pub const PAGE: Page = Page {
    id: "rf",
    full_note: super::full::RF_NOTE,
    scale_full: |_| {},
    run,
};

/// What one run contributes (stored as a cell, [`cells`]).
#[derive(Serialize, Deserialize)]
struct CellOut {
    row: RfRow,
    /// (step, ‖θ‖) every 10 steps (not in the table, so stored beside the row).
    trace: Vec<(f64, f64)>,
    seconds: f64,
}

/// One run: `base` with optimizer `kind` at step size `eta`, seed `seed`.
fn run_cell(
    base: &RunConfig,
    (name, kind, eta, seed): (&str, OptimizerKind, f64, u64),
    say: &(dyn Fn(String) + Sync),
) -> Result<CellOut> {
    let started = Instant::now();
    let mut session = super::session_with_optimizer(base, kind, eta, seed)?;
    let from_idx = session.objective().trainable_from();
    let norm_start = norm(&session.state().theta[from_idx..]);
    let mut trace = vec![(0.0, norm_start)];
    let mut norm_max = norm_start;
    while let Some(p) = session.step()? {
        super::progress::report(&session);
        let n = norm(&session.state().theta[from_idx..]);
        norm_max = norm_max.max(n);
        if p.report.step % 10 == 0 {
            trace.push((p.report.step as f64, n));
        }
        if p.end.is_some() {
            break;
        }
    }
    let eval = session.evaluate();
    let row = RfRow {
        method: name.into(),
        step_size: eta,
        seed,
        norm_start,
        norm_end: norm(&session.state().theta[from_idx..]),
        norm_max,
        loss_end: session.current_loss()?.total,
        l2re: eval.accuracy.l2re_exact,
        end: session
            .end_reason()
            .map_or("running".into(), |e| e.name().to_string()),
        trace: Vec::new(),
    };
    say(format!(
        "[rf seed {seed}] {name} η = {eta}: ‖θ‖ {:.3} → {:.3} (max {:.3}), loss {:.3e}, {}",
        row.norm_start, row.norm_end, row.norm_max, row.loss_end, row.end
    ));
    Ok(CellOut {
        row,
        trace,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Run every (method, η, seed) as `opts.mode` asks.
pub fn run(opts: &ReproduceOptions) -> Result<Said> {
    let (base, from) = opts.preset("rf", "base", PRESET.0, PRESET.1)?;
    if !base.network.train_output_only {
        anyhow::bail!("{from}: the random-feature lab needs network.train_output_only = true");
    }
    let mut cells = Vec::new();
    for (name, kind) in METHODS {
        for &eta in &STEP_SIZES {
            for seed in 0..opts.seeds {
                cells.push((name, kind, eta, seed));
            }
        }
    }
    let outs = match cells::run(
        opts,
        "rf",
        &base.to_toml_string(),
        &cells,
        |&(name, _, eta, seed)| format!("seed {seed}, {name} at η = {eta}"),
        |&cell, say| run_cell(&base, cell, say),
    )? {
        Step::Page(outs) => outs,
        Step::Done(said) => return Ok(said),
    };
    let seconds: f64 = outs.iter().map(|o| o.seconds).sum();
    let rows: Vec<RfRow> = outs
        .into_iter()
        .map(|o| RfRow {
            trace: o.trace,
            ..o.row
        })
        .collect();
    let mut md = format!(
        "# Random-feature model (`reproduce rf`)\n\n{} at ε = {}, two-layer tanh network of width {} with the hidden layer frozen at its N(0, 1) initialization; only the output layer (1/√N scaling) is trained, {} steps (preset: {from}). ‖θ‖ is the norm of the trained layer. Methods: gradient descent θ ← θ − η∇L; the linearized implicit step θ ← θ − (I/η + JᵀJ)⁻¹Jᵀr; ISGD ({} implicit steps of {} inner Adam steps, then Adam). The paper's claim: the implicit dynamics keep ‖θ‖ bounded whatever the step size, while explicit gradient descent needs η below 2/λ_max.\n\n| method | η | ‖θ‖ start | ‖θ‖ end | max ‖θ‖ | loss end | L2RE | how it ended |\n|---|---|---|---|---|---|---|---|\n",
        base.problem.kind.label(),
        base.problem.eps,
        base.network.hidden[0],
        base.training.max_steps,
        base.optimizer.isgd.outer_steps,
        base.optimizer.isgd.inner_steps,
    );
    for r in &rows {
        md.push_str(&format!(
            "| {} | {} | {:.3} | {:.3e} | {:.3e} | {:.2e} | {} | {} |\n",
            r.method,
            r.step_size,
            r.norm_start,
            r.norm_end,
            r.norm_max,
            r.loss_end,
            r.l2re.map_or("—".into(), |v| format!("{v:.2e}")),
            r.end
        ));
    }
    md.push('\n');
    md.push_str(&PAGE.scale_line(opts.full));
    md.push_str(&format!(
        "All runs: {seconds:.0} s added up (wherever and however many at a time they ran). Figure: `norm.svg`, ‖θ‖ over training, a panel per method (seed 0).\n"
    ));
    write_atomic(&opts.out_dir.join("reproduce.md"), md.as_bytes())?;
    super::write_json_and_table(&opts.out_dir, &rows, &rows)?;
    // One panel per method, a curve per step size (its colour the same in every panel).
    let mut panels = Vec::new();
    for (name, _) in METHODS {
        let mut fig = Figure::new(&super::method_label(name), "step", "‖θ‖").log_y();
        for r in rows.iter().filter(|r| r.seed == 0 && r.method == name) {
            let pts = super::drawable_on_log_y(&r.trace);
            // A run that blew up stops within a sample or two of its start: the legend says
            // how far ‖θ‖ went, which the axis (scaled to the others) does not show.
            let diverged = if !r.norm_end.is_finite() || r.norm_max > 1e6 * r.norm_start {
                if r.norm_max.is_finite() {
                    format!(" (diverged, to {:.0e})", r.norm_max)
                } else {
                    " (diverged to ∞)".to_string()
                }
            } else {
                String::new()
            };
            let k = STEP_SIZES
                .iter()
                .position(|&e| e == r.step_size)
                .unwrap_or(0);
            fig.series.push(crate::export::figure::Series {
                label: format!("η = {}{diverged}", r.step_size),
                points: pts,
                mark: Mark::Line,
                color: crate::export::figure::palette(k),
            });
        }
        panels.push(fig);
    }
    let refs: Vec<&Figure> = panels.iter().collect();
    opts.figures
        .write(&refs, refs.len(), &opts.out_dir, "norm")?;
    let lines = METHODS
        .iter()
        .map(|(name, _)| {
            let worst = rows
                .iter()
                .filter(|r| r.method == *name)
                .map(|r| r.norm_max)
                .fold(0.0, f64::max);
            format!("{name}: largest ‖θ‖ over all η and seeds = {worst:.3e}")
        })
        .collect();
    Ok(Said {
        lines,
        cells: cells.len(),
    })
}
