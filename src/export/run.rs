//! The files of one run, written the same way by `run` and anyone else holding a finished
//! [`Session`]: `history.csv`, `solution.csv` (u_θ, exact, reference and residual at the
//! evaluation points) and `summary.json` ([`RunSummary`], documented in docs/summary.md).

use std::path::Path;

use anyhow::Result;

use super::{RunSummary, columns_csv, history_csv, write_atomic};
use crate::backend::ComputeDevice;
use crate::diagnostics::metrics::residual_at;
use crate::train::{Session, SummaryInputs};

/// Write the three run files for a finished session and return its summary.
pub fn write_run(
    session: &Session,
    device: &ComputeDevice,
    out_dir: &Path,
    wall_secs: f64,
) -> Result<RunSummary> {
    let eval = session.evaluate();
    let loss = session.current_loss()?;
    let problem = session.problem().as_ref();
    let eps = session.state().eps;
    let exact = problem.exact(eps);
    let reference = problem.reference(eps);
    let residual = residual_at(
        problem,
        session.objective().shape(),
        &session.state().theta,
        problem.eval_points(),
        eps,
        &device.device,
    );
    let nan = vec![f64::NAN; eval.u.len()];
    // 1D: x; several dimensions: the coordinate the problem plots against.
    let x = crate::problem::plot_coordinates(problem, problem.eval_points());
    let solution = columns_csv(&[
        (
            if problem.dim() == 1 {
                "x"
            } else {
                "plot_coordinate"
            },
            &x,
        ),
        ("u_theta", &eval.u),
        ("exact", exact.as_ref().map_or(&nan, |s| &s.values)),
        ("reference", reference.as_ref().map_or(&nan, |s| &s.values)),
        ("residual", &residual),
    ])?;
    let summary = session.summary(SummaryInputs {
        device: &device.description,
        wall_secs,
        final_loss: loss,
        eval: &eval,
        running: false,
        exact_solution: exact.map(|s| s.label),
        reference_solution: reference.map(|s| s.label),
    });
    write_atomic(
        &out_dir.join("history.csv"),
        &history_csv(session.history())?,
    )?;
    write_atomic(&out_dir.join("solution.csv"), &solution)?;
    write_atomic(
        &out_dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)?.as_bytes(),
    )?;
    Ok(summary)
}
