//! High-frequency fit on [0, 1] (homotopy paper, App. B.5): H(u, ε) = u − sin(πx/ε), so
//! H_ε = (πx/ε²)cos(πx/ε) and H_u v = v; the exact solution is sin(πx/ε).
//!
//! The boundary points x = 0, 1 carry the same data sin(πx/ε), which follow ε along a homotopy.

use std::f64::consts::PI;

use burn::tensor::Tensor;

use super::points_nd::{PointsNd, grid_side, points_nd_accessors};
use super::points1d::{Points1d, points1d_accessors};
use super::{Dims, Fields, Problem, ProblemKind, ProblemSpec, Sampling, d_eps_sin_over_eps};
use crate::net::DerivOrder;

/// The high-frequency fit at fixed sampling.
pub struct HighFrequencyFit {
    points: Points1d,
    boundary_values: Vec<f64>,
}

impl HighFrequencyFit {
    pub fn new(
        n_res: usize,
        n_bc: usize,
        n_eval: usize,
        sampling: Sampling,
        seed: u64,
        eps_target: f64,
    ) -> Self {
        let points = Points1d::new(n_res, n_bc, n_eval, sampling, seed, 0x5eed_0f17);
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

    /// sin(πx/ε).
    pub fn solution(x: f64, eps: f64) -> f64 {
        (PI * x / eps).sin()
    }
}

/// The high-frequency fit in the registry: sin(πx/ε) in 1D, sin(πΣxⱼ/ε) in 2 or 3 dimensions.
pub const SPEC: ProblemSpec = ProblemSpec {
    kind: ProblemKind::HighFrequencyFit,
    id: "high_frequency_fit",
    label: "High-frequency fit sin(πx/ε)",
    order: DerivOrder::Value,
    residual_rows_per_point: 1,
    dims: Dims::UpTo(3),
    paths: &[],
    tensor_grid: true,
    build: |a| {
        if a.dim > 1 {
            Box::new(HighFrequencyFitNd::new(
                a.dim, a.n_res, a.n_bc, a.n_eval, a.sampling, a.seed, a.eps,
            ))
        } else {
            Box::new(HighFrequencyFit::new(
                a.n_res, a.n_bc, a.n_eval, a.sampling, a.seed, a.eps,
            ))
        }
    },
};

impl Problem for HighFrequencyFit {
    points1d_accessors!();

    fn kind(&self) -> ProblemKind {
        ProblemKind::HighFrequencyFit
    }

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        self.exact_at(&self.points.boundary, eps)
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(
            self.points
                .boundary
                .iter()
                .map(|&x| d_eps_sin_over_eps(PI * x, eps))
                .collect(),
        )
    }

    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        f.u.clone().sub(f.coord(0).mul_scalar(PI / eps).sin())
    }

    fn residual_eps(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let x = f.coord(0);
        x.clone()
            .mul_scalar(PI / eps)
            .cos()
            .mul(x)
            .mul_scalar(PI / (eps * eps))
    }

    fn linearized(&self, _f: &Fields, v: &Fields, _eps: f64) -> Tensor<1> {
        v.u.clone()
    }

    fn exact_label(&self) -> &'static str {
        "sin(πx/ε)"
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(points.iter().map(|&x| Self::solution(x, eps)).collect())
    }
}

/// The same fit in d ≥ 2 dimensions (HRTA paper §4.1, d = 3): H = u − sin(π Σxⱼ/ε) on [0, 1]^d,
/// H_ε = (πS/ε²)cos(πS/ε) with S = Σxⱼ. Residual points: the m^d grid with both ends on every axis
/// (125 = 5³ in the paper), or uniform random ([`PointsNd`]); plotted against s = S/d.
pub struct HighFrequencyFitNd {
    points: PointsNd,
    boundary_values: Vec<f64>,
}

impl HighFrequencyFitNd {
    pub fn new(
        d: usize,
        n_res: usize,
        n_bc: usize,
        n_eval: usize,
        sampling: Sampling,
        seed: u64,
        eps_target: f64,
    ) -> Self {
        let grid = grid_side(n_res, d).filter(|_| sampling == Sampling::Grid);
        let points = PointsNd::new(d, (0.0, 1.0), n_res, n_bc, n_eval, grid, seed, 0x5eed_f17d);
        let mut this = Self {
            points,
            boundary_values: Vec::new(),
        };
        this.boundary_values = this.target_at(&this.points.boundary, eps_target);
        this
    }

    fn target_at(&self, points: &[f64], eps: f64) -> Vec<f64> {
        points
            .chunks(self.points.d)
            .map(|p| (PI * p.iter().sum::<f64>() / eps).sin())
            .collect()
    }

    /// S = Σxⱼ of the fields' points.
    fn sum(&self, f: &Fields) -> Tensor<1> {
        (1..self.points.d).fold(f.coord(0), |s, j| s.add(f.coord(j)))
    }
}

impl Problem for HighFrequencyFitNd {
    points_nd_accessors!();

    fn kind(&self) -> ProblemKind {
        ProblemKind::HighFrequencyFit
    }

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        Some(self.target_at(&self.points.boundary, eps))
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(
            self.points
                .boundary
                .chunks(self.points.d)
                .map(|p| d_eps_sin_over_eps(PI * p.iter().sum::<f64>(), eps))
                .collect(),
        )
    }

    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        f.u.clone().sub(self.sum(f).mul_scalar(PI / eps).sin())
    }

    fn residual_eps(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let s = self.sum(f);
        s.clone()
            .mul_scalar(PI / eps)
            .cos()
            .mul(s)
            .mul_scalar(PI / (eps * eps))
    }

    fn linearized(&self, _f: &Fields, v: &Fields, _eps: f64) -> Tensor<1> {
        v.u.clone()
    }

    fn exact_label(&self) -> &'static str {
        "sin(πΣxⱼ/ε)"
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(self.target_at(points, eps))
    }
}
