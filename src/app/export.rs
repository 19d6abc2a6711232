//! Exports the explorer writes off the UI thread: figures (SVG, PNG, PDF, CSV) of one plot or of
//! the plots on screen as one multi-panel figure, the path animation, "export all" into a new
//! folder (written as `<name>.partial` and renamed when complete, so a failure leaves nothing
//! behind) and the NTK lab's folder. Figures take the style of File → Figure style…. The
//! dialogs that pick where, and presets and checkpoints, are `dialogs`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::figures::PlotKind;
use super::ntk_lab::Subject;
use super::{ExplorerApp, Pending, dialog_answer};
use crate::export::figure::{Figure, FigureStyle, write_file};
use crate::export::write_atomic;

/// Where exports go when no file dialog can open (relative to the working folder).
pub const EXPORT_ROOT: &str = "out/exports";

/// A file format for plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Pdf,
    Csv,
    /// An animation with one frame per figure (the path); not offered per plot.
    Gif,
    /// The same as a video, by `ffmpeg` where it is on the PATH.
    Mp4,
}

impl Format {
    pub const ALL: [Format; 4] = [Self::Svg, Self::Png, Self::Pdf, Self::Csv];

    pub fn extension(self) -> &'static str {
        match self {
            Self::Svg => "svg",
            Self::Png => "png",
            Self::Pdf => "pdf",
            Self::Csv => "csv",
            Self::Gif => "gif",
            Self::Mp4 => "mp4",
        }
    }
}

/// Write figures in one format: a drawing (one panel, or a grid of `cols` columns) or their
/// data (CSV, one figure's; several figures' rows follow each other under their titles).
pub fn write_figures(
    figs: &[&Figure],
    cols: usize,
    style: &FigureStyle,
    path: &Path,
    format: Format,
) -> Result<()> {
    match format {
        Format::Gif => crate::export::figure::animation::write_gif(figs, style, path, &|_| {}),
        Format::Mp4 => match crate::export::figure::animation::ffmpeg() {
            Some(ffmpeg) => {
                crate::export::figure::animation::write_mp4(figs, style, path, &ffmpeg, &|_| {})
            }
            None => anyhow::bail!("no ffmpeg on the PATH"),
        },
        Format::Csv => {
            let mut bytes = Vec::new();
            for fig in figs {
                if figs.len() > 1 {
                    bytes.extend(format!("# {}\n", fig.title).as_bytes());
                }
                bytes.extend(fig.to_csv()?);
            }
            write_atomic(path, &bytes)
        }
        _ => write_file(figs, cols, style, path),
    }
}

/// Everything "export all" writes, already captured from the UI state.
pub struct ExportBundle {
    pub figures: Vec<Figure>,
    /// Indices into `figures` of the plots on screen and their columns: also written as one
    /// figure, `shown_plots.*` (empty: none).
    pub shown: (Vec<usize>, usize),
    pub style: FigureStyle,
    /// The run as a preset (`preset.toml`); none for a lab run on the NTK paper's equations.
    pub preset: Option<String>,
    pub summary: serde_json::Value,
}

impl ExportBundle {
    /// Capture the current view; None before the worker has reported a state. The summary is
    /// the run's `summary.json` (the same format `run` writes) at the snapshot shown.
    pub fn capture(app: &ExplorerApp) -> Option<Self> {
        let latest = app.view.latest.as_ref()?;
        let figures = PlotKind::ALL
            .iter()
            .map(|k| k.figure(&app.view, app.remembered.loss_axis))
            .collect();
        let (kinds, cols) = &app.on_screen;
        let shown = kinds
            .iter()
            .filter_map(|k| PlotKind::ALL.iter().position(|a| a == k))
            .collect();
        let summary =
            serde_json::to_value(&*latest.summary).expect("a RunSummary always serializes");
        Some(Self {
            figures,
            shown: (shown, *cols),
            style: app.export_style(),
            preset: Some(app.config().described_against(&app.loaded).to_toml_string()),
            summary,
        })
    }

