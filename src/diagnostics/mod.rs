//! Diagnostics as pure numerics below training: accuracy metrics, kernel spectra from a
//! Jacobian and the discrete operator D_ε. What needs an objective or a session (the spectral
//! snapshot of a state, the NTK lab) lives above: `train::spectral`, `lab::ntk`.

pub mod metrics;
pub mod operator;
pub mod spectrum;

pub use metrics::{Accuracy, EvalReport, evaluate};
