//! DeepONet (Lu et al. 2021): G_θ(v)(y) = Σ_k b_k(v)·t_k(y) + b₀ on a batch of N input
//! functions v (sampled at m sensors) times M coordinates y in one dimension, with the
//! y-derivative channels (u_y, u_yy) flowing through the trunk only.
//!
//! Two forms:
//! - [`DeepOnetForm::Paper`], the homotopy paper's eq. 61: trunk t_k = σ(w_k y + b_k), one unit
//!   per basis function; branch b_k(v) = Σ_i a_i^k σ(ξ_i^k·v + c_i^k), a shallow net of `width`
//!   units per basis function (one dense layer m → p·width, then a block sum).
//! - [`DeepOnetForm::Stacked`], the common form: branch MLP m → hidden… → p (linear output with
//!   bias), trunk MLP 1 → hidden… → p with σ on every layer, the last included.
//!
//! θ is one flat vector: the trunk's layers (W row-major fan_in × fan_out, then b), the branch's
//! hidden layers, the branch output (eq. 61: the p·width coefficients a; stacked: W and b), and
//! b₀ last. Outputs are channel-major like the MLP's ([`super::fused`]): channel c of input i
//! at coordinate j sits at `out[c·N·M + i·M + j]` (input-major points).
//!
//! The forward pass keeps what the reverse pass needs in a [`OnetTape`]; [`backward_into`]
//! gives ∂/∂θ of Σ out_bar·out. Per-sample Jacobians are not provided: an operator batch has
//! N·M rows, and the Jacobian-based methods refuse the model by name upstream.

use faer::{Accum, MatMut, MatRef, Par, linalg::matmul::matmul};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::{Activation, Channels, DerivOrder};

/// Which DeepONet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DeepOnetForm {
    /// Eq. 61: a single trunk layer of p units and a shallow branch of `width` units per
    /// basis function.
    Paper { width: usize },
    /// Dense branch and trunk MLPs with these hidden widths (their outputs have p units).
    Stacked {
        branch_hidden: Vec<usize>,
        trunk_hidden: Vec<usize>,
    },
}

/// One dense layer's place in θ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dense {
    fan_in: usize,
    fan_out: usize,
    w: usize,
    b: usize,
}

impl Dense {
    fn weights<'a>(&self, theta: &'a [f64]) -> &'a [f64] {
        &theta[self.w..self.w + self.fan_in * self.fan_out]
    }
    fn bias<'a>(&self, theta: &'a [f64]) -> &'a [f64] {
        &theta[self.b..self.b + self.fan_out]
    }
}

/// The branch's last map from its hidden units to the p coefficients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BranchOut {
    /// b_k = Σ_i a[k·width + i]·h[k·width + i] (eq. 61; no bias).
    Blocks { a: usize, width: usize },
    /// b = h W + c (linear).
    Dense(Dense),
}

/// Sizes, activation and θ layout of a DeepONet.
#[derive(Clone, Debug, PartialEq)]
pub struct DeepOnetShape {
    pub form: DeepOnetForm,
    /// Sensors m (samples of each input function).
    pub sensors: usize,
    /// Basis functions p.
    pub basis: usize,
    pub activation: Activation,
    /// When set, the first trunk layer starts as basis functions spread over [0, 1]: slopes
    /// w_k ~ N(0, spread²) and centres c_k = (k + ½)/units evenly (b_k = −w_k c_k) instead of
    /// Xavier weights and zero biases (see [`Self::init`]).
    pub trunk_spread: Option<f64>,
    trunk: Vec<Dense>,
    branch: Vec<Dense>,
    branch_out: BranchOut,
    bias: usize,
    n_params: usize,
}

fn layers(widths: &[usize], offset: &mut usize) -> Vec<Dense> {
    widths
        .windows(2)
        .map(|w| {
            let d = Dense {
                fan_in: w[0],
                fan_out: w[1],
                w: *offset,
                b: *offset + w[0] * w[1],
            };
            *offset = d.b + d.fan_out;
            d
        })
        .collect()
}

