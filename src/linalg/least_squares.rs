//! Least-squares solves in the form the Jacobian's shape calls for, on the compute pool.
//!
//! For A (m × n): the **primal** form factors the n × n matrix G = AᵀA when m ≥ n (more rows
//! than parameters: 2D Allen–Cahn, Helmholtz at the paper's size), the **dual** form the
//! m × m matrix K = AAᵀ otherwise (the 1D problems). The two give the same step in exact
//! arithmetic (the push-through identity Aᵀ(AAᵀ + μI)⁻¹ = (AᵀA + μI)⁻¹Aᵀ), and G and K share
//! their nonzero eigenvalues σ_i², so λ_max, the rank at a cutoff and every spectral filter
//! mean the same in both:
//!
//! - damped (Levenberg–Marquardt, the linearized implicit step): d = −(G + μI)⁻¹Aᵀr or
//!   d = −Aᵀ(K + μI)⁻¹r, one Cholesky factor reused for every right-hand side (the geodesic
//!   acceleration's second solve costs two triangular solves);
//! - spectral (the Strategy 1 Euler predictor): x = V f(Λ) VᵀAᵀb with G = VΛVᵀ, or
//!   x = AᵀU f(Λ) Uᵀb with K = UΛUᵀ, for the truncated-SVD or Tikhonov filter f.
//!
//! The phase condition is applied to A's rows before either matrix is formed, so it holds in
//! both forms.

use faer::linalg::matmul::triangular;
use faer::{Accum, Mat, MatRef};

use super::cholesky::Cholesky;
use super::{LinalgError, SymEig, gram};
use crate::net::jacobian::Jacobian;
use crate::pool;

/// Which normal matrix a solve factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// n × n G = AᵀA (rows ≥ parameters).
    Primal,
    /// m × m K = AAᵀ (rows < parameters).
    Dual,
}

impl Form {
    /// The form for an m × n matrix: primal when m ≥ n.
    pub fn for_shape(rows: usize, cols: usize) -> Self {
        if rows >= cols {
            Self::Primal
        } else {
            Self::Dual
        }
    }

    /// Side of the normal matrix.
    pub fn size(self, rows: usize, cols: usize) -> usize {
        match self {
            Self::Primal => cols,
            Self::Dual => rows,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Primal => "primal",
            Self::Dual => "dual",
        }
    }
}

/// G = AᵀA (n × n), computed as its lower triangle on the pool and mirrored.
///
/// The product runs on a column-major copy of A (a transient second copy, counted in the
/// memory plan): faer's kernels take it about twice as fast when both operands are contiguous
/// along the summed index, the rows of A (2698 × 1981: 279 against 577 ms on one thread, the
/// copy 58 ms).
pub fn gram_primal(a: &Jacobian) -> Mat<f64> {
    let n = a.cols;
    let mut g = Mat::<f64>::zeros(n, n);
    let columns = a.to_column_major();
    let ac = MatRef::from_column_major_slice(&columns, a.rows, n);
    pool::install(|par| {
        triangular::matmul(
            g.as_mut(),
            triangular::BlockStructure::TriangularLower,
            Accum::Replace,
            ac.transpose(),
            triangular::BlockStructure::Rectangular,
            ac,
            triangular::BlockStructure::Rectangular,
            1.0,
            par,
        );
    });
    for j in 0..n {
        for i in 0..j {
            g[(i, j)] = g[(j, i)];
        }
    }
    g
}

/// The normal matrix of A in a chosen form.
#[derive(Clone, Debug)]
pub struct Normal {
    pub form: Form,
    /// G = AᵀA (primal) or K = AAᵀ (dual), full and symmetric.
    pub matrix: Mat<f64>,
}

impl Normal {
    /// The form the shape calls for.
    pub fn new(a: &Jacobian) -> Self {
        Self::with_form(a, Form::for_shape(a.rows, a.cols))
    }

    /// An explicit form (tests compare the two).
    pub fn with_form(a: &Jacobian, form: Form) -> Self {
        let matrix = match form {
            Form::Primal => gram_primal(a),
            Form::Dual => gram(a),
        };
        Self { form, matrix }
    }

    /// λ_max(AᵀA) = λ_max(AAᵀ) = σ_max² by power iteration (a damping scale, exact to a
    /// few percent).
    pub fn lambda_max(&self, iterations: usize) -> f64 {
        super::lambda_max_power(&self.matrix, iterations)
    }

    /// Cholesky factor of the matrix + μI; fails when it is not numerically positive definite
    /// (the caller raises μ).
    pub fn damped(&self, mu: f64) -> Result<Damped, LinalgError> {
        Ok(Damped {
            form: self.form,
            factor: Cholesky::factor(&self.matrix, mu)?,
        })
    }

    /// Eigendecomposition for spectral (pseudo-inverse) solves.
    pub fn spectral(&self) -> Result<Spectral, LinalgError> {
        Ok(Spectral {
            form: self.form,
            eig: SymEig::new(&self.matrix)?,
        })
    }
}

/// A factored damped normal matrix.
pub struct Damped {
    form: Form,
    factor: Cholesky,
}

