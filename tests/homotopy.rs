//! The homotopy trainers end to end on small 1D Allen–Cahn problems: Strategy 1 (planned and
//! adaptive schedules), Strategy 2 and curriculum, HRTA stages, re-targeting, divergence
//! rollback and spectral diagnostics; and the Euler predictor's own order along a path.

use homotopy_explorer::backend;
use homotopy_explorer::config::RunConfig;
use homotopy_explorer::train::{EndReason, Progress, Session, TrainEvent};

mod common;

/// The small 1D Allen–Cahn run most tests here start from.
fn small() -> String {
    common::small_ac1(
        0.05,
        "[12, 12]",
        "seed = 2\nmax_steps = 5000\neval_every = 1000\n",
    )
}

/// A small 2D Allen–Cahn run (steps capped at 40).
fn small_ac2() -> String {
    common::small_ac2("max_steps = 40\neval_every = 40\n")
}

/// The time-sequential strategy, up to its `[strategy.time]` header.
const TIME_SEQUENTIAL: &str = "[strategy]\nkind = \"time_sequential\"\n[strategy.time]\n";

fn session(extra: &str) -> Session {
    capped(extra, 5000)
}

/// [`session`] with another step cap.
fn capped(extra: &str, max_steps: usize) -> Session {
    let mut config = RunConfig::from_toml_str(&format!("{}{extra}", small())).unwrap();
    config.training.max_steps = max_steps;
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
    let mut s = session(&format!(
        "{}tolerance = 1e-12\n",
        common::strategy(
            "strategy1",
            0.1,
            "kind = \"geometric\"\nsteps = 20",
            300,
            60
        )
    ));
    assert_eq!(s.state().eps, 0.1, "Phase I starts at ε₀");
    let (end, all) = run(&mut s);
    assert!(matches!(end, EndReason::Completed { .. }), "{end:?}");
    assert_eq!(s.state().eps, 0.05);
    assert_eq!(s.state().stage, 20);
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
    let eps: Vec<f64> = s.stages().iter().map(|r| r.eps).collect();
    assert_eq!(eps.len(), 21);
    assert!(eps.windows(2).all(|w| w[1] < w[0]));
    // The tracked solution is accurate: far better than the loss of an untrained network.
    let last = s.stages().last().unwrap();
    assert!(last.loss < 1e-5, "final loss {}", last.loss);
    assert!(last.accuracy.l2re_reference.unwrap() < 0.1, "{last:?}");
}

#[test]
fn adaptive_schedule_rejects_and_shrinks_then_completes() {
    let schedule = "kind = \"adaptive\"\ninitial_delta = 0.04\nmin_delta = 0.002\nmax_delta = 0.04\ntolerance = 1e-9";
    let mut s = session(&format!(
        "{}tolerance = 1e-12\n[strategy.euler]\ncorrector = \"none\"\n",
        common::strategy("strategy1", 0.1, schedule, 300, 60)
    ));
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
    assert_eq!(s.state().eps, 0.05);
}

#[test]
fn settings_applied_in_phase_one_start_it_again_and_after_it_continue_the_path() {
    let mut s = session(&common::strategy(
        "strategy2",
        0.1,
        "kind = \"list\"\nvalues = [0.07, 0.05]",
        200,
        20,
    ));
    for _ in 0..3 {
        s.step().unwrap();
    }
    let mut config = s.config().clone();
    config.optimizer.lr = 2e-3;
    assert!(s.reconfigure(config.clone()));
    // Still at ε₀ with Phase I to run (it used to skip to the first stage at once).
    assert_eq!(s.state().eps, 0.1);
    assert!(s.phase().starts_with("stage 0"), "{}", s.phase());
    while s.state().stage == 0 {
        s.step().unwrap();
    }
    let (step, eps) = (s.state().step, s.state().eps);
    assert!(s.reconfigure(config));
    assert!(!s.phase().starts_with("stage 0"), "{}", s.phase());
    assert_eq!((s.state().step, s.state().eps), (step, eps));
}

