//! Dense f64 linear algebra for the homotopy solvers, on faer and the compute pool: the Gram
//! matrix K = AAᵀ, symmetric eigendecompositions with spectral filters, power iteration for
//! λ_max, and the phase-condition projection. The solves themselves pick their form by the
//! Jacobian's shape ([`least_squares`]: primal AᵀA or dual AAᵀ, truncation σ_i > rcond·σ_max ⇔
//! λ_i > rcond²·λ_max in both), factor with [`cholesky`] and, where neither matrix fits in
//! memory, go matrix-free ([`matrix_free`]).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Side};
use thiserror::Error;

use crate::net::jacobian::Jacobian;

pub mod cholesky;
pub mod least_squares;
pub mod matrix_free;

pub use least_squares::{Damped, Form, Normal, Spectral};

/// A dense solve failed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LinalgError {
    #[error("eigendecomposition did not converge")]
    NoConvergence,
    #[error("matrix is not positive definite (damping too small)")]
    NotPositiveDefinite,
    #[error("matrix has non-finite entries")]
    NonFinite,
}

/// K = A Aᵀ (m × m).
pub fn gram(a: &Jacobian) -> Mat<f64> {
    let mut k = Mat::<f64>::zeros(a.rows, a.rows);
    crate::pool::install(|par| {
        matmul(
            k.as_mut(),
            Accum::Replace,
            a.as_mat(),
            a.as_mat().transpose(),
            1.0,
            par,
        );
    });
    k
}

/// Eigenpairs of a symmetric matrix, eigenvalues in descending order.
#[derive(Clone, Debug)]
pub struct SymEig {
    /// λ₁ ≥ λ₂ ≥ … ≥ λ_m.
    pub values: Vec<f64>,
    /// Column j is the eigenvector of `values[j]`.
    pub vectors: Mat<f64>,
}

impl SymEig {
    /// Eigendecomposition of a symmetric matrix.
    pub fn new(k: &Mat<f64>) -> Result<Self, LinalgError> {
        if k.col_iter().any(|c| c.iter().any(|v| !v.is_finite())) {
            return Err(LinalgError::NonFinite);
        }
        let evd = crate::pool::install(|_| k.self_adjoint_eigen(Side::Lower))
            .map_err(|_| LinalgError::NoConvergence)?;
        let m = k.nrows();
        let s = evd.S();
        // faer sorts ascending; reverse to descending.
        let values: Vec<f64> = (0..m).rev().map(|j| s[j]).collect();
        let u = evd.U();
        let vectors = Mat::from_fn(m, m, |i, j| u[(i, m - 1 - j)]);
        Ok(Self { values, vectors })
    }

    /// Largest eigenvalue (0 for an empty matrix).
    pub fn lambda_max(&self) -> f64 {
        self.values.first().copied().unwrap_or(0.0).max(0.0)
    }

    /// Number of eigenvalues above `rcond² · λ_max` (the numerical rank of A at cutoff rcond).
    pub fn rank(&self, rcond: f64) -> usize {
        let cut = rcond * rcond * self.lambda_max();
        self.values.iter().filter(|&&l| l > cut).count()
    }

    /// x = Aᵀ V f(Λ) Vᵀ b for a spectral filter f applied to K = AAᵀ = VΛVᵀ.
    pub(crate) fn filtered_solve(
        &self,
        a: &Jacobian,
        b: &[f64],
        filter: impl Fn(f64) -> f64,
    ) -> Vec<f64> {
        a.apply_transpose(&self.filtered_apply(b, filter))
    }

    /// V f(Λ) Vᵀ b for this matrix's eigenpairs.
    pub(crate) fn filtered_apply(&self, b: &[f64], filter: impl Fn(f64) -> f64) -> Vec<f64> {
        let m = self.values.len();
        let mut coef = vec![0.0; m];
        for (j, c) in coef.iter_mut().enumerate() {
            let f = filter(self.values[j]);
            if f != 0.0 {
                let v = self.vectors.col(j);
                let proj: f64 = (0..m).map(|i| v[i] * b[i]).sum();
                *c = f * proj;
            }
        }
        let mut y = vec![0.0; m];
        for (j, &c) in coef.iter().enumerate() {
            if c != 0.0 {
                let v = self.vectors.col(j);
                for (i, yi) in y.iter_mut().enumerate() {
                    *yi += c * v[i];
                }
            }
        }
        y
    }
}