impl DeepOnetShape {
    /// The shape for `sensors` sensors and `basis` basis functions (all sizes ≥ 1; the config
    /// layer validates them before calling).
    pub fn new(form: DeepOnetForm, sensors: usize, basis: usize, activation: Activation) -> Self {
        let mut offset = 0;
        let (trunk, branch, branch_out) = match &form {
            DeepOnetForm::Paper { width } => {
                let trunk = layers(&[1, basis], &mut offset);
                let branch = layers(&[sensors, basis * width], &mut offset);
                let out = BranchOut::Blocks {
                    a: offset,
                    width: *width,
                };
                offset += basis * width;
                (trunk, branch, out)
            }
            DeepOnetForm::Stacked {
                branch_hidden,
                trunk_hidden,
            } => {
                let tw: Vec<usize> = [1]
                    .into_iter()
                    .chain(trunk_hidden.iter().copied())
                    .chain([basis])
                    .collect();
                let trunk = layers(&tw, &mut offset);
                let bw: Vec<usize> = [sensors]
                    .into_iter()
                    .chain(branch_hidden.iter().copied())
                    .collect();
                let branch = layers(&bw, &mut offset);
                let last = *bw.last().expect("sensors");
                let out = layers(&[last, basis], &mut offset)[0];
                (trunk, branch, BranchOut::Dense(out))
            }
        };
        let bias = offset;
        Self {
            form,
            sensors,
            basis,
            activation,
            trunk_spread: None,
            trunk,
            branch,
            branch_out,
            bias,
            n_params: bias + 1,
        }
    }

    pub fn n_params(&self) -> usize {
        self.n_params
    }

    /// The same shape with the first trunk layer started as spread basis functions.
    pub fn with_trunk_spread(mut self, spread: Option<f64>) -> Self {
        self.trunk_spread = spread;
        self
    }

    /// Seeded initial θ: Xavier-normal weights (the block coefficients a as a `width` → 1
    /// layer), zero biases; with [`Self::trunk_spread`], the first trunk layer's units are
    /// tanh ramps σ(w_k(y − c_k)) with centres c_k spread evenly over [0, 1] and slopes
    /// w_k ~ N(0, spread²): Xavier's slopes (std √(2/(1 + units))) are too gentle for a unit
    /// to resolve a layer of width ε within the steps a homotopy stage has.
    pub fn init(&self, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut theta = vec![0.0; self.n_params];
        let mut fill = |start: usize, len: usize, fan_in: usize, fan_out: usize| {
            let std = (2.0 / (fan_in + fan_out) as f64).sqrt();
            let normal = Normal::new(0.0, std).expect("finite std");
            for v in &mut theta[start..start + len] {
                *v = normal.sample(&mut rng);
            }
        };
        for d in self.trunk.iter().chain(&self.branch) {
            fill(d.w, d.fan_in * d.fan_out, d.fan_in, d.fan_out);
        }
        match self.branch_out {
            BranchOut::Blocks { a, width } => fill(a, self.basis * width, width, 1),
            BranchOut::Dense(d) => fill(d.w, d.fan_in * d.fan_out, d.fan_in, d.fan_out),
        }
        if let Some(spread) = self.trunk_spread {
            let d = self.trunk[0];
            let normal = Normal::new(0.0, spread).expect("validated: finite and > 0");
            for k in 0..d.fan_out {
                let w: f64 = normal.sample(&mut rng);
                let c = (k as f64 + 0.5) / d.fan_out as f64;
                theta[d.w + k] = w;
                theta[d.b + k] = -w * c;
            }
        }
        theta
    }
}

/// A batch: N input functions (N × m, row-major) times M coordinates, all input-major.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OperatorPoints {
    /// Sensor values, N × m row-major.
    pub inputs: Vec<f64>,
    /// Coordinates y_j (M).
    pub y: Vec<f64>,
    /// Sensors m.
    pub sensors: usize,
}

impl OperatorPoints {
    /// Input functions N.
    pub fn n_inputs(&self) -> usize {
        self.inputs.len().checked_div(self.sensors).unwrap_or(0)
    }

    /// Points N·M.
    pub fn len(&self) -> usize {
        self.n_inputs() * self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The coordinate of every point, input-major (N·M).
    pub fn coordinates(&self) -> Vec<f64> {
        (0..self.n_inputs())
            .flat_map(|_| self.y.iter().copied())
            .collect()
    }
}

/// Column-major matrix views.
fn mat(buf: &[f64], rows: usize, cols: usize) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(buf, rows, cols)
}
fn mat_mut(buf: &mut [f64], rows: usize, cols: usize) -> MatMut<'_, f64> {
    MatMut::from_column_major_slice_mut(buf, rows, cols)
}
fn row_major(buf: &[f64], rows: usize, cols: usize) -> MatRef<'_, f64> {
    MatRef::from_row_major_slice(buf, rows, cols)
}
fn sized(v: &mut Vec<f64>, len: usize) -> &mut [f64] {
    v.clear();
    v.resize(len, 0.0);
    &mut v[..]
}

