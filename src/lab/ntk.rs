//! NTK lab for any run's problem: sweep the width N of one hidden layer and the output scaling
//! 1/N^a over seeds; measure the spread over seeds of the initial kernel K = JJᵀ (weighted
//! residual and boundary rows) and its drift ‖K(T) − K(0)‖_F/‖K(0)‖_F under gradient descent.
//! Shared by the explorer's NTK lab window and `reproduce ntk`.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::backend::ComputeDevice;
use crate::config::{OptimizerKind, RunConfig, StrategyKind};
use crate::diagnostics::metrics::median_spread;
use crate::export::figure::{Figure, Mark};
use crate::linalg::{SymEig, gram};
use crate::net::InitKind;
use crate::train::Session;

/// What the lab sweeps and how long each run trains.
#[derive(Clone, Debug, PartialEq)]
pub struct LabSettings {
    pub widths: Vec<usize>,
    pub exponents: Vec<f64>,
    /// Seeds 0..seeds per (a, N) cell (at least 2: a spread needs two samples).
    pub seeds: u64,
    /// Gradient-descent steps before the drift is measured.
    pub steps: usize,
    /// Gradient-descent rate, capped per run at 1/λ_max(K(0)).
    pub lr: f64,
}

impl Default for LabSettings {
    /// The sweep of `reproduce ntk` (the NTK papers' range of a: ¼, ½, 1).
    fn default() -> Self {
        Self {
            widths: vec![25, 50, 100, 200, 400, 800],
            exponents: vec![0.25, 0.5, 1.0],
            seeds: 8,
            steps: 500,
            lr: 0.1,
        }
    }
}

impl LabSettings {
    /// Check the settings; the message names the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if self.widths.is_empty() || self.widths.contains(&0) {
            return Err("widths: give one or more widths ≥ 1".into());
        }
        if self.exponents.is_empty() || self.exponents.iter().any(|a| !a.is_finite()) {
            return Err("exponents a: give one or more finite numbers".into());
        }
        if self.seeds < 2 {
            return Err("seeds: at least 2 (a spread over seeds needs two samples)".into());
        }
        if self.steps == 0 {
            return Err("steps: at least 1 gradient-descent step".into());
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err("rate: must be a positive number".into());
        }
        Ok(())
    }

    /// Number of (a, N) cells.
    pub fn cells(&self) -> usize {
        self.widths.len() * self.exponents.len()
    }
}

/// One (a, N) cell over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct NtkRow {
    pub exponent: f64,
    pub width: usize,
    pub seeds: u64,
    /// Mean over seeds of λ_max(K(0)).
    pub lambda_max_mean: f64,
    /// Standard deviation over seeds of λ_max(K(0)) divided by its mean.
    pub lambda_max_rel_spread: f64,
    /// ‖std over seeds of K(0)_ij‖_F / ‖mean over seeds of K(0)_ij‖_F.
    pub entry_rel_spread: f64,
    /// The same for the residual–residual block K_ff, the residual–boundary block K_bf and the
    /// boundary–boundary block K_bb (the NTK paper proves their concentration under different
    /// conditions on a); absent in tables written before they were measured, and when the
    /// problem has no boundary rows.
    #[serde(default)]
    pub spread_ff: Option<f64>,
    #[serde(default)]
    pub spread_bf: Option<f64>,
    #[serde(default)]
    pub spread_bb: Option<f64>,
    /// Median over seeds of ‖K(T) − K(0)‖_F / ‖K(0)‖_F after training.
    pub drift: f64,
    /// Median over seeds of the loss after training.
    pub loss_after: f64,
    /// Median over seeds of the loss at the start (absent in tables written before it was
    /// kept): a drift is read beside how far training went.
    #[serde(default)]
    pub loss_before: Option<f64>,
}

/// The lab's base run for `run`'s problem at its target ε: classical gradient descent with the
/// settings' steps and rate, one hidden layer (its width is swept) in the NTK parameterization
/// (N(0, 1) weights and biases), every layer trained, no HRTA and no spectral diagnostics. The
/// activation is kept. Errors name the setting the problem cannot take.
pub fn base_config(run: &RunConfig, settings: &LabSettings) -> Result<RunConfig, String> {
    settings.validate()?;
    let mut c = run.clone();
    c.strategy.kind = StrategyKind::Classical;
    c.hrta.enabled = false;
    c.network.hidden = vec![settings.widths[0]];
    c.network.init = InitKind::NtkNormal;
    c.network.train_output_only = false;
    c.optimizer.kind = OptimizerKind::Sgd;
    c.optimizer.lr = settings.lr;
    c.training.max_steps = settings.steps;
    c.training.eval_every = settings.steps;
    c.training.loss_tolerance = 0.0;
    c.training.plateau_patience = 0;
    c.diagnostics.every = 0;
    if c.problem.kind.spec().operator {
        return Err(format!(
            "the NTK lab cannot run {}: it sweeps an MLP's width, and this problem trains a DeepONet",
            c.problem.kind.label()
        ));
    }
    c.validate()
        .map_err(|e| format!("the NTK lab cannot run this problem: {e}"))?;
    let rows = c.problem.kind.residual_rows_per_point();
    if rows != 1 {
        return Err(format!(
            "the NTK lab cannot run {}: its residual stacks {rows} rows per point, and K = JJᵀ needs one",
            c.problem.kind.label()
        ));
    }
    Ok(c)
}