/// Up to this size a plain loop does the power iteration's products (the 1D problems' exact
/// figures come from it); above, the pool does.
const PLAIN_MATVEC: usize = 512;

/// Above [`PLAIN_MATVEC`], the power iteration stops once λ moves by less than this fraction
/// in one iteration (each iteration reads the whole matrix; a damping scale needs no more).
const POWER_SETTLED: f64 = 1e-4;

/// Mᵀv (out_j = column j of M · v) on the pool, in fixed pieces of 64 columns, each
/// sequential: the same numbers at any thread count.
pub(crate) fn columns_dot(m: faer::MatRef<'_, f64>, v: &[f64]) -> Vec<f64> {
    let v = faer::MatRef::from_column_major_slice(v, v.len(), 1);
    let mut out = vec![0.0; m.ncols()];
    crate::pool::for_each_piece(&mut out, 64, |k, w| {
        let cols = w.len();
        let dst = faer::MatMut::from_column_major_slice_mut(w, cols, 1);
        let lhs = m.subcols(k * 64, cols).transpose();
        matmul(dst, Accum::Replace, lhs, v, 1.0, faer::Par::Seq);
    });
    out
}

/// k·v for a symmetric k (column i of k · v).
fn symmetric_matvec(k: &Mat<f64>, v: &[f64]) -> Vec<f64> {
    columns_dot(k.as_ref(), v)
}

/// Largest eigenvalue of a symmetric positive semidefinite matrix by power iteration
/// (a cheap scale for Levenberg–Marquardt damping; exact enough to a few percent).
pub fn lambda_max_power(k: &Mat<f64>, iterations: usize) -> f64 {
    let m = k.nrows();
    let settle = (m > PLAIN_MATVEC).then_some(POWER_SETTLED);
    power_iteration(m, iterations, settle, |v| {
        if m <= PLAIN_MATVEC {
            (0..m)
                .map(|i| (0..m).map(|j| k[(i, j)] * v[j]).sum())
                .collect()
        } else {
            symmetric_matvec(k, v)
        }
    })
}

/// The largest eigenvalue of a symmetric positive semidefinite operator of size n, given by
/// its `product`, by power iteration from the uniform vector: at most `iterations` products,
/// fewer once λ moves by less than the fraction `settle` in one (never, for `None`).
pub(crate) fn power_iteration(
    n: usize,
    iterations: usize,
    settle: Option<f64>,
    mut product: impl FnMut(&[f64]) -> Vec<f64>,
) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let mut v = vec![1.0 / (n as f64).sqrt(); n];
    let mut lambda = 0.0;
    for _ in 0..iterations {
        let w = product(&v);
        let size = norm(&w);
        if size == 0.0 || !size.is_finite() {
            return size;
        }
        let settled = settle.is_some_and(|s| (size - lambda).abs() <= s * size);
        lambda = size;
        v = w.into_iter().map(|x| x / size).collect();
        if settled {
            break;
        }
    }
    lambda
}

/// Replace A by A(I − ccᵀ) for a unit vector c: steps computed from the projected rows are
/// orthogonal to c (the phase condition).
pub fn project_out(a: &mut Jacobian, c: &[f64]) {
    if a.cols == 0 {
        return;
    }
    // Rows are independent: pieces of 64 rows on the pool, each row as before.
    crate::pool::for_each_piece(&mut a.data, 64 * a.cols, |_, piece| {
        for row in piece.chunks_mut(c.len()) {
            let dot: f64 = row.iter().zip(c).map(|(x, y)| x * y).sum();
            for (x, y) in row.iter_mut().zip(c) {
                *x -= dot * y;
            }
        }
    });
}

