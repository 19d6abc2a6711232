//! Spectra of Gram kernels: K_ε = J_res J_resᵀ (the residual NTK) and S Sᵀ, with the numerical
//! rank at a cutoff, the round-off floor below which eigenvalues are noise, σ_min(J), and the
//! soft mode (eigenvector of the smallest kept eigenvalue).
//!
//! The eigenvalues of K = JJᵀ are taken as σ_i(J)², with the singular values computed from a
//! Householder QR of Jᵀ and the SVD of its m × m triangle — accurate to about max(m,p)·ε_mach·σ_max
//! in σ, far below what an eigensolver on the formed K can resolve (m·ε_mach·λ_max in λ). A
//! singular value below that floor is round-off: K is then reported as rank-deficient and gets no
//! λ_min value. [`kernel_spectrum_gram`] is the faster, coarser eigensolver route.

use serde::Serialize;

use faer::Mat;

use crate::linalg::{LinalgError, SymEig, gram};
use crate::net::jacobian::Jacobian;

/// The spectrum of J Jᵀ for an m × p matrix J.
#[derive(Clone, Debug, Serialize)]
pub struct KernelSpectrum {
    /// All m eigenvalues, descending (values below the floor are noise).
    pub eigenvalues: Vec<f64>,
    pub lambda_max: f64,
    /// Relative cutoff on singular values used for the rank (σ_i > rcond·σ_max).
    pub rcond: f64,
    /// Numerical rank at `rcond`.
    pub rank: usize,
    /// Eigenvalues below this are indistinguishable from round-off
    /// ((max(m,p)·ε_mach·σ_max)² on the SVD route, m·ε_mach·λ_max on the Gram route).
    pub roundoff_floor: f64,
    /// λ_min when K is numerically nonsingular (all eigenvalues above the floor), else None.
    pub lambda_min: Option<f64>,
    /// The smallest eigenvalue kept at the cutoff.
    pub lambda_min_kept: f64,
    /// σ_min(J) = √λ_min when resolved (for m ≤ p), else None.
    pub sigma_min: Option<f64>,
    /// True when K has eigenvalues at or below the round-off floor (or m > p).
    pub rank_deficient: bool,
    /// Eigenvector of `lambda_min_kept` (one entry per row of J).
    #[serde(skip)]
    pub soft_mode: Vec<f64>,
}

impl KernelSpectrum {
    /// "7.38e-8", or "rank 41/200 (below round-off)" when λ_min is not resolved.
    pub fn lambda_min_text(&self) -> String {
        match self.lambda_min {
            Some(l) => format!("{l:.3e}"),
            None => format!(
                "rank {}/{} (λ_min below round-off {:.1e})",
                self.rank,
                self.eigenvalues.len(),
                self.roundoff_floor
            ),
        }
    }
}

/// Spectrum of J Jᵀ from the singular values of J (accurate route).
pub fn kernel_spectrum(j: &Jacobian, rcond: f64) -> Result<KernelSpectrum, LinalgError> {
    let (m, p) = (j.rows, j.cols);
    if j.data.iter().any(|v| !v.is_finite()) {
        return Err(LinalgError::NonFinite);
    }
    // Sequential (faer's decompositions would split their round-off by the thread count; see
    // `pool`); `install` makes sure that setting is in place.
    let (sigma, left) = crate::pool::install(|_| singular_pairs(j))?;
    let sigma_max = sigma.first().copied().unwrap_or(0.0);
    let sigma_floor = m.max(p) as f64 * f64::EPSILON * sigma_max;
    let mut eigenvalues: Vec<f64> = sigma.iter().map(|s| s * s).collect();
    eigenvalues.resize(m, 0.0);
    let rank = sigma.iter().filter(|&&s| s > rcond * sigma_max).count();
    let smallest = if m <= p { sigma[m - 1] } else { 0.0 };
    let resolved = m <= p && smallest > sigma_floor;
    let kept = rank.max(1) - 1;
    let soft_mode = (0..m).map(|i| left[(i, kept)]).collect();
    Ok(KernelSpectrum {
        lambda_max: sigma_max * sigma_max,
        lambda_min_kept: eigenvalues[kept],
        eigenvalues,
        rcond,
        rank,
        roundoff_floor: sigma_floor * sigma_floor,
        lambda_min: resolved.then_some(smallest * smallest),
        sigma_min: resolved.then_some(smallest),
        rank_deficient: !resolved,
        soft_mode,
    })
}

