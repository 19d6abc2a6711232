//! The objective's weighted least-squares system reached through products only: R(θ) and
//! A = ∂R/∂θ at one θ as an operator ([`crate::linalg::matrix_free::Products`]) whose A·v forms
//! one chunk of Jacobian rows at a time and whose Aᵀ·w is one reverse pass. No Jacobian is
//! stored, so Levenberg–Marquardt can run where J would not fit in memory.

use std::sync::Mutex;

use super::{LossParts, Objective, ObjectiveError};
use crate::linalg::matrix_free::Products;
use crate::net::batch::CHUNK_POINTS;
use crate::net::model::{NetBatch, Network};
use crate::problem::PointRole;

/// Which forward state a block's rows differentiate.
#[derive(Clone, Copy)]
enum Points {
    Residual,
    Boundary,
}

/// One weighted block of rows: rows i = √w · ∂/∂θ Σ_c coeff[c·n+i] · out[c·n+i].
struct RowBlock {
    points: Points,
    coeff: Vec<f64>,
    weight_sqrt: f64,
    rows: usize,
}

/// A = ∂R/∂θ at one θ as products (see the module docs).
pub struct SystemProducts {
    net: Network,
    theta: Vec<f64>,
    res: Mutex<NetBatch>,
    bc: Mutex<NetBatch>,
    blocks: Vec<RowBlock>,
    trainable_from: usize,
}

impl SystemProducts {
    fn batch(&self, points: Points) -> std::sync::MutexGuard<'_, NetBatch> {
        let m = match points {
            Points::Residual => &self.res,
            Points::Boundary => &self.bc,
        };
        m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Products for SystemProducts {
    fn rows(&self) -> usize {
        self.blocks.iter().map(|b| b.rows).sum()
    }

    fn cols(&self) -> usize {
        self.theta.len()
    }

    fn apply(&self, v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v[..self.trainable_from].fill(0.0);
        let mut out = Vec::with_capacity(self.rows());
        for b in &self.blocks {
            let jv = self
                .batch(b.points)
                .row_products(&self.net, &self.theta, &b.coeff, &v);
            out.extend(jv.into_iter().map(|x| x * b.weight_sqrt));
        }
        out
    }

    fn apply_transpose(&self, w: &[f64]) -> Vec<f64> {
        let mut total = vec![0.0; self.theta.len()];
        let mut part = vec![0.0; self.theta.len()];
        let mut row0 = 0;
        for b in &self.blocks {
            let ws = &w[row0..row0 + b.rows];
            let out_bar: Vec<f64> = b
                .coeff
                .iter()
                .enumerate()
                .map(|(k, c)| c * ws[k % b.rows] * b.weight_sqrt)
                .collect();
            self.batch(b.points)
                .backward(&self.net, &self.theta, &out_bar, &mut part);
            total.iter_mut().zip(&part).for_each(|(t, p)| *t += p);
            row0 += b.rows;
        }
        total[..self.trainable_from].fill(0.0);
        total
    }
}

impl Objective {
    /// Bytes of the forward state over all points (the tapes the Jacobian or its products are
    /// taken from): for the MLP, per point and channel every layer's input and pre-activation,
    /// per point the hidden layers' three slopes; for the DeepONet, its trunk and branch tapes
    /// ([`crate::net::deeponet::DeepOnetShape::tape_bytes`]).
    pub fn tape_bytes(&self) -> f64 {
        let shape = match &self.net {
            Network::Mlp(shape) => shape,
            Network::DeepOnet(shape) => {
                let p = &self.problem;
                let bytes = |role, channels: crate::net::Channels| {
                    p.operator_points(role).map_or(0.0, |op| {
                        let orders = 1
                            + usize::from(channels.has_first())
                            + usize::from(channels.count() > 2);
                        shape.tape_bytes(op.n_inputs(), op.y.len(), orders)
                    })
                };
                return bytes(PointRole::Residual, self.res_channels)
                    + bytes(PointRole::Boundary, self.bc_channels);
            }
        };
        let layers = shape.layers();
        let hidden = &layers[..layers.len() - 1];
        let per_channel: usize = layers.iter().map(|l| l.fan_in).sum::<usize>()
            + hidden.iter().map(|l| l.fan_out).sum::<usize>()
            + 2;
        let slopes: usize = hidden.iter().map(|l| 3 * l.fan_out).sum();
        let points = |n: usize, c: usize| (n * (c * per_channel + slopes)) as f64;
        8.0 * (points(self.n_res(), self.res_channels.count())
            + points(self.n_bc(), self.bc_channels.count()))
    }

    /// Rows of one chunk of Jacobian rows in the matrix-free products: the MLP's fixed chunk of
    /// points, one input's coordinates for the DeepONet.
    pub fn jacobian_chunk_rows(&self) -> usize {
        match self.problem.operator_points(PointRole::Residual) {
            Some(op) if matches!(self.net, Network::DeepOnet(_)) => op.y.len(),
            _ => CHUNK_POINTS,
        }
    }