/// Rows of the kernel for `config` (residual plus boundary points).
pub fn kernel_rows(config: &RunConfig) -> usize {
    config.problem.n_res + config.problem.n_bc
}

fn kernel(session: &Session, theta: &[f64], eps: f64) -> Result<faer::Mat<f64>> {
    let lin = session.objective().linearize(theta, eps)?;
    let (a, _) = lin.weighted_system();
    Ok(gram(&a))
}

/// Run one (a, N) cell over seeds 0..seeds of `base` (from [`base_config`]). `None` when
/// `stop` was raised before the cell finished.
pub fn cell(
    base: &RunConfig,
    exponent: f64,
    width: usize,
    seeds: u64,
    device: &ComputeDevice,
    stop: &AtomicBool,
) -> Result<Option<NtkRow>> {
    let eps = base.problem.eps;
    let mut stats = KernelStats::new(base.problem.n_res);
    for seed in 0..seeds {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let mut c = base.clone();
        c.network.hidden = vec![width];
        c.network.output_scale_exponent = exponent;
        c.training.seed = seed;
        let probe = Session::new(c.clone(), device);
        let k0 = kernel(&probe, &probe.state().theta, eps).context("initial kernel")?;
        let before = probe.current_loss()?.total;
        let lambda_max = SymEig::new(&k0)?.lambda_max();
        // Gradient descent is stable on the linearized dynamics for η·λ_max(K) < 2: the step
        // is capped at 1/λ_max(K(0)) so every (a, N) trains stably.
        c.optimizer.lr = c.optimizer.lr.min(1.0 / lambda_max);
        let mut session = Session::new(c, device);
        session.run(stop, |_| {})?;
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let theta = session.state().theta.clone();
        let kt = kernel(&session, &theta, eps).context("trained kernel")?;
        stats.push(
            &k0,
            &kt,
            lambda_max,
            (before, session.current_loss()?.total),
        );
    }
    Ok(Some(stats.row(exponent, width, seeds)))
}

/// Per-seed results of one (a, N) cell, summarized into an [`NtkRow`]. K(0)'s entries are
/// kept as a running mean and sum of squared deviations (Welford), so memory stays at two
/// kernels whatever the number of seeds.
pub(crate) struct KernelStats {
    /// Rows before `split` are residual rows, the rest boundary rows.
    split: usize,
    mean: Vec<f64>,
    m2: Vec<f64>,
    lmax: Vec<f64>,
    drifts: Vec<f64>,
    losses: Vec<f64>,
    losses_before: Vec<f64>,
}

impl KernelStats {
    pub(crate) fn new(split: usize) -> Self {
        Self {
            split,
            mean: Vec::new(),
            m2: Vec::new(),
            lmax: Vec::new(),
            drifts: Vec::new(),
            losses: Vec::new(),
            losses_before: Vec::new(),
        }
    }

    /// One seed: its initial and trained kernels, λ_max(K(0)) and the loss before and after
    /// training.
    pub(crate) fn push(
        &mut self,
        k0: &faer::Mat<f64>,
        kt: &faer::Mat<f64>,
        lmax: f64,
        (before, after): (f64, f64),
    ) {
        self.lmax.push(lmax);
        self.drifts.push((kt - k0).norm_l2() / k0.norm_l2());
        self.losses.push(after);
        self.losses_before.push(before);
        let n = self.lmax.len() as f64;
        let entries = k0.col_iter().flat_map(|c| c.iter().copied());
        if self.mean.is_empty() {
            self.mean = entries.collect();
            self.m2 = vec![0.0; self.mean.len()];
        } else {
            for ((x, m), s) in entries.zip(&mut self.mean).zip(&mut self.m2) {
                let delta = x - *m;
                *m += delta / n;
                *s += delta * (x - *m);
            }
        }
    }

