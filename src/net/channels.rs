//! Which input-derivative channels a forward pass carries, and where each one sits.
//!
//! A forward pass carries the value u and, as needed, ∂u/∂x_j (j < d) and either the per-axis
//! second derivatives ∂²u/∂x_j² or only the Laplacian Δu. Channels are stacked along the batch
//! axis in the order value, first derivatives, second derivatives, so one matmul per layer
//! moves all of them.

use serde::{Deserialize, Serialize};

/// The highest input derivative a residual needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DerivOrder {
    /// u only (function fitting).
    Value,
    /// u and ∇u.
    First,
    /// u, ∇u and ∂²u/∂x_j² for every axis.
    SecondPerAxis,
    /// u, ∇u and Δu only (cheaper when d is large).
    Laplacian,
}

/// The channel layout for input dimension `dim` and derivative order `order`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channels {
    pub dim: usize,
    pub order: DerivOrder,
}

impl Channels {
    pub fn new(dim: usize, order: DerivOrder) -> Self {
        Self { dim, order }
    }

    /// Number of stacked channels.
    pub fn count(&self) -> usize {
        match self.order {
            DerivOrder::Value => 1,
            DerivOrder::First => 1 + self.dim,
            DerivOrder::SecondPerAxis => 1 + 2 * self.dim,
            DerivOrder::Laplacian => 2 + self.dim,
        }
    }

    /// Whether first-derivative channels are carried.
    pub fn has_first(&self) -> bool {
        self.order != DerivOrder::Value
    }

    /// Whether any second-order channel is carried.
    pub fn has_second(&self) -> bool {
        matches!(
            self.order,
            DerivOrder::SecondPerAxis | DerivOrder::Laplacian
        )
    }

    /// Index of the value channel.
    pub fn value(&self) -> usize {
        0
    }

    /// Index of ∂u/∂x_j.
    pub fn first(&self, j: usize) -> usize {
        debug_assert!(self.has_first() && j < self.dim);
        1 + j
    }

    /// Index of ∂²u/∂x_j² (per-axis layout only).
    pub fn second(&self, j: usize) -> usize {
        debug_assert!(self.order == DerivOrder::SecondPerAxis && j < self.dim);
        1 + self.dim + j
    }

    /// Index of Δu (Laplacian layout only).
    pub fn laplacian(&self) -> usize {
        debug_assert!(self.order == DerivOrder::Laplacian);
        1 + self.dim
    }
}
