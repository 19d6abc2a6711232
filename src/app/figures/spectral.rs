//! The spectral plots of the main view: λ(K_ε) over training, λ_max(D_ε) against ε, the
//! spectrum of K_ε and its soft mode, each following the timeline's scrubbed stage (the last
//! spectral snapshot taken before it ended, or the stage's own once computed).

use super::{at, field, from_array, pairs, series};
use crate::app::state::RunView;
use crate::export::figure::{Band, Figure, Mark, PALETTE};

pub(super) fn kernel(view: &RunView) -> Figure {
    let h = &view.histories;
    let mut fig = Figure::new("λ(K_ε) over training", "step", "eigenvalue").log_y();
    fig.series.push(series(
        "λ_max(K)",
        from_array(&h.lambda_max_k.points()),
        Mark::LineAndPoints,
        0,
    ));
    fig.series.push(series(
        "λ_min(K) (resolved)",
        from_array(&h.lambda_min_k.points()),
        Mark::LineAndPoints,
        1,
    ));
    let rcond = view.diagnostics.as_ref().map(|d| d.report.k.rcond);
    fig.series.push(series(
        &format!(
            "smallest kept λ (rcond {})",
            rcond.map_or("—".into(), |r| format!("{r:.0e}"))
        ),
        from_array(&h.lambda_kept_k.points()),
        Mark::LineAndPoints,
        3,
    ));
    fig.series.push(series(
        "round-off floor",
        from_array(&h.roundoff_floor.points()),
        Mark::Line,
        7,
    ));
    let (lo, hi) = (h.band_lower.points(), h.band_upper.points());
    if !lo.is_empty() && lo.len() == hi.len() {
        fig.bands.push(Band {
            label: "Theorem 4.1 band".into(),
            x: lo.iter().map(|p| p[0]).collect(),
            lower: lo.iter().map(|p| p[1]).collect(),
            upper: hi.iter().map(|p| p[1]).collect(),
            color: PALETTE[2],
        });
    }
    if let Some(d) = view.diagnostics_shown() {
        let k = &d.report.k;
        fig.title = format!(
            "λ(K_ε) over training, rank {}/{}",
            k.rank,
            k.eigenvalues.len()
        );
    }
    if let Some(stage) = view.scrub.and_then(|k| view.stages.get(k)) {
        fig.vlines.push((
            stage.step as f64,
            format!("timeline: stage {}", stage.stage),
        ));
    }
    fig
}

pub(super) fn operator(view: &RunView) -> Figure {
    let mut fig = Figure::new(
        "λ_max(D_ε) vs ε (|λ|max if not symmetric)",
        "ε",
        "λ_max(D_ε)",
    )
    .log_x()
    .log_y();
    if let Some(sweep) = &view.sweep {
        fig.series.push(series(
            "exact u (reference where none is closed-form)",
            sweep.points.clone(),
            Mark::LineAndPoints,
            0,
        ));
        // λ_max(D_ε) at the network's own u: from the latest spectrum when there is one (it
        // follows training), else the value computed with the sweep.
        let at_network = view
            .diagnostics_shown()
            .and_then(|d| {
                d.report
                    .operator
                    .as_ref()
                    .map(|o| (d.report.eps, o.reported()))
            })
            .or(sweep.current.filter(|_| view.scrub.is_none()));
        if let Some(c) = at_network {
            fig.series.push(series(
                &format!("u_θ at {}", at(view, c.0)),
                vec![c],
                Mark::Points,
                3,
            ));
        }
    }
    if let Some(p) = view.shown_eps() {
        // On an s-homotopy the ε axis holds ε(s) = max(s, ε*), not the parameter p = s + ε*.
        let eps = view.config.as_ref().map_or(p, |c| c.problem.eps_at(p));
        fig.vlines.push((eps, at(view, p)));
    }
    fig
}

