//! Blocked Cholesky factorization on the compute pool whose numbers do not depend on the
//! thread count: the matrix is cut into fixed blocks of [`BLOCK`] columns, each piece of work
//! (a diagonal block, rows of a panel, a block of trailing columns) runs sequentially on one
//! thread, and the pieces are the same whatever the number of threads. faer's own parallel
//! factorization splits its work by the thread count, so its round-off would change with
//! `--threads`.

use faer::linalg::matmul::matmul;
use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::{Accum, Mat, MatMut, MatRef, Par, Side};

use super::LinalgError;
use crate::pool;

/// Columns per block.
const BLOCK: usize = 128;
/// Panel rows per piece.
const PANEL_ROWS: usize = 128;

/// L with A + shift·I = LLᵀ (column-major, lower triangle; the upper part is scratch).
#[derive(Clone, Debug)]
pub struct Cholesky {
    n: usize,
    l: Vec<f64>,
}

impl Cholesky {
    /// Factor the symmetric `a` + `shift`·I (only its lower triangle is read). Fails when it is
    /// not numerically positive definite.
    pub fn factor(a: &Mat<f64>, shift: f64) -> Result<Self, LinalgError> {
        Self::factor_in_pieces(a, shift, PANEL_ROWS)
    }

    /// [`Self::factor`] with the panel solved in pieces of `panel_rows` rows (each row's solve
    /// is independent, so the factor does not depend on it: tested).
    fn factor_in_pieces(a: &Mat<f64>, shift: f64, panel_rows: usize) -> Result<Self, LinalgError> {
        // The pool sets faer's own parallelism (sequential) before the first diagonal block.
        pool::threads();
        let n = a.nrows();
        let mut l = vec![0.0; n * n];
        for j in 0..n {
            for i in j..n {
                l[j * n + i] = a[(i, j)];
            }
            l[j * n + j] += shift;
        }
        for j0 in (0..n).step_by(BLOCK) {
            let j1 = (j0 + BLOCK).min(n);
            let b = j1 - j0;
            let diag = Mat::from_fn(b, b, |i, k| l[(j0 + k) * n + j0 + i]);
            let factor = diag
                .llt(Side::Lower)
                .map_err(|_| LinalgError::NotPositiveDefinite)?;
            let ld = factor.L().to_owned();
            for k in 0..b {
                for i in k..b {
                    l[(j0 + k) * n + j0 + i] = ld[(i, k)];
                }
            }
            if j1 == n {
                break;
            }
            let (left, right) = l.split_at_mut(j1 * n);
            // Panel rows j1.. of columns j0..j1: P ← P L_D⁻ᵀ, in pieces of rows.
            {
                let panel =
                    MatMut::from_column_major_slice_with_stride_mut(&mut left[j0 * n..], n, b, n)
                        .subrows_mut(j1, n - j1);
                let mut pieces = Vec::new();
                let mut rest = panel;
                while rest.nrows() > panel_rows {
                    let (top, bottom) = rest.split_at_row_mut(panel_rows);
                    pieces.push(top);
                    rest = bottom;
                }
                pieces.push(rest);
                pool::for_each(&mut pieces, |piece| {
                    solve_lower_triangular_in_place(
                        ld.as_ref(),
                        piece.as_mut().transpose_mut(),
                        Par::Seq,
                    );
                });
            }
            // Trailing columns j1..n, in blocks: A[c0.., c0..c1] −= P[c0..] P[c0..c1]ᵀ.
            let panel = MatRef::from_column_major_slice_with_stride(&left[j0 * n..], n, b, n);
            pool::for_each_piece(right, BLOCK * n, |k, cols| {
                let (c0, w) = (j1 + k * BLOCK, cols.len() / n);
                let dst = MatMut::from_column_major_slice_mut(cols, n, w).subrows_mut(c0, n - c0);
                let lhs = panel.subrows(c0, n - c0);
                let rhs = panel.subrows(c0, w).transpose();
                matmul(dst, Accum::Add, lhs, rhs, -1.0, Par::Seq);
            });
        }
        if l.iter().step_by(n + 1).any(|d| !d.is_finite()) {
            return Err(LinalgError::NotPositiveDefinite);
        }
        Ok(Self { n, l })
    }

    /// x ← (LLᵀ)⁻¹x.
    pub fn solve_in_place(&self, x: &mut [f64]) {
        let l = MatRef::from_column_major_slice(&self.l, self.n, self.n);
        let mut rhs = MatMut::from_column_major_slice_mut(x, self.n, 1);
        solve_lower_triangular_in_place(l, rhs.as_mut(), Par::Seq);
        solve_upper_triangular_in_place(l.transpose(), rhs, Par::Seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_like_faer_across_several_blocks() {
        let n = 2 * BLOCK + 37;
        let a = Mat::from_fn(n + 5, n, |i, j| ((i * 7 + j * 13) as f64 * 0.01).sin());
        let g = a.transpose() * &a;
        let shift = 1e-3;
        let chol = Cholesky::factor(&g, shift).unwrap();
        let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.3).cos()).collect();
        let mut x = b.clone();
        chol.solve_in_place(&mut x);
        // Residual of (G + shift I) x = b.
        let mut worst: f64 = 0.0;
        for i in 0..n {
            let gx: f64 = (0..n).map(|j| g[(i, j)] * x[j]).sum::<f64>() + shift * x[i];
            worst = worst.max((gx - b[i]).abs());
        }
        assert!(worst < 1e-8, "residual {worst}");
        assert!(Cholesky::factor(&(-&g), 0.0).is_err());
    }

    #[test]
    fn the_panel_piece_size_does_not_change_the_factor() {
        // Sizes whose panels leave short last pieces of 1 to 127 rows under either cut.
        for n in [193, 200, 257, 300] {
            let a = Mat::from_fn(n + 9, n, |i, j| ((i * 5 + j * 11) as f64 * 0.013).sin());
            let g = a.transpose() * &a;
            let reference = Cholesky::factor_in_pieces(&g, 1e-3, 64).unwrap();
            for rows in [1, 37, 128, 300] {
                let other = Cholesky::factor_in_pieces(&g, 1e-3, rows).unwrap();
                let same = (0..n).all(|j| {
                    (j..n).all(|i| reference.l[j * n + i].to_bits() == other.l[j * n + i].to_bits())
                });
                assert!(same, "n = {n}: pieces of {rows} rows changed the factor");
            }
        }
    }
}
