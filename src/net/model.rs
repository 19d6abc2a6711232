//! The model kinds the engine trains, behind one type: the MLP u_θ(x) and the DeepONet
//! G_θ(v)(y) of operator learning. [`Network`] gives the size, the seeded initialization, the
//! activation (HRTA's s) and evaluation at points; [`NetBatch`] the forward and reverse passes
//! the objective runs every step. Per-sample Jacobian rows exist for both; the DeepONet
//! writes them one input's block at a time (an operator batch has a row per input and
//! coordinate).
//!
//! A DeepONet point is an (input function, coordinate) pair, so it is evaluated on an
//! [`OperatorPoints`] batch rather than on coordinates alone; the operator problem hands its
//! batches out (its `operator_points`).

use thiserror::Error;

use super::batch::Batch;
use super::deeponet::{self, DeepOnetShape, OnetTape, OperatorPoints};
use super::jacobian::Jacobian;
use super::{Activation, Channels, InitKind, MlpShape, fused};

/// What a model cannot do.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ModelError {
    #[error(
        "the DeepONet is evaluated on an operator batch (input functions × coordinates), and these points are not one of the problem's batches"
    )]
    NotAnOperatorBatch,
}

/// A model and its θ layout.
#[derive(Clone, Debug, PartialEq)]
pub enum Network {
    Mlp(MlpShape),
    DeepOnet(DeepOnetShape),
}

impl From<MlpShape> for Network {
    fn from(shape: MlpShape) -> Self {
        Self::Mlp(shape)
    }
}

impl From<DeepOnetShape> for Network {
    fn from(shape: DeepOnetShape) -> Self {
        Self::DeepOnet(shape)
    }
}

impl Network {
    pub fn n_params(&self) -> usize {
        match self {
            Self::Mlp(s) => s.n_params(),
            Self::DeepOnet(s) => s.n_params(),
        }
    }

    /// Seeded initial θ (the DeepONet is always Xavier-normal).
    pub fn init(&self, kind: InitKind, seed: u64) -> Vec<f64> {
        match self {
            Self::Mlp(s) => s.init(kind, seed),
            Self::DeepOnet(s) => s.init(seed),
        }
    }

    pub fn activation(&self) -> Activation {
        match self {
            Self::Mlp(s) => s.activation,
            Self::DeepOnet(s) => s.activation,
        }
    }

    /// The same network with HRTA's s set in its activation (θ's layout unchanged).
    pub fn with_activation_s(&self, s: f64) -> Self {
        let mut net = self.clone();
        match &mut net {
            Self::Mlp(shape) => shape.activation.s = s,
            Self::DeepOnet(shape) => shape.activation.s = s,
        }
        net
    }

    /// The MLP's shape (None for a DeepONet).
    pub fn mlp(&self) -> Option<&MlpShape> {
        match self {
            Self::Mlp(s) => Some(s),
            Self::DeepOnet(_) => None,
        }
    }

    /// What it is, for summaries and labels ("MLP 1-30-30-30-1", "DeepONet (eq. 61), p = 64").
    pub fn label(&self) -> String {
        match self {
            Self::Mlp(s) => {
                let w: Vec<String> = s.widths.iter().map(|w| w.to_string()).collect();
                format!("MLP {}", w.join("-"))
            }
            Self::DeepOnet(s) => match &s.form {
                deeponet::DeepOnetForm::Paper { width } => format!(
                    "DeepONet (eq. 61), m = {}, p = {}, {width} branch units per basis function",
                    s.sensors, s.basis
                ),
                deeponet::DeepOnetForm::Stacked {
                    branch_hidden,
                    trunk_hidden,
                } => format!(
                    "DeepONet (stacked), m = {}, p = {}, branch {branch_hidden:?}, trunk {trunk_hidden:?}",
                    s.sensors, s.basis
                ),
            },
        }
    }

    /// The output channels at points `x` (n × d) for the MLP, or at the operator batch `op`
    /// for the DeepONet.
    pub fn evaluate(
        &self,
        theta: &[f64],
        x: &[f64],
        op: Option<&OperatorPoints>,
        channels: Channels,
    ) -> Result<Vec<f64>, ModelError> {
        match self {
            Self::Mlp(s) => Ok(fused::evaluate(s, theta, x, channels)),
            Self::DeepOnet(s) => {
                let op = op.ok_or(ModelError::NotAnOperatorBatch)?;
                Ok(deeponet::evaluate(s, theta, op, channels))
            }
        }
    }
}

/// The forward state of one point set for either model, with buffers reused from call to call.
#[derive(Clone, Debug, Default)]
pub struct NetBatch {
    mlp: Batch,
    onet: OnetTape,
    operator: bool,
}

impl NetBatch {
    /// Forward pass: the MLP at `x` (n × d), the DeepONet on `op`.
    pub fn forward(
        &mut self,
        net: &Network,
        theta: &[f64],
        x: &[f64],
        op: Option<&OperatorPoints>,
        channels: Channels,
    ) -> Result<(), ModelError> {
        match net {
            Network::Mlp(s) => {
                self.operator = false;
                self.mlp.forward(s, theta, x, channels);
            }
            Network::DeepOnet(s) => {
                let op = op.ok_or(ModelError::NotAnOperatorBatch)?;
                self.operator = true;
                deeponet::forward_into(s, theta, op, channels, &mut self.onet);
            }
        }
        Ok(())
    }

    /// The output channels of the last forward pass (channel-major).
    pub fn out(&self) -> &[f64] {
        if self.operator {
            &self.onet.out
        } else {
            &self.mlp.out
        }
    }

    /// ∂/∂θ of Σ out_bar·out into `grad` (overwritten).
    pub fn backward(&mut self, net: &Network, theta: &[f64], out_bar: &[f64], grad: &mut [f64]) {
        match net {
            Network::Mlp(s) => self.mlp.backward(s, theta, out_bar, grad),
            Network::DeepOnet(s) => deeponet::backward_into(s, theta, &self.onet, out_bar, grad),
        }
    }

    /// Per-sample Jacobian rows (see [`Batch::per_sample`]; the DeepONet's row i·M + j is input
    /// i at coordinate j).
    pub fn per_sample(&mut self, net: &Network, theta: &[f64], coeff: &[f64], jac: &mut Jacobian) {
        match net {
            Network::Mlp(s) => self.mlp.per_sample(s, theta, coeff, jac),
            Network::DeepOnet(s) => {
                let rows = self.onet.points();
                jac.rows = rows;
                jac.cols = s.n_params();
                jac.data.clear();
                jac.data.resize(rows * jac.cols, 0.0);
                deeponet::per_sample_into(s, theta, &self.onet, coeff, &mut jac.data);
            }
        }
    }

    /// J·v for the rows [`Self::per_sample`] would write, one chunk of rows at a time (no
    /// Jacobian stored).
    pub fn row_products(
        &mut self,
        net: &Network,
        theta: &[f64],
        coeff: &[f64],
        v: &[f64],
    ) -> Vec<f64> {
        match net {
            Network::Mlp(s) => self.mlp.row_products(s, theta, coeff, v),
            Network::DeepOnet(s) => deeponet::row_products(s, theta, &self.onet, coeff, v),
        }
    }
}
