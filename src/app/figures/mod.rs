//! The explorer's plots as data: one [`Figure`] per plot built from the [`RunView`]. The screen
//! draws these figures with egui_plot and the exporters write the very same figures to SVG, PNG
//! and CSV, so an exported figure always shows what the window showed.

mod input;
mod solution;
mod spectral;

use super::state::RunView;
use crate::export::figure::{Figure, Heatmap, Mark, PALETTE, Series};
use crate::problem::Grid2d;
use solution::{error, solution};
pub use solution::{evolution, path_frames};
use spectral::{kernel, operator, soft_mode, spectrum};

/// The six plots of the main view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PlotKind {
    Solution,
    Residual,
    Loss,
    Kernel,
    Operator,
    Spectrum,
    SoftMode,
    Error,
}

impl PlotKind {
    pub const ALL: [PlotKind; 8] = [
        Self::Solution,
        Self::Error,
        Self::Residual,
        Self::Loss,
        Self::Kernel,
        Self::Operator,
        Self::Spectrum,
        Self::SoftMode,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Solution => "Solution u_θ(x)",
            Self::Residual => "Residual H(u_θ(x_i), ε)",
            Self::Loss => "Loss and L2RE",
            Self::Kernel => "λ(K_ε) over training",
            Self::Operator => "λ_max(D_ε) vs ε",
            Self::Spectrum => "Spectrum of K_ε",
            Self::SoftMode => "Soft mode of K_ε",
            Self::Error => "Error u_θ − reference",
        }
    }

    /// Build the figure for this plot (the solution and the error of the scrubbed stage while
    /// the timeline is not live, with a mark on the loss plot where that stage ended).
    pub fn figure(self, view: &RunView, axis: super::LossAxis) -> Figure {
        let mut fig = self.live_or_scrubbed(view, axis);
        if self == Self::Loss
            && let Some(stage) = view.scrub.and_then(|k| view.stages.get(k))
        {
            let x = match axis {
                super::LossAxis::Step | super::LossAxis::LogStep => stage.step as f64,
                super::LossAxis::Stage => stage.stage as f64,
                super::LossAxis::Eps => stage.eps,
            };
            fig.vlines
                .push((x, format!("timeline: stage {}", stage.stage)));
        }
        fig
    }

    fn live_or_scrubbed(self, view: &RunView, axis: super::LossAxis) -> Figure {
        match self {
            Self::Solution => solution(view),
            Self::Residual => residual(view),
            Self::Loss => match axis {
                super::LossAxis::Step => loss(view, false),
                super::LossAxis::LogStep => loss(view, true),
                super::LossAxis::Stage => loss_per_stage(view, false),
                super::LossAxis::Eps => loss_per_stage(view, true),
            },
            Self::Kernel => kernel(view),
            Self::Operator => operator(view),
            Self::Spectrum => spectrum(view),
            Self::SoftMode => soft_mode(view),
            Self::Error => error(view),
        }
    }
}

fn series(label: &str, points: Vec<(f64, f64)>, mark: Mark, color: usize) -> Series {
    pin_series(label.into(), points, mark, PALETTE[color % PALETTE.len()])
}

/// The pinned runs of the problem the view shows (pins of another problem stay pinned but
/// are not drawn on this one).
fn shown_pins(view: &RunView) -> impl Iterator<Item = &super::state::PinnedRun> {
    let problem = view.config.as_ref().map(|c| c.problem.kind);
    view.pinned
        .iter()
        .filter(move |p| Some(p.problem) == problem)
}

/// A curve in a given colour (a pinned run's own).
fn pin_series(label: String, points: Vec<(f64, f64)>, mark: Mark, color: (u8, u8, u8)) -> Series {
    Series {
        label,
        points,
        mark,
        color,
    }
}

/// Where on the path p is, for titles: "ε = 0.05", or on an s-homotopy "s = 0.3, ε = 0.3"
/// (ε(s) = max(s, ε*); the engine's parameter p = s + ε* is never shown as ε).
fn at(view: &RunView, p: f64) -> String {
    use crate::config::four_digits;
    match view.config.as_ref().map(|c| (c, c.problem.s_and_eps(p))) {
        Some((_, Some((s, eps)))) => format!("s = {}, ε = {}", four_digits(s), four_digits(eps)),
        Some((c, None)) => c.problem.path_point(p),
        None => format!("ε = {}", four_digits(p)),
    }
}

