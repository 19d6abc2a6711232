//! What the app's unit tests share: a small 1D preset with lecture locks, an app whose worker
//! has reported its first state, and draining the worker's events until a condition holds.

use super::ExplorerApp;
use crate::config::RunConfig;
use crate::worker::Command;

pub(super) const PRESET: &str = r#"version = 1
[problem]
kind = "allen_cahn_1d"
eps = 0.05
n_res = 40
n_eval = 101
[network]
hidden = [8, 8]
[strategy]
kind = "strategy1"
eps_start = 0.1
[lecture]
locked = ["problem", "eps"]
"#;

/// An app whose worker has reported its first state (as in the window after a frame).
pub(super) fn app() -> ExplorerApp {
    let config = RunConfig::from_toml_str(PRESET).unwrap();
    let mut app = ExplorerApp::headless(egui::Context::default(), Some(config));
    assert!(settle(&mut app, |a| a.view.latest.is_some()));
    app
}

/// Drain worker events until `done` holds (at most 5 s).
pub(super) fn settle(app: &mut ExplorerApp, done: impl Fn(&ExplorerApp) -> bool) -> bool {
    for _ in 0..500 {
        app.poll();
        if done(app) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}

pub(super) fn last_message(app: &ExplorerApp) -> String {
    app.view
        .messages
        .back()
        .map(|(_, t)| t.clone())
        .unwrap_or_default()
}

/// Take `n` training steps and wait for the snapshot.
pub(super) fn train(app: &mut ExplorerApp, n: usize) {
    let before = app.view.latest.as_ref().map_or(0, |s| s.step);
    for _ in 0..n {
        app.send(Command::Step);
    }
    assert!(settle(app, |a| a
        .view
        .latest
        .as_ref()
        .is_some_and(|s| s.step == before + n)));
}
