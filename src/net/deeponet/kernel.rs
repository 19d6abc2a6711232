//! The DeepONet's forward and reverse passes on an [`OperatorPoints`] batch: dense layers as
//! faer products over whole blocks, the trunk carrying the y-derivative channels, the branch
//! evaluated once per input and broadcast over coordinates; [`OnetTape`] keeps what the reverse
//! pass needs and reuses its buffers from call to call.

use faer::{Accum, MatMut, MatRef, Par, linalg::matmul::matmul};

use super::{BranchOut, DeepOnetShape, Dense, OperatorPoints};
use crate::net::{Activation, Channels, DerivOrder};

/// Column-major matrix views.
pub(super) fn mat(buf: &[f64], rows: usize, cols: usize) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(buf, rows, cols)
}
pub(super) fn mat_mut(buf: &mut [f64], rows: usize, cols: usize) -> MatMut<'_, f64> {
    MatMut::from_column_major_slice_mut(buf, rows, cols)
}
pub(super) fn row_major(buf: &[f64], rows: usize, cols: usize) -> MatRef<'_, f64> {
    MatRef::from_row_major_slice(buf, rows, cols)
}
pub(super) fn sized(v: &mut Vec<f64>, len: usize) -> &mut [f64] {
    v.clear();
    v.resize(len, 0.0);
    &mut v[..]
}

/// One layer's forward state: channel k (0 value, 1 first, 2 second derivative) of its input,
/// pre-activation and activation, each rows × width column-major, and σ′, σ″, σ‴ at Z.
#[derive(Clone, Debug, Default)]
pub(super) struct LayerTape {
    /// Input channels (rows × fan_in).
    pub(super) input: [Vec<f64>; 3],
    /// Pre-activation channels (rows × fan_out).
    pub(super) pre: [Vec<f64>; 3],
    /// σ′, σ″, σ‴ at the value pre-activation.
    pub(super) slopes: [Vec<f64>; 3],
}

/// Saved forward state for [`backward_into`] and the Jacobian rows; buffers are reused from call
/// to call.
#[derive(Clone, Debug, Default)]
pub struct OnetTape {
    pub(super) n_inputs: usize,
    pub(super) m_points: usize,
    /// Derivative channels carried (1, 2 or 3).
    pub(super) orders: usize,
    pub(super) channels: Option<Channels>,
    pub(super) trunk: Vec<LayerTape>,
    /// Trunk outputs T, per derivative channel (M × p).
    pub(super) t: [Vec<f64>; 3],
    pub(super) branch: Vec<LayerTape>,
    /// Last branch activation (N × width of the last hidden layer).
    pub(super) branch_h: Vec<f64>,
    /// Branch outputs B (N × p).
    pub(super) b: Vec<f64>,
    /// Outputs, channel-major over the N·M points.
    pub out: Vec<f64>,
}

impl OnetTape {
    /// (input, coordinate) pairs of the last forward pass.
    pub fn points(&self) -> usize {
        self.n_inputs * self.m_points
    }
}

/// Derivative channels (1 value, 2 + first, 3 + second) a channel layout in one dimension
/// needs, and where channel k of the trunk lands (`None`: not carried).
pub(super) fn channel_map(ch: Channels) -> (usize, [Option<usize>; 3]) {
    assert_eq!(
        ch.dim, 1,
        "DeepONet outputs carry y-derivatives in one dimension"
    );
    match ch.order {
        DerivOrder::Value => (1, [Some(0), None, None]),
        DerivOrder::First => (2, [Some(0), Some(ch.first(0)), None]),
        DerivOrder::SecondPerAxis => (3, [Some(0), Some(ch.first(0)), Some(ch.second(0))]),
        DerivOrder::Laplacian => (3, [Some(0), Some(ch.first(0)), Some(ch.laplacian())]),
    }
}

