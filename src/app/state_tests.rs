//! Tests of the run view ([`super`]).

use super::*;
use crate::config::RunConfig;

#[test]
fn an_end_far_from_the_solution_says_so_in_the_same_red_message() {
    use crate::diagnostics::Accuracy;
    let mut view = RunView::default();
    let far = Accuracy {
        l2re_reference: Some(0.226),
        ..Accuracy::default()
    };
    view.apply(Event::Ended(EndReason::Completed { loss: 1e-6 }, far));
    let (error, text) = view.messages.back().unwrap().clone();
    assert!(error, "{text}");
    assert!(
        text.starts_with("run ended: reached the target ε"),
        "{text}"
    );
    assert!(
        text.contains("but u_θ is far from the solution: L2RE 0.226"),
        "{text}"
    );
    // Kept beside the end reason under Start, after the status line moves on.
    assert!(view.end_far.as_deref().is_some_and(|t| t.contains("0.226")));
    // Close: the plain end; stopped by the user: no verdict on a run cut short.
    let close = Accuracy {
        l2re_reference: Some(0.004),
        ..Accuracy::default()
    };
    view.apply(Event::Ended(EndReason::Completed { loss: 1e-6 }, close));
    assert!(!view.messages.back().unwrap().0);
    view.apply(Event::Ended(EndReason::Interrupted, far));
    assert_eq!(
        view.messages.back().unwrap(),
        &(false, "run ended: interrupted".to_string())
    );
}

/// 1D Allen–Cahn at ε = 0.01 trained by `strategy`.
fn ac1_with(strategy: &str) -> RunConfig {
    RunConfig::from_toml_str(&format!(
        "version = 1\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.01\n[strategy]\nkind = \"{strategy}\"\n"
    ))
    .unwrap()
}

#[test]
fn a_classical_run_stuck_far_from_the_solution_is_pointed_to_a_homotopy_not_the_step_cap() {
    use crate::diagnostics::Accuracy;
    let far = Accuracy {
        l2re_exact: Some(1.333),
        ..Accuracy::default()
    };
    let mut view = RunView {
        config: Some(ac1_with("classical")),
        ..RunView::default()
    };
    view.apply(Event::Ended(EndReason::MaxSteps, far));
    let (error, text) = view.messages.back().unwrap().clone();
    assert!(error, "{text}");
    assert!(text.contains("L2RE 1.333"), "{text}");
    assert!(
        text.ends_with("pick a homotopy strategy (Strategy 1) and Reset"),
        "{text}"
    );
    assert_eq!(view.points_to, None);
    // A homotopy cut short by its cap is still pointed to the cap; so is a classical run
    // whose answer is right.
    let mut view = RunView {
        config: Some(ac1_with("strategy1")),
        ..RunView::default()
    };
    view.apply(Event::Ended(EndReason::MaxSteps, far));
    assert_eq!(view.points_to, Some(Reveal::StepCap));
    let mut view = RunView {
        config: Some(ac1_with("classical")),
        ..RunView::default()
    };
    view.apply(Event::Ended(EndReason::MaxSteps, Accuracy::default()));
    assert_eq!(view.points_to, Some(Reveal::StepCap));
}

#[test]
fn the_homotopy_advice_is_given_only_where_the_problem_admits_strategy_1() {
    assert!(homotopy_would_help(&ac1_with("classical")));
    assert!(!homotopy_would_help(&ac1_with("strategy1")));
    // Sobolev Poisson stacks three residual rows per point: classical training only.
    let sobolev =
        RunConfig::from_toml_str(include_str!("../../presets/hrta_sobolev_poisson_adam.toml"))
            .unwrap();
    assert_eq!(
        sobolev.strategy.kind,
        crate::config::StrategyKind::Classical
    );
    assert!(!homotopy_would_help(&sobolev));
}

#[test]
fn a_changed_configuration_clears_the_old_runs_end_and_verdict() {
    use crate::diagnostics::Accuracy;
    let mut view = RunView::default();
    view.apply(Event::Config(Box::new(ac1_with("classical"))));
    let far = Accuracy {
        l2re_exact: Some(1.333),
        ..Accuracy::default()
    };
    view.apply(Event::Ended(EndReason::MaxSteps, far));
    // The same configuration again (as after a checkpoint) keeps them.
    view.apply(Event::Config(Box::new(ac1_with("classical"))));
    assert_eq!(view.end, Some(EndReason::MaxSteps));
    assert!(view.end_far.is_some());
    // Strategy 1 picked: the ended classical run's words no longer describe the run.
    view.apply(Event::Config(Box::new(ac1_with("strategy1"))));
    assert_eq!(view.end, None);
    assert_eq!(view.end_far, None);
}

