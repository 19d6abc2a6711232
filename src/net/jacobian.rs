//! Per-sample Jacobians in one reverse pass (DESIGN §1.3).
//!
//! Every output row depends on one point only, so a single reverse pass with per-point
//! cotangents a_{c,i} gives every point's pre-activation sensitivities Z̄ at once; row i of the
//! Jacobian of Σ_c a_{c,i} · channel_c(x_i; θ) is then, per layer, Σ_c H[c,i]ᵀ ⊗ Z̄[c,i] for the
//! weights and Z̄[value,i] for the bias — outer products written straight into the f64 matrix.
//! With a = ∂r_i/∂channels this is J_res; with a = e_value it is S (rows ∇_θ u(x_i)).

use super::fused::{Scratch, Tape, pullback};
use super::simd::simd_dispatch;
use super::{LayerLayout, MlpShape};

/// A dense row-major matrix of per-sample gradients (rows: points, columns: θ).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Jacobian {
    pub rows: usize,
    pub cols: usize,
    /// Row-major entries, `data[i * cols + k]`.
    pub data: Vec<f64>,
}

impl Jacobian {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Row i.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Mutable row i.
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// A faer view (row-major strides).
    pub fn as_mat(&self) -> faer::MatRef<'_, f64> {
        faer::MatRef::from_row_major_slice(&self.data, self.rows, self.cols)
    }

    /// The entries in column-major order (`out[k * rows + i]` = J[i, k]), copied in tiles on
    /// the pool (a plain copy: the same at any thread count).
    pub fn to_column_major(&self) -> Vec<f64> {
        const COLS: usize = 64;
        const TILE: usize = 64;
        let (m, n) = (self.rows, self.cols);
        let mut out = vec![0.0; m * n];
        if m == 0 {
            return out;
        }
        crate::pool::for_each_piece(&mut out, COLS * m, |k, piece| {
            let k0 = k * COLS;
            for i0 in (0..m).step_by(TILE) {
                let i1 = (i0 + TILE).min(m);
                for (kk, column) in piece.chunks_mut(m).enumerate() {
                    for (o, i) in column[i0..i1].iter_mut().zip(i0..i1) {
                        *o = self.data[i * n + k0 + kk];
                    }
                }
            }
        });
        out
    }

    /// Stack `other` below `self` with each of its rows multiplied by `weight`.
    pub fn stack_scaled(&mut self, other: &Jacobian, weight: f64) {
        debug_assert_eq!(self.cols, other.cols);
        self.data.extend(other.data.iter().map(|v| v * weight));
        self.rows += other.rows;
    }

    /// Multiply every entry by `factor`.
    pub fn scale(&mut self, factor: f64) {
        for v in &mut self.data {
            *v *= factor;
        }
    }

    /// J v (length rows), on the pool in fixed pieces of 64 rows, each row's dot product in
    /// order: the same numbers at any thread count.
    pub fn apply(&self, v: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.rows];
        crate::pool::for_each_piece(&mut out, 64, |k, o| {
            for (i, oi) in o.iter_mut().enumerate() {
                *oi = self.row(k * 64 + i).iter().zip(v).map(|(a, b)| a * b).sum();
            }
        });
        out
    }

    /// Jᵀ w (length cols).
    pub fn apply_transpose(&self, w: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.cols];
        for (i, &wi) in w.iter().enumerate() {
            for (o, a) in out.iter_mut().zip(self.row(i)) {
                *o += wi * a;
            }
        }
        out
    }
}

/// Reusable buffers for [`per_sample`].
#[derive(Clone, Debug, Default)]
pub struct JacobianScratch {
    pullback: Scratch,
    h_t: Vec<f64>,
    z_t: Vec<f64>,
}

/// Rows i of ∂/∂θ [Σ_c coeff[c·n+i] · out[c·n+i]] for the points of `tape`, written into `jac`
/// (resized to n × p).
pub fn per_sample(
    shape: &MlpShape,
    theta: &[f64],
    tape: &Tape,
    coeff: &[f64],
    jac: &mut Jacobian,
    scratch: &mut JacobianScratch,
) {
    let n = tape.n;
    let p = shape.n_params();
    jac.rows = n;
    jac.cols = p;
    jac.data.clear();
    jac.data.resize(n * p, 0.0);
    per_sample_rows(shape, theta, tape, coeff, &mut jac.data, scratch);
}

/// [`per_sample`] into `rows` (n × p row-major, zero on entry): the rows of one chunk of
/// points written straight into their place in a larger Jacobian.
pub fn per_sample_rows(
    shape: &MlpShape,
    theta: &[f64],
    tape: &Tape,
    coeff: &[f64],
    rows: &mut [f64],
    scratch: &mut JacobianScratch,
) {
    let n = tape.n;
    let c = tape
        .channels
        .expect("Jacobian needs a tape from a forward pass")
        .count();
    let p = shape.n_params();
    debug_assert_eq!(rows.len(), n * p);
    let JacobianScratch {
        pullback: pb,
        h_t,
        z_t,
    } = scratch;
    pullback(shape, theta, tape, coeff, pb, |layer, h, zbar, cn| {
        // Sample-major copies: h_t[(i·C + c)·fi + a], z_t[(i·C + c)·fo + b].
        transpose_blocks(h, cn, layer.fan_in, n, c, h_t);
        transpose_blocks(zbar, cn, layer.fan_out, n, c, z_t);
        write_rows(*layer, n, c, p, h_t, z_t, rows);
    });
}

