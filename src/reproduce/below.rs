//! Below the papers' ε: a page's homotopy preset run again at half the table's smallest ε with
//! twice the residual points, the preset edited in `eps` and `n_res` only (a 2D grid takes the
//! square count nearest twice its points; the schedule is whatever the edited preset plans: a
//! geometric one spreads its steps down to the new target, a list walks its values and then
//! one stage to the new target; on an s-path, p = s + ε*, a list keeps its p values, so every
//! s is ε*/2 larger and one stage is added at the end). Where a list on an ε path is edited, a second run
//! continues the list by its last ratio instead ([`continued`]), which tells a failure of the
//! one long last stage from a failure at the smaller ε. Each run is measured at its end: loss,
//! L2RE, the front (a 2D problem's interfaces, [`super::interfaces`]) against the reference's,
//! how it ended, how many eigenvalues of K_ε = J_res J_resᵀ lie above round-off there and,
//! where the problem has a D_ε on its residual points, D_ε's conditioning and how soft the
//! translation u_θ′ is for it (the mode a phase condition removes: ‖D_ε u′‖ ≪ σ_max(D_ε)‖u′‖).

use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::row::{Row, fmt_eps};
use super::{fmt_stat, median_spread};
use crate::backend;
use crate::config::{ProblemConfig, RunConfig, ScheduleConfig, StrategyKind};
use crate::diagnostics::spectrum::kernel_spectrum;
use crate::problem::Sampling;
use crate::train::Session;

/// A front counts as in its place within this distance of the reference's (the bar,
/// and the L2RE bar beside it).
pub const FRONT_TOLERANCE: f64 = 1e-2;
pub const L2RE_TOLERANCE: f64 = 1e-2;

/// The residual point count "twice the points" means for `p`: 2·n_res, or on a 2D grid (whose
/// count must be a square) the square of round(√2·m) for an m × m grid.
pub fn twice_points(p: &ProblemConfig) -> usize {
    if p.dim() == 2 && p.sampling == Sampling::Grid {
        let m = (p.n_res as f64).sqrt().round();
        let side = (m * std::f64::consts::SQRT_2).round() as usize;
        side * side
    } else {
        2 * p.n_res
    }
}

/// `config` at half the page's smallest ε (`smallest`, the paper's) and with twice the residual
/// points, nothing else changed; an error when the edited preset is not a valid one (it says
/// what is wrong).
pub fn edited(config: &RunConfig, smallest: f64) -> Result<RunConfig> {
    let mut c = config.clone();
    c.problem.eps = smallest / 2.0;
    c.problem.n_res = twice_points(&config.problem);
    c.validate().with_context(|| {
        format!(
            "`{}` with eps = {} and n_res = {}",
            config.name, c.problem.eps, c.problem.n_res
        )
    })?;
    Ok(c)
}

/// The name of the variant of `method` whose list is continued ([`continued`]).
pub fn continued_name(method: &str) -> String {
    format!("{method}, list continued")
}

/// [`edited`] with a list schedule on an ε path continued past its last value by its last ratio
/// ε_k/ε_{k−1} down to the new target (the last step clipped to it) instead of ending with one
/// stage from the paper's ε to half of it; None for other schedules and for s-paths.
pub fn continued(config: &RunConfig, smallest: f64) -> Result<Option<RunConfig>> {
    let ScheduleConfig::List { values } = &config.strategy.schedule else {
        return Ok(None);
    };
    if config.problem.walks_s() {
        return Ok(None);
    }
    let mut c = edited(config, smallest)?;
    let target = c.problem.eps;
    let before = match values.len() {
        0 => return Ok(None),
        1 => config.strategy.eps_start,
        n => values[n - 2],
    };
    let last = values[values.len() - 1];
    let ratio = last / before;
    if !(ratio > 0.0 && ratio < 1.0) {
        return Ok(None);
    }
    let mut list = values.clone();
    let mut next = last * ratio;
    while next > target * (1.0 + 1e-9) {
        list.push(next);
        next *= ratio;
    }
    list.push(target);
    c.strategy.schedule = ScheduleConfig::List { values: list };
    c.validate()
        .with_context(|| format!("`{}` with its list continued", config.name))?;
    Ok(Some(c))
}

