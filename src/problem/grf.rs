//! Gaussian random fields N(0, σ²(−Δ + τ²I)^−α) on [0, 1] with zero Dirichlet data, the input
//! functions of operator learning (homotopy paper App. B.6: σ = 49, τ² = 49, α = 4 on a
//! 128-point grid).
//!
//! The Dirichlet Laplacian has eigenfunctions φ_k(x) = √2 sin(kπx) with −Δφ_k = k²π²φ_k, so a
//! sample is u = Σ_k ξ_k √λ_k φ_k with ξ_k ~ N(0, 1) independent and λ_k = σ²(k²π² + τ²)^−α,
//! truncated at the K = m − 2 modes an m-point grid (ends included) resolves. On that grid the
//! sine vectors are exactly orthogonal, so the coefficients are recovered by a discrete sine
//! transform ([`Grf::coefficients`]).

use std::f64::consts::{PI, SQRT_2};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// σ, τ² and α of the covariance σ²(−Δ + τ²I)^−α.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrfParams {
    pub sigma: f64,
    pub tau2: f64,
    pub alpha: f64,
}

impl Default for GrfParams {
    /// The paper's N(0, 49²(−Δ + 49I)^−4).
    fn default() -> Self {
        Self {
            sigma: 49.0,
            tau2: 49.0,
            alpha: 4.0,
        }
    }
}

/// The field on an m-point grid x_j = j/(m − 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Grf {
    pub params: GrfParams,
    /// Grid points m (ends included).
    pub points: usize,
}

impl Grf {
    pub fn new(params: GrfParams, points: usize) -> Self {
        Self { params, points }
    }

    /// Modes K = m − 2.
    pub fn modes(&self) -> usize {
        self.points.saturating_sub(2)
    }

    /// The grid x_j = j/(m − 1).
    pub fn grid(&self) -> Vec<f64> {
        let h = 1.0 / (self.points - 1) as f64;
        (0..self.points).map(|j| j as f64 * h).collect()
    }

    /// λ_k = σ²(k²π² + τ²)^−α, k = 1..=K: the variance of mode k.
    pub fn spectrum(&self) -> Vec<f64> {
        let p = self.params;
        (1..=self.modes())
            .map(|k| {
                let kp = k as f64 * PI;
                p.sigma * p.sigma * (kp * kp + p.tau2).powf(-p.alpha)
            })
            .collect()
    }

    /// `count` samples on the grid (count × m, row-major), drawn from `seed`.
    pub fn sample(&self, count: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let sd: Vec<f64> = self.spectrum().into_iter().map(f64::sqrt).collect();
        let x = self.grid();
        let mut out = Vec::with_capacity(count * self.points);
        for _ in 0..count {
            let xi: Vec<f64> = sd
                .iter()
                .map(|s| {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    s * z
                })
                .collect();
            out.extend(x.iter().map(|&x| Self::series(&xi, x)));
        }
        out
    }

    /// Σ_k c_k φ_k(x).
    fn series(coeffs: &[f64], x: f64) -> f64 {
        coeffs
            .iter()
            .enumerate()
            .map(|(k, c)| c * SQRT_2 * ((k + 1) as f64 * PI * x).sin())
            .sum()
    }

    /// The mode coefficients c_k = ⟨u, φ_k⟩ of one grid function (exact for a sum of the K
    /// modes: the discrete sine transform on the grid).
    pub fn coefficients(&self, u: &[f64]) -> Vec<f64> {
        let n = (self.points - 1) as f64;
        (1..=self.modes())
            .map(|k| {
                (1..self.points - 1)
                    .map(|j| u[j] * SQRT_2 * (k as f64 * PI * j as f64 / n).sin())
                    .sum::<f64>()
                    / n
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_vanish_at_the_ends_and_are_seeded() {
        let g = Grf::new(GrfParams::default(), 128);
        let a = g.sample(3, 7);
        assert_eq!(a.len(), 3 * 128);
        assert_eq!(a, g.sample(3, 7));
        assert_ne!(a, g.sample(3, 8));
        for row in a.chunks(128) {
            assert!(row[0].abs() < 1e-15 && row[127].abs() < 1e-12);
        }
    }

    #[test]
    fn the_sample_covariance_matches_the_spectrum() {
        // Mode variances of 4000 samples against λ_k: each sample variance has a relative
        // standard error √(2/4000) ≈ 2.2 %, so 10 % is ~4.5 standard errors per mode. A
        // different σ, τ² or α (or a missing √2) moves them by far more.
        let params = GrfParams {
            sigma: 3.0,
            tau2: 4.0,
            alpha: 1.5,
        };
        let g = Grf::new(params, 40);
        let count = 4000;
        let samples = g.sample(count, 11);
        let lambda = g.spectrum();
        let mut var = vec![0.0; g.modes()];
        for row in samples.chunks(g.points) {
            for (v, c) in var.iter_mut().zip(g.coefficients(row)) {
                *v += c * c / count as f64;
            }
        }
        for k in 0..8 {
            let ratio = var[k] / lambda[k];
            assert!((ratio - 1.0).abs() < 0.1, "mode {}: ratio {ratio}", k + 1);
        }
        // Over all modes together the ratio is much tighter.
        let mean: f64 = var.iter().zip(&lambda).map(|(v, l)| v / l).sum::<f64>() / var.len() as f64;
        assert!((mean - 1.0).abs() < 0.02, "mean ratio {mean}");
        // And the point variance at x = ½ is Σ_k λ_k φ_k(½)².
        let mid = g.points / 2;
        let x = g.grid()[mid];
        let expect: f64 = lambda
            .iter()
            .enumerate()
            .map(|(k, l)| l * 2.0 * ((k + 1) as f64 * PI * x).sin().powi(2))
            .sum();
        let got = samples
            .chunks(g.points)
            .map(|r| r[mid] * r[mid])
            .sum::<f64>()
            / count as f64;
        assert!((got / expect - 1.0).abs() < 0.1, "{got} vs {expect}");
    }
}
