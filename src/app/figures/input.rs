//! The operator problem's plots of one shown input: the input u₀ drawn or sampled, the
//! DeepONet's answer at the current parameters beside the FD steady state, and its error;
//! which input is shown (a new draw, a drawn one, or its answer at the scrubbed stage).

use super::{at, pairs, series};
use crate::app::state::RunView;
use crate::export::figure::{Figure, Mark};
use crate::problem::allen_cahn_1d::zero_crossing;
use crate::problem::burgers_operator::SHOCK_TOLERANCE;

/// The operator input the plots show: the live answer, or (timeline) the scrubbed stage's
/// answer once it arrived; None when no input is shown (the test inputs are) or the stage's
/// answer is still on its way.
pub(super) fn shown_input(view: &RunView) -> Option<&crate::worker::OperatorInput> {
    let live = view.operator_input.as_ref()?;
    match view.scrub.and_then(|k| view.stages.get(k)) {
        None => Some(live),
        Some(stage) => view
            .operator_input_at
            .as_ref()
            .filter(|i| i.step == stage.step),
    }
}

/// The shown input's error against its reference (None without a reference).
pub(super) fn operator_input_error(
    view: &RunView,
    input: &crate::worker::OperatorInput,
) -> Option<Figure> {
    let r = input.reference.as_ref()?;
    let err: Vec<f64> = input.u.iter().zip(r).map(|(u, r)| u - r).collect();
    let mut fig = Figure::new(
        &format!(
            "Error u_θ − reference at {} on {}{}",
            at(view, input.eps),
            input.label,
            shock_note(&input.x, &input.u, r)
        ),
        "x",
        "u_θ − u*",
    );
    fig.series.push(series(
        "u_θ − reference",
        pairs(&input.x, &err),
        Mark::Line,
        3,
    ));
    Some(fig)
}

/// Whether the shown input lies beyond the training inputs' size, where the operator's answer
/// is an extrapolation (a hand-drawn u₀ usually is: the input field's samples are small).
fn range_note(input_max: f64, training_max: Option<f64>) -> String {
    match training_max {
        Some(t) if input_max > t => format!(
            ". Max |u₀| = {input_max:.2e}, the training inputs' at most {t:.2e}: outside what the operator learned, its answer is an extrapolation"
        ),
        _ => String::new(),
    }
}

/// Where the shock of u_θ stands against the reference's (each the zero crossing nearest ½):
/// the per-input check behind the operator target of a shock within
/// [`SHOCK_TOLERANCE`] of its place.
fn shock_note(x: &[f64], u: &[f64], reference: &[f64]) -> String {
    match (zero_crossing(x, u), zero_crossing(x, reference)) {
        (Some(xs), Some(xr)) => {
            let d = (xs - xr).abs();
            let verdict = if d <= SHOCK_TOLERANCE {
                "within"
            } else {
                "outside"
            };
            format!(
                ": shock at x = {xs:.4}, FD {xr:.4} (|Δ| = {d:.1e}, {verdict} {SHOCK_TOLERANCE})"
            )
        }
        (None, Some(xr)) => format!(": u_θ has no shock (no sign change), FD's at x = {xr:.4}"),
        (Some(xs), None) => format!(": shock at x = {xs:.4}, FD has none"),
        (None, None) => String::new(),
    }
}

/// An operator problem's shown input (new or drawn): u₀, the operator's output and the
/// reference, with the times the DeepONet and the finite-difference solve took.
pub(super) fn operator_input(view: &RunView, input: &crate::worker::OperatorInput) -> Figure {
    let mut fig = Figure::new(
        &format!(
            "Operator at {} on {}: DeepONet {:.2} ms, FD solve {:.1} ms (step {}){}",
            at(view, input.eps),
            input.label,
            1e3 * input.inference_secs,
            1e3 * input.reference_secs,
            input.step,
            range_note(input.input_max, input.training_max)
        ),
        "x",
        "u",
    );
    fig.series.push(series(
        "u₀ (input)",
        pairs(&input.x, &input.u0),
        Mark::Line,
        1,
    ));
    fig.series.push(series(
        "G_θ(u₀) (DeepONet)",
        pairs(&input.x, &input.u),
        Mark::Line,
        0,
    ));
    if let Some(r) = &input.reference {
        fig.series.push(series(
            "FD reference",
            pairs(&input.x, r),
            Mark::Reference,
            2,
        ));
    }
    fig
}

#[cfg(test)]
mod tests {
    use super::shock_note;

    #[test]
    fn an_input_beyond_the_training_inputs_is_called_an_extrapolation() {
        assert!(super::range_note(0.6, Some(0.03)).contains("extrapolation"));
        assert_eq!(super::range_note(0.02, Some(0.03)), "");
        assert_eq!(super::range_note(0.6, None), "");
    }

    #[test]
    fn the_shock_note_measures_against_the_reference() {
        let x: Vec<f64> = (0..=100).map(|i| i as f64 / 100.0).collect();
        let step_at = |xs: f64| x.iter().map(|v| xs - v).collect::<Vec<f64>>();
        let reference = step_at(0.5);
        let near = shock_note(&x, &step_at(0.505), &reference);
        assert!(
            near.contains("x = 0.5050") && near.contains("within 0.01"),
            "{near}"
        );
        let far = shock_note(&x, &step_at(0.53), &reference);
        assert!(far.contains("outside 0.01"), "{far}");
        let flat = shock_note(&x, &vec![1.0; x.len()], &reference);
        assert!(flat.contains("no shock"), "{flat}");
    }
}
