//! The homotopy trainers end to end on small 1D Allen–Cahn problems: Strategy 1 (planned and
//! adaptive schedules), Strategy 2 and curriculum, HRTA stages, re-targeting, divergence
//! rollback and spectral diagnostics.

use homotopy_explorer::backend;
use homotopy_explorer::config::RunConfig;
use homotopy_explorer::train::{EndReason, Progress, Session, TrainEvent};

const SMALL: &str = r#"version = 1
[problem]
kind = "allen_cahn_1d"
eps = 0.05
n_res = 40
n_eval = 201
[network]
hidden = [12, 12]
[training]
seed = 2
max_steps = 5000
eval_every = 1000
"#;

fn session(extra: &str) -> Session {
    let config = RunConfig::from_toml_str(&format!("{SMALL}{extra}")).unwrap();
    Session::new(config, &backend::cpu().unwrap())
}

fn run(session: &mut Session) -> (EndReason, Vec<Progress>) {
    let mut all = Vec::new();
    loop {
        let p = session.step().unwrap().expect("run not yet ended");
        let end = p.end;
        all.push(p);
        if let Some(end) = end {
            return (end, all);
        }
    }
}

fn events(all: &[Progress]) -> Vec<TrainEvent> {
    all.iter().flat_map(|p| p.events.iter().cloned()).collect()
}

