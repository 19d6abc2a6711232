//! Matrix-free Gauss–Newton–CG: the damped least-squares step d = −(AᵀA + μI)⁻¹Aᵀr by
//! conjugate gradients on the normal equations, with A reached only through the products
//! A·v and Aᵀ·w ([`Products`]). Neither A nor a normal matrix is stored, so it serves where
//! they would not fit in memory (see [`plan`]); each CG iteration costs one product of each
//! kind, so it is slower than a factored solve where one fits.

use super::least_squares::Form;
use super::{LinalgError, norm};
use crate::net::jacobian::Jacobian;

/// A linear operator A (rows × cols) given by its products.
pub trait Products {
    fn rows(&self) -> usize;
    fn cols(&self) -> usize;
    /// A·v (length rows).
    fn apply(&self, v: &[f64]) -> Vec<f64>;
    /// Aᵀ·w (length cols).
    fn apply_transpose(&self, w: &[f64]) -> Vec<f64>;
}

impl Products for Jacobian {
    fn rows(&self) -> usize {
        self.rows
    }
    fn cols(&self) -> usize {
        self.cols
    }
    fn apply(&self, v: &[f64]) -> Vec<f64> {
        Jacobian::apply(self, v)
    }
    fn apply_transpose(&self, w: &[f64]) -> Vec<f64> {
        Jacobian::apply_transpose(self, w)
    }
}

/// A(I − Σ_j c_j c_jᵀ) for orthonormal c_j: the phase condition without touching A.
pub struct Projected<'a, P: ?Sized> {
    pub inner: &'a P,
    pub directions: &'a [Vec<f64>],
}

impl<P: Products + ?Sized> Projected<'_, P> {
    fn project(&self, v: &mut [f64]) {
        for c in self.directions {
            let dot: f64 = v.iter().zip(c).map(|(x, y)| x * y).sum();
            v.iter_mut().zip(c).for_each(|(x, y)| *x -= dot * y);
        }
    }
}

impl<P: Products + ?Sized> Products for Projected<'_, P> {
    fn rows(&self) -> usize {
        self.inner.rows()
    }
    fn cols(&self) -> usize {
        self.inner.cols()
    }
    fn apply(&self, v: &[f64]) -> Vec<f64> {
        let mut p = v.to_vec();
        self.project(&mut p);
        self.inner.apply(&p)
    }
    fn apply_transpose(&self, w: &[f64]) -> Vec<f64> {
        let mut g = self.inner.apply_transpose(w);
        self.project(&mut g);
        g
    }
}

/// σ_max(A)² by power iteration on AᵀA through products, stopping once it settles to 1e-4.
pub fn lambda_max(op: &dyn Products, iterations: usize) -> f64 {
    super::power_iteration(op.cols(), iterations, Some(1e-4), |v| {
        op.apply_transpose(&op.apply(v))
    })
}

/// How a CG solve ended.
#[derive(Clone, Debug)]
pub struct CgReport {
    pub x: Vec<f64>,
    pub iterations: usize,
    /// ‖b − (AᵀA + μI)x‖ / ‖b‖ at the end.
    pub relative_residual: f64,
}

/// (AᵀA + μI) x = b by conjugate gradients from x = 0, until the residual falls below
/// `tol`·‖b‖ or after `max_iterations`.
pub fn solve_damped(
    op: &dyn Products,
    mu: f64,
    b: &[f64],
    tol: f64,
    max_iterations: usize,
) -> CgReport {
    let n = b.len();
    let b_norm = norm(b);
    let mut x = vec![0.0; n];
    if !b_norm.is_finite() {
        return CgReport {
            x: vec![f64::NAN; n],
            iterations: 0,
            relative_residual: f64::NAN,
        };
    }
    if b_norm == 0.0 {
        return CgReport {
            x,
            iterations: 0,
            relative_residual: 0.0,
        };
    }
    let mut r = b.to_vec();
    let mut p = r.clone();
    let mut rr: f64 = r.iter().map(|v| v * v).sum();
    let mut iterations = 0;
    while iterations < max_iterations && rr.sqrt() > tol * b_norm {
        let ap = op.apply(&p);
        let mut q = op.apply_transpose(&ap);
        q.iter_mut().zip(&p).for_each(|(qi, pi)| *qi += mu * pi);
        let pq: f64 = p.iter().zip(&q).map(|(a, b)| a * b).sum();
        if pq.is_nan() || pq <= 0.0 {
            break;
        }
        let alpha = rr / pq;
        x.iter_mut().zip(&p).for_each(|(xi, pi)| *xi += alpha * pi);
        r.iter_mut().zip(&q).for_each(|(ri, qi)| *ri -= alpha * qi);
        let next: f64 = r.iter().map(|v| v * v).sum();
        let beta = next / rr;
        rr = next;
        p.iter_mut()
            .zip(&r)
            .for_each(|(pi, ri)| *pi = ri + beta * *pi);
        iterations += 1;
    }
    CgReport {
        x,
        iterations,
        relative_residual: rr.sqrt() / b_norm,
    }
}