    /// Write into a new folder under `parent`; returns the folder. On any error the partial
    /// folder is removed.
    pub fn write(&self, parent: &Path, name: &str) -> Result<PathBuf> {
        let final_dir = parent.join(name);
        if final_dir.exists() {
            anyhow::bail!("{} already exists", final_dir.display());
        }
        let partial = parent.join(format!("{name}.partial"));
        let result = (|| -> Result<()> {
            std::fs::create_dir_all(&partial)
                .with_context(|| format!("cannot create {}", partial.display()))?;
            for fig in &self.figures {
                let stem = fig.file_stem();
                for format in Format::ALL {
                    let path = partial.join(format!("{stem}.{}", format.extension()));
                    write_figures(&[fig], 1, &self.style, &path, format)?;
                }
            }
            let shown: Vec<&Figure> = self.shown.0.iter().map(|&i| &self.figures[i]).collect();
            if !shown.is_empty() {
                for format in [Format::Svg, Format::Png, Format::Pdf] {
                    let path = partial.join(format!("shown_plots.{}", format.extension()));
                    write_figures(&shown, self.shown.1, &self.style, &path, format)?;
                }
            }
            if let Some(preset) = &self.preset {
                write_atomic(&partial.join("preset.toml"), preset.as_bytes())?;
            }
            write_atomic(
                &partial.join("summary.json"),
                serde_json::to_string_pretty(&self.summary)?.as_bytes(),
            )?;
            std::fs::rename(&partial, &final_dir)
                .with_context(|| format!("cannot move {} into place", final_dir.display()))?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
        Ok(final_dir)
    }
}

/// A folder name with the current time.
/// `stem` + `ext` under `parent`, or `stem-2` + `ext`, `stem-3` + `ext`, … when that (or its
/// `.partial`) is taken: two exports in the same second get two folders, a plot exported
/// twice two files, and nothing is overwritten. `ext` is `""` for a folder, else `".svg"` etc.
pub fn fresh_name(parent: &Path, stem: &str, ext: &str) -> String {
    let taken = |n: &str| parent.join(n).exists() || parent.join(format!("{n}.partial")).exists();
    (1..)
        .map(|k| match k {
            1 => format!("{stem}{ext}"),
            k => format!("{stem}-{k}{ext}"),
        })
        .find(|n| !taken(n))
        .expect("some suffix is free")
}

pub fn timestamped_name() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("homotopy-export-{secs}")
}

/// Start "export all" into `parent` on a background thread.
pub fn start_export_all(app: &mut ExplorerApp, parent: PathBuf) {
    let Some(bundle) = ExportBundle::capture(app) else {
        app.view.message(
            true,
            "nothing to export yet: the training worker has not reported a state",
        );
        return;
    };
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        let result = bundle
            .write(&parent, &fresh_name(&parent, &timestamped_name(), ""))
            .map(|dir| (format!("exported everything to {}", dir.display()), dir))
            .map_err(|e| format!("export failed, nothing written: {e:#}"));
        let _ = tx.send(result);
    });
    app.pending.push(Pending::Export(rx));
}

/// Export the NTK lab's figures (SVG, PNG, CSV), its base run as a preset (when it ran on the
/// run's problem) and its rows as `summary.json` into a new folder under `parent`, off the UI
/// thread.
pub fn start_export_ntk_lab(app: &mut ExplorerApp, parent: PathBuf) {
    let lab = &app.ntk_lab;
    let Some(subject) = lab.measured.as_ref().filter(|_| !lab.rows.is_empty()) else {
        app.view
            .message(true, "the NTK lab has no results to export yet");
        return;
    };
    let (spread, drift) = crate::lab::ntk::figures(&lab.rows);
    // From the run that made the rows (the settings may have been edited since).
    let seeds = lab.rows[0].seeds;
    let (preset, summary) = match subject {
        Subject::Run(base) => (
            Some(base.to_toml_string()),
            serde_json::json!({
                "lab": "ntk",
                "problem": base.problem.kind,
                "eps": base.problem.eps,
                "kernel_rows": crate::lab::ntk::kernel_rows(base),
                "seeds": seeds,
                "steps": base.training.max_steps,
                "lr": base.optimizer.lr,
                "rows": lab.rows,
                "versions": crate::export::Versions::default(),
            }),
        ),
        Subject::Paper { pde, steps, lr } => (
            None,
            serde_json::json!({
                "lab": "ntk",
                "problem": pde.id(),
                "equation": pde.label(),
                "setup": pde.setup(),
                "kernel_rows": pde.rows().len(),
                "residual_rows": pde.residual_rows(),
                "seeds": seeds,
                "steps": steps,
                "lr": lr,
                "rows": lab.rows,
                "versions": crate::export::Versions::default(),
            }),
        ),
    };
    let bundle = ExportBundle {
        figures: vec![spread, drift],
        shown: (vec![0, 1], 2),
        style: app.export_style(),
        preset,
        summary,
    };
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        let result = bundle
            .write(
                &parent,
                &fresh_name(
                    &parent,
                    &timestamped_name().replacen("export", "ntk-lab", 1),
                    "",
                ),
            )
            .map(|dir| (format!("exported the NTK lab to {}", dir.display()), dir))
            .map_err(|e| format!("export failed, nothing written: {e:#}"));
        let _ = tx.send(result);
    });
    app.pending.push(Pending::Export(rx));
}

/// Export one plot: ask for a path, then write it (both off the UI thread).
pub fn start_export_plot(app: &mut ExplorerApp, kind: PlotKind, format: Format) {
    let fig = kind.figure(&app.view, app.remembered.loss_axis);
    start_export(app, vec![fig], 1, format, None);
}

/// Export the plots on screen as one figure, laid out as they are shown (the focused plot
/// alone when one fills the area), with (a), (b), … panel labels.
pub fn start_export_shown(app: &mut ExplorerApp, format: Format) {
    let (kinds, cols) = app.on_screen.clone();
    if kinds.is_empty() {
        app.view
            .message(true, "no plot is shown: show one in the View menu first");
        return;
    }
    let figs = kinds
        .iter()
        .map(|k| k.figure(&app.view, app.remembered.loss_axis))
        .collect();
    start_export(app, figs, cols, format, Some("shown_plots"));
}

