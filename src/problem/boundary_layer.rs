//! Boundary layer (ISGD paper §4.1): −εy″ + y′ = f_ε on [0, 1], y(0) = y(1) = 0, with the
//! manufactured solution y = (e^{−1/ε} − e^{(x−1)/ε})/(1 − e^{−1/ε}) + sin(πx/2) (written so that
//! nothing overflows at small ε) and f_ε = (π/2)cos(πx/2) + ε(π²/4)sin(πx/2).
//!
//! H(y, ε) = −εy″ + y′ − f_ε, H_ε = −y″ − (π²/4)sin(πx/2), H_u v = −εv″ + v′.

use std::f64::consts::{FRAC_PI_2, PI};

use burn::tensor::Tensor;

use super::points::point_set_accessors;
use super::points1d::Points1d;
use super::{BuildArgs, Fields, Problem, ProblemKind, ProblemSpec};

/// The boundary-layer problem at fixed sampling.
pub struct BoundaryLayer {
    points: Points1d,
    boundary_values: Vec<f64>,
}

impl BoundaryLayer {
    pub fn new(a: &BuildArgs) -> Self {
        let points = Points1d::new(a, 0x5eed_b1a7);
        let boundary_values = vec![0.0; points.boundary.len()];
        Self {
            points,
            boundary_values,
        }
    }

    /// The exact solution, overflow-free for every ε > 0.
    pub fn solution(x: f64, eps: f64) -> f64 {
        let a = (-1.0 / eps).exp();
        (a - ((x - 1.0) / eps).exp()) / (1.0 - a) + (FRAC_PI_2 * x).sin()
    }
}

/// The boundary-layer problem in the registry.
pub const SPEC: ProblemSpec = ProblemSpec::second_order_1d(
    ProblemKind::BoundaryLayer,
    "boundary_layer",
    "Boundary layer −εy″ + y′ = f",
    |a| Box::new(BoundaryLayer::new(a)),
);

impl Problem for BoundaryLayer {
    point_set_accessors!(SPEC);

    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let x = f.coord(0).mul_scalar(FRAC_PI_2);
        let source = x
            .clone()
            .cos()
            .mul_scalar(FRAC_PI_2)
            .add(x.sin().mul_scalar(eps * PI * PI / 4.0));
        f.second(0)
            .mul_scalar(-eps)
            .add(f.du[0].clone())
            .sub(source)
    }

    fn residual_eps(&self, f: &Fields, _eps: f64) -> Tensor<1> {
        let x = f.coord(0).mul_scalar(FRAC_PI_2);
        f.second(0).neg().sub(x.sin().mul_scalar(PI * PI / 4.0))
    }

    fn linearized(&self, _f: &Fields, v: &Fields, eps: f64) -> Tensor<1> {
        v.second(0).mul_scalar(-eps).add(v.du[0].clone())
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(points.iter().map(|&x| Self::solution(x, eps)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_solution_meets_the_boundary_and_does_not_overflow() {
        for eps in [2.0, 0.1, 0.01, 1e-4] {
            assert!(BoundaryLayer::solution(0.0, eps).abs() < 1e-15);
            assert!(BoundaryLayer::solution(1.0, eps).abs() < 1e-15);
            for i in 0..=100 {
                assert!(BoundaryLayer::solution(i as f64 / 100.0, eps).is_finite());
            }
        }
    }

    #[test]
    fn exact_solution_satisfies_the_ode() {
        // −εy″ + y′ − f by centred differences at interior points.
        for eps in [2.0, 0.05] {
            let h = 1e-4;
            for x in [0.1, 0.5, 0.9] {
                let y = |t: f64| BoundaryLayer::solution(t, eps);
                let d1 = (y(x + h) - y(x - h)) / (2.0 * h);
                let d2 = (y(x + h) - 2.0 * y(x) + y(x - h)) / (h * h);
                let f =
                    FRAC_PI_2 * (FRAC_PI_2 * x).cos() + eps * PI * PI / 4.0 * (FRAC_PI_2 * x).sin();
                let r = -eps * d2 + d1 - f;
                assert!(r.abs() < 1e-4 * (1.0 + d2.abs()), "ε = {eps}, x = {x}: {r}");
            }
        }
    }
}
