//! 2D Allen–Cahn steady state on [−1, 1]² with zero Dirichlet data (homotopy paper §5.1,
//! eq. 25): the steady state of u_t = ε²Δu − (u³ − u) from u₀ = −sin(πx)sin(πy), reached by an
//! s-homotopy from u = u₀ (s = 1) to the PDE (s = 0) with ε(s) = max(s, ε*).
//!
//! Sign: the paper prints H = (1 − s)(ε²Δu − (u³ − u)) + s(u − u₀). Its two parts have opposite
//! monotonicity, so H_u = (1 − s)(ε²Δ − 3u² + 1) + s is singular near s ≈ 0.94 (on the u₀ mode,
//! (1 − s)(1 − 2π²s²) + s = 0) and past it the path continues on the sign-flipped branch (it
//! ends at −u*, L2RE ≈ 2). The default path uses the consistent sign
//! H = (1 − s)(u³ − u − ε²Δu) + s(u − u₀), whose parts are both increasing in u, with the same
//! ends; the printed sign stays available to show the fold.
//!
//! The engine's homotopy parameter must stay positive, so this problem walks p = s + ε*: p = 1 + ε*
//! is s = 1 (u = u₀), p = ε* is s = 0 (the PDE at ε*), and Δp = Δs keeps the paper's steps.
//! Below ε* (and everywhere on the plain-ε path, the curriculum baseline) p is ε itself with s = 0.
//! With A = ε²Δu − u³ + u and σ = −1 (consistent) or +1 (printed): H = σ(1 − s)A + s(u − u₀),
//! H_p = −σA + 2σ(1 − s)ε ε′(s)Δu + (u − u₀), H_u v = σ(1 − s)(ε²Δv − (3u² − 1)v) + s v. The
//! reference is the sine pseudo-spectral steady state ([`super::spectral2d`]) wherever s = 0,
//! and inside the consistent s-path the s-problem's own solution by the same solver (so the
//! explorer's error plot and L2RE follow every stage); the printed sign has none inside.

use std::f64::consts::PI;

use burn::tensor::Tensor;
use faer::Mat;

use super::points::point_set_accessors;
use super::points2d::Points2d;
use super::reference::ReferenceCache;
pub use super::s_path::Path;
use super::s_path::SPath;
use super::spectral2d::SineGrid;
use super::{BuildArgs, Dims, Fields, Problem, ProblemKind, ProblemSpec};
use crate::net::DerivOrder;

/// Interior nodes per axis of the spectral reference (at ε = 0.05, 95 and 127 nodes agree to
/// a relative 6e-8, see the spectral tests).
const REFERENCE_NODES: usize = 127;

/// The 2D Allen–Cahn problem at fixed sampling (residual points may grow by resampling).
pub struct AllenCahn2d {
    points: Points2d,
    boundary_values: Vec<f64>,
    path: SPath,
    /// Sine coefficients of the steady state at the last ε asked for.
    coefficient_cache: ReferenceCache,
    /// That steady state at the evaluation points, keyed by the parameter p (asked for at every
    /// evaluation).
    eval_cache: ReferenceCache,
}

impl AllenCahn2d {
    /// The path the preset chose ([`Path::SHomotopy`] by default) to ε* = `a.eps`.
    pub fn new(a: &BuildArgs) -> Self {
        let points = Points2d::new((-1.0, 1.0), a, 0x5eed_ac2d);
        Self {
            boundary_values: vec![0.0; a.n_bc],
            points,
            // A = ε²Δu − u³ + u has A_u = ε²Δ − 3u² + 1, negative on the steady state: the
            // consistent form is −(1 − s)A + s(u − u₀).
            path: SPath::from_args(a, Path::SHomotopy, -1.0),
            coefficient_cache: ReferenceCache::default(),
            eval_cache: ReferenceCache::default(),
        }
    }

