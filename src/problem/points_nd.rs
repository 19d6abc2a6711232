//! Point sets of the d-dimensional problems on a cube [lo, hi]^d: residual points (uniform
//! random, or the m^d grid with both ends on every axis), boundary points uniform on the faces,
//! evaluation points uniform in the cube — each set sorted by the mean coordinate
//! s = (1/d)Σxᵢ, the coordinate their plots use.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::BuildArgs;
use super::points::{PointSet, point_set_fields};

/// The points of a d-dimensional problem, each set n × d row-major.
#[derive(Clone, Debug)]
pub struct PointsNd {
    pub d: usize,
    pub residual: Vec<f64>,
    pub boundary: Vec<f64>,
    pub eval: Vec<f64>,
}

/// The side m ≥ 2 of an m^d grid of `n` points, if there is one.
pub fn grid_side(n: usize, d: usize) -> Option<usize> {
    let m = (n as f64).powf(1.0 / d as f64).round() as usize;
    (m >= 2 && m.checked_pow(d as u32) == Some(n)).then_some(m)
}

/// s = (1/d)Σxᵢ.
pub fn mean(p: &[f64]) -> f64 {
    p.iter().sum::<f64>() / p.len() as f64
}

/// `n` points of dimension `d` from `draw`, sorted by their mean coordinate.
fn sorted_points(n: usize, d: usize, mut draw: impl FnMut() -> Vec<f64>) -> Vec<f64> {
    let mut pts: Vec<Vec<f64>> = (0..n).map(|_| draw()).collect();
    pts.sort_by(|a, b| mean(a).total_cmp(&mean(b)));
    let flat: Vec<f64> = pts.into_iter().flatten().collect();
    debug_assert_eq!(flat.len(), n * d);
    flat
}

impl PointsNd {
    /// `grid`: the residual points are the m^d grid (`n_res` = m^d, m ≥ 2) instead of random;
    /// `salt` keeps the random points of different problems apart.
    /// The dimension is `a.dim`.
    pub fn new(a: &BuildArgs, (lo, hi): (f64, f64), grid: Option<usize>, salt: u64) -> Self {
        let BuildArgs {
            n_res,
            n_bc,
            n_eval,
            seed,
            dim: d,
            ..
        } = *a;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ salt);
        let cube = |rng: &mut ChaCha8Rng| -> Vec<f64> {
            (0..d).map(|_| rng.random_range(lo..=hi)).collect()
        };
        let residual = match grid {
            Some(m) => {
                let mut k = 0usize;
                sorted_points(n_res, d, || {
                    let mut idx = k;
                    k += 1;
                    (0..d)
                        .map(|_| {
                            let i = idx % m;
                            idx /= m;
                            lo + (hi - lo) * i as f64 / (m - 1) as f64
                        })
                        .collect()
                })
            }
            None => sorted_points(n_res, d, || cube(&mut rng)),
        };
        let boundary = sorted_points(n_bc, d, || {
            let mut p = cube(&mut rng);
            let face = rng.random_range(0..d);
            p[face] = if rng.random::<bool>() { hi } else { lo };
            p
        });
        let eval = sorted_points(n_eval, d, || cube(&mut rng));
        Self {
            d,
            residual,
            boundary,
            eval,
        }
    }
}

impl PointSet for PointsNd {
    fn dim(&self) -> usize {
        self.d
    }
    point_set_fields!();
    /// s = (1/d)Σxᵢ: the exact solutions of these problems are functions of s alone.
    fn plot_coordinate(&self, point: &[f64]) -> f64 {
        mean(point)
    }
    fn plot_label(&self) -> &'static str {
        if self.d == 1 { "x" } else { "s = (1/d)Σxᵢ" }
    }
}
