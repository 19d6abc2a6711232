//! What the objective looks like to first order at one θ: its residual blocks with their
//! per-sample Jacobians, H_ε and g_ε, and the stacked weighted least-squares system
//! (Levenberg–Marquardt, the Euler predictor and the spectra read it).

use super::objective::LossParts;
use crate::net::jacobian::Jacobian;

/// One pointwise residual block and its per-sample Jacobian.
#[derive(Clone, Debug)]
pub struct Block {
    /// Loss weight w: the block contributes w/2 Σ values².
    pub weight: f64,
    pub values: Vec<f64>,
    pub jacobian: Jacobian,
}

/// Everything first-order about the objective at one θ (CPU, f64).
#[derive(Clone, Debug)]
pub struct Linearization {
    pub loss: LossParts,
    /// r = H(u_θ, ε) at the residual points, weight 1/n, rows J_res.
    pub residual: Block,
    /// u_θ − g at the boundary points, weight λ/n_bc, rows J_bc.
    pub boundary: Block,
    /// The homotopy term, when on (weight α/n).
    pub homotopy: Option<Block>,
    /// H_ε at the residual points.
    pub h_eps: Vec<f64>,
    /// ∂g/∂ε at the boundary points (zeros when the boundary data do not depend on ε).
    pub g_eps: Vec<f64>,
    /// Output channels at the residual points (C·n, channel-major).
    pub channels: Vec<f64>,
}

impl Linearization {
    /// The loss as ½‖R‖² with R = [√w_b · values_b] and its Jacobian A = [√w_b · J_b] (a copy;
    /// [`Self::into_weighted_system`] where the linearization is not needed after).
    pub fn weighted_system(&self) -> (Jacobian, Vec<f64>) {
        self.clone().into_weighted_system()
    }

    /// [`Self::weighted_system`] without copying the largest block: the residual rows are
    /// scaled where they are (on the pool) and the other blocks appended. Same numbers.
    pub fn into_weighted_system(self) -> (Jacobian, Vec<f64>) {
        let Self {
            residual,
            boundary,
            homotopy,
            ..
        } = self;
        let w = residual.weight.sqrt();
        let mut a = residual.jacobian;
        let cols = a.cols.max(1);
        crate::pool::for_each_piece(&mut a.data, 64 * cols, |_, piece| {
            piece.iter_mut().for_each(|v| *v *= w)
        });
        let mut r: Vec<f64> = residual.values.iter().map(|v| v * w).collect();
        for b in std::iter::once(boundary).chain(homotopy) {
            let w = b.weight.sqrt();
            a.stack_scaled(&b.jacobian, w);
            r.extend(b.values.iter().map(|v| v * w));
        }
        (a, r)
    }
}
