//! What a residual reads: the network's output channels at a batch of points as 1-D tensors
//! ([`Fields`]: u, its first and second derivatives, the points' coordinates and which of the
//! problem's point sets they are), and the coordinates of a point set as tensors.

use burn::tensor::{Device, Tensor, TensorData};

use super::PointRole;
use crate::net::{Channels, DerivOrder};

/// Network output channels at a batch of points, as 1-D tensors of length n.
#[derive(Clone, Debug)]
pub struct Fields {
    /// u_θ(x_i).
    pub u: Tensor<1>,
    /// ∂u/∂x_j, one tensor per axis (empty when not carried).
    pub du: Vec<Tensor<1>>,
    /// ∂²u/∂x_j², one per axis (empty unless the per-axis layout is carried).
    pub d2u: Vec<Tensor<1>>,
    /// Δu (present with either second-order layout).
    pub laplacian: Option<Tensor<1>>,
    /// The points' coordinates x_j, one tensor per axis (empty unless attached with
    /// [`Fields::at`]; problems with x-dependent data read them through [`Fields::coord`]).
    pub x: Vec<Tensor<1>>,
    /// Which of the problem's point sets the fields are at (residual unless set with
    /// [`Fields::on`]): an operator problem reads each point's input function by it.
    pub role: PointRole,
    /// What the residual reads that does not change from step to step (a forcing term, an
    /// operator's inputs), computed once by [`super::Problem::point_data`] for the objective's
    /// residual points and attached with [`Fields::with_data`]; empty elsewhere, and a
    /// residual then computes it itself.
    pub data: Vec<Tensor<1>>,
}

impl Fields {
    /// Split a channel-major stacked output (C·n entries, see [`Channels`]) into fields.
    pub fn from_stacked(out: Tensor<1>, n: usize, ch: Channels) -> Self {
        let take = |c: usize| out.clone().slice_dim(0, c * n..(c + 1) * n);
        let du = if ch.has_first() {
            (0..ch.dim).map(|j| take(ch.first(j))).collect()
        } else {
            Vec::new()
        };
        let (d2u, laplacian) = match ch.order {
            DerivOrder::SecondPerAxis => {
                let d2u: Vec<Tensor<1>> = (0..ch.dim).map(|j| take(ch.second(j))).collect();
                let lap = d2u
                    .iter()
                    .cloned()
                    .reduce(|a, b| a.add(b))
                    .expect("dim ≥ 1");
                (d2u, Some(lap))
            }
            DerivOrder::Laplacian => (Vec::new(), Some(take(ch.laplacian()))),
            DerivOrder::Value | DerivOrder::First => (Vec::new(), None),
        };
        Self {
            u: take(0),
            du,
            d2u,
            laplacian,
            x: Vec::new(),
            role: PointRole::Residual,
            data: Vec::new(),
        }
    }

    /// Mark the fields as taken at another of the problem's point sets.
    pub fn on(mut self, role: PointRole) -> Self {
        self.role = role;
        self
    }

    /// Attach the problem's coordinate-only data at the batch's points (see
    /// [`super::Problem::point_data`]).
    pub fn with_data(mut self, data: &[Tensor<1>]) -> Self {
        self.data = data.to_vec();
        self
    }

    /// Attach the coordinates of the batch's points (see [`coordinates`]).
    pub fn at(mut self, x: &[Tensor<1>]) -> Self {
        self.x = x.to_vec();
        self
    }

    /// The coordinate x_j of every point of the batch.
    pub fn coord(&self, j: usize) -> Tensor<1> {
        self.x
            .get(j)
            .cloned()
            .expect("residual asked for coordinates the fields do not carry")
    }

    /// Δu (either second-order layout carries it).
    pub fn lap(&self) -> Tensor<1> {
        self.laplacian
            .clone()
            .expect("residual asked for Δu but the channels carry no second derivatives")
    }

    /// ∂²u/∂x_j², or the Laplacian when d = 1 and only it is carried.
    pub fn second(&self, j: usize) -> Tensor<1> {
        match self.d2u.get(j) {
            Some(t) => t.clone(),
            None => self
                .laplacian
                .clone()
                .expect("residual asked for a second derivative the channels do not carry"),
        }
    }
}

/// The coordinates of `points` (n × d row-major) as one tensor per axis on `device`.
pub fn coordinates(points: &[f64], dim: usize, device: &Device) -> Vec<Tensor<1>> {
    (0..dim)
        .map(|j| {
            let axis: Vec<f64> = points.iter().skip(j).step_by(dim).copied().collect();
            let n = axis.len();
            Tensor::from_data(TensorData::new(axis, [n]), device)
        })
        .collect()
}
