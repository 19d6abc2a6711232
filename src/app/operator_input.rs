//! Intents of an operator problem's explorer: show a fresh input (*New input*), an input drawn
//! with the mouse, or the held-out test inputs again. A drawn stroke becomes the operator's
//! input by [`sensors_from_stroke`]: resampled at the sensors, pinned to zero at both ends (the
//! inputs vanish there) and smoothed.

use crate::worker::Command;

use super::ExplorerApp;

/// Smoothing passes of the [1, 2, 1]/4 filter over a drawn input.
const SMOOTHING_PASSES: usize = 3;
/// The least part of [0, 1] a stroke must cover.
const MIN_SPAN: f64 = 0.1;

/// A mouse stroke (plot coordinates, in drawing order) as the values at `sensors` points
/// x_j = j/(sensors − 1): the stroke's points inside [0, 1] sorted by x, linear between them
/// and down to zero at both ends, then smoothed with the ends kept at zero.
pub fn sensors_from_stroke(stroke: &[[f64; 2]], sensors: usize) -> Result<Vec<f64>, String> {
    let mut pts: Vec<(f64, f64)> = stroke
        .iter()
        .filter(|p| p[0].is_finite() && p[1].is_finite() && (0.0..=1.0).contains(&p[0]))
        .map(|p| (p[0], p[1]))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let span = match (pts.first(), pts.last()) {
        (Some(a), Some(b)) => b.0 - a.0,
        _ => 0.0,
    };
    if span < MIN_SPAN {
        return Err(format!(
            "draw across the plot: the stroke covers {span:.3} of x ∈ [0, 1], at least {MIN_SPAN} is needed"
        ));
    }
    if sensors < 3 {
        return Err(format!(
            "the operator reads {sensors} sensors; at least 3 are needed"
        ));
    }
    // The input vanishes at both ends.
    pts.insert(0, (0.0, 0.0));
    pts.push((1.0, 0.0));
    let at = |x: f64| {
        let k = pts.partition_point(|p| p.0 <= x).clamp(1, pts.len() - 1);
        let ((x0, y0), (x1, y1)) = (pts[k - 1], pts[k]);
        if x1 > x0 {
            y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        } else {
            y1
        }
    };
    let mut v: Vec<f64> = (0..sensors)
        .map(|j| at(j as f64 / (sensors - 1) as f64))
        .collect();
    for _ in 0..SMOOTHING_PASSES {
        let prev = v.clone();
        for j in 1..sensors - 1 {
            v[j] = 0.25 * prev[j - 1] + 0.5 * prev[j] + 0.25 * prev[j + 1];
        }
    }
    v[0] = 0.0;
    v[sensors - 1] = 0.0;
    Ok(v)
}

impl ExplorerApp {
    /// Whether the running problem learns an operator (the *New input* and drawing controls).
    pub fn is_operator_problem(&self) -> bool {
        self.config().problem.kind.spec().operator
    }

    /// Show a fresh draw from the problem's input field with the operator's answer.
    pub fn new_operator_input(&mut self) {
        if self.is_operator_problem() {
            self.view.operator_input_asked = None;
            self.send(Command::NewOperatorInput);
        } else {
            self.view.message(
                true,
                "New input applies to an operator problem (burgers_operator)",
            );
        }
    }

    /// Show the input drawn as `stroke` (plot coordinates); a stroke that cannot be one is
    /// refused with the reason.
    pub fn set_drawn_input(&mut self, stroke: &[[f64; 2]]) -> bool {
        let sensors = self.config().problem.operator.unwrap_or_default().sensors;
        match sensors_from_stroke(stroke, sensors) {
            Ok(values) if self.is_operator_problem() => {
                self.view.operator_input_asked = None;
                self.send(Command::SetOperatorInput(values));
                true
            }
            Ok(_) => {
                self.view
                    .message(true, "drawing an input applies to an operator problem");
                false
            }
            Err(e) => {
                self.view.message(true, e);
                false
            }
        }
    }

    /// Back to the held-out test inputs.
    pub fn show_test_inputs(&mut self) {
        self.view.operator_input = None;
        self.view.operator_input_at = None;
        self.view.operator_input_asked = None;
        self.send(Command::ClearOperatorInput);
    }

    /// While the timeline shows a finished stage and an input is shown, ask (once per stage)
    /// for the input's answer with that stage's parameters, so the output moves along s with
    /// the slider.
    pub fn follow_scrub(&mut self) {
        if self.view.operator_input.is_none() {
            return;
        }
        let Some(stage) = self
            .view
            .scrub
            .and_then(|k| self.view.stages.get(k))
            .filter(|s| !s.theta.is_empty())
        else {
            return;
        };
        if self.view.operator_input_asked == Some(stage.step) {
            return;
        }
        let command = Command::AnswerOperatorInputAt {
            step: stage.step,
            theta: stage.theta.clone(),
            eps: stage.eps,
        };
        self.view.operator_input_asked = Some(stage.step);
        self.send(command);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stroke_becomes_a_smooth_input_that_vanishes_at_the_ends() {
        // A hump drawn right to left over [0.2, 0.8], with one point outside the domain.
        let stroke: Vec<[f64; 2]> = (0..=60)
            .rev()
            .map(|k| {
                let x = 0.2 + 0.01 * k as f64;
                [x, (std::f64::consts::PI * (x - 0.2) / 0.6).sin()]
            })
            .chain([[1.3, 5.0]])
            .collect();
        let v = sensors_from_stroke(&stroke, 33).unwrap();
        assert_eq!(v.len(), 33);
        assert_eq!((v[0], v[32]), (0.0, 0.0));
        // The hump's top at x = ½ survives the smoothing within a few per cent.
        assert!((v[16] - 1.0).abs() < 0.05, "{}", v[16]);
        // Outside the stroke it falls linearly to the ends (smoothed): small near x = 0.
        assert!(v[1].abs() < 0.05, "{}", v[1]);
    }

    #[test]
    fn a_dot_is_refused_with_the_reason() {
        let err = sensors_from_stroke(&[[0.5, 0.1], [0.52, 0.2]], 33).unwrap_err();
        assert!(err.contains("draw across the plot"), "{err}");
        assert!(sensors_from_stroke(&[], 33).is_err());
    }
}
