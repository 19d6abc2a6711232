//! One spectral snapshot of a training state: the K_ε and SSᵀ spectra, the soft mode as a
//! function of x, D_ε's extreme eigenvalues at u_θ and the Theorem 4.1 band. Computed at a
//! configurable cadence and on demand; the CLI writes it to `diagnostics.csv`, the UI plots it.

use serde::Serialize;
use thiserror::Error;

use super::objective::{Objective, ObjectiveError};
use crate::diagnostics::operator::{
    OperatorSpectrum, Theorem41Band, operator_spectrum, theorem41_band,
};
use crate::diagnostics::spectrum::{KernelSpectrum, kernel_spectrum};
use crate::linalg::LinalgError;

/// Why a spectral snapshot could not be taken.
#[derive(Debug, Error)]
pub enum DiagnosticsError {
    #[error(transparent)]
    Objective(#[from] ObjectiveError),
    #[error("spectral decomposition failed: {0}")]
    Linalg(#[from] LinalgError),
    #[error(
        "no kernel spectra for operator learning: their soft modes are drawn over one solution's points, and a DeepONet's batch holds every input's"
    )]
    Operator,
}

/// Spectral diagnostics at one (θ, ε).
#[derive(Clone, Debug, Serialize)]
pub struct SpectralReport {
    pub eps: f64,
    /// K_ε = J_res J_resᵀ.
    pub k: KernelSpectrum,
    /// S Sᵀ (S: rows ∇_θ u(x_i)).
    pub sst: KernelSpectrum,
    /// δu = S·v at the residual points for the parameter direction v of the soft mode of K_ε,
    /// scaled to max |δu| = 1 (for 1D Allen–Cahn: the translation of the front, ∝ u′).
    #[serde(skip)]
    pub soft_mode_u: Vec<f64>,
    /// D_ε at u_θ, when the problem defines it.
    pub operator: Option<OperatorSpectrum>,
    /// The Theorem 4.1 band with D_ε at u_θ, when D_ε exists.
    pub band: Option<Theorem41Band>,
}

/// Whether `objective`'s model has kernel spectra (the MLP; see [`DiagnosticsError::Operator`]).
pub fn offered(objective: &Objective) -> bool {
    objective.network().mlp().is_some()
}

/// Take a spectral snapshot of θ at ε with singular-value cutoff `rcond`.
pub fn spectral_report(
    objective: &Objective,
    theta: &[f64],
    eps: f64,
    rcond: f64,
) -> Result<SpectralReport, DiagnosticsError> {
    if !offered(objective) {
        return Err(DiagnosticsError::Operator);
    }
    let lin = objective.linearize(theta, eps)?;
    let j = &lin.residual.jacobian;
    let k = kernel_spectrum(j, rcond)?;
    let (s, u) = objective.value_jacobian(theta)?;
    let sst = kernel_spectrum(&s, rcond)?;
    // Parameter direction of the soft mode: v = Jᵀq/λ, and its effect on u: S v.
    let lambda = k.lambda_min_kept.max(f64::MIN_POSITIVE);
    let v: Vec<f64> = j
        .apply_transpose(&k.soft_mode)
        .into_iter()
        .map(|x| x / lambda)
        .collect();
    let mut soft_mode_u = s.apply(&v);
    let peak = soft_mode_u.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if peak > 0.0 && peak.is_finite() {
        soft_mode_u.iter_mut().for_each(|x| *x /= peak);
    }
    let problem = objective.problem();
    let op = problem.discrete_operator(&u, eps);
    let operator = op.as_ref().map(operator_spectrum).transpose()?;
    let band = op
        .filter(|op| op.on_residual_points)
        .map(|op| theorem41_band(&op.matrix, &s))
        .transpose()?;
    Ok(SpectralReport {
        eps,
        k,
        sst,
        soft_mode_u,
        operator,
        band,
    })
}