/// The spectra at the end of a run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SoftMode {
    /// Residual rows m and parameters p of J_res (K has m − p zero eigenvalues when m > p).
    pub rows: usize,
    pub params: usize,
    /// λ_max(K_ε).
    pub lambda_max: f64,
    /// How many eigenvalues of K_ε lie above the round-off floor of the SVD.
    pub rank: usize,
    /// The smallest of them.
    pub lambda_soft: f64,
    /// σ_min(D_ε)/σ_max(D_ε) at u_θ, where the problem has a D_ε on its residual points.
    pub d_ratio: Option<f64>,
    /// ‖D_ε u′‖ / (σ_max(D_ε)‖u′‖) for the slope u′ of u_θ at the residual points (1D; the
    /// network's derivative): near `d_ratio`, the translation is D_ε's softest mode.
    pub translation: Option<f64>,
}

/// A 2D solution's interfaces against the reference's ([`super::interfaces`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Interfaces {
    /// Mean position of u_θ's horizontal interface (y) and the reference's.
    pub horizontal: (f64, f64),
    /// Mean position of u_θ's vertical interface (x) and the reference's.
    pub vertical: (f64, f64),
    /// Share of the squared error a translation of the horizontal interface explains.
    pub share_translation: f64,
}

/// One run of the column.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BelowRow {
    pub row: Row,
    pub n_res: usize,
    /// The reference's (or exact solution's) front on the evaluation grid, where the problem
    /// has a front.
    pub front_reference: Option<f64>,
    /// How many ε (or p) values the run's schedule plans after ε₀.
    pub stages: usize,
    pub spectrum: Option<SoftMode>,
    /// A 2D problem's interfaces, where the page asks for them.
    #[serde(default)]
    pub interfaces: Option<Interfaces>,
    /// Why the interfaces the page asks for could not be measured.
    #[serde(default)]
    pub interface_missing: Option<String>,
}

impl BelowRow {
    /// |x₀(u_θ) − x₀(reference)| where both have a front; for 2D interfaces the larger of
    /// the two distances.
    pub fn front_error(&self) -> Option<f64> {
        if let Some(i) = &self.interfaces {
            return Some(
                (i.horizontal.0 - i.horizontal.1)
                    .abs()
                    .max((i.vertical.0 - i.vertical.1).abs()),
            );
        }
        Some((self.row.front_x0? - self.front_reference?).abs())
    }
}

/// K_ε's spectrum at θ and, where the problem has a D_ε on its residual points, D_ε's
/// conditioning and the translation's softness.
fn soft_mode(session: &Session, theta: &[f64], eps: f64) -> Result<SoftMode> {
    let lin = session.objective().linearize(theta, eps)?;
    let j = &lin.residual.jacobian;
    let k = kernel_spectrum(j, 0.0).context("spectrum of K_ε")?;
    let above: Vec<f64> = k
        .eigenvalues
        .iter()
        .copied()
        .filter(|&l| l > k.roundoff_floor)
        .collect();
    let problem = session.problem();
    // u_θ and, where carried, u_θ′ at the residual points: the network's own channels.
    let objective = session.objective();
    let channels = objective.res_channels();
    let out = objective.residual_channels(theta)?;
    let n = objective.n_res();
    let at = |channel: usize| &out[channel * n..(channel + 1) * n];
    let u = at(channels.value());
    let d = problem
        .discrete_operator(u, eps)
        .filter(|d| d.on_residual_points && d.matrix.nrows() == u.len());
    let (d_ratio, translation) = match d {
        Some(d) => {
            let sigma = d
                .matrix
                .singular_values()
                .map_err(|_| anyhow::anyhow!("no SVD of D_ε"))?;
            let max = sigma.iter().copied().fold(0.0, f64::max);
            let min = sigma.iter().copied().fold(f64::INFINITY, f64::min);
            let translation = if problem.dim() == 1 && channels.has_first() {
                let du = at(channels.first(0));
                let v = faer::Mat::from_fn(n, 1, |i, _| du[i]);
                let dv = &d.matrix * &v;
                Some(dv.norm_l2() / (max * v.norm_l2()))
            } else {
                None
            };
            (Some(min / max), translation)
        }
        None => (None, None),
    };
    Ok(SoftMode {
        rows: j.rows,
        params: j.cols,
        lambda_max: k.lambda_max,
        rank: above.len(),
        lambda_soft: above.last().copied().unwrap_or(0.0),
        d_ratio,
        translation,
    })
}

