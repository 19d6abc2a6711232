//! The training objective L(θ) = 1/(2n) Σ H(u_θ(x_i), ε)² + λ/(2n_bc) Σ (u_θ(x_b) − g_b)² and
//! its exact gradient, on either network path:
//!
//! - **fused** (CPU): the network and its reverse pass run in the fused f64 kernel; burn (Flex,
//!   f64, autodiff) evaluates the residual and the loss on the output channels and hands back
//!   ∂L/∂channels, which the kernel pulls back to ∂L/∂θ.
//! - **burn** (any backend): the whole computation is burn ops and burn's reverse mode
//!   differentiates it with respect to θ.
//!
//! θ lives on the host as f64 in both cases; the objective is a pure function of (θ, ε).

use std::sync::{Arc, Mutex};

use burn::tensor::{Device, Tensor, TensorData};
use thiserror::Error;

use crate::backend::ComputeDevice;
use crate::config::BackendKind;
use crate::net::{Channels, DerivOrder, MlpShape, forward, fused};
use crate::problem::{Fields, Problem};

/// Loss value split into its parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct LossParts {
    /// Residual part + λ·boundary part.
    pub total: f64,
    /// 1/(2n) Σ r_i².
    pub residual: f64,
    /// 1/(2n_bc) Σ (u − g)² (unweighted).
    pub boundary: f64,
}

impl LossParts {
    pub fn is_finite(&self) -> bool {
        self.total.is_finite() && self.residual.is_finite() && self.boundary.is_finite()
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
}

/// L(θ; ε) and ∇_θ L for one problem, network shape and device.
pub struct Objective {
    problem: Arc<dyn Problem>,
    shape: MlpShape,
    device: Device,
    path: NetPath,
    bc_weight: f64,
    res_channels: Channels,
    bc_channels: Channels,
    g: Tensor<1>,
    res_input: forward::StackedInput,
    bc_input: forward::StackedInput,
    workspace: Mutex<Workspace>,
}

/// Reused buffers of the fused path (no allocation per step).
#[derive(Default)]
struct Workspace {
    res: fused::Tape,
    bc: fused::Tape,
    scratch: fused::Scratch,
    grad_bc: Vec<f64>,
}

impl Objective {
    /// The objective on `device`: the fused path on the CPU, the burn path elsewhere.
    pub fn new(
        problem: Arc<dyn Problem>,
        shape: MlpShape,
        device: &ComputeDevice,
        bc_weight: f64,
    ) -> Self {
        let path = match device.kind {
            BackendKind::Cpu => NetPath::Fused,
            BackendKind::Wgpu => NetPath::Burn,
        };
        Self::with_path(problem, shape, &device.device, bc_weight, path)
    }

    /// The objective with an explicit network path (tests compare the two).
    pub fn with_path(
        problem: Arc<dyn Problem>,
        shape: MlpShape,
        device: &Device,
        bc_weight: f64,
        path: NetPath,
    ) -> Self {
        let res_channels = problem.channels();
        let bc_channels = Channels::new(problem.dim(), DerivOrder::Value);
        let g = Tensor::from_data(
            TensorData::new(
                problem.boundary_values().to_vec(),
                [problem.boundary_values().len()],
            ),
            device,
        );
        let res_input = forward::StackedInput::new(problem.residual_points(), res_channels, device);
        let bc_input = forward::StackedInput::new(problem.boundary_points(), bc_channels, device);
        Self {
            problem,
            shape,
            device: device.clone(),
            path,
            bc_weight,
            res_channels,
            bc_channels,
            g,
            res_input,
            bc_input,
            workspace: Mutex::new(Workspace::default()),
        }
    }

    fn workspace(&self) -> std::sync::MutexGuard<'_, Workspace> {
        // A panic while holding the lock leaves only stale scratch buffers behind.
        self.workspace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn problem(&self) -> &Arc<dyn Problem> {
        &self.problem
    }

    pub fn shape(&self) -> &MlpShape {
        &self.shape
    }

    /// Replace the network shape (e.g. a new HRTA s); θ's layout must stay the same.
    pub fn set_shape(&mut self, shape: MlpShape) {
        debug_assert_eq!(shape.n_params(), self.shape.n_params());
        self.shape = shape;
    }

    pub fn path(&self) -> NetPath {
        self.path
    }

    /// Boundary-loss weight λ.
    pub fn bc_weight(&self) -> f64 {
        self.bc_weight
    }

    fn n_res(&self) -> usize {
        self.problem.residual_points().len() / self.problem.dim()
    }

    fn n_bc(&self) -> usize {
        self.problem.boundary_points().len() / self.problem.dim()
    }

    /// The loss as tensors: (total, residual part, boundary part).
    fn loss_tensors(
        &self,
        fields: &Fields,
        u_bc: Tensor<1>,
        eps: f64,
    ) -> (Tensor<1>, Tensor<1>, Tensor<1>) {
        let r = self.problem.residual(fields, eps);
        let l_res = r.square().sum().mul_scalar(0.5 / self.n_res() as f64);
        let l_bc = u_bc
            .sub(self.g.clone())
            .square()
            .sum()
            .mul_scalar(0.5 / self.n_bc() as f64);
        let total = l_res.clone().add(l_bc.clone().mul_scalar(self.bc_weight));
        (total, l_res, l_bc)
    }

