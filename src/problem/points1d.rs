//! Point sets of the 1D problems on [0, 1]: residual points (uniform grid x_i = i/(n+1) or
//! seeded uniform random), boundary points split between x = 0 and x = 1, and the uniform
//! evaluation grid with both ends; plus the three-point stencils their discrete operators use.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::points::{PointSet, point_set_fields};
use super::{BuildArgs, Sampling};

/// The points of a 1D problem on [0, 1].
#[derive(Clone, Debug)]
pub struct Points1d {
    pub residual: Vec<f64>,
    pub boundary: Vec<f64>,
    pub eval: Vec<f64>,
    /// Whether the residual points are the uniform grid (discrete operators live on it).
    pub uniform_grid: bool,
}

impl Points1d {
    /// `n_res` residual points, `n_bc` boundary points (half at each end), `n_eval` evaluation
    /// points; `salt` keeps random residual points of different problems apart.
    pub fn new(a: &BuildArgs, salt: u64) -> Self {
        let BuildArgs {
            n_res,
            n_bc,
            n_eval,
            sampling,
            seed,
            ..
        } = *a;
        let residual = match sampling {
            Sampling::Grid => (1..=n_res).map(|i| i as f64 / (n_res + 1) as f64).collect(),
            Sampling::Random => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ salt);
                let mut x: Vec<f64> = (0..n_res).map(|_| rng.random::<f64>()).collect();
                x.sort_by(f64::total_cmp);
                x
            }
        };
        let half = n_bc / 2;
        let mut boundary = vec![0.0; half];
        boundary.extend(std::iter::repeat_n(1.0, n_bc - half));
        let eval = (0..n_eval)
            .map(|i| i as f64 / (n_eval - 1) as f64)
            .collect();
        Self {
            residual,
            boundary,
            eval,
            uniform_grid: sampling == Sampling::Grid,
        }
    }
}

impl PointSet for Points1d {
    fn dim(&self) -> usize {
        1
    }
    point_set_fields!();
}

/// The n × n tridiagonal matrix with rows (lower_i, diag_i, upper_i): a three-point operator
/// on the interior grid with zero Dirichlet data.
pub fn tridiagonal(n: usize, row: impl Fn(usize) -> (f64, f64, f64)) -> faer::Mat<f64> {
    let rows: Vec<(f64, f64, f64)> = (0..n).map(row).collect();
    faer::Mat::from_fn(n, n, |i, j| {
        if i == j {
            rows[i].1
        } else if j + 1 == i {
            rows[i].0
        } else if i + 1 == j {
            rows[i].2
        } else {
            0.0
        }
    })
}

/// Linear interpolation of nodal values `u` on the uniform grid of [0, 1] (both ends
/// included) at the points `x`.
pub fn interpolate_uniform(u: &[f64], x: &[f64]) -> Vec<f64> {
    let m = u.len() - 1;
    x.iter()
        .map(|&xi| {
            let t = (xi.clamp(0.0, 1.0) * m as f64).min(m as f64);
            let i = (t.floor() as usize).min(m - 1);
            let w = t - i as f64;
            u[i] * (1.0 - w) + u[i + 1] * w
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_and_boundary_follow_the_convention() {
        let p = Points1d::new(&BuildArgs::grid(4, 2, 5), 1);
        assert_eq!(p.residual, vec![0.2, 0.4, 0.6, 0.8]);
        assert_eq!(p.boundary, vec![0.0, 1.0]);
        assert_eq!(p.eval, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let r = Points1d::new(
            &BuildArgs {
                sampling: Sampling::Random,
                seed: 3,
                ..BuildArgs::grid(50, 2, 5)
            },
            1,
        );
        assert!(r.residual.windows(2).all(|w| w[0] <= w[1]));
        assert!(!r.uniform_grid);
    }

    #[test]
    fn interpolation_is_exact_for_linear_data() {
        let u: Vec<f64> = (0..=10).map(|i| 2.0 * i as f64 / 10.0 + 1.0).collect();
        let v = interpolate_uniform(&u, &[0.0, 0.33, 0.5, 1.0]);
        for (x, y) in [0.0, 0.33, 0.5, 1.0].iter().zip(v) {
            assert!((y - (2.0 * x + 1.0)).abs() < 1e-14);
        }
    }
}
