//! Helmholtz in d dimensions (homotopy paper §5.2, eq. 27): ε²Δu + u/d = 0 on [−1, 1]^d with
//! the exact solution u = sin(s/ε), s = (1/d)Σx_i, and boundary data g = u on the faces (they
//! follow ε along a homotopy). H = ε²Δu + u/d, H_ε = 2εΔu, H_u v = ε²Δv + v/d.
//!
//! Residual points are uniform in the cube, boundary points uniform on its faces, evaluation
//! points uniform in the cube; all are drawn from the seed and sorted by s, the coordinate the
//! plots use (u* depends on x only through s). D_ε (eq. 60) lives on a tensor grid that does not
//! exist in 20 dimensions and is not reported.

use burn::tensor::Tensor;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Fields, Problem, ProblemKind};
use crate::net::DerivOrder;

/// The d-dimensional Helmholtz problem at fixed sampling.
pub struct HelmholtzNd {
    d: usize,
    residual_points: Vec<f64>,
    boundary_points: Vec<f64>,
    boundary_values: Vec<f64>,
    eval_points: Vec<f64>,
}

/// `n` points of dimension `d` from `draw`, sorted by their mean coordinate.
pub(super) fn sorted_points(n: usize, d: usize, mut draw: impl FnMut() -> Vec<f64>) -> Vec<f64> {
    let mut pts: Vec<Vec<f64>> = (0..n).map(|_| draw()).collect();
    pts.sort_by(|a, b| mean(a).total_cmp(&mean(b)));
    let flat: Vec<f64> = pts.into_iter().flatten().collect();
    debug_assert_eq!(flat.len(), n * d);
    flat
}

fn mean(p: &[f64]) -> f64 {
    p.iter().sum::<f64>() / p.len() as f64
}

impl HelmholtzNd {
    pub fn new(
        d: usize,
        n_res: usize,
        n_bc: usize,
        n_eval: usize,
        seed: u64,
        eps_target: f64,
    ) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_4e11);
        let cube = |rng: &mut ChaCha8Rng| -> Vec<f64> {
            (0..d).map(|_| rng.random_range(-1.0..=1.0)).collect()
        };
        let residual_points = sorted_points(n_res, d, || cube(&mut rng));
        let boundary_points = sorted_points(n_bc, d, || {
            let mut p = cube(&mut rng);
            let face = rng.random_range(0..d);
            p[face] = if rng.random::<bool>() { 1.0 } else { -1.0 };
            p
        });
        let eval_points = sorted_points(n_eval, d, || cube(&mut rng));
        let mut this = Self {
            d,
            residual_points,
            boundary_points,
            boundary_values: Vec::new(),
            eval_points,
        };
        this.boundary_values = this.solution_at(&this.boundary_points, eps_target);
        this
    }

    /// u* = sin(s/ε) at n × d points.
    fn solution_at(&self, points: &[f64], eps: f64) -> Vec<f64> {
        points
            .chunks(self.d)
            .map(|p| (mean(p) / eps).sin())
            .collect()
    }
}

impl Problem for HelmholtzNd {
    fn kind(&self) -> ProblemKind {
        ProblemKind::Helmholtz
    }

    fn dim(&self) -> usize {
        self.d
    }

    fn order(&self) -> DerivOrder {
        DerivOrder::Laplacian
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
        Some(self.solution_at(&self.boundary_points, eps))
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(
            self.boundary_points
                .chunks(self.d)
                .map(|p| {
                    let s = mean(p);
                    -(s / (eps * eps)) * (s / eps).cos()
                })
                .collect(),
        )
    }

    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        f.second(0)
            .mul_scalar(eps * eps)
            .add(f.u.clone().div_scalar(self.d as f64))
    }

    fn residual_eps(&self, f: &Fields, eps: f64) -> Tensor<1> {
        f.second(0).mul_scalar(2.0 * eps)
    }

    fn linearized(&self, _f: &Fields, v: &Fields, eps: f64) -> Tensor<1> {
        v.second(0)
            .mul_scalar(eps * eps)
            .add(v.u.clone().div_scalar(self.d as f64))
    }

    fn eval_points(&self) -> &[f64] {
        &self.eval_points
    }

    fn exact_label(&self) -> &'static str {
        "sin((1/d)Σx/ε)"
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(self.solution_at(points, eps))
    }

    /// s = (1/d)Σx_i: the exact solution is a function of s alone.
    fn plot_coordinate(&self, point: &[f64]) -> f64 {
        mean(point)
    }

    fn plot_label(&self) -> &'static str {
        "s = (1/d)Σxᵢ"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_lie_in_the_cube_and_on_its_faces() {
        let p = HelmholtzNd::new(20, 100, 40, 50, 3, 0.1);
        assert_eq!(p.residual_points().len(), 100 * 20);
        assert!(p.residual_points().iter().all(|x| (-1.0..=1.0).contains(x)));
        for b in p.boundary_points().chunks(20) {
            assert!(b.iter().any(|x| x.abs() == 1.0), "{b:?} is not on a face");
        }
        let s: Vec<f64> = p.eval_points().chunks(20).map(mean).collect();
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
    }
}
