//! The neural network: shape and flat parameters θ, activations with exact derivatives, and
//! two forward passes that carry input derivatives (a fused f64 CPU kernel and burn tensor
//! ops for any backend).

pub mod activation;
pub mod batch;
pub mod channels;
pub mod deeponet;
pub mod fastmath;
pub mod forward;
pub mod fused;
pub mod jacobian;
pub mod mlp;
pub mod model;
pub(crate) mod simd;
pub mod tensors;

pub use activation::{Activation, ActivationKind};
pub use channels::{Channels, DerivOrder};
pub use mlp::{InitKind, LayerLayout, MlpShape};
pub use model::Network;