    /// (s, ε, dε/ds) at the parameter p.
    pub fn path_at(&self, p: f64) -> (f64, f64, f64) {
        self.path.at(p)
    }

    /// u₀(x, y) = −sin(πx)sin(πy).
    fn u0(x: f64, y: f64) -> f64 {
        -(PI * x).sin() * (PI * y).sin()
    }

    /// u₀ at the fields' points (tensor form of [`Self::u0`]).
    fn initial(f: &Fields) -> Tensor<1> {
        f.coord(0)
            .mul_scalar(PI)
            .sin()
            .mul(f.coord(1).mul_scalar(PI).sin())
            .neg()
    }

    /// ε²Δu − u³ + u.
    fn pde(f: &Fields, eps: f64) -> Tensor<1> {
        let u = f.u.clone();
        f.lap()
            .mul_scalar(eps * eps)
            .sub(u.clone().powi_scalar(3))
            .add(u)
    }

    /// The steady state at ε from u₀ (s = 0), or the s-problem's solution at (s, ε), as sine
    /// coefficients (flattened column-major).
    fn steady_state(s: f64, eps: f64) -> Option<Vec<f64>> {
        let grid = SineGrid::new(REFERENCE_NODES, -1.0, 1.0);
        let x = grid.nodes();
        let u0 = Mat::from_fn(REFERENCE_NODES, REFERENCE_NODES, |i, j| {
            Self::u0(x[i], x[j])
        });
        let solved = grid.s_problem_steady_state(u0, s, eps, 1e-9, true)?;
        Some(
            solved
                .coeffs
                .col_iter()
                .flat_map(|c| c.iter().copied())
                .collect(),
        )
    }
}

/// 2D Allen–Cahn in the registry: the s-homotopy by default; the printed sign or plain ε
/// on request.
pub const SPEC: ProblemSpec = ProblemSpec {
    paths: &[Path::SHomotopy, Path::SHomotopyAsPrinted, Path::Epsilon],
    ..ProblemSpec::new(
        ProblemKind::AllenCahn2d,
        "allen_cahn_2d",
        "Allen–Cahn 2D (s-homotopy, parameter s + ε*)",
        DerivOrder::Laplacian,
        Dims::Fixed(2),
        |a| Box::new(AllenCahn2d::new(a)),
    )
};

impl Problem for AllenCahn2d {
    point_set_accessors!(SPEC);

    fn random_interior_points(&self, n: usize, seed: u64) -> Option<Vec<f64>> {
        Some(self.points.random_interior(n, seed))
    }

    fn with_residual_points(&self, added: &[f64]) -> Option<std::sync::Arc<dyn Problem>> {
        Some(std::sync::Arc::new(Self {
            points: self.points.with_residual(added),
            boundary_values: self.boundary_values.clone(),
            path: self.path,
            coefficient_cache: self.coefficient_cache.clone(),
            eval_cache: self.eval_cache.clone(),
        }))
    }

    fn initial_state(&self) -> Option<Vec<f64>> {
        Some(
            self.residual_points()
                .chunks(2)
                .map(|x| Self::u0(x[0], x[1]))
                .collect(),
        )
    }

    fn residual(&self, f: &Fields, p: f64) -> Tensor<1> {
        self.path.residual(
            p,
            |eps| Self::pde(f, eps),
            || f.u.clone().sub(Self::initial(f)),
        )
    }

    fn residual_eps(&self, f: &Fields, p: f64) -> Tensor<1> {
        self.path.residual_p(
            p,
            |eps| Self::pde(f, eps),
            |eps| f.lap().mul_scalar(2.0 * eps),
            || f.u.clone().sub(Self::initial(f)),
        )
    }

    fn linearized(&self, f: &Fields, v: &Fields, p: f64) -> Tensor<1> {
        self.path.linearized(
            p,
            |eps| {
                let coeff = f.u.clone().square().mul_scalar(3.0).sub_scalar(1.0);
                v.lap().mul_scalar(eps * eps).sub(coeff.mul(v.u.clone()))
            },
            v.u.clone(),
        )
    }

