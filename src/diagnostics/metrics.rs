//! Accuracy of u_θ on the problem's fine evaluation grid: L2RE against the exact solution and
//! against the numerical reference, and the front position x₀.

use serde::{Deserialize, Serialize};

use crate::net::{Channels, DerivOrder, Network};
use crate::problem::{PointRole, Problem, operator_points_at, relative_l2, role_of};

/// The L2RE past which a run's end is reported as far from the solution.
pub const FAR_L2RE: f64 = 0.1;

/// u_θ on the evaluation grid and how far it is from the known solutions.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    /// ε the solutions were taken at.
    pub eps: f64,
    /// u_θ at the evaluation points.
    #[serde(skip)]
    pub u: Vec<f64>,
    #[serde(flatten)]
    pub accuracy: Accuracy,
}

/// How far u_θ is from the known solutions: what every evaluation, history row, stage and
/// snapshot carries (each `None` where the problem has no such solution or no front).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// ‖u_θ − u*‖/‖u*‖ against the closed-form solution.
    pub l2re_exact: Option<f64>,
    /// ‖u_θ − u_ref‖/‖u_ref‖ against the numerical reference.
    pub l2re_reference: Option<f64>,
    /// Front position of u_θ (1D Allen–Cahn: its zero crossing).
    pub front_x0: Option<f64>,
}

impl Accuracy {
    /// The evaluation's accuracy, or all `None` on a step without one.
    pub fn of(eval: Option<&EvalReport>) -> Self {
        eval.map(|e| e.accuracy).unwrap_or_default()
    }

    /// The L2RE to show: against the exact solution where there is one, else the reference.
    pub fn l2re(&self) -> Option<f64> {
        self.l2re_exact.or(self.l2re_reference)
    }

    /// Said when a run ends this far from the known solution: "u_θ is far from the solution:
    /// L2RE 0.226 against the reference (a good run is below 0.1)"; None for a close result or
    /// where nothing is known to compare with. A run can reach its target ε with a small loss
    /// and still sit on the wrong solution; its end must not read as a success.
    pub fn far_from_solution(&self) -> Option<String> {
        let (l2re, against) = match (self.l2re_exact, self.l2re_reference) {
            (Some(v), _) => (v, "the exact solution"),
            (None, Some(v)) => (v, "the reference"),
            (None, None) => return None,
        };
        // NaN (an evaluation that failed) is far too.
        (l2re.is_nan() || l2re > FAR_L2RE).then(|| {
            format!(
                "u_θ is far from the solution: L2RE {l2re:.3} against {against} \
                 (a good run is below {FAR_L2RE})"
            )
        })
    }
}

/// Evaluate θ at ε on the problem's evaluation grid (fused f64 kernel, any training backend).
pub fn evaluate(problem: &dyn Problem, net: &Network, theta: &[f64], eps: f64) -> EvalReport {
    let ch = Channels::new(problem.dim(), DerivOrder::Value);
    let n = problem.eval_points().len() / problem.dim();
    let u = net
        .evaluate(
            theta,
            problem.eval_points(),
            problem.operator_points(PointRole::Eval),
            ch,
        )
        .unwrap_or_else(|_| vec![f64::NAN; n]);
    let accuracy = Accuracy {
        l2re_exact: problem.exact(eps).map(|e| relative_l2(&u, &e.values)),
        l2re_reference: problem.reference(eps).map(|r| relative_l2(&u, &r.values)),
        front_x0: problem.front_position(&u),
    };
    EvalReport { eps, u, accuracy }
}

/// H(u_θ(x), ε) at arbitrary points `x` (n × d), e.g. the evaluation grid for plots and CSVs;
/// one value per point (a residual with several rows per point gives its first, the value row).
pub fn residual_at(
    problem: &dyn Problem,
    net: &Network,
    theta: &[f64],
    points: &[f64],
    eps: f64,
    device: &burn::tensor::Device,
) -> Vec<f64> {
    let ch = problem.channels();
    let n = points.len() / problem.dim();
    let Ok(out) = net.evaluate(theta, points, operator_points_at(problem, points), ch) else {
        return vec![f64::NAN; n];
    };
    let fields =
        crate::problem::Fields::from_stacked(crate::net::tensors::vec_tensor(out, device), n, ch)
            .at(&crate::problem::coordinates(points, problem.dim(), device))
            .on(role_of(problem, points).unwrap_or(PointRole::Residual));
    let mut h = crate::net::tensors::host_vec(problem.residual(&fields, eps))
        .unwrap_or_else(|_| vec![f64::NAN; n]);
    h.truncate(n);
    h
}

/// Median and range of the finite values of a sample (NaN when none is finite; the pages' tables
/// count the others beside it, see `reproduce::fmt_stat`).
pub fn median_spread(values: &[f64]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let m = v.len();
    let median = if m % 2 == 1 {
        v[m / 2]
    } else {
        0.5 * (v[m / 2 - 1] + v[m / 2])
    };
    (median, v[0], v[m - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_far_from_its_solution_is_named_and_a_close_one_is_not() {
        let far = Accuracy {
            l2re_exact: None,
            l2re_reference: Some(0.226),
            front_x0: None,
        };
        let text = far.far_from_solution().expect("0.226 is far");
        assert!(text.contains("L2RE 0.226 against the reference"), "{text}");
        // The exact solution is preferred where there is one.
        let close = Accuracy {
            l2re_exact: Some(4e-3),
            ..far
        };
        assert_eq!(close.far_from_solution(), None);
        let failed = Accuracy {
            l2re_exact: Some(f64::NAN),
            ..far
        };
        assert!(failed.far_from_solution().is_some(), "NaN is not close");
        assert_eq!(Accuracy::default().far_from_solution(), None);
    }
}
