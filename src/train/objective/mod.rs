//! The training objective and its derivatives.
//!
//! L(θ) = 1/(2n) Σ H(u_θ(x_i), ε)² + λ/(2n_bc) Σ (u_θ(x_b) − g_b)² [+ α/(2n) Σ q_i²], where the
//! optional homotopy term (Strategy 2, DESIGN §1.4) is q = H_u[u_θ](u_θ − u_prev)/Δε + H_ε(u_θ).
//! Inside a time window of the time-sequential strategy the residual block is the implicit-Euler
//! step u_θ − u_prev + Δt·H(u_θ) instead of H.
//!
//! Every term is a *pointwise residual block*: a function of the network's output channels at
//! one point. Gradients come from one of two network paths:
//! - **fused** (CPU): network and reverse pass in the fused f64 kernel; burn (Flex, f64) evaluates
//!   the blocks on the output channels and hands back ∂L/∂channels;
//! - **burn** (any backend): everything is burn ops, differentiated by burn's reverse mode.
//!
//! [`Objective::linearize`] (in `jacobians.rs`) returns per-sample Jacobians of every block
//! (always CPU f64), for Levenberg–Marquardt, the Euler predictor of Strategy 1 and the spectral
//! diagnostics.

use std::sync::{Arc, Mutex};

use burn::tensor::{Device, Tensor};
use thiserror::Error;

use crate::backend::{self, ComputeDevice};
use crate::config::BackendKind;
use crate::net::jacobian::Jacobian;
use crate::net::model::{ModelError, NetBatch, Network};
use crate::net::{Channels, DerivOrder, forward};
use crate::problem::{Fields, PointRole, Problem, coordinates};

mod jacobians;
mod products;

pub use products::SystemProducts;

pub use super::linearization::{Block, Linearization};

/// Loss value split into its parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LossParts {
    /// residual + λ·boundary + α·homotopy.
    pub total: f64,
    /// 1/(2n) Σ r_i².
    pub residual: f64,
    /// 1/(2n_bc) Σ (u − g)² (unweighted).
    pub boundary: f64,
    /// 1/(2n) Σ q_i² of the homotopy term (0 when it is off; unweighted).
    pub homotopy: f64,
}

impl LossParts {
    /// Every part unknown (a loss that could not be evaluated).
    pub const NAN: Self = Self {
        total: f64::NAN,
        residual: f64::NAN,
        boundary: f64::NAN,
        homotopy: f64::NAN,
    };

    /// The PDE's own loss, residual + boundary (unweighted), without the homotopy term: what
    /// the explosion guard watches. The homotopy term is ½ mean (H_u Δu/Δε + H_ε)², of the
    /// size of ∂u/∂ε squared, which is large by nature where the solution moves fast with ε
    /// (e.g. sin(πx/ε): π x/ε² ≈ 10⁴ at ε = 1/50) and says nothing about divergence.
    pub fn pde(&self) -> f64 {
        self.residual + self.boundary
    }

    pub fn is_finite(&self) -> bool {
        self.total.is_finite()
            && self.residual.is_finite()
            && self.boundary.is_finite()
            && self.homotopy.is_finite()
    }
}

/// Which implementation of the network forward/backward the objective uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetPath {
    /// Fused f64 CPU kernel (requires the CPU device).
    Fused,
    /// burn tensor ops on the objective's device.
    Burn,
}

