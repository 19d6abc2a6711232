//! The solution and error plots: u_θ (a heat map in 2D) with the residual points, the exact
//! and reference curves and the pins, its error against the reference with the pins that
//! solved the same problem at the shown point, and the homotopy path as animation frames and
//! the papers' evolution figure. The live state or the timeline's scrubbed stage.

use super::input::{operator_input, operator_input_error, shown_input};
use super::{
    at, field, first_sweep, from_array, interpolate, pairs, pin_series, series, shown_pins,
    when_reference,
};
use crate::app::state::RunView;
use crate::export::figure::{Figure, Mark, evolution};
use crate::worker::Snapshot;

/// The solution of a 2D problem: u_θ over the plane.
fn solution_2d(view: &RunView, s: &Snapshot) -> Option<Figure> {
    field(
        s.grid,
        format!("Solution u_θ(x, y) at {}", at(view, s.eps)),
        "u_θ",
        s.u.clone(),
    )
}

/// u_θ − reference (else − exact) at the evaluation points: a heat map in 2D, a curve against
/// the plot coordinate otherwise; empty while neither is known (e.g. inside an s-homotopy).
pub(super) fn error(view: &RunView) -> Figure {
    if let Some(fig) = shown_input(view).and_then(|i| operator_input_error(view, i)) {
        return fig;
    }
    let mut fig = Figure::new("Error u_θ − reference", "x", "u_θ − u*");
    let Some(s) = view.shown() else {
        return fig;
    };
    let (against, name) = match (&s.reference, &s.exact) {
        (Some(r), _) => (r, "reference"),
        (None, Some(e)) => (e, "exact"),
        (None, None) => {
            fig.title = format!(
                "Error: no reference or exact solution at {}{}",
                at(view, s.eps),
                when_reference(view)
            );
            return fig;
        }
    };
    let err: Vec<f64> = s.u.iter().zip(against).map(|(u, r)| u - r).collect();
    let title = format!("Error u_θ − {name} at {}", at(view, s.eps));
    if let Some(fig) = field(s.grid, title.clone(), &format!("u_θ − {name}"), err.clone()) {
        return fig;
    }
    // One input's curve for an operator problem (see `solution_with`).
    let n = first_sweep(&s.plot_x);
    let inputs = s.plot_x.len() / n.max(1);
    fig.title = if inputs > 1 {
        format!("{title} (test input 1 of {inputs})")
    } else {
        title
    };
    fig.x_label = s.plot_label.to_string();
    fig.series.push(series(
        &format!("u_θ − {name}"),
        pairs(&s.plot_x[..n], &err[..n]),
        Mark::Line,
        3,
    ));
    // A pin's error against the same curve, where it solved the same problem (points, path,
    // operator inputs; on an s-path the same ε* too, as p means another (s, ε) under another),
    // ended at the shown point of the path, on the same coordinates; the others are named in
    // the title, never drawn against a curve they were not trained for.
    let same_problem = |c: &crate::config::ProblemConfig| {
        view.config.as_ref().is_some_and(|live| {
            if live.problem.walks_s() {
                *c == live.problem
            } else {
                c.eq_except_eps(&live.problem)
            }
        })
    };
    let mut elsewhere = Vec::new();
    for p in shown_pins(view) {
        let same_point = p.problem_config.as_ref().is_some_and(same_problem)
            && (s.eps - p.summary.eps).abs() <= 1e-9 * s.eps.abs().max(1e-300);
        let same_x = p.solution.len() >= n
            && p.solution[..n]
                .iter()
                .zip(&s.plot_x[..n])
                .all(|(q, x)| (q[0] - x).abs() <= 1e-12 * x.abs().max(1.0));
        if !(same_point && same_x) {
            elsewhere.push(p.number.to_string());
            continue;
        }
        let pts = p.solution[..n]
            .iter()
            .zip(&against[..n])
            .map(|(q, r)| (q[0], q[1] - r))
            .collect();
        fig.series.push(pin_series(
            format!("pin {}", p.number),
            pts,
            Mark::Line,
            p.color,
        ));
    }
    if !elsewhere.is_empty() {
        let word = if elsewhere.len() == 1 { "pin" } else { "pins" };
        fig.title = format!(
            "{} ({word} {} not drawn: another point of the path or other settings)",
            fig.title,
            elsewhere.join(", ")
        );
    }
    fig
}