pub(super) fn spectrum(view: &RunView) -> Figure {
    let mut fig = Figure::new("Spectrum of K_ε", "index i", "λ_i").log_y();
    if let Some(d) = view.diagnostics_shown() {
        let k = &d.report.k;
        // Eigenvalue i (1-based) against i.
        let indexed = |v: &[f64]| -> Vec<(f64, f64)> {
            v.iter().zip(1..).map(|(&l, i)| (i as f64, l)).collect()
        };
        fig.series.push(series(
            "λ_i(K_ε), sorted",
            indexed(&k.eigenvalues),
            Mark::LineAndPoints,
            0,
        ));
        fig.series.push(series(
            "λ_i(SSᵀ), sorted",
            indexed(&d.report.sst.eigenvalues),
            Mark::Line,
            4,
        ));
        fig.hlines
            .push((k.roundoff_floor, "round-off floor".into()));
        fig.hlines.push((
            k.rcond * k.rcond * k.lambda_max,
            format!("cutoff rcond {:.0e}", k.rcond),
        ));
        fig.title = format!(
            "Spectrum of K_ε at step {} ({})",
            d.step,
            at(view, d.report.eps)
        );
    }
    scrub_note(view, &mut fig);
    fig
}

/// On a scrubbed stage, say which spectral snapshot a spectrum plot shows (the last one taken
/// before the stage ended), or that there was none yet.
fn scrub_note(view: &RunView, fig: &mut Figure) {
    let Some(stage) = view.scrub.and_then(|k| view.stages.get(k)) else {
        return;
    };
    match view.diagnostics_shown() {
        Some(d) if d.step == stage.step => fig
            .title
            .push_str(&format!(", end of stage {}", stage.stage)),
        Some(_) => fig.title.push_str(&format!(
            ", the last before stage {} ended at step {} (Compute at this stage)",
            stage.stage, stage.step
        )),
        None => {
            fig.title = format!(
                "{}: no spectrum before stage {} ended (step {}; Compute at this stage)",
                fig.title, stage.stage, stage.step
            )
        }
    }
}

pub(super) fn soft_mode(view: &RunView) -> Figure {
    // On the plane, with the residual points on a grid: δu as a heat map (curves against a
    // plot coordinate would be a tangle).
    if let (Some(s), Some(d)) = (&view.latest, view.diagnostics_shown())
        && s.dim == 2
        && let Some(fig) = field(
            s.residual_grid,
            "Soft mode of K_ε: δu over the plane".into(),
            "δu",
            d.report.soft_mode_u.clone(),
        )
    {
        let mut fig = fig;
        scrub_note(view, &mut fig);
        return fig;
    }
    let mut fig = Figure::new("Soft mode of K_ε", "x", "δu (scaled)");
    if let Some(s) = &view.latest {
        fig.x_label = s.plot_label.to_string();
    }
    if let Some(d) = view.diagnostics_shown() {
        fig.series.push(series(
            "δu along the soft mode",
            pairs(&d.residual_x, &d.report.soft_mode_u),
            Mark::Line,
            3,
        ));
        let q: Vec<f64> = {
            let peak = d
                .report
                .k
                .soft_mode
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()));
            d.report
                .k
                .soft_mode
                .iter()
                .map(|v| v / peak.max(f64::MIN_POSITIVE))
                .collect()
        };
        fig.series.push(series(
            "residual-space eigenvector",
            pairs(&d.residual_x, &q),
            Mark::Line,
            7,
        ));
    }
    if let Some(s) = view.shown().as_deref() {
        // u′ for comparison: the translation mode of a front is ∝ u′ (1D problems only; an
        // operator problem's first input).
        let n = super::first_sweep(&s.plot_x);
        if n > 2 && s.dim == 1 {
            let du: Vec<f64> = (0..n)
                .map(|i| {
                    let (a, b) = (i.saturating_sub(1), (i + 1).min(n - 1));
                    (s.u[b] - s.u[a]) / (s.plot_x[b] - s.plot_x[a])
                })
                .collect();
            let peak = du
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()))
                .max(f64::MIN_POSITIVE);
            let scaled: Vec<f64> = du.iter().map(|v| v / peak).collect();
            fig.series.push(series(
                "u′ (scaled)",
                pairs(&s.plot_x[..n], &scaled),
                Mark::Line,
                2,
            ));
        }
    }
    scrub_note(view, &mut fig);
    fig
}