/// One activated layer forward over `rows` rows with `orders` derivative channels (first and
/// second channels carry no bias).
fn dense_forward(
    act: Activation,
    d: &Dense,
    theta: &[f64],
    rows: usize,
    orders: usize,
    lt: &mut LayerTape,
    out: &mut [Vec<f64>; 3],
) {
    let (fi, fo) = (d.fan_in, d.fan_out);
    let w = row_major(d.weights(theta), fi, fo);
    for k in 0..orders {
        let z = sized(&mut lt.pre[k], rows * fo);
        matmul(
            mat_mut(z, rows, fo),
            Accum::Replace,
            mat(&lt.input[k], rows, fi),
            w,
            1.0,
            Par::Seq,
        );
    }
    let len = rows * fo;
    for (j, &bj) in d.bias(theta).iter().enumerate() {
        for v in &mut lt.pre[0][j * rows..(j + 1) * rows] {
            *v += bj;
        }
    }
    let a0 = sized(&mut out[0], len);
    let [s1, s2, s3] = &mut lt.slopes;
    let (s1, s2, s3) = (sized(s1, len), sized(s2, len), sized(s3, len));
    act.eval_into(&lt.pre[0], a0, s1, s2, s3);
    if orders > 1 {
        let a1 = sized(&mut out[1], len);
        for ((a, &z1), &g1) in a1.iter_mut().zip(&lt.pre[1]).zip(s1.iter()) {
            *a = g1 * z1;
        }
    }
    if orders > 2 {
        let a2 = sized(&mut out[2], len);
        for (i, a) in a2.iter_mut().enumerate() {
            let z1 = lt.pre[1][i];
            *a = s2[i] * z1 * z1 + s1[i] * lt.pre[2][i];
        }
    }
}

/// Z̄ from Ā through σ for `rows` rows of `fo` units and `orders` channels (rows × fo
/// column-major), reading row j's forward state from tape row `at(j)` of a tape with
/// `tape_rows` rows (the identity for a layer's own rows; a fixed row to broadcast one input).
#[allow(clippy::too_many_arguments)]
pub(super) fn pullback(
    rows: usize,
    fo: usize,
    orders: usize,
    lt: &LayerTape,
    tape_rows: usize,
    at: impl Fn(usize) -> usize,
    abar: &[Vec<f64>; 3],
    zbar: &mut [Vec<f64>; 3],
) {
    let len = rows * fo;
    let [s1, s2, s3] = &lt.slopes;
    let [z0, z1bar, z2bar] = zbar;
    let z0 = sized(z0, len);
    let z1bar = if orders > 1 {
        sized(z1bar, len)
    } else {
        &mut [][..]
    };
    let z2bar = if orders > 2 {
        sized(z2bar, len)
    } else {
        &mut [][..]
    };
    for t in 0..fo {
        for j in 0..rows {
            let (i, ti) = (t * rows + j, t * tape_rows + at(j));
            let mut g = abar[0][i] * s1[ti];
            if orders > 1 {
                g += abar[1][i] * s2[ti] * lt.pre[1][ti];
            }
            if orders > 2 {
                let z1 = lt.pre[1][ti];
                g += abar[2][i] * (s3[ti] * z1 * z1 + s2[ti] * lt.pre[2][ti]);
            }
            z0[i] = g;
            if orders > 1 {
                let mut g = abar[1][i] * s1[ti];
                if orders > 2 {
                    g += abar[2][i] * 2.0 * s2[ti] * lt.pre[1][ti];
                }
                z1bar[i] = g;
            }
            if orders > 2 {
                z2bar[i] = abar[2][i] * s1[ti];
            }
        }
    }
}

/// The reverse of [`dense_forward`]: from the activation cotangents `abar` (per channel) to
/// the input cotangents (`ibar`, when asked) and the layer's parameter gradient.
#[allow(clippy::too_many_arguments)]
fn dense_backward(
    d: &Dense,
    theta: &[f64],
    rows: usize,
    orders: usize,
    lt: &LayerTape,
    abar: &[Vec<f64>; 3],
    zbar: &mut [Vec<f64>; 3],
    ibar: Option<&mut [Vec<f64>; 3]>,
    grad: &mut [f64],
) {
    let (fi, fo) = (d.fan_in, d.fan_out);
    pullback(rows, fo, orders, lt, rows, |j| j, abar, zbar);
    // W̄ (row-major fan_in × fan_out) = Σ_k H_kᵀ Z̄_k: as column-major fan_out × fan_in it is
    // Σ_k Z̄_kᵀ H_k.
    let mut gw = MatMut::from_column_major_slice_mut(&mut grad[d.w..d.w + fi * fo], fo, fi);
    for (zb, input) in zbar.iter().zip(&lt.input).take(orders) {
        matmul(
            gw.as_mut(),
            Accum::Add,
            mat(zb, rows, fo).transpose(),
            mat(input, rows, fi),
            1.0,
            Par::Seq,
        );
    }
    for j in 0..fo {
        grad[d.b + j] += zbar[0][j * rows..(j + 1) * rows].iter().sum::<f64>();
    }
    if let Some(ibar) = ibar {
        input_cotangents(d, theta, rows, orders, zbar, ibar);
    }
}

