//! The Jacobian side of [`Objective`]: per-sample Jacobians of every residual block, the
//! weighted residual vector, S = ∇_θ u at the residual points and the phase-condition
//! directions (CPU, f64), for Levenberg–Marquardt, Euler steps and the spectral diagnostics.

use super::{Block, Linearization, Objective, ObjectiveError, grad_vec, host_vec, vec_tensor};
use crate::net::jacobian::Jacobian;
use crate::problem::Fields;

/// Which pointwise block a reverse pass differentiates.
#[derive(Clone, Copy)]
pub(super) enum BlockKind {
    Residual,
    Homotopy,
}

impl Objective {
    /// Per-point cotangents ∂block_i/∂channels at the residual points and the block values:
    /// one reverse pass of Σ_i block_i, which separates because each block is pointwise.
    pub(super) fn block_coefficients(
        &self,
        channels: &[f64],
        eps: f64,
        which: BlockKind,
    ) -> Result<(Vec<f64>, Vec<f64>), ObjectiveError> {
        let leaf = vec_tensor(channels.to_vec(), &self.cpu).require_grad();
        let fields = self.cpu_fields(leaf.clone());
        let values = match which {
            BlockKind::Residual => self.pde_block(&fields, eps, true),
            BlockKind::Homotopy => {
                let term = self.homotopy().expect("homotopy block asked for while off");
                let prev = vec_tensor(term.previous.clone(), &self.cpu);
                let v =
                    Fields::from_stacked(leaf.clone().sub(prev), self.n_res(), self.res_channels);
                self.problem
                    .linearized(&fields, &v, eps)
                    .div_scalar(term.delta_eps)
                    .add(self.problem.residual_eps(&fields, eps))
            }
        };
        let grads = values.clone().sum().backward();
        let coeff = grad_vec(&leaf, &grads, channels.len())?;
        Ok((host_vec(values)?, coeff))
    }

    /// Values and per-sample Jacobians of every block at θ, plus H_ε (CPU, f64).
    pub fn linearize(&self, theta: &[f64], eps: f64) -> Result<Linearization, ObjectiveError> {
        let kind = self.problem.kind();
        if kind.residual_rows_per_point() != 1 {
            return Err(ObjectiveError::NotPointwise(
                kind.label(),
                kind.residual_rows_per_point(),
            ));
        }
        let mut ws = self.workspace();
        let ws = &mut *ws;
        self.fused_forward(theta, ws)?;
        let channels = ws.res.out().to_vec();
        let (r, coeff_r) = self.block_coefficients(&channels, eps, BlockKind::Residual)?;
        // Room for every block's rows: into_weighted_system appends the others below these
        // without moving the largest block.
        let blocks = if self.homotopy().is_some() { 2 } else { 1 };
        let mut j_res = Jacobian::default();
        j_res
            .data
            .reserve_exact((blocks * self.n_res() + self.n_bc()) * theta.len());
        ws.res.per_sample(&self.net, theta, &coeff_r, &mut j_res);
        let rb: Vec<f64> = ws
            .bc
            .out()
            .iter()
            .zip(self.g_host(eps))
            .map(|(u, g)| u - g)
            .collect();
        let mut j_bc = Jacobian::default();
        let ones = vec![1.0; rb.len()];
        ws.bc.per_sample(&self.net, theta, &ones, &mut j_bc);
        self.mask_columns(&mut j_res);
        self.mask_columns(&mut j_bc);
        let homotopy = match self.homotopy() {
            Some(term) => {
                let (q, coeff_q) = self.block_coefficients(&channels, eps, BlockKind::Homotopy)?;
                let mut j_q = Jacobian::default();
                ws.res.per_sample(&self.net, theta, &coeff_q, &mut j_q);
                self.mask_columns(&mut j_q);
                Some(Block {
                    weight: term.alpha / self.n_res() as f64,
                    values: q,
                    jacobian: j_q,
                })
            }
            None => None,
        };
        let fields = self.cpu_fields(vec_tensor(channels.clone(), &self.cpu));
        let h_eps = host_vec(self.problem.residual_eps(&fields, eps))?;
        let half_mean = |v: &[f64]| 0.5 * v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64;
        let loss = self.combine(
            half_mean(&r),
            half_mean(&rb),
            homotopy.as_ref().map_or(0.0, |b| half_mean(&b.values)),
        );
        Ok(Linearization {
            loss,
            residual: Block {
                weight: 1.0 / self.n_res() as f64,
                values: r,
                jacobian: j_res,
            },
            boundary: Block {
                weight: self.bc_weight / self.n_bc() as f64,
                values: rb,
                jacobian: j_bc,
            },
            homotopy,
            h_eps,
            g_eps: self
                .problem
                .boundary_values_eps(eps)
                .unwrap_or_else(|| vec![0.0; self.n_bc()]),
            channels,
        })
    }

