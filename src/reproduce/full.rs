//! `reproduce <id> --full`: the papers' own sizes — points, networks, iteration counts — where
//! the papers state them, applied on top of the shipped presets (which are sized to finish on
//! a 2-core CPU). Each reproduction's page says which scale it ran and what `--full` changes.

use crate::config::{
    HrtaSwitch, OptimizerKind, RunConfig, ScheduleConfig, StageOptimizer, StrategyKind,
};
use crate::problem::Sampling;

/// What `--full` changes for `ac1`.
pub const AC1_NOTE: &str = "The shipped presets already use the paper's sizes (n_res = 200, [1,30,30,30,1] tanh; `strategy1_paper` walks Δε = 0.001 as the paper does); the paper's step count for classical training (Table 6: 10³ epochs) is ambiguous, so `--full` changes nothing here.";
/// What `--full` changes for `ac2`.
pub const AC2_NOTE: &str = "Step cap 4·10⁶ for every method (Table 6 gives 4·10⁶ for the homotopy; the baselines' counts are not stated, so they get the same budget; the time-sequential march with gradient-optimizer windows spreads what its u₀ fit leaves over its windows; its LM windows are unchanged; the paper's method, `homotopy_loss`, spreads the 4·10⁶ Adam steps evenly over its stages after Phase I). Points, network, Δs and Δt are already the paper's.";
/// What `--full` changes for `hh`.
pub const HH_NOTE: &str = "10 000 residual and 2 000 boundary points (§B.4) and a step cap of 4·10⁶ (Table 6, Ex. 5.2), which the paper's method, `homotopy_loss`, spreads evenly over its Adam stages after Phase I.";
/// What `--full` changes for `hf`.
pub const HF_NOTE: &str = "Classical training runs 4·10⁶ Adam steps (the length of the paper's loss curves in Fig. 14; Table 6 has no column for this example). n_res = 300 as in the default.";
/// What `--full` changes for `bu`.
pub const BU_NOTE: &str =
    "Step cap 2·10⁶ (Table 6, Ex. 5.3); the 128 grid points are already the paper's.";
/// What `--full` changes for `cd`.
pub const CD_NOTE: &str = "The paper's iteration counts (ISGD paper Table 1, ε = 0.01, the larger of its two rows): Adam and SGD 400 000, ISGD 360 000 as K₀·K₁ + K₂ with K₁ = 50 and half the iterations in the final Adam phase (the paper does not give its split). Network (4×50 tanh) and N = 400 are already the paper's.";
/// What `--full` changes for `pm`.
pub const PM_NOTE: &str = "ISGD paper §2.2: N_r = 1000 uniform points, 4 hidden layers of 200 tanh units (\"5-layer fully-connected\"), Adam up to 10⁷ steps, ISGD 10⁴ iterations at rate 0.1 (split as for `cd`).";
/// What `--full` changes for `pm2`.
pub const PM2_NOTE: &str = "ISGD paper §4.2: 6 hidden layers of 100 tanh units, N_f = 4000 random residual and N_b = 400 boundary points, Adam 2·10⁶ steps, ISGD 1.1·10⁶ iterations (split as for `cd`).";
/// What `--full` changes for `hk`.
pub const HK_NOTE: &str = "ISGD paper §4.3: 6 hidden layers of 100 tanh units, N_f = 4000 random residual and N_b = 400 boundary points, Adam 10⁶ steps, ISGD 5.5·10⁵ iterations (split as for `cd`).";
/// What `--full` changes for `hr`.
pub const HR_NOTE: &str = "HRTA paper §5: 16 000 Adam steps in all (\"over 16000 steps\" for Adam; s = 0.5 runs 3 000 steps with σ_½, then 13 000 with ReLU). The paper gives no switch for s = 1.5 in the fits, so it keeps the default's. The Poisson example already runs the paper's 16 000 + 13 000 steps. The multi-layer column runs every seed and width 1000 too (by default: seed 0 at widths 200 and 400).";
/// What `--full` changes for `ntk`.
pub const NTK_NOTE: &str = "The NTK papers state no widths, seeds or iteration counts; `--full` widens our own sweep to N up to 3200 and at least 32 seeds per cell.";
/// What `--full` changes for `rf`.
pub const RF_NOTE: &str = "The convergence paper states no widths, iteration counts or step sizes, so `--full` changes nothing here.";

