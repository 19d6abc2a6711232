//! The training worker on its own: commands in, bounded and coalesced events out, checkpoints,
//! bad input reported as events, a panic inside the worker reported, clean shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use homotopy_explorer::backend;
use homotopy_explorer::config::RunConfig;
use homotopy_explorer::worker::{Command, Event, WorkerHandle};

mod common;

/// A small 1D Allen–Cahn run that does not end by itself.
fn preset() -> String {
    common::small_ac1(0.1, "[10, 10]", "max_steps = 1000000\n")
}

fn spawn() -> (WorkerHandle, Arc<AtomicUsize>) {
    let wakes = Arc::new(AtomicUsize::new(0));
    let w = wakes.clone();
    let handle = WorkerHandle::spawn(
        RunConfig::from_toml_str(&preset()).unwrap(),
        backend::cpu().unwrap(),
        Arc::new(move || {
            w.fetch_add(1, Ordering::Relaxed);
        }),
    );
    (handle, wakes)
}

/// Events until one satisfies `done`, or until `cap` has passed (a loaded machine may take
/// seconds to unwind and print a panic's backtrace; no test times the worker).
fn collect_until(
    handle: &WorkerHandle,
    cap: Duration,
    done: impl Fn(&Event) -> bool,
) -> Vec<Event> {
    let until = Instant::now() + cap;
    let mut out: Vec<Event> = Vec::new();
    while Instant::now() < until && !out.iter().any(&done) {
        out.extend(handle.drain());
        std::thread::sleep(Duration::from_millis(5));
    }
    out
}

fn collect(handle: &WorkerHandle, for_: Duration) -> Vec<Event> {
    collect_until(handle, for_, |_| false)
}

#[test]
fn snapshots_are_coalesced_and_carry_every_history_point() {
    let (handle, wakes) = spawn();
    assert!(handle.send(Command::Play));
    let events = collect(&handle, Duration::from_millis(1500));
    let snaps: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Snapshot(s) => Some(s),
            _ => None,
        })
        .collect();
    // At most ~30 per second (1.5 s ⇒ ≤ 50 with slack for the first one).
    assert!(
        !snaps.is_empty() && snaps.len() <= 50,
        "{} snapshots",
        snaps.len()
    );
    // No history point is lost by coalescing: the steps are consecutive.
    let steps: Vec<usize> = snaps
        .iter()
        .flat_map(|s| s.history.iter().map(|h| h.step))
        .collect();
    assert!(steps.len() > 100);
    assert!(steps.windows(2).all(|w| w[1] == w[0] + 1), "history gaps");
    assert!(wakes.load(Ordering::Relaxed) > 0, "the UI is woken");
    handle.send(Command::Pause);
    handle.shutdown(Duration::from_secs(5));
}

#[test]
fn bad_commands_are_reported_and_the_worker_keeps_running() {
    let (handle, _) = spawn();
    handle.send(Command::SetEpsTarget(-1.0));
    let mut bad = RunConfig::from_toml_str(&preset()).unwrap();
    bad.network.hidden = vec![0];
    handle.send(Command::LoadConfig(Box::new(bad)));
    handle.send(Command::LoadCheckpoint(
        "/nonexistent/checkpoint.json".into(),
    ));
    let events = collect(&handle, Duration::from_millis(400));
    let errors: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Error(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("ε must be > 0"));
    assert!(errors[1].contains("network.hidden"));
    assert!(errors[2].contains("/nonexistent/checkpoint.json"));
    assert!(handle.is_alive());
    handle.send(Command::Step);
    let events = collect(&handle, Duration::from_millis(300));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Snapshot(s) if s.step == 1))
    );
    handle.shutdown(Duration::from_secs(5));
}

#[test]
fn checkpoints_round_trip() {
    let (handle, _) = spawn();
    for _ in 0..25 {
        handle.send(Command::Step);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.json");
    handle.send(Command::SaveCheckpoint(path.clone()));
    let events = collect(&handle, Duration::from_millis(500));
    let last_u = events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Snapshot(s) => Some(s.u.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Checkpoint(t) if t.contains("saved")))
    );
    handle.send(Command::Reset);
    handle.send(Command::LoadCheckpoint(path));
    let events = collect(&handle, Duration::from_millis(500));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Checkpoint(t) if t.contains("step 25")))
    );
    let restored = events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Snapshot(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(restored.step, 25);
    assert_eq!(restored.u, last_u, "the restored network is the saved one");
    handle.shutdown(Duration::from_secs(5));
}

