//! High-frequency fit (homotopy paper, App. B.5; HRTA paper §4.1 in d = 3): on [0, 1]^d,
//! H(u, ε) = u − sin(πS/ε) with S = Σxⱼ, so H_ε = (πS/ε²)cos(πS/ε) and H_u v = v; the exact
//! solution is sin(πS/ε) (sin(πx/ε) in 1D).
//!
//! The boundary points carry the same data sin(πS/ε), which follow ε along a homotopy. In 1D
//! the points are [`Points1d`]'s (boundary x = 0, 1); in d ≥ 2 the residual points are the m^d
//! grid with both ends on every axis (125 = 5³ in the paper) or uniform random ([`PointsNd`]),
//! plotted against s = S/d.

use std::f64::consts::PI;

use burn::tensor::Tensor;

use super::points::point_set_accessors;
use super::points_nd::{PointsNd, grid_side};
use super::points1d::Points1d;
use super::{
    BuildArgs, Dims, Fields, Problem, ProblemKind, ProblemSpec, Sampling, at_points,
    d_eps_sin_over_eps,
};
use crate::net::DerivOrder;

/// The high-frequency fit at fixed sampling, in any dimension.
pub struct HighFrequencyFit {
    points: PointsNd,
    boundary_values: Vec<f64>,
}

impl HighFrequencyFit {
    /// In d = `a.dim`, boundary data at ε = `a.eps`.
    pub fn new(a: &BuildArgs) -> Self {
        let points = if a.dim == 1 {
            let line = Points1d::new(a, 0x5eed_0f17);
            PointsNd {
                d: 1,
                residual: line.residual,
                boundary: line.boundary,
                eval: line.eval,
            }
        } else {
            let grid = grid_side(a.n_res, a.dim).filter(|_| a.sampling == Sampling::Grid);
            PointsNd::new(a, (0.0, 1.0), grid, 0x5eed_f17d)
        };
        let boundary_values = Self::target_at(&points.boundary, points.d, a.eps);
        Self {
            points,
            boundary_values,
        }
    }

    /// sin(πS/ε) at n × d points.
    fn target_at(points: &[f64], d: usize, eps: f64) -> Vec<f64> {
        at_points(points, d, |p| (PI * p.iter().sum::<f64>() / eps).sin())
    }

    /// S = Σxⱼ of the fields' points.
    fn sum(&self, f: &Fields) -> Tensor<1> {
        (1..self.points.d).fold(f.coord(0), |s, j| s.add(f.coord(j)))
    }
}

/// The high-frequency fit in the registry: sin(πx/ε) in 1D, sin(πΣxⱼ/ε) in 2 or 3 dimensions.
pub const SPEC: ProblemSpec = ProblemSpec::new(
    ProblemKind::HighFrequencyFit,
    "high_frequency_fit",
    "High-frequency fit sin(πx/ε)",
    DerivOrder::Value,
    Dims::UpTo(3),
    |a| Box::new(HighFrequencyFit::new(a)),
);

impl Problem for HighFrequencyFit {
    point_set_accessors!(SPEC);

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        Some(Self::target_at(&self.points.boundary, self.points.d, eps))
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(at_points(&self.points.boundary, self.points.d, |p| {
            d_eps_sin_over_eps(PI * p.iter().sum::<f64>(), eps)
        }))
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
        if self.points.d == 1 {
            "sin(πx/ε)"
        } else {
            "sin(πΣxⱼ/ε)"
        }
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(Self::target_at(points, self.points.d, eps))
    }
}
