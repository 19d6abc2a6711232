//! Per-sample Jacobian rows of the DeepONet: row i·M + j is ∂/∂θ Σ_c a_c · channel_c at the
//! point (input i, coordinate j), for per-point cotangents a (channel-major like the outputs).
//!
//! One input's M rows are one block, filled from the saved forward state ([`OnetTape`]) in
//! three parts, every row on its own (no sums across rows, so the rows do not depend on how
//! the blocks are shared between threads):
//! - b₀: a_value;
//! - the trunk: T̄_k[j, q] = a_k[i, j]·b_q(v_i) pulled back through the trunk's layers at
//!   coordinate j, each layer's row gradient the outer product of its input and Z̄ there;
//! - the branch: B̄[j, q] = Σ_k a_k[i, j]·T_k[j, q] pulled back through the branch output map
//!   and the branch's layers, all M rows reading input i's forward state.

use super::kernel::{
    LayerTape, OnetTape, channel_map, input_cotangents, pullback, sized, times_weights_t,
};
use super::{BranchOut, DeepOnetShape, Dense};
use crate::pool;

/// Rows of ∂/∂θ Σ_c coeff[c·NM + r]·out[c·NM + r], r = i·M + j, for every point of the last
/// forward pass, into `rows` (NM × P row-major, overwritten).
pub fn per_sample_into(
    shape: &DeepOnetShape,
    theta: &[f64],
    tape: &OnetTape,
    coeff: &[f64],
    rows: &mut [f64],
) {
    let (m, p_all) = (tape.m_points, shape.n_params());
    debug_assert_eq!(rows.len(), tape.n_inputs * m * p_all);
    pool::for_each_piece(rows, m * p_all, |i, block| {
        input_rows(shape, theta, tape, coeff, i, block);
    });
}

/// J·v for the rows [`per_sample_into`] would write, one input's block at a time (no NM × P
/// matrix is stored; each thread's group of inputs reuses one block).
pub fn row_products(
    shape: &DeepOnetShape,
    theta: &[f64],
    tape: &OnetTape,
    coeff: &[f64],
    v: &[f64],
) -> Vec<f64> {
    let (n, m, p_all) = (tape.n_inputs, tape.m_points, shape.n_params());
    let mut out = vec![0.0; n * m];
    let group = n.div_ceil(pool::threads().max(1)).max(1);
    pool::for_each_piece(&mut out, group * m, |g, out| {
        let mut block = vec![0.0; m * p_all];
        for (k, out) in out.chunks_mut(m.max(1)).enumerate() {
            input_rows(shape, theta, tape, coeff, g * group + k, &mut block);
            for (o, row) in out.iter_mut().zip(block.chunks(p_all.max(1))) {
                *o = row.iter().zip(v).map(|(a, b)| a * b).sum();
            }
        }
    });
    out
}

