//! Steady viscous Burgers on [0, 1] (homotopy paper §5.3, eq. 28 at steady state):
//! (u²/2)_x − εu_xx = π sin(πx)cos(πx), u(0) = u(1) = 0, with one shock at x = ½.
//!
//! H(u, ε) = u u_x − εu_xx − f, H_ε = −u_xx, H_u v = u v_x + u_x v − εv_xx (a viscosity homotopy
//! in ε). No closed form: the reference is a finite-difference steady state. D_ε is eq. 64,
//! −εΔ_h + diag(u_i D_h + u_x(x_i)), with the viscosity ε the PDE has (eq. 64 prints ε², a
//! slip copied from the Allen–Cahn operator); it is not symmetric.
//!
//! The parameter walks either ε itself (the viscosity homotopy, the default) or the paper's
//! s-homotopy, eq. 62 with ε(s) = max(s, ε*) (eq. 63): H = (1 − s)A(u; ε(s)) + s(u − u₀) on
//! p = s + ε* ([`super::s_path`]). The paper's u₀ are random fields feeding a DeepONet; this
//! single-solution version starts from u₀ = sin(2πx), which has the steady state's signs (u > 0
//! left of the shock, u < 0 right of it) and its oddness about ½. Both parts of H increase in u,
//! so the printed sign is already consistent. Along the s-path, D is σ(1 − s)D_ε + s·I, and the
//! reference inside it is the finite-difference solution of the s-problem itself.

use std::f64::consts::PI;

use burn::tensor::Tensor;

use super::allen_cahn_1d::zero_crossing;
use super::points::point_set_accessors;
use super::points1d::{Points1d, interpolate_uniform, tridiagonal};
use super::reference::{ReferenceCache, StencilRow, solve_odd_about_half};
use super::s_path::{Path, SPath};
use super::{
    BuildArgs, DiscreteOperator, Fields, Problem, ProblemKind, ProblemSpec, SampledSolution,
};

/// Fine-grid cells per evaluation cell for the finite-difference reference.
const REFERENCE_REFINEMENT: usize = 20;

/// The steady Burgers problem at fixed sampling.
pub struct Burgers1d {
    points: Points1d,
    boundary_values: Vec<f64>,
    path: SPath,
    reference_cache: ReferenceCache,
}

impl Burgers1d {
    /// The path the preset chose, [`Path::Epsilon`] (viscosity homotopy, the default) or
    /// [`Path::SHomotopy`] (eq. 62), to ε* = `a.eps`.
    pub fn new(a: &BuildArgs) -> Self {
        let points = Points1d::new(a, 0x5eed_b065);
        let boundary_values = vec![0.0; points.boundary.len()];
        Self {
            points,
            boundary_values,
            path: SPath::from_args(a, Path::Epsilon, 1.0),
            reference_cache: ReferenceCache::default(),
        }
    }

    /// [`Problem::point_data`]'s slots: the forcing, and u₀ on an s-path.
    pub(crate) const FORCING: usize = 0;
    pub(crate) const START: usize = 1;

    /// u₀ = sin(2πx) at coordinates x.
    fn start(x: Tensor<1>) -> Tensor<1> {
        x.mul_scalar(2.0 * PI).sin()
    }

    /// u − u₀ with u₀ = sin(2πx) (from the fields' data where the objective attached it).
    fn offset(f: &Fields) -> Tensor<1> {
        let u0 = f
            .data
            .get(Self::START)
            .cloned()
            .unwrap_or_else(|| Self::start(f.coord(0)));
        f.u.clone().sub(u0)
    }

    /// The forcing f = π sin(πx)cos(πx) at coordinates x.
    pub(crate) fn source_at(x: Tensor<1>) -> Tensor<1> {
        let x = x.mul_scalar(PI);
        x.clone().sin().mul(x.cos()).mul_scalar(PI)
    }

    /// A(u; ε) = u u_x − εu_xx − f. The forcing is the fields' first datum where the
    /// objective attached it ([`Problem::point_data`]: two transcendental functions per point
    /// and step were most of an operator run's time), else computed here the same way.
    pub(crate) fn pde(f: &Fields, eps: f64) -> Tensor<1> {
        let source = f
            .data
            .get(Self::FORCING)
            .cloned()
            .unwrap_or_else(|| Self::source_at(f.coord(0)));
        f.u.clone()
            .mul(f.du[0].clone())
            .sub(f.second(0).mul_scalar(eps))
            .sub(source)
    }