#[test]
fn a_schedule_applied_in_phase_one_lets_it_go_on_as_if_the_schedule_had_been_there_from_the_start()
{
    let with = |values: &str| {
        session(&common::strategy(
            "strategy2",
            0.1,
            &format!("kind = \"list\"\nvalues = [{values}]"),
            200,
            20,
        ))
    };
    // Phase I does not depend on the schedule: switching it after 3 steps must leave Phase I's
    // steps (Adam moments, learning-rate schedule, its count) exactly as an uninterrupted run's.
    let mut switched = with("0.07, 0.05");
    for _ in 0..3 {
        switched.step().unwrap();
    }
    let mut config = switched.config().clone();
    config.strategy.schedule = with("0.08, 0.06, 0.05").config().strategy.schedule.clone();
    assert!(switched.reconfigure(config));
    assert!(switched.in_phase_one());
    let mut straight = with("0.08, 0.06, 0.05");
    let finish = |s: &mut Session| {
        while s.state().stage == 0 {
            s.step().unwrap();
        }
    };
    finish(&mut switched);
    finish(&mut straight);
    assert_eq!(switched.state().step, straight.state().step);
    assert_eq!(
        switched.state().theta,
        straight.state().theta,
        "bitwise the same"
    );
    // The new schedule took over after Phase I.
    assert_eq!(switched.state().eps, straight.state().eps);
    assert_eq!(switched.schedule_ahead(), straight.schedule_ahead());
}

#[test]
fn strategy2_uses_the_homotopy_term_and_curriculum_does_not() {
    for (kind, expect_term) in [("strategy2", true), ("curriculum", false)] {
        let mut s = session(&format!(
            "{}[strategy.stages]\nalpha = 0.5\nmax_steps = 100\n",
            common::strategy(kind, 0.1, "kind = \"list\"\nvalues = [0.07, 0.05]", 200, 20)
        ));
        let (end, all) = run(&mut s);
        assert!(
            matches!(end, EndReason::Completed { .. }),
            "{kind}: {end:?}"
        );
        let stage_eps: Vec<f64> = s.stages().iter().map(|r| r.eps).collect();
        assert_eq!(stage_eps, vec![0.1, 0.07, 0.05], "{kind}");
        let used_term = all
            .iter()
            .any(|p| p.report.stage > 0 && p.report.loss.homotopy > 0.0);
        assert_eq!(used_term, expect_term, "{kind}");
    }
}

#[test]
fn hrta_switches_s_and_records_lambda_min_of_sst() {
    let mut s = capped(
        r#"[hrta]
enabled = true
s_values = [0.5, 1.0, 1.5]
switch = { kind = "steps", every = 30 }
"#,
        90,
    );
    assert_eq!(s.state().s, 0.5);
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
    assert_eq!(s.state().s, 1.5);
    assert_eq!(s.objective().network().activation().s, 1.5);
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
    s.set_eps_target(0.08);
    assert_eq!(s.state().eps, 0.08);
    // Strategy 1 in Phase II continues from the current ε to the new target.
    let mut s = session(&format!(
        "{}[strategy.euler]\ncorrector = \"none\"\n",
        common::strategy("strategy1", 0.1, "kind = \"linear\"\ndelta = 0.01", 50, 0)
    ));
    for _ in 0..52 {
        s.step().unwrap();
    }
    let here = s.state().eps;
    assert!(here < 0.1 && here > 0.05, "in Phase II: {here}");
    s.set_eps_target(0.03);
    let (end, _) = run(&mut s);
    assert!(matches!(end, EndReason::Completed { .. }), "{end:?}");
    assert!((s.state().eps - 0.03).abs() < 1e-15);
}

#[test]
fn a_finished_path_retargeted_numbers_its_new_stages_after_the_old_ones() {
    let mut s = session(&format!(
        "{}[strategy.euler]\ncorrector = \"none\"\n",
        common::strategy("strategy1", 0.1, "kind = \"linear\"\ndelta = 0.01", 50, 0)
    ));
    let (end, _) = run(&mut s);
    assert!(matches!(end, EndReason::Completed { .. }), "{end:?}");
    let first = s.stages().len();
    // As the explorer does: a new target, then Start on the finished run.
    s.set_eps_target(0.03);
    s.reconfigure(s.config().clone());
    let (end, _) = run(&mut s);
    assert!(matches!(end, EndReason::Completed { .. }), "{end:?}");
    let numbers: Vec<usize> = s.stages().iter().map(|r| r.stage).collect();
    assert!(numbers.len() > first, "{numbers:?}");
    assert_eq!(numbers, (0..numbers.len()).collect::<Vec<_>>());
}

#[test]
fn a_strategy2_path_continued_mid_stage_numbers_its_stages_without_a_gap() {
    let mut s = session(&format!(
        "{}[strategy.stages]\nalpha = 0.5\nmax_steps = 100\n",
        common::strategy(
            "strategy2",
            0.1,
            "kind = \"list\"\nvalues = [0.09, 0.08, 0.07, 0.06, 0.05]",
            200,
            20
        )
    ));
    // Into the path, then settings applied mid-stage (the explorer's Apply on a paused run).
    while s.stages().len() < 3 {
        assert!(s.step().unwrap().unwrap().end.is_none());
    }
    s.step().unwrap();
    assert!(s.reconfigure(s.config().clone()));
    let (end, _) = run(&mut s);
    assert!(matches!(end, EndReason::Completed { .. }), "{end:?}");
    let numbers: Vec<usize> = s.stages().iter().map(|r| r.stage).collect();
    assert_eq!(numbers, (0..numbers.len()).collect::<Vec<_>>());
}

