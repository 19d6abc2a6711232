//! The discrete operator D_ε: its extreme eigenvalues, their sweep over ε (paper Fig. 4), and
//! the Theorem 4.1 band λ_min(SSᵀ)λ_min(DDᵀ) ≤ λ_min(DSSᵀDᵀ) ≤ λ_min(SSᵀ)λ_max(DDᵀ).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par, Side};
use serde::Serialize;

use crate::linalg::{LinalgError, SymEig, gram};
use crate::net::jacobian::Jacobian;
use crate::problem::{DiscreteOperator, Problem};

/// Extreme eigenvalues of D_ε.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct OperatorSpectrum {
    /// Largest eigenvalue (real part for non-symmetric operators).
    pub lambda_max: f64,
    /// Smallest eigenvalue (real part for non-symmetric operators).
    pub lambda_min: f64,
    /// Largest modulus |λ|.
    pub abs_max: f64,
    pub symmetric: bool,
}

impl OperatorSpectrum {
    /// The number plots and tables report: the largest eigenvalue of a symmetric D_ε, the
    /// largest |λ| of a non-symmetric one (its eigenvalues may be complex).
    pub fn reported(&self) -> f64 {
        if self.symmetric {
            self.lambda_max
        } else {
            self.abs_max
        }
    }
}

/// Eigenvalues of D_ε.
pub fn operator_spectrum(op: &DiscreteOperator) -> Result<OperatorSpectrum, LinalgError> {
    let (lambda_max, lambda_min, abs_max) = if op.symmetric {
        let values = op
            .matrix
            .self_adjoint_eigenvalues(Side::Lower)
            .map_err(|_| LinalgError::NoConvergence)?;
        let (lo, hi) = (values[0], values[values.len() - 1]);
        (hi, lo, hi.abs().max(lo.abs()))
    } else {
        let values = op
            .matrix
            .eigenvalues()
            .map_err(|_| LinalgError::NoConvergence)?;
        let re = |c: &faer::c64| c.re;
        let hi = values.iter().map(re).fold(f64::NEG_INFINITY, f64::max);
        let lo = values.iter().map(re).fold(f64::INFINITY, f64::min);
        let abs = values.iter().map(|c| c.norm()).fold(0.0, f64::max);
        (hi, lo, abs)
    };
    Ok(OperatorSpectrum {
        lambda_max,
        lambda_min,
        abs_max,
        symmetric: op.symmetric,
    })
}

/// λ_max(D_ε) with the exact solution (else the reference) at each ε (paper Fig. 4 and 15):
/// the largest eigenvalue of a symmetric D_ε, the largest |λ| of a non-symmetric one; `None`
/// entries where the problem has no solution to linearize at or no D_ε.
pub fn lambda_max_sweep(problem: &dyn Problem, eps_values: &[f64]) -> Vec<(f64, Option<f64>)> {
    eps_values
        .iter()
        .map(|&eps| {
            let value = problem
                .exact_at(problem.residual_points(), eps)
                .or_else(|| problem.reference_at(problem.residual_points(), eps))
                .and_then(|u| problem.discrete_operator(&u, eps))
                .and_then(|op| operator_spectrum(&op).ok())
                .map(|s| s.reported());
            (eps, value)
        })
        .collect()
}

/// Geometrically spaced ε values from `hi` down to `lo`.
pub fn geometric_eps(hi: f64, lo: f64, count: usize) -> Vec<f64> {
    (0..count)
        .map(|k| hi * (lo / hi).powf(k as f64 / (count.max(2) - 1) as f64))
        .collect()
}

/// The Theorem 4.1 band for K = D S Sᵀ Dᵀ.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Theorem41Band {
    /// Matrix size n.
    pub n: usize,
    pub lambda_max_sst: f64,
    pub lambda_min_sst: f64,
    pub lambda_min_ddt: f64,
    pub lambda_max_ddt: f64,
    /// λ_min(D S Sᵀ Dᵀ).
    pub lambda_min_dsstd: f64,
    /// λ_min(SSᵀ)·λ_min(DDᵀ).
    pub lower: f64,
    /// λ_min(SSᵀ)·λ_max(DDᵀ).
    pub upper: f64,
}

impl Theorem41Band {
    /// Rounding scale of the three eigenvalue products: n·ε_mach·λ_max(SSᵀ)·λ_max(DDᵀ).
    pub fn roundoff(&self) -> f64 {
        self.n as f64 * f64::EPSILON * self.lambda_max_sst * self.lambda_max_ddt
    }