impl Damped {
    fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let mut x = rhs.to_vec();
        self.factor.solve_in_place(&mut x);
        x
    }

    /// The Levenberg–Marquardt direction d = −(AᵀA + μI)⁻¹Aᵀr = −Aᵀ(AAᵀ + μI)⁻¹r.
    pub fn direction(&self, a: &Jacobian, r: &[f64]) -> Result<Vec<f64>, LinalgError> {
        let d: Vec<f64> = match self.form {
            Form::Primal => {
                let g = apply_transpose(a, r);
                self.solve(&g).into_iter().map(|v| -v).collect()
            }
            Form::Dual => {
                let y: Vec<f64> = self.solve(r).into_iter().map(|v| -v).collect();
                if y.iter().any(|v| !v.is_finite()) {
                    return Err(LinalgError::NotPositiveDefinite);
                }
                a.apply_transpose(&y)
            }
        };
        if d.iter().any(|v| !v.is_finite()) {
            return Err(LinalgError::NotPositiveDefinite);
        }
        Ok(d)
    }
}

/// Aᵀw on the pool (the primal form's right-hand side; A is tall there).
fn apply_transpose(a: &Jacobian, w: &[f64]) -> Vec<f64> {
    super::columns_dot(a.as_mat(), w)
}

/// An eigendecomposed normal matrix, for filtered pseudo-inverse solves.
#[derive(Clone, Debug)]
pub struct Spectral {
    pub form: Form,
    pub eig: SymEig,
}

impl Spectral {
    pub fn lambda_max(&self) -> f64 {
        self.eig.lambda_max()
    }

    /// Numerical rank of A at cutoff rcond.
    pub fn rank(&self, rcond: f64) -> usize {
        self.eig.rank(rcond)
    }

    fn filtered_solve(&self, a: &Jacobian, b: &[f64], filter: impl Fn(f64) -> f64) -> Vec<f64> {
        match self.form {
            Form::Dual => self.eig.filtered_solve(a, b, filter),
            Form::Primal => {
                let atb = apply_transpose(a, b);
                self.eig.filtered_apply(&atb, filter)
            }
        }
    }

    /// Truncated-SVD pseudo-inverse solve A⁺b keeping σ_i > rcond·σ_max.
    pub fn truncated_solve(&self, a: &Jacobian, b: &[f64], rcond: f64) -> Vec<f64> {
        let cut = rcond * rcond * self.lambda_max();
        self.filtered_solve(a, b, |l| if l > cut { 1.0 / l } else { 0.0 })
    }

    /// Tikhonov solve (AᵀA + μ_rel·λ_max·I)⁻¹Aᵀb.
    pub fn tikhonov_solve(&self, a: &Jacobian, b: &[f64], mu_rel: f64) -> Vec<f64> {
        let mu = mu_rel * self.lambda_max();
        self.filtered_solve(a, b, |l| 1.0 / (l.max(0.0) + mu))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::norm;

    fn close(a: &[f64], b: &[f64], tol: f64) {
        let scale = norm(b).max(1e-300);
        let diff: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(
            diff <= tol * scale,
            "relative difference {} > {tol}",
            diff / scale
        );
    }

    #[test]
    fn the_shape_picks_the_form() {
        assert_eq!(Form::for_shape(2698, 1981), Form::Primal);
        assert_eq!(Form::for_shape(202, 1951), Form::Dual);
        assert_eq!(Form::for_shape(50, 50), Form::Primal);
        assert_eq!(Form::Primal.size(2698, 1981), 1981);
    }

    /// Both forms give the same LM step and the same pseudo-inverse solves to round-off, on
    /// tall and on wide matrices.
    #[test]
    fn primal_and_dual_forms_agree_on_tall_and_wide_jacobians() {
        for (m, n, seed) in [(60, 25, 1), (25, 60, 2), (40, 40, 3)] {
            let a = crate::linalg::random_jacobian(m, n, seed);
            let r: Vec<f64> = (0..m).map(|i| (i as f64 * 0.3).sin()).collect();
            let primal = Normal::with_form(&a, Form::Primal);
            let dual = Normal::with_form(&a, Form::Dual);
            let (sp, sd) = (primal.spectral().unwrap(), dual.spectral().unwrap());
            let (lp, ld) = (sp.lambda_max(), sd.lambda_max());
            assert!((lp - ld).abs() < 1e-9 * ld, "λ_max {lp} vs {ld}");
            for mu in [1e-6 * ld, 1e-2 * ld, 10.0 * ld] {
                let dp = primal.damped(mu).unwrap().direction(&a, &r).unwrap();
                let dd = dual.damped(mu).unwrap().direction(&a, &r).unwrap();
                close(&dp, &dd, 1e-8);
            }
            assert_eq!(sp.rank(1e-6), sd.rank(1e-6));
            close(
                &sp.truncated_solve(&a, &r, 1e-6),
                &sd.truncated_solve(&a, &r, 1e-6),
                1e-7,
            );
            close(
                &sp.tikhonov_solve(&a, &r, 1e-6),
                &sd.tikhonov_solve(&a, &r, 1e-6),
                1e-8,
            );
        }
    }

    #[test]
    fn the_primal_gram_matrix_is_symmetric_and_exact() {
        let a = crate::linalg::random_jacobian(30, 12, 7);
        let g = gram_primal(&a);
        for i in 0..12 {
            for j in 0..12 {
                let exact: f64 = (0..30).map(|k| a.row(k)[i] * a.row(k)[j]).sum();
                assert!((g[(i, j)] - exact).abs() < 1e-12 * (1.0 + exact.abs()));
                assert_eq!(g[(i, j)], g[(j, i)]);
            }
        }
    }
}
