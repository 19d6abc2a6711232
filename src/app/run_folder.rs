//! A finished run's folder read back for the explorer (written by `run`, a sweep task, or
//! *Export all*): `summary.json`, the loss and L2RE from `history.csv` and, for a 1D problem,
//! u_θ from `solution.csv`, as the curves of a pin. Every missing or malformed piece is named.

use std::path::Path;

use crate::problem::{ProblemKind, REGISTRY};
use crate::train::RunSummary;

/// What a pin needs from a run folder.
pub struct FolderRun {
    pub summary: RunSummary,
    pub problem: ProblemKind,
    /// (x, u_θ); empty for a field in the plane (pins compare curves only).
    pub solution: Vec<[f64; 2]>,
    pub loss: Vec<[f64; 2]>,
    pub l2re: Vec<[f64; 2]>,
}

/// The named columns of a CSV file as numbers (an empty cell is None).
fn columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<Option<f64>>>, String> {
    let mut r =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let header = r
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    let idx: Vec<usize> = names
        .iter()
        .map(|n| {
            header.iter().position(|h| h == *n).ok_or_else(|| {
                format!(
                    "{} has no `{n}` column (it has {})",
                    path.display(),
                    header.iter().collect::<Vec<_>>().join(", ")
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let mut out = vec![Vec::new(); names.len()];
    for (line, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        for (k, &i) in idx.iter().enumerate() {
            let cell = rec.get(i).unwrap_or("");
            out[k].push(if cell.is_empty() {
                None
            } else {
                Some(cell.parse::<f64>().map_err(|_| {
                    format!(
                        "{} row {}: `{}` = {cell:?} is not a number",
                        path.display(),
                        line + 2,
                        names[k]
                    )
                })?)
            });
        }
    }
    Ok(out)
}

fn pairs(x: &[Option<f64>], y: &[Option<f64>]) -> Vec<[f64; 2]> {
    x.iter()
        .zip(y)
        .filter_map(|(a, b)| Some([(*a)?, (*b)?]))
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .collect()
}

/// Read a run folder.
pub fn read(dir: &Path) -> Result<FolderRun, String> {
    let summary_path = dir.join("summary.json");
    if !summary_path.is_file() {
        return Err(format!(
            "{} is not a run folder: it has no summary.json (`run`, a sweep task and Export all write one)",
            dir.display()
        ));
    }
    let text = std::fs::read_to_string(&summary_path)
        .map_err(|e| format!("cannot read {}: {e}", summary_path.display()))?;
    let summary: RunSummary = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a run summary of this version: {e}",
            summary_path.display()
        )
    })?;
    let problem = REGISTRY
        .iter()
        .find(|s| s.id == summary.problem)
        .map(|s| s.kind)
        .ok_or_else(|| {
            format!(
                "{}: unknown problem `{}`",
                summary_path.display(),
                summary.problem
            )
        })?;
    let h = columns(&dir.join("history.csv"), &["step", "loss", "l2re_exact"])?;
    let solution_path = dir.join("solution.csv");
    let plane = csv::Reader::from_path(&solution_path)
        .ok()
        .and_then(|mut r| r.headers().ok().map(|h| h.iter().any(|c| c == "y")))
        .unwrap_or(false);
    let solution = if plane {
        Vec::new()
    } else {
        let s = columns(&solution_path, &["x", "u_theta"])?;
        pairs(&s[0], &s[1])
    };
    Ok(FolderRun {
        problem,
        solution,
        loss: pairs(&h[0], &h[1]),
        l2re: pairs(&h[0], &h[2]),
        summary,
    })
}