/// A CG solve that stopped at its iteration cap with a residual above this fraction of ‖b‖
/// is refused.
const CG_ACCEPTABLE: f64 = 1e-3;

/// The damped Gauss–Newton direction −(AᵀA + μI)⁻¹Aᵀr by CG (relative tolerance `tol`);
/// an error when the products are not finite or CG ends far from the solution.
pub fn direction(
    op: &dyn Products,
    mu: f64,
    r: &[f64],
    tol: f64,
    max_iterations: usize,
) -> Result<Vec<f64>, LinalgError> {
    let g = op.apply_transpose(r);
    let report = solve_damped(op, mu, &g, tol, max_iterations);
    if report.x.iter().any(|v| !v.is_finite()) {
        return Err(LinalgError::NonFinite);
    }
    // Far from converged: not a step to take (LM raises μ, which conditions the system).
    if report.relative_residual > CG_ACCEPTABLE {
        return Err(LinalgError::NoConvergence);
    }
    Ok(report.x.into_iter().map(|v| -v).collect())
}

/// How a damped least-squares solve is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// J stored, a normal matrix factored.
    Dense(Form),
    /// Products only.
    MatrixFree,
}

/// What was asked for: a form, matrix-free, or `None` for the choice by shape and memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    Auto,
    Dense(Form),
    MatrixFree,
}

/// The sizes a route's memory depends on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sizes {
    /// Rows m and parameters n of J.
    pub rows: usize,
    pub cols: usize,
    /// Rows of one chunk of Jacobian rows (matrix-free products).
    pub chunk_rows: usize,
    /// Compute threads (one chunk of rows each at a time).
    pub threads: usize,
    /// The forward state kept for J or its products (the network's tapes over all points).
    pub tape_bytes: f64,
}

/// Bytes of the dense route at its peak, with the tapes: J and the normal matrix with its
/// factor, or, while the primal form's G = JᵀJ is formed, J, its column-major copy and G.
pub fn dense_bytes(s: &Sizes, form: Form) -> f64 {
    let k = form.size(s.rows, s.cols) as f64;
    let j = s.rows as f64 * s.cols as f64;
    let extra = match form {
        Form::Primal => j.max(k * k),
        Form::Dual => k * k,
    };
    8.0 * (j + k * k + extra) + s.tape_bytes
}

/// Bytes of the matrix-free route: one chunk of Jacobian rows per thread, the CG vectors, and
/// the tapes twice (the objective's and the operator's copy).
pub fn matrix_free_bytes(s: &Sizes) -> f64 {
    8.0 * ((s.threads * s.chunk_rows * s.cols) as f64 + 8.0 * (s.rows + s.cols) as f64)
        + 2.0 * s.tape_bytes
}

/// The budget is too small for what was asked.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "the least-squares memory budget ({budget_mib} MiB, lm.memory_budget_mib) is too small for a {rows} × {cols} Jacobian: {needs}"
)]
pub struct BudgetError {
    pub budget_mib: f64,
    pub rows: usize,
    pub cols: usize,
    pub needs: String,
}

/// Bytes in MiB (the unit of `lm.memory_budget_mib`).
pub fn mib(bytes: f64) -> f64 {
    bytes / (1024.0 * 1024.0)
}