/// The interfaces of a 2D solution against the reference's, or why they cannot be measured.
fn interfaces_of(session: &Session, theta: &[f64], eps: f64) -> Result<Interfaces, String> {
    let problem = session.problem();
    let grid = problem
        .eval_grid()
        .ok_or("the problem has no evaluation grid")?;
    let reference = problem
        .reference(eps)
        .ok_or("the problem has no reference at this ε")?;
    let u =
        crate::diagnostics::evaluate(problem.as_ref(), session.objective().network(), theta, eps).u;
    let a = super::interfaces::account(&grid, &u, &reference.values)?;
    Ok(Interfaces {
        horizontal: (a.horizontal.0, a.horizontal_ref),
        vertical: (a.vertical.0, a.vertical_ref),
        share_translation: a.share_translation,
    })
}

/// Run `config` (already [`edited`]) for `seed` to its end and measure it, with the 2D
/// interfaces when `interfaces` (the page's account asks for them).
pub fn run(
    id: &str,
    method: &str,
    config: &RunConfig,
    seed: u64,
    interfaces: bool,
    say: &(dyn Fn(String) + Sync),
) -> Result<BelowRow> {
    let started = Instant::now();
    let device = backend::cpu().context("CPU device")?;
    let mut c = config.clone();
    c.training.seed = seed;
    let stages = crate::train::schedule::planned_values(
        &c.strategy.schedule,
        c.strategy.eps_start,
        c.problem.eps,
    )
    .len();
    let eps = c.problem.eps;
    let n_res = c.problem.n_res;
    let mut session = Session::new(c, &device);
    super::progress::run(&mut session)?;
    let theta = session.state().theta.clone();
    let row = super::row::measure(method, seed, eps, &session, &theta, &started)?;
    let problem = session.problem();
    let front_reference = problem
        .exact(eps)
        .or_else(|| problem.reference(eps))
        .and_then(|r| problem.front_position(&r.values));
    let spectrum = match soft_mode(&session, &theta, eps) {
        Ok(s) => Some(s),
        Err(e) => {
            say(format!(
                "[{id} seed {seed}] {method}: no K_ε spectrum ({e:#})"
            ));
            None
        }
    };
    let (interfaces, interface_missing) =
        match interfaces.then(|| interfaces_of(&session, &theta, eps)) {
            None => (None, None),
            Some(Ok(i)) => (Some(i), None),
            Some(Err(why)) => (None, Some(why)),
        };
    let out = BelowRow {
        row,
        n_res,
        front_reference,
        stages,
        spectrum,
        interfaces,
        interface_missing,
    };
    say(format!(
        "[{id} seed {seed}] {method} at ε = {eps} with {n_res} points: L2RE {}, {}, {:.1} s",
        out.row.l2re.map_or("—".into(), |v| format!("{v:.3e}")),
        out.row.end,
        started.elapsed().as_secs_f64()
    ));
    Ok(out)
}

