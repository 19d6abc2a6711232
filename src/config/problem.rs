//! `[problem]` of a preset: which PDE, its target ε, its points and path; range checks that
//! name the key, and the construction of the problem instance.

use serde::{Deserialize, Serialize};

use super::{ConfigError, defaults};
use crate::problem::burgers_operator::OperatorArgs;
use crate::problem::points_nd::grid_side;
/// The homotopy a problem's parameter walks (`s_homotopy`, `s_homotopy_as_printed`, `epsilon`).
pub use crate::problem::s_path::Path as HomotopyPath;
use crate::problem::{BuildArgs, Problem, ProblemKind, Sampling};

/// The PDE, its parameter and its sampling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemConfig {
    /// Which problem.
    pub kind: ProblemKind,
    /// Target ε (> 0).
    pub eps: f64,
    /// Residual points (default 200).
    #[serde(default = "defaults::n_res")]
    pub n_res: usize,
    /// Boundary points (default 2; in 1D split evenly between both ends).
    #[serde(default = "defaults::n_bc")]
    pub n_bc: usize,
    /// Boundary-loss weight λ (default 1).
    #[serde(default = "defaults::one")]
    pub bc_weight: f64,
    /// Residual point placement (default grid).
    #[serde(default)]
    pub sampling: Sampling,
    /// Evaluation points for L2RE and plots (default 1001).
    #[serde(default = "defaults::n_eval")]
    pub n_eval: usize,
    /// Input dimension d (default: the problem's own; only the Helmholtz problem in d
    /// dimensions takes a choice, default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dim: Option<usize>,
    /// Which homotopy the parameter walks, for problems that offer more than one (2D
    /// Allen–Cahn: the paper's s-homotopy from u₀ by default, or ε itself; Burgers: its
    /// viscosity ε by default, or the s-homotopy of eq. 62).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<HomotopyPath>,
    /// Residual-based resampling: every so many steps, add the candidates with the largest
    /// |H| to the residual points (off by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resample: Option<ResampleConfig>,
    /// The input functions of an operator-learning problem (`burgers_operator`): how many,
    /// their sensors and the random field they are drawn from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<OperatorArgs>,
}

/// Residual-based adaptive resampling (the "resampling" baseline of the homotopy paper's
/// Table 3): every `every` steps, draw `candidates` uniform points of the domain and add the
/// `add` with the largest |H(u_θ)| to the residual points, until `max_added` were added.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResampleConfig {
    pub every: usize,
    pub add: usize,
    pub candidates: usize,
    pub max_added: usize,
}

impl ProblemConfig {
    /// Whether `other` is the same problem apart from its target ε, compared field by field
    /// without a copy (a figure asks it for every pin on every frame). The destructuring is
    /// exhaustive: a new field does not compile here until it is compared.
    pub fn eq_except_eps(&self, other: &Self) -> bool {
        let Self {
            kind,
            eps: _,
            n_res,
            n_bc,
            bc_weight,
            sampling,
            n_eval,
            dim,
            path,
            resample,
            operator,
        } = self;
        *kind == other.kind
            && *n_res == other.n_res
            && *n_bc == other.n_bc
            && *bc_weight == other.bc_weight
            && *sampling == other.sampling
            && *n_eval == other.n_eval
            && *dim == other.dim
            && *path == other.path
            && *resample == other.resample
            && *operator == other.operator
    }

    /// Whether the path walks the s-homotopy (the preset's `path`, else the problem's default,
    /// the first it lists): its parameter is then p = s + ε*, not ε.
    pub fn walks_s(&self) -> bool {
        self.path
            .or_else(|| self.kind.spec().paths.first().copied())
            .is_some_and(|p| p != crate::problem::s_path::Path::Epsilon)
    }

    /// (s, ε(s)) at the path point p of an s-homotopy, from p = ε* (s = 0) up, by the path's
    /// own map ([`crate::problem::s_path::SPath::at`]); None on an ε path and below ε*, where p
    /// is ε itself.
    pub fn s_and_eps(&self, p: f64) -> Option<(f64, f64)> {
        let path = crate::problem::s_path::SPath {
            path: self
                .path
                .or_else(|| self.kind.spec().paths.first().copied())?,
            eps_star: self.eps,
            consistent_sign: 1.0,
        };
        let (s, eps, _) = path.at(p);
        (self.walks_s() && p >= self.eps).then_some((s, eps))
    }

    /// The ε the PDE part has at the path point p: ε(s) on an s-homotopy, p itself otherwise.
    pub fn eps_at(&self, p: f64) -> f64 {
        self.s_and_eps(p).map_or(p, |(_, eps)| eps)
    }

    /// A point p of the path in the paper's terms: "s = 0.7" on an s-homotopy (s = p − ε*, down
    /// to s = 0 at p = ε*), "ε = 0.05" otherwise and below ε* (four significant digits).
    pub fn path_point(&self, p: f64) -> String {
        match self.s_and_eps(p) {
            Some((s, _)) => format!("s = {}", super::four_digits(s)),
            None => format!("ε = {}", super::four_digits(p)),
        }
    }
    /// The input dimension d.
    pub fn dim(&self) -> usize {
        self.kind.fixed_dim().or(self.dim).unwrap_or(1)
    }

