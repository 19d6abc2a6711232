//! 1D Allen–Cahn steady state on [0, 1] with u(0) = −1, u(1) = 1, in the consistent sign
//! (DESIGN §1.1): H(u, ε) = ε²u″ − (u³ − u), H_ε = 2εu″, H_u[u]v = ε²v″ − (3u² − 1)v.
//!
//! Exact solution u* = tanh((x − ½)/(√2 ε)) (it meets the boundary data only up to
//! 1 − tanh(1/(2√2 ε))), plus a finite-difference reference of the true boundary-value problem.

use burn::tensor::Tensor;

use super::points::point_set_accessors;
use super::points1d::Points1d;
use super::reference::{ReferenceCache, StencilRow, solve_odd_about_half};
use super::{
    BuildArgs, DiscreteOperator, Fields, Problem, ProblemKind, ProblemSpec, SampledSolution,
};

/// Fine-grid cells per evaluation cell for the finite-difference reference.
const REFERENCE_REFINEMENT: usize = 20;

/// The 1D Allen–Cahn problem at fixed sampling.
pub struct AllenCahn1d {
    /// Its residual points are the uniform grid x_i = i/(n+1) when `uniform_grid` (D_ε is
    /// defined on it).
    points: Points1d,
    boundary_values: Vec<f64>,
    reference_cache: ReferenceCache,
}

impl AllenCahn1d {
    /// `n_res` residual points (grid x_i = i/(n_res+1), or uniform random from `seed`),
    /// `n_bc` boundary points split evenly between x = 0 and x = 1 (n_bc even),
    /// `n_eval` uniformly spaced evaluation points including both ends.
    pub fn new(a: &BuildArgs) -> Self {
        let points = Points1d::new(a, 0x5eed_ac1d);
        let boundary_values = points.boundary.iter().map(|&x| 2.0 * x - 1.0).collect();
        Self {
            points,
            boundary_values,
            reference_cache: ReferenceCache::default(),
        }
    }

    /// u*(x) = tanh((x − ½)/(√2 ε)).
    pub fn tanh_solution(x: f64, eps: f64) -> f64 {
        ((x - 0.5) / (std::f64::consts::SQRT_2 * eps)).tanh()
    }

    /// The finite-difference solution on `intervals` cells of [0, 1] (nodes included; an even
    /// count), by Newton with continuation in ε when needed.
    ///
    /// The solution is odd about x = ½, and on [0, 1] the linearized operator has a near-zero
    /// eigenvalue (≈ e^{−1/(√2ε)}: translating the front barely changes the residual) that makes
    /// Newton amplify rounding errors into front drift. Solving on [0, ½] with u(½) = 0 and
    /// mirroring removes that mode exactly.
    pub fn finite_difference(eps: f64, intervals: usize) -> Option<Vec<f64>> {
        let row_at = |e: f64| {
            move |_x: f64, h: f64, l: f64, c: f64, r: f64| {
                let k = e * e / (h * h);
                StencilRow {
                    value: k * (l - 2.0 * c + r) - (c * c * c - c),
                    d_left: k,
                    d_center: -2.0 * k - (3.0 * c * c - 1.0),
                    d_right: k,
                }
            }
        };
        solve_odd_about_half(eps, eps.max(0.1), intervals, -1.0, row_at, |e, x| {
            Self::tanh_solution(x, e)
        })
    }
}

/// 1D Allen–Cahn in the registry.
pub const SPEC: ProblemSpec = ProblemSpec::second_order_1d(
    ProblemKind::AllenCahn1d,
    "allen_cahn_1d",
    "Allen–Cahn 1D",
    |a| Box::new(AllenCahn1d::new(a)),
);

