//! How configurations reach the run: a preset (menu, file, paste, drop, `gui --preset`) or a
//! checkpoint loaded in its place, the draft the controls edit and its *Apply*, and the draft
//! kept in step with what the worker reports — edits not yet applied are carried onto each
//! reported configuration ([`crate::config::rebase`]) from the one the last change expected,
//! so what the worker refused falls back. Lecture locks and the questions of `discard` are
//! checked here before anything is sent.

use std::path::PathBuf;

use crate::config::{BackendKind, RunConfig};
use crate::worker::Command;

use super::{Discard, ExplorerApp};

impl ExplorerApp {
    /// Load a configuration (a preset): a fresh run.
    pub fn load_config(&mut self, mut config: RunConfig, path: Option<PathBuf>) {
        if let Some(why) = self.cpu_fallback(&mut config) {
            self.view
                .message(true, format!("no usable GPU ({why}); running on the CPU"));
        }
        self.remembered.last_preset = Some(config.to_toml_string());
        if path.is_some() {
            self.remembered.last_preset_path = path;
        }
        self.draft = config.clone();
        self.loaded = config.clone();
        // The reported configuration changes when the worker confirms the load; the lecture
        // locks are the window's and apply at once. Without a worker, the loaded preset is
        // what a restarted worker will run.
        if self.worker_alive() {
            if let Some(c) = &mut self.view.config {
                c.lecture = config.lecture.clone();
            }
        } else {
            self.view.config = Some(config.clone());
        }
        // An open lecture-locks window edits the locks of the run it was opened on.
        self.loads += 1;
        self.draft_revision += 1;
        // The view drops the previous problem's sweep when the worker confirms the new one.
        let sweep = config.problem.has_operator();
        self.send(Command::LoadConfig(Box::new(config)));
        if sweep {
            self.send(Command::RequestSweep);
        }
    }

    /// Move a wgpu configuration onto the CPU when no GPU is usable; returns why, if it did.
    fn cpu_fallback(&self, config: &mut RunConfig) -> Option<String> {
        if config.backend != BackendKind::Wgpu || matches!(self.gpu, Some(Ok(_))) {
            return None;
        }
        config.backend = BackendKind::Cpu;
        Some(match &self.gpu {
            Some(Err(e)) => e.clone(),
            _ => "the adapter check has not finished".into(),
        })
    }

    /// Parse preset text and load it; a bad preset changes nothing and shows why.
    /// In lecture mode a preset that would change a locked control is refused, and the locks
    /// in force are kept whatever the loaded preset says. Over a trained run that is not
    /// pinned as it stands, the checked preset waits for the user's yes
    /// ([`Self::resolve_discard`]); true: loaded or waiting.
    pub fn load_preset_text(&mut self, text: &str, origin: &str, path: Option<PathBuf>) -> bool {
        match RunConfig::from_toml_str(text) {
            Ok(mut config) => {
                // Compare what would actually run (a wgpu preset runs on the CPU without a GPU).
                let mut runs = config.clone();
                self.cpu_fallback(&mut runs);
                let blocked = self.locked_changes(&runs);
                if let Some(names) = crate::config::Control::sentence(&blocked) {
                    self.view.message(
                        true,
                        format!(
                            "preset {origin} not loaded: it changes {names}, which lecture mode locks (untick View → Lecture mode to change them)"
                        ),
                    );
                    return false;
                }
                if self.remembered.lecture_mode {
                    for c in &self.config().lecture.locked {
                        if !config.lecture.locked.contains(c) {
                            config.lecture.locked.push(*c);
                        }
                    }
                }
                // A question waits for an answer about the run this would replace.
                if !self.may_ask(&format!("loading preset {origin}")) {
                    return false;
                }
                if self.unkept_run().is_some() {
                    return self.ask_discard(Discard::Preset {
                        config: Box::new(config),
                        origin: origin.to_string(),
                        path,
                    });
                }
                self.load_checked_preset(config, origin, path);
                true
            }
            Err(e) => {
                self.view
                    .message(true, format!("preset {origin} not loaded: {e}"));
                false
            }
        }
    }

    pub(super) fn load_checked_preset(
        &mut self,
        config: RunConfig,
        origin: &str,
        path: Option<PathBuf>,
    ) {
        self.view.message(false, format!("loaded preset {origin}"));
        // Save preset writes to the file this preset came from, and to no other: a shipped or
        // pasted preset has none (it was left pointing at the last file opened).
        self.remembered.last_preset_path = path.clone();
        self.load_config(config, path);
    }

    /// Changes whenever the draft is replaced as a whole; text a panel keeps for a draft value
    /// is stale when this differs from the revision it was read at.
    pub fn draft_revision(&self) -> u64 {
        self.draft_revision
    }

