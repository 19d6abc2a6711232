//! Diagnostics of a trained state: accuracy metrics, kernel spectra and the discrete operator.

pub mod metrics;
pub mod ntk;
pub mod operator;
pub mod report;
pub mod spectrum;

pub use metrics::{EvalReport, evaluate};
pub use report::{SpectralReport, spectral_report};