/// One layer's forward state: channel k (0 value, 1 first, 2 second derivative) of its input,
/// pre-activation and activation, each rows × width column-major, and σ′, σ″, σ‴ at Z.
#[derive(Clone, Debug, Default)]
struct LayerTape {
    /// Input channels (rows × fan_in).
    input: [Vec<f64>; 3],
    /// Pre-activation channels (rows × fan_out).
    pre: [Vec<f64>; 3],
    /// σ′, σ″, σ‴ at the value pre-activation.
    slopes: [Vec<f64>; 3],
}

/// Saved forward state for [`backward_into`]; buffers are reused from call to call.
#[derive(Clone, Debug, Default)]
pub struct OnetTape {
    n_inputs: usize,
    m_points: usize,
    /// Derivative channels carried (1, 2 or 3).
    orders: usize,
    channels: Option<Channels>,
    trunk: Vec<LayerTape>,
    /// Trunk outputs T, per derivative channel (M × p).
    t: [Vec<f64>; 3],
    branch: Vec<LayerTape>,
    /// Last branch activation (N × width of the last hidden layer).
    branch_h: Vec<f64>,
    /// Branch outputs B (N × p).
    b: Vec<f64>,
    /// Outputs, channel-major over the N·M points.
    pub out: Vec<f64>,
}