/// Choose the route for an m × n J within `budget_mib`: the asked form if it fits; by shape
/// (primal when m ≥ n) if that fits; else matrix-free if that fits; else an error naming the
/// sizes each route needs. The matrix-free estimate counts one chunk of rows per compute
/// thread, so near the budget the route can depend on `--threads`.
pub fn plan(asked: Asked, sizes: &Sizes, budget_mib: f64) -> Result<Plan, BudgetError> {
    let (rows, cols) = (sizes.rows, sizes.cols);
    let by_shape = Form::for_shape(rows, cols);
    let dense = |form: Form| mib(dense_bytes(sizes, form));
    let free = mib(matrix_free_bytes(sizes));
    let error = |needs: String| BudgetError {
        budget_mib,
        rows,
        cols,
        needs,
    };
    match asked {
        Asked::Dense(form) if dense(form) <= budget_mib => Ok(Plan::Dense(form)),
        Asked::Dense(form) => Err(error(format!(
            "the {} form needs {:.0} MiB",
            form.label(),
            dense(form)
        ))),
        Asked::MatrixFree if free <= budget_mib => Ok(Plan::MatrixFree),
        Asked::MatrixFree => Err(error(format!("the matrix-free form needs {free:.1} MiB"))),
        Asked::Auto if dense(by_shape) <= budget_mib => Ok(Plan::Dense(by_shape)),
        Asked::Auto if free <= budget_mib => Ok(Plan::MatrixFree),
        Asked::Auto => Err(error(format!(
            "the {} form needs {:.0} MiB and the matrix-free form {free:.1} MiB",
            by_shape.label(),
            dense(by_shape)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Normal;

    #[test]
    fn cg_gives_the_factored_step() {
        for (m, n) in [(80, 30), (30, 80)] {
            let a = crate::linalg::random_jacobian(m, n, 11);
            let r: Vec<f64> = (0..m).map(|i| (i as f64 * 0.2).cos()).collect();
            let scale = lambda_max(&a, 200);
            let exact = Normal::new(&a).lambda_max(200);
            assert!((scale - exact).abs() < 1e-3 * exact, "{scale} vs {exact}");
            let mu = 1e-3 * exact;
            let want = Normal::new(&a)
                .damped(mu)
                .unwrap()
                .direction(&a, &r)
                .unwrap();
            let got = direction(&a, mu, &r, 1e-12, 500).unwrap();
            let diff: f64 = got
                .iter()
                .zip(&want)
                .map(|(x, y)| (x - y).powi(2))
                .sum::<f64>();
            assert!(
                diff.sqrt() < 1e-8 * norm(&want),
                "{}",
                diff.sqrt() / norm(&want)
            );
        }
    }

    #[test]
    fn projected_products_keep_steps_orthogonal_to_the_directions() {
        let a = crate::linalg::random_jacobian(40, 20, 3);
        let mut c: Vec<f64> = (0..20).map(|k| (k as f64).sin()).collect();
        let nc = norm(&c);
        c.iter_mut().for_each(|v| *v /= nc);
        let directions = vec![c.clone()];
        let op = Projected {
            inner: &a,
            directions: &directions,
        };
        let r: Vec<f64> = (0..40).map(|i| i as f64).collect();
        let d = direction(&op, 1e-3, &r, 1e-12, 200).unwrap();
        let dot: f64 = d.iter().zip(&c).map(|(x, y)| x * y).sum();
        assert!(dot.abs() < 1e-10 * norm(&d));
    }

    #[test]
    fn the_plan_falls_back_to_matrix_free_and_names_sizes_when_nothing_fits() {
        // 12 000 × 2 000: J alone is 183 MiB; the primal form holds it twice while G is formed.
        let sizes = Sizes {
            rows: 12_000,
            cols: 2_000,
            chunk_rows: 256,
            threads: 2,
            tape_bytes: 0.0,
        };
        assert_eq!(
            plan(Asked::Auto, &sizes, 4096.0),
            Ok(Plan::Dense(Form::Primal))
        );
        assert_eq!(plan(Asked::Auto, &sizes, 100.0), Ok(Plan::MatrixFree));
        let e = plan(Asked::Auto, &sizes, 1.0).unwrap_err();
        assert!(e.to_string().contains("budget (1 MiB"), "{e}");
        let text = e.to_string();
        assert!(
            text.contains("primal form needs 397 MiB") && text.contains("matrix-free form 8.7 MiB"),
            "{text}"
        );
        let e = plan(Asked::Dense(Form::Dual), &sizes, 1000.0).unwrap_err();
        // The tapes count on both routes, twice on the matrix-free one.
        let taped = Sizes {
            tape_bytes: 64.0 * 1024.0 * 1024.0,
            ..sizes
        };
        let e2 = plan(Asked::Auto, &taped, 1.0).unwrap_err().to_string();
        assert!(
            e2.contains("primal form needs 461 MiB") && e2.contains("matrix-free form 136.7 MiB"),
            "{e2}"
        );
        assert!(e.to_string().contains("dual form needs 2380 MiB"), "{e}");
    }
}
