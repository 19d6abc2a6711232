//! High-frequency fit on [0, 1] (homotopy paper, App. B.5): H(u, ε) = u − sin(πx/ε), so
//! H_ε = (πx/ε²)cos(πx/ε) and H_u v = v; the exact solution is sin(πx/ε).
//!
//! The boundary points x = 0, 1 carry the same data sin(πx/ε), which follow ε along a homotopy.

use std::f64::consts::PI;

use burn::tensor::Tensor;

use super::points1d::{Points1d, points1d_accessors};
use super::{Fields, Problem, ProblemKind, Sampling};
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

impl Problem for HighFrequencyFit {
    points1d_accessors!();

    fn kind(&self) -> ProblemKind {
        ProblemKind::HighFrequencyFit
    }

    fn order(&self) -> DerivOrder {
        DerivOrder::Value
    }

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        self.exact_at(&self.points.boundary, eps)
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(
            self.points
                .boundary
                .iter()
                .map(|&x| -(PI * x / (eps * eps)) * (PI * x / eps).cos())
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
/// (125 = 5³ in the paper), or uniform random; boundary points uniform on the faces; evaluation
/// points uniform in the cube. All are sorted by S, on which the target depends, and plotted
/// against s = S/d.
pub struct HighFrequencyFitNd {
    d: usize,
    residual_points: Vec<f64>,
    boundary_points: Vec<f64>,
    boundary_values: Vec<f64>,
    eval_points: Vec<f64>,
}

/// The side m of an m^d grid of `n` points, if there is one.
pub fn grid_side(n: usize, d: usize) -> Option<usize> {
    let m = (n as f64).powf(1.0 / d as f64).round() as usize;
    (m >= 2 && m.checked_pow(d as u32) == Some(n)).then_some(m)
}

impl HighFrequencyFitNd {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        d: usize,
        n_res: usize,
        n_bc: usize,
        n_eval: usize,
        sampling: Sampling,
        seed: u64,
        eps_target: f64,
    ) -> Self {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_f17d);
        let cube = |rng: &mut rand_chacha::ChaCha8Rng| -> Vec<f64> {
            (0..d).map(|_| rng.random::<f64>()).collect()
        };
        let residual_points = match (sampling, grid_side(n_res, d)) {
            (Sampling::Grid, Some(m)) => super::helmholtz::sorted_points(n_res, d, {
                let mut k = 0usize;
                move || {
                    let mut idx = k;
                    k += 1;
                    (0..d)
                        .map(|_| {
                            let i = idx % m;
                            idx /= m;
                            i as f64 / (m - 1) as f64
                        })
                        .collect()
                }
            }),
            _ => super::helmholtz::sorted_points(n_res, d, || cube(&mut rng)),
        };
        let boundary_points = super::helmholtz::sorted_points(n_bc, d, || {
            let mut p = cube(&mut rng);
            let face = rng.random_range(0..d);
            p[face] = if rng.random::<bool>() { 1.0 } else { 0.0 };
            p
        });
        let eval_points = super::helmholtz::sorted_points(n_eval, d, || cube(&mut rng));
        let mut this = Self {
            d,
            residual_points,
            boundary_points,
            boundary_values: Vec::new(),
            eval_points,
        };
        this.boundary_values = this.target_at(&this.boundary_points, eps_target);
        this
    }

    fn target_at(&self, points: &[f64], eps: f64) -> Vec<f64> {
        points
            .chunks(self.d)
            .map(|p| (PI * p.iter().sum::<f64>() / eps).sin())
            .collect()
    }

    /// S = Σxⱼ of the fields' points.
    fn sum(&self, f: &Fields) -> Tensor<1> {
        (1..self.d).fold(f.coord(0), |s, j| s.add(f.coord(j)))
    }
}

impl Problem for HighFrequencyFitNd {
    fn kind(&self) -> ProblemKind {
        ProblemKind::HighFrequencyFit
    }

    fn dim(&self) -> usize {
        self.d
    }

    fn order(&self) -> DerivOrder {
        DerivOrder::Value
    }

    fn residual_points(&self) -> &[f64] {
        &self.residual_points
    }

    fn boundary_points(&self) -> &[f64] {
        &self.boundary_points
    }

    fn boundary_values(&self) -> &[f64] {
        &self.boundary_values
    }

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        Some(self.target_at(&self.boundary_points, eps))
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(
            self.boundary_points
                .chunks(self.d)
                .map(|p| {
                    let s: f64 = p.iter().sum();
                    -(PI * s / (eps * eps)) * (PI * s / eps).cos()
                })
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

    fn eval_points(&self) -> &[f64] {
        &self.eval_points
    }

    fn exact_label(&self) -> &'static str {
        "sin(πΣxⱼ/ε)"
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(self.target_at(points, eps))
    }

    /// s = (1/d)Σxⱼ: the target is a function of s alone.
    fn plot_coordinate(&self, point: &[f64]) -> f64 {
        point.iter().sum::<f64>() / self.d as f64
    }

    fn plot_label(&self) -> &'static str {
        "s = (1/d)Σxⱼ"
    }
}
