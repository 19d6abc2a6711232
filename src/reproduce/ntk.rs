//! `reproduce ntk`: the NTK lab for a preset's problem and for the NTK paper's own sine-Gordon
//! and KdV problems — sweep the width N of one tanh hidden
//! layer and the output scaling 1/N^a over seeds; measure how the initial kernel
//! K = JJᵀ (residual and boundary rows) spreads across seeds as N grows, and how far it drifts
//! during training, ‖K(T) − K(0)‖_F/‖K(0)‖_F (the NTK papers' claims: concentration for large
//! enough a, a near-constant kernel in training for a > 1/4).

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result};

use super::cells::{self, Step};
use super::{Page, ReproduceOptions, Reproduction, Said};
use crate::backend;
use crate::config::RunConfig;
use crate::export::write_atomic;
use crate::lab::ntk::{self, LabSettings, NtkRow, base_config};
use crate::lab::ntk_pde::{self, PaperPde};

const PRESET: (&str, &str) = (
    "ntk_lab_allen_cahn.toml",
    include_str!("../../presets/ntk_lab_allen_cahn.toml"),
);

/// `ntk` in the registry ([`super::REPRODUCTIONS`]).
pub const PAGE: Page = Page {
    id: "ntk",
    full_note: super::full::NTK_NOTE,
    scale_full: |_| {},
    run,
};

/// The page's rows: the preset's problem, then each of the NTK paper's equations.
struct Rows<'a> {
    problem: Vec<NtkRow>,
    paper: Vec<(PaperPde, Vec<NtkRow>)>,
    settings: &'a LabSettings,
}

/// Run the lab as `opts.mode` asks; each (a, N) over all seeds is one cell: first on the
/// preset's problem, then on the NTK paper's sine-Gordon and KdV problems with the same sweep.
pub fn run(opts: &ReproduceOptions) -> Result<Said> {
    let (preset, from) = opts.preset("ntk", "lab", PRESET.0, PRESET.1)?;
    // Spreads over seeds need more than a handful of them.
    // Under --full (the papers give no sizes) the sweep widens: N up to 3200, ≥ 32 seeds.
    let defaults = LabSettings::default();
    let settings = LabSettings {
        seeds: opts.seeds.max(if opts.full { 32 } else { 8 }),
        widths: if opts.full {
            [defaults.widths.as_slice(), &[1600, 3200]].concat()
        } else {
            defaults.widths
        },
        steps: preset.training.max_steps,
        lr: preset.optimizer.lr,
        exponents: defaults.exponents,
    };
    let base = base_config(&preset, &settings).map_err(|e| anyhow::anyhow!("{from}: {e}"))?;
    let seeds = settings.seeds;
    // (equation, a, N): the preset's problem (None) first, so its cells keep their indices.
    let cells: Vec<(Option<PaperPde>, f64, usize)> = std::iter::once(None)
        .chain(PaperPde::ALL.map(Some))
        .flat_map(|pde| {
            let widths = &settings.widths;
            settings
                .exponents
                .iter()
                .flat_map(move |&a| widths.iter().map(move |&w| (pde, a, w)))
        })
        .collect();
    // What the cells depend on: the preset, the sweep and the paper problems' rows and data.
    let material = format!(
        "{}\n{settings:?}\n{:?}",
        base.to_toml_string(),
        PaperPde::ALL.map(PaperPde::setup)
    );
    let name = |pde: Option<PaperPde>| pde.map_or("preset", PaperPde::id);
    let found: Vec<NtkRow> = match cells::run(
        opts,
        "ntk",
        &material,
        &cells,
        |&(pde, a, width)| format!("{}: a = {a}, N = {width}, seeds 0–{}", name(pde), seeds - 1),
        |&(pde, a, width), say| {
            let never = AtomicBool::new(false);
            let started = Instant::now();
            let row = match pde {
                None => {
                    let device = backend::cpu().context("CPU device")?;
                    ntk::cell(&base, a, width, seeds, &device, &never)?
                }
                Some(pde) => {
                    ntk_pde::cell(pde, a, width, (seeds, settings.steps, settings.lr), &never)?
                }
            }
            .expect("the stop flag is never raised");
            say(format!(
                "[ntk {}] a = {a}, N = {width}: λ_max {:.3e} ± {:.1}%, entry spread {:.3}, drift {:.3e}, {:.1} s",
                name(pde),
                row.lambda_max_mean,
                100.0 * row.lambda_max_rel_spread,
                row.entry_rel_spread,
                row.drift,
                started.elapsed().as_secs_f64()
            ));
            Ok(row)
        },
    )? {
        Step::Page(rows) => rows,
        Step::Done(said) => return Ok(said),
    };
    let mut rows = Rows {
        problem: Vec::new(),
        paper: PaperPde::ALL.map(|p| (p, Vec::new())).to_vec(),
        settings: &settings,
    };
    for (row, &(pde, _, _)) in found.into_iter().zip(&cells) {
        match pde {
            None => rows.problem.push(row),
            Some(p) => {
                let k = PaperPde::ALL.iter().position(|&q| q == p).expect("listed");
                rows.paper[k].1.push(row);
            }
        }
    }
    write_outputs(opts, &rows, &from, &base)?;
    let mut lines: Vec<String> = settings
        .exponents
        .iter()
        .map(|&a| summary_line(&rows.problem, &settings, a, "preset"))
        .collect();
    for (pde, r) in &rows.paper {
        lines.extend(
            settings
                .exponents
                .iter()
                .map(|&a| summary_line(r, &settings, a, pde.id())),
        );
    }
    Ok(Said {
        lines,
        cells: cells.len(),
    })
}