/// Spectrum of J Jᵀ by an eigensolver on the formed Gram matrix (faster; resolves eigenvalues
/// only down to m·ε_mach·λ_max).
pub fn kernel_spectrum_gram(j: &Jacobian, rcond: f64) -> Result<KernelSpectrum, LinalgError> {
    let eig = SymEig::new(&gram(j))?;
    let m = j.rows;
    let lambda_max = eig.lambda_max();
    let floor = m as f64 * f64::EPSILON * lambda_max;
    let rank = eig.rank(rcond);
    let smallest = eig.values.last().copied().unwrap_or(0.0);
    let resolved = m <= j.cols && smallest > floor;
    let kept = rank.max(1) - 1;
    let lambda_min_kept = eig.values.get(kept).copied().unwrap_or(0.0);
    let soft_mode = (0..m).map(|i| eig.vectors[(i, kept)]).collect();
    Ok(KernelSpectrum {
        eigenvalues: eig.values,
        lambda_max,
        rcond,
        rank,
        roundoff_floor: floor,
        lambda_min: resolved.then_some(smallest),
        lambda_min_kept,
        sigma_min: resolved.then(|| smallest.sqrt()),
        rank_deficient: !resolved,
        soft_mode,
    })
}

/// σ(J) descending and J's left singular vectors (K's eigenvectors), one column per σ.
fn singular_pairs(j: &Jacobian) -> Result<(Vec<f64>, Mat<f64>), LinalgError> {
    let (m, p) = (j.rows, j.cols);
    Ok(if m <= p {
        // Jᵀ = QR ⇒ J = Rᵀ Qᵀ; with R = U Σ Vᵀ, J = V Σ (QU)ᵀ: K's eigenvectors are V.
        let jt = j.as_mat().transpose().to_owned();
        let r = jt.qr().thin_R().to_owned();
        let svd = r.svd().map_err(|_| LinalgError::NoConvergence)?;
        let s = svd.S();
        ((0..m).map(|i| s[i]).collect(), svd.V().to_owned())
    } else {
        let svd = j
            .as_mat()
            .thin_svd()
            .map_err(|_| LinalgError::NoConvergence)?;
        let s = svd.S();
        ((0..p).map(|i| s[i]).collect(), svd.U().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svd_route_resolves_eigenvalues_the_gram_route_cannot() {
        // Rows with singular values 1 and 1e-10: λ_min = 1e-20 is far below the Gram route's
        // floor (2·ε·λ_max ≈ 4e-16) but well above the SVD route's.
        let mut j = Jacobian::zeros(2, 4);
        j.row_mut(0).copy_from_slice(&[1.0, 0.0, 0.0, 0.0]);
        j.row_mut(1).copy_from_slice(&[1.0, 1e-10, 0.0, 0.0]);
        let s = kernel_spectrum(&j, 1e-14).unwrap();
        let lmin = s.lambda_min.expect("resolved by the SVD route");
        // σ_min ≈ 1e-10/√2 for these two rows.
        assert!(
            (lmin.sqrt() / (1e-10 / 2f64.sqrt()) - 1.0).abs() < 1e-4,
            "{lmin:e}"
        );
        assert_eq!(kernel_spectrum_gram(&j, 1e-14).unwrap().lambda_min, None);
    }

    #[test]
    fn well_conditioned_kernel_reports_lambda_min_and_sigma_min() {
        // J = diag(3, 2, 1) padded with zero columns: K = diag(9, 4, 1).
        let mut j = Jacobian::zeros(3, 5);
        j.row_mut(0)[0] = 3.0;
        j.row_mut(1)[1] = 2.0;
        j.row_mut(2)[2] = 1.0;
        let s = kernel_spectrum(&j, 1e-4).unwrap();
        let g = kernel_spectrum_gram(&j, 1e-4).unwrap();
        assert_eq!(g.rank, 3);
        assert!((g.lambda_min.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(s.rank, 3);
        assert!((s.lambda_max - 9.0).abs() < 1e-12);
        assert!((s.lambda_min.unwrap() - 1.0).abs() < 1e-12);
        assert!((s.sigma_min.unwrap() - 1.0).abs() < 1e-12);
        assert!(!s.rank_deficient);
        // The soft mode is the third unit vector.
        assert!((s.soft_mode[2].abs() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn rank_deficient_kernel_gets_no_lambda_min() {
        // Two identical rows: K is singular; its smallest eigenvalue is pure round-off.
        let mut j = Jacobian::zeros(2, 4);
        j.row_mut(0).copy_from_slice(&[1.0, 0.5, -0.3, 0.2]);
        j.row_mut(1).copy_from_slice(&[1.0, 0.5, -0.3, 0.2]);
        let s = kernel_spectrum(&j, 1e-4).unwrap();
        assert_eq!(s.rank, 1);
        assert!(s.rank_deficient);
        assert_eq!(s.lambda_min, None);
        assert!(s.lambda_min_text().contains("rank 1/2"));
        // More rows than columns: always rank-deficient.
        let tall = Jacobian {
            rows: 3,
            cols: 2,
            data: vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
        };
        assert!(kernel_spectrum(&tall, 1e-4).unwrap().rank_deficient);
        assert!(kernel_spectrum_gram(&tall, 1e-4).unwrap().rank_deficient);
    }
}