    /// The weighted residual vector R of L = ½‖R‖² (same row order as
    /// [`Linearization::weighted_system`]), without Jacobians (CPU, f64).
    pub fn weighted_residuals(&self, theta: &[f64], eps: f64) -> Result<Vec<f64>, ObjectiveError> {
        let (channels, bc) = {
            let mut ws = self.workspace();
            let ws = &mut *ws;
            self.fused_forward(theta, ws)?;
            (ws.res.out().to_vec(), ws.bc.out().to_vec())
        };
        let fields = self.cpu_fields(vec_tensor(channels.clone(), &self.cpu));
        let w_res = (1.0 / self.n_res() as f64).sqrt();
        let mut out: Vec<f64> = host_vec(self.pde_block(&fields, eps, true))?
            .into_iter()
            .map(|v| v * w_res)
            .collect();
        let w_bc = (self.bc_weight / self.n_bc() as f64).sqrt();
        out.extend(bc.iter().zip(self.g_host(eps)).map(|(u, g)| (u - g) * w_bc));
        if let Some(term) = self.homotopy() {
            let (q, _) = self.block_coefficients(&channels, eps, BlockKind::Homotopy)?;
            let w = (term.alpha / self.n_res() as f64).sqrt();
            out.extend(q.into_iter().map(|v| v * w));
        }
        Ok(out)
    }

    /// The output channels at the residual points, or NaN in each when the model cannot be
    /// evaluated there (a loss taken from them is then non-finite and the run rolls back).
    pub fn residual_channels_or_nan(&self, theta: &[f64]) -> Vec<f64> {
        self.residual_channels(theta)
            .unwrap_or_else(|_| vec![f64::NAN; self.res_channels.count() * self.n_res()])
    }

    /// The output channels at the residual points (C·n, channel-major), fused CPU f64.
    pub fn residual_channels(&self, theta: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        let mut ws = self.workspace();
        let ws = &mut *ws;
        self.fused_forward(theta, ws)?;
        Ok(ws.res.out().to_vec())
    }

    /// S: rows ∇_θ u_θ(x_i) at the residual points, and u_θ(x_i).
    pub fn value_jacobian(&self, theta: &[f64]) -> Result<(Jacobian, Vec<f64>), ObjectiveError> {
        let mut ws = self.workspace();
        let ws = &mut *ws;
        self.fused_forward(theta, ws)?;
        let n = self.n_res();
        let mut coeff = vec![0.0; ws.res.out().len()];
        coeff[..n].fill(1.0);
        let mut s = Jacobian::default();
        ws.res.per_sample(&self.net, theta, &coeff, &mut s);
        Ok((s, ws.res.out()[..n].to_vec()))
    }

    /// The phase-condition directions c_j ∝ Σ_i ∂_j u(x_i) ∇_θ u(x_i), one per input axis j,
    /// orthonormalized: moving θ along c_j translates the solution along axis j (in 1D, the
    /// front; in 2D, interfaces). Empty when the first derivatives are not carried; an axis
    /// whose direction vanishes or repeats the others is dropped.
    pub fn phase_directions(&self, theta: &[f64]) -> Vec<Vec<f64>> {
        if !self.res_channels.has_first() {
            return Vec::new();
        }
        let mut ws = self.workspace();
        let ws = &mut *ws;
        if self.fused_forward(theta, ws).is_err() {
            return Vec::new();
        }
        let n = self.n_res();
        let mut basis: Vec<Vec<f64>> = Vec::new();
        for j in 0..self.problem.dim() {
            let first = self.res_channels.first(j) * n;
            let mut coeff = vec![0.0; ws.res.out().len()];
            coeff[..n].copy_from_slice(&ws.res.out()[first..first + n]);
            let mut c = vec![0.0; theta.len()];
            ws.res.backward(&self.net, theta, &coeff, &mut c);
            // Frozen parameters (random features) do not move: no direction along them.
            c[..self.trainable_from].fill(0.0);
            let scale = crate::linalg::norm(&c);
            for b in &basis {
                let dot: f64 = c.iter().zip(b).map(|(x, y)| x * y).sum();
                c.iter_mut().zip(b).for_each(|(x, y)| *x -= dot * y);
            }
            let norm = crate::linalg::norm(&c);
            if norm > 1e-8 * scale && norm.is_finite() {
                basis.push(c.into_iter().map(|v| v / norm).collect());
            }
        }
        basis
    }
}
