//! The files of one run, written the same way by `run` and anyone else holding a finished
//! [`Session`]: `history.csv`, `solution.csv` (u_θ, exact, reference and residual at the
//! evaluation points) and `summary.json` ([`RunSummary`], documented in docs/summary.md).

use std::path::Path;

use anyhow::Result;

use super::{RunSummary, Versions, columns_csv, history_csv, write_atomic};
use crate::backend::ComputeDevice;
use crate::diagnostics::metrics::residual_at;
use crate::train::Session;

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
    let end = session
        .end_reason()
        .unwrap_or(crate::train::EndReason::Interrupted);
    let summary = RunSummary {
        name: session.config().name.clone(),
        problem: session.config().problem.kind.id().to_string(),
        trainer: session.strategy(),
        eps,
        seed: session.config().training.seed,
        backend: session.config().backend.id().to_string(),
        device: device.description.clone(),
        n_params: session.objective().shape().n_params(),
        steps: session.state().step,
        end_reason: end.name().to_string(),
        end_detail: end,
        final_loss: loss,
        exact_solution: exact.map(|s| s.label),
        l2re_exact: eval.l2re_exact,
        reference_solution: reference.map(|s| s.label),
        l2re_reference: eval.l2re_reference,
        front_x0: eval.front_x0,
        wall_secs,
        steps_per_s: session.state().step as f64 / session.train_secs().max(1e-12),
        versions: Versions::default(),
    };
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
