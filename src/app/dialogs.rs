//! The explorer's file dialogs and what their answers start: a native dialog opens on a
//! background thread and its answer arrives as a [`Pending`] job, handled here each frame
//! (open or save a preset, save or load a checkpoint, pick a folder for an export or a run).
//! Where no dialog can open (no portal, no zenity, headless), each still does what it can and
//! says so: a preset is saved under the export root, an export goes there, a folder is dropped
//! on the window instead.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use super::ExplorerApp;
use super::export::{fresh_name, start_export_all, start_export_ntk_lab};
use crate::export::write_atomic;
use crate::worker::Command;

/// A file dialog or other job running off the UI thread.
pub enum Pending {
    OpenPreset(DialogRx),
    SavePreset(DialogRx),
    ExportFolder(DialogRx),
    SaveCheckpoint(DialogRx),
    LoadCheckpoint(DialogRx),
    NtkLabFolder(DialogRx),
    OpenRunFolder(DialogRx),
    /// An export's message and the file or folder it wrote, or why nothing was written.
    Export(Receiver<Result<(String, PathBuf), String>>),
}

/// A native dialog's answer: the chosen path, `None` when cancelled, or why no dialog opened.
pub type DialogRx = Receiver<Result<Option<PathBuf>, String>>;

/// What to tell the user when a native dialog returns at once without a choice.
pub const NO_DIALOG: &str = "no file dialog could be opened (it needs xdg-desktop-portal with a GTK or KDE backend, or zenity); nothing was written";

/// A dialog that comes back this fast without a path never showed itself.
pub fn dialog_answer(
    picked: Option<PathBuf>,
    open_for: Duration,
) -> Result<Option<PathBuf>, String> {
    match picked {
        None if open_for < Duration::from_millis(300) => Err(NO_DIALOG.into()),
        other => Ok(other),
    }
}

impl ExplorerApp {
    /// Open a native dialog on a background thread; its answer becomes the pending job
    /// `then(answer)`, handled by `export::poll_pending` when it arrives.
    pub fn dialog(
        &mut self,
        then: fn(DialogRx) -> Pending,
        make: impl FnOnce() -> Option<PathBuf> + Send + 'static,
    ) {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let ctx = self.ctx.clone();
        std::thread::spawn(move || {
            let opened = Instant::now();
            let picked = make();
            let _ = tx.send(dialog_answer(picked, opened.elapsed()));
            ctx.request_repaint();
        });
        self.pending.push(then(rx));
    }
}

/// Handle finished dialogs and jobs.
pub fn poll_pending(app: &mut ExplorerApp) {
    let pending = std::mem::take(&mut app.pending);
    for job in pending {
        match job {
            Pending::OpenPreset(rx) => {
                if let Some(path) = dialog_result(app, rx, Pending::OpenPreset) {
                    match std::fs::read_to_string(&path) {
                        Ok(text) => {
                            app.load_preset_text(&text, &path.display().to_string(), Some(path));
                        }
                        Err(e) => app
                            .view
                            .message(true, format!("cannot read {}: {e}", path.display())),
                    }
                }
            }
            Pending::SavePreset(rx) => match rx.try_recv() {
                Ok(Ok(Some(path))) => save_preset(app, path),
                Ok(Ok(None)) => {}
                // No dialog: the preset still gets written, under the export root.
                Ok(Err(_)) => save_preset_without_dialog(app),
                Err(_) => app.pending.push(Pending::SavePreset(rx)),
            },
            Pending::ExportFolder(rx) => {
                export_into_folder(app, rx, Pending::ExportFolder, start_export_all)
            }
            Pending::OpenRunFolder(rx) => match rx.try_recv() {
                Ok(Ok(Some(dir))) => app.open_folder(&dir),
                Ok(Ok(None)) => {}
                // No dialog: dropping the folder on the window does the same.
                Ok(Err(_)) => app.view.message(
                    true,
                    "no folder dialog could be opened (it needs xdg-desktop-portal or zenity); drop the folder on the window instead, or start with `homotopy-explorer gui --open <folder>`",
                ),
                Err(_) => app.pending.push(Pending::OpenRunFolder(rx)),
            },
            Pending::NtkLabFolder(rx) => {
                export_into_folder(app, rx, Pending::NtkLabFolder, start_export_ntk_lab)
            }
            Pending::SaveCheckpoint(rx) => {
                if let Some(path) = dialog_result(app, rx, Pending::SaveCheckpoint) {
                    app.send(Command::SaveCheckpoint(path));
                }
            }
            Pending::LoadCheckpoint(rx) => {
                if let Some(path) = dialog_result(app, rx, Pending::LoadCheckpoint) {
                    // In lecture mode a checkpoint may not change a locked control either (an
                    // unreadable file is left to the worker, which says why).
                    let blocked = crate::worker::load_checkpoint(&path)
                        .map(|cp| app.locked_changes(&cp.config))
                        .unwrap_or_default();
                    match crate::config::Control::sentence(&blocked) {
                        Some(names) => app.view.message(
                            true,
                            format!(
                                "checkpoint {} not loaded: it changes {names}, which lecture mode locks (untick View → Lecture mode to change them)",
                                path.display()
                            ),
                        ),
                        None if app.unkept_run().is_some() => {
                            app.ask_discard(crate::app::Discard::Checkpoint(path));
                        }
                        None => {
                            if app.may_ask(&format!("loading checkpoint {}", path.display())) {
                                app.send_checkpoint_load(path);
                            }
                        }
                    }
                }
            }
            Pending::Export(rx) => match rx.try_recv() {
                Ok(Ok((text, path))) => {
                    app.view.message(false, text);
                    app.view.last_written = Some(path);
                }
                Ok(Err(text)) => app.view.message(!text.ends_with("cancelled"), text),
                Err(_) => app.pending.push(Pending::Export(rx)),
            },
        }
    }
}