/// Input i's M rows (M × P row-major, overwritten).
fn input_rows(
    shape: &DeepOnetShape,
    theta: &[f64],
    tape: &OnetTape,
    coeff: &[f64],
    i: usize,
    block: &mut [f64],
) {
    let ch = tape.channels.expect("Jacobian rows need a forward pass");
    let (_, map) = channel_map(ch);
    let (n, m, p, orders) = (tape.n_inputs, tape.m_points, shape.basis, tape.orders);
    let p_all = shape.n_params();
    let nm = n * m;
    block.fill(0.0);
    // a_k[j]: the cotangent of trunk channel k at (i, j).
    let mut a: [Vec<f64>; 3] = Default::default();
    for (k, slot) in map.iter().enumerate().take(orders) {
        let ak = sized(&mut a[k], m);
        if let Some(c) = *slot {
            ak.copy_from_slice(&coeff[c * nm + i * m..c * nm + (i + 1) * m]);
        }
    }
    for (j, row) in block.chunks_mut(p_all).enumerate() {
        row[shape.bias] = a[0][j];
    }
    // Trunk: T̄_k[j, q] = a_k[j]·b_q(v_i), M × p column-major.
    let mut abar: [Vec<f64>; 3] = Default::default();
    for k in 0..orders {
        let tb = sized(&mut abar[k], m * p);
        for q in 0..p {
            let bq = tape.b[q * n + i];
            for j in 0..m {
                tb[q * m + j] = a[k][j] * bq;
            }
        }
    }
    let mut zbar: [Vec<f64>; 3] = Default::default();
    for l in (0..shape.trunk.len()).rev() {
        let (d, lt) = (&shape.trunk[l], &tape.trunk[l]);
        pullback(m, d.fan_out, orders, lt, m, |j| j, &abar, &mut zbar);
        write_layer_rows(d, m, orders, lt, m, |j| j, &zbar, block, p_all);
        if l > 0 {
            let mut ibar: [Vec<f64>; 3] = Default::default();
            input_cotangents(d, theta, m, orders, &zbar, &mut ibar);
            abar = ibar;
        }
    }
    // Branch: B̄[j, q] = Σ_k a_k[j]·T_k[j, q], M × p column-major.
    let mut bbar = vec![0.0; m * p];
    for (ak, tk) in a.iter().zip(&tape.t).take(orders) {
        for q in 0..p {
            let t = &tk[q * m..(q + 1) * m];
            for ((bb, &ak), &tk) in bbar[q * m..(q + 1) * m].iter_mut().zip(ak).zip(t) {
                *bb += ak * tk;
            }
        }
    }
    let width_last = shape.branch.last().map_or(0, |d| d.fan_out);
    let h = |col: usize| tape.branch_h[col * n + i];
    let mut hbar = vec![0.0; m * width_last];
    match shape.branch_out {
        BranchOut::Blocks { a: at, width } => {
            for k in 0..p {
                for q in 0..width {
                    let col = k * width + q;
                    let (hv, coef) = (h(col), theta[at + col]);
                    for j in 0..m {
                        let g = bbar[k * m + j];
                        block[j * p_all + at + col] = g * hv;
                        hbar[col * m + j] = g * coef;
                    }
                }
            }
        }
        BranchOut::Dense(d) => {
            for j in 0..m {
                let row = &mut block[j * p_all..(j + 1) * p_all];
                for s in 0..d.fan_in {
                    let hs = h(s);
                    for t in 0..p {
                        row[d.w + s * p + t] = hs * bbar[t * m + j];
                    }
                }
                for t in 0..p {
                    row[d.b + t] = bbar[t * m + j];
                }
            }
            times_weights_t(&d, theta, m, &bbar, &mut hbar);
        }
    }
    let mut abar: [Vec<f64>; 3] = [hbar, Vec::new(), Vec::new()];
    for l in (0..shape.branch.len()).rev() {
        let (d, lt) = (&shape.branch[l], &tape.branch[l]);
        pullback(m, d.fan_out, 1, lt, n, |_| i, &abar, &mut zbar);
        write_layer_rows(d, m, 1, lt, n, |_| i, &zbar, block, p_all);
        if l > 0 {
            let mut ibar: [Vec<f64>; 3] = Default::default();
            input_cotangents(d, theta, m, 1, &zbar, &mut ibar);
            abar = ibar;
        }
    }
}

/// Row j's gradient of one dense layer: W̄[s, t] = Σ_k input_k[at(j), s]·Z̄_k[j, t] (θ's
/// row-major fan_in × fan_out) and b̄ = Z̄_value[j, ·], into row j of `block`.
#[allow(clippy::too_many_arguments)]
fn write_layer_rows(
    d: &Dense,
    rows: usize,
    orders: usize,
    lt: &LayerTape,
    tape_rows: usize,
    at: impl Fn(usize) -> usize,
    zbar: &[Vec<f64>; 3],
    block: &mut [f64],
    p_all: usize,
) {
    let (fi, fo) = (d.fan_in, d.fan_out);
    for j in 0..rows {
        let row = &mut block[j * p_all..(j + 1) * p_all];
        let tj = at(j);
        let w = &mut row[d.w..d.w + fi * fo];
        for (input, zb) in lt.input.iter().zip(zbar).take(orders) {
            for s in 0..fi {
                let x = input[s * tape_rows + tj];
                if x == 0.0 {
                    continue;
                }
                for (t, wv) in w[s * fo..(s + 1) * fo].iter_mut().enumerate() {
                    *wv += x * zb[t * rows + j];
                }
            }
        }
        for t in 0..fo {
            row[d.b + t] = zbar[0][t * rows + j];
        }
    }
}
