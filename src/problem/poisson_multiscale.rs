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

use super::points1d::{Points1d, points1d_accessors};
use super::{Fields, Problem, ProblemKind, ProblemSpec, Sampling};

/// Amplitude of the fine scale.
const FINE: f64 = 0.1;

/// The multiscale Poisson problem at fixed sampling.
pub struct PoissonMultiscale1d {
    points: Points1d,
    boundary_values: Vec<f64>,
}

impl PoissonMultiscale1d {
    pub fn new(
        n_res: usize,
        n_bc: usize,
        n_eval: usize,
        sampling: Sampling,
        seed: u64,
        eps_target: f64,
    ) -> Self {
        let points = Points1d::new(n_res, n_bc, n_eval, sampling, seed, 0x5eed_9015);
        let boundary_values = points
            .boundary
            .iter()
            .map(|&x| Self::solution(x, eps_target))
            .collect();
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
    |a| {
        Box::new(PoissonMultiscale1d::new(
            a.n_res, a.n_bc, a.n_eval, a.sampling, a.seed, a.eps,
        ))
    },
);

impl Problem for PoissonMultiscale1d {
    points1d_accessors!();

    fn kind(&self) -> ProblemKind {
        ProblemKind::PoissonMultiscale1d
    }

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        self.exact_at(&self.points.boundary, eps)
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(
            self.points
                .boundary
                .iter()
                .map(|&x| -FINE * (PI * x / (eps * eps)) * (PI * x / eps).cos())
                .collect(),
        )
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