    /// The cell's row.
    pub(crate) fn row(&self, exponent: f64, width: usize, seeds: u64) -> NtkRow {
        let dof = ((seeds.max(2) - 1) as f64).sqrt();
        let std = self.m2.iter().sum::<f64>().sqrt() / dof;
        let lmax = &self.lmax;
        let lm = lmax.iter().sum::<f64>() / lmax.len() as f64;
        let ls = (lmax.iter().map(|x| (x - lm) * (x - lm)).sum::<f64>()
            / (lmax.len().max(2) - 1) as f64)
            .sqrt();
        let blocks = self.blocks(dof);
        NtkRow {
            exponent,
            width,
            seeds,
            lambda_max_mean: lm,
            lambda_max_rel_spread: ls / lm,
            entry_rel_spread: std / crate::linalg::norm(&self.mean),
            spread_ff: blocks.map(|b| b[0]),
            spread_bf: blocks.map(|b| b[1]),
            spread_bb: blocks.map(|b| b[2]),
            drift: median_spread(&self.drifts).0,
            loss_after: median_spread(&self.losses).0,
            loss_before: Some(median_spread(&self.losses_before).0),
        }
    }

    /// Each block's ‖std‖_F / ‖mean‖_F, [ff, bf, bb]; `None` when a block is empty.
    fn blocks(&self, dof: f64) -> Option<[f64; 3]> {
        let n = (self.mean.len() as f64).sqrt().round() as usize;
        if self.split == 0 || self.split >= n {
            return None;
        }
        // [residual, cross, boundary] sums of squared means and of m2.
        let (mut mean2, mut var) = ([0.0; 3], [0.0; 3]);
        for (idx, (m, s)) in self.mean.iter().zip(&self.m2).enumerate() {
            let (i, j) = (idx % n, idx / n);
            let b = (i >= self.split) as usize + (j >= self.split) as usize;
            mean2[b] += m * m;
            var[b] += s;
        }
        let rel = |b: usize| var[b].sqrt() / dof / mean2[b].sqrt();
        Some([rel(0), rel(1), rel(2)])
    }
}

/// The exponents a of `rows`, in order of first appearance.
fn exponents(rows: &[NtkRow]) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for r in rows {
        if !out.contains(&r.exponent) {
            out.push(r.exponent);
        }
    }
    out
}

/// The lab's two figures: spread of K(0) entries over seeds, and drift in training, against
/// N, one curve per exponent a (log–log).
pub fn figures(rows: &[NtkRow]) -> (Figure, Figure) {
    let mut spread = Figure::new("Spread of K(0) over seeds vs width", "N", "rel. spread")
        .log_x()
        .log_y();
    let mut drift = Figure::new(
        "Kernel drift in training vs width",
        "N",
        "‖K(T) − K(0)‖/‖K(0)‖",
    )
    .log_x()
    .log_y();
    for a in exponents(rows) {
        let pick = |f: &dyn Fn(&NtkRow) -> f64| {
            let mut p: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.exponent == a)
                .map(|r| (r.width as f64, f(r)))
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .collect();
            p.sort_by(|x, y| x.0.total_cmp(&y.0));
            p
        };
        let label = format!("a = {a}");
        spread = spread.with_series(&label, pick(&|r| r.entry_rel_spread), Mark::LineAndPoints);
        drift = drift.with_series(&label, pick(&|r| r.drift), Mark::LineAndPoints);
    }
    (spread, drift)
}

