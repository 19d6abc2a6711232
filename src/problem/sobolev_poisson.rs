//! The HRTA paper's PDE example (§4.2, App. C, Example 3): the Neumann Poisson problem
//! −Δu = π²(cos πx₁ + cos πx₂) on [0, 1]², ∂u/∂ν = 0, u* = cos πx₁ + cos πx₂, solved as the
//! paper trains it, by Sobolev (H¹) training: the loss (1/2n)Σ[|u − u*|² + |∇u − ∇u*|²]
//! (eq. 51, whose 1/800 at n = 400 is this 1/2n). The residual therefore stacks three rows per
//! point — u − u*, ∂₁u − ∂₁u*, ∂₂u − ∂₂u* (all value rows first) — so Jacobian-based methods
//! (LM, Euler steps, kernel spectra) do not apply; first-order optimizers and HRTA do.
//!
//! There is no ε: H_ε = 0. The boundary points carry u* and are weighted by `bc_weight`
//! (0 in the presets: the Neumann problem has no boundary term).

use std::f64::consts::PI;

use burn::tensor::Tensor;

use super::points::point_set_accessors;
use super::points2d::Points2d;
use super::{BuildArgs, Dims, Fields, Problem, ProblemKind, ProblemSpec};
use crate::net::DerivOrder;

/// The Sobolev fit of the Neumann Poisson solution at fixed sampling.
pub struct SobolevPoisson2d {
    points: Points2d,
    boundary_values: Vec<f64>,
}

/// u* = cos πx₁ + cos πx₂ at one point.
fn solution(x: f64, y: f64) -> f64 {
    (PI * x).cos() + (PI * y).cos()
}

impl SobolevPoisson2d {
    pub fn new(a: &BuildArgs) -> Self {
        let points = Points2d::new((0.0, 1.0), a, 0x5eed_50b0);
        let boundary_values = points
            .boundary
            .chunks(2)
            .map(|p| solution(p[0], p[1]))
            .collect();
        Self {
            points,
            boundary_values,
        }
    }
}

/// The HRTA paper's Neumann Poisson problem in the registry: value and gradient rows.
pub const SPEC: ProblemSpec = ProblemSpec {
    residual_rows_per_point: 3,
    ..ProblemSpec::new(
        ProblemKind::SobolevPoisson2d,
        "sobolev_poisson_2d",
        "Neumann Poisson 2D, Sobolev training (HRTA)",
        DerivOrder::First,
        Dims::Fixed(2),
        |a| Box::new(SobolevPoisson2d::new(a)),
    )
};

impl Problem for SobolevPoisson2d {
    point_set_accessors!(SPEC);

    /// [u − u*; ∂₁u − ∂₁u*; ∂₂u − ∂₂u*] (3n rows).
    fn residual(&self, f: &Fields, _eps: f64) -> Tensor<1> {
        let (x, y) = (f.coord(0).mul_scalar(PI), f.coord(1).mul_scalar(PI));
        let value = f.u.clone().sub(x.clone().cos().add(y.clone().cos()));
        let dx = f.du[0].clone().add(x.sin().mul_scalar(PI));
        let dy = f.du[1].clone().add(y.sin().mul_scalar(PI));
        Tensor::cat(vec![value, dx, dy], 0)
    }

    fn residual_eps(&self, f: &Fields, _eps: f64) -> Tensor<1> {
        Tensor::cat(vec![f.u.zeros_like(); 3], 0)
    }

    fn linearized(&self, _f: &Fields, v: &Fields, _eps: f64) -> Tensor<1> {
        Tensor::cat(vec![v.u.clone(), v.du[0].clone(), v.du[1].clone()], 0)
    }

    fn exact_label(&self) -> &'static str {
        "cos πx₁ + cos πx₂"
    }

    fn exact_at(&self, points: &[f64], _eps: f64) -> Option<Vec<f64>> {
        Some(points.chunks(2).map(|p| solution(p[0], p[1])).collect())
    }
}