/// Where a run without a reference at its present point will have one: on an s-homotopy the
/// end s = 0 (a path whose inside has none, as the printed sign's fold), else nowhere.
fn when_reference(view: &RunView) -> String {
    match &view.config {
        Some(c) if c.problem.walks_s() => format!(
            "; it has one at the path's end, s = 0 (ε* = {})",
            crate::config::four_digits(c.problem.eps)
        ),
        _ => String::new(),
    }
}

/// One input's worth of coordinates when `x` is the same rising sweep repeated (an operator
/// problem's inputs × coordinates), else all of `x`.
pub(super) fn first_sweep(x: &[f64]) -> usize {
    let Some(n) = x.windows(2).position(|w| w[1] < w[0]).map(|i| i + 1) else {
        return x.len();
    };
    let repeated = x.len().is_multiple_of(n) && x.chunks(n).all(|c| c == &x[..n]);
    if repeated { n } else { x.len() }
}

fn pairs(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    x.iter().copied().zip(y.iter().copied()).collect()
}

fn from_array(points: &[[f64; 2]]) -> Vec<(f64, f64)> {
    points.iter().map(|p| (p[0], p[1])).collect()
}

/// Linear interpolation of (x, y) samples at `at` (x sorted ascending).
fn interpolate(x: &[f64], y: &[f64], at: f64) -> f64 {
    match x.iter().position(|&v| v >= at) {
        Some(0) => y[0],
        Some(i) => {
            let t = (at - x[i - 1]) / (x[i] - x[i - 1]);
            y[i - 1] + t * (y[i] - y[i - 1])
        }
        None => *y.last().unwrap_or(&f64::NAN),
    }
}

/// A heat map of `values` on `grid`: the grid's nodes come first (points added by resampling
/// follow them and are not drawn); `None` without a grid or with too few values.
fn field(grid: Option<Grid2d>, title: String, label: &str, mut values: Vec<f64>) -> Option<Figure> {
    let g = grid?;
    (values.len() >= g.nx * g.ny).then(|| {
        values.truncate(g.nx * g.ny);
        Heatmap::figure(&title, label, g, values)
    })
}

/// H at the residual points: a heat map when they form a grid of the plane, else against the
/// plot coordinate (points only in several dimensions, where neighbours in x are not neighbours).
fn residual(view: &RunView) -> Figure {
    let shown = view.shown();
    if let Some(s) = shown.as_deref()
        && let Some(fig) = field(
            s.residual_grid,
            format!("Residual H(u_θ(x_i), ε) at {}", at(view, s.eps)),
            "H",
            s.residual.clone(),
        )
    {
        return fig;
    }
    let mut fig = Figure::new("Residual H(u_θ(x_i), ε)", "x", "H");
    if let Some(s) = shown.as_deref() {
        if view.scrub.is_some() {
            fig.title = format!("Residual H(u_θ(x_i), ε) at {}", at(view, s.eps));
        }
        fig.x_label = s.plot_label.to_string();
        let mark = if s.dim == 1 {
            Mark::LineAndPoints
        } else {
            Mark::Points
        };
        // One training input's residual for an operator problem (see `solution_with`).
        let n = first_sweep(&s.residual_x);
        let inputs = s.residual_x.len() / n.max(1);
        if inputs > 1 {
            fig.title = format!("{} (training input 1 of {inputs})", fig.title);
        }
        fig.series.push(series(
            "H at residual points",
            pairs(&s.residual_x[..n], &s.residual[..n]),
            mark,
            3,
        ));
    }
    fig
}

/// Loss and L2RE at the end of each finished stage of a homotopy, against the stage number
/// or (`by_eps`) its ε on a log axis decreasing to the right; pins of the same problem beside
/// them from their summaries' stages.
fn loss_per_stage(view: &RunView, by_eps: bool) -> Figure {
    let x_label = if by_eps {
        "ε (decreasing →)"
    } else {
        "stage k"
    };
    let mut fig = Figure::new("Loss and L2RE at the end of each stage", x_label, "value").log_y();
    fig.x_log = by_eps;
    fig.x_reversed = by_eps;
    let x = |s: &crate::train::StageRecord| if by_eps { s.eps } else { s.stage as f64 };
    let curves = |stages: &[crate::train::StageRecord]| {
        let loss: Vec<(f64, f64)> = stages.iter().map(|s| (x(s), s.loss)).collect();
        let l2re: Vec<(f64, f64)> = stages
            .iter()
            .filter_map(|s| Some((x(s), s.accuracy.l2re()?)))
            .collect();
        (loss, l2re)
    };
    let (loss, l2re) = curves(&view.stages);
    fig.series
        .push(series("stage loss", loss, Mark::LineAndPoints, 0));
    fig.series
        .push(series("stage L2RE", l2re, Mark::LineAndPoints, 1));
    for p in shown_pins(view) {
        let (loss, l2re) = curves(&p.summary.stages);
        fig.series.push(pin_series(
            format!("pin {} loss", p.number),
            loss,
            Mark::Line,
            p.color,
        ));
        fig.series.push(pin_series(
            format!("pin {} L2RE", p.number),
            l2re,
            Mark::Dotted,
            p.color,
        ));
    }
    fig
}