    /// A_u v = u v_x + u_x v − εv_xx.
    pub(crate) fn pde_u(f: &Fields, v: &Fields, eps: f64) -> Tensor<1> {
        f.u.clone()
            .mul(v.du[0].clone())
            .add(f.du[0].clone().mul(v.u.clone()))
            .sub(v.second(0).mul_scalar(eps))
    }

    /// f(x) = π sin(πx)cos(πx).
    pub fn source(x: f64) -> f64 {
        PI * (PI * x).sin() * (PI * x).cos()
    }

    /// The finite-difference steady state on `intervals` cells of [0, 1] (an even count; nodes
    /// included), by Newton with continuation in ε.
    ///
    /// The solution is odd about x = ½ (u ↦ −u(1 − x) maps solutions to solutions), so it is
    /// solved on [0, ½] with u(½) = 0 and mirrored; that pins the shock at ½ exactly, as the
    /// viscous problem's unique steady state has it.
    pub fn finite_difference(eps: f64, intervals: usize) -> Option<Vec<f64>> {
        let row_at = |e: f64| move |x, h, l, c, r| Self::stencil(e, x, h, l, c, r);
        // Outer solution sin(πx) left of the shock, with the viscous layer tanh((½ − x)/(2ε)).
        solve_odd_about_half(eps, eps.max(0.5), intervals, 0.0, row_at, |e, x| {
            (PI * x).sin() * ((0.5 - x) / (2.0 * e)).tanh()
        })
    }

    /// A(u; ε) = u u_x − εu_xx − f at node x by central differences (left, centre, right values
    /// l, c, r; spacing h), with its derivatives in l, c, r.
    pub(crate) fn stencil(eps: f64, x: f64, h: f64, l: f64, c: f64, r: f64) -> StencilRow {
        let k = eps / (h * h);
        StencilRow {
            value: c * (r - l) / (2.0 * h) - k * (l - 2.0 * c + r) - Self::source(x),
            d_left: -c / (2.0 * h) - k,
            d_center: (r - l) / (2.0 * h) + 2.0 * k,
            d_right: c / (2.0 * h) - k,
        }
    }

    /// The finite-difference solution of the s-problem σ(1 − s)A(u; ε(s)) + s(u − u₀) = 0 at
    /// the path parameter p (s > 0; `sign` σ), by Newton with continuation in p from
    /// p = 1 + ε* (s = 1, where u = u₀). Odd about ½ like the steady state (u₀ = sin 2πx is).
    pub fn finite_difference_s(path: SPath, p: f64, intervals: usize) -> Option<Vec<f64>> {
        let sigma = path.sign();
        let row_at = |p: f64| {
            let (s, eps, _) = path.at(p);
            move |x: f64, h: f64, l: f64, c: f64, r: f64| {
                // σ(1 − s)A + s(u − u₀): A's row and derivatives, scaled, plus the s part.
                let a = Self::stencil(eps, x, h, l, c, r);
                let w = sigma * (1.0 - s);
                StencilRow {
                    value: w * a.value + s * (c - (2.0 * PI * x).sin()),
                    d_left: w * a.d_left,
                    d_center: w * a.d_center + s,
                    d_right: w * a.d_right,
                }
            }
        };
        solve_odd_about_half(p, 1.0 + path.eps_star, intervals, 0.0, row_at, |p, x| {
            let (s, eps, _) = path.at(p);
            s * (2.0 * PI * x).sin() + (1.0 - s) * (PI * x).sin() * ((0.5 - x) / (2.0 * eps)).tanh()
        })
    }

    /// The reference on the fine grid of the evaluation points at the path parameter p: the
    /// steady state where s = 0, the s-problem's solution inside an s-path.
    fn fine_reference(&self, p: f64) -> Option<Vec<f64>> {
        let intervals = (self.points.eval.len() - 1) * REFERENCE_REFINEMENT;
        // p = ε at s = 0, so p keys both kinds of solution.
        self.reference_cache
            .get_or(p, || match self.path.target_eps(p) {
                Some(eps) => Self::finite_difference(eps, intervals),
                None => Self::finite_difference_s(self.path, p, intervals),
            })
    }
}

/// Steady Burgers in the registry: its viscosity by default, or the s-homotopy of eq. 62.
pub const SPEC: ProblemSpec = ProblemSpec {
    paths: &[Path::Epsilon, Path::SHomotopy],
    ..ProblemSpec::second_order_1d(
        ProblemKind::Burgers1d,
        "burgers_1d",
        "Burgers 1D (steady, shock)",
        |a| Box::new(Burgers1d::new(a)),
    )
};