    /// Whether the problem has an initial state u₀ to march from (the time-sequential
    /// strategy needs one), asked of the built problem.
    pub fn has_initial_state(&self) -> bool {
        self.build(0).initial_state().is_some()
    }

    /// Whether the problem, as sampled, defines a discrete operator D_ε (the λ_max(D_ε) sweep
    /// needs one): asked of the built problem, so no list of kinds has to be kept. A 3-point u
    /// keeps the probe cheap (whether D_ε exists does not depend on u).
    pub fn has_operator(&self) -> bool {
        self.build(0)
            .discrete_operator(&[0.0; 3], self.eps)
            .is_some()
    }

    /// Range and consistency checks of `[problem]`; the error names the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let p = self;
        if !(p.eps.is_finite() && p.eps > 0.0) {
            return Err(ConfigError::invalid(
                "problem.eps",
                format!("ε must be > 0 (got {})", p.eps),
            ));
        }
        if p.n_res == 0 {
            return Err(ConfigError::invalid(
                "problem.n_res",
                "needs at least one residual point",
            ));
        }
        if p.n_bc < 2 || !p.n_bc.is_multiple_of(2) {
            return Err(ConfigError::invalid(
                "problem.n_bc",
                format!(
                    "needs an even number ≥ 2 of boundary points (got {})",
                    p.n_bc
                ),
            ));
        }
        if !(p.bc_weight.is_finite() && p.bc_weight >= 0.0) {
            return Err(ConfigError::invalid(
                "problem.bc_weight",
                "λ must be finite and ≥ 0",
            ));
        }
        match (p.kind.fixed_dim(), p.dim) {
            (None, Some(d)) if !(1..=p.kind.max_dim()).contains(&d) => {
                return Err(ConfigError::invalid(
                    "problem.dim",
                    format!(
                        "the dimension d of {} must lie in 1..={} (got {d})",
                        p.kind.label(),
                        p.kind.max_dim()
                    ),
                ));
            }
            (Some(fixed), Some(d)) if d != fixed => {
                return Err(ConfigError::invalid(
                    "problem.dim",
                    format!("{} has dimension {fixed} (got dim = {d})", p.kind.label()),
                ));
            }
            _ => {}
        }
        // Problems on a tensor grid of the square or cube (every multi-dimensional problem but
        // Helmholtz in d dimensions, which always samples at random) need m^d grid points.
        if p.dim() > 1
            && p.kind.spec().tensor_grid
            && p.sampling == Sampling::Grid
            && grid_side(p.n_res, p.dim()).is_none()
        {
            return Err(ConfigError::invalid(
                "problem.n_res",
                format!(
                    "a {d}-dimensional residual grid needs m^{d} points, e.g. 2500 = 50² or 125 = 5³ (got {})",
                    p.n_res,
                    d = p.dim()
                ),
            ));
        }
        if let Some(path) = p.path {
            let spec = p.kind.spec();
            if spec.paths.is_empty() {
                return Err(ConfigError::invalid(
                    "problem.path",
                    format!(
                        "{} walks its own ε; only {} offer a choice of path",
                        spec.label,
                        crate::problem::REGISTRY
                            .iter()
                            .filter(|s| !s.paths.is_empty())
                            .map(|s| s.id)
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                ));
            }
            if !spec.paths.contains(&path) {
                // The printed-sign variant exists where the paper's printed sign differs from
                // the consistent one; where only the consistent s-homotopy is offered, the
                // printed form is that one.
                let note = if path == HomotopyPath::SHomotopyAsPrinted
                    && spec.paths.contains(&HomotopyPath::SHomotopy)
                {
                    " (the printed s-homotopy is already consistent here: use \"s_homotopy\")"
                } else {
                    ""
                };
                return Err(ConfigError::invalid(
                    "problem.path",
                    format!(
                        "{} offers the paths {}{note}",
                        spec.id,
                        spec.paths
                            .iter()
                            .map(|p| p.id())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        if let Some(r) = &p.resample {
            let key = "problem.resample";
            if r.every == 0 || r.add == 0 {
                return Err(ConfigError::invalid(key, "every and add must be ≥ 1"));
            }
            if r.candidates < r.add || r.max_added < r.add {
                return Err(ConfigError::invalid(
                    key,
                    "candidates and max_added must be at least add",
                ));
            }
            if p.build(0).random_interior_points(1, 0).is_none() {
                return Err(ConfigError::invalid(
                    key,
                    format!(
                        "{} keeps a fixed set of residual points; resampling is available for allen_cahn_2d",
                        p.kind.label()
                    ),
                ));
            }
        }
        if p.n_eval < 3 {
            return Err(ConfigError::invalid(
                "problem.n_eval",
                "needs at least 3 evaluation points",
            ));
        }
        Ok(())
    }

    /// Build the problem instance, its random points drawn from `seed` (by the problem's
    /// spec in the registry).
    pub fn build(&self, seed: u64) -> Box<dyn Problem> {
        (self.kind.spec().build)(&BuildArgs {
            n_res: self.n_res,
            n_bc: self.n_bc,
            n_eval: self.n_eval,
            sampling: self.sampling,
            seed,
            eps: self.eps,
            dim: self.dim(),
            path: self.path,
            operator: self.operator,
        })
    }
}