/// Export figures that are not plots of the run (a lab's), as one figure of `cols` columns
/// named `stem`: the same dialog, fallback folder and formats as a plot's export.
pub fn start_export_figures(
    app: &mut ExplorerApp,
    figs: Vec<Figure>,
    cols: usize,
    format: Format,
    stem: &str,
) {
    start_export(app, figs, cols, format, Some(stem));
}

/// Frames at most in a path animation (evenly spaced stages; 12 s at 10 frames a second).
pub const GIF_FRAMES: usize = 120;

/// Export the homotopy path as an animated GIF (or an MP4 video, `video`, where `ffmpeg` is on
/// the PATH): the solution at up to [`GIF_FRAMES`] finished stages, evenly spaced, in the
/// figure style at most 960 px wide.
pub fn start_export_path_gif(app: &mut ExplorerApp, video: bool) {
    if video && crate::export::figure::animation::ffmpeg().is_none() {
        app.view.message(
            true,
            "an MP4 needs ffmpeg on the PATH, and there is none: install it (Debian: apt install ffmpeg) or export the animated GIF",
        );
        return;
    }
    let figs = super::figures::path_frames(&app.view, GIF_FRAMES);
    if figs.len() < 2 {
        app.view.message(
            true,
            "the path has fewer than two finished stages with a frame: nothing to animate yet",
        );
        return;
    }
    app.view.message(
        false,
        format!(
            "writing the path as {} of {} frames ({} s at {} frames a second)…",
            if video { "an MP4" } else { "a GIF" },
            figs.len(),
            figs.len() as u16 / crate::export::figure::animation::FPS,
            crate::export::figure::animation::FPS
        ),
    );
    let mut style = app.export_style();
    // At most 960 px wide, but not below the 50 dpi a figure style allows.
    style.dpi = style
        .dpi
        .min((960.0 / style.width_in).floor() as u32)
        .max(50);
    let format = if video { Format::Mp4 } else { Format::Gif };
    start_export_styled(app, figs, 1, format, Some("homotopy_path"), style);
}

/// Export the evolution figure (u_θ at six ε along the path overlaid) in `format`.
pub fn start_export_evolution(app: &mut ExplorerApp, format: Format) {
    match super::figures::evolution(&app.view, 6) {
        Some(fig) => start_export(app, vec![fig], 1, format, Some("path_evolution")),
        None => app.view.message(
            true,
            "the path has fewer than two finished stages with a frame: no evolution figure yet",
        ),
    }
}

/// Ask for a path (or use the fallback folder), then write `figs` there, off the UI thread.
fn start_export(
    app: &mut ExplorerApp,
    figs: Vec<Figure>,
    cols: usize,
    format: Format,
    stem: Option<&str>,
) {
    let style = app.export_style();
    start_export_styled(app, figs, cols, format, stem, style);
}

/// [`start_export`] in a given style.
fn start_export_styled(
    app: &mut ExplorerApp,
    figs: Vec<Figure>,
    cols: usize,
    format: Format,
    stem: Option<&str>,
    style: FigureStyle,
) {
    let fallback = app.export_root.join("plots");
    let native = !app.headless;
    let stem = stem.map_or_else(|| figs[0].file_stem(), str::to_string);
    let title = if figs.len() == 1 {
        figs[0].title.clone()
    } else {
        format!("{} plots", figs.len())
    };
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        let ext = format.extension();
        let file = format!("{stem}.{ext}");
        // Without a dialog (none installed, or headless) the file goes to `plots/` under the
        // export root — a second export of the same plot gets a new name — and the status line
        // says where.
        let fallback_file = || fallback.join(fresh_name(&fallback, &stem, &format!(".{ext}")));
        let (picked, note) = if native {
            let opened = Instant::now();
            let picked = rfd::FileDialog::new()
                .set_title(format!("Export {title}"))
                .add_filter(ext, &[ext])
                .set_file_name(&file)
                .save_file();
            match dialog_answer(picked, opened.elapsed()) {
                Err(_) => (Some(fallback_file()), "no file dialog could be opened; "),
                Ok(path) => (path, ""),
            }
        } else {
            (Some(fallback_file()), "")
        };
        let refs: Vec<&Figure> = figs.iter().collect();
        let result = match picked {
            None => Err("export cancelled".to_string()),
            Some(path) => path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .map_err(anyhow::Error::from)
                .and_then(|()| write_figures(&refs, cols, &style, &path, format))
                .map(|()| (format!("{note}wrote {}", path.display()), path))
                .map_err(|e| format!("{e:#}")),
        };
        let _ = tx.send(result);
    });
    app.pending.push(Pending::Export(rx));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_export_name_gets_the_next_free_suffix() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(fresh_name(dir.path(), "e", ""), "e");
        std::fs::create_dir(dir.path().join("e")).unwrap();
        std::fs::create_dir(dir.path().join("e-2.partial")).unwrap();
        assert_eq!(fresh_name(dir.path(), "e", ""), "e-3");
        std::fs::write(dir.path().join("p.svg"), "").unwrap();
        assert_eq!(fresh_name(dir.path(), "p", ".svg"), "p-2.svg");
    }
}