/// A finished folder dialog for an export: `start` the export into the folder picked, or,
/// where no dialog could open, under the export root with a word on why; a dialog still open
/// is kept as `again`.
fn export_into_folder(
    app: &mut ExplorerApp,
    rx: DialogRx,
    again: fn(DialogRx) -> Pending,
    start: fn(&mut ExplorerApp, PathBuf),
) {
    match rx.try_recv() {
        Ok(Ok(Some(dir))) => start(app, dir),
        Ok(Ok(None)) => {}
        Ok(Err(_)) => {
            app.view.message(
                false,
                format!(
                    "no file dialog could be opened; exporting under {}",
                    app.export_root.display()
                ),
            );
            start(app, app.export_root.clone());
        }
        Err(_) => app.pending.push(again(rx)),
    }
}

/// A finished dialog's path. `None` while it is still open (the job is kept), when it was
/// cancelled, or when it could not open (reported on the status line).
fn dialog_result(
    app: &mut ExplorerApp,
    rx: DialogRx,
    keep: fn(DialogRx) -> Pending,
) -> Option<PathBuf> {
    match rx.try_recv() {
        Ok(Ok(path)) => path,
        Ok(Err(why)) => {
            app.view.message(true, why);
            None
        }
        Err(_) => {
            app.pending.push(keep(rx));
            None
        }
    }
}

/// Write the edited configuration as a preset.
pub fn save_preset(app: &mut ExplorerApp, path: PathBuf) {
    save_preset_noting(app, path, "");
}

/// Where no dialog opens: the preset goes to `presets/` under the export root, named after
/// the file it was last loaded from or saved to (a taken name gets a suffix), and the status
/// line says where, with its full path to copy.
pub fn save_preset_without_dialog(app: &mut ExplorerApp) {
    let dir = app.export_root.join("presets");
    let stem = app
        .remembered
        .last_preset_path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map_or_else(
            || file_stem_of(&app.draft.name),
            |s| s.to_string_lossy().into_owned(),
        );
    // A name this fallback gave before ("my_run-2") yields the next one, not "my_run-2-2".
    let ours = app
        .remembered
        .last_preset_path
        .as_ref()
        .and_then(|p| p.parent())
        == std::path::absolute(&dir).ok().as_deref();
    let stem = match stem.rsplit_once('-') {
        Some((base, n)) if ours && !base.is_empty() && n.parse::<u32>().is_ok() => base.to_string(),
        _ => stem,
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        let why = format!(
            "no file dialog could be opened, and {} cannot be made: {e}; File → Copy preset puts it on the clipboard",
            dir.display()
        );
        app.view.message(true, why);
        return;
    }
    let path = dir.join(fresh_name(&dir, &stem, ".toml"));
    let path = std::path::absolute(&path).unwrap_or(path);
    save_preset_noting(app, path, "no file dialog could be opened; ");
}