/// The page's section: what was edited, one line per method (median [min, max] over seeds),
/// and a verdict against the bars that the numbers decide.
pub fn section(
    methods: &[(&str, &RunConfig)],
    rows: &[BelowRow],
    paper_smallest: f64,
    fractions: bool,
) -> String {
    if methods.is_empty() || rows.is_empty() {
        return String::new();
    }
    let mut md = format!(
        "\n## Below the paper's ε: ε = {} (half of {}) with twice the points\n\nEach homotopy preset below is run again with `eps` halved and `n_res` doubled (on a 2D grid the square nearest twice the points) and nothing else edited, for every seed, and measured at its end. Its schedule is what the edited preset plans: a geometric one spreads its steps to the new target, a list walks its values and then one stage to the new target (on an s-path, p = s + ε*, a list keeps its p values, so every s is ε*/2 larger and one stage is added at the end). Where a list on an ε path ends with that one long stage, the row *…, list continued* runs the list on by its last ratio ε_k/ε_{{k−1}} down to the new target instead: the two rows tell a failure of the last stage from a failure at the smaller ε. Front: the zero crossing of u_θ (1D) or the mean positions of its interfaces (2D, y of the horizontal and x of the vertical one), with the reference's in brackets. K_ε = J_res J_resᵀ (m residual rows, p parameters): how many of its eigenvalues lie above the round-off floor of the SVD (the rest are zero to working precision). Where the problem has a discrete D_ε on its residual points: σ_min/σ_max of D_ε at u_θ, and ‖D_ε u′‖/(σ_max‖u′‖) for the slope u′ of u_θ — the translation of the front; when it is as small as σ_min/σ_max, translation is D_ε's soft mode, the mode a phase condition removes. *Loss* (L_H + λL_bc at the end) tells the two ways to miss apart: a loss that stayed large is an optimization that did not converge, a small loss with a large L2RE a network that fits the residual points and not the solution between them. Bars: L2RE ≤ {L2RE_TOLERANCE:.0e} and the front within {FRONT_TOLERANCE:.0e} of the reference's.\n\n| method | ε | n_res | stages | loss | L2RE | front (reference) | K_ε rank above round-off | D_ε σ_min/σ_max | translation | phase condition | how runs ended | verdict |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        fmt_eps(rows[0].row.eps, fractions),
        fmt_eps(paper_smallest, fractions),
    );
    for (name, config) in methods {
        let mine: Vec<&BelowRow> = rows.iter().filter(|r| r.row.method == *name).collect();
        if mine.is_empty() {
            continue;
        }
        let median = |f: &dyn Fn(&BelowRow) -> Option<f64>| {
            let v: Vec<f64> = mine.iter().filter_map(|r| f(r)).collect();
            let (med, _, _) = median_spread(&v);
            (!med.is_nan()).then_some(med)
        };
        let stat = |f: &dyn Fn(&BelowRow) -> Option<f64>| {
            let v: Vec<f64> = mine.iter().filter_map(|r| f(r)).collect();
            if v.is_empty() {
                "—".to_string()
            } else {
                fmt_stat(&v)
            }
        };
        let pair = |u: Option<f64>, r: Option<f64>| match (u, r) {
            (Some(x), Some(r)) => format!("{x:.4} ({r:.4})"),
            (Some(x), None) => format!("{x:.4}"),
            (None, Some(r)) => format!("none ({r:.4})"),
            (None, None) => "—".into(),
        };
        let front_text = if mine.iter().any(|r| r.interfaces.is_some()) {
            let i = |f: &dyn Fn(&Interfaces) -> f64| median(&|r| r.interfaces.as_ref().map(f));
            format!(
                "y {}; x {}",
                pair(i(&|a| a.horizontal.0), i(&|a| a.horizontal.1)),
                pair(i(&|a| a.vertical.0), i(&|a| a.vertical.1))
            )
        } else {
            pair(median(&|r| r.row.front_x0), median(&|r| r.front_reference))
        };
        let spectra: Vec<&SoftMode> = mine.iter().filter_map(|r| r.spectrum.as_ref()).collect();
        let rank_text = match (spectra.first(), spectra.len()) {
            (None, _) => "—".to_string(),
            (Some(s), n) => {
                let ranks: Vec<usize> = spectra.iter().map(|s| s.rank).collect();
                let (lo, hi) = (
                    ranks.iter().copied().min().unwrap_or(0),
                    ranks.iter().copied().max().unwrap_or(0),
                );
                let r = if lo == hi || n == 1 {
                    format!("{lo}")
                } else {
                    format!("{lo}–{hi}")
                };
                format!(
                    "{r} of {} ({} × {})",
                    s.rows.min(s.params),
                    s.rows,
                    s.params
                )
            }
        };
        let mut ends: Vec<String> = mine.iter().map(|r| r.row.end.clone()).collect();
        ends.sort();
        ends.dedup();
        md.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {front_text} | {rank_text} | {} | {} | {} | {} | {} |\n",
            fmt_eps(mine[0].row.eps, fractions),
            mine[0].n_res,
            mine[0].stages,
            stat(&|r| Some(r.row.loss)),
            stat(&|r| r.row.l2re),
            stat(&|r| r.spectrum.as_ref()?.d_ratio),
            stat(&|r| r.spectrum.as_ref()?.translation),
            if phase_condition(config) { "on" } else { "off" },
            ends.join("; "),
            verdict(&mine),
        ));
    }
    md.push('\n');
    md
}

