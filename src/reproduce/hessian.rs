//! The full Hessian ∇²_θ L of the plain PINN loss at a trained θ — the ISGD paper's Fig. 1, "all
//! eigenvalues of ∇²_θ L(θ) arranged in increasing order" — by central differences of the
//! exact gradient (burn's autodiff is first order only), symmetrized, beside the eigenvalues of
//! its Gauss–Newton part JᵀJ. The difference of the two is Σ w_i r_i ∇²r_i, small where the
//! residuals are; the asymmetry of the difference quotients is the noise floor of the result.

use anyhow::{Context, Result};
use faer::Mat;
use serde::{Deserialize, Serialize};

use super::row::fmt_eps;
use crate::export::figure::{Figure, Mark, Series};
use crate::linalg::SymEig;
use crate::linalg::least_squares::gram_primal;
use crate::train::Session;

/// Relative step of the difference quotients: h_k = STEP·max(1, |θ_k|).
const STEP: f64 = 1e-5;

/// The two spectra at one (method, ε).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HessianSpectrum {
    pub method: String,
    pub eps: f64,
    /// Eigenvalues of ∇²_θ L, ascending.
    pub hessian: Vec<f64>,
    /// Eigenvalues of JᵀJ (the Gauss–Newton Hessian of the same loss), ascending.
    pub gauss_newton: Vec<f64>,
    /// ‖H − Hᵀ‖_F / 2 of the difference quotients before symmetrizing: eigenvalues within it of
    /// zero are not resolved.
    pub noise: f64,
    /// Why there are no spectra (a non-finite gradient, an eigensolver that failed).
    #[serde(default)]
    pub error: Option<String>,
}

impl HessianSpectrum {
    pub fn lambda_max(&self) -> f64 {
        self.hessian.last().copied().unwrap_or(f64::NAN)
    }

    /// Eigenvalues below −noise: directions of negative curvature that the differences resolve.
    pub fn negative(&self) -> usize {
        self.hessian.iter().filter(|&&l| l < -self.noise).count()
    }
}

/// Both spectra of the plain loss L(θ; ε) (no homotopy term) of `session`'s problem at θ.
pub fn spectrum(
    method: &str,
    session: &Session,
    theta: &[f64],
    eps: f64,
) -> Result<HessianSpectrum> {
    let mut objective = session.objective().with_problem(session.problem().clone());
    objective.set_homotopy(None);
    let p = theta.len();
    let mut h = Mat::<f64>::zeros(p, p);
    let mut probe = theta.to_vec();
    for k in 0..p {
        let step = STEP * theta[k].abs().max(1.0);
        probe[k] = theta[k] + step;
        let (_, up) = objective.loss_and_grad(&probe, eps)?;
        probe[k] = theta[k] - step;
        let (_, down) = objective.loss_and_grad(&probe, eps)?;
        probe[k] = theta[k];
        for i in 0..p {
            h[(i, k)] = (up[i] - down[i]) / (2.0 * step);
        }
    }
    let mut asym = 0.0;
    for i in 0..p {
        for k in 0..i {
            let (a, b) = (h[(i, k)], h[(k, i)]);
            asym += 2.0 * (a - b) * (a - b);
            let mean = 0.5 * (a + b);
            h[(i, k)] = mean;
            h[(k, i)] = mean;
        }
    }
    let mut hessian = SymEig::new(&h)
        .context("eigenvalues of the Hessian")?
        .values;
    hessian.reverse();
    let lin = objective.linearize(theta, eps)?;
    let (a, _) = lin.into_weighted_system();
    let mut gauss_newton = SymEig::new(&gram_primal(&a))
        .context("eigenvalues of JᵀJ")?
        .values;
    gauss_newton.reverse();
    Ok(HessianSpectrum {
        method: method.into(),
        eps,
        hessian,
        gauss_newton,
        noise: 0.5 * asym.sqrt(),
        error: None,
    })
}

/// [`spectrum`], or an entry that says why it could not be computed: a failed Hessian costs the
/// page its row, not the run's other results.
pub fn spectrum_or_reason(
    method: &str,
    session: &Session,
    theta: &[f64],
    eps: f64,
) -> HessianSpectrum {
    spectrum(method, session, theta, eps).unwrap_or_else(|e| HessianSpectrum {
        method: method.into(),
        eps,
        hessian: Vec::new(),
        gauss_newton: Vec::new(),
        noise: f64::NAN,
        error: Some(format!("{e:#}")),
    })
}