    fn reference(&self, p: f64) -> Option<super::SampledSolution> {
        let s = self.path.at(p).0;
        let label = if s == 0.0 {
            "spectral steady state".into()
        } else {
            format!("spectral solution of the s-problem at s = {s:.3}")
        };
        Some(super::SampledSolution {
            label,
            values: self
                .eval_cache
                .get_or(p, || self.reference_at(self.eval_points(), p))?,
        })
    }

    /// At s = 0 the steady state at ε; inside the consistent s-path the s-problem's own
    /// solution (the printed sign passes a fold: none there).
    fn reference_at(&self, points: &[f64], p: f64) -> Option<Vec<f64>> {
        let (s, eps, _) = self.path.at(p);
        if s > 0.0 && self.path.path != Path::SHomotopy {
            return None;
        }
        // p = ε at s = 0, so p keys both kinds of solution.
        let coeffs = self
            .coefficient_cache
            .get_or(p, || Self::steady_state(s, eps))?;
        let a = Mat::from_fn(REFERENCE_NODES, REFERENCE_NODES, |k, l| {
            coeffs[k + l * REFERENCE_NODES]
        });
        Some(SineGrid::new(REFERENCE_NODES, -1.0, 1.0).evaluate(&a, points))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ε* = 0.05 on a 10 × 10 residual grid with `n_eval` evaluation points.
    fn args(n_eval: usize) -> BuildArgs {
        BuildArgs {
            eps: 0.05,
            ..BuildArgs::grid(100, 8, n_eval)
        }
    }

    #[test]
    fn the_path_runs_from_u0_to_the_pde_at_eps_star() {
        let args = args(9);
        let p = AllenCahn2d::new(&args);
        assert_eq!(p.path_at(1.05), (1.0, 1.0, 1.0));
        let (s, e, d) = p.path_at(0.08);
        assert!((s - 0.03).abs() < 1e-15 && e == 0.05 && d == 0.0);
        assert_eq!(p.path_at(0.05), (0.0, 0.05, 0.0));
        assert_eq!(p.path_at(0.03), (0.0, 0.03, 0.0));
        let c = AllenCahn2d::new(&BuildArgs {
            path: Some(Path::Epsilon),
            ..args
        });
        assert_eq!(c.path_at(0.5), (0.0, 0.5, 0.0));
    }

    #[test]
    fn inside_the_s_path_the_reference_is_the_s_problems_solution_joining_both_ends() {
        let args = args(121);
        let p = AllenCahn2d::new(&args);
        let points = p.eval_points().to_vec();
        let u0: Vec<f64> = points
            .chunks(2)
            .map(|q| AllenCahn2d::u0(q[0], q[1]))
            .collect();
        // s = 1: u₀ itself.
        let start = p.reference(1.05).unwrap();
        assert!(start.label.contains("s = 1.000"), "{}", start.label);
        assert!(crate::problem::relative_l2(&start.values, &u0) < 1e-9);
        // Next to s = 0: next to the steady state at ε*.
        let end = p.reference(0.05).unwrap();
        assert_eq!(end.label, "spectral steady state");
        let near = p.reference(0.0501).unwrap().values;
        assert!(crate::problem::relative_l2(&near, &end.values) < 1e-2);
        // Halfway it is neither.
        let mid = p.reference(0.55).unwrap().values;
        assert!(crate::problem::relative_l2(&mid, &u0) > 0.01);
        assert!(crate::problem::relative_l2(&mid, &end.values) > 0.01);
        // The printed sign passes a fold: no reference inside its path, the end as before.
        let printed = AllenCahn2d::new(&BuildArgs {
            path: Some(Path::SHomotopyAsPrinted),
            ..args
        });
        assert!(printed.reference(0.55).is_none());
        assert_eq!(printed.reference(0.05).unwrap().values, end.values);
    }
}