#[test]
fn divergence_stops_the_run_and_restores_the_last_finite_parameters() {
    // An absurd learning rate throws the output weights to ~1e300: u³ overflows at step 1.
    let mut s = session("[optimizer]\nlr = 1e300\n");
    let (end, all) = run(&mut s);
    let EndReason::Diverged { step } = end else {
        panic!("expected divergence, got {end:?}")
    };
    assert!(s.state().theta.iter().all(|t| t.is_finite()));
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
    let mut s = capped("", 300);
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
    let text = &format!(
        "{}[problem.resample]\nevery = 5\nadd = 10\ncandidates = 400\nmax_added = 30\n",
        small_ac2()
    );
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
    assert_eq!(s.objective().n_res(), 130);
    let points = s.problem().residual_points();
    assert_eq!(points.len(), 260);
    // The added points sit where |H| is large: their mean |H| beats a fresh uniform sample's.
    let mean_abs = |pts: &[f64]| {
        let h = homotopy_explorer::diagnostics::metrics::residual_at(
            s.problem().as_ref(),
            s.objective().network(),
            &s.state().theta,
            pts,
            0.05,
            &device.device,
        );
        h.iter().map(|v| v.abs()).sum::<f64>() / h.len() as f64
    };
    let uniform = s.problem().random_interior_points(400, 99).unwrap();
    assert!(mean_abs(&points[200..]) > mean_abs(&uniform));
    // Resampling needs a problem with a growable point set and classical training.
    let bad = text.replace("allen_cahn_2d", "allen_cahn_1d");
    let err = RunConfig::from_toml_str(&bad).unwrap_err().to_string();
    assert!(err.contains("problem.resample"), "{err}");
    let bad = format!("{text}[strategy]\nkind = \"strategy2\"\neps_start = 1.0\n");
    let err = RunConfig::from_toml_str(&bad).unwrap_err().to_string();
    assert!(err.contains("problem.resample"), "{err}");
}

/// The small 2D Allen–Cahn run (1000 steps) under the time-sequential strategy with `[strategy.time]` keys `time`.
fn ac2_time_sequential(time: &str) -> Session {
    let text = format!("{}{TIME_SEQUENTIAL}{time}", small_ac2())
        .replace("max_steps = 40", "max_steps = 1000");
    Session::new(
        RunConfig::from_toml_str(&text).unwrap(),
        &backend::cpu().unwrap(),
    )
}

