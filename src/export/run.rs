//! The files of one run, written the same way by `run` and anyone else holding a finished
//! [`Session`]: `history.csv`, `solution.csv` (u_θ, exact, reference and residual at the
//! evaluation points) and `summary.json` ([`RunSummary`], documented in docs/summary.md); and,
//! when asked, the run's two figures ([`figures`]: loss and L2RE over the steps, the solution).

use std::path::Path;

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use super::{RunSummary, columns_csv, history_csv, write_atomic};
use crate::backend::ComputeDevice;
use crate::config::RunConfig;
use crate::diagnostics::metrics::residual_at;
use crate::export::figure::{Figure, Heatmap, Mark, Series};
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
        session.objective().network(),
        &session.state().theta,
        problem.eval_points(),
        eps,
        &device.device,
    );
    let nan = vec![f64::NAN; eval.u.len()];
    // 1D: x; several dimensions: the coordinate the problem plots against.
    let x = crate::problem::plot_coordinates(problem, problem.eval_points());
    let mut columns: Vec<(&str, &[f64])> = vec![
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
    ];
    // An operator problem's evaluation points are test inputs × coordinates: say which input
    // each row belongs to and what u₀ is there.
    let operator_columns = problem
        .operator_points(crate::problem::PointRole::Eval)
        .map(|op| {
            let m = op.y.len();
            let index: Vec<f64> = (0..op.len()).map(|k| (k / m) as f64).collect();
            let u0: Vec<f64> = op
                .inputs
                .chunks(op.sensors)
                .flat_map(|row| crate::problem::points1d::interpolate_uniform(row, &op.y))
                .collect();
            (index, u0)
        });
    if let Some((index, u0)) = &operator_columns {
        columns.insert(0, ("input", index));
        columns.insert(2, ("u0", u0));
    }
    let solution = columns_csv(&columns)?;
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

/// Four significant digits without trailing zeros (0.01, not 0.0100 or 0.010000000000000002).
fn short_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The figures of a finished session: `loss` (loss and L2RE against the step) and `solution`
/// (u_θ with the exact or reference solution dashed on top; a heat map on a grid of the plane).
pub fn figures(session: &Session) -> Vec<(&'static str, Figure)> {
    let h = session.history();
    let kind = session.config().problem.kind.label();
    let mut loss = Figure::new(&format!("{kind}: loss and L2RE"), "step", "value")
        .log_y()
        .with_series(
            "loss",
            h.iter().map(|r| (r.step as f64, r.loss)).collect(),
            Mark::Line,
        );
    for (label, pick) in [
        (
            "L2RE vs exact",
            (|r| r.accuracy.l2re_exact) as fn(&crate::train::HistoryRow) -> Option<f64>,
        ),
        ("L2RE vs reference", |r| r.accuracy.l2re_reference),
    ] {
        let pts: Vec<(f64, f64)> = h
            .iter()
            .filter_map(|r| Some((r.step as f64, pick(r)?)))
            .collect();
        if !pts.is_empty() {
            loss = loss.with_series(label, pts, Mark::LineAndPoints);
        }
    }
    let problem = session.problem().as_ref();
    let eps = session.state().eps;
    let eval = session.evaluate();
    let title = format!("{kind}: u_θ at ε = {}", short_number(eps));
    let solution = match problem.eval_grid() {
        Some(g) if eval.u.len() >= g.nx * g.ny => {
            Heatmap::figure(&title, "u_θ", g, eval.u[..g.nx * g.ny].to_vec())
        }
        _ => {
            let x = crate::problem::plot_coordinates(problem, problem.eval_points());
            let pair = |v: &[f64]| x.iter().copied().zip(v.iter().copied()).collect();
            let mut fig = Figure::new(&title, problem.plot_label(), "u").with_series(
                "u_θ",
                pair(&eval.u),
                Mark::Line,
            );
            if let Some(t) = problem.exact(eps).or_else(|| problem.reference(eps)) {
                fig.series.push(Series {
                    label: t.label.to_string(),
                    points: pair(&t.values),
                    mark: Mark::Reference,
                    color: (0, 0, 0),
                });
            }
            fig
        }
    };
    vec![("loss", loss), ("solution", solution)]
}

/// Train a config to its end and write history.csv, solution.csv and summary.json.
pub fn train_and_write(
    config: RunConfig,
    device: &ComputeDevice,
    out_dir: &Path,
    interrupt: &AtomicBool,
    progress: bool,
    figures: Option<&crate::export::figure::FigureOutput>,
) -> Result<RunSummary> {
    let started = Instant::now();
    let mut session = Session::new(config, device);
    let bar = if progress {
        let bar = ProgressBar::new(session.config().training.max_steps as u64);
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
                .expect("static template")
                .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut last_draw = Instant::now() - Duration::from_secs(1);
    let mut l2re = None;
    let end = session.run(interrupt, |p| {
        if let Some(e) = &p.eval {
            l2re = e.accuracy.l2re_exact;
        }
        if last_draw.elapsed() >= Duration::from_millis(100) || p.end.is_some() {
            last_draw = Instant::now();
            bar.set_position(p.report.step as u64 + 1);
            let rate = (p.report.step + 1) as f64 / started.elapsed().as_secs_f64();
            bar.set_message(format!(
                "{rate:.0} steps/s  loss {:.3e}  L2RE {}  ε {:.4}",
                p.report.loss.total,
                l2re.map(|x| format!("{x:.3e}"))
                    .unwrap_or_else(|| "-".into()),
                p.report.eps
            ));
        }
    })?;
    bar.finish_and_clear();
    let summary = super::write_run(&session, device, out_dir, started.elapsed().as_secs_f64())?;
    if let Some(output) = figures {
        for (stem, fig) in self::figures(&session) {
            output.write_one(&fig, out_dir, stem)?;
        }
    }
    debug_assert_eq!(summary.end_reason, end.name());
    Ok(summary)
}
