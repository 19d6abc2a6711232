//! Tests of the discard and continue-or-restart questions ([`super`]).

use super::super::test_support::{PRESET, app, last_message, settle, train};
use super::*;
use crate::config::StrategyKind;

/// The plan's step count is said once the change is applied, not while the question is
/// open (a cancelled one left it standing), and counts the Phase I that Continue starts
/// again; a strategy picked with no question says it at once.
#[test]
fn the_plan_against_the_step_cap_is_said_when_the_change_is_applied() {
    let plan = |app: &ExplorerApp| {
        app.view
            .messages
            .iter()
            .filter(|(_, t)| t.starts_with("the plan may take"))
            .map(|(_, t)| t.clone())
            .collect::<Vec<_>>()
    };
    let mut app = app();
    app.pick_strategy(StrategyKind::Strategy2);
    assert!(settle(&mut app, |a| a.config().strategy.kind
        == StrategyKind::Strategy2));
    // Strategy 2's default plan from Strategy 1's settings outgrows the step cap: said at
    // once (it was only in the schedule panel's small print).
    assert_eq!(plan(&app).len(), 1, "{:?}", app.view.messages);
    assert!(plan(&app)[0].contains("(Phase I "), "{:?}", plan(&app));
    // Dismissed, as the status line's button does.
    app.view.messages.clear();
    app.view.points_to = None;
    train(&mut app, 2);
    assert!(app.view.latest.as_ref().unwrap().in_phase_one);
    app.draft.strategy.schedule = crate::config::ScheduleConfig::Linear { delta: 0.0001 };
    assert!(app.apply_schedule());
    assert!(app.pending_apply.is_some());
    assert!(
        plan(&app).is_empty(),
        "said before the answer: {:?}",
        plan(&app)
    );
    app.resolve_apply(ApplyChoice::Cancel);
    assert!(plan(&app).is_empty());
    assert_eq!(app.view.points_to, None);
    assert!(app.apply_schedule());
    app.resolve_apply(ApplyChoice::Continue);
    let said = plan(&app);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains("(2 taken, the rest of Phase I, 500 stages"),
        "{said:?}"
    );
    assert_eq!(
        app.view.points_to,
        Some(super::super::state::Reveal::StepCap)
    );
}

#[test]
fn a_question_over_a_training_run_pauses_it_and_cancel_resumes_it() {
    let mut app = app();
    train(&mut app, 2);
    app.play_pause();
    assert!(settle(&mut app, |a| a.running()));
    app.reset();
    assert!(app.paused_for_question());
    assert!(settle(&mut app, |a| !a.running()), "paused while asked");
    let step = app.view.latest.as_ref().unwrap().step;
    std::thread::sleep(std::time::Duration::from_millis(100));
    app.poll();
    assert_eq!(app.view.latest.as_ref().unwrap().step, step, "held still");
    app.resolve_discard(DiscardChoice::Cancel);
    assert_eq!(last_message(&app), "reset cancelled; training resumed");
    assert!(settle(&mut app, |a| a.running()));
    // Asked while paused: Cancel leaves it paused.
    app.play_pause();
    assert!(settle(&mut app, |a| !a.running()));
    app.reset();
    assert!(!app.paused_for_question());
    app.resolve_discard(DiscardChoice::Cancel);
    std::thread::sleep(std::time::Duration::from_millis(100));
    app.poll();
    assert!(!app.running());
}

#[test]
fn a_reset_over_a_trained_run_waits_for_a_yes_and_can_pin_it_first() {
    let mut app = app();
    // Nothing trained: at once.
    app.reset();
    assert!(app.pending_discard.is_none());
    train(&mut app, 3);
    app.reset();
    assert!(matches!(app.pending_discard, Some(Discard::Reset)));
    app.resolve_discard(DiscardChoice::Cancel);
    assert!(app.pending_discard.is_none());
    train(&mut app, 1);
    assert_eq!(
        app.view.latest.as_ref().unwrap().step,
        4,
        "cancel kept the run"
    );
    app.reset();
    app.resolve_discard(DiscardChoice::PinFirst);
    assert_eq!(app.view.pinned.len(), 1);
    assert_eq!(app.view.pinned[0].summary.steps, 4);
    assert!(settle(&mut app, |a| a
        .view
        .latest
        .as_ref()
        .is_some_and(|s| s.step == 0)));
    // A run pinned as it stands goes without asking.
    train(&mut app, 2);
    assert!(app.view.pin_current());
    // Unpinned again: it would be lost, so the reset asks.
    app.view.pinned.pop();
    app.reset();
    assert!(matches!(app.pending_discard, Some(Discard::Reset)));
    app.resolve_discard(DiscardChoice::Cancel);
    assert!(app.view.pin_current());
    app.reset();
    assert!(app.pending_discard.is_none());
    assert!(settle(&mut app, |a| a
        .view
        .latest
        .as_ref()
        .is_some_and(|s| s.step == 0)));
    // Clearing the pins asks too, and says how many went.
    app.clear_pins();
    assert!(matches!(app.pending_discard, Some(Discard::Pins)));
    app.resolve_discard(DiscardChoice::Discard);
    assert!(app.view.pinned.is_empty());
    assert!(last_message(&app).contains("2 pinned runs cleared"));
}