/// "name a = 1: entry spread 0.18 → 0.026, drift … (N = 25 → 800)".
fn summary_line(rows: &[NtkRow], settings: &LabSettings, a: f64, name: &str) -> String {
    let widths = &settings.widths;
    let at = |w: usize| rows.iter().find(|r| r.exponent == a && r.width == w);
    let (lo, hi) = (at(widths[0]), at(widths[widths.len() - 1]));
    format!(
        "{name} a = {a}: entry spread {:.3} → {:.3}, drift {:.2e} → {:.2e} (N = {} → {})",
        lo.map_or(f64::NAN, |r| r.entry_rel_spread),
        hi.map_or(f64::NAN, |r| r.entry_rel_spread),
        lo.map_or(f64::NAN, |r| r.drift),
        hi.map_or(f64::NAN, |r| r.drift),
        widths[0],
        widths[widths.len() - 1]
    )
}

/// The markdown table of one sweep.
fn table(rows: &[NtkRow]) -> String {
    let mut md = String::from(
        "| a | N | mean λ_max(K(0)) | rel. spread of λ_max | rel. spread of K(0) entries | K_ff | K_bf | K_bb | drift ‖K(T) − K(0)‖/‖K(0)‖ | loss at start → after |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let block = |s: Option<f64>| s.map_or("—".into(), |s| format!("{s:.3}"));
    for r in rows {
        md.push_str(&format!(
            "| {} | {} | {:.3e} | {:.3} | {:.3} | {} | {} | {} | {:.3e} | {} → {:.2e} |\n",
            r.exponent,
            r.width,
            r.lambda_max_mean,
            r.lambda_max_rel_spread,
            r.entry_rel_spread,
            block(r.spread_ff),
            block(r.spread_bf),
            block(r.spread_bb),
            r.drift,
            r.loss_before.map_or("—".into(), |l| format!("{l:.2e}")),
            r.loss_after
        ));
    }
    md
}

/// Per exponent a, how much each block's spread shrank from the narrowest to the widest net:
/// the ratio of the spreads. Concentration at the rate of the law of large numbers gives
/// √(N_min/N_max); a ratio above ½ is called "does not shrink".
fn block_verdicts(rows: &[NtkRow], settings: &LabSettings) -> String {
    let widths = &settings.widths;
    let (n0, n1) = (widths[0], widths[widths.len() - 1]);
    let mut md = format!(
        "Spread at N = {n1} over spread at N = {n0} (√({n0}/{n1}) = {:.3} is the law-of-large-numbers rate; above 0.5 is read as \"does not shrink\"):\n\n| a | K_ff | K_bf | K_bb | drift |\n|---|---|---|---|---|\n",
        (n0 as f64 / n1 as f64).sqrt()
    );
    for &a in &settings.exponents {
        let at = |w: usize| rows.iter().find(|r| r.exponent == a && r.width == w);
        let ratio =
            |f: &dyn Fn(&NtkRow) -> Option<f64>| match (at(n0).and_then(f), at(n1).and_then(f)) {
                (Some(lo), Some(hi)) if lo > 0.0 => {
                    let q = hi / lo;
                    format!(
                        "{q:.3} ({})",
                        if q > 0.5 {
                            "does not shrink"
                        } else {
                            "shrinks"
                        }
                    )
                }
                _ => "—".into(),
            };
        md.push_str(&format!(
            "| {a} | {} | {} | {} | {} |\n",
            ratio(&|r| r.spread_ff),
            ratio(&|r| r.spread_bf),
            ratio(&|r| r.spread_bb),
            ratio(&|r| Some(r.drift)),
        ));
    }
    md
}

fn write_outputs(opts: &ReproduceOptions, rows: &Rows, from: &str, base: &RunConfig) -> Result<()> {
    let seeds = rows.settings.seeds;
    let mut md = format!(
        "# NTK lab (`reproduce ntk`)\n\nOne tanh hidden layer of width N, N(0, 1) weights and biases, output scaled by 1/N^a; K = JJᵀ of the weighted residual rows (f) and boundary rows (b), whole and per block. Seeds 0–{} per cell; training: {} steps of gradient descent at the preset's rate {} capped at 1/λ_max(K(0)) (stable linearized gradient descent; preset: {from}).\n\nThe NTK paper's claims: the initial kernel concentrates (its spread over seeds shrinks as N grows) for a ≥ ½ in the boundary block K_bb, and for a ≥ 1 in K_ff and K_bf when the operator has a non-homogeneous term (sine-Gordon's sin u, Allen–Cahn's u³ − u); the kernel stays near its initial value during training when a > ¼ (its drift shrinks as N grows). The paper shows this on sine-Gordon and KdV; we run the preset's problem and both of those. A relative spread does not change when the kernel is scaled, so a block whose rows are linear in u (the boundary rows here) has the same spread at every a: the factor N^(−2a) cancels. A small drift means a near-constant kernel only where training went somewhere: the rate is capped at 1/λ_max(K(0)) but not raised, so where λ_max(K(0)) is small (a = 1) the loss may barely move in these steps; each table gives the loss at the start beside the loss after.\n\n## {} at ε = {}, n_res = {}\n\n",
        seeds - 1,
        base.training.max_steps,
        base.optimizer.lr,
        base.problem.kind.label(),
        base.problem.eps,
        base.problem.n_res,
    );
    md.push_str(&table(&rows.problem));
    md.push('\n');
    md.push_str(&block_verdicts(&rows.problem, rows.settings));
    md.push_str("\nFigures: `ntk_spread.svg`, `ntk_drift.svg`.\n");
    for (pde, r) in &rows.paper {
        md.push_str(&format!(
            "\n## NTK paper: {}\n\n{}; {} kernel rows, {} of them residual rows. The network's derivatives up to ∂³/∂x³ and their parameter Jacobians are closed-form for one hidden layer (`lab::ntk_pde`), checked against central differences in the tests.\n\n",
            pde.label(),
            pde.setup(),
            pde.rows().len(),
            pde.residual_rows()
        ));
        md.push_str(&table(r));
        md.push('\n');
        md.push_str(&block_verdicts(r, rows.settings));
        md.push_str(&format!(
            "\nFigures: `ntk_{0}_spread.svg`, `ntk_{0}_drift.svg`, `ntk_{0}_blocks.svg`.\n",
            pde.id()
        ));
    }
    md.push('\n');
    md.push_str(&PAGE.scale_line(opts.full));
    write_atomic(&opts.out_dir.join("reproduce.md"), md.as_bytes())?;
    let all: Vec<PageRow> = rows
        .problem
        .iter()
        .map(|r| PageRow::of("preset", r))
        .chain(
            rows.paper
                .iter()
                .flat_map(|(p, rs)| rs.iter().map(|r| PageRow::of(p.id(), r))),
        )
        .collect();
    super::write_json_and_table(&opts.out_dir, &all, &all)?;
    let (spread, drift) = ntk::figures(&rows.problem);
    opts.figures
        .write_one(&spread, &opts.out_dir, "ntk_spread")?;
    opts.figures.write_one(&drift, &opts.out_dir, "ntk_drift")?;
    for (pde, r) in &rows.paper {
        let name = pde.name();
        let (spread, drift) = ntk::figures(r);
        let id = pde.id();
        let titled = |mut f: crate::export::figure::Figure| {
            f.title = format!("{} ({name})", f.title);
            f
        };
        opts.figures
            .write_one(&titled(spread), &opts.out_dir, &format!("ntk_{id}_spread"))?;
        opts.figures
            .write_one(&titled(drift), &opts.out_dir, &format!("ntk_{id}_drift"))?;
        opts.figures.write_one(
            &ntk::block_figure(
                r,
                &format!("Spread of K_ff(0) and K_bb(0) vs width ({name})"),
            ),
            &opts.out_dir,
            &format!("ntk_{id}_blocks"),
        )?;
    }
    Ok(())
}

/// One line of `table.csv` and `reproduce.json`: which problem, then the cell's numbers (flat:
/// the CSV writer takes no nesting).
#[derive(serde::Serialize)]
struct PageRow<'a> {
    problem: &'a str,
    exponent: f64,
    width: usize,
    seeds: u64,
    lambda_max_mean: f64,
    lambda_max_rel_spread: f64,
    entry_rel_spread: f64,
    spread_ff: Option<f64>,
    spread_bf: Option<f64>,
    spread_bb: Option<f64>,
    drift: f64,
    loss_after: f64,
    loss_before: Option<f64>,
}

impl<'a> PageRow<'a> {
    fn of(problem: &'a str, r: &NtkRow) -> Self {
        Self {
            problem,
            exponent: r.exponent,
            width: r.width,
            seeds: r.seeds,
            lambda_max_mean: r.lambda_max_mean,
            lambda_max_rel_spread: r.lambda_max_rel_spread,
            entry_rel_spread: r.entry_rel_spread,
            spread_ff: r.spread_ff,
            spread_bf: r.spread_bf,
            spread_bb: r.spread_bb,
            drift: r.drift,
            loss_after: r.loss_after,
            loss_before: r.loss_before,
        }
    }
}
