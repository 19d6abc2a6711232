//! Activation functions σ with their exact derivatives σ′, σ″ (and σ‴ for the fused backward
//! pass), including the HRTA homotopy activation σ_s(x) = (1−s)x + sσ(x).
//!
//! Two forms of every activation live here and are tested against each other: a scalar f64
//! form used by the fused CPU kernel ([`Activation::eval`]) and a burn tensor form used by the
//! generic any-backend forward pass ([`Activation::tensor_derivs`]).

use burn::tensor::{Tensor, activation};
use serde::{Deserialize, Serialize};

/// The base nonlinearity of every hidden layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ActivationKind {
    /// tanh(x): the paper default.
    #[default]
    Tanh,
    /// sin(x).
    Sin,
    /// ln(1 + eˣ).
    Softplus,
    /// 1 / (1 + e⁻ˣ).
    Sigmoid,
    /// max(x, 0); σ″ ≡ 0, so it cannot train a second-order residual.
    Relu,
    /// ½·max(x, 0)²; σ″ is the Heaviside step, fine for second-order residuals.
    Relu2,
}

impl ActivationKind {
    /// Every kind, for pickers and tests.
    pub const ALL: [ActivationKind; 6] = [
        Self::Tanh,
        Self::Sin,
        Self::Softplus,
        Self::Sigmoid,
        Self::Relu,
        Self::Relu2,
    ];

    /// The name used in presets.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tanh => "tanh",
            Self::Sin => "sin",
            Self::Softplus => "softplus",
            Self::Sigmoid => "sigmoid",
            Self::Relu => "relu",
            Self::Relu2 => "relu2",
        }
    }

    /// Whether σ″ vanishes identically, which makes second-order residuals untrainable.
    pub fn second_derivative_vanishes(self) -> bool {
        matches!(self, Self::Relu)
    }
}

/// σ_s = (1−s)·x + s·σ(x) for a base σ; s = 1 is the plain activation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Activation {
    /// Base nonlinearity σ.
    pub kind: ActivationKind,
    /// HRTA homotopy parameter s ∈ [0, 2] (1 = plain σ, < 1 homotopy, > 1 relaxation).
    pub s: f64,
}

/// σ and its first three derivatives at one point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Derivs4 {
    pub d0: f64,
    pub d1: f64,
    pub d2: f64,
    pub d3: f64,
}

impl Activation {
    /// The plain activation (s = 1).
    pub fn plain(kind: ActivationKind) -> Self {
        Self { kind, s: 1.0 }
    }

    /// σ_s, σ_s′, σ_s″, σ_s‴ at `x`, exact (no finite differences).
    #[inline(always)]
    pub fn eval(&self, x: f64) -> Derivs4 {
        let b = base_eval(self.kind, x);
        let s = self.s;
        if s == 1.0 {
            return b;
        }
        Derivs4 {
            d0: (1.0 - s) * x + s * b.d0,
            d1: (1.0 - s) + s * b.d1,
            d2: s * b.d2,
            d3: s * b.d3,
        }
    }

    /// σ_s, σ_s′, σ_s″, σ_s‴ of a whole slice (the fused kernel's inner loop); the match on
    /// the kind sits outside the loop so each loop body is branch-free and vectorizes.
    #[inline(always)]
    pub fn eval_into(
        &self,
        z: &[f64],
        d0: &mut [f64],
        d1: &mut [f64],
        d2: &mut [f64],
        d3: &mut [f64],
    ) {
        #[inline(always)]
        fn fill(
            f: impl Fn(f64) -> Derivs4,
            z: &[f64],
            d0: &mut [f64],
            d1: &mut [f64],
            d2: &mut [f64],
            d3: &mut [f64],
        ) {
            // Zipped iterators: no bounds checks, so the loop vectorizes.
            let outs = d0
                .iter_mut()
                .zip(d1.iter_mut())
                .zip(d2.iter_mut())
                .zip(d3.iter_mut());
            for (&x, (((o0, o1), o2), o3)) in z.iter().zip(outs) {
                let v = f(x);
                *o0 = v.d0;
                *o1 = v.d1;
                *o2 = v.d2;
                *o3 = v.d3;
            }
        }
        match self.kind {
            ActivationKind::Tanh => fill(|x| base_eval(ActivationKind::Tanh, x), z, d0, d1, d2, d3),
            ActivationKind::Sin => fill(|x| base_eval(ActivationKind::Sin, x), z, d0, d1, d2, d3),
            ActivationKind::Softplus => fill(
                |x| base_eval(ActivationKind::Softplus, x),
                z,
                d0,
                d1,
                d2,
                d3,
            ),
            ActivationKind::Sigmoid => {
                fill(|x| base_eval(ActivationKind::Sigmoid, x), z, d0, d1, d2, d3)
            }
            ActivationKind::Relu => fill(|x| base_eval(ActivationKind::Relu, x), z, d0, d1, d2, d3),
            ActivationKind::Relu2 => {
                fill(|x| base_eval(ActivationKind::Relu2, x), z, d0, d1, d2, d3)
            }
        }
        let s = self.s;
        if s != 1.0 {
            let outs = d0
                .iter_mut()
                .zip(d1.iter_mut())
                .zip(d2.iter_mut())
                .zip(d3.iter_mut());
            for (&x, (((o0, o1), o2), o3)) in z.iter().zip(outs) {
                *o0 = (1.0 - s) * x + s * *o0;
                *o1 = (1.0 - s) + s * *o1;
                *o2 *= s;
                *o3 *= s;
            }
        }
    }

