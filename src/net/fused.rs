//! Fused f64 CPU kernel: the MLP forward pass with input-derivative channels, and its exact
//! reverse pass (vector–Jacobian product with respect to θ), written as a handful of matmuls
//! and branch-free elementwise loops.
//!
//! This is the CPU hot path. It computes the same function as the burn forward in
//! [`super::forward`] (tested against it and against finite differences), but without a
//! per-op dispatch cost, so the training step is bounded by arithmetic instead of overhead.
//!
//! Storage: every activation matrix is column-major with C·n rows (C channels stacked, n points
//! per channel) — row `c·n + i` is channel c of point i.

use faer::{Accum, MatMut, MatRef, Par, linalg::matmul::matmul};

use super::simd::simd_dispatch;
use super::{Channels, DerivOrder, MlpShape};

/// Saved forward state needed by [`backward`] and by per-sample Jacobians. Its buffers are
/// reused from call to call (see [`forward_into`]), so the hot loop allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct Tape {
    /// Points per channel.
    pub n: usize,
    pub channels: Option<Channels>,
    /// For every affine layer: its stacked input H (C·n × fan_in, column-major).
    pub inputs: Vec<Vec<f64>>,
    /// For every hidden layer: stacked pre-activation Z (C·n × fan_out).
    pub pre: Vec<Vec<f64>>,
    /// For every hidden layer: σ′, σ″, σ‴ at the value rows of Z (n × fan_out each).
    pub slopes: Vec<[Vec<f64>; 3]>,
    /// The output channels of the last forward pass (C·n, channel-major).
    pub out: Vec<f64>,
}

/// Scratch buffers of the reverse pass, reused from call to call.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    zbar: Vec<f64>,
    abar: Vec<f64>,
}

/// Output channels, channel-major: `out[c * n + i]` is channel c at point i.
pub type Outputs = Vec<f64>;

/// Stacked network input for points `x` (n × d, row-major): value rows hold x, the rows of
/// ∂/∂x_j hold the unit vector e_j, second-order rows are zero.
fn input_matrix(x: &[f64], n: usize, channels: Channels, h: &mut Vec<f64>) {
    let d = channels.dim;
    let cn = channels.count() * n;
    h.clear();
    h.resize(cn * d, 0.0);
    for k in 0..d {
        let col = &mut h[k * cn..(k + 1) * cn];
        for i in 0..n {
            col[i] = x[i * d + k];
        }
        if channels.has_first() {
            let row0 = channels.first(k) * n;
            col[row0..row0 + n].fill(1.0);
        }
    }
}

fn mat(buf: &[f64], rows: usize, cols: usize) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(buf, rows, cols)
}

fn mat_mut(buf: &mut [f64], rows: usize, cols: usize) -> MatMut<'_, f64> {
    MatMut::from_column_major_slice_mut(buf, rows, cols)
}

/// `v` resized to `len` (contents unspecified; callers overwrite every entry).
fn sized(v: &mut Vec<f64>, len: usize) -> &mut [f64] {
    v.resize(len, 0.0);
    &mut v[..len]
}

/// Forward pass. Returns the output channels and the tape for [`backward`].
///
/// # Shapes
/// - `x`: n × d points, row-major
/// - returns `out`: C·n (channel-major)
pub fn forward(shape: &MlpShape, theta: &[f64], x: &[f64], channels: Channels) -> (Outputs, Tape) {
    let mut tape = Tape::default();
    forward_into(shape, theta, x, channels, &mut tape);
    (tape.out.clone(), tape)
}

/// Forward pass without keeping a tape (evaluation only).
pub fn evaluate(shape: &MlpShape, theta: &[f64], x: &[f64], channels: Channels) -> Outputs {
    forward(shape, theta, x, channels).0
}

