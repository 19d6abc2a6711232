//! Helmholtz in d dimensions (homotopy paper §5.2, eq. 27): ε²Δu + u/d = 0 on [−1, 1]^d with
//! the exact solution u = sin(s/ε), s = (1/d)Σx_i, and boundary data g = u on the faces (they
//! follow ε along a homotopy). H = ε²Δu + u/d, H_ε = 2εΔu, H_u v = ε²Δv + v/d.
//!
//! Residual points are uniform in the cube, boundary points uniform on its faces, evaluation
//! points uniform in the cube; all are drawn from the seed and sorted by s, the coordinate the
//! plots use (u* depends on x only through s).
//!
//! D_ε (eq. 60) needs a tensor grid, which does not exist in 20 dimensions. The solution depends
//! on x only through s, and on functions of s Δ = (1/d)∂²_s, so D_ε is reported on that family:
//! the linearization of −H, −(ε²/d)Δ_h − I/d, on n_res (at most 1000) uniform interior nodes of
//! s ∈ [−1, 1] with zero end values (its own grid, not the residual points). Eq. 60 prints +I/d; the two
//! differ by the shift 2/d.

use burn::tensor::Tensor;

use super::points::point_set_accessors;
use super::points_nd::{PointsNd, mean};
use super::points1d::tridiagonal;
use super::{
    BuildArgs, Dims, DiscreteOperator, Fields, Problem, ProblemKind, ProblemSpec, at_points,
    d_eps_sin_over_eps,
};
use crate::net::DerivOrder;

/// Largest s-grid of D_ε (the paper's 10 000 residual points would ask for a 10⁴ × 10⁴ matrix).
const MAX_S_NODES: usize = 1000;

/// The d-dimensional Helmholtz problem at fixed sampling.
pub struct HelmholtzNd {
    points: PointsNd,
    boundary_values: Vec<f64>,
}

impl HelmholtzNd {
    /// In d = `a.dim`, random points whatever `a.sampling`, boundary data u* at ε = `a.eps`.
    pub fn new(a: &BuildArgs) -> Self {
        let points = PointsNd::new(a, (-1.0, 1.0), None, 0x5eed_4e11);
        let mut this = Self {
            points,
            boundary_values: Vec::new(),
        };
        this.boundary_values = this.solution_at(&this.points.boundary, a.eps);
        this
    }

    /// u* = sin(s/ε) at n × d points.
    fn solution_at(&self, points: &[f64], eps: f64) -> Vec<f64> {
        at_points(points, self.points.d, |p| (mean(p) / eps).sin())
    }
}

/// Helmholtz in d dimensions in the registry (random points in every dimension).
pub const SPEC: ProblemSpec = ProblemSpec {
    tensor_grid: false,
    ..ProblemSpec::new(
        ProblemKind::Helmholtz,
        "helmholtz",
        "Helmholtz in d dimensions",
        DerivOrder::Laplacian,
        Dims::UpTo(50),
        |a| Box::new(HelmholtzNd::new(a)),
    )
};

impl Problem for HelmholtzNd {
    point_set_accessors!(SPEC);

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        Some(self.solution_at(&self.points.boundary, eps))
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(at_points(&self.points.boundary, self.points.d, |p| {
            d_eps_sin_over_eps(mean(p), eps)
        }))
    }

    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        f.lap()
            .mul_scalar(eps * eps)
            .add(f.u.clone().div_scalar(self.points.d as f64))
    }

    fn residual_eps(&self, f: &Fields, eps: f64) -> Tensor<1> {
        f.lap().mul_scalar(2.0 * eps)
    }

    fn linearized(&self, _f: &Fields, v: &Fields, eps: f64) -> Tensor<1> {
        v.lap()
            .mul_scalar(eps * eps)
            .add(v.u.clone().div_scalar(self.points.d as f64))
    }

    /// −(ε²/d)Δ_h − I/d on uniform interior nodes of s ∈ [−1, 1] (see the module doc); linear,
    /// so `u` only sets the size, capped at [`MAX_S_NODES`] (a dense matrix per ε).
    fn discrete_operator(&self, u: &[f64], eps: f64) -> Option<DiscreteOperator> {
        let n = u.len().min(MAX_S_NODES);
        let d = self.points.d as f64;
        let h = 2.0 / (n + 1) as f64;
        let k = eps * eps / (d * h * h);
        Some(DiscreteOperator {
            matrix: tridiagonal(n, |_| (-k, 2.0 * k - 1.0 / d, -k)),
            symmetric: true,
            on_residual_points: false,
        })
    }

    fn exact_label(&self) -> &'static str {
        "sin((1/d)Σx/ε)"
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(self.solution_at(points, eps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// d = 20, `n_res` residual, 40 boundary and 50 evaluation points, ε = 0.1.
    fn args(n_res: usize) -> BuildArgs {
        BuildArgs {
            dim: 20,
            seed: 3,
            eps: 0.1,
            ..BuildArgs::grid(n_res, 40, 50)
        }
    }

    #[test]
    fn points_lie_in_the_cube_and_on_its_faces() {
        let p = HelmholtzNd::new(&args(100));
        assert_eq!(p.residual_points().len(), 100 * 20);
        assert!(p.residual_points().iter().all(|x| (-1.0..=1.0).contains(x)));
        for b in p.boundary_points().chunks(20) {
            assert!(b.iter().any(|x| x.abs() == 1.0), "{b:?} is not on a face");
        }
        let s: Vec<f64> = p.eval_points().chunks(20).map(mean).collect();
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn operator_spectrum_is_the_analytic_one_on_the_s_grid() {
        let p = HelmholtzNd::new(&args(60));
        let eps = 0.3;
        let op = p.discrete_operator(&[0.0; 60], eps).unwrap();
        assert!(op.symmetric && !op.on_residual_points);
        let spec = crate::diagnostics::operator::operator_spectrum(&op).unwrap();
        // λ_k = (ε²/d)(4/h²)sin²(kπ/(2(n+1))) − 1/d, k = 1..n.
        let (n, d, h) = (60.0, 20.0, 2.0 / 61.0);
        let lambda = |k: f64| {
            eps * eps / d * 4.0 / (h * h)
                * (k * std::f64::consts::PI / (2.0 * (n + 1.0))).sin().powi(2)
                - 1.0 / d
        };
        assert!((spec.reported() - lambda(n)).abs() < 1e-9 * lambda(n));
        // The paper's 10 000 points do not ask for a 10⁴ × 10⁴ matrix.
        let big = p.discrete_operator(&vec![0.0; 10_000], eps).unwrap();
        assert_eq!(big.matrix.nrows(), MAX_S_NODES);
    }
}
