//! Point sets of the 2D problems on a square [lo, hi]²: residual points (an m × m interior grid
//! or seeded uniform random), boundary points evenly spaced along the perimeter, and an
//! evaluation grid with the boundary that the heat maps draw (x fastest).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::points::{PointSet, point_set_fields};
use super::points_nd::grid_side;
use super::{BuildArgs, Grid2d, Sampling};

/// `n` seeded uniform points of [lo, hi)² (n × 2).
fn uniform_square(lo: f64, hi: f64, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..2 * n)
        .map(|_| lo + (hi - lo) * rng.random::<f64>())
        .collect()
}

/// The points of a 2D problem, each set n × 2 row-major.
#[derive(Clone, Debug)]
pub struct Points2d {
    pub lo: f64,
    pub hi: f64,
    pub residual: Vec<f64>,
    pub boundary: Vec<f64>,
    pub eval: Vec<f64>,
    /// Side of the evaluation grid (`eval` holds side² points, x fastest).
    pub eval_side: usize,
    /// Side of the residual grid, when the residual points are one (x fastest).
    pub residual_side: Option<usize>,
}

impl Points2d {
    /// `n_res` residual points (a square number for the grid: the interior nodes
    /// lo + (hi − lo)·i/(m + 1)), `n_bc` boundary points evenly spaced along the perimeter from
    /// the corner (lo, lo), and the largest square evaluation grid with at most `n_eval` points
    /// (at least 3 × 3, boundary included); `salt` keeps random points of different problems
    /// apart.
    pub fn new((lo, hi): (f64, f64), a: &BuildArgs, salt: u64) -> Self {
        let (n_res, n_bc, n_eval, seed) = (a.n_res, a.n_bc, a.n_eval, a.seed);
        let len = hi - lo;
        let sampling = a.sampling;
        let residual_side = grid_side(n_res, 2).filter(|_| sampling == Sampling::Grid);
        let residual = match residual_side {
            Some(m) => {
                let node = |i: usize| lo + len * (i + 1) as f64 / (m + 1) as f64;
                (0..m * m)
                    .flat_map(|k| [node(k % m), node(k / m)])
                    .collect()
            }
            // Config validation asks for a square count on the grid; a non-square count is
            // drawn at random rather than silently changed.
            None => uniform_square(lo, hi, n_res, seed ^ salt),
        };
        let boundary = (0..n_bc)
            .flat_map(|k| {
                let t = 4.0 * k as f64 / n_bc as f64;
                let (side, f) = (t.floor() as usize, t.fract());
                let along = lo + len * f;
                match side {
                    0 => [along, lo],
                    1 => [hi, along],
                    2 => [hi - len * f, hi],
                    _ => [lo, hi - len * f],
                }
            })
            .collect();
        let eval_side = ((n_eval as f64).sqrt().floor() as usize).max(3);
        let node = |i: usize| lo + len * i as f64 / (eval_side - 1) as f64;
        let eval = (0..eval_side * eval_side)
            .flat_map(|k| [node(k % eval_side), node(k / eval_side)])
            .collect();
        Self {
            lo,
            hi,
            residual,
            boundary,
            eval,
            eval_side,
            residual_side,
        }
    }

    /// `n` seeded uniform random points of the open square (n × 2).
    pub fn random_interior(&self, n: usize, seed: u64) -> Vec<f64> {
        uniform_square(self.lo, self.hi, n, seed)
    }

    /// These points with `added` (n × 2) appended to the residual points; a residual grid
    /// stays the first m² of them.
    pub fn with_residual(&self, added: &[f64]) -> Self {
        let mut p = self.clone();
        p.residual.extend_from_slice(added);
        p
    }

    /// The residual grid as a [`super::Grid2d`], when the residual points form one (its nodes
    /// are the first m² residual points).
    pub fn residual_grid(&self) -> Option<super::Grid2d> {
        let m = self.residual_side?;
        let h = (self.hi - self.lo) / (m + 1) as f64;
        let range = (self.lo + h, self.hi - h);
        Some(super::Grid2d {
            nx: m,
            ny: m,
            x: range,
            y: range,
        })
    }
}

impl PointSet for Points2d {
    fn dim(&self) -> usize {
        2
    }
    point_set_fields!();
    fn eval_grid(&self) -> Option<Grid2d> {
        Some(Grid2d {
            nx: self.eval_side,
            ny: self.eval_side,
            x: (self.lo, self.hi),
            y: (self.lo, self.hi),
        })
    }
    fn residual_grid(&self) -> Option<Grid2d> {
        Points2d::residual_grid(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_boundary_and_eval_points_cover_the_square() {
        let p = Points2d::new((-1.0, 1.0), &BuildArgs::grid(2500, 198, 10_201), 1);
        assert_eq!(p.residual.len(), 5000);
        assert!(p.residual.iter().all(|v| v.abs() < 1.0));
        assert!((p.residual[0] - (-1.0 + 2.0 / 51.0)).abs() < 1e-15);
        assert_eq!(p.boundary.len(), 396);
        for b in p.boundary.chunks(2) {
            assert!(
                b.iter().any(|v| (v.abs() - 1.0).abs() < 1e-15),
                "{b:?} is not on the boundary"
            );
        }
        // Evenly spaced: each side gets a quarter of the points.
        let bottom = p.boundary.chunks(2).filter(|b| b[1] == -1.0).count();
        assert!((49..=51).contains(&bottom), "{bottom}");
        assert_eq!(p.eval_side, 101);
        assert_eq!(&p.eval[..2], &[-1.0, -1.0]);
        assert_eq!(&p.eval[p.eval.len() - 2..], &[1.0, 1.0]);
        assert_eq!(grid_side(2500, 2), Some(50));
        assert_eq!(grid_side(2501, 2), None);
    }
}