/// Forward pass into a reusable tape; the outputs are `tape.out`.
pub fn forward_into(
    shape: &MlpShape,
    theta: &[f64],
    x: &[f64],
    channels: Channels,
    tape: &mut Tape,
) {
    let d = channels.dim;
    debug_assert_eq!(d, shape.input_dim());
    let n = x.len() / d;
    let cn = channels.count() * n;
    let layers = shape.layers();
    let n_hidden = layers.len() - 1;
    tape.n = n;
    tape.channels = Some(channels);
    tape.inputs.resize_with(layers.len(), Vec::new);
    tape.pre.resize_with(n_hidden, Vec::new);
    tape.slopes.resize_with(n_hidden, Default::default);
    input_matrix(x, n, channels, &mut tape.inputs[0]);
    for (l, layer) in layers[..n_hidden].iter().enumerate() {
        let (fi, fo) = (layer.fan_in, layer.fan_out);
        let z = sized(&mut tape.pre[l], cn * fo);
        matmul(
            mat_mut(z, cn, fo),
            Accum::Replace,
            mat(&tape.inputs[l], cn, fi),
            MatRef::from_row_major_slice(layer.weights(theta), fi, fo),
            1.0,
            Par::Seq,
        );
        let [s1, s2, s3] = &mut tape.slopes[l];
        let (s1, s2, s3) = (sized(s1, n * fo), sized(s2, n * fo), sized(s3, n * fo));
        let a = sized(&mut tape.inputs[l + 1], cn * fo);
        activate_layer(
            shape.activation,
            channels,
            n,
            layer.bias(theta),
            z,
            a,
            s1,
            s2,
            s3,
        );
    }
    let last = layers[n_hidden];
    let (fi, fo) = (last.fan_in, last.fan_out);
    debug_assert_eq!(fo, 1, "scalar-output networks only");
    let kappa = shape.output_scale;
    let out = sized(&mut tape.out, cn * fo);
    matmul(
        mat_mut(out, cn, fo),
        Accum::Replace,
        mat(&tape.inputs[n_hidden], cn, fi),
        MatRef::from_row_major_slice(last.weights(theta), fi, fo),
        kappa,
        Par::Seq,
    );
    let b = last.bias(theta)[0] * kappa;
    for v in &mut out[..n] {
        *v += b;
    }
}

simd_dispatch! {
/// Bias, activation and derivative channels of one hidden layer (all columns).
fn activate_layer(
    act: super::Activation,
    ch: Channels,
    n: usize,
    bias: &[f64],
    z: &mut [f64],
    a: &mut [f64],
    s1: &mut [f64],
    s2: &mut [f64],
    s3: &mut [f64],
) {
    let cn = ch.count() * n;
    for (j, &b) in bias.iter().enumerate() {
        let zc = &mut z[j * cn..(j + 1) * cn];
        for v in &mut zc[..n] {
            *v += b;
        }
        let ac = &mut a[j * cn..(j + 1) * cn];
        let sc = j * n..(j + 1) * n;
        let (s1, s2, s3) = (&mut s1[sc.clone()], &mut s2[sc.clone()], &mut s3[sc]);
        act.eval_into(&zc[..n], &mut ac[..n], s1, s2, s3);
        propagate_column(ch, n, zc, ac, s1, s2);
    }
}
}

/// Derivative channels of one output column: a₁ = σ′z₁, a₂ = σ″z₁² + σ′z₂ (or the Laplacian
/// form a_Δ = σ″Σ_j z₁ⱼ² + σ′z_Δ). `z`, `a` are one column (C·n) of the stacked matrices.
#[inline(always)]
fn propagate_column(ch: Channels, n: usize, z: &[f64], a: &mut [f64], s1: &[f64], s2: &[f64]) {
    if !ch.has_first() {
        return;
    }
    let d = ch.dim;
    for k in 0..d {
        let r1 = ch.first(k) * n;
        for i in 0..n {
            a[r1 + i] = s1[i] * z[r1 + i];
        }
    }
    match ch.order {
        DerivOrder::SecondPerAxis => {
            for k in 0..d {
                let (r1, r2) = (ch.first(k) * n, ch.second(k) * n);
                for i in 0..n {
                    let z1 = z[r1 + i];
                    a[r2 + i] = s2[i] * z1 * z1 + s1[i] * z[r2 + i];
                }
            }
        }
        DerivOrder::Laplacian => {
            let rl = ch.laplacian() * n;
            for i in 0..n {
                a[rl + i] = s1[i] * z[rl + i];
            }
            for k in 0..d {
                let r1 = ch.first(k) * n;
                for i in 0..n {
                    let z1 = z[r1 + i];
                    a[rl + i] += s2[i] * z1 * z1;
                }
            }
        }
        DerivOrder::Value | DerivOrder::First => {}
    }
}

