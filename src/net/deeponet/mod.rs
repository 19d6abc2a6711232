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
//! gives ∂/∂θ of Σ out_bar·out; [`per_sample_into`] the per-sample Jacobian rows (one per input
//! and coordinate) and [`row_products`] their products J·v without storing them.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::Activation;

mod kernel;
mod rows;

pub use kernel::{OnetTape, backward_into, evaluate, forward_into};
pub use rows::{per_sample_into, row_products};

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

    /// Bytes of the forward state kept for the reverse pass and the Jacobian rows over
    /// `n_inputs` inputs × `m_points` coordinates with `orders` derivative channels (1–3): per
    /// trunk layer and coordinate, every channel's input and pre-activation and three slopes;
    /// per branch layer and input, the same for the value; the branch's last activation, T, B
    /// and the outputs.
    pub fn tape_bytes(&self, n_inputs: usize, m_points: usize, orders: usize) -> f64 {
        let layer = |d: &Dense, rows: usize, channels: usize| {
            (rows * (channels * (d.fan_in + d.fan_out) + 3 * d.fan_out)) as f64
        };
        let trunk: f64 = self.trunk.iter().map(|d| layer(d, m_points, orders)).sum();
        let branch: f64 = self.branch.iter().map(|d| layer(d, n_inputs, 1)).sum();
        let t_and_b = ((orders * m_points + n_inputs) * self.basis) as f64;
        let branch_h = (n_inputs * self.branch.last().map_or(0, |d| d.fan_out)) as f64;
        8.0 * (trunk + branch + branch_h + t_and_b + (orders * n_inputs * m_points) as f64)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{ActivationKind, Channels, DerivOrder};

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
    fn jacobian_rows_match_central_differences_and_the_reverse_pass() {
        let ch = Channels::new(1, DerivOrder::SecondPerAxis);
        for shape in shapes() {
            let theta = with_bias(&shape, 3);
            let pts = batch();
            let mut tape = OnetTape::default();
            forward_into(&shape, &theta, &pts, ch, &mut tape);
            let (nm, np) = (pts.len(), shape.n_params());
            let coeff: Vec<f64> = (0..tape.out.len())
                .map(|k| ((k as f64) * 0.61).sin())
                .collect();
            let mut rows = vec![f64::NAN; nm * np];
            per_sample_into(&shape, &theta, &tape, &coeff, &mut rows);
            // Row r against central differences of Σ_c coeff[c, r]·out[c, r].
            let h = 1e-6;
            let fd = |k: usize| {
                let at = |dt: f64| {
                    let mut t = theta.clone();
                    t[k] += dt;
                    evaluate(&shape, &t, &pts, ch)
                };
                let (up, down) = (at(h), at(-h));
                (0..nm)
                    .map(|r| {
                        (0..3)
                            .map(|c| coeff[c * nm + r] * (up[c * nm + r] - down[c * nm + r]))
                            .sum::<f64>()
                            / (2.0 * h)
                    })
                    .collect::<Vec<f64>>()
            };
            for k in 0..np {
                for (r, want) in fd(k).into_iter().enumerate() {
                    let got = rows[r * np + k];
                    assert!(
                        (got - want).abs() < 1e-6 * (1.0 + want.abs()),
                        "{:?} row {r} parameter {k}: {got} vs {want}",
                        shape.form
                    );
                }
            }
            // Σ_r w_r·row_r is the reverse pass of Σ w_r·coeff·out, and J·v the rows times v.
            let w: Vec<f64> = (0..nm).map(|r| 1.0 + 0.1 * r as f64).collect();
            let bar: Vec<f64> = (0..coeff.len()).map(|k| coeff[k] * w[k % nm]).collect();
            let mut grad = vec![0.0; np];
            backward_into(&shape, &theta, &tape, &bar, &mut grad);
            for (k, g) in grad.iter().enumerate() {
                let sum: f64 = (0..nm).map(|r| w[r] * rows[r * np + k]).sum();
                assert!((sum - g).abs() < 1e-12 * (1.0 + g.abs()), "{sum} vs {g}");
            }
            let v: Vec<f64> = (0..np).map(|k| ((k as f64) * 0.29).cos()).collect();
            let jv = row_products(&shape, &theta, &tape, &coeff, &v);
            for (r, got) in jv.iter().enumerate() {
                let want: f64 = rows[r * np..(r + 1) * np]
                    .iter()
                    .zip(&v)
                    .map(|(a, b)| a * b)
                    .sum();
                assert!((got - want).abs() < 1e-12 * (1.0 + want.abs()));
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