    fn read_parts(&self, l_res: Tensor<1>, l_bc: Tensor<1>) -> Result<LossParts, ObjectiveError> {
        let residual = scalar(l_res)?;
        let boundary = scalar(l_bc)?;
        Ok(LossParts {
            total: residual + self.bc_weight * boundary,
            residual,
            boundary,
        })
    }

    /// L(θ; ε) without a gradient.
    pub fn loss(&self, theta: &[f64], eps: f64) -> Result<LossParts, ObjectiveError> {
        let (fields, u_bc) = match self.path {
            NetPath::Fused => {
                let out = fused::evaluate(
                    &self.shape,
                    theta,
                    self.problem.residual_points(),
                    self.res_channels,
                );
                let bc = fused::evaluate(
                    &self.shape,
                    theta,
                    self.problem.boundary_points(),
                    self.bc_channels,
                );
                (
                    self.fields(vec_tensor(out, &self.device)),
                    vec_tensor(bc, &self.device),
                )
            }
            NetPath::Burn => {
                let theta_t = vec_tensor(theta.to_vec(), &self.device);
                self.burn_fields(&theta_t)
            }
        };
        let (_, l_res, l_bc) = self.loss_tensors(&fields, u_bc, eps);
        self.read_parts(l_res, l_bc)
    }

    /// L(θ; ε) and ∇_θ L.
    pub fn loss_and_grad(
        &self,
        theta: &[f64],
        eps: f64,
    ) -> Result<(LossParts, Vec<f64>), ObjectiveError> {
        match self.path {
            NetPath::Fused => self.fused_loss_and_grad(theta, eps),
            NetPath::Burn => self.burn_loss_and_grad(theta, eps),
        }
    }

    fn fields(&self, stacked: Tensor<1>) -> Fields {
        Fields::from_stacked(stacked, self.n_res(), self.res_channels)
    }

    fn burn_fields(&self, theta: &Tensor<1>) -> (Fields, Tensor<1>) {
        let cn = self.res_channels.count() * self.n_res();
        let out = forward::forward(&self.shape, theta, &self.res_input).reshape([cn]);
        let bc = forward::forward(&self.shape, theta, &self.bc_input).reshape([self.n_bc()]);
        (self.fields(out), bc)
    }

    fn fused_forward(&self, theta: &[f64], ws: &mut Workspace) {
        let points = self.problem.residual_points();
        fused::forward_into(&self.shape, theta, points, self.res_channels, &mut ws.res);
        let points = self.problem.boundary_points();
        fused::forward_into(&self.shape, theta, points, self.bc_channels, &mut ws.bc);
    }

    fn fused_loss_and_grad(
        &self,
        theta: &[f64],
        eps: f64,
    ) -> Result<(LossParts, Vec<f64>), ObjectiveError> {
        let mut ws = self.workspace();
        let ws = &mut *ws;
        self.fused_forward(theta, ws);
        let out_t = vec_tensor(ws.res.out.clone(), &self.device).require_grad();
        let bc_t = vec_tensor(ws.bc.out.clone(), &self.device).require_grad();
        let fields = self.fields(out_t.clone());
        let (total, l_res, l_bc) = self.loss_tensors(&fields, bc_t.clone(), eps);
        let grads = total.backward();
        let out_bar = grad_vec(&out_t, &grads, self.res_channels.count() * self.n_res())?;
        let bc_bar = grad_vec(&bc_t, &grads, self.n_bc())?;
        let parts = self.read_parts(l_res, l_bc)?;
        let mut grad = vec![0.0; theta.len()];
        fused::backward_into(
            &self.shape,
            theta,
            &ws.res,
            &out_bar,
            &mut grad,
            &mut ws.scratch,
        );
        ws.grad_bc.resize(theta.len(), 0.0);
        fused::backward_into(
            &self.shape,
            theta,
            &ws.bc,
            &bc_bar,
            &mut ws.grad_bc,
            &mut ws.scratch,
        );
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
        let (fields, u_bc) = self.burn_fields(&theta_t);
        let (total, l_res, l_bc) = self.loss_tensors(&fields, u_bc, eps);
        let grads = total.backward();
        let grad = grad_vec(&theta_t, &grads, theta.len())?;
        Ok((self.read_parts(l_res, l_bc)?, grad))
    }
}

/// A host vector as a 1-D tensor on `device` (cast to the device's float type).
pub fn vec_tensor(v: Vec<f64>, device: &Device) -> Tensor<1> {
    let n = v.len();
    Tensor::from_data(TensorData::new(v, [n]), device)
}

/// A tensor's values as f64 on the host.
pub fn host_vec<const D: usize>(t: Tensor<D>) -> Result<Vec<f64>, ObjectiveError> {
    t.try_into_vec_as::<f64>()
        .map_err(|e| ObjectiveError::Readback(format!("{e:?}")))
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