/// Column-major (C·n × cols) → sample-major [(i·C + c)·cols + j].
fn transpose_blocks(src: &[f64], cn: usize, cols: usize, n: usize, c: usize, dst: &mut Vec<f64>) {
    dst.clear();
    dst.resize(cn * cols, 0.0);
    for j in 0..cols {
        let col = &src[j * cn..(j + 1) * cn];
        for ch in 0..c {
            for i in 0..n {
                dst[(i * c + ch) * cols + j] = col[ch * n + i];
            }
        }
    }
}

simd_dispatch! {
/// The weight and bias blocks of every row for one layer.
fn write_rows(
    layer: LayerLayout,
    n: usize,
    c: usize,
    p: usize,
    h_t: &[f64],
    z_t: &[f64],
    jac: &mut [f64],
) {
    let (fi, fo) = (layer.fan_in, layer.fan_out);
    for i in 0..n {
        let row = &mut jac[i * p..(i + 1) * p];
        for a in 0..fi {
            let dst = &mut row[layer.w_offset + a * fo..layer.w_offset + (a + 1) * fo];
            for ch in 0..c {
                let coef = h_t[(i * c + ch) * fi + a];
                if coef == 0.0 {
                    continue;
                }
                let z = &z_t[(i * c + ch) * fo..(i * c + ch + 1) * fo];
                for (d, zv) in dst.iter_mut().zip(z) {
                    *d += coef * zv;
                }
            }
        }
        row[layer.b_offset..layer.b_offset + fo]
            .copy_from_slice(&z_t[i * c * fo..(i * c + 1) * fo]);
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Activation, ActivationKind, Channels, DerivOrder, InitKind, fused};

    /// Sizes that leave short last tiles and pieces in both directions.
    #[test]
    fn the_column_major_copy_holds_every_entry_in_its_place() {
        for (rows, cols) in [(0, 5), (1, 1), (130, 70), (64, 129)] {
            let j = Jacobian {
                rows,
                cols,
                data: (0..rows * cols).map(|k| k as f64).collect(),
            };
            let c = j.to_column_major();
            assert_eq!(c.len(), rows * cols);
            for i in 0..rows {
                for k in 0..cols {
                    assert_eq!(
                        c[k * rows + i],
                        j.row(i)[k],
                        "({i}, {k}) of {rows} × {cols}"
                    );
                }
            }
        }
    }

    /// Rows of the Jacobian match central differences of the weighted channel sums.
    #[test]
    fn rows_match_finite_differences() {
        let shape = MlpShape::new(
            vec![2, 5, 4, 1],
            Activation::plain(ActivationKind::Tanh),
            0.7,
        );
        let theta = shape.init(InitKind::XavierNormal, 3);
        let x = [0.1, -0.4, 0.7, 0.2, -0.9, 0.5];
        let ch = Channels::new(2, DerivOrder::SecondPerAxis);
        let n = 3;
        let coeff: Vec<f64> = (0..ch.count() * n).map(|k| 0.3 + 0.1 * k as f64).collect();
        let (_, tape) = fused::forward(&shape, &theta, &x, ch);
        let mut jac = Jacobian::default();
        per_sample(
            &shape,
            &theta,
            &tape,
            &coeff,
            &mut jac,
            &mut JacobianScratch::default(),
        );
        let f = |t: &[f64]| -> Vec<f64> {
            let out = fused::evaluate(&shape, t, &x, ch);
            (0..n)
                .map(|i| {
                    (0..ch.count())
                        .map(|c| coeff[c * n + i] * out[c * n + i])
                        .sum()
                })
                .collect()
        };
        let h = 1e-6;
        for k in 0..shape.n_params() {
            let (mut tp, mut tm) = (theta.clone(), theta.clone());
            tp[k] += h;
            tm[k] -= h;
            let (fp, fm) = (f(&tp), f(&tm));
            for i in 0..n {
                let fd = (fp[i] - fm[i]) / (2.0 * h);
                let got = jac.row(i)[k];
                assert!(
                    (fd - got).abs() < 1e-7 * (1.0 + fd.abs()),
                    "row {i} param {k}: {got} vs {fd}"
                );
            }
        }
        // The column sums are the gradient of the summed output.
        let grad = fused::backward(&shape, &theta, &tape, &coeff);
        let sums = jac.apply_transpose(&vec![1.0; n]);
        for (a, b) in grad.iter().zip(&sums) {
            assert!((a - b).abs() < 1e-12 * (1.0 + a.abs()));
        }
    }
}