#[test]
fn strategy1_tracks_the_path_to_the_target() {
    let mut s = session(
        r#"[strategy]
kind = "strategy1"
eps_start = 0.1
[strategy.schedule]
kind = "geometric"
steps = 20
[strategy.phase1]
adam_steps = 300
lm_iterations = 60
tolerance = 1e-12
"#,
    );
    assert_eq!(s.state.eps, 0.1, "Phase I starts at ε₀");
    let (end, all) = run(&mut s);
    assert!(matches!(end, EndReason::Completed { .. }), "{end:?}");
    assert_eq!(s.state.eps, 0.05);
    assert_eq!(s.state.stage, 20);
    let ev = events(&all);
    let phases: Vec<String> = ev
        .iter()
        .filter_map(|e| match e {
            TrainEvent::Phase { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(phases.len(), 3, "{phases:?}");
    // ε decreases monotonically along the path, one stage record per path point plus ε₀.
    let eps: Vec<f64> = s.stages.iter().map(|r| r.eps).collect();
    assert_eq!(eps.len(), 21);
    assert!(eps.windows(2).all(|w| w[1] < w[0]));
    // The tracked solution is accurate: far better than the loss of an untrained network.
    let last = s.stages.last().unwrap();
    assert!(last.loss < 1e-5, "final loss {}", last.loss);
    assert!(last.l2re_reference.unwrap() < 0.1, "{last:?}");
}

#[test]
fn adaptive_schedule_rejects_and_shrinks_then_completes() {
    let mut s = session(
        r#"[strategy]
kind = "strategy1"
eps_start = 0.1
[strategy.schedule]
kind = "adaptive"
initial_delta = 0.04
min_delta = 0.002
max_delta = 0.04
tolerance = 1e-9
[strategy.phase1]
adam_steps = 300
lm_iterations = 60
tolerance = 1e-12
[strategy.euler]
corrector = "none"
"#,
    );
    let (end, all) = run(&mut s);
    assert!(matches!(end, EndReason::Completed { .. }), "{end:?}");
    let rejected = events(&all)
        .into_iter()
        .filter(|e| matches!(e, TrainEvent::StepRejected { .. }))
        .count();
    assert!(
        rejected >= 1,
        "a 0.04 step with tolerance 1e-9 must be rejected"
    );
    assert_eq!(s.state.eps, 0.05);
}

#[test]
fn strategy2_uses_the_homotopy_term_and_curriculum_does_not() {
    for (kind, expect_term) in [("strategy2", true), ("curriculum", false)] {
        let mut s = session(&format!(
            r#"[strategy]
kind = "{kind}"
eps_start = 0.1
[strategy.schedule]
kind = "list"
values = [0.07, 0.05]
[strategy.phase1]
adam_steps = 200
lm_iterations = 20
[strategy.stages]
alpha = 0.5
max_steps = 100
"#
        ));
        let (end, all) = run(&mut s);
        assert!(
            matches!(end, EndReason::Completed { .. }),
            "{kind}: {end:?}"
        );
        let stage_eps: Vec<f64> = s.stages.iter().map(|r| r.eps).collect();
        assert_eq!(stage_eps, vec![0.1, 0.07, 0.05], "{kind}");
        let used_term = all
            .iter()
            .any(|p| p.report.stage > 0 && p.report.loss.homotopy > 0.0);
        assert_eq!(used_term, expect_term, "{kind}");
    }
}

#[test]
fn hrta_switches_s_and_records_lambda_min_of_sst() {
    let mut s = session(
        r#"[hrta]
enabled = true
s_values = [0.5, 1.0, 1.5]
switch = { kind = "steps", every = 30 }
"#,
    );
    s.config.training.max_steps = 90;
    assert_eq!(s.state.s, 0.5);
    let (end, all) = run(&mut s);
    assert_eq!(end, EndReason::MaxSteps);
    let switches: Vec<(f64, f64, Option<f64>, Option<f64>)> = events(&all)
        .into_iter()
        .filter_map(|e| match e {
            TrainEvent::SChanged {
                from,
                to,
                lambda_min_sst_from,
                lambda_min_sst_to,
                ..
            } => Some((from, to, lambda_min_sst_from, lambda_min_sst_to)),
            _ => None,
        })
        .collect();
    assert_eq!(switches.len(), 2, "{switches:?}");
    assert_eq!((switches[0].0, switches[0].1), (0.5, 1.0));
    assert_eq!((switches[1].0, switches[1].1), (1.0, 1.5));
    assert_eq!(s.state.s, 1.5);
    assert_eq!(s.objective.shape().activation.s, 1.5);
    // Theorem 1 of the HRTA paper: λ_min(SSᵀ) grows with s at fixed θ.
    for (_, _, before, after) in &switches {
        if let (Some(b), Some(a)) = (before, after) {
            assert!(a > b, "λ_min(SSᵀ) should grow with s: {b:e} → {a:e}");
        }
    }
}

#[test]
fn retargeting_eps_moves_every_strategy_to_the_new_target() {
    // Classical: the objective's ε changes at once.
    let mut s = session("");
    s.step().unwrap();
    s.trainer.set_eps_target(&mut s.state, 0.08);
    assert_eq!(s.state.eps, 0.08);
    // Strategy 1 in Phase II continues from the current ε to the new target.
    let mut s = session(
        r#"[strategy]
kind = "strategy1"
eps_start = 0.1
[strategy.schedule]
kind = "linear"
delta = 0.01
[strategy.phase1]
adam_steps = 50
lm_iterations = 0
[strategy.euler]
corrector = "none"
"#,
    );
    for _ in 0..52 {
        s.step().unwrap();
    }
    let here = s.state.eps;
    assert!(here < 0.1 && here > 0.05, "in Phase II: {here}");
    s.trainer.set_eps_target(&mut s.state, 0.03);
    let (end, _) = run(&mut s);
    assert!(matches!(end, EndReason::Completed { .. }), "{end:?}");
    assert!((s.state.eps - 0.03).abs() < 1e-15);
}

#[test]
fn divergence_stops_the_run_and_restores_the_last_finite_parameters() {
    // An absurd learning rate throws the output weights to ~1e300: u³ overflows at step 1.
    let mut s = session("[optimizer]\nlr = 1e300\n");
    let (end, all) = run(&mut s);
    let EndReason::Diverged { step } = end else {
        panic!("expected divergence, got {end:?}")
    };
    assert!(s.state.theta.iter().all(|t| t.is_finite()));
    let loss = s.current_loss().unwrap();
    assert!(loss.is_finite(), "restored state has a finite loss");
    assert!(
        all.iter()
            .any(|p| !p.report.loss.is_finite() || !p.report.finite)
    );
    assert_eq!(step, all.last().unwrap().report.step);
}

#[test]
fn spectral_report_at_a_trained_state() {
    let mut s = session("");
    s.config.training.max_steps = 300;
    run(&mut s);
    let r = s.spectral_report().unwrap();
    assert_eq!(r.k.eigenvalues.len(), 40);
    assert!(r.k.lambda_max > 0.0);
    assert!(r.k.rank >= 1 && r.k.rank <= 40);
    assert_eq!(r.soft_mode_u.len(), 40);
    let op = r.operator.expect("uniform grid: D_ε exists");
    assert!(op.lambda_max > op.lambda_min);
    let band = r.band.unwrap();
    assert!(band.holds(10.0), "{band:?}");
}

#[test]
fn residual_based_resampling_adds_the_points_of_largest_residual() {
    let text = r#"version = 1
[problem]
kind = "allen_cahn_2d"
eps = 0.05
n_res = 100
n_bc = 40
n_eval = 121
resample = { every = 5, add = 10, candidates = 400, max_added = 30 }
[network]
hidden = [8, 8]
[training]
max_steps = 40
eval_every = 40
"#;
    let config = RunConfig::from_toml_str(text).unwrap();
    let device = backend::cpu().unwrap();
    let mut s = Session::new(config, &device);
    let (_, all) = run(&mut s);
    // Three rounds of 10 (steps 5, 10, 15), then max_added stops it.
    let resampled: Vec<(usize, usize)> = events(&all)
        .iter()
        .filter_map(|e| match e {
            TrainEvent::Resampled { step, n_res, .. } => Some((*step, *n_res)),
            _ => None,
        })
        .collect();
    assert_eq!(resampled, vec![(5, 110), (10, 120), (15, 130)]);
    assert_eq!(s.objective.n_res(), 130);
    let points = s.problem.residual_points();
    assert_eq!(points.len(), 260);
    // The added points sit where |H| is large: their mean |H| beats a fresh uniform sample's.
    let mean_abs = |pts: &[f64]| {
        let h = homotopy_explorer::diagnostics::metrics::residual_at(
            s.problem.as_ref(),
            s.objective.shape(),
            &s.state.theta,
            pts,
            0.05,
            &device.device,
        );
        h.iter().map(|v| v.abs()).sum::<f64>() / h.len() as f64
    };
    let uniform = s.problem.random_interior_points(400, 99).unwrap();
    assert!(mean_abs(&points[200..]) > mean_abs(&uniform));
    // Resampling needs a problem with a growable point set and classical training.
    let bad = text.replace("allen_cahn_2d", "allen_cahn_1d");
    let err = RunConfig::from_toml_str(&bad).unwrap_err().to_string();
    assert!(err.contains("problem.resample"), "{err}");
    let bad = format!("{text}[strategy]\nkind = \"strategy2\"\neps_start = 1.0\n");
    let err = RunConfig::from_toml_str(&bad).unwrap_err().to_string();
    assert!(err.contains("problem.resample"), "{err}");
}