/// Derivative channels (1 value, 2 + first, 3 + second) a channel layout in one dimension
/// needs, and where channel k of the trunk lands (`None`: not carried).
fn channel_map(ch: Channels) -> (usize, [Option<usize>; 3]) {
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
    let len = rows * fo;
    let [s1, s2, s3] = &lt.slopes;
    {
        let z0 = sized(&mut zbar[0], len);
        for i in 0..len {
            let mut g = abar[0][i] * s1[i];
            if orders > 1 {
                g += abar[1][i] * s2[i] * lt.pre[1][i];
            }
            if orders > 2 {
                let z1 = lt.pre[1][i];
                g += abar[2][i] * (s3[i] * z1 * z1 + s2[i] * lt.pre[2][i]);
            }
            z0[i] = g;
        }
    }
    if orders > 1 {
        let z1bar = sized(&mut zbar[1], len);
        for i in 0..len {
            let mut g = abar[1][i] * s1[i];
            if orders > 2 {
                g += abar[2][i] * 2.0 * s2[i] * lt.pre[1][i];
            }
            z1bar[i] = g;
        }
    }
    if orders > 2 {
        let z2bar = sized(&mut zbar[2], len);
        for i in 0..len {
            z2bar[i] = abar[2][i] * s1[i];
        }
    }
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
        let w = row_major(d.weights(theta), fi, fo);
        for k in 0..orders {
            let ib = sized(&mut ibar[k], rows * fi);
            matmul(
                mat_mut(ib, rows, fi),
                Accum::Replace,
                mat(&zbar[k], rows, fo),
                w.transpose(),
                1.0,
                Par::Seq,
            );
        }
    }
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
            matmul(
                mat_mut(&mut hbar, n, d.fan_in),
                Accum::Replace,
                mat(&bbar, n, p),
                row_major(d.weights(theta), d.fan_in, p).transpose(),
                1.0,
                Par::Seq,
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::ActivationKind;

    fn shapes() -> Vec<DeepOnetShape> {
        let act = Activation::plain(ActivationKind::Tanh);
        vec![
            DeepOnetShape::new(DeepOnetForm::Paper { width: 3 }, 5, 4, act),
            DeepOnetShape::new(
                DeepOnetForm::Stacked {
                    branch_hidden: vec![6, 5],
                    trunk_hidden: vec![7],
                },
                5,
                4,
                act,
            ),
        ]
    }

    fn batch() -> OperatorPoints {
        let sensors = 5;
        let inputs: Vec<f64> = (0..3 * sensors)
            .map(|k| (0.7 * k as f64).sin() * 0.8)
            .collect();
        OperatorPoints {
            inputs,
            y: vec![0.1, 0.35, 0.6, 0.93],
            sensors,
        }
    }

    fn with_bias(shape: &DeepOnetShape, seed: u64) -> Vec<f64> {
        // Non-zero biases so that the bias gradients are exercised.
        let mut theta = shape.init(seed);
        for (k, v) in theta.iter_mut().enumerate() {
            if *v == 0.0 {
                *v = 0.1 * ((k as f64) * 1.3).sin();
            }
        }
        theta
    }

    #[test]
    fn the_layouts_count_their_parameters() {
        let [paper, stacked] = <[DeepOnetShape; 2]>::try_from(shapes()).unwrap();
        // Trunk 1→4 (8), branch 5→12 (72), a (12), b₀.
        assert_eq!(paper.n_params(), 8 + 72 + 12 + 1);
        // Trunk 1→7→4 (14 + 32), branch 5→6→5 (36 + 35), out 5→4 (24), b₀.
        assert_eq!(stacked.n_params(), 14 + 32 + 36 + 35 + 24 + 1);
        assert_eq!(paper.init(3), paper.init(3));
        assert_ne!(paper.init(3), paper.init(4));
        // Spread trunk units: centres evenly over [0, 1], b_k = −w_k c_k, slopes of that scale.
        let spread = paper.clone().with_trunk_spread(Some(30.0));
        let theta = spread.init(3);
        let (w, b) = (&theta[..4], &theta[4..8]);
        for k in 0..4 {
            let c = (k as f64 + 0.5) / 4.0;
            assert!((b[k] + w[k] * c).abs() < 1e-12);
        }
        assert!(w.iter().any(|w| w.abs() > 3.0), "{w:?}");
        // Every other parameter is the Xavier draw.
        assert_eq!(theta[8..], paper.init(3)[8..]);
    }

    #[test]
    fn y_derivative_channels_match_central_differences() {
        let ch = Channels::new(1, DerivOrder::SecondPerAxis);
        for shape in shapes() {
            let theta = with_bias(&shape, 1);
            let pts = batch();
            let out = evaluate(&shape, &theta, &pts, ch);
            let nm = pts.len();
            let h = 1e-4;
            let shifted = |dy: f64| {
                let mut q = pts.clone();
                q.y.iter_mut().for_each(|y| *y += dy);
                evaluate(&shape, &theta, &q, Channels::new(1, DerivOrder::Value))
            };
            let (up, down) = (shifted(h), shifted(-h));
            for i in 0..nm {
                let d1 = (up[i] - down[i]) / (2.0 * h);
                let d2 = (up[i] - 2.0 * out[i] + down[i]) / (h * h);
                assert!(
                    (out[nm + i] - d1).abs() < 1e-7,
                    "u_y {} vs {d1}",
                    out[nm + i]
                );
                assert!(
                    (out[2 * nm + i] - d2).abs() < 1e-5,
                    "u_yy {} vs {d2}",
                    out[2 * nm + i]
                );
            }
        }
    }

    #[test]
    fn the_parameter_gradient_matches_central_differences() {
        let ch = Channels::new(1, DerivOrder::SecondPerAxis);
        for shape in shapes() {
            let theta = with_bias(&shape, 2);
            let pts = batch();
            let mut tape = OnetTape::default();
            forward_into(&shape, &theta, &pts, ch, &mut tape);
            // A fixed random cotangent on every channel.
            let bar: Vec<f64> = (0..tape.out.len())
                .map(|k| ((k as f64) * 0.37).cos())
                .collect();
            let mut grad = vec![0.0; shape.n_params()];
            backward_into(&shape, &theta, &tape, &bar, &mut grad);
            let f = |t: &[f64]| -> f64 {
                evaluate(&shape, t, &pts, ch)
                    .iter()
                    .zip(&bar)
                    .map(|(o, b)| o * b)
                    .sum()
            };
            let h = 1e-6;
            for k in 0..shape.n_params() {
                let mut tp = theta.clone();
                tp[k] += h;
                let mut tm = theta.clone();
                tm[k] -= h;
                let fd = (f(&tp) - f(&tm)) / (2.0 * h);
                assert!(
                    (grad[k] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                    "{:?} parameter {k}: {} vs {fd}",
                    shape.form,
                    grad[k]
                );
            }
        }
    }

    #[test]
    fn the_output_is_the_sum_over_the_basis() {
        // Eq. 61 written out by hand for one input and one point.
        let shape = &shapes()[0];
        let theta = with_bias(shape, 5);
        let pts = batch();
        let out = evaluate(shape, &theta, &pts, Channels::new(1, DerivOrder::Value));
        let (p, width, m) = (4, 3, 5);
        let (i, j) = (2, 1);
        let y = pts.y[j];
        let v = &pts.inputs[i * m..(i + 1) * m];
        let xi = &theta[8..8 + m * p * width];
        let c = &theta[8 + m * p * width..8 + m * p * width + p * width];
        let a = &theta[80..92];
        let mut u = theta[92];
        for k in 0..p {
            let t = (theta[k] * y + theta[p + k]).tanh();
            let mut b = 0.0;
            for q in 0..width {
                let col = k * width + q;
                let z: f64 = (0..m).map(|s| xi[s * p * width + col] * v[s]).sum::<f64>() + c[col];
                b += a[col] * z.tanh();
            }
            u += b * t;
        }
        assert!((out[i * pts.y.len() + j] - u).abs() < 1e-13);
    }
}