#[test]
fn time_sequential_marches_windows_from_u0_and_stops_at_the_end_time() {
    let mut s = ac2_time_sequential(
        "dt = 0.1\ninitial_steps = 10\nwindow_steps = 20\nt_end = 0.5\nsteady_tolerance = 0\n",
    );
    // The network is first fitted to u₀ = −sin(πx)sin(πy) (a window with Δt = 0), then the
    // first window starts from u₀ itself.
    let u0 = s.problem().initial_state().unwrap();
    let fit = s.objective().time_step().unwrap();
    assert_eq!((fit.dt, &fit.previous), (0.0, &u0));
    let fit_loss = s.step().unwrap().unwrap().report.loss.residual;
    let n = u0.len() as f64;
    let u = s.objective().residual_channels(&s.state().theta).unwrap();
    let before: f64 = u
        .iter()
        .zip(&u0)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / (2.0 * n);
    assert!(
        before < fit_loss,
        "one Adam step fits u₀ better: {before} vs {fit_loss}"
    );
    for _ in 1..10 {
        s.step().unwrap().unwrap();
    }
    let first = s.objective().time_step().unwrap();
    assert_eq!((first.dt, &first.previous), (0.1, &u0));
    let x = &s.problem().residual_points()[..2];
    let pi = std::f64::consts::PI;
    assert!((u0[0] + (pi * x[0]).sin() * (pi * x[1]).sin()).abs() < 1e-15);
    let mut boundaries = Vec::new();
    let mut all = Vec::new();
    loop {
        let p = s.step().unwrap().expect("run not yet ended");
        let closed = p
            .events
            .iter()
            .any(|e| matches!(e, TrainEvent::WindowFinished { .. }));
        if closed && p.end.is_none() {
            // The next window starts from u at the parameters the last one ended with.
            let n = s.objective().n_res();
            let u = s.objective().residual_channels(&s.state().theta).unwrap()[..n].to_vec();
            assert_eq!(s.objective().time_step().unwrap().previous, u);
            boundaries.push(p.report.step);
        }
        let end = p.end;
        all.push(p);
        if let Some(end) = end {
            assert!(
                matches!(end, EndReason::Marched { time: 0.5, steady: false, loss } if loss.is_finite()),
                "{end:?}"
            );
            break;
        }
    }
    // At the end the window is off: the objective (and the reported loss) is the PDE's again.
    assert!(s.objective().time_step().is_none());
    assert_eq!(boundaries, vec![29, 49, 69, 89]);
    let windows: Vec<(usize, f64)> = events(&all)
        .iter()
        .filter_map(|e| match e {
            TrainEvent::WindowFinished { window, time, .. } => Some((*window, *time)),
            _ => None,
        })
        .collect();
    assert_eq!(windows.len(), 5);
    assert_eq!(windows[4], (5, 0.5));
    assert_eq!(s.state().stage, 5);
    assert_eq!(all.len(), 100);
    // Continuing the finished run (Play) marches on from the current state, not from u₀ (its
    // clock restarts with the new trainer).
    let config = s.config().clone();
    assert!(s.reconfigure(config));
    let n = s.objective().n_res();
    let u = s.objective().residual_channels(&s.state().theta).unwrap()[..n].to_vec();
    let window = s.objective().time_step().unwrap();
    assert_eq!((window.dt, &window.previous), (0.1, &u));
    let more = (0..20)
        .filter_map(|_| s.step().unwrap())
        .collect::<Vec<_>>();
    assert!(
        events(&more)
            .iter()
            .any(|e| matches!(e, TrainEvent::WindowFinished { window: 1, .. }))
    );
}

#[test]
fn a_window_reports_how_far_it_moved_and_the_rate_of_u_t_that_judges_steadiness() {
    let mut s = ac2_time_sequential(
        "dt = 0.05\ninitial_steps = 0\nwindow_steps = 4\nt_end = 0.1\nsteady_tolerance = 0\n",
    );
    let n = s.objective().n_res();
    let u0 = s.problem().initial_state().unwrap();
    for _ in 0..4 {
        let p = s.step().unwrap().unwrap();
        if let Some(TrainEvent::WindowFinished { change, rate, .. }) = p.events.first() {
            let theta = &s.state().theta;
            let u = s.objective().residual_channels(theta).unwrap()[..n].to_vec();
            let h = homotopy_explorer::diagnostics::metrics::residual_at(
                s.problem().as_ref(),
                s.objective().network(),
                theta,
                s.problem().residual_points(),
                0.05,
                &backend::cpu().unwrap().device,
            );
            let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
            let moved: Vec<f64> = u.iter().zip(&u0).map(|(a, b)| a - b).collect();
            assert!((change - norm(&moved) / (0.05 * norm(&u0))).abs() < 1e-9 * change);
            assert!((rate - norm(&h) / norm(&u)).abs() < 1e-9 * rate);
            return;
        }
    }
    panic!("no window finished in 4 steps");
}

#[test]
fn time_sequential_stops_once_the_state_is_steady_and_refuses_what_it_cannot_march() {
    let mut s =
        ac2_time_sequential("initial_steps = 0\nwindow_steps = 3\nsteady_tolerance = 1e9\n");
    let (end, all) = run(&mut s);
    assert!(
        matches!(end, EndReason::Marched { steady: true, time, .. } if (time - 0.01).abs() < 1e-15),
        "{end:?}"
    );
    assert_eq!(all.len(), 3);
    // A problem without u₀, the printed sign (backward diffusion), a bad Δt and HRTA (its s
    // would switch inside a window) are named.
    let text = format!("{}{TIME_SEQUENTIAL}", small_ac2());
    for (bad, key) in [
        (
            text.replace("allen_cahn_2d", "allen_cahn_1d"),
            "strategy.kind",
        ),
        (
            text.replace(
                "n_eval = 121",
                "n_eval = 121\npath = \"s_homotopy_as_printed\"",
            ),
            "problem.path",
        ),
        (format!("{text}dt = -0.1\n"), "strategy.time.dt"),
        (format!("{text}[hrta]\nenabled = true\n"), "hrta.enabled"),
    ] {
        let err = RunConfig::from_toml_str(&bad).unwrap_err().to_string();
        assert!(err.contains(key), "{key}: {err}");
    }
}

