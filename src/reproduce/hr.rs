//! `reproduce hr`: the HRTA paper's Table 1 — fit sin(2πx) on 100 points with a two-layer ReLU
//! network of width 200, 400 and 1000 (N(0, I) init, 1/√m scaling), Adam against HRTA with
//! s = 0.5 (homotopy, s 0.5 → 1) and s = 1.5 (relaxation, s 1 → 1.5); the final loss beside the
//! paper's error; its multi-layer column by two hidden layers of width m (seed 0 at widths 200
//! and 400 by default, every seed and width 1000 under `--full`) — and the same three on
//! sin(2π(x₁ + x₂ + x₃)) (Fig. 3);
//! and the paper's PDE example (§4.2, App. C): the Neumann Poisson problem by Sobolev training
//! with ½ReLU², Adam against HRTA s = 1.5, with loss and L² error curves (Figs. 4–5); and the
//! 3D fit with less overparameterization, width 400 on 400 random points (App. B, Fig. 8).

use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::cells::{self, Step};
use super::{Page, ReproduceOptions, Reproduction, Said, fmt_stat};
use crate::backend;
use crate::config::RunConfig;
use crate::diagnostics::evaluate;
use crate::export::figure::{Figure, Mark};
use crate::export::write_atomic;
use crate::train::Session;

/// Widths of the table.
pub const WIDTHS: [usize; 3] = [200, 400, 1000];

