//! The s-homotopy of the homotopy paper (Table 3 for 2D Allen–Cahn, eqs. 62–63 for Burgers),
//! H(u, s) = σ(1 − s)·A(u; ε(s)) + s(u − u₀) with ε(s) = max(s, ε*), walked on the engine's
//! positive parameter p = s + ε* (Δp = Δs; the end s = 0 sits at p = ε*), or the plain ε path.
//! Problems give A, ∂A/∂ε, A_u v and u − u₀; this module combines them into H, ∂H/∂p and H_u v.

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// Which homotopy the parameter walks (`[problem] path` in presets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Path {
    /// The s-homotopy from u₀ with the PDE part's sign chosen so that both parts move the same
    /// way in u (σ = +1 when A_u is positive, as for Burgers' viscous operator).
    SHomotopy,
    /// The s-homotopy with the opposite sign (the paper's printed 2D Allen–Cahn form, which
    /// passes a fold near s ≈ 0.94).
    SHomotopyAsPrinted,
    /// ε itself (s = 0 throughout): the curriculum or viscosity homotopy.
    Epsilon,
}

impl Path {
    /// The name used in presets.
    pub fn id(self) -> &'static str {
        match self {
            Self::SHomotopy => "s_homotopy",
            Self::SHomotopyAsPrinted => "s_homotopy_as_printed",
            Self::Epsilon => "epsilon",
        }
    }
}

/// A path with its end ε* and the sign σ of the PDE part in the consistent form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SPath {
    pub path: Path,
    pub eps_star: f64,
    /// σ of [`Path::SHomotopy`] (the printed form uses −σ).
    pub consistent_sign: f64,
}

impl SPath {
    /// The path the preset chose (else `default`) to the preset's ε.
    pub fn from_args(a: &super::BuildArgs, default: Path, consistent_sign: f64) -> Self {
        Self {
            path: a.path.unwrap_or(default),
            eps_star: a.eps,
            consistent_sign,
        }
    }

    /// σ of this path.
    pub fn sign(&self) -> f64 {
        match self.path {
            Path::SHomotopyAsPrinted => -self.consistent_sign,
            _ => self.consistent_sign,
        }
    }

    /// (s, ε, dε/ds) at the parameter p.
    pub fn at(&self, p: f64) -> (f64, f64, f64) {
        if self.path != Path::Epsilon && p > self.eps_star {
            let s = p - self.eps_star;
            if s > self.eps_star {
                (s, s, 1.0)
            } else {
                (s, self.eps_star, 0.0)
            }
        } else {
            (0.0, p, 0.0)
        }
    }

    /// The ε of the target problem at p, when p is on it (s = 0); else `None`.
    pub fn target_eps(&self, p: f64) -> Option<f64> {
        let (s, eps, _) = self.at(p);
        (s == 0.0).then_some(eps)
    }

    /// H at p from A(u; ε) and u − u₀.
    pub fn residual(
        &self,
        p: f64,
        pde: impl FnOnce(f64) -> Tensor<1>,
        offset: impl FnOnce() -> Tensor<1>,
    ) -> Tensor<1> {
        let (s, eps, _) = self.at(p);
        let a = pde(eps).mul_scalar(self.sign());
        if s == 0.0 {
            return a;
        }
        a.mul_scalar(1.0 - s).add(offset().mul_scalar(s))
    }

    /// ∂H/∂p = ∂/∂s [σ(1 − s)A(ε(s)) + s(u − u₀)] from A, ∂A/∂ε and u − u₀ (on the ε part,
    /// σ ∂A/∂ε). H has a kink at the end p = ε* of an s-path: there it is the derivative from
    /// the s side, −σA(ε*) + (u − u₀), the one a path arriving at s = 0 follows (a run that goes
    /// on below ε* in ε takes σ ∂A/∂ε from the next point on).
    pub fn residual_p(
        &self,
        p: f64,
        pde: impl FnOnce(f64) -> Tensor<1>,
        pde_eps: impl FnOnce(f64) -> Tensor<1>,
        offset: impl FnOnce() -> Tensor<1>,
    ) -> Tensor<1> {
        let (s, eps, deps) = self.at(p);
        let sign = self.sign();
        let end_of_s_path = self.path != Path::Epsilon && p == self.eps_star;
        if s == 0.0 && !end_of_s_path {
            return pde_eps(eps).mul_scalar(sign);
        }
        let a = pde(eps).mul_scalar(-sign);
        // dε/ds = 0 on the arm ε(s) = ε*: the ∂A/∂ε term vanishes and is not computed.
        let a = if deps == 0.0 {
            a
        } else {
            a.add(pde_eps(eps).mul_scalar(sign * (1.0 - s) * deps))
        };
        a.add(offset())
    }

    /// H_u v from A_u v and v.
    pub fn linearized(
        &self,
        p: f64,
        pde_u: impl FnOnce(f64) -> Tensor<1>,
        v: Tensor<1>,
    ) -> Tensor<1> {
        let (s, eps, _) = self.at(p);
        let pde = pde_u(eps).mul_scalar(self.sign() * (1.0 - s));
        if s == 0.0 {
            pde
        } else {
            pde.add(v.mul_scalar(s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_maps_to_s_and_eps_as_eq_63() {
        let path = SPath {
            path: Path::SHomotopy,
            eps_star: 0.05,
            consistent_sign: 1.0,
        };
        assert_eq!(path.at(1.05), (1.0, 1.0, 1.0));
        let (s, eps, d) = path.at(0.08);
        assert!((s - 0.03).abs() < 1e-15 && eps == 0.05 && d == 0.0);
        assert_eq!(path.at(0.05), (0.0, 0.05, 0.0));
        assert_eq!(path.target_eps(0.05), Some(0.05));
        assert_eq!(path.target_eps(0.3), None);
        let eps_path = SPath {
            path: Path::Epsilon,
            ..path
        };
        assert_eq!(eps_path.at(0.3), (0.0, 0.3, 0.0));
        assert_eq!(eps_path.target_eps(0.3), Some(0.3));
        let printed = SPath {
            path: Path::SHomotopyAsPrinted,
            consistent_sign: -1.0,
            ..path
        };
        assert_eq!(printed.sign(), 1.0);
    }
}