/// The layer's input cotangents Ī_k = Z̄_k Wᵀ (rows × fan_in per channel).
pub(super) fn input_cotangents(
    d: &Dense,
    theta: &[f64],
    rows: usize,
    orders: usize,
    zbar: &[Vec<f64>; 3],
    ibar: &mut [Vec<f64>; 3],
) {
    for (ib, zb) in ibar.iter_mut().zip(zbar).take(orders) {
        times_weights_t(d, theta, rows, zb, ib);
    }
}

/// X Wᵀ (rows × fan_in) for X (rows × fan_out), both column-major, into `out`.
pub(super) fn times_weights_t(
    d: &Dense,
    theta: &[f64],
    rows: usize,
    x: &[f64],
    out: &mut Vec<f64>,
) {
    let (fi, fo) = (d.fan_in, d.fan_out);
    matmul(
        mat_mut(sized(out, rows * fi), rows, fi),
        Accum::Replace,
        mat(x, rows, fo),
        row_major(d.weights(theta), fi, fo).transpose(),
        1.0,
        Par::Seq,
    );
}

/// Forward pass over `points` with the channels `channels` (one dimension); the outputs are
/// `tape.out`.
pub fn forward_into(
    shape: &DeepOnetShape,
    theta: &[f64],
    points: &OperatorPoints,
    channels: Channels,
    tape: &mut OnetTape,
) {
    let (orders, map) = channel_map(channels);
    let (n, m, p) = (points.n_inputs(), points.y.len(), shape.basis);
    debug_assert_eq!(points.sensors, shape.sensors);
    tape.n_inputs = n;
    tape.m_points = m;
    tape.orders = orders;
    tape.channels = Some(channels);
    let act = shape.activation;
    // Trunk: y, then 1, then 0 as the input channels.
    tape.trunk
        .resize_with(shape.trunk.len(), LayerTape::default);
    {
        let first = &mut tape.trunk[0];
        first.input[0].clone_from(&points.y);
        if orders > 1 {
            sized(&mut first.input[1], m).fill(1.0);
        }
        if orders > 2 {
            sized(&mut first.input[2], m);
        }
    }
    for l in 0..shape.trunk.len() {
        let mut next: [Vec<f64>; 3] = Default::default();
        dense_forward(
            act,
            &shape.trunk[l],
            theta,
            m,
            orders,
            &mut tape.trunk[l],
            &mut next,
        );
        if l + 1 < shape.trunk.len() {
            tape.trunk[l + 1].input = next;
        } else {
            tape.t = next;
        }
    }
    // Branch: value only.
    tape.branch
        .resize_with(shape.branch.len(), LayerTape::default);
    tape.branch[0].input[0].clear();
    tape.branch[0].input[0].resize(n * shape.sensors, 0.0);
    // Sensors arrive row-major N × m; the layer reads column-major N × m.
    for i in 0..n {
        for s in 0..shape.sensors {
            tape.branch[0].input[0][s * n + i] = points.inputs[i * shape.sensors + s];
        }
    }
    for l in 0..shape.branch.len() {
        let mut next: [Vec<f64>; 3] = Default::default();
        dense_forward(
            act,
            &shape.branch[l],
            theta,
            n,
            1,
            &mut tape.branch[l],
            &mut next,
        );
        let [h, _, _] = next;
        if l + 1 < shape.branch.len() {
            tape.branch[l + 1].input[0] = h;
        } else {
            tape.branch_h = h;
        }
    }
    let b = sized(&mut tape.b, n * p);
    match shape.branch_out {
        BranchOut::Blocks { a, width } => {
            let a = &theta[a..a + p * width];
            for k in 0..p {
                for q in 0..width {
                    let coef = a[k * width + q];
                    let col = &tape.branch_h[(k * width + q) * n..(k * width + q + 1) * n];
                    for (bi, &h) in b[k * n..(k + 1) * n].iter_mut().zip(col) {
                        *bi += coef * h;
                    }
                }
            }
        }
        BranchOut::Dense(d) => {
            matmul(
                mat_mut(b, n, p),
                Accum::Replace,
                mat(&tape.branch_h, n, d.fan_in),
                row_major(d.weights(theta), d.fan_in, p),
                1.0,
                Par::Seq,
            );
            for (k, &c) in d.bias(theta).iter().enumerate() {
                for v in &mut b[k * n..(k + 1) * n] {
                    *v += c;
                }
            }
        }
    }
    // Outputs: channel c is T_c Bᵀ (M × N column-major = input-major points).
    let cnt = channels.count();
    let out = sized(&mut tape.out, cnt * n * m);
    let b0 = theta[shape.bias];
    for (k, slot) in map.iter().enumerate() {
        let Some(c) = *slot else { continue };
        let block = &mut out[c * n * m..(c + 1) * n * m];
        matmul(
            mat_mut(block, m, n),
            Accum::Replace,
            mat(&tape.t[k], m, p),
            mat(&tape.b, n, p).transpose(),
            1.0,
            Par::Seq,
        );
        if k == 0 {
            for v in block.iter_mut() {
                *v += b0;
            }
        }
    }
}