impl Problem for Burgers1d {
    point_set_accessors!(SPEC);

    /// The forcing and u₀ = sin(2πx) at the points.
    fn point_data(&self, x: &[Tensor<1>]) -> Vec<Tensor<1>> {
        vec![Self::source_at(x[0].clone()), Self::start(x[0].clone())]
    }

    fn residual(&self, f: &Fields, p: f64) -> Tensor<1> {
        self.path
            .residual(p, |eps| Self::pde(f, eps), || Self::offset(f))
    }

    fn residual_eps(&self, f: &Fields, p: f64) -> Tensor<1> {
        self.path.residual_p(
            p,
            |eps| Self::pde(f, eps),
            |_| f.second(0).neg(),
            || Self::offset(f),
        )
    }

    fn linearized(&self, f: &Fields, v: &Fields, p: f64) -> Tensor<1> {
        self.path
            .linearized(p, |eps| Self::pde_u(f, v, eps), v.u.clone())
    }

    /// Eq. 64 on the uniform residual grid, h = 1/(n+1), zero Dirichlet data, central
    /// differences for d/dx and for u_x.
    fn discrete_operator(&self, u: &[f64], p: f64) -> Option<DiscreteOperator> {
        if !self.points.uniform_grid {
            return None;
        }
        let (s, eps, _) = self.path.at(p);
        let n = u.len();
        let h = 1.0 / (n + 1) as f64;
        let k = eps / (h * h);
        let at = |i: isize| {
            if i < 0 || i as usize >= n {
                0.0
            } else {
                u[i as usize]
            }
        };
        let mut matrix = tridiagonal(n, |i| {
            let ux = (at(i as isize + 1) - at(i as isize - 1)) / (2.0 * h);
            (-u[i] / (2.0 * h) - k, 2.0 * k + ux, u[i] / (2.0 * h) - k)
        });
        if s > 0.0 {
            let scale = self.path.sign() * (1.0 - s);
            matrix = faer::Mat::from_fn(n, n, |i, j| {
                scale * matrix[(i, j)] + if i == j { s } else { 0.0 }
            });
        }
        Some(DiscreteOperator {
            matrix,
            symmetric: false,
            on_residual_points: true,
        })
    }

    fn reference(&self, p: f64) -> Option<SampledSolution> {
        let fine = self.fine_reference(p)?;
        let s = self.path.at(p).0;
        Some(SampledSolution {
            label: if s == 0.0 {
                "finite-difference steady state".into()
            } else {
                format!("finite-difference solution of the s-problem at s = {s:.3}")
            },
            values: (0..self.points.eval.len())
                .map(|i| fine[i * REFERENCE_REFINEMENT])
                .collect(),
        })
    }

    fn reference_at(&self, points: &[f64], p: f64) -> Option<Vec<f64>> {
        let fine = self.fine_reference(p)?;
        Some(interpolate_uniform(&fine, points))
    }