/// Euclidean norm.
pub fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// A seeded random Jacobian with entries in (−1, 1), for the tests of this module's parts.
#[cfg(test)]
pub(crate) fn random_jacobian(rows: usize, cols: usize, seed: u64) -> Jacobian {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    Jacobian {
        rows,
        cols,
        data: (0..rows * cols)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_solve_is_the_minimum_norm_solution_of_a_full_rank_system() {
        for (m, p) in [(3, 7), (10, 40), (25, 60)] {
            let a = random_jacobian(m, p, m as u64);
            let b: Vec<f64> = (0..m).map(|i| (i as f64 * 0.7).sin()).collect();
            let eig = Normal::with_form(&a, Form::Dual).spectral().unwrap();
            let x = eig.truncated_solve(&a, &b, 1e-10);
            let ax = a.apply(&x);
            for (u, v) in ax.iter().zip(&b) {
                assert!((u - v).abs() < 1e-10 * (m as f64), "{u} vs {v}");
            }
            // Minimum norm: x lies in the row space, i.e. x = Aᵀy.
            let eig_x = eig.tikhonov_solve(&a, &b, 1e-14);
            assert!(norm(&x) <= norm(&eig_x) * (1.0 + 1e-6));
            assert_eq!(eig.rank(1e-10), m);
        }
    }

    #[test]
    fn truncation_drops_a_tiny_direction_and_counts_rank() {
        // Two rows nearly parallel: σ₂/σ₁ ≈ 1e-6.
        let a = Jacobian {
            rows: 2,
            cols: 3,
            data: vec![1.0, 0.0, 0.0, 1.0, 1e-6, 0.0],
        };
        let eig = Normal::with_form(&a, Form::Dual).spectral().unwrap();
        assert_eq!(eig.rank(1e-4), 1);
        assert_eq!(eig.rank(1e-8), 2);
        let x = eig.truncated_solve(&a, &[1.0, 2.0], 1e-4);
        // Only the dominant direction (1,0,0) is kept: no 1e6-sized component.
        assert!(x[1].abs() < 1e-3, "{x:?}");
    }

    #[test]
    fn lm_direction_tends_to_gauss_newton_and_to_gradient_descent() {
        let a = random_jacobian(6, 15, 9);
        let r: Vec<f64> = (0..6).map(|i| 1.0 + i as f64).collect();
        let normal = Normal::with_form(&a, Form::Dual);
        let eig = normal.spectral().unwrap();
        let d_small = normal.damped(1e-12).unwrap().direction(&a, &r).unwrap();
        let gn = eig.truncated_solve(&a, &r, 1e-12);
        for (u, v) in d_small.iter().zip(&gn) {
            assert!((u + v).abs() < 1e-6 * (1.0 + v.abs()));
        }
        // Large μ: d ≈ −Aᵀr/μ.
        let mu = 1e8;
        let d_large = normal.damped(mu).unwrap().direction(&a, &r).unwrap();
        let g = a.apply_transpose(&r);
        for (u, v) in d_large.iter().zip(&g) {
            assert!((u + v / mu).abs() < 1e-6 * (v / mu).abs().max(1e-12));
        }
    }

    #[test]
    fn projected_rows_give_steps_orthogonal_to_c() {
        let mut a = random_jacobian(5, 12, 4);
        let mut c: Vec<f64> = (0..12).map(|k| (k as f64).cos()).collect();
        let nc = norm(&c);
        c.iter_mut().for_each(|v| *v /= nc);
        project_out(&mut a, &c);
        let d = Normal::new(&a)
            .damped(1e-6)
            .unwrap()
            .direction(&a, &[1.0, -2.0, 0.5, 3.0, 1.0])
            .unwrap();
        let dot: f64 = d.iter().zip(&c).map(|(x, y)| x * y).sum();
        assert!(dot.abs() < 1e-10 * norm(&d));
    }

    #[test]
    fn power_iteration_finds_lambda_max() {
        let a = random_jacobian(8, 20, 2);
        let k = gram(&a);
        let exact = SymEig::new(&k).unwrap().lambda_max();
        let est = lambda_max_power(&k, 200);
        assert!((est - exact).abs() < 1e-6 * exact);
    }
}