/// Reverse pass of one hidden column: from Ā (upstream gradient of the activated column) to Z̄.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn pullback_column(
    ch: Channels,
    n: usize,
    z: &[f64],
    abar: &[f64],
    zbar: &mut [f64],
    s1: &[f64],
    s2: &[f64],
    s3: &[f64],
) {
    for i in 0..n {
        zbar[i] = abar[i] * s1[i];
    }
    if !ch.has_first() {
        return;
    }
    let d = ch.dim;
    for k in 0..d {
        let r1 = ch.first(k) * n;
        for i in 0..n {
            zbar[r1 + i] = abar[r1 + i] * s1[i];
            zbar[i] += abar[r1 + i] * s2[i] * z[r1 + i];
        }
    }
    match ch.order {
        DerivOrder::SecondPerAxis => {
            for k in 0..d {
                let (r1, r2) = (ch.first(k) * n, ch.second(k) * n);
                for i in 0..n {
                    let (z1, g2) = (z[r1 + i], abar[r2 + i]);
                    zbar[r2 + i] = g2 * s1[i];
                    zbar[r1 + i] += 2.0 * g2 * s2[i] * z1;
                    zbar[i] += g2 * (s3[i] * z1 * z1 + s2[i] * z[r2 + i]);
                }
            }
        }
        DerivOrder::Laplacian => {
            let rl = ch.laplacian() * n;
            for i in 0..n {
                zbar[rl + i] = abar[rl + i] * s1[i];
                zbar[i] += abar[rl + i] * s2[i] * z[rl + i];
            }
            for k in 0..d {
                let r1 = ch.first(k) * n;
                for i in 0..n {
                    let (z1, gl) = (z[r1 + i], abar[rl + i]);
                    zbar[r1 + i] += 2.0 * gl * s2[i] * z1;
                    zbar[i] += gl * s3[i] * z1 * z1;
                }
            }
        }
        DerivOrder::Value | DerivOrder::First => {}
    }
}

/// Reverse pass: ∂/∂θ of Σ_{c,i} out_bar[c·n+i] · out[c·n+i], i.e. the gradient of any loss
/// whose derivative with respect to the output channels is `out_bar`.
pub fn backward(shape: &MlpShape, theta: &[f64], tape: &Tape, out_bar: &[f64]) -> Vec<f64> {
    let mut grad = vec![0.0; shape.n_params()];
    backward_into(
        shape,
        theta,
        tape,
        out_bar,
        &mut grad,
        &mut Scratch::default(),
    );
    grad
}

/// [`backward`] into a caller's gradient buffer (overwritten) with reusable scratch.
pub fn backward_into(
    shape: &MlpShape,
    theta: &[f64],
    tape: &Tape,
    out_bar: &[f64],
    grad: &mut [f64],
    scratch: &mut Scratch,
) {
    let n = tape.n;
    pullback(
        shape,
        theta,
        tape,
        out_bar,
        scratch,
        |layer, h, zbar, cn| accumulate_layer_grad(grad, layer, h, zbar, cn, n),
    );
}