/// (name, preset file, built-in preset text).
type Method = (&'static str, &'static str, &'static str);

const METHODS: [Method; 3] = [
    (
        "adam",
        "hrta_fit_sin2pix_adam.toml",
        include_str!("../../presets/hrta_fit_sin2pix_adam.toml"),
    ),
    (
        "hrta_s0.5",
        "hrta_fit_sin2pix_s0.5.toml",
        include_str!("../../presets/hrta_fit_sin2pix_s0.5.toml"),
    ),
    (
        "hrta_s1.5",
        "hrta_fit_sin2pix_s1.5.toml",
        include_str!("../../presets/hrta_fit_sin2pix_s1.5.toml"),
    ),
];

/// The same three methods on sin(2π(x₁ + x₂ + x₃)) (125 grid points of [0, 1]³, width 1000).
const METHODS_3D: [Method; 3] = [
    (
        "adam",
        "hrta_fit_3d_adam.toml",
        include_str!("../../presets/hrta_fit_3d_adam.toml"),
    ),
    (
        "hrta_s0.5",
        "hrta_fit_3d_s0.5.toml",
        include_str!("../../presets/hrta_fit_3d_s0.5.toml"),
    ),
    (
        "hrta_s1.5",
        "hrta_fit_3d_s1.5.toml",
        include_str!("../../presets/hrta_fit_3d_s1.5.toml"),
    ),
];

/// The Neumann Poisson problem by Sobolev training (width 1000, 400 points, ½ReLU²).
const METHODS_POISSON: [Method; 2] = [
    (
        "adam",
        "hrta_sobolev_poisson_adam.toml",
        include_str!("../../presets/hrta_sobolev_poisson_adam.toml"),
    ),
    (
        "hrta_s1.5",
        "hrta_sobolev_poisson_s1.5.toml",
        include_str!("../../presets/hrta_sobolev_poisson_s1.5.toml"),
    ),
];

/// (step, value) points of one run.
type Curve = Vec<(f64, f64)>;

/// `HrRow::dim` of the Poisson runs (their input is 2D).
const POISSON: usize = 2;

/// Fig. 8: the 3D fit by width 400 on this many uniform random points of [0, 1]³.
const FIG8_WIDTH: usize = 400;
const FIG8_POINTS: usize = 400;

/// One column of the paper's Table 1: (width, Adam, HRTA, which s the HRTA number used).
type PaperColumn = [(usize, f64, f64, &'static str); 3];

/// The paper's single-layer column.
const PAPER: PaperColumn = [
    (200, 2.02e-5, 8.72e-7, "hrta_s1.5"),
    (400, 6.54e-6, 8.55e-7, "hrta_s0.5"),
    (1000, 1.55e-6, 1.88e-7, "hrta_s0.5"),
];

/// The paper's multi-layer column ("three-layer neural networks").
const PAPER_MULTI: PaperColumn = [
    (200, 2.52e-7, 9.47e-8, "hrta_s0.5"),
    (400, 4.83e-8, 1.8e-8, "hrta_s1.5"),
    (1000, 2.20e-7, 3.52e-9, "hrta_s1.5"),
];

/// The multi-layer column's runs: two hidden layers of width m. A width-1000 run takes about
/// 16 min here (49 ms a step), so by default seed 0 at widths 200 and 400; `--full` runs
/// every seed and width 1000 too.
fn multi_layer_plan(full: bool, seeds: u64) -> (u64, &'static [usize]) {
    if full {
        (seeds, &WIDTHS)
    } else {
        (1, &WIDTHS[..2])
    }
}

fn one_layer() -> usize {
    1
}

/// One run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HrRow {
    pub method: String,
    /// Input dimension (1: sin(2πx); 3: sin(2π(x₁ + x₂ + x₃)); 2: the Poisson problem).
    pub dim: usize,
    pub width: usize,
    /// Hidden layers, each of `width` (1 unless in the multi-layer column).
    #[serde(default = "one_layer")]
    pub layers: usize,
    /// Fitting points where the run changed the preset's (Fig. 8: 400 random points).
    #[serde(default)]
    pub points: Option<usize>,
    pub seed: u64,
    /// ½ mean (u_θ − f)² over the 100 fitting points plus the two end points' term.
    pub loss: f64,
    pub l2re: Option<f64>,
    pub seconds: f64,
}

/// `hr` in the registry ([`super::REPRODUCTIONS`]).
pub const PAGE: Page = Page {
    id: "hr",
    full_note: super::full::HR_NOTE,
    scale_full: super::full::hr,
    run,
};

/// What one run contributes (stored as a cell, [`cells`]): its row and, for the Poisson runs
/// with seed 0, its loss and L2RE curves.
#[derive(Serialize, Deserialize)]
struct CellOut {
    row: HrRow,
    curves: Option<(Curve, Curve)>,
}

/// A table entry for (method, width) from one number of each matching row.
type StatOf<'a> = dyn Fn(&str, usize, &dyn Fn(&HrRow) -> Option<f64>) -> String + 'a;

/// One cell: (config index, dim, method, seed, width, fitting points, hidden layers).
type Cell<'a> = (usize, usize, &'a str, u64, usize, Option<usize>, usize);

/// One run: a fit by `layers` hidden layers of `width` by `method` of set `dim`, seed `seed`,
/// on the preset's points or on `points` uniform random ones.
fn run_cell(
    config: &RunConfig,
    &(_, dim, method, seed, width, points, layers): &Cell,
    say: &(dyn Fn(String) + Sync),
) -> Result<CellOut> {
    let device = backend::cpu().context("CPU device")?;
    let started = Instant::now();
    let mut c = config.clone();
    c.network.hidden = vec![width; layers];
    c.training.seed = seed;
    if let Some(n) = points {
        c.problem.n_res = n;
        c.problem.sampling = crate::problem::Sampling::Random;
    }
    let mut session = Session::new(c, &device);
    super::progress::run(&mut session)?;
    let parts = session.current_loss()?;
    let eval = evaluate(
        session.problem().as_ref(),
        session.objective().network(),
        &session.state().theta,
        session.state().eps,
    );
    let curves = ((dim == POISSON || points.is_some()) && seed == 0).then(|| {
        let h = &session.history();
        (
            h.iter().map(|r| (r.step as f64, r.loss)).collect(),
            h.iter()
                .filter_map(|r| Some((r.step as f64, r.accuracy.l2re_exact?)))
                .collect(),
        )
    });
    let row = HrRow {
        method: method.into(),
        dim,
        width,
        layers,
        points,
        seed,
        loss: parts.residual + session.objective().bc_weight() * parts.boundary,
        l2re: eval.accuracy.l2re_exact,
        seconds: started.elapsed().as_secs_f64(),
    };
    say(format!(
        "[hr seed {seed}] {method} {dim}D width {width} × {layers} layer(s): loss {:.3e}, {:.1} s",
        row.loss, row.seconds
    ));
    Ok(CellOut { row, curves })
}

/// Run the table as `opts.mode` asks; one summary line per method at width 1000.
pub fn run(opts: &ReproduceOptions) -> Result<Said> {
    let mut sources = Vec::new();
    let sets: [(usize, &[Method], &[usize]); 3] = [
        (1, &METHODS, &WIDTHS),
        (3, &METHODS_3D, &[1000]),
        (POISSON, &METHODS_POISSON, &[1000]),
    ];
    // The 1D fits' step count and s = 0.5 switch, for the page (they differ under --full).
    let (mut fit_steps, mut fit_switch) = (0, String::from("?"));
    let mut configs = Vec::new();
    // The cells, in the order of the table's rows.
    let mut cells: Vec<Cell> = Vec::new();
    // Fig. 8's runs, then the multi-layer ones, go last, so that adding them kept the other
    // cells' indices.
    let mut fig8 = Vec::new();
    let mut multi = Vec::new();
    let (multi_seeds, multi_widths) = multi_layer_plan(opts.full, opts.seeds);
    for (dim, methods, widths) in sets {
        for &(method, file, builtin) in methods {
            let (config, from) = opts.preset("hr", method, file, builtin)?;
            sources.push(format!("`{method}` ({dim}D): {from}"));
            if dim == 1 {
                fit_steps = config.training.max_steps;
                // The s = 0.5 fit's switch to ReLU, read from its preset.
                if config.hrta.enabled
                    && config.hrta.s_values.first() == Some(&0.5)
                    && let crate::config::HrtaSwitch::Steps { every } = config.hrta.switch
                {
                    fit_switch = every.to_string();
                }
            }
            for seed in 0..opts.seeds {
                for &width in widths {
                    cells.push((configs.len(), dim, method, seed, width, None, 1));
                }
                if dim == 3 {
                    fig8.push((
                        configs.len(),
                        dim,
                        method,
                        seed,
                        FIG8_WIDTH,
                        Some(FIG8_POINTS),
                        1,
                    ));
                }
                if dim == 1 && seed < multi_seeds {
                    for &width in multi_widths {
                        multi.push((configs.len(), dim, method, seed, width, None, 2));
                    }
                }
            }
            configs.push(config);
        }
    }
    cells.extend(fig8);
    cells.extend(multi);
    let describe = |&(_, dim, method, seed, width, points, layers): &Cell| match (points, layers) {
        (None, 1) => format!("seed {seed}, {method} {dim}D width {width}"),
        (None, l) => format!("seed {seed}, {method} {dim}D {l} hidden layers of width {width}"),
        (Some(n), _) => {
            format!("seed {seed}, {method} {dim}D width {width} on {n} random points")
        }
    };
    let material = cells::material_of(&configs);
    let outs = match cells::run(opts, "hr", &material, &cells, describe, |cell, say| {
        run_cell(&configs[cell.0], cell, say)
    })? {
        Step::Page(outs) => outs,
        Step::Done(said) => return Ok(said),
    };
    // Loss and L2RE over steps of the Poisson runs (Figs. 4–5) and Fig. 8's fits, seed 0.
    let mut curves: Vec<(&str, Curve, Curve)> = Vec::new();
    let mut fig8_curves: Vec<(&str, Curve)> = Vec::new();
    let mut rows = Vec::new();
    for (out, &(_, dim, method, _, _, points, _)) in outs.into_iter().zip(&cells) {
        match (out.curves, points) {
            (Some((loss, _)), Some(_)) => fig8_curves.push((method, loss)),
            (Some((loss, l2re)), None) if dim == POISSON => curves.push((method, loss, l2re)),
            _ => {}
        }
        rows.push(out.row);
    }
    // One table cell: the statistic of `f` over the rows `keep` selects.
    let stat_where = |keep: &dyn Fn(&HrRow) -> bool, f: &dyn Fn(&HrRow) -> Option<f64>| {
        fmt_stat(
            &rows
                .iter()
                .filter(|r| keep(r))
                .filter_map(f)
                .collect::<Vec<_>>(),
        )
    };
    // The one-hidden-layer table at a dimension (no Fig. 8 point count).
    let stat_in = |dim: usize, method: &str, width: usize, f: &dyn Fn(&HrRow) -> Option<f64>| {
        stat_where(
            &|r| {
                (r.dim, r.method.as_str(), r.width, r.layers) == (dim, method, width, 1)
                    && r.points.is_none()
            },
            f,
        )
    };
    let stat_fig8 = |method: &str, f: &dyn Fn(&HrRow) -> Option<f64>| {
        stat_where(&|r| r.points.is_some() && r.method == method, f)
    };
    let stat = |method: &str, width: usize, f: &dyn Fn(&HrRow) -> Option<f64>| {
        stat_in(1, method, width, f)
    };
    let stat_multi = |method: &str, width: usize, f: &dyn Fn(&HrRow) -> Option<f64>| {
        stat_where(
            &|r| (r.layers, r.method.as_str(), r.width) == (2, method, width),
            f,
        )
    };
    let mut md = format!(
        "# Reproduction `hr`: HRTA paper Table 1\n\nFit of sin(2πx) on 100 uniform points by a two-layer ReLU network (N(0, I) initialization, 1/√m output scaling): Adam throughout against HRTA with s = 0.5 (σ_½ = ½x + ½ReLU for {fit_switch} steps, then ReLU) and s = 1.5 (ReLU, then σ_{{3/2}} = −½x + 3/2 ReLU). {fit_steps} Adam steps, lr 10⁻³ halved every 5000 (App. B: the paper's s = 0.5 run takes 3000 Adam steps with σ_½, then 13 000 with ReLU, its Adam baseline 16 000). The loss is the paper's (1/200)Σ over the 100 points (eqs. 45, 47, 49), ½·mean squared error, as ours. The paper's HRTA number comes from one s per width (named in the table).\n\n",
    );
    md.push_str(&PAGE.scale_line(opts.full));
    md.push_str(&format!(
        "Seeds 0–{} (median [min, max]). Presets: {}.\n\n| width | paper Adam | ours Adam | paper HRTA | ours HRTA s = 0.5 | ours HRTA s = 1.5 | ours L2RE Adam / s = 0.5 / s = 1.5 |\n|---|---|---|---|---|---|---|\n",
        opts.seeds.saturating_sub(1),
        sources.join("; ")
    ));
    let column = |paper: &PaperColumn, stat: &StatOf| {
        let mut md = String::new();
        for &(width, adam, hrta, which) in paper {
            md.push_str(&format!(
                "| {width} | {adam:.2e} | {} | {hrta:.2e} ({}) | {} | {} | {} / {} / {} |\n",
                stat("adam", width, &|r| Some(r.loss)),
                which.replace("hrta_", ""),
                stat("hrta_s0.5", width, &|r| Some(r.loss)),
                stat("hrta_s1.5", width, &|r| Some(r.loss)),
                stat("adam", width, &|r| r.l2re),
                stat("hrta_s0.5", width, &|r| r.l2re),
                stat("hrta_s1.5", width, &|r| r.l2re),
            ));
        }
        md
    };
    md.push_str(&column(&PAPER, &stat));
    md.push_str(&format!(
        "\n## Table 1, multi-layer column\n\nThe paper's \"three-layer neural networks\" with widths 200, 400 and 1000; it gives no more about them. Ours: two hidden layers of width m, the single-layer presets otherwise (N(0, I) for every weight and bias, 1/√m output scaling, the same Adam steps and HRTA switch). {}\n\n| width | paper Adam | ours Adam | paper HRTA | ours HRTA s = 0.5 | ours HRTA s = 1.5 | ours L2RE Adam / s = 0.5 / s = 1.5 |\n|---|---|---|---|---|---|---|\n",
        if opts.full {
            format!("Seeds 0–{} at every width.", opts.seeds.saturating_sub(1))
        } else {
            "Seed 0 at widths 200 and 400 only: a width-1000 run takes about 16 min on this 2-core machine (49 ms a step), so width 1000 and the other seeds run under `--full` (a — below).".to_string()
        }
    ));
    md.push_str(&column(&PAPER_MULTI, &stat_multi));
    // The 3D evaluation points, from the 3D presets that ran.
    let eval_3d = configs
        .iter()
        .find(|c| c.problem.dim() == 3)
        .map_or(0, |c| c.problem.n_eval);
    md.push_str(&format!("\n## sin(2π(x₁ + x₂ + x₃)) in 3D (paper Fig. 3)\n\n125 uniform grid points of [0, 1]³ (5 per axis, ends included), width 1000, the same training. The paper shows this case as loss curves only (HRTA below Adam at the end for both s); it gives no numbers.\n\n| width | ours Adam | ours HRTA s = 0.5 | ours HRTA s = 1.5 | ours L2RE Adam / s = 0.5 / s = 1.5 ({eval_3d} random points) |\n|---|---|---|---|---|\n"));
    md.push_str(&format!(
        "| 1000 | {} | {} | {} | {} / {} / {} |\n",
        stat_in(3, "adam", 1000, &|r| Some(r.loss)),
        stat_in(3, "hrta_s0.5", 1000, &|r| Some(r.loss)),
        stat_in(3, "hrta_s1.5", 1000, &|r| Some(r.loss)),
        stat_in(3, "adam", 1000, &|r| r.l2re),
        stat_in(3, "hrta_s0.5", 1000, &|r| r.l2re),
        stat_in(3, "hrta_s1.5", 1000, &|r| r.l2re),
    ));
    md.push_str(&format!(
        "\n## The 3D fit with less overparameterization (paper App. B, Fig. 8)\n\nWidth {FIG8_WIDTH} on {FIG8_POINTS} uniform random points of [0, 1]³ (the paper's \"400 nodes and 400 sample points\"; it does not say how they were drawn), otherwise the 3D presets' training. The paper shows loss curves only; it gives no numbers. Figure: `fig8_loss.svg` (seed 0).\n\n| method | loss | L2RE ({eval_3d} random points) |\n|---|---|---|\n"
    ));
    for m in ["adam", "hrta_s0.5", "hrta_s1.5"] {
        md.push_str(&format!(
            "| {m} | {} | {} |\n",
            stat_fig8(m, &|r| Some(r.loss)),
            stat_fig8(m, &|r| r.l2re),
        ));
    }
    let mut fig8 = Figure::new(
        &format!("sin(2π(x₁+x₂+x₃)), width {FIG8_WIDTH}, {FIG8_POINTS} points: loss"),
        "step",
        "loss",
    )
    .log_y();
    for (m, loss) in fig8_curves {
        fig8 = fig8.with_series(&super::method_label(m), loss, Mark::Line);
    }
    opts.figures.write_one(&fig8, &opts.out_dir, "fig8_loss")?;
    md.push_str("\n## Neumann Poisson by Sobolev training (paper §4.2, App. C, Figs. 4–5)\n\n−Δu = π²(cos πx₁ + cos πx₂) on [0, 1]², ∂u/∂ν = 0, u* = cos πx₁ + cos πx₂; loss (1/2n)Σ[|u − u*|² + |∇u − ∇u*|²] (eq. 51) on a 20 × 20 grid, width 1000, σ̄ = ½ReLU², 1/√m scaling, N(0, I) initialization. HRTA s = 1.5: 16 000 Adam steps with σ̄, then 13 000 with σ̄_{3/2} = −½x + 3/2·σ̄ (App. C); Adam: σ̄ for all 29 000 steps. The paper shows curves only (HRTA still lowers the loss after the switch); it gives no numbers. L2RE against u* on a 51 × 51 grid. Figures: `poisson_loss.svg`, `poisson_l2re.svg` (seed 0).\n\n| method | loss | L2RE |\n|---|---|---|\n");
    for m in ["adam", "hrta_s1.5"] {
        md.push_str(&format!(
            "| {m} | {} | {} |\n",
            stat_in(POISSON, m, 1000, &|r| Some(r.loss)),
            stat_in(POISSON, m, 1000, &|r| r.l2re),
        ));
    }
    let mut loss_fig = Figure::new("Poisson by Sobolev training: loss", "step", "loss").log_y();
    let mut l2re_fig = Figure::new("Poisson by Sobolev training: L2RE", "step", "L2RE").log_y();
    for (m, loss, l2re) in curves {
        loss_fig = loss_fig.with_series(&super::method_label(m), loss, Mark::Line);
        l2re_fig = l2re_fig.with_series(&super::method_label(m), l2re, Mark::LineAndPoints);
    }
    opts.figures
        .write_one(&loss_fig, &opts.out_dir, "poisson_loss")?;
    opts.figures
        .write_one(&l2re_fig, &opts.out_dir, "poisson_l2re")?;
    md.push_str(
        "\n## Time per run\n\n| method | d | width | hidden layers | points | seed | seconds |\n|---|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {:.1} |\n",
            r.method,
            r.dim,
            r.width,
            r.layers,
            r.points
                .map_or("preset's".into(), |n| format!("{n} random")),
            r.seed,
            r.seconds
        ));
    }
    md.push_str(&format!(
        "\nAll runs: {:.0} s added up (wherever and however many at a time they ran).\n",
        rows.iter().map(|r| r.seconds).sum::<f64>()
    ));
    write_atomic(&opts.out_dir.join("reproduce.md"), md.as_bytes())?;
    super::write_json_and_table(&opts.out_dir, &rows, &rows)?;
    let lines = METHODS
        .iter()
        .map(|(m, _, _)| {
            format!(
                "{m}: median loss at width 1000 = {}; two hidden layers of width 400: {}",
                stat(m, 1000, &|r| Some(r.loss)),
                stat_multi(m, 400, &|r| Some(r.loss))
            )
        })
        .collect();
    Ok(Said {
        lines,
        cells: cells.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_stored_before_the_multi_layer_column_read_as_one_layer() {
        let old = r#"{"method":"adam","dim":1,"width":200,"seed":0,"loss":1e-6,"l2re":null,"seconds":1.0}"#;
        let row: HrRow = serde_json::from_str(old).unwrap();
        assert_eq!(row.layers, 1);
        // The default page runs the multi-layer column at seed 0, widths 200 and 400; --full
        // runs every seed and width 1000.
        assert_eq!(multi_layer_plan(false, 3), (1, &[200, 400][..]));
        assert_eq!(multi_layer_plan(true, 3), (3, &WIDTHS[..]));
    }
}