/// Markdown line saying which scale a reproduction ran at, from its `--full` note.
pub fn scale_line(note: &str, full: bool) -> String {
    if full {
        format!("**Scale: `--full`** (the papers' sizes where they state them). {note}\n\n")
    } else {
        format!("Scale: the shipped presets, sized for a 2-core CPU. `--full`: {note}\n\n")
    }
}

/// ISGD with `iterations` = K₀·K₁ + K₂, K₁ = 50, half of them in the final Adam phase.
fn isgd_iterations(c: &mut RunConfig, iterations: usize) {
    let inner = 50;
    c.optimizer.isgd.inner_steps = inner;
    c.optimizer.isgd.outer_steps = iterations / 2 / inner;
    c.training.max_steps = iterations;
}

/// Classical optimizers get `adam` steps (Adam, SGD, L-BFGS, LM) or `isgd` iterations.
fn classical_steps(c: &mut RunConfig, adam: usize, isgd: usize) {
    if c.optimizer.kind == OptimizerKind::Isgd {
        isgd_iterations(c, isgd);
    } else {
        c.training.max_steps = adam;
    }
}

/// The ISGD paper's 2D network and points.
fn isgd_2d(c: &mut RunConfig) {
    c.network.hidden = vec![100; 6];
    c.problem.sampling = Sampling::Random;
    c.problem.n_res = 4000;
    c.problem.n_bc = 400;
}

/// `--full` that changes nothing (the presets already run the papers' sizes, or the papers
/// state none).
pub fn unchanged(_c: &mut RunConfig) {}

/// ac2: 4·10⁶ steps for every method; gradient-optimizer time windows share what the u₀ fit
/// leaves of the budget (a window of Levenberg–Marquardt iterations is already solved).
pub fn ac2(c: &mut RunConfig) {
    c.training.max_steps = 4_000_000;
    if c.strategy.kind == StrategyKind::TimeSequential
        && !matches!(
            c.optimizer.kind,
            OptimizerKind::Lm | OptimizerKind::ImplicitGn
        )
    {
        let t = &mut c.strategy.time;
        let left = 4_000_000usize.saturating_sub(t.initial_steps);
        t.window_steps = t.window_steps.max(left / t.windows());
    }
    adam_stages_total(c, 4_000_000);
}

/// The paper's method (Strategy 2 with the homotopy loss, Adam stages) given `total` steps in
/// all: what Phase I leaves, split evenly over the listed stages (the paper states only the
/// total). Other methods are left as they are.
fn adam_stages_total(c: &mut RunConfig, total: usize) {
    let st = &mut c.strategy;
    if st.kind != StrategyKind::Strategy2
        || st.stages.alpha == 0.0
        || st.stages.optimizer != StageOptimizer::Adam
    {
        return;
    }
    if let ScheduleConfig::List { values } = &st.schedule {
        let per = total.saturating_sub(st.phase1.adam_steps) / values.len().max(1);
        st.stages.max_steps = per;
        st.stages.final_max_steps = Some(per);
    }
}

/// hh: 10 000 + 2 000 points, 4·10⁶ steps.
pub fn hh(c: &mut RunConfig) {
    c.problem.n_res = 10_000;
    c.problem.n_bc = 2_000;
    c.training.max_steps = 4_000_000;
    adam_stages_total(c, 4_000_000);
}

/// hf: classical training runs 4·10⁶ Adam steps.
pub fn hf(c: &mut RunConfig) {
    if !c.strategy.kind.is_homotopy() {
        c.training.max_steps = 4_000_000;
    }
}

/// bu: 2·10⁶ steps.
pub fn bu(c: &mut RunConfig) {
    c.training.max_steps = 2_000_000;
}

/// cd: the ISGD paper's iteration counts for the classical optimizers.
pub fn cd(c: &mut RunConfig) {
    if !c.strategy.kind.is_homotopy() {
        classical_steps(c, 400_000, 360_000);
    }
}

/// pm: 1000 points, 4 × 200 tanh, the paper's iteration counts and ISGD rate.
pub fn pm(c: &mut RunConfig) {
    c.problem.n_res = 1000;
    c.network.hidden = vec![200; 4];
    if !c.strategy.kind.is_homotopy() {
        if c.optimizer.kind == OptimizerKind::Isgd {
            c.optimizer.lr = 0.1;
        }
        classical_steps(c, 10_000_000, 10_000);
    }
}