/// Spread over seeds of K_ff(0) and K_bb(0) against N, one curve per (block, a) (log–log):
/// the NTK paper's two conditions side by side.
pub fn block_figure(rows: &[NtkRow], title: &str) -> Figure {
    let mut fig = Figure::new(title, "N", "rel. spread").log_x().log_y();
    type Pick = fn(&NtkRow) -> Option<f64>;
    let blocks: [(&str, Pick); 2] = [("K_ff", |r| r.spread_ff), ("K_bb", |r| r.spread_bb)];
    for (block, f) in blocks {
        for a in exponents(rows) {
            let mut p: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.exponent == a)
                .filter_map(|r| Some((r.width as f64, f(r)?)))
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .collect();
            p.sort_by(|x, y| x.0.total_cmp(&y.0));
            fig = fig.with_series(&format!("{block}, a = {a}"), p, Mark::LineAndPoints);
        }
    }
    fig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_name_the_bad_one() {
        assert!(LabSettings::default().validate().is_ok());
        let bad = |f: fn(&mut LabSettings)| {
            let mut s = LabSettings::default();
            f(&mut s);
            s.validate().unwrap_err()
        };
        assert!(bad(|s| s.widths.clear()).starts_with("widths"));
        assert!(bad(|s| s.widths.push(0)).starts_with("widths"));
        assert!(bad(|s| s.exponents = vec![f64::NAN]).starts_with("exponents"));
        assert!(bad(|s| s.seeds = 1).starts_with("seeds"));
        assert!(bad(|s| s.steps = 0).starts_with("steps"));
        assert!(bad(|s| s.lr = -1.0).starts_with("rate"));
        // A stacked (Sobolev) residual is refused up front, by name.
        let sobolev = RunConfig::from_toml_str(
            "version = 1\n[problem]\nkind = \"sobolev_poisson_2d\"\neps = 1.0\nn_res = 16\nn_bc = 8\nn_eval = 25\n[network]\nactivation = \"relu2\"\n",
        )
        .unwrap();
        let err = base_config(&sobolev, &LabSettings::default()).unwrap_err();
        assert!(err.contains("3 rows per point"), "{err}");
        // So is operator learning (a DeepONet, whose width the lab cannot sweep).
        let (_, text) = crate::presets::SHIPPED
            .iter()
            .find(|(name, _)| *name == "burgers_operator_lm.toml")
            .unwrap();
        let operator = RunConfig::from_toml_str(text).unwrap();
        let err = base_config(&operator, &LabSettings::default()).unwrap_err();
        assert!(err.contains("trains a DeepONet"), "{err}");
    }

    #[test]
    fn entry_spread_matches_the_direct_formula_and_wide_nets_concentrate() {
        let run = RunConfig::from_toml_str(
            "version = 1\nname = \"t\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.1\nn_res = 12\nn_eval = 51\n[network]\nhidden = [8]\n",
        )
        .unwrap();
        let settings = LabSettings {
            widths: vec![10, 400],
            exponents: vec![1.0],
            seeds: 4,
            steps: 5,
            lr: 0.1,
        };
        let base = base_config(&run, &settings).unwrap();
        assert_eq!(base.strategy.kind, StrategyKind::Classical);
        assert_eq!(kernel_rows(&base), 14);
        let device = crate::backend::cpu().unwrap();
        let stop = AtomicBool::new(false);
        let narrow = cell(&base, 1.0, 10, 4, &device, &stop).unwrap().unwrap();
        // The Welford spread equals the two-pass one over the same four initial kernels.
        let kernels: Vec<faer::Mat<f64>> = (0..4)
            .map(|seed| {
                let mut c = base.clone();
                c.network.hidden = vec![10];
                c.network.output_scale_exponent = 1.0;
                c.training.seed = seed;
                let s = Session::new(c, &device);
                kernel(&s, &s.state().theta, 0.1).unwrap()
            })
            .collect();
        let n = kernels[0].nrows();
        let mean = faer::Mat::from_fn(n, n, |i, j| {
            kernels.iter().map(|k| k[(i, j)]).sum::<f64>() / 4.0
        });
        let std = faer::Mat::from_fn(n, n, |i, j| {
            (kernels
                .iter()
                .map(|k| (k[(i, j)] - mean[(i, j)]).powi(2))
                .sum::<f64>()
                / 3.0)
                .sqrt()
        });
        let direct = std.norm_l2() / mean.norm_l2();
        assert!((narrow.entry_rel_spread - direct).abs() < 1e-10 * direct);
        // Per block: the 12 residual rows come first, then the 2 boundary rows.
        let block = |(r, c): (usize, usize), (nr, nc): (usize, usize)| {
            let s = std.as_ref().submatrix(r, c, nr, nc).norm_l2();
            s / mean.as_ref().submatrix(r, c, nr, nc).norm_l2()
        };
        let blocks = [
            (narrow.spread_ff, block((0, 0), (12, 12))),
            (narrow.spread_bf, block((12, 0), (2, 12))),
            (narrow.spread_bb, block((12, 12), (2, 2))),
        ];
        for (got, want) in blocks {
            assert!(
                (got.unwrap() - want).abs() < 1e-10 * want,
                "{got:?} vs {want}"
            );
        }
        let wide = cell(&base, 1.0, 400, 4, &device, &stop).unwrap().unwrap();
        assert!(wide.entry_rel_spread < 0.5 * narrow.entry_rel_spread);
        let (spread, drift) = figures(&[narrow, wide]);
        assert_eq!(spread.series[0].points.len(), 2);
        assert_eq!(drift.series[0].points.len(), 2);
        // A raised stop flag ends the cell without a row.
        stop.store(true, Ordering::Relaxed);
        assert!(cell(&base, 1.0, 10, 4, &device, &stop).unwrap().is_none());
    }
}