pub(super) fn solution(view: &RunView) -> Figure {
    let shown = view.shown();
    let of = view.scrub.map_or_else(String::new, |k| stage_of(view, k));
    solution_with(view, shown.as_deref(), &of)
}

/// " (timeline: stage k of n)" for stage index `k` of the view.
fn stage_of(view: &RunView, k: usize) -> String {
    match (view.stages.get(k), view.stages.last()) {
        (Some(s), Some(last)) => format!(" (timeline: stage {} of {})", s.stage, last.stage),
        _ => String::new(),
    }
}

/// The solution figure of snapshot `shown` (the live one or a stage's frame), `of` added to
/// its title, with the view's pins.
fn solution_with(view: &RunView, shown: Option<&Snapshot>, of: &str) -> Figure {
    if let Some(mut fig) = shown.and_then(|s| solution_2d(view, s)) {
        fig.title.push_str(of);
        return fig;
    }
    if let Some(input) = shown_input(view) {
        let mut fig = operator_input(view, input);
        fig.title.push_str(of);
        return fig;
    }
    let mut fig = Figure::new("Solution u_θ(x)", "x", "u");
    if let Some(s) = shown {
        fig.x_label = s.plot_label.to_string();
        // An operator problem evaluates several test inputs one after another, each over the
        // same coordinates: show the first input's curve, not all of them joined.
        let n = first_sweep(&s.plot_x);
        let inputs = s.plot_x.len() / n.max(1);
        let which = if inputs > 1 {
            format!(" (test input 1 of {inputs})")
        } else {
            String::new()
        };
        let x = &s.plot_x[..n];
        fig.title = format!("Solution u_θ(x) at {}{which}{of}", at(view, s.eps));
        // The residual points sit on u_θ: drawn first, so that the curve is on top of them.
        let pts = s.residual_x[..first_sweep(&s.residual_x)]
            .iter()
            .map(|&xr| (xr, interpolate(x, &s.u[..n], xr)))
            .collect();
        fig.series
            .push(series("residual points", pts, Mark::Points, 7));
        fig.series
            .push(series("u_θ", pairs(x, &s.u[..n]), Mark::Line, 0));
        match (&s.exact, &s.reference) {
            // Beside a reference it nearly coincides with (1D Allen–Cahn's tanh profile and
            // its finite-difference solution), the closed form is dotted in the foreground
            // colour under the dashed reference, so both stay visible.
            (Some(e), Some(_)) => fig.series.push(pin_series(
                "exact (closed form)".into(),
                pairs(x, &e[..n]),
                Mark::Dotted,
                (0, 0, 0),
            )),
            (Some(e), None) => fig.series.push(pin_series(
                "exact".into(),
                pairs(x, &e[..n]),
                Mark::Reference,
                (0, 0, 0),
            )),
            _ => {}
        }
        if let Some(r) = &s.reference {
            fig.series.push(series(
                if of.is_empty() {
                    "FD reference"
                } else {
                    "reference at this ε"
                },
                pairs(x, &r[..n]),
                Mark::Reference,
                2,
            ));
        }
        if let Some(x0) = s.accuracy.front_x0 {
            fig.vlines.push((x0, format!("x₀ = {x0:.4}")));
        }
    }
    let shown_at = shown.map(|s| s.eps);
    for p in shown_pins(view) {
        // An operator run's pin holds every test input's profile one after another: it shows
        // the first, the input the live plot shows.
        let mut pts = from_array(&p.solution);
        let xs: Vec<f64> = pts.iter().map(|q| q.0).collect();
        pts.truncate(first_sweep(&xs));
        // A pin ended elsewhere on the path than the curves it is drawn with (the reference is
        // the shown ε's): its legend says where.
        let label = match shown_at {
            Some(e) if (e - p.summary.eps).abs() > 1e-9 * e.abs().max(1e-300) => {
                format!("pin {} ({})", p.number, at(view, p.summary.eps))
            }
            _ => format!("pin {}", p.number),
        };
        fig.series.push(pin_series(label, pts, Mark::Line, p.color));
    }
    fig
}