/// Outputs only (evaluation).
pub fn evaluate(
    shape: &DeepOnetShape,
    theta: &[f64],
    points: &OperatorPoints,
    channels: Channels,
) -> Vec<f64> {
    let mut tape = OnetTape::default();
    forward_into(shape, theta, points, channels, &mut tape);
    tape.out
}

/// Reverse pass: `grad` (overwritten) = ∂/∂θ Σ out_bar·out of the last forward pass.
pub fn backward_into(
    shape: &DeepOnetShape,
    theta: &[f64],
    tape: &OnetTape,
    out_bar: &[f64],
    grad: &mut [f64],
) {
    let ch = tape.channels.expect("backward needs a forward pass");
    let (_, map) = channel_map(ch);
    let (n, m, p, orders) = (tape.n_inputs, tape.m_points, shape.basis, tape.orders);
    grad.fill(0.0);
    // T̄_k = Ū_k B (M × p), B̄ = Σ_k Ū_kᵀ T_k (N × p), b̄₀ = Σ Ū_value.
    let mut tbar: [Vec<f64>; 3] = Default::default();
    let mut bbar = vec![0.0; n * p];
    for (k, slot) in map.iter().enumerate().take(orders) {
        let tb = sized(&mut tbar[k], m * p);
        let Some(c) = *slot else { continue };
        let ub = &out_bar[c * n * m..(c + 1) * n * m];
        matmul(
            mat_mut(tb, m, p),
            Accum::Replace,
            mat(ub, m, n),
            mat(&tape.b, n, p),
            1.0,
            Par::Seq,
        );
        matmul(
            mat_mut(&mut bbar, n, p),
            Accum::Add,
            mat(ub, m, n).transpose(),
            mat(&tape.t[k], m, p),
            1.0,
            Par::Seq,
        );
        if k == 0 {
            grad[shape.bias] = ub.iter().sum();
        }
    }
    // Trunk, from its output back.
    let mut abar = tbar;
    let mut zbar: [Vec<f64>; 3] = Default::default();
    for l in (0..shape.trunk.len()).rev() {
        let mut ibar: [Vec<f64>; 3] = Default::default();
        let want_input = l > 0;
        dense_backward(
            &shape.trunk[l],
            theta,
            m,
            orders,
            &tape.trunk[l],
            &abar,
            &mut zbar,
            want_input.then_some(&mut ibar),
            grad,
        );
        abar = ibar;
    }
    // Branch output map, then the branch's layers.
    let width_last = shape.branch.last().map_or(0, |d| d.fan_out);
    let mut hbar = vec![0.0; n * width_last];
    match shape.branch_out {
        BranchOut::Blocks { a, width } => {
            for k in 0..p {
                let bcol = &bbar[k * n..(k + 1) * n];
                for q in 0..width {
                    let j = k * width + q;
                    let coef = theta[a + j];
                    let h = &tape.branch_h[j * n..(j + 1) * n];
                    grad[a + j] += bcol.iter().zip(h).map(|(g, h)| g * h).sum::<f64>();
                    for (hb, &g) in hbar[j * n..(j + 1) * n].iter_mut().zip(bcol) {
                        *hb = g * coef;
                    }
                }
            }
        }
        BranchOut::Dense(d) => {
            let gw = MatMut::from_column_major_slice_mut(
                &mut grad[d.w..d.w + d.fan_in * p],
                p,
                d.fan_in,
            );
            matmul(
                gw,
                Accum::Add,
                mat(&bbar, n, p).transpose(),
                mat(&tape.branch_h, n, d.fan_in),
                1.0,
                Par::Seq,
            );
            for k in 0..p {
                grad[d.b + k] += bbar[k * n..(k + 1) * n].iter().sum::<f64>();
            }
            times_weights_t(&d, theta, n, &bbar, &mut hbar);
        }
    }
    let mut abar: [Vec<f64>; 3] = [hbar, Vec::new(), Vec::new()];
    for l in (0..shape.branch.len()).rev() {
        let mut ibar: [Vec<f64>; 3] = Default::default();
        dense_backward(
            &shape.branch[l],
            theta,
            n,
            1,
            &tape.branch[l],
            &abar,
            &mut zbar,
            (l > 0).then_some(&mut ibar),
            grad,
        );
        abar = ibar;
    }
}