    /// Rows of the weighted least-squares system: residual, boundary and (when on) homotopy.
    pub fn system_rows(&self) -> usize {
        let homotopy = if self.homotopy().is_some() {
            self.n_res()
        } else {
            0
        };
        self.n_res() + self.n_bc() + homotopy
    }

    /// R(θ), the loss and A = ∂R/∂θ as products, without forming any Jacobian (same rows,
    /// order and weights as [`super::Linearization::weighted_system`]).
    pub fn products(
        &self,
        theta: &[f64],
        eps: f64,
    ) -> Result<(SystemProducts, Vec<f64>, LossParts), ObjectiveError> {
        let kind = self.problem.kind();
        if kind.residual_rows_per_point() != 1 {
            return Err(ObjectiveError::NotPointwise(
                kind.label(),
                kind.residual_rows_per_point(),
            ));
        }
        let (res, bc) = {
            let mut ws = self.workspace();
            let ws = &mut *ws;
            self.fused_forward(theta, ws)?;
            (ws.res.clone(), ws.bc.clone())
        };
        let channels = res.out().to_vec();
        let (r, coeff_r) =
            self.block_coefficients(&channels, eps, super::jacobians::BlockKind::Residual)?;
        let rb: Vec<f64> = bc
            .out()
            .iter()
            .zip(self.g_host(eps))
            .map(|(u, g)| u - g)
            .collect();
        let n = self.n_res();
        let w_res = 1.0 / n as f64;
        let w_bc = self.bc_weight / self.n_bc() as f64;
        let mut weighted: Vec<f64> = r.iter().map(|v| v * w_res.sqrt()).collect();
        weighted.extend(rb.iter().map(|v| v * w_bc.sqrt()));
        let mut blocks = vec![
            RowBlock {
                points: Points::Residual,
                coeff: coeff_r,
                weight_sqrt: w_res.sqrt(),
                rows: n,
            },
            RowBlock {
                points: Points::Boundary,
                coeff: vec![1.0; rb.len()],
                weight_sqrt: w_bc.sqrt(),
                rows: rb.len(),
            },
        ];
        let mut q_loss = 0.0;
        if let Some(term) = self.homotopy() {
            let (q, coeff_q) =
                self.block_coefficients(&channels, eps, super::jacobians::BlockKind::Homotopy)?;
            let w = term.alpha / n as f64;
            weighted.extend(q.iter().map(|v| v * w.sqrt()));
            q_loss = half_mean(&q);
            blocks.push(RowBlock {
                points: Points::Residual,
                coeff: coeff_q,
                weight_sqrt: w.sqrt(),
                rows: n,
            });
        }
        let loss = self.combine(half_mean(&r), half_mean(&rb), q_loss);
        Ok((
            SystemProducts {
                net: self.net.clone(),
                theta: theta.to_vec(),
                res: Mutex::new(res),
                bc: Mutex::new(bc),
                blocks,
                trainable_from: self.trainable_from,
            },
            weighted,
            loss,
        ))
    }
}

fn half_mean(v: &[f64]) -> f64 {
    0.5 * v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;
    use crate::train::Session;

    /// Products agree with the stored weighted system, rows, order and weights included.
    #[test]
    fn products_match_the_stored_system() {
        let config = RunConfig::from_toml_str(
            "version = 1\nname = \"t\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.05\nn_res = 300\n[network]\nhidden = [8, 8]\n",
        )
        .unwrap();
        let device = crate::backend::cpu().unwrap();
        let session = Session::new(config, &device);
        let objective = session.objective();
        let theta = session.state().theta.clone();
        let lin = objective.linearize(&theta, 0.05).unwrap();
        let loss = lin.loss.total;
        // Strategy 1's predictor stacks the residual and boundary blocks; its memory plan
        // counts `lm::sizes`: the same rows, and the same columns as θ.
        let predictor_rows = lin.residual.jacobian.rows + lin.boundary.jacobian.rows;
        let (a, r) = lin.weighted_system();
        let (op, r2, loss2) = objective.products(&theta, 0.05).unwrap();
        assert_eq!(op.rows(), a.rows);
        assert_eq!(objective.system_rows(), a.rows);
        let sizes = crate::train::lm::sizes(objective);
        assert_eq!((sizes.rows, sizes.cols), (predictor_rows, a.cols));
        assert!((loss - loss2.total).abs() < 1e-14 * loss);
        for (x, y) in r.iter().zip(&r2) {
            assert!((x - y).abs() < 1e-13 * (1.0 + y.abs()));
        }
        let v: Vec<f64> = (0..a.cols).map(|k| (k as f64 * 0.3).cos()).collect();
        for (x, y) in a.apply(&v).iter().zip(op.apply(&v)) {
            assert!((x - y).abs() < 1e-11 * (1.0 + x.abs()), "{x} vs {y}");
        }
        let w: Vec<f64> = (0..a.rows).map(|i| (i as f64 * 0.1).sin()).collect();
        for (x, y) in a.apply_transpose(&w).iter().zip(op.apply_transpose(&w)) {
            assert!((x - y).abs() < 1e-11 * (1.0 + x.abs()), "{x} vs {y}");
        }
    }
}
