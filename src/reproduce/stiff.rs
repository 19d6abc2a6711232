//! `reproduce sq`: the ISGD paper's analytical stiff problem (§2.2, eqs. 7–8), gradient descent
//! against implicit gradient descent on L(θ) = K₁/2 (θ₁ − θ₁*)² + K₂/2 (θ₂ − θ₂*)² with the
//! paper's K₁ = 10⁻⁴, K₂ = 10⁴: the bounds of eqs. 7 and 8 beside the worst loss ratio
//! measured per step, the steps each takes to bring θ within 10⁻³ of its start's distance to
//! θ*, and the loss and the path in the plane ([`crate::lab::stiff`], also the explorer's lab).

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::cells::{self, Step};
use super::{Page, ReproduceOptions, Said};
use crate::export::write_atomic;
use crate::lab::stiff::{CAP, Descent, FRACTION, StiffQuadratic, figures, ratio};

/// The step sizes of the table: around GD's limit 2/K₂ = 2·10⁻⁴ and far beyond it.
const ALPHAS: [f64; 8] = [1e-5, 1e-4, 1.5e-4, 1.9e-4, 2.1e-4, 1e-2, 1.0, 1e3];
/// The step sizes of the figures.
const SHOWN: [f64; 3] = [1e-4, 2.1e-4, 1e3];
/// Steps measured for the worst ratio and drawn.
const STEPS: usize = 200;

/// `sq` in the registry ([`super::REPRODUCTIONS`]).
pub const PAGE: Page = Page {
    id: "sq",
    full_note: "the problem is the paper's two-parameter quadratic, solved exactly.",
    scale_full: |_| {},
    run,
};

/// One step size, both descents.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StiffRow {
    pub alpha: f64,
    pub bound_gd: f64,
    pub worst_gd: f64,
    pub steps_gd: Option<u64>,
    pub bound_igd: f64,
    pub worst_igd: f64,
    pub steps_igd: Option<u64>,
}

fn row(q: &StiffQuadratic, alpha: f64) -> StiffRow {
    StiffRow {
        alpha,
        bound_gd: q.decay_bound(Descent::Gd, alpha),
        worst_gd: q.worst_ratio(Descent::Gd, alpha, STEPS),
        steps_gd: q.steps_to(Descent::Gd, alpha, FRACTION, CAP),
        bound_igd: q.decay_bound(Descent::Igd, alpha),
        worst_igd: q.worst_ratio(Descent::Igd, alpha, STEPS),
        steps_igd: q.steps_to(Descent::Igd, alpha, FRACTION, CAP),
    }
}

fn count(n: Option<u64>) -> String {
    match n {
        Some(n) if n >= 100_000 => format!("{n:.2e}"),
        Some(n) => n.to_string(),
        None => "never (does not contract)".into(),
    }
}

fn run(opts: &ReproduceOptions) -> Result<Said> {
    let q = StiffQuadratic::PAPER;
    let rows: Vec<StiffRow> = match cells::run(
        opts,
        "sq",
        &format!("{q:?} {STEPS} {FRACTION}"),
        &ALPHAS,
        |alpha| format!("α = {alpha:e}"),
        |&alpha, say| {
            let r = row(&q, alpha);
            say(format!(
                "[sq] α = {alpha:e}: GD bound {:.3e}, IGD bound {:.3e}",
                r.bound_gd, r.bound_igd
            ));
            Ok(r)
        },
    )? {
        Step::Page(rows) => rows,
        Step::Done(said) => return Ok(said),
    };
    let mut md = format!(
        "# Reproduction `sq`: the ISGD paper's analytical stiff problem (§2.2, eqs. 7–8)\n\n\
         L(θ) = K₁/2 (θ₁ − θ₁*)² + K₂/2 (θ₂ − θ₂*)² with K₁ = {k1:e}, K₂ = {k2:e} (the paper's), θ* = ({s1}, {s2}) and θ₀ = ({t1}, {t2}) (the paper gives neither). \
         Gradient descent θ ← θ − α∇L(θ) multiplies θᵢ − θᵢ* by 1 − αKᵢ a step; implicit gradient descent θ ← θ − α∇L(θ_next) divides it by 1 + αKᵢ (exact on a quadratic). \
         The paper's bounds on L(θₙ₊₁)/L(θₙ): D_GD = max (1 − αKᵢ)² (eq. 7) and D_IGD = max 1/(1 + αKᵢ)² (eq. 8). \
         D_GD ≤ 1 needs α ≤ 2/K₂ = {lim:e}; the paper prints α ≤ ½·1/max Kᵢ = {printed:e}, four times smaller ({between}). \
         \"Worst ratio\" is the largest L(θₙ₊₁)/L(θₙ) over the first {STEPS} steps; \"steps\" is the first n with ‖θₙ − θ*‖ ≤ {FRACTION:e}·‖θ₀ − θ*‖, in closed form — the distance, because the stiff coordinate carries nearly all of the loss and shrinks far faster than the soft one, which is what takes long.\n\n\
         | α | D_GD (eq. 7) | GD worst ratio | GD steps | D_IGD (eq. 8) | IGD worst ratio | IGD steps |\n|---|---|---|---|---|---|---|\n",
        k1 = q.k[0],
        k2 = q.k[1],
        s1 = q.star[0],
        s2 = q.star[1],
        t1 = q.start[0],
        t2 = q.start[1],
        lim = 2.0 / q.k[1],
        printed = 0.5 / q.k[1],
        between = {
            let kept: Vec<String> = rows
                .iter()
                .filter(|r| r.alpha > 0.5 / q.k[1] && r.bound_gd < 1.0)
                .map(|r| format!("{:e}", r.alpha))
                .collect();
            if kept.is_empty() {
                "no row of the table lies between the two".to_string()
            } else {
                format!("GD still contracts at α = {} in the table", kept.join(", "))
            }
        },
    );
    for r in &rows {
        md.push_str(&format!(
            "| {:e} | {} | {} | {} | {} | {} | {} |\n",
            r.alpha,
            ratio(r.bound_gd),
            ratio(r.worst_gd),
            count(r.steps_gd),
            ratio(r.bound_igd),
            ratio(r.worst_igd),
            count(r.steps_igd)
        ));
    }
    md.push_str(&format!(
        "\n`--full` changes nothing: {}\n\n",
        PAGE.full_note
    ));
    let shown: Vec<String> = SHOWN.iter().map(|a| format!("{a:e}")).collect();
    md.push_str(&format!(
        "Figures: `loss.svg` (L(θₙ) over {STEPS} steps) and `path.svg` (θₙ in the plane; a diverging run's first steps only), GD and IGD at α = {}. The explorer's *Labs → Stiff quadratic* draws the same for any K₁, K₂ and α.\n",
        shown.join(", ")
    ));
    write_atomic(&opts.out_dir.join("reproduce.md"), md.as_bytes())?;
    super::write_json_and_table(&opts.out_dir, &rows, &rows)?;
    let (loss, path) = figures(&q, &SHOWN, STEPS);
    opts.figures.write_one(&loss, &opts.out_dir, "loss")?;
    opts.figures.write_one(&path, &opts.out_dir, "path")?;
    let igd_large = rows.iter().rfind(|r| r.steps_igd.is_some());
    Ok(Said {
        lines: vec![format!(
            "sq: GD contracts up to α = {:e}; IGD at α = {:e} needs {} steps",
            2.0 / q.k[1],
            igd_large.map_or(f64::NAN, |r| r.alpha),
            count(igd_large.and_then(|r| r.steps_igd))
        )],
        cells: rows.len(),
    })
}