#[test]
fn timeline_frames_are_thinned_to_every_other_stage_past_the_budget_keeping_the_newest() {
    let stages = (0..9)
        .map(|k| StageRecord {
            step: 10 * k,
            stage: k,
            u: vec![0.0; 100],
            reference: Some(vec![0.0; 100]),
            ..StageRecord::default()
        })
        .collect();
    let mut view = RunView {
        stages,
        scrub: Some(1),
        ..RunView::default()
    };
    // 9 frames of 1600 bytes: within 15 000 they all stay.
    view.thin_frames_within(15_000);
    assert_eq!(view.frames().len(), 9);
    assert_eq!(view.frame_stride, 1);
    // Within 8 000: every other frame goes (5 stay, the newest among them).
    view.thin_frames_within(8_000);
    assert_eq!(view.frames(), vec![0, 2, 4, 6, 8]);
    assert_eq!(view.frame_stride, 2);
    // The stage scrubbed to lost its frame: the kept one before it is shown (Play goes on
    // from there).
    assert_eq!(view.scrub, Some(0));
    assert_eq!(view.stages.len(), 9, "the stages' numbers all stay");
}

#[test]
fn a_scrubbed_stage_shows_the_last_spectrum_taken_before_it_ended() {
    let j = crate::net::jacobian::Jacobian {
        rows: 2,
        cols: 2,
        data: vec![1.0, 0.0, 0.0, 2.0],
    };
    let k = crate::diagnostics::spectrum::kernel_spectrum(&j, 1e-4).unwrap();
    let report = |eps: f64| crate::train::SpectralReport {
        eps,
        k: k.clone(),
        sst: k.clone(),
        soft_mode_u: Vec::new(),
        operator: None,
        band: None,
    };
    let mut view = RunView {
        stages: [(0, 90), (1, 150), (2, 200)]
            .into_iter()
            .map(|(stage, step)| StageRecord {
                step,
                stage,
                ..StageRecord::default()
            })
            .collect(),
        ..RunView::default()
    };
    for (step, eps) in [(100, 0.5), (200, 0.25), (300, 0.125)] {
        view.apply(Event::Diagnostics {
            step,
            report: Box::new(report(eps)),
            residual_x: Vec::new(),
        });
    }
    let shown = |view: &RunView| view.diagnostics_shown().map(|d| d.step);
    assert_eq!(shown(&view), Some(300), "live: the latest");
    view.scrub = Some(1);
    assert_eq!(shown(&view), Some(100), "stage 1 ended at step 150");
    view.scrub = Some(2);
    assert_eq!(shown(&view), Some(200), "stage 2 ended at step 200 itself");
    view.scrub = Some(0);
    assert_eq!(shown(&view), None, "nothing before step 90");
}

#[test]
fn the_eta_is_the_stages_left_at_the_recent_steps_per_stage() {
    let stage = |step| StageRecord {
        step,
        ..StageRecord::default()
    };
    let stages: Vec<_> = [0, 40, 100, 150].into_iter().map(stage).collect();
    // 50 steps per stage, 10 stages at 100 steps/s.
    assert_eq!(stages_eta(&stages, 10, 100.0), Some(5.0));
    assert_eq!(stages_eta(&stages[..1], 10, 100.0), None);
    assert_eq!(stages_eta(&stages, 10, 0.0), None);
}

fn config(kind: &str, eps: f64) -> RunConfig {
    RunConfig::from_toml_str(&format!(
        "version = 1\n[problem]\nkind = \"{kind}\"\neps = {eps}\nn_res = 100\nn_eval = 121\n"
    ))
    .unwrap()
}

#[test]
fn a_sweep_of_the_previous_problem_is_dropped_when_the_problem_changes() {
    let sweep = || Event::Sweep {
        points: vec![(0.1, 1.0)],
        current: None,
    };
    let ac1 = config("allen_cahn_1d", 0.05);
    let mut view = RunView::default();
    view.apply(Event::Config(Box::new(ac1)));
    view.apply(sweep());
    // A new target ε is the same problem: the sweep (over ε) stays.
    view.apply(Event::Config(Box::new(config("allen_cahn_1d", 0.02))));
    assert!(view.sweep.is_some());
    // A sweep still queued for the old problem arrives before the new configuration.
    view.apply(Event::Config(Box::new(config("allen_cahn_2d", 0.05))));
    assert!(view.sweep.is_none());
}