/// A file name for a preset without one: its name in lower-case letters, digits and `_`
/// (`allen_cahn_1d_strategy_2_homotopy_loss_0_01`), or `preset`.
fn file_stem_of(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.is_empty() && !stem.ends_with('_') {
            stem.push('_');
        }
    }
    let stem: String = stem.trim_end_matches('_').chars().take(60).collect();
    if stem.is_empty() {
        "preset".into()
    } else {
        stem
    }
}

fn save_preset_noting(app: &mut ExplorerApp, path: PathBuf, note: &str) {
    // What is saved is the edited settings; say so where they are not what the run runs.
    let unapplied = crate::config::changes(app.config(), &app.draft);
    match write_atomic(&path, app.preset_text().as_bytes()) {
        Ok(()) => {
            let mut said = format!("{note}saved preset {}", path.display());
            if !unapplied.is_empty() {
                said += &format!(
                    " — the edited settings, not yet applied to the run: {}",
                    unapplied.join("; ")
                );
            }
            app.view.message(false, said);
            app.view.last_written = Some(path.clone());
            app.remembered.last_preset_path = Some(path);
        }
        Err(e) => app.view.message(true, format!("{e:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialog_that_never_showed_is_reported_and_a_cancel_is_not() {
        let fast = Duration::from_millis(5);
        let slow = Duration::from_secs(3);
        assert_eq!(dialog_answer(None, fast), Err(NO_DIALOG.to_string()));
        assert_eq!(dialog_answer(None, slow), Ok(None));
        let p = PathBuf::from("/tmp/x");
        assert_eq!(dialog_answer(Some(p.clone()), fast), Ok(Some(p)));
    }

    #[test]
    fn without_a_dialog_save_preset_writes_under_the_export_root_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = super::super::test_support::app();
        app.export_root = dir.path().to_path_buf();
        app.remembered.last_preset_path = Some(PathBuf::from("elsewhere/my_run.toml"));
        app.draft.optimizer.lr = 0.0123;
        save_preset_without_dialog(&mut app);
        let first = dir.path().join("presets/my_run.toml");
        let first = std::path::absolute(&first).unwrap();
        let text = std::fs::read_to_string(&first).unwrap();
        let saved = crate::config::RunConfig::from_toml_str(&text).unwrap();
        assert_eq!(saved.optimizer.lr, 0.0123);
        // The edit is named in the preset, not passed off as the one loaded.
        assert_eq!(saved.name, "edited preset");
        assert!(
            saved
                .description
                .starts_with("Edited in the explorer from an unnamed preset: optimizer.lr: "),
            "{}",
            saved.description
        );
        let said = super::super::test_support::last_message(&app);
        assert!(
            said.starts_with("no file dialog could be opened; saved preset /"),
            "{said}"
        );
        assert!(
            said.contains(
                "presets/my_run.toml — the edited settings, not yet applied to the run: optimizer.lr: "
            ),
            "{said}"
        );
        assert_eq!(app.view.last_written.as_deref(), Some(first.as_path()));
        // Saved again and again (each time named after the file it went to): new names in
        // turn, nothing overwritten.
        save_preset_without_dialog(&mut app);
        save_preset_without_dialog(&mut app);
        assert!(dir.path().join("presets/my_run-2.toml").is_file());
        assert!(dir.path().join("presets/my_run-3.toml").is_file());
        // A name of the user's own that ends in a number keeps it.
        assert_eq!(
            file_stem_of("Allen–Cahn 1D, Strategy 2 (homotopy loss, α = 0.01) (edited)"),
            "allen_cahn_1d_strategy_2_homotopy_loss_0_01_edited"
        );
        assert_eq!(file_stem_of("—"), "preset");
        app.remembered.last_preset_path = Some(PathBuf::from("elsewhere/ac-2025.toml"));
        save_preset_without_dialog(&mut app);
        assert!(dir.path().join("presets/ac-2025.toml").is_file());
    }
}
