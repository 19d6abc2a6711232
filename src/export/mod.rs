//! Writing results: run history and solution CSVs and the run summary JSON. Every file is
//! written to a temporary name and renamed into place, so a failed write leaves no partial file.

pub mod figure;
pub mod run;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

pub use crate::train::{RunSummary, Versions};
pub use run::write_run;

use crate::train::HistoryRow;

/// Write `bytes` to `path` atomically (temporary file + rename). The temporary name carries the
/// process id, so processes writing the same file at once (the tasks of a sweep) each rename a
/// whole file of their own.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all().ok();
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot move {} into place", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn cell(v: Option<f64>) -> String {
    v.map(|x| format!("{x:e}")).unwrap_or_default()
}

/// The history as CSV (empty cells where a metric was not evaluated on that step).
pub fn history_csv(rows: &[HistoryRow]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "step",
        "eps",
        "s",
        "stage",
        "lr",
        "loss",
        "loss_residual",
        "loss_boundary",
        "l2re_exact",
        "l2re_reference",
        "front_x0",
    ])?;
    for r in rows {
        w.write_record([
            r.step.to_string(),
            format!("{:e}", r.eps),
            format!("{}", r.s),
            r.stage.to_string(),
            format!("{:e}", r.lr),
            format!("{:e}", r.loss),
            format!("{:e}", r.loss_residual),
            format!("{:e}", r.loss_boundary),
            cell(r.accuracy.l2re_exact),
            cell(r.accuracy.l2re_reference),
            cell(r.accuracy.front_x0),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Columns of a solution table: name and values (all of equal length).
pub fn columns_csv(columns: &[(&str, &[f64])]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns.iter().map(|(name, _)| *name))?;
    let n = columns.first().map(|c| c.1.len()).unwrap_or(0);
    for i in 0..n {
        w.write_record(columns.iter().map(|(_, v)| format!("{:e}", v[i])))?;
    }
    Ok(w.into_inner()?)
}
