//! `reproduce ff`: the ISGD paper's function fits (App. C.1, Figs. 5–6) — a 4 × 50 tanh network
//! fitted to the multiscale eq. 45 and the discontinuous eq. 46 on [−3, 3] by SGD, Adam and
//! ISGD at the learning rates 0.005, 0.05, 0.5 and 2.5. The paper's claim: at the small rates
//! all three learn both functions (slowly), at 0.05 only ISGD captures eq. 45's high
//! frequencies in its budget, and at 0.5 and 2.5 SGD and Adam fail or explode while ISGD still
//! fits. The table gives each run's final loss, L2RE and how it ended; the figures its loss
//! over the steps and the fitted functions (seed 0), one panel per rate.

use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::cells::{self, Step};
use super::{Page, ReproduceOptions, Reproduction, Said, fmt_stat};
use crate::config::{OptimizerKind, RunConfig};
use crate::export::figure::{Figure, Mark};
use crate::export::write_atomic;

/// The paper's learning rates (for ISGD: the implicit step size α).
pub const RATES: [f64; 4] = [0.005, 0.05, 0.5, 2.5];
const OPTIMIZERS: [(&str, OptimizerKind); 3] = [
    ("sgd", OptimizerKind::Sgd),
    ("adam", OptimizerKind::Adam),
    ("isgd", OptimizerKind::Isgd),
];
/// (name, preset file, text) of each function's base preset.
const FUNCTIONS: [(&str, &str, &str); 2] = [
    (
        "eq45",
        "isgd_multiscale_fit.toml",
        include_str!("../../presets/isgd_multiscale_fit.toml"),
    ),
    (
        "eq46",
        "isgd_discontinuous_fit.toml",
        include_str!("../../presets/isgd_discontinuous_fit.toml"),
    ),
];

/// `ff` in the registry ([`super::REPRODUCTIONS`]).
pub const PAGE: Page = Page {
    id: "ff",
    full_note: "every run takes the paper's longest budget, 3.5·10⁵ steps (its ISGD at rate 0.005 needs up to 350 K epochs).",
    scale_full: |c| c.training.max_steps = 350_000,
    run,
};

/// One run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FitRow {
    pub function: String,
    pub optimizer: String,
    pub rate: f64,
    pub seed: u64,
    pub loss_end: f64,
    pub loss_max: f64,
    pub l2re: Option<f64>,
    pub end: String,
    pub steps: usize,
    pub seconds: f64,
}

/// What one run stores (its row, and seed 0's curves for the figures).
#[derive(Serialize, Deserialize)]
struct CellOut {
    row: FitRow,
    /// (step, loss) as the history kept it.
    loss: Vec<(f64, f64)>,
    /// (x, u_θ) on the evaluation grid.
    solution: Vec<(f64, f64)>,
}

fn run_cell(
    base: &RunConfig,
    (function, optimizer, kind, rate, seed): (&str, &str, OptimizerKind, f64, u64),
    say: &(dyn Fn(String) + Sync),
) -> Result<CellOut> {
    let started = Instant::now();
    let mut session = super::session_with_optimizer(base, kind, rate, seed)
        .with_context(|| format!("{function} with {optimizer}"))?;
    let mut loss_max = f64::NEG_INFINITY;
    while let Some(p) = session.step()? {
        super::progress::report(&session);
        loss_max = loss_max.max(p.report.loss.total);
        if p.end.is_some() {
            break;
        }
    }
    let eval = session.evaluate();
    let loss: Vec<(f64, f64)> = session
        .history()
        .iter()
        .map(|h| (h.step as f64, h.loss))
        .collect();
    let x = session.problem().eval_points().to_vec();
    let solution = x.into_iter().zip(eval.u.iter().copied()).collect();
    let row = FitRow {
        function: function.into(),
        optimizer: optimizer.into(),
        rate,
        seed,
        loss_end: session.current_loss()?.total,
        loss_max,
        l2re: eval.accuracy.l2re_exact,
        end: session
            .end_reason()
            .map_or("running".into(), |e| e.name().to_string()),
        steps: session.state().step,
        seconds: started.elapsed().as_secs_f64(),
    };
    say(format!(
        "[ff seed {seed}] {function} {optimizer} rate {rate}: loss {:.3e}, L2RE {}, {}",
        row.loss_end,
        row.l2re.map_or("—".into(), |v| format!("{v:.3e}")),
        row.end
    ));
    Ok(CellOut {
        row,
        loss,
        solution,
    })
}