    /// σ_s(z), σ_s′(z), σ_s″(z) as tensors, built from differentiable burn ops so that reverse
    /// mode through them is exact.
    pub fn tensor_derivs<const D: usize>(&self, z: Tensor<D>) -> (Tensor<D>, Tensor<D>, Tensor<D>) {
        let s = self.s;
        if s == 1.0 {
            return base_tensor_derivs(self.kind, z);
        }
        let (d0, d1, d2) = base_tensor_derivs(self.kind, z.clone());
        (
            z.mul_scalar(1.0 - s).add(d0.mul_scalar(s)),
            d1.mul_scalar(s).add_scalar(1.0 - s),
            d2.mul_scalar(s),
        )
    }
}

fn base_tensor_derivs<const D: usize>(
    kind: ActivationKind,
    z: Tensor<D>,
) -> (Tensor<D>, Tensor<D>, Tensor<D>) {
    match kind {
        ActivationKind::Tanh => {
            let t = z.tanh();
            let d1 = t.clone().square().neg().add_scalar(1.0);
            let d2 = t.clone().mul(d1.clone()).mul_scalar(-2.0);
            (t, d1, d2)
        }
        ActivationKind::Sin => {
            let sn = z.clone().sin();
            let cs = z.cos();
            (sn.clone(), cs, sn.neg())
        }
        ActivationKind::Softplus => {
            let sig = activation::sigmoid(z.clone());
            let d2 = sig.clone().mul(sig.clone().neg().add_scalar(1.0));
            (activation::softplus(z, 1.0), sig, d2)
        }
        ActivationKind::Sigmoid => {
            let sig = activation::sigmoid(z);
            let d1 = sig.clone().mul(sig.clone().neg().add_scalar(1.0));
            let d2 = d1.clone().mul(sig.clone().mul_scalar(-2.0).add_scalar(1.0));
            (sig, d1, d2)
        }
        ActivationKind::Relu => {
            let step = z.clone().greater_elem(0.0).float().detach();
            let zero = step.zeros_like();
            (activation::relu(z), step, zero)
        }
        ActivationKind::Relu2 => {
            let r = activation::relu(z.clone());
            let step = z.greater_elem(0.0).float().detach();
            (r.clone().square().mul_scalar(0.5), r, step)
        }
    }
}

#[inline(always)]
fn base_eval(kind: ActivationKind, x: f64) -> Derivs4 {
    match kind {
        ActivationKind::Tanh => {
            let t = super::fastmath::tanh(x);
            let d1 = 1.0 - t * t;
            Derivs4 {
                d0: t,
                d1,
                d2: -2.0 * t * d1,
                d3: -2.0 * d1 * (d1 - 2.0 * t * t),
            }
        }
        ActivationKind::Sin => {
            let (sn, cs) = x.sin_cos();
            Derivs4 {
                d0: sn,
                d1: cs,
                d2: -sn,
                d3: -cs,
            }
        }
        ActivationKind::Softplus => {
            let sig = sigmoid(x);
            let d2 = sig * (1.0 - sig);
            Derivs4 {
                d0: softplus(x),
                d1: sig,
                d2,
                d3: d2 * (1.0 - 2.0 * sig),
            }
        }
        ActivationKind::Sigmoid => {
            let sig = sigmoid(x);
            let d1 = sig * (1.0 - sig);
            Derivs4 {
                d0: sig,
                d1,
                d2: d1 * (1.0 - 2.0 * sig),
                d3: d1 * (1.0 - 6.0 * sig + 6.0 * sig * sig),
            }
        }
        ActivationKind::Relu => Derivs4 {
            d0: x.max(0.0),
            d1: if x > 0.0 { 1.0 } else { 0.0 },
            d2: 0.0,
            d3: 0.0,
        },
        ActivationKind::Relu2 => {
            let r = x.max(0.0);
            Derivs4 {
                d0: 0.5 * r * r,
                d1: r,
                d2: if x > 0.0 { 1.0 } else { 0.0 },
                d3: 0.0,
            }
        }
    }
}

#[inline(always)]
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[inline(always)]
fn softplus(x: f64) -> f64 {
    // ln(1 + eˣ) = max(x, 0) + ln(1 + e^{−|x|}), stable for large |x|.
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// σ′, σ″, σ‴ of the scalar form agree with central differences of the level below.
    #[test]
    fn scalar_derivatives_match_finite_differences() {
        let h = 1e-5;
        for kind in ActivationKind::ALL {
            for s in [1.0, 0.5, 1.5] {
                let act = Activation { kind, s };
                for &x in &[-1.7, -0.3, 0.4, 1.1, 2.5] {
                    let d = act.eval(x);
                    let (p, m) = (act.eval(x + h), act.eval(x - h));
                    let tol = |v: f64| 1e-6 * (1.0 + v.abs());
                    assert!(
                        (d.d1 - (p.d0 - m.d0) / (2.0 * h)).abs() < tol(d.d1),
                        "{kind:?} σ′"
                    );
                    assert!(
                        (d.d2 - (p.d1 - m.d1) / (2.0 * h)).abs() < tol(d.d2),
                        "{kind:?} σ″"
                    );
                    assert!(
                        (d.d3 - (p.d2 - m.d2) / (2.0 * h)).abs() < tol(d.d3),
                        "{kind:?} σ‴"
                    );
                }
            }
        }
    }
}