/// The page's section and its figure (one panel per table ε, a curve per method: the
/// eigenvalues above the noise floor in increasing order, as the paper's Fig. 1).
pub fn section(
    spectra: &[HessianSpectrum],
    table_eps: &[f64],
    paper: &[(f64, f64)],
    fractions: bool,
    color: &dyn Fn(&str) -> (u8, u8, u8),
) -> (String, Vec<Figure>) {
    if spectra.is_empty() {
        return (
            "\n## Hessian spectrum (ISGD paper Fig. 1)\n\nNot measured: no stored cell holds it (cells from an earlier build; `--fresh` runs them again).\n".into(),
            Vec::new(),
        );
    }
    let mut md = format!(
        "\n## Hessian spectrum (ISGD paper Fig. 1)\n\nAll eigenvalues of ∇²_θ L at the end of each method (seed 0; a homotopy where it passes ε), L = ½ mean H² + λ ½ mean (u − g)² without a homotopy term, by central differences of the exact gradient (step {STEP:e}·max(1, |θ_k|)) symmetrized; beside them the Gauss–Newton part JᵀJ. *Noise* is half the Frobenius norm of the quotients' asymmetry: eigenvalues within it of zero are not resolved, and *negative* counts those below −noise. The paper's network (5 × 200 tanh, 1000 points) differs from ours, so its λ_max is a scale, not a target. Figure: `hessian_spectrum.svg`.\n\n| method | ε | λ_max(∇²L) | λ_max(JᵀJ) | paper λ_max | negative | λ_min(∇²L) | noise |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut figures = Vec::new();
    for &eps in table_eps {
        let here: Vec<&HessianSpectrum> = spectra.iter().filter(|s| s.eps == eps).collect();
        if here.is_empty() {
            continue;
        }
        let paper_max = paper
            .iter()
            .find(|(e, _)| (e - eps).abs() < 1e-12)
            .map_or("—".into(), |(_, v)| format!("{v:.1e}"));
        let mut fig = Figure::new(
            &format!("Hessian eigenvalues at ε = {}", fmt_eps(eps, fractions)),
            "index (increasing)",
            "eigenvalue",
        )
        .log_y();
        for s in here {
            if let Some(why) = &s.error {
                md.push_str(&format!(
                    "| {} | {} | not measured: {why} | | {paper_max} | | | |\n",
                    s.method,
                    fmt_eps(eps, fractions)
                ));
                continue;
            }
            md.push_str(&format!(
                "| {} | {} | {:.3e} | {:.3e} | {paper_max} | {} of {} | {:.3e} | {:.1e} |\n",
                s.method,
                fmt_eps(eps, fractions),
                s.lambda_max(),
                s.gauss_newton.last().copied().unwrap_or(f64::NAN),
                s.negative(),
                s.hessian.len(),
                s.hessian.first().copied().unwrap_or(f64::NAN),
                s.noise,
            ));
            fig.series.push(Series {
                label: super::method_label(&s.method),
                points: s
                    .hessian
                    .iter()
                    .enumerate()
                    .filter(|&(_, &l)| l > s.noise && l > 0.0)
                    .map(|(i, &l)| ((i + 1) as f64, l))
                    .collect(),
                mark: Mark::Line,
                color: color(&s.method),
            });
        }
        figures.push(fig);
    }
    (md, figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eigenvalues sum to the trace, which second differences of L (not of its gradient)
    /// give independently; the quotients are symmetric to round-off.
    #[test]
    fn the_hessian_eigenvalues_sum_to_the_trace_from_second_differences_of_the_loss() {
        let session =
            crate::train::session::small_grid_session("poisson_multiscale_1d", 0.5, 12, "[4]");
        let theta = session.state().theta.clone();
        let s = spectrum("t", &session, &theta, 0.5).unwrap();
        let p = theta.len();
        assert_eq!((s.hessian.len(), s.gauss_newton.len()), (p, p));
        assert!(s.hessian.windows(2).all(|w| w[0] <= w[1]));
        // Trace of H = Σ λ against the trace from the diagonal second differences of L.
        let obj = session.objective();
        let l = |t: &[f64]| {
            let parts = obj.loss(t, 0.5).unwrap();
            parts.residual + obj.bc_weight() * parts.boundary
        };
        let mut trace = 0.0;
        let mut probe = theta.clone();
        for k in 0..p {
            let h = 1e-4 * theta[k].abs().max(1.0);
            probe[k] = theta[k] + h;
            let up = l(&probe);
            probe[k] = theta[k] - h;
            let down = l(&probe);
            probe[k] = theta[k];
            trace += (up - 2.0 * l(&theta) + down) / (h * h);
        }
        let sum: f64 = s.hessian.iter().sum();
        assert!(
            (sum - trace).abs() < 1e-4 * trace.abs().max(1.0),
            "{sum} vs {trace}"
        );
        // The Gauss–Newton part is positive semi-definite; the Hessian's largest eigenvalue is
        // at least of its order here.
        assert!(s.gauss_newton[0] > -1e-9 * s.gauss_newton[p - 1]);
        assert!(
            s.noise < 1e-6 * s.lambda_max().abs().max(1.0),
            "{}",
            s.noise
        );
    }
}
