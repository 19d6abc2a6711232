//! `reproduce ntk`: the NTK lab for a preset's problem — sweep the width N of one tanh hidden
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

/// Run the lab as `opts.mode` asks; each (a, N) over all seeds is one cell.
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
    let cells: Vec<(f64, usize)> = settings
        .exponents
        .iter()
        .flat_map(|&a| settings.widths.iter().map(move |&w| (a, w)))
        .collect();
    let material = format!("{}\n{settings:?}", base.to_toml_string());
    let rows: Vec<NtkRow> = match cells::run(
        opts,
        "ntk",
        &material,
        &cells,
        |&(a, width)| format!("a = {a}, N = {width}, seeds 0–{}", seeds - 1),
        |&(a, width), say| {
            let device = backend::cpu().context("CPU device")?;
            let never = AtomicBool::new(false);
            let started = Instant::now();
            let row = ntk::cell(&base, a, width, seeds, &device, &never)?
                .expect("the stop flag is never raised");
            say(format!(
                "[ntk] a = {a}, N = {width}: λ_max {:.3e} ± {:.1}%, entry spread {:.3}, drift {:.3e}, {:.1} s",
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
    write_outputs(opts, &rows, &from, &base, seeds)?;
    let (widths, exponents) = (&settings.widths, &settings.exponents);
    let lines = exponents
        .iter()
        .map(|&a| {
            let at = |w: usize| rows.iter().find(|r| r.exponent == a && r.width == w);
            let (lo, hi) = (at(widths[0]), at(widths[widths.len() - 1]));
            format!(
                "a = {a}: entry spread {:.3} → {:.3}, drift {:.2e} → {:.2e} (N = {} → {})",
                lo.map_or(f64::NAN, |r| r.entry_rel_spread),
                hi.map_or(f64::NAN, |r| r.entry_rel_spread),
                lo.map_or(f64::NAN, |r| r.drift),
                hi.map_or(f64::NAN, |r| r.drift),
                widths[0],
                widths[widths.len() - 1]
            )
        })
        .collect();
    Ok(Said {
        lines,
        cells: cells.len(),
    })
}

fn write_outputs(
    opts: &ReproduceOptions,
    rows: &[NtkRow],
    from: &str,
    base: &RunConfig,
    seeds: u64,
) -> Result<()> {
    let mut md = format!(
        "# NTK lab (`reproduce ntk`)\n\n{} at ε = {}, n_res = {}, one tanh hidden layer of width N, N(0, 1) weights and biases, output scaled by 1/N^a; K = JJᵀ of the weighted residual and boundary rows. Seeds 0–{} per cell; training: {} steps of the preset's optimizer with its rate capped at 1/λ_max(K(0)) (stable linearized gradient descent; preset: {from}).\n\nThe NTK papers' claims: the initial kernel concentrates (its spread over seeds shrinks as N grows) when a is large enough (a ≥ ½ for the boundary block, a ≥ 1 for the residual blocks of a non-homogeneous operator such as Allen–Cahn's), and the kernel stays near its initial value during training when a > ¼ (its drift shrinks as N grows). The papers show this on sine-Gordon and KdV; we run it on the problem of the preset.\n\n| a | N | mean λ_max(K(0)) | rel. spread of λ_max | rel. spread of K(0) entries | drift ‖K(T) − K(0)‖/‖K(0)‖ | loss after |\n|---|---|---|---|---|---|---|\n",
        base.problem.kind.label(),
        base.problem.eps,
        base.problem.n_res,
        seeds - 1,
        base.training.max_steps
    );
    for r in rows {
        md.push_str(&format!(
            "| {} | {} | {:.3e} | {:.3} | {:.3} | {:.3e} | {:.2e} |\n",
            r.exponent,
            r.width,
            r.lambda_max_mean,
            r.lambda_max_rel_spread,
            r.entry_rel_spread,
            r.drift,
            r.loss_after
        ));
    }
    md.push('\n');
    md.push_str(&PAGE.scale_line(opts.full));
    md.push_str("Figures: `ntk_spread.svg`, `ntk_drift.svg`.\n");
    write_atomic(&opts.out_dir.join("reproduce.md"), md.as_bytes())?;
    super::write_json_and_table(&opts.out_dir, &rows, rows)?;
    let (spread, drift) = ntk::figures(rows);
    opts.figures
        .write_one(&spread, &opts.out_dir, "ntk_spread")?;
    opts.figures.write_one(&drift, &opts.out_dir, "ntk_drift")?;
    Ok(())
}