    /// Whether SSᵀ is numerically singular (then all three values are round-off and the band
    /// only says 0 ≤ 0 ≤ 0).
    pub fn degenerate(&self) -> bool {
        self.lambda_min_sst <= self.n as f64 * f64::EPSILON * self.lambda_max_sst
    }

    /// Whether lower ≤ λ_min(DSSᵀDᵀ) ≤ upper holds within `factor` × the rounding scale.
    pub fn holds(&self, factor: f64) -> bool {
        let slack = factor * self.roundoff();
        self.lower <= self.lambda_min_dsstd + slack && self.lambda_min_dsstd <= self.upper + slack
    }
}

/// The band for operator D (n × n) and S (n × p).
pub fn theorem41_band(d: &Mat<f64>, s: &Jacobian) -> Result<Theorem41Band, LinalgError> {
    let sst = gram(s);
    let ddt = {
        let mut m = Mat::<f64>::zeros(d.nrows(), d.nrows());
        matmul(m.as_mut(), Accum::Replace, d, d.transpose(), 1.0, Par::Seq);
        m
    };
    let dsstd = {
        let mut ds = Mat::<f64>::zeros(d.nrows(), d.ncols());
        matmul(ds.as_mut(), Accum::Replace, d, &sst, 1.0, Par::Seq);
        let mut m = Mat::<f64>::zeros(d.nrows(), d.nrows());
        matmul(
            m.as_mut(),
            Accum::Replace,
            &ds,
            d.transpose(),
            1.0,
            Par::Seq,
        );
        m
    };
    let min = |e: &SymEig| e.values.last().copied().unwrap_or(0.0);
    let e_sst = SymEig::new(&sst)?;
    let e_ddt = SymEig::new(&ddt)?;
    let e_k = SymEig::new(&dsstd)?;
    let (l_sst, l_ddt_min, l_ddt_max) = (min(&e_sst), min(&e_ddt), e_ddt.lambda_max());
    Ok(Theorem41Band {
        n: d.nrows(),
        lambda_max_sst: e_sst.lambda_max(),
        lambda_min_sst: l_sst,
        lambda_min_ddt: l_ddt_min,
        lambda_max_ddt: l_ddt_max,
        lambda_min_dsstd: min(&e_k),
        lower: l_sst * l_ddt_min,
        upper: l_sst * l_ddt_max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{AllenCahn1d, BuildArgs, Sampling};

    #[test]
    fn lambda_max_of_d_matches_the_paper_scale() {
        // n = 200, h = 1/201, ε = 0.1, exact u: λ_max ≈ 4ε²/h² + 2 ≈ 1618 (≈ 4ε²n²).
        let p = AllenCahn1d::new(&BuildArgs::grid(200, 2, 1001));
        let sweep = lambda_max_sweep(&p, &[0.1, 0.01, 0.001]);
        let l01 = sweep[0].1.unwrap();
        assert!((l01 - 1617.0).abs() < 2.0, "λ_max(D_0.1) = {l01}");
        // O(1) as ε → 0: at ε = 0.001 the diffusion part is 4·1e-6·201² ≈ 0.16.
        let l0001 = sweep[2].1.unwrap();
        assert!(l0001 < 2.5 && l0001 > 1.9, "λ_max(D_0.001) = {l0001}");
        assert!(sweep[1].1.unwrap() < l01);
        // Random points: D_ε is not defined.
        let r = AllenCahn1d::new(&BuildArgs {
            sampling: Sampling::Random,
            seed: 1,
            ..BuildArgs::grid(50, 2, 101)
        });
        assert_eq!(lambda_max_sweep(&r, &[0.1])[0].1, None);
    }

    #[test]
    fn theorem41_band_holds_for_random_s_and_the_allen_cahn_operator() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let n = 30;
        let p = AllenCahn1d::new(&BuildArgs::grid(n, 2, 101));
        for eps in [0.3, 0.05] {
            let u = p.exact_at(p.residual_points(), eps).unwrap();
            let d = p.discrete_operator(&u, eps).unwrap().matrix;
            for cols in [40, 90] {
                let s = Jacobian {
                    rows: n,
                    cols,
                    data: (0..n * cols).map(|_| rng.random_range(-1.0..1.0)).collect(),
                };
                let band = theorem41_band(&d, &s).unwrap();
                assert!(band.holds(10.0), "{band:?}");
                assert!(!band.degenerate());
                assert!(band.lower > 0.0 && band.lower <= band.upper);
            }
        }
    }

    #[test]
    fn geometric_eps_spans_the_range() {
        let e = geometric_eps(0.1, 0.001, 3);
        assert!((e[0] - 0.1).abs() < 1e-15 && (e[1] - 0.01).abs() < 1e-15);
        assert!((e[2] - 0.001).abs() < 1e-15);
    }
}