#[test]
fn shutdown_stops_the_thread() {
    let (handle, _) = spawn();
    handle.send(Command::Play);
    std::thread::sleep(Duration::from_millis(100));
    let t0 = Instant::now();
    handle.shutdown(Duration::from_secs(5));
    assert!(t0.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_panic_inside_the_worker_is_reported_and_a_new_worker_can_start() {
    // The worker calls the waker after sending events: a waker that panics once makes the
    // worker thread itself panic, through no special hook.
    let fired = Arc::new(AtomicUsize::new(0));
    let f = fired.clone();
    let handle = WorkerHandle::spawn(
        RunConfig::from_toml_str(&preset()).unwrap(),
        backend::cpu().unwrap(),
        Arc::new(move || {
            if f.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("injected failure in the waker");
            }
        }),
    );
    handle.send(Command::Step);
    let events = collect_until(&handle, Duration::from_secs(60), |e| {
        matches!(e, Event::Panicked(_))
    });
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Panicked(t) if t.contains("injected failure"))),
        "no Panicked event"
    );
    // The thread ends just after sending the event.
    let until = Instant::now() + Duration::from_secs(10);
    while handle.is_alive() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!handle.is_alive());
    assert!(
        !handle.send(Command::Step),
        "a dead worker takes no commands"
    );
    // A fresh worker runs normally.
    let (again, _) = spawn();
    for _ in 0..3 {
        again.send(Command::Step);
    }
    let events = collect_until(
        &again,
        Duration::from_secs(60),
        |e| matches!(e, Event::Snapshot(s) if s.step == 3),
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Snapshot(s) if s.step == 3))
    );
    again.shutdown(Duration::from_secs(5));
}

#[test]
fn a_checkpoint_that_does_not_fit_leaves_the_run_as_it_was() {
    let (handle, _) = spawn();
    for _ in 0..10 {
        handle.send(Command::Step);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.json");
    handle.send(Command::SaveCheckpoint(path.clone()));
    collect(&handle, Duration::from_millis(400));
    // The same checkpoint with one parameter too few.
    let mut cp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    cp["theta"].as_array_mut().unwrap().pop();
    std::fs::write(&path, cp.to_string()).unwrap();
    handle.send(Command::LoadCheckpoint(path));
    let events = collect(&handle, Duration::from_millis(400));
    assert!(
        events.iter().any(|e| matches!(e, Event::Error(t)
            if t.contains("parameters, the network has") && t.contains("unchanged"))),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| matches!(e, Event::RunReset)));
    // Training goes on from step 10.
    handle.send(Command::Step);
    let events = collect(&handle, Duration::from_millis(300));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Snapshot(s) if s.step == 11)),
        "{events:?}"
    );
    handle.shutdown(Duration::from_secs(5));
}

#[test]
fn a_snapshot_before_any_step_carries_the_loss_at_the_initial_parameters() {
    let (handle, _) = spawn();
    handle.send(Command::RequestDiagnostics);
    let events = collect(&handle, Duration::from_millis(400));
    let snap = events
        .iter()
        .find_map(|e| match e {
            Event::Snapshot(s) => Some(s.clone()),
            _ => None,
        })
        .expect("a snapshot");
    assert_eq!(snap.step, 0);
    // Not 0: an untrained network does not fit the PDE.
    assert!(
        snap.loss.total > 0.0 && snap.loss.total.is_finite(),
        "{:?}",
        snap.loss
    );
    assert_eq!(snap.summary.final_loss, snap.loss);
    assert_eq!(snap.summary.end_reason, "paused");
    assert_eq!(snap.summary.steps_per_s, 0.0);
    handle.shutdown(Duration::from_secs(5));
}

#[test]
fn an_ended_runs_summary_reports_the_loss_at_its_final_parameters_as_run_does() {
    let text = common::small_ac1(0.1, "[10, 10]", "max_steps = 25\n");
    let config = RunConfig::from_toml_str(&text).unwrap();
    let device = backend::cpu().unwrap();
    let handle = WorkerHandle::spawn(config.clone(), device.clone(), Arc::new(|| {}));
    handle.send(Command::Play);
    let ended = |e: &Event| matches!(e, Event::Snapshot(s) if s.step == 25 && !s.running);
    let events = collect_until(&handle, Duration::from_secs(60), ended);
    let snap = events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Snapshot(s) if ended(e) => Some(s.clone()),
            _ => None,
        })
        .expect("the run's last snapshot");
    handle.shutdown(Duration::from_secs(5));
    // `run`'s summary: the same steps headless, the loss taken at the final parameters.
    let mut session = homotopy_explorer::train::Session::new(config, &device);
    while session.step().unwrap().is_some_and(|p| p.end.is_none()) {}
    assert_eq!(session.state().step, 25);
    let at_end = session.current_loss().unwrap();
    assert_eq!(snap.summary.final_loss, at_end);
    assert_eq!(snap.loss, at_end, "the status line's loss too");
}