fn loss(view: &RunView, log_steps: bool) -> Figure {
    let h = &view.histories;
    let mut fig = Figure::new("Loss and L2RE", "step", "value").log_y();
    fig.x_log = log_steps;
    let shift = |pts: Vec<[f64; 2]>| -> Vec<(f64, f64)> {
        pts.into_iter()
            .map(|p| (if log_steps { p[0] + 1.0 } else { p[0] }, p[1]))
            .collect()
    };
    let mut curves = vec![
        ("loss", &h.loss, Mark::Line, 0),
        ("loss: residual", &h.loss_residual, Mark::Line, 4),
        ("loss: boundary", &h.loss_boundary, Mark::Line, 5),
    ];
    if !h.loss_homotopy.is_empty() {
        curves.push(("loss: homotopy term", &h.loss_homotopy, Mark::Line, 6));
    }
    curves.push(("L2RE vs exact", &h.l2re_exact, Mark::LineAndPoints, 1));
    curves.push((
        "L2RE vs reference",
        &h.l2re_reference,
        Mark::LineAndPoints,
        2,
    ));
    // The random-feature model: the parameter norm stays bounded under implicit steps.
    if view
        .config
        .as_ref()
        .is_some_and(|c| c.network.train_output_only)
    {
        curves.push(("‖θ‖", &h.theta_norm, Mark::Line, 7));
    }
    for (label, history, mark, color) in curves {
        fig.series
            .push(series(label, shift(history.points()), mark, color));
    }
    // A pin's loss as a solid line and its L2RE dotted, both in the pin's colour.
    for p in shown_pins(view) {
        fig.series.push(pin_series(
            format!("pin {} loss", p.number),
            shift(p.loss.clone()),
            Mark::Line,
            p.color,
        ));
        fig.series.push(pin_series(
            format!("pin {} L2RE", p.number),
            shift(p.l2re.clone()),
            Mark::Dotted,
            p.color,
        ));
    }
    // ε and s changes as unlabelled lines, phase changes labelled (at most the last 60 labels).
    let labelled = view.markers.len().saturating_sub(60);
    for (i, (step, label)) in view.markers.iter().enumerate() {
        let x = if log_steps {
            *step as f64 + 1.0
        } else {
            *step as f64
        };
        let keep =
            label.starts_with("phase") || label.starts_with("stage") || label.starts_with("s=");
        fig.vlines.push((
            x,
            if keep && i >= labelled {
                label.clone()
            } else {
                String::new()
            },
        ));
    }
    fig
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;

    #[test]
    fn titles_name_the_path_point_in_s_and_eps_never_the_parameter_p() {
        let config = |path: &str| {
            RunConfig::from_toml_str(&format!(
                "version = 1\n[problem]\nkind = \"burgers_1d\"\npath = \"{path}\"\neps = 0.05\n"
            ))
            .unwrap()
        };
        let view = RunView {
            config: Some(config("s_homotopy")),
            ..RunView::default()
        };
        // p = 0.35 is s = 0.3 with ε(s) = 0.3; p = 0.08 is s = 0.03 with ε = ε* = 0.05.
        assert_eq!(at(&view, 0.35), "s = 0.3, ε = 0.3");
        assert_eq!(at(&view, 0.08), "s = 0.03, ε = 0.05");
        assert_eq!(at(&view, 0.05), "s = 0, ε = 0.05");
        // Below ε* the parameter is ε itself.
        assert_eq!(at(&view, 0.02), "ε = 0.02");
        let plain = RunView {
            config: Some(config("epsilon")),
            ..RunView::default()
        };
        assert_eq!(at(&plain, 0.35), "ε = 0.35");
        assert_eq!(when_reference(&plain), "");
        assert!(when_reference(&view).contains("s = 0 (ε* = 0.05)"));
    }
}