fn run(opts: &ReproduceOptions) -> Result<Said> {
    let mut bases = Vec::new();
    let mut sources = Vec::new();
    for (name, file, text) in FUNCTIONS {
        // (`preset` applies `--full`'s sizes.)
        let (config, from) = opts.preset("ff", name, file, text)?;
        sources.push(format!("`{name}`: {from}"));
        bases.push((name, config));
    }
    let mut cells = Vec::new();
    for (k, (name, _)) in bases.iter().enumerate() {
        for (opt, kind) in OPTIMIZERS {
            for &rate in &RATES {
                for seed in 0..opts.seeds {
                    cells.push((k, *name, opt, kind, rate, seed));
                }
            }
        }
    }
    let material: String = bases.iter().map(|(_, c)| c.to_toml_string()).collect();
    let outs: Vec<CellOut> = match cells::run(
        opts,
        "ff",
        &material,
        &cells,
        |&(_, f, opt, _, rate, seed)| format!("seed {seed}, {f} with {opt} at rate {rate}"),
        |&(k, f, opt, kind, rate, seed), say| {
            run_cell(&bases[k].1, (f, opt, kind, rate, seed), say)
        },
    )? {
        Step::Page(outs) => outs,
        Step::Done(said) => return Ok(said),
    };
    let rows: Vec<FitRow> = outs.iter().map(|o| o.row.clone()).collect();
    let base = &bases[0].1;
    let mut md = format!(
        "# Reproduction `ff`: the ISGD paper's function fits (App. C.1, Figs. 5–6)\n\n\
         H(u) = u − g(x) on [−3, 3]: eq. 45, g = (x³ − x) sin(4x)/4 + sin(12x)/(x² + 1) (multiscale), and eq. 46, g = sin 4x for x ≤ 0 and 2 + x sin x for x > 0 (a jump of 2 at 0). \
         A {depth} × {width} {act} network (the paper's is 4 × 50 tanh), on {n_res} {sampling} points and {n_bc} at the ends, {steps} steps a run (the paper trains up to 3.5·10⁵ epochs; its point count is not stated){differs}. \
         SGD and Adam take the rate as their learning rate; ISGD takes it as its implicit step α, solved by {inner} inner Adam steps (rate {inner_lr}) for {outer} implicit steps, then Adam at rate {final_lr}. \
         The paper's claim: at 0.005 all three learn both functions slowly; at 0.05 only ISGD captures eq. 45's high frequencies in its budget; at 0.5 and 2.5 SGD and Adam fail or explode while ISGD still fits. \
         Presets: {sources}. Seeds 0–{last} (median [min, max]).\n\n\
         | function | optimizer | rate | loss at the end | largest loss | L2RE | how runs ended |\n|---|---|---|---|---|---|---|\n",
        act = base.network.activation.name(),
        sampling = match base.problem.sampling {
            crate::problem::Sampling::Grid => "grid",
            crate::problem::Sampling::Random => "random",
        },
        n_bc = base.problem.n_bc,
        differs = {
            // The sizes are eq. 45's preset's; say so when eq. 46's are not the same.
            let same = |a: &RunConfig, b: &RunConfig| {
                a.network == b.network
                    && (a.problem.n_res, a.problem.n_bc) == (b.problem.n_res, b.problem.n_bc)
                    && a.training.max_steps == b.training.max_steps
                    && a.optimizer.isgd == b.optimizer.isgd
            };
            if bases.iter().all(|(_, c)| same(c, base)) {
                ""
            } else {
                " — these are eq. 45's preset's settings; eq. 46's differ (see its preset)"
            }
        },
        depth = base.network.hidden.len(),
        width = base.network.hidden.first().copied().unwrap_or(0),
        n_res = base.problem.n_res,
        steps = base.training.max_steps,
        inner = base.optimizer.isgd.inner_steps,
        inner_lr = base.optimizer.isgd.inner_lr,
        outer = base.optimizer.isgd.outer_steps,
        final_lr = base.optimizer.isgd.final_lr,
        sources = sources.join("; "),
        last = opts.seeds.saturating_sub(1),
    );
    for (name, _) in &bases {
        for (opt, _) in OPTIMIZERS {
            for &rate in &RATES {
                let group: Vec<&FitRow> = rows
                    .iter()
                    .filter(|r| r.function == *name && r.optimizer == opt && r.rate == rate)
                    .collect();
                if group.is_empty() {
                    continue;
                }
                let mut ends: Vec<String> = group.iter().map(|r| r.end.clone()).collect();
                ends.sort();
                ends.dedup();
                md.push_str(&format!(
                    "| {name} | {} | {rate} | {} | {} | {} | {} |\n",
                    super::method_label(opt),
                    fmt_stat(&group.iter().map(|r| r.loss_end).collect::<Vec<_>>()),
                    fmt_stat(&group.iter().map(|r| r.loss_max).collect::<Vec<_>>()),
                    fmt_stat(&group.iter().filter_map(|r| r.l2re).collect::<Vec<_>>()),
                    ends.join("; ")
                ));
            }
        }
    }
    md.push('\n');
    md.push_str(&PAGE.scale_line(opts.full));
    let seconds: f64 = rows.iter().map(|r| r.seconds).sum();
    md.push_str(&format!(
        "All runs: {seconds:.0} s added up. Figures (seed 0, one panel per rate): `eq45_loss.svg`, `eq45_fit.svg`, `eq46_loss.svg`, `eq46_fit.svg`; a diverging run's loss is drawn until it passes 10³ times its start, and a fit's values beyond |u| = 10³ are left out of its panel (the table has them).\n"
    ));
    write_atomic(&opts.out_dir.join("reproduce.md"), md.as_bytes())?;
    super::write_json_and_table(&opts.out_dir, &rows, &rows)?;
    for (k, (name, config)) in bases.iter().enumerate() {
        let problem = config.build_problem();
        let x = problem.eval_points().to_vec();
        let exact = problem.exact_at(&x, config.problem.eps).unwrap_or_default();
        let mut losses = Vec::new();
        let mut fits = Vec::new();
        for &rate in &RATES {
            let mut loss = Figure::new(&format!("{name}, rate {rate}"), "step", "loss").log_y();
            let mut fit = Figure::new(&format!("{name}, rate {rate}"), "x", "u");
            for (opt, _) in OPTIMIZERS {
                let Some(o) = cells
                    .iter()
                    .zip(&outs)
                    .find(|(c, _)| c.0 == k && c.2 == opt && c.4 == rate && c.5 == 0)
                    .map(|(_, o)| o)
                else {
                    continue;
                };
                let diverged = o.row.end == "diverged";
                let label = if diverged {
                    format!("{} (diverged)", super::method_label(opt))
                } else {
                    super::method_label(opt)
                };
                // A diverging run is drawn until its loss passes 10³ times its start, so the
                // others keep the axis.
                let start = o.loss.first().map_or(f64::INFINITY, |p| p.1);
                let kept: Vec<(f64, f64)> = if diverged {
                    o.loss
                        .iter()
                        .copied()
                        .take_while(|p| p.1.is_finite() && p.1 <= 1e3 * start)
                        .collect()
                } else {
                    o.loss.clone()
                };
                let finite = super::drawable_on_log_y(&kept);
                loss = loss.with_series(&label, finite, Mark::Line);
                let shown: Vec<(f64, f64)> = o
                    .solution
                    .iter()
                    .copied()
                    .filter(|p| p.1.is_finite() && p.1.abs() < 1e3)
                    .collect();
                fit = fit.with_series(&label, shown, Mark::Line);
            }
            // g last: the methods keep the colours they have in the loss panels.
            fit = fit.with_series(
                "g",
                x.iter().copied().zip(exact.iter().copied()).collect(),
                Mark::Reference,
            );
            losses.push(loss);
            fits.push(fit);
        }
        let losses: Vec<&Figure> = losses.iter().collect();
        let fits: Vec<&Figure> = fits.iter().collect();
        opts.figures
            .write(&losses, 2, &opts.out_dir, &format!("{name}_loss"))?;
        opts.figures
            .write(&fits, 2, &opts.out_dir, &format!("{name}_fit"))?;
    }
    let mut lines = Vec::new();
    for (name, _) in &bases {
        for (opt, _) in OPTIMIZERS {
            let best = rows
                .iter()
                .filter(|r| r.function == *name && r.optimizer == opt && r.seed == 0)
                .filter_map(|r| r.l2re.map(|l| (l, r.rate)))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((l, rate)) = best {
                lines.push(format!("{name} {opt}: best L2RE {l:.2e} at rate {rate}"));
            }
        }
    }
    Ok(Said {
        lines,
        cells: cells.len(),
    })
}