    /// The shock: the zero crossing nearest the centre.
    fn front_position(&self, values: &[f64]) -> Option<f64> {
        zero_crossing(&self.points.eval, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_has_its_shock_at_the_centre_and_converges() {
        let p = Burgers1d::new(&BuildArgs {
            eps: 0.05,
            ..BuildArgs::grid(128, 2, 1001)
        });
        for eps in [0.5, 0.1, 0.05] {
            let r = p.reference(eps).unwrap();
            assert_eq!(r.values[0], 0.0);
            assert!(r.values[1000].abs() < 1e-15);
            assert!((p.front_position(&r.values).unwrap() - 0.5).abs() < 1e-9);
            // Left of the shock u > 0, right of it u < 0 (entropy condition).
            assert!(r.values[250] > 0.0 && r.values[750] < 0.0);
        }
        // Second order: halving h cuts the error against a fine solve by about 4.
        let eps = 0.05;
        let fine = Burgers1d::finite_difference(eps, 6400).unwrap();
        let err = |m: usize| {
            let u = Burgers1d::finite_difference(eps, m).unwrap();
            (0..=m)
                .map(|i| (u[i] - fine[i * 6400 / m]).abs())
                .fold(0.0f64, f64::max)
        };
        let ratio = err(200) / err(400);
        assert!((3.5..4.5).contains(&ratio), "ratio {ratio}");
    }

    #[test]
    fn inside_the_s_path_the_reference_solves_the_s_problem_and_joins_both_ends() {
        let problem = Burgers1d::new(&BuildArgs {
            eps: 0.05,
            path: Some(Path::SHomotopy),
            ..BuildArgs::grid(128, 2, 201)
        });
        let x: Vec<f64> = (0..=200).map(|i| i as f64 / 200.0).collect();
        let u0: Vec<f64> = x.iter().map(|x| (2.0 * PI * x).sin()).collect();
        // s = 1 (p = 1 + ε*): u = u₀.
        let at_one = problem.reference(1.05).unwrap();
        assert!(
            at_one.label.contains("s-problem at s = 1.000"),
            "{}",
            at_one.label
        );
        assert!(crate::problem::relative_l2(&at_one.values, &u0) < 1e-12);
        // Just inside the end (s = 10⁻⁴): next to the steady state at ε*.
        let end = problem.reference(0.05).unwrap();
        assert_eq!(end.label, "finite-difference steady state");
        let near = problem.reference(0.0501).unwrap();
        assert!(crate::problem::relative_l2(&near.values, &end.values) < 1e-3);
        // At s = 0.3 (ε = 0.3): (1 − s)(u u_x − εu_xx − f) + s(u − u₀) = 0, written out here on
        // the solve's own grid (a sign or factor slip in the stencil would show), and odd about ½.
        let m = 200 * REFERENCE_REFINEMENT;
        let u = Burgers1d::finite_difference_s(problem.path, 0.35, m).unwrap();
        let h = 1.0 / m as f64;
        let (s, eps) = (0.3, 0.3);
        let worst = (1..m)
            .map(|i| {
                let xi = i as f64 * h;
                let ux = (u[i + 1] - u[i - 1]) / (2.0 * h);
                let uxx = (u[i + 1] - 2.0 * u[i] + u[i - 1]) / (h * h);
                let pde = u[i] * ux - eps * uxx - Burgers1d::source(xi);
                ((1.0 - s) * pde + s * (u[i] - (2.0 * PI * xi).sin())).abs()
            })
            .fold(0.0f64, f64::max);
        assert!(worst < 1e-8, "residual {worst:e}");
        assert!((u[m / 4] + u[3 * m / 4]).abs() < 1e-12);
        // It lies between the two ends.
        let mid = problem.reference(0.35).unwrap().values;
        let (d0, d1) = (
            crate::problem::relative_l2(&mid, &u0),
            crate::problem::relative_l2(&mid, &end.values),
        );
        assert!(d0 > 0.05 && d1 > 0.05, "{d0} {d1}");
    }

    #[test]
    fn operator_is_the_linearization_of_the_discrete_residual() {
        // D_ε v ≈ (F(u + tv) − F(u))/t for the same central-difference residual on the grid.
        let p = Burgers1d::new(&BuildArgs {
            eps: 0.05,
            ..BuildArgs::grid(40, 2, 101)
        });
        let n = 40;
        let h = 1.0 / 41.0;
        let eps = 0.1;
        let u: Vec<f64> = (1..=n).map(|i| (PI * i as f64 * h).sin()).collect();
        let v: Vec<f64> = (1..=n).map(|i| (i as f64 * 0.37).cos()).collect();
        let residual = |w: &[f64]| -> Vec<f64> {
            let at = |i: isize| {
                if i < 0 || i as usize >= n {
                    0.0
                } else {
                    w[i as usize]
                }
            };
            (0..n as isize)
                .map(|i| {
                    let (l, c, r) = (at(i - 1), at(i), at(i + 1));
                    c * (r - l) / (2.0 * h) - eps * (l - 2.0 * c + r) / (h * h)
                })
                .collect()
        };
        let t = 1e-7;
        let shifted: Vec<f64> = u.iter().zip(&v).map(|(a, b)| a + t * b).collect();
        let (f0, f1) = (residual(&u), residual(&shifted));
        let d = p.discrete_operator(&u, eps).unwrap();
        assert!(!d.symmetric);
        for i in 0..n {
            let dv: f64 = (0..n).map(|j| d.matrix[(i, j)] * v[j]).sum();
            let fd = (f1[i] - f0[i]) / t;
            assert!(
                (dv - fd).abs() < 1e-4 * (1.0 + fd.abs()),
                "row {i}: {dv} vs {fd}"
            );
        }
    }
}