/// pm2: the ISGD paper's 2D network and points, Adam 2·10⁶, ISGD 1.1·10⁶.
pub fn pm2(c: &mut RunConfig) {
    isgd_2d(c);
    if !c.strategy.kind.is_homotopy() {
        classical_steps(c, 2_000_000, 1_100_000);
    }
}

/// hk: the ISGD paper's 2D network and points, Adam 10⁶, ISGD 5.5·10⁵.
pub fn hk(c: &mut RunConfig) {
    isgd_2d(c);
    if !c.strategy.kind.is_homotopy() {
        classical_steps(c, 1_000_000, 550_000);
    }
}

/// hr: 16 000 steps for the fits, the s = 0.5 switch at 3 000; the Poisson example's presets
/// already run the paper's 16 000 + 13 000 steps.
pub fn hr(c: &mut RunConfig) {
    if c.problem.kind == crate::problem::ProblemKind::SobolevPoisson2d {
        return;
    }
    c.training.max_steps = 16_000;
    if c.hrta.enabled && c.hrta.s_values.first() == Some(&0.5) {
        c.hrta.switch = HrtaSwitch::Steps { every: 3_000 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reproduce::{REPRODUCTIONS, find};

    fn apply(id: &str, method: &str, c: &mut RunConfig) -> anyhow::Result<()> {
        find(id)?.scale_to_paper(method, c)
    }

    fn preset(name: &str) -> RunConfig {
        let (_, text) = crate::presets::SHIPPED
            .iter()
            .find(|(n, _)| *n == name)
            .expect("a shipped preset");
        RunConfig::from_toml_str(text).unwrap()
    }

    #[test]
    fn every_reproduction_has_a_note_and_its_paper_sizes_validate() {
        for r in REPRODUCTIONS {
            assert!(!r.full_note().is_empty(), "{}", r.id());
        }
        let mut hh = preset("helmholtz_20d_homotopy.toml");
        apply("hh", "homotopy", &mut hh).unwrap();
        assert_eq!((hh.problem.n_res, hh.problem.n_bc), (10_000, 2_000));
        let mut isgd = preset("poisson_multiscale_2d_isgd.toml");
        apply("pm2", "isgd", &mut isgd).unwrap();
        assert_eq!(isgd.network.hidden, vec![100; 6]);
        assert_eq!(isgd.problem.n_res, 4000);
        // K₀·K₁ + K₂ = 1.1·10⁶ iterations.
        let o = &isgd.optimizer.isgd;
        assert_eq!(o.outer_steps * o.inner_steps * 2, 1_100_000);
        assert_eq!(isgd.training.max_steps, 1_100_000);
        let mut s05 = preset("hrta_fit_sin2pix_s0.5.toml");
        apply("hr", "s0.5", &mut s05).unwrap();
        assert_eq!(s05.training.max_steps, 16_000);
        assert_eq!(s05.hrta.switch, HrtaSwitch::Steps { every: 3_000 });
        // Adam windows share what the 5000-step u₀ fit leaves of 4·10⁶ steps over 1000 windows;
        // LM windows stay one iteration.
        let mut adam = preset("allen_cahn_2d_time_sequential_adam.toml");
        apply("ac2", "time_sequential_adam", &mut adam).unwrap();
        assert_eq!(adam.strategy.time.window_steps, 3_995);
        let mut lm = preset("allen_cahn_2d_time_sequential.toml");
        apply("ac2", "time_sequential", &mut lm).unwrap();
        assert_eq!(lm.strategy.time.window_steps, 1);
        // The paper's method spreads 4·10⁶ Adam steps over its 19 stages after Phase I; our
        // LM recipe keeps its caps.
        let mut paper = preset("allen_cahn_2d_homotopy_loss.toml");
        apply("ac2", "homotopy_loss", &mut paper).unwrap();
        let st = &paper.strategy;
        assert_eq!(st.stages.max_steps, (4_000_000 - 1000) / 19);
        assert_eq!(st.stages.final_max_steps, Some(st.stages.max_steps));
        assert!(st.phase1.adam_steps + 19 * st.stages.max_steps <= paper.training.max_steps);
        let mut ours = preset("allen_cahn_2d_homotopy.toml");
        apply("ac2", "homotopy", &mut ours).unwrap();
        assert_eq!(ours.strategy.stages.max_steps, 10);
        let mut ac1 = preset("allen_cahn_1d_classical.toml");
        let before = ac1.clone();
        apply("ac1", "classical", &mut ac1).unwrap();
        assert_eq!(ac1, before);
        assert!(apply("zz", "x", &mut ac1).is_err());
    }
}