/// The reverse pass proper: for every affine layer, from the output back, hands `sink` the
/// layer, its stacked input H and its pre-activation cotangent Z̄ (both C·n rows,
/// column-major). Parameter gradients are Hᵀ Z̄ and Σ Z̄[value rows]; per-sample Jacobian rows
/// are the same products taken one point at a time (see [`super::jacobian`]).
pub fn pullback(
    shape: &MlpShape,
    theta: &[f64],
    tape: &Tape,
    out_bar: &[f64],
    scratch: &mut Scratch,
    mut sink: impl FnMut(&super::LayerLayout, &[f64], &[f64], usize),
) {
    let ch = tape
        .channels
        .expect("backward needs a tape from a forward pass");
    let n = tape.n;
    let cn = ch.count() * n;
    let layers = shape.layers();
    let n_hidden = layers.len() - 1;
    let kappa = shape.output_scale;

    // Output layer: Z̄ = κ Ū.
    let last = layers[n_hidden];
    let zbar = sized(&mut scratch.zbar, cn);
    for (z, g) in zbar.iter_mut().zip(out_bar) {
        *z = g * kappa;
    }
    sink(&last, &tape.inputs[n_hidden], zbar, cn);
    input_pullback(&last, theta, zbar, cn, &mut scratch.abar);

    for l in (0..n_hidden).rev() {
        let layer = layers[l];
        let fo = layer.fan_out;
        let [s1, s2, s3] = &tape.slopes[l];
        let zbar = sized(&mut scratch.zbar, cn * fo);
        pullback_layer(ch, n, fo, &tape.pre[l], &scratch.abar, zbar, s1, s2, s3);
        sink(&layer, &tape.inputs[l], zbar, cn);
        if l > 0 {
            input_pullback(&layer, theta, zbar, cn, &mut scratch.abar);
        }
    }
}

simd_dispatch! {
/// Z̄ of one hidden layer (all columns) from Ā.
fn pullback_layer(
    ch: Channels,
    n: usize,
    fo: usize,
    z: &[f64],
    abar: &[f64],
    zbar: &mut [f64],
    s1: &[f64],
    s2: &[f64],
    s3: &[f64],
) {
    let cn = ch.count() * n;
    for j in 0..fo {
        let col = j * cn..(j + 1) * cn;
        let sc = j * n..(j + 1) * n;
        pullback_column(
            ch,
            n,
            &z[col.clone()],
            &abar[col.clone()],
            &mut zbar[col],
            &s1[sc.clone()],
            &s2[sc.clone()],
            &s3[sc],
        );
    }
}
}

/// W̄ = Hᵀ Z̄ and b̄ = Σ_i Z̄[value rows] for one layer, written into `grad`.
fn accumulate_layer_grad(
    grad: &mut [f64],
    layer: &super::LayerLayout,
    h: &[f64],
    zbar: &[f64],
    cn: usize,
    n: usize,
) {
    let (fi, fo) = (layer.fan_in, layer.fan_out);
    let (w_part, rest) = grad[layer.w_offset..].split_at_mut(fi * fo);
    matmul(
        MatMut::from_row_major_slice_mut(w_part, fi, fo),
        Accum::Replace,
        mat(h, cn, fi).transpose(),
        mat(zbar, cn, fo),
        1.0,
        Par::Seq,
    );
    let b_part = &mut rest[..fo];
    for (j, b) in b_part.iter_mut().enumerate() {
        *b = zbar[j * cn..j * cn + n].iter().sum();
    }
}

/// H̄ = Z̄ Wᵀ: the gradient flowing into a layer's stacked input, written into `hbar`.
fn input_pullback(
    layer: &super::LayerLayout,
    theta: &[f64],
    zbar: &[f64],
    cn: usize,
    hbar: &mut Vec<f64>,
) {
    let (fi, fo) = (layer.fan_in, layer.fan_out);
    matmul(
        mat_mut(sized(hbar, cn * fi), cn, fi),
        Accum::Replace,
        mat(zbar, cn, fo),
        MatRef::from_row_major_slice(layer.weights(theta), fi, fo).transpose(),
        1.0,
        Par::Seq,
    );
}