/// Whether the run's path steps are kept orthogonal to the translations.
fn phase_condition(c: &RunConfig) -> bool {
    match c.strategy.kind {
        StrategyKind::Strategy1 => c.strategy.euler.phase_condition,
        StrategyKind::Strategy2 | StrategyKind::Curriculum => c.strategy.stages.phase_condition,
        _ => false,
    }
}

/// "converged" when every seed meets the bars, else what missed and by how much.
fn verdict(rows: &[&BelowRow]) -> String {
    let mut missed = Vec::new();
    let l2re: Vec<f64> = rows.iter().filter_map(|r| r.row.l2re).collect();
    let over = l2re
        .iter()
        .filter(|&&v| v.is_nan() || v > L2RE_TOLERANCE)
        .count();
    if over > 0 {
        missed.push(format!(
            "L2RE above {L2RE_TOLERANCE:.0e} in {over} of {} seeds",
            l2re.len()
        ));
    }
    let far: Vec<f64> = rows.iter().filter_map(|r| r.front_error()).collect();
    let out = far
        .iter()
        .filter(|&&d| d.is_nan() || d > FRONT_TOLERANCE)
        .count();
    if out > 0 {
        let worst = if far.iter().any(|d| d.is_nan()) {
            "non-finite".to_string()
        } else {
            format!("{:.1e}", far.iter().copied().fold(0.0, f64::max))
        };
        missed.push(format!(
            "front off by up to {worst} in {out} of {} seeds",
            far.len()
        ));
    }
    let lost = rows
        .iter()
        .filter(|r| r.row.front_x0.is_none() && r.front_reference.is_some())
        .count();
    if lost > 0 {
        missed.push(format!("no front in {lost} of {} seeds", rows.len()));
    }
    let unmeasured: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.interface_missing.as_deref())
        .collect();
    if let Some(why) = unmeasured.first() {
        missed.push(format!(
            "interfaces not measured in {} of {} seeds ({why})",
            unmeasured.len(),
            rows.len()
        ));
    }
    if l2re.len() < rows.len() {
        missed.push(format!("no L2RE in {} seeds", rows.len() - l2re.len()));
    }
    if missed.is_empty() {
        "converged".into()
    } else {
        format!("missed: {}", missed.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twice_the_points_keeps_a_2d_grid_square() {
        let mut c = RunConfig::from_toml_str(
            "version = 1\nname = \"t\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.02\nn_res = 200\n",
        )
        .unwrap();
        let e = edited(&c, 0.02).unwrap();
        assert_eq!((e.problem.eps, e.problem.n_res), (0.01, 400));
        c.problem.kind = crate::problem::ProblemKind::AllenCahn2d;
        c.problem.n_res = 2500;
        c.problem.sampling = Sampling::Grid;
        assert_eq!(twice_points(&c.problem), 71 * 71);
    }

    fn below_row(l2re: Option<f64>, front: Option<f64>, reference: Option<f64>) -> BelowRow {
        BelowRow {
            row: Row {
                method: "m".into(),
                eps: 0.005,
                seed: 0,
                loss: 1e-9,
                l2re,
                against: "exact".into(),
                front_x0: front,
                end: "completed".into(),
                steps: 10,
                seconds: 1.0,
            },
            n_res: 400,
            front_reference: reference,
            stages: 3,
            spectrum: None,
            interfaces: None,
            interface_missing: None,
        }
    }

    #[test]
    fn the_verdict_names_every_bar_a_seed_missed() {
        let good = below_row(Some(5e-3), Some(0.501), Some(0.5));
        assert_eq!(verdict(&[&good, &good]), "converged");
        let far = below_row(Some(5e-3), Some(0.53), Some(0.5));
        let bad = below_row(Some(0.2), None, Some(0.5));
        let v = verdict(&[&good, &far, &bad]);
        assert!(v.contains("L2RE above 1e-2 in 1 of 3 seeds"), "{v}");
        assert!(
            v.contains("front off by up to 3.0e-2 in 1 of 2 seeds"),
            "{v}"
        );
        assert!(v.contains("no front in 1 of 3 seeds"), "{v}");
        // A non-finite L2RE is a miss, not a pass.
        let nan = below_row(Some(f64::NAN), None, None);
        assert!(verdict(&[&nan]).starts_with("missed"));
        // A 2D run whose interfaces could not be measured is named, not passed.
        let mut lost = below_row(Some(5e-3), None, None);
        lost.interface_missing = Some("an interface is missing".into());
        let v = verdict(&[&lost]);
        assert!(
            v.contains("interfaces not measured in 1 of 1 seeds (an interface is missing)"),
            "{v}"
        );
        // A non-finite front distance is reported as such.
        let odd = below_row(Some(5e-3), Some(f64::NAN), Some(0.5));
        assert!(
            verdict(&[&odd]).contains("up to non-finite"),
            "{}",
            verdict(&[&odd])
        );
    }

    #[test]
    fn a_list_is_continued_by_its_last_ratio_to_half_the_target() {
        let c = RunConfig::from_toml_str(
            "version = 1\nname = \"t\"\n[problem]\nkind = \"poisson_multiscale_1d\"\neps = 0.02\nn_res = 100\n\
             [strategy]\nkind = \"strategy2\"\neps_start = 0.5\n[strategy.schedule]\nkind = \"list\"\nvalues = [0.025, 0.02]\n",
        )
        .unwrap();
        let e = continued(&c, 0.02).unwrap().expect("a list on an ε path");
        let ScheduleConfig::List { values } = &e.strategy.schedule else {
            panic!("a list")
        };
        // 0.02 · 0.8 = 0.016, 0.0128, 0.01024, then the target 0.01.
        let want = [0.025, 0.02, 0.016, 0.0128, 0.01024, 0.01];
        assert_eq!(values.len(), want.len(), "{values:?}");
        for (v, w) in values.iter().zip(want) {
            assert!((v - w).abs() < 1e-15, "{values:?}");
        }
        assert_eq!((e.problem.eps, e.problem.n_res), (0.01, 200));
        // A geometric schedule plans its own steps to the new target: no variant.
        let mut g = c.clone();
        g.strategy.schedule = ScheduleConfig::Geometric { steps: 5 };
        assert!(continued(&g, 0.02).unwrap().is_none());
    }
}