/// θ after `steps` Phase I steps (Adam, then LM) of `kind` with Phase I's phase condition set
/// as given, from the same initialization.
fn after_phase_one(kind: &str, phase_condition: bool, steps: usize) -> Vec<f64> {
    let mut s = session(&format!(
        "{}tolerance = 0.0\nphase_condition = {phase_condition}\n",
        common::strategy(kind, 0.1, "kind = \"list\"\nvalues = [0.05]", 20, 10)
    ));
    for _ in 0..steps {
        s.step().unwrap();
    }
    assert_eq!(s.state().eps, 0.1, "still in Phase I at ε₀");
    s.state().theta.clone()
}

#[test]
fn both_strategies_run_the_same_phase_one_with_its_phase_condition() {
    // 20 Adam steps and 5 LM iterations at ε₀: Strategy 1 and Strategy 2 share Phase I, and
    // both hand the phase directions to LM when Phase I's condition is on.
    let s1_on = after_phase_one("strategy1", true, 25);
    let s2_on = after_phase_one("strategy2", true, 25);
    assert_eq!(s1_on, s2_on);
    let s1_off = after_phase_one("strategy1", false, 25);
    let s2_off = after_phase_one("strategy2", false, 25);
    assert_eq!(s1_off, s2_off);
    // The condition changes the LM steps (the Adam steps are the same either way).
    assert_ne!(s1_on, s1_off);
    assert_eq!(
        after_phase_one("strategy1", true, 20),
        after_phase_one("strategy1", false, 20)
    );
}

/// One Euler predictor step from a point on the path, with no corrector: the loss at the new ε
/// after the step, and of the parameters left where they were.
fn predictor_losses(h: f64) -> (f64, f64) {
    // Random features (u linear in θ) on multiscale Poisson (H linear in u), more features than
    // rows: Phase I solves the least-squares problem at ε₀ to H ≈ 0, so θ starts on the path.
    let eps0 = 0.5;
    let text = format!(
        "version = 1\n[problem]\nkind = \"poisson_multiscale_1d\"\neps = {eps}\nn_res = 30\n\
         sampling = \"grid\"\n[network]\nhidden = [80]\ninit = \"ntk_normal\"\n\
         output_scale_exponent = 0.5\ntrain_output_only = true\n[training]\nmax_steps = 1000\n\
         [strategy]\nkind = \"strategy1\"\neps_start = {eps0}\n[strategy.schedule]\n\
         kind = \"list\"\nvalues = [{eps}]\n[strategy.phase1]\nadam_steps = 0\n\
         lm_iterations = 60\ntolerance = 1e-24\n[strategy.euler]\nphase_condition = false\n\
         corrector = \"none\"\nrcond = 1e-12\n",
        eps = eps0 - h
    );
    let mut s = Session::new(
        RunConfig::from_toml_str(&text).unwrap(),
        &backend::cpu().unwrap(),
    );
    loop {
        let theta = s.state().theta.clone();
        let at = s.state().eps;
        let p = s.step().unwrap().expect("running");
        if p.stages.iter().any(|st| st.eps == eps0 - h) {
            assert_eq!(at, eps0, "the step started on the path at ε₀");
            let start = s.objective().loss(&theta, at).unwrap().total;
            assert!(start < 1e-9, "Phase I left loss {start:e} at ε₀");
            let stayed = s.objective().loss(&theta, eps0 - h).unwrap().total;
            return (p.stages[0].loss, stayed);
        }
        assert!(p.end.is_none(), "ended before the Euler step: {:?}", p.end);
    }
}

#[test]
fn the_euler_predictor_follows_the_path_to_second_order() {
    // On the path H(θ(ε), ε) = 0, so a step θ − Δε·J⁺H_ε leaves a residual O(Δε²) (loss
    // O(Δε⁴)), while parameters left in place leave O(Δε) (loss O(Δε²)) and a predictor of the
    // wrong sign twice that.
    let (moved, stayed) = predictor_losses(0.005);
    assert!(
        moved < 1e-2 * stayed,
        "after the predictor {moved:e}, in place {stayed:e}"
    );
    // Halving the step: the predictor's loss falls by about 2⁴, staying put's by 2².
    let (moved_half, stayed_half) = predictor_losses(0.0025);
    let (order_moved, order_stayed) = ((moved / moved_half).log2(), (stayed / stayed_half).log2());
    assert!(
        (3.5..4.5).contains(&order_moved),
        "predictor order {order_moved}"
    );
    assert!(
        (1.8..2.2).contains(&order_stayed),
        "in place order {order_stayed}"
    );
}