#[test]
fn a_preset_over_a_trained_run_is_checked_then_waits_for_a_yes() {
    let mut app = app();
    train(&mut app, 2);
    let other = PRESET.replace("strategy1", "strategy2");
    // A bad preset is refused at once, not asked about.
    assert!(!app.load_preset_text("version = 1\n[problem]\neps = -1\n", "bad", None));
    assert!(app.pending_discard.is_none());
    assert!(app.load_preset_text(&other, "other", None));
    assert!(matches!(app.pending_discard, Some(Discard::Preset { .. })));
    assert_eq!(app.config().strategy.kind, StrategyKind::Strategy1);
    app.resolve_discard(DiscardChoice::Discard);
    assert!(last_message(&app).contains("loaded preset other"));
    assert!(settle(&mut app, |a| a.config().strategy.kind
        == StrategyKind::Strategy2));
}

#[test]
fn settings_that_need_a_fresh_run_wait_for_a_yes_and_the_rest_apply_in_place() {
    let mut app = app();
    train(&mut app, 2);
    app.draft.optimizer.lr = 0.02;
    app.apply_draft();
    assert!(
        app.pending_discard.is_none(),
        "a rate keeps the trained state"
    );
    assert!(settle(&mut app, |a| a.config().optimizer.lr == 0.02));
    assert_eq!(app.view.latest.as_ref().unwrap().step, 2);
    app.draft.training.seed = 7;
    app.apply_draft();
    assert!(matches!(app.pending_discard, Some(Discard::Apply(_))));
    app.resolve_discard(DiscardChoice::Cancel);
    assert_eq!(app.config().training.seed, 0);
    app.apply_draft();
    app.resolve_discard(DiscardChoice::Discard);
    assert!(settle(&mut app, |a| a.config().training.seed == 7));
}

#[test]
fn a_second_question_is_refused_while_one_is_open_and_the_first_is_kept() {
    let mut app = app();
    train(&mut app, 2);
    app.reset();
    assert!(matches!(app.pending_discard, Some(Discard::Reset)));
    // `r` again is the same question: nothing to refuse.
    let said = app.view.messages.len();
    app.reset();
    assert!(matches!(app.pending_discard, Some(Discard::Reset)));
    assert_eq!(app.view.messages.len(), said);
    let other = PRESET.replace("strategy1", "strategy2");
    assert!(!app.load_preset_text(&other, "other", None));
    assert!(matches!(app.pending_discard, Some(Discard::Reset)));
    assert_eq!(
        last_message(&app),
        "loading preset other not done: answer the open question “Reset the run?” first"
    );
    // Pinned now, Clear pins would ask too: refused while the reset question is open.
    assert!(app.view.pin_current());
    app.clear_pins();
    assert!(matches!(app.pending_discard, Some(Discard::Reset)));
    assert!(last_message(&app).starts_with("clear pins not done"));
    app.resolve_discard(DiscardChoice::Cancel);
    assert!(app.open_question().is_none());
    assert_eq!(app.view.latest.as_ref().unwrap().step, 2);
}

#[test]
fn an_open_apply_question_holds_off_loads_and_applies_and_goes_when_the_run_moves() {
    let mut app = app();
    train(&mut app, 3);
    assert!(app.view.pin_current());
    assert!(app.pick_strategy(StrategyKind::Strategy2));
    assert!(app.pending_apply.is_some());
    // Nothing would be lost (the run is pinned), but the question is about this run.
    let other = PRESET.replace("eps_start = 0.1", "eps_start = 0.2");
    assert!(!app.load_preset_text(&other, "other", None));
    assert!(last_message(&app).contains("“Apply to the path” first"));
    app.draft.optimizer.lr = 0.02;
    app.apply_draft();
    assert!(last_message(&app).starts_with("apply not done"));
    // Trained on meanwhile: the question no longer holds.
    app.send(Command::Step);
    assert!(settle(&mut app, |a| a.pending_apply.is_none()));
    assert!(last_message(&app).contains("moved on while the question was open"));
}

#[test]
fn apply_leaves_a_schedule_edit_to_apply_schedule_and_the_draft_keeps_it() {
    use crate::config::ScheduleConfig;
    let mut app = app();
    train(&mut app, 2);
    let running = app.config().strategy.schedule.clone();
    let edit = ScheduleConfig::Linear { delta: 0.01 };
    app.draft.strategy.schedule = edit.clone();
    app.draft.optimizer.lr = 0.02;
    app.apply_draft();
    assert!(settle(&mut app, |a| a.config().optimizer.lr == 0.02));
    assert_eq!(app.config().strategy.schedule, running, "not applied");
    assert_eq!(
        app.draft.strategy.schedule, edit,
        "still waiting in the draft"
    );
    assert_eq!(app.view.latest.as_ref().unwrap().step, 2);
    // Revert drops it for good.
    app.revert_draft();
    assert_eq!(app.draft.strategy.schedule, running);
}

#[test]
fn a_restart_from_the_apply_question_can_pin_the_trained_run_first() {
    let mut app = app();
    train(&mut app, 3);
    assert!(app.pick_strategy(StrategyKind::Strategy2));
    assert!(app.pending_apply.is_some(), "a paused path asks");
    // The open question holds off a reset, which would otherwise ask a second one.
    app.reset();
    assert!(last_message(&app).contains("“Apply to the path” first"));
    assert!(app.pending_discard.is_none());
    app.resolve_apply(ApplyChoice::PinThenRestart);
    assert_eq!(app.view.pinned.len(), 1);
    assert_eq!(app.view.pinned[0].summary.steps, 3);
    assert!(settle(&mut app, |a| a.config().strategy.kind
        == StrategyKind::Strategy2
        && a.view.latest.as_ref().is_some_and(|s| s.step == 0)));
}