impl Problem for AllenCahn1d {
    point_set_accessors!(SPEC);

    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let u = f.u.clone();
        // ε²u″ − u³ + u
        f.second(0)
            .mul_scalar(eps * eps)
            .sub(u.clone().powi_scalar(3))
            .add(u)
    }

    fn residual_eps(&self, f: &Fields, eps: f64) -> Tensor<1> {
        f.second(0).mul_scalar(2.0 * eps)
    }

    fn linearized(&self, f: &Fields, v: &Fields, eps: f64) -> Tensor<1> {
        let coeff = f.u.clone().square().mul_scalar(3.0).sub_scalar(1.0);
        v.second(0)
            .mul_scalar(eps * eps)
            .sub(coeff.mul(v.u.clone()))
    }

    fn exact_label(&self) -> &'static str {
        "tanh"
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(
            points
                .iter()
                .map(|&x| Self::tanh_solution(x, eps))
                .collect(),
        )
    }

    /// D_ε = −ε²Δ_h + diag(3u² − 1) (paper eq. 21 in the consistent sign), Δ_h the
    /// three-point Laplacian with h = 1/(n+1) and zero Dirichlet data.
    fn discrete_operator(&self, u: &[f64], eps: f64) -> Option<DiscreteOperator> {
        if !self.points.uniform_grid {
            return None;
        }
        let n = u.len();
        let h = 1.0 / (n + 1) as f64;
        let k = eps * eps / (h * h);
        let matrix = faer::Mat::from_fn(n, n, |i, j| {
            if i == j {
                2.0 * k + 3.0 * u[i] * u[i] - 1.0
            } else if i.abs_diff(j) == 1 {
                -k
            } else {
                0.0
            }
        });
        Some(DiscreteOperator {
            matrix,
            symmetric: true,
            on_residual_points: true,
        })
    }

    fn reference(&self, eps: f64) -> Option<SampledSolution> {
        let values = self.reference_cache.get_or(eps, || {
            let n_eval = self.points.eval.len();
            let intervals = (n_eval - 1) * REFERENCE_REFINEMENT;
            let nodes = Self::finite_difference(eps, intervals)?;
            Some(
                (0..n_eval)
                    .map(|i| nodes[i * REFERENCE_REFINEMENT])
                    .collect(),
            )
        })?;
        Some(SampledSolution {
            label: "finite-difference BVP".into(),
            values,
        })
    }

    fn front_position(&self, values: &[f64]) -> Option<f64> {
        zero_crossing(&self.points.eval, values)
    }
}

/// The zero crossing of a sampled profile nearest the domain centre, by linear interpolation.
pub fn zero_crossing(x: &[f64], u: &[f64]) -> Option<f64> {
    let centre = 0.5 * (x[0] + x[x.len() - 1]);
    let mut best: Option<f64> = None;
    for i in 0..u.len() - 1 {
        let (a, b) = (u[i], u[i + 1]);
        if a == 0.0 || (a < 0.0) != (b < 0.0) {
            let t = if a == b { 0.0 } else { a / (a - b) };
            let x0 = x[i] + t * (x[i + 1] - x[i]);
            if best.is_none_or(|bx| (x0 - centre).abs() < (bx - centre).abs()) {
                best = Some(x0);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_points_follow_the_paper() {
        let p = AllenCahn1d::new(&BuildArgs::grid(200, 2, 1001));
        assert_eq!(p.residual_points().len(), 200);
        assert!((p.residual_points()[0] - 1.0 / 201.0).abs() < 1e-15);
        assert_eq!(p.boundary_points(), &[0.0, 1.0]);
        assert_eq!(p.boundary_values(), &[-1.0, 1.0]);
    }

    #[test]
    fn reference_is_close_to_tanh_and_meets_the_boundary() {
        let p = AllenCahn1d::new(&BuildArgs::grid(200, 2, 1001));
        for eps in [0.1, 0.03, 0.01] {
            let r = p.reference(eps).unwrap();
            let e = p.exact(eps).unwrap();
            assert_eq!(r.values[0], -1.0);
            assert_eq!(r.values[1000], 1.0);
            // tanh misses the boundary by 1 − tanh(1/(2√2ε)); away from it they agree.
            let gap = 1.0 - (1.0 / (2.0 * std::f64::consts::SQRT_2 * eps)).tanh();
            let diff = r
                .values
                .iter()
                .zip(&e.values)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            assert!(diff < 2.0 * gap + 1e-5, "ε = {eps}: max diff {diff}");
            let x0 = p.front_position(&r.values).unwrap();
            assert!((x0 - 0.5).abs() < 1e-9, "symmetric front, got {x0}");
        }
    }

    #[test]
    fn finite_difference_converges_at_second_order() {
        // Halving h cuts the error against a much finer solve by about 4.
        let eps = 0.03;
        let fine = AllenCahn1d::finite_difference(eps, 6400).unwrap();
        let err = |m: usize| {
            let u = AllenCahn1d::finite_difference(eps, m).unwrap();
            (0..=m)
                .map(|i| (u[i] - fine[i * 6400 / m]).abs())
                .fold(0.0f64, f64::max)
        };
        let (e1, e2) = (err(200), err(400));
        let ratio = e1 / e2;
        assert!(
            (3.5..4.5).contains(&ratio),
            "ratio {ratio} ({e1:e}, {e2:e})"
        );
    }

    #[test]
    fn zero_crossing_interpolates() {
        let x = [0.0, 0.25, 0.5, 0.75, 1.0];
        let u = [-1.0, -0.5, -0.1, 0.3, 1.0];
        assert!((zero_crossing(&x, &u).unwrap() - 0.5625).abs() < 1e-15);
    }
}