/// A failure inside the objective.
#[derive(Debug, Error)]
pub enum ObjectiveError {
    #[error("reading a result back from the device failed: {0}")]
    Readback(String),
    #[error("the CPU device for Jacobians is unavailable: {0}")]
    Cpu(String),
    #[error(
        "{0} has {1} residual rows per point; Jacobians, Levenberg–Marquardt, Euler steps and kernel spectra need a pointwise residual"
    )]
    NotPointwise(&'static str, usize),
    #[error("{0}")]
    Memory(String),
    #[error("{0}")]
    Model(#[from] ModelError),
    #[error("{0}")]
    Backend(String),
}

/// The Strategy-2 homotopy term α/(2n) Σ (H_u[u](u − u_prev)/Δε + H_ε(u))².
#[derive(Clone, Debug)]
pub struct HomotopyTerm {
    /// Weight α.
    pub alpha: f64,
    /// Δε_k = ε_k − ε_{k−1} (negative when ε shrinks).
    pub delta_eps: f64,
    /// The previous stage's output channels at the residual points (C·n, channel-major).
    pub previous: Vec<f64>,
}

/// An implicit-Euler window of u_t = −H(u): the residual block becomes u − u_prev + Δt·H(u)
/// (H scaled by Δt keeps the block on the scale of u, beside the boundary block).
#[derive(Clone, Debug)]
pub struct TimeStep {
    /// Window length Δt.
    pub dt: f64,
    /// u at the residual points at the start of the window.
    pub previous: Vec<f64>,
}

/// L(θ; ε) and its derivatives for one problem, network shape and device.
pub struct Objective {
    problem: Arc<dyn Problem>,
    net: Network,
    device: Device,
    cpu: Device,
    path: NetPath,
    bc_weight: f64,
    res_channels: Channels,
    bc_channels: Channels,
    /// Boundary data g on the training device for the last ε asked (they may depend on ε).
    g_cache: Mutex<Option<(u64, Tensor<1>)>>,
    /// Residual-point coordinates on the training device and on the CPU.
    res_x: Vec<Tensor<1>>,
    res_x_cpu: Vec<Tensor<1>>,
    /// The problem's coordinate-only data at the residual points ([`Problem::point_data`]),
    /// on the device and on the CPU.
    res_data: Vec<Tensor<1>>,
    res_data_cpu: Vec<Tensor<1>>,
    res_input: forward::StackedInput,
    bc_input: forward::StackedInput,
    homotopy: Option<(HomotopyTerm, Tensor<1>)>,
    /// The time window, with u_prev on the training device and on the CPU.
    time_step: Option<(TimeStep, Tensor<1>, Tensor<1>)>,
    workspace: Mutex<Workspace>,
    /// Parameters before this index are frozen (the random-feature model trains the output
    /// layer only): their gradient entries and Jacobian columns are zero.
    trainable_from: usize,
}

/// Reused buffers of the fused path (no allocation per step).
#[derive(Default)]
struct Workspace {
    res: NetBatch,
    bc: NetBatch,
    grad_bc: Vec<f64>,
}

impl Objective {
    /// The objective on `device`: the fused path on the CPU, the burn path elsewhere.
    pub fn new(
        problem: Arc<dyn Problem>,
        net: impl Into<Network>,
        device: &ComputeDevice,
        bc_weight: f64,
    ) -> Self {
        let path = match device.kind {
            BackendKind::Cpu => NetPath::Fused,
            BackendKind::Wgpu => NetPath::Burn,
        };
        Self::with_path(problem, net, &device.device, bc_weight, path)
    }

    /// The objective with an explicit network path (tests compare the two).
    pub fn with_path(
        problem: Arc<dyn Problem>,
        net: impl Into<Network>,
        device: &Device,
        bc_weight: f64,
        path: NetPath,
    ) -> Self {
        let res_channels = problem.channels();
        let bc_channels = Channels::new(problem.dim(), DerivOrder::Value);
        let res_input = forward::StackedInput::new(problem.residual_points(), res_channels, device);
        let bc_input = forward::StackedInput::new(problem.boundary_points(), bc_channels, device);
        // The CPU device always exists; Jacobians are f64 whatever trains the network.
        let cpu = backend::cpu()
            .map(|c| c.device)
            .unwrap_or_else(|_| device.clone());
        let res_x = coordinates(problem.residual_points(), problem.dim(), device);
        let res_x_cpu = coordinates(problem.residual_points(), problem.dim(), &cpu);
        let res_data = problem.point_data(&res_x);
        let res_data_cpu = problem.point_data(&res_x_cpu);
        Self {
            problem,
            net: net.into(),
            device: device.clone(),
            cpu,
            res_x,
            res_x_cpu,
            res_data,
            res_data_cpu,
            path,
            bc_weight,
            res_channels,
            bc_channels,
            g_cache: Mutex::new(None),
            res_input,
            bc_input,
            homotopy: None,
            time_step: None,
            workspace: Mutex::new(Workspace::default()),
            trainable_from: 0,
        }
    }

    /// The same objective (device, path, λ, shape, frozen layers) for another point set of the
    /// problem, e.g. after resampling; a Strategy-2 homotopy term or a time window (both tied to
    /// the old points) is not carried over.
    pub fn with_problem(&self, problem: Arc<dyn Problem>) -> Self {
        let mut o = Self::with_path(
            problem,
            self.net.clone(),
            &self.device,
            self.bc_weight,
            self.path,
        );
        o.trainable_from = self.trainable_from;
        o
    }

    fn workspace(&self) -> std::sync::MutexGuard<'_, Workspace> {
        // A panic while holding the lock leaves only stale scratch buffers behind.
        self.workspace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The CPU device that Jacobians and host-side evaluations use.
    pub fn cpu_device(&self) -> &Device {
        &self.cpu
    }

    pub fn problem(&self) -> &Arc<dyn Problem> {
        &self.problem
    }

    /// The model and its θ layout.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Replace the network (e.g. a new HRTA s); θ's layout must stay the same.
    pub fn set_network(&mut self, net: impl Into<Network>) {
        let net = net.into();
        debug_assert_eq!(net.n_params(), self.net.n_params());
        self.net = net;
    }

    pub fn path(&self) -> NetPath {
        self.path
    }

    /// Boundary-loss weight λ.
    pub fn bc_weight(&self) -> f64 {
        self.bc_weight
    }

    /// Residual points n.
    pub fn n_res(&self) -> usize {
        self.problem.residual_points().len() / self.problem.dim()
    }

    /// Boundary points n_bc.
    pub fn n_bc(&self) -> usize {
        self.problem.boundary_points().len() / self.problem.dim()
    }

    /// Channel layout at the residual points.
    pub fn res_channels(&self) -> Channels {
        self.res_channels
    }

    /// Switch the Strategy-2 homotopy term on (Some) or off (None).
    pub fn set_homotopy(&mut self, term: Option<HomotopyTerm>) {
        self.homotopy = term.map(|t| {
            let prev = vec_tensor(t.previous.clone(), &self.device);
            (t, prev)
        });
    }

    /// The active homotopy term.
    pub fn homotopy(&self) -> Option<&HomotopyTerm> {
        self.homotopy.as_ref().map(|(t, _)| t)
    }

    /// Switch the implicit-Euler window on (Some) or off (None).
    pub fn set_time_step(&mut self, step: Option<TimeStep>) {
        self.time_step = step.map(|t| {
            let prev = vec_tensor(t.previous.clone(), &self.device);
            let prev_cpu = vec_tensor(t.previous.clone(), &self.cpu);
            (t, prev, prev_cpu)
        });
    }

    /// The active time window.
    pub fn time_step(&self) -> Option<&TimeStep> {
        self.time_step.as_ref().map(|(t, _, _)| t)
    }

    /// The residual block at `fields`: H, or u − u_prev + Δt·H inside a time window (`cpu`:
    /// the fields live on the CPU device rather than the training device).
    fn pde_block(&self, fields: &Fields, eps: f64, cpu: bool) -> Tensor<1> {
        let h = self.problem.residual(fields, eps);
        match &self.time_step {
            None => h,
            Some((t, prev, prev_cpu)) => {
                let prev = if cpu { prev_cpu } else { prev };
                h.mul_scalar(t.dt).add(fields.u.clone().sub(prev.clone()))
            }
        }
    }

    /// The blocks' values as tensors: (H, u_bc − g, q).
    fn block_tensors(
        &self,
        out_res: &Tensor<1>,
        u_bc: Tensor<1>,
        eps: f64,
    ) -> (Tensor<1>, Tensor<1>, Option<Tensor<1>>) {
        let fields = self.fields(out_res.clone());
        let r = self.pde_block(&fields, eps, false);
        let rb = u_bc.sub(self.g_tensor(eps));
        let q = self.homotopy.as_ref().map(|(term, prev)| {
            let v = self.fields(out_res.clone().sub(prev.clone()));
            self.problem
                .linearized(&fields, &v, eps)
                .div_scalar(term.delta_eps)
                .add(self.problem.residual_eps(&fields, eps))
        });
        (r, rb, q)
    }

    /// The loss as tensors: total and the (unweighted) parts.
    fn loss_tensors(
        &self,
        out_res: &Tensor<1>,
        u_bc: Tensor<1>,
        eps: f64,
    ) -> (Tensor<1>, [Option<Tensor<1>>; 3]) {
        let (r, rb, q) = self.block_tensors(out_res, u_bc, eps);
        let half_mean = |t: Tensor<1>, n: usize| t.square().sum().mul_scalar(0.5 / n as f64);
        let l_res = half_mean(r, self.n_res());
        let l_bc = half_mean(rb, self.n_bc());
        let mut total = l_res.clone().add(l_bc.clone().mul_scalar(self.bc_weight));
        let l_hom = q.map(|q| half_mean(q, self.n_res()));
        if let (Some(l), Some((term, _))) = (&l_hom, &self.homotopy) {
            total = total.add(l.clone().mul_scalar(term.alpha));
        }
        (total, [Some(l_res), Some(l_bc), l_hom])
    }

    fn read_parts(&self, parts: [Option<Tensor<1>>; 3]) -> Result<LossParts, ObjectiveError> {
        let [l_res, l_bc, l_hom] = parts;
        let residual = scalar(l_res.expect("always present"))?;
        let boundary = scalar(l_bc.expect("always present"))?;
        let homotopy = match l_hom {
            Some(t) => scalar(t)?,
            None => 0.0,
        };
        Ok(self.combine(residual, boundary, homotopy))
    }

    fn combine(&self, residual: f64, boundary: f64, homotopy: f64) -> LossParts {
        let alpha = self.homotopy().map_or(0.0, |t| t.alpha);
        LossParts {
            total: residual + self.bc_weight * boundary + alpha * homotopy,
            residual,
            boundary,
            homotopy,
        }
    }

    /// L(θ; ε) without a gradient.
    pub fn loss(&self, theta: &[f64], eps: f64) -> Result<LossParts, ObjectiveError> {
        let (out, u_bc) = match self.path {
            NetPath::Fused => {
                let mut ws = self.workspace();
                let ws = &mut *ws;
                self.fused_forward(theta, ws)?;
                (
                    vec_tensor(ws.res.out().to_vec(), &self.device),
                    vec_tensor(ws.bc.out().to_vec(), &self.device),
                )
            }
            NetPath::Burn => {
                let theta_t = vec_tensor(theta.to_vec(), &self.device);
                self.burn_outputs(&theta_t)?
            }
        };
        let (_, parts) = self.loss_tensors(&out, u_bc, eps);
        self.read_parts(parts)
    }

    /// L(θ; ε) and ∇_θ L.
    pub fn loss_and_grad(
        &self,
        theta: &[f64],
        eps: f64,
    ) -> Result<(LossParts, Vec<f64>), ObjectiveError> {
        let (loss, mut grad) = match self.path {
            NetPath::Fused => self.fused_loss_and_grad(theta, eps),
            NetPath::Burn => self.burn_loss_and_grad(theta, eps),
        }?;
        grad[..self.trainable_from].fill(0.0);
        Ok((loss, grad))
    }

    /// Freeze every layer but the output layer (the random-feature model): optimizers then
    /// see zero gradient entries and Jacobian columns for the hidden layers.
    /// (The MLP only: the config refuses `train_output_only` for a DeepONet.)
    pub fn freeze_hidden_layers(&mut self) {
        if let Some(shape) = self.net.mlp() {
            let last = shape
                .layers()
                .last()
                .expect("a network has an output layer");
            self.trainable_from = last.w_offset.min(last.b_offset);
        }
    }

    /// Index of the first trainable parameter (0 unless hidden layers are frozen).
    pub fn trainable_from(&self) -> usize {
        self.trainable_from
    }

    /// Boundary data g at ε on the host.
    fn g_host(&self, eps: f64) -> Vec<f64> {
        self.problem
            .boundary_values_at(eps)
            .unwrap_or_else(|| self.problem.boundary_values().to_vec())
    }

    /// Boundary data g at ε on the training device, uploaded once per ε (ε changes per stage,
    /// not per step).
    fn g_tensor(&self, eps: f64) -> Tensor<1> {
        let mut cache = self
            .g_cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((key, g)) = cache.as_ref()
            && *key == eps.to_bits()
        {
            return g.clone();
        }
        let g = vec_tensor(self.g_host(eps), &self.device);
        *cache = Some((eps.to_bits(), g.clone()));
        g
    }

    fn mask_columns(&self, j: &mut Jacobian) {
        if self.trainable_from == 0 {
            return;
        }
        for row in j.data.chunks_mut(j.cols) {
            row[..self.trainable_from].fill(0.0);
        }
    }

    fn fields(&self, stacked: Tensor<1>) -> Fields {
        Fields::from_stacked(stacked, self.n_res(), self.res_channels)
            .at(&self.res_x)
            .with_data(&self.res_data)
    }

    /// Fields of the residual batch on the CPU (Jacobians and host-side blocks).
    fn cpu_fields(&self, stacked: Tensor<1>) -> Fields {
        Fields::from_stacked(stacked, self.n_res(), self.res_channels)
            .at(&self.res_x_cpu)
            .with_data(&self.res_data_cpu)
    }

    fn burn_outputs(&self, theta: &Tensor<1>) -> Result<(Tensor<1>, Tensor<1>), ObjectiveError> {
        let Some(shape) = self.net.mlp() else {
            return Err(ObjectiveError::Backend(
                "the DeepONet runs on the CPU backend only (its fused f64 kernel); pick backend = \"cpu\"".into(),
            ));
        };
        let cn = self.res_channels.count() * self.n_res();
        let out = forward::forward(shape, theta, &self.res_input).reshape([cn]);
        let bc = forward::forward(shape, theta, &self.bc_input).reshape([self.n_bc()]);
        Ok((out, bc))
    }

    /// The fused forward pass at the residual and boundary points (a DeepONet on the
    /// problem's operator batches).
    fn fused_forward(&self, theta: &[f64], ws: &mut Workspace) -> Result<(), ObjectiveError> {
        let p = &self.problem;
        ws.res.forward(
            &self.net,
            theta,
            p.residual_points(),
            p.operator_points(PointRole::Residual),
            self.res_channels,
        )?;
        ws.bc.forward(
            &self.net,
            theta,
            p.boundary_points(),
            p.operator_points(PointRole::Boundary),
            self.bc_channels,
        )?;
        Ok(())
    }

    fn fused_loss_and_grad(
        &self,
        theta: &[f64],
        eps: f64,
    ) -> Result<(LossParts, Vec<f64>), ObjectiveError> {
        let mut ws = self.workspace();
        let ws = &mut *ws;
        self.fused_forward(theta, ws)?;
        let out_t = vec_tensor(ws.res.out().to_vec(), &self.device).require_grad();
        let bc_t = vec_tensor(ws.bc.out().to_vec(), &self.device).require_grad();
        let (total, parts) = self.loss_tensors(&out_t, bc_t.clone(), eps);
        let grads = total.backward();
        let out_bar = grad_vec(&out_t, &grads, ws.res.out().len())?;
        let bc_bar = grad_vec(&bc_t, &grads, self.n_bc())?;
        let parts = self.read_parts(parts)?;
        let mut grad = vec![0.0; theta.len()];
        ws.res.backward(&self.net, theta, &out_bar, &mut grad);
        ws.grad_bc.resize(theta.len(), 0.0);
        ws.bc.backward(&self.net, theta, &bc_bar, &mut ws.grad_bc);
        for (g, b) in grad.iter_mut().zip(&ws.grad_bc) {
            *g += b;
        }
        Ok((parts, grad))
    }

    fn burn_loss_and_grad(
        &self,
        theta: &[f64],
        eps: f64,
    ) -> Result<(LossParts, Vec<f64>), ObjectiveError> {
        let theta_t = vec_tensor(theta.to_vec(), &self.device).require_grad();
        let (out, u_bc) = self.burn_outputs(&theta_t)?;
        let (total, parts) = self.loss_tensors(&out, u_bc, eps);
        let grads = total.backward();
        let grad = grad_vec(&theta_t, &grads, theta.len())?;
        Ok((self.read_parts(parts)?, grad))
    }
}

pub use crate::net::tensors::vec_tensor;

/// A tensor's values as f64 on the host.
pub fn host_vec<const D: usize>(t: Tensor<D>) -> Result<Vec<f64>, ObjectiveError> {
    crate::net::tensors::host_vec(t).map_err(ObjectiveError::Readback)
}

fn scalar(t: Tensor<1>) -> Result<f64, ObjectiveError> {
    host_vec(t)?
        .first()
        .copied()
        .ok_or_else(|| ObjectiveError::Readback("empty scalar".into()))
}

/// The gradient of a leaf, or zeros when the loss does not depend on it.
fn grad_vec(
    leaf: &Tensor<1>,
    grads: &burn::tensor::Gradients,
    len: usize,
) -> Result<Vec<f64>, ObjectiveError> {
    match leaf.grad(grads) {
        Some(g) => host_vec(g),
        None => Ok(vec![0.0; len]),
    }
}