/// The homotopy path as animation frames: the solution figure of at most `max` stages with a
/// frame, evenly spaced along the path (the first and the last included).
pub fn path_frames(view: &RunView, max: usize) -> Vec<Figure> {
    evolution::spaced(&view.frames(), max)
        .into_iter()
        .filter_map(|k| {
            Some(solution_with(
                view,
                Some(&view.frame(k)?),
                &stage_of(view, k),
            ))
        })
        .collect()
}

/// The papers' evolution figure of the path so far ([`evolution::figure`]): u_θ at about
/// `count` finished stages overlaid, the reference at the last; None before two stages have
/// frames.
pub fn evolution(view: &RunView, count: usize) -> Option<Figure> {
    let frames = view.frames();
    if frames.len() < 2 {
        return None;
    }
    let latest = view.latest.as_ref()?;
    let chosen = evolution::spaced(&frames, count);
    let curves: Vec<(f64, &[f64])> = chosen
        .iter()
        .map(|&k| (view.stages[k].eps, view.stages[k].u.as_slice()))
        .collect();
    let last = &view.stages[*chosen.last()?];
    Some(evolution::figure(
        "u_θ along the homotopy path",
        &latest.plot_x,
        latest.plot_label,
        latest.grid,
        &curves,
        last.reference.as_deref().map(|r| (last.eps, r)),
        &|p| match &view.config {
            Some(c) => c.problem.path_point(p),
            None => format!("ε = {p}"),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_form_beside_a_reference_is_dotted_so_both_show() {
        use crate::app::test_support::app;
        let app = app();
        let snap = app.view.latest.as_ref().unwrap();
        // 1D Allen–Cahn has both: the tanh profile and the finite-difference solution.
        assert!(snap.exact.is_some() && snap.reference.is_some());
        let fig = solution_with(&app.view, Some(snap), "");
        let mark = |label: &str| {
            fig.series
                .iter()
                .find(|s| s.label == label)
                .map(|s| (s.mark, s.color))
        };
        // Dotted in the foreground colour (black stands for it), as every exact curve is drawn
        // in it; the reference dashed in its own colour.
        assert_eq!(mark("exact (closed form)"), Some((Mark::Dotted, (0, 0, 0))));
        assert_eq!(mark("FD reference").map(|m| m.0), Some(Mark::Reference));
        assert_eq!(mark("exact"), None);
    }

    #[test]
    fn the_error_plot_draws_a_pin_at_the_shown_point_and_names_one_pinned_elsewhere() {
        use crate::app::test_support::{app, train};
        let mut app = app();
        train(&mut app, 3);
        assert!(app.view.pin_current());
        train(&mut app, 2);
        let fig = error(&app.view);
        let live = fig
            .series
            .iter()
            .find(|s| s.label.starts_with("u_θ − "))
            .unwrap();
        let pin = fig.series.iter().find(|s| s.label == "pin 1").unwrap();
        assert_eq!(pin.points.len(), live.points.len());
        // The pin is u_θ three steps in, minus the same curve the live error subtracts.
        let snap = app.view.latest.as_ref().unwrap();
        let against = snap.reference.as_ref().or(snap.exact.as_ref()).unwrap();
        let solution = &app.view.pinned[0].solution;
        for ((q, r), (x, e)) in solution.iter().zip(against).zip(&pin.points) {
            assert_eq!((q[0], q[1] - r), (*x, *e));
        }
        assert!(!fig.title.contains("not drawn"), "{}", fig.title);
        // A pin of other settings (more points) is named, not drawn against this curve.
        app.view.pinned[0].problem_config.as_mut().unwrap().n_res += 1;
        let fig = error(&app.view);
        assert!(fig.series.iter().all(|s| s.label != "pin 1"));
        app.view.pinned[0].problem_config.as_mut().unwrap().n_res -= 1;
        // Nor is a pin that ended at another ε.
        app.view.pinned[0].summary.eps *= 0.5;
        let fig = error(&app.view);
        assert!(fig.series.iter().all(|s| s.label != "pin 1"));
        assert!(
            fig.title
                .contains("(pin 1 not drawn: another point of the path or other settings)"),
            "{}",
            fig.title
        );
    }
}
