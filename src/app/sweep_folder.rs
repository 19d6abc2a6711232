//! A collected sweep folder read back for the explorer: the grouped table of `sweep.md`
//! (median [min, max] over seeds for each preset and combination of axis values) and the
//! figures `sweep collect` drew, from their sources (`*.figure.toml`), so they draw on screen as
//! the live plots do. A folder not yet collected is named with the command that collects it.

use std::path::{Path, PathBuf};

use crate::export::figure::Figure;
use crate::export::figure::source::{FigureSource, SUFFIX};

/// A sweep in its window.
pub struct SweepView {
    pub dir: PathBuf,
    /// The table's header and rows, cell by cell.
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// (file stem, figure) in name order.
    pub figures: Vec<(String, Figure)>,
    /// The figure shown.
    pub selected: usize,
    pub open: bool,
}

/// Whether `dir` is a sweep's output folder (it has a `tasks` folder).
pub fn is_sweep(dir: &Path) -> bool {
    dir.join("tasks").is_dir()
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner
        .split('|')
        .map(|c| c.trim().replace('`', ""))
        .collect()
}

/// Read a collected sweep folder.
pub fn read(dir: &Path) -> Result<SweepView, String> {
    let md_path = dir.join("sweep.md");
    let md = std::fs::read_to_string(&md_path).map_err(|_| {
        format!(
            "{} has not been collected yet: run `homotopy-explorer sweep collect {}` (it writes sweep.md, sweep.csv and the figures)",
            dir.display(),
            dir.display()
        )
    })?;
    let table: Vec<&str> = md
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .collect();
    if table.len() < 3 {
        return Err(format!("{} has no table of results", md_path.display()));
    }
    let header = cells(table[0]);
    let rows: Vec<Vec<String>> = table[2..].iter().map(|l| cells(l)).collect();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.to_string_lossy().ends_with(SUFFIX))
        .collect();
    // L2RE first (what a sweep is mostly read for), then by name.
    sources.sort_by_key(|p| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (!name.starts_with("l2re"), name)
    });
    let mut figures = Vec::new();
    for p in sources {
        let source = FigureSource::read(&p).map_err(|e| format!("{e:#}"))?;
        let stem = p
            .file_name()
            .map(|n| n.to_string_lossy().trim_end_matches(SUFFIX).to_string())
            .unwrap_or_default();
        if let Some(fig) = source.panels.into_iter().next() {
            figures.push((stem, fig));
        }
    }
    Ok(SweepView {
        dir: dir.to_path_buf(),
        header,
        rows,
        figures,
        selected: 0,
        open: true,
    })
}
