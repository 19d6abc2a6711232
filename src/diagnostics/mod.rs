//! Diagnostics of a trained state: accuracy metrics now; spectra and operators later.

pub mod metrics;

pub use metrics::{EvalReport, evaluate};
