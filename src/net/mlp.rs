//! The MLP's shape, its flat parameter vector θ and its seeded initializations.
//!
//! θ is one flat f64 vector, layer after layer: W_l (fan_in × fan_out, row-major), then b_l.
//! A layer computes z = h W + b; hidden layers apply σ_s, the output layer is linear and
//! multiplied by a fixed `output_scale` (1 for Xavier, 1/N^a for the NTK parameterization).
//! Every other part of the engine (fused kernel, burn forward, optimizers, Jacobians) reads θ
//! through [`MlpShape`], so the layout is defined once, here.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::activation::Activation;

/// How θ is drawn at the start of a run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InitKind {
    /// Xavier-normal weights N(0, 2/(fan_in + fan_out)), zero biases (the paper default).
    #[default]
    XavierNormal,
    /// N(0, 1) weights and hidden biases, zero output bias, output scaled by 1/N^a
    /// (NTK / HRTA parameterization).
    NtkNormal,
}

/// One affine layer's place in θ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerLayout {
    pub fan_in: usize,
    pub fan_out: usize,
    /// Offset of W (fan_in × fan_out, row-major) in θ.
    pub w_offset: usize,
    /// Offset of b (fan_out) in θ.
    pub b_offset: usize,
}

impl LayerLayout {
    /// W as a slice of θ.
    pub fn weights<'a>(&self, theta: &'a [f64]) -> &'a [f64] {
        &theta[self.w_offset..self.w_offset + self.fan_in * self.fan_out]
    }
    /// b as a slice of θ.
    pub fn bias<'a>(&self, theta: &'a [f64]) -> &'a [f64] {
        &theta[self.b_offset..self.b_offset + self.fan_out]
    }
}

/// Layer widths, activation and output scale: everything needed to read θ.
#[derive(Clone, Debug, PartialEq)]
pub struct MlpShape {
    /// Full widths including input dimension and output dimension, e.g. [1, 30, 30, 30, 1].
    pub widths: Vec<usize>,
    /// Activation of every hidden layer.
    pub activation: Activation,
    /// Fixed factor on the output layer (not trained).
    pub output_scale: f64,
    layers: Vec<LayerLayout>,
    n_params: usize,
}

impl MlpShape {
    /// A shape from full widths (input, hidden…, output). Widths must be ≥ 1 and there must be
    /// at least one hidden layer; the config layer validates this before calling.
    pub fn new(widths: Vec<usize>, activation: Activation, output_scale: f64) -> Self {
        let mut layers = Vec::with_capacity(widths.len().saturating_sub(1));
        let mut offset = 0;
        for pair in widths.windows(2) {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let w_offset = offset;
            let b_offset = w_offset + fan_in * fan_out;
            offset = b_offset + fan_out;
            layers.push(LayerLayout {
                fan_in,
                fan_out,
                w_offset,
                b_offset,
            });
        }
        Self {
            widths,
            activation,
            output_scale,
            layers,
            n_params: offset,
        }
    }

    /// Number of trainable parameters p.
    pub fn n_params(&self) -> usize {
        self.n_params
    }

    /// Input dimension d.
    pub fn input_dim(&self) -> usize {
        self.widths[0]
    }

    /// The affine layers, input to output.
    pub fn layers(&self) -> &[LayerLayout] {
        &self.layers
    }

    /// Width of the last hidden layer (the N of the 1/N^a output scaling).
    pub fn last_hidden_width(&self) -> usize {
        self.widths[self.widths.len() - 2]
    }

    /// Seeded initial θ.
    pub fn init(&self, kind: InitKind, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut theta = vec![0.0; self.n_params];
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let std = match kind {
                InitKind::XavierNormal => (2.0 / (layer.fan_in + layer.fan_out) as f64).sqrt(),
                InitKind::NtkNormal => 1.0,
            };
            let normal = Normal::new(0.0, std).expect("std is finite and positive");
            let w_end = layer.w_offset + layer.fan_in * layer.fan_out;
            for v in &mut theta[layer.w_offset..w_end] {
                *v = normal.sample(&mut rng);
            }
            if kind == InitKind::NtkNormal && l != last {
                let unit = Normal::new(0.0, 1.0).expect("unit normal");
                for v in &mut theta[layer.b_offset..layer.b_offset + layer.fan_out] {
                    *v = unit.sample(&mut rng);
                }
            }
        }
        theta
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::activation::ActivationKind;

    #[test]
    fn paper_network_has_1951_parameters() {
        let shape = MlpShape::new(
            vec![1, 30, 30, 30, 1],
            Activation::plain(ActivationKind::Tanh),
            1.0,
        );
        assert_eq!(shape.n_params(), 60 + 930 + 930 + 31);
        assert_eq!(shape.layers()[3].b_offset, 1950);
    }

    #[test]
    fn init_is_seeded_and_xavier_scaled() {
        let shape = MlpShape::new(
            vec![1, 200, 200, 1],
            Activation::plain(ActivationKind::Tanh),
            1.0,
        );
        let a = shape.init(InitKind::XavierNormal, 7);
        assert_eq!(a, shape.init(InitKind::XavierNormal, 7));
        assert_ne!(a, shape.init(InitKind::XavierNormal, 8));
        let mid = shape.layers()[1];
        let w = mid.weights(&a);
        let var = w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64;
        // 40 000 samples of N(0, 1/200): the sample variance is within 3 % with overwhelming odds.
        assert!((var * 200.0 - 1.0).abs() < 0.03, "variance {var}");
        assert!(mid.bias(&a).iter().all(|&b| b == 0.0));
    }
}
