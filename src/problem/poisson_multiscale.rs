//! Multiscale Poisson on [0, 1] (ISGD paper §2.2): −u″ = f_ε with
//! u_ε = sin(2πx) + 0.1 sin(πx/ε); the paper's problem is ε = 1/50 (sin(2πx) + 0.1 sin(50πx)),
//! and larger ε give the homotopy a smoother start.
//!
//! H(u, ε) = u″ + f_ε with f_ε = 4π² sin(2πx) + 0.1(π/ε)² sin(πx/ε),
//! H_ε = −(0.1π²/ε³)(2 sin(πx/ε) + (πx/ε)cos(πx/ε)), H_u v = v″. The boundary data u_ε(0),
//! u_ε(1) follow ε along a homotopy.
//! D_ε = −Δ_h does not depend on ε and is not reported.

use std::f64::consts::PI;

use burn::tensor::Tensor;

use super::points::point_set_accessors;
use super::points1d::Points1d;
use super::{BuildArgs, Fields, Problem, ProblemKind, ProblemSpec, at_points};

/// Amplitude of the fine scale.
const FINE: f64 = 0.1;

/// The multiscale Poisson problem at fixed sampling.
pub struct PoissonMultiscale1d {
    points: Points1d,
    boundary_values: Vec<f64>,
}

impl PoissonMultiscale1d {
    /// Boundary data u_ε at ε = `a.eps`.
    pub fn new(a: &BuildArgs) -> Self {
        let points = Points1d::new(a, 0x5eed_9015);
        let boundary_values = at_points(&points.boundary, 1, |x| Self::solution(x[0], a.eps));
        Self {
            points,
            boundary_values,
        }
    }

    /// sin(2πx) + 0.1 sin(πx/ε).
    pub fn solution(x: f64, eps: f64) -> f64 {
        (2.0 * PI * x).sin() + FINE * (PI * x / eps).sin()
    }
}

/// 1D multiscale Poisson in the registry.
pub const SPEC: ProblemSpec = ProblemSpec::second_order_1d(
    ProblemKind::PoissonMultiscale1d,
    "poisson_multiscale_1d",
    "Multiscale Poisson 1D",
    |a| Box::new(PoissonMultiscale1d::new(a)),
);

impl Problem for PoissonMultiscale1d {
    point_set_accessors!(SPEC);

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        self.exact_at(&self.points.boundary, eps)
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(at_points(&self.points.boundary, 1, |x| {
            -FINE * (PI * x[0] / (eps * eps)) * (PI * x[0] / eps).cos()
        }))
    }

    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let x = f.coord(0);
        let coarse = x
            .clone()
            .mul_scalar(2.0 * PI)
            .sin()
            .mul_scalar(4.0 * PI * PI);
        let k = PI / eps;
        let fine = x.mul_scalar(k).sin().mul_scalar(FINE * k * k);
        f.second(0).add(coarse).add(fine)
    }

    fn residual_eps(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let phase = f.coord(0).mul_scalar(PI / eps);
        phase
            .clone()
            .sin()
            .mul_scalar(2.0)
            .add(phase.clone().cos().mul(phase))
            .mul_scalar(-FINE * PI * PI / eps.powi(3))
    }

    fn linearized(&self, _f: &Fields, v: &Fields, _eps: f64) -> Tensor<1> {
        v.second(0)
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(points.iter().map(|&x| Self::solution(x, eps)).collect())
    }
}