    /// The edited configuration as preset text (Save preset, Copy preset): edits since the
    /// load are named in it (see [`RunConfig::described_against`]).
    pub fn preset_text(&self) -> String {
        self.draft.described_against(&self.loaded).to_toml_string()
    }

    /// Send `command`, which should make the worker report `expected`.
    pub(super) fn send_change(&mut self, expected: RunConfig, command: Command) {
        self.expected = Some(expected);
        self.send(command);
    }

    /// Resume the checkpoint at `path` in place of the run.
    pub(super) fn send_checkpoint_load(&mut self, path: PathBuf) {
        self.replacing = true;
        self.send(Command::LoadCheckpoint(path));
    }

    /// Whether the run's configuration or the draft differs from what was last loaded.
    pub fn modified(&self) -> bool {
        self.draft != self.loaded || *self.config() != self.loaded
    }

    /// The menu bar's title: the loaded preset's name, "(modified)" once the run or the draft
    /// differs from it, and the strategy that now runs when it is no longer the preset's (the
    /// name, e.g. "…, Strategy 2", would otherwise misname what the room is watching).
    pub fn title(&self) -> String {
        let name = &self.config().name;
        // What a preset's name may state and no longer holds: its strategy and its ε.
        let mut now = Vec::new();
        let kind = self.config().strategy.kind;
        if kind != self.loaded.strategy.kind {
            now.push(kind.label().to_string());
        }
        let eps = self.config().problem.eps;
        if eps != self.loaded.problem.eps {
            now.push(format!("ε target {}", crate::config::four_digits(eps)));
        }
        if !now.is_empty() {
            format!("{name} (modified: now {})", now.join(", "))
        } else if self.modified() {
            format!("{name} (modified)")
        } else {
            name.clone()
        }
    }

    /// How many presets or checkpoints were loaded (a window editing the previous run's
    /// settings closes when this changes).
    pub fn loads(&self) -> u64 {
        self.loads
    }

    /// Apply the edited draft (keeps the parameters when only training settings changed).
    /// The schedule is not part of it: a schedule edit waits for *Apply schedule* (which asks
    /// whether to continue the path) and stays in the draft meanwhile.
    pub fn apply_draft(&mut self) {
        if !self.may_ask("apply") {
            return;
        }
        let mut draft = self.draft.clone();
        draft.strategy.schedule = self.config().strategy.schedule.clone();
        if let Err(e) = draft.validate() {
            if self.draft.validate().is_ok() {
                self.view.message(
                    true,
                    format!("settings not applied: with the schedule that runs they are invalid ({e}); they need the edited schedule: press Apply schedule first, then Apply"),
                );
                return;
            }
            self.view
                .message(true, format!("settings not applied: {e}"));
            return;
        }
        if !crate::train::Session::keeps_state(self.config(), &draft) && self.unkept_run().is_some()
        {
            self.ask_discard(Discard::Apply(Box::new(draft)));
            return;
        }
        self.send_draft(draft);
    }

    pub(super) fn send_draft(&mut self, draft: RunConfig) {
        // The step cap the status line asked to raise: its warning is answered, not left red.
        let (old, new) = (self.config().training.max_steps, draft.training.max_steps);
        if old != new && self.view.points_to == Some(super::state::Reveal::StepCap) {
            self.view
                .message(false, format!("step cap {old} → {new} applied"));
        }
        self.remembered.last_preset = Some(draft.to_toml_string());
        self.send_change(draft.clone(), Command::ApplyConfig(Box::new(draft)));
    }

    /// The worker reported the configuration it runs (`before` was the one it ran): keep the
    /// window's lecture locks (a loaded preset brought its own before the worker answered),
    /// and bring the draft in step with it.
    pub(super) fn take_reported_config(&mut self, before: RunConfig) {
        if let Some(c) = &mut self.view.config {
            c.lecture = before.lecture.clone();
        }
        if std::mem::take(&mut self.replacing) {
            // A checkpoint's run: its settings, with no file of its own to save to.
            self.draft = self.config().clone();
            self.loaded = self.config().clone();
            self.remembered.last_preset_path = None;
            self.expected = None;
        } else {
            // Edits not yet applied (a schedule waiting for its own Apply, a rate typed before
            // the ε slider moved) are carried onto what the worker now runs; what the worker
            // refused or changed falls back.
            let base = self.expected.take().unwrap_or(before);
            self.draft = match crate::config::rebase(&base, &self.draft, self.config()) {
                Ok(draft) => draft,
                Err(why) => {
                    self.view
                        .message(true, format!("edits not applied yet were dropped: {why}"));
                    self.config().clone()
                }
            };
        }
        self.draft_revision += 1;
    }
}
