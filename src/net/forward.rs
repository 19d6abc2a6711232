//! The MLP forward pass with input-derivative channels as burn tensor ops ("Taylor mode",
//! DESIGN §1.2), differentiable by burn's reverse mode with respect to θ, on any backend.
//!
//! Channels are stacked along the batch axis, so each layer is one matmul for the value and
//! every derivative channel; the bias enters the value rows only. This is the path used on the
//! wgpu backend and the reference the fused CPU kernel is tested against.

use burn::tensor::{Device, Tensor, TensorData};

use super::{Channels, DerivOrder, MlpShape};

/// Host-built constants for one batch of points: the stacked input and the value-row mask.
#[derive(Clone, Debug)]
pub struct StackedInput {
    /// C·n × d stacked input (value rows x, first-derivative rows e_j, second-order rows 0).
    pub h0: Tensor<2>,
    /// C·n × 1 mask: 1 on value rows, 0 elsewhere (the bias enters value rows only).
    pub value_mask: Tensor<2>,
    pub n: usize,
    pub channels: Channels,
}

impl StackedInput {
    /// Build the constants for `x` (n × d, row-major).
    pub fn new(x: &[f64], channels: Channels, device: &Device) -> Self {
        let d = channels.dim;
        let n = x.len() / d;
        let cn = channels.count() * n;
        let mut h = vec![0.0; cn * d];
        for i in 0..n {
            for k in 0..d {
                h[i * d + k] = x[i * d + k];
            }
        }
        if channels.has_first() {
            for k in 0..d {
                let r0 = channels.first(k) * n;
                for i in 0..n {
                    h[(r0 + i) * d + k] = 1.0;
                }
            }
        }
        let mut mask = vec![0.0; cn];
        mask[..n].fill(1.0);
        Self {
            h0: Tensor::from_data(TensorData::new(h, [cn, d]), device),
            value_mask: Tensor::from_data(TensorData::new(mask, [cn, 1]), device),
            n,
            channels,
        }
    }
}

/// Forward pass on any backend.
///
/// # Shapes
/// - `theta`: [p], the flat parameter vector (see [`MlpShape`])
/// - returns: [C·n, 1], channel-major (row c·n + i is channel c at point i)
pub fn forward(shape: &MlpShape, theta: &Tensor<1>, input: &StackedInput) -> Tensor<2> {
    let ch = input.channels;
    let (n, d) = (input.n, ch.dim);
    let layers = shape.layers();
    let n_hidden = layers.len() - 1;
    let mut h = input.h0.clone();
    for layer in &layers[..n_hidden] {
        let (fi, fo) = (layer.fan_in, layer.fan_out);
        let (w, b) = layer_params(theta, layer);
        let z = h
            .matmul(w.reshape([fi, fo]))
            .add(input.value_mask.clone().mul(b.reshape([1, fo])));
        let z0 = z.clone().slice_dim(0, 0..n);
        let (a0, s1, s2) = shape.activation.tensor_derivs(z0);
        if !ch.has_first() {
            h = a0;
            continue;
        }
        let z1 = z.clone().slice_dim(0, n..(1 + d) * n);
        let s1_rep = s1.clone().repeat_dim(0, d);
        let a1 = s1_rep.clone().mul(z1.clone());
        h = match ch.order {
            DerivOrder::SecondPerAxis => {
                let z2 = z.slice_dim(0, (1 + d) * n..(1 + 2 * d) * n);
                let a2 = s2.repeat_dim(0, d).mul(z1.square()).add(s1_rep.mul(z2));
                Tensor::cat(vec![a0, a1, a2], 0)
            }
            DerivOrder::Laplacian => {
                let zl = z.slice_dim(0, (1 + d) * n..(2 + d) * n);
                let q = z1.square().reshape([d, n, fo]).sum_dim(0).reshape([n, fo]);
                let al = s2.mul(q).add(s1.mul(zl));
                Tensor::cat(vec![a0, a1, al], 0)
            }
            DerivOrder::Value | DerivOrder::First => Tensor::cat(vec![a0, a1], 0),
        };
    }
    let last = &layers[n_hidden];
    let (w, b) = layer_params(theta, last);
    h.matmul(w.reshape([last.fan_in, last.fan_out]))
        .add(input.value_mask.clone().mul(b.reshape([1, last.fan_out])))
        .mul_scalar(shape.output_scale)
}

fn layer_params(theta: &Tensor<1>, layer: &super::LayerLayout) -> (Tensor<1>, Tensor<1>) {
    let w_end = layer.w_offset + layer.fan_in * layer.fan_out;
    (
        theta.clone().slice_dim(0, layer.w_offset..w_end),
        theta
            .clone()
            .slice_dim(0, layer.b_offset..layer.b_offset + layer.fan_out),
    )
}
