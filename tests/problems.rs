//! Every problem's residual code against its formulas: the exact solution (where there is one)
//! makes H vanish, H_ε matches a central difference of H in ε, and H_u[u]v matches a central
//! difference of H along v — all through the same tensor code that training runs.

use homotopy_explorer::backend;
use homotopy_explorer::config::RunConfig;
use homotopy_explorer::problem::{Fields, Problem, ProblemKind, coordinates};
use homotopy_explorer::train::objective::{host_vec, vec_tensor};

fn device() -> burn::tensor::Device {
    backend::cpu().expect("CPU device").device
}

/// A 1D problem of `kind` at target ε with n residual points on the grid.
fn problem(kind: ProblemKind, eps: f64, n: usize) -> Box<dyn Problem> {
    let text = format!(
        "version = 1\n[problem]\nkind = \"{}\"\neps = {eps}\nn_res = {n}\n",
        kind.id()
    );
    RunConfig::from_toml_str(&text).unwrap().build_problem()
}

/// Fields of a function given with its first two derivatives, at the residual points.
fn fields_of(p: &dyn Problem, f: &dyn Fn(f64) -> [f64; 3]) -> Fields {
    let dev = device();
    let x = p.residual_points();
    let vals: Vec<[f64; 3]> = x.iter().map(|&x| f(x)).collect();
    let col = |k: usize| vec_tensor(vals.iter().map(|v| v[k]).collect(), &dev);
    Fields {
        u: col(0),
        du: vec![col(1)],
        d2u: vec![col(2)],
        laplacian: Some(col(2)),
        x: coordinates(x, 1, &dev),
        role: homotopy_explorer::problem::PointRole::Residual,
        data: Vec::new(),
    }
}

fn residual(p: &dyn Problem, f: &dyn Fn(f64) -> [f64; 3], eps: f64) -> Vec<f64> {
    host_vec(p.residual(&fields_of(p, f), eps)).unwrap()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// A smooth test function u = sin(3x) + x² with its derivatives.
fn smooth(x: f64) -> [f64; 3] {
    [
        (3.0 * x).sin() + x * x,
        3.0 * (3.0 * x).cos() + 2.0 * x,
        -9.0 * (3.0 * x).sin() + 2.0,
    ]
}

/// A direction v = cos(2x) − x with its derivatives.
fn direction(x: f64) -> [f64; 3] {
    [
        (2.0 * x).cos() - x,
        -2.0 * (2.0 * x).sin() - 1.0,
        -4.0 * (2.0 * x).cos(),
    ]
}

const ONE_D: [ProblemKind; 5] = [
    ProblemKind::AllenCahn1d,
    ProblemKind::HighFrequencyFit,
    ProblemKind::Burgers1d,
    ProblemKind::BoundaryLayer,
    ProblemKind::PoissonMultiscale1d,
];

#[test]
fn exact_solutions_make_the_residual_vanish() {
    for kind in ONE_D {
        for eps in [0.5, 0.1, 1.0 / 30.0] {
            let p = problem(kind, eps, 50);
            let Some(_) = p.exact_at(&[0.5], eps) else {
                continue;
            };
            // Derivatives of the closed form by central differences (h⁴-accurate enough here).
            let h = 1e-4;
            let exact = |x: f64| p.exact_at(&[x], eps).unwrap()[0];
            let f = |x: f64| {
                let (l, c, r) = (exact(x - h), exact(x), exact(x + h));
                [c, (r - l) / (2.0 * h), (l - 2.0 * c + r) / (h * h)]
            };
            let r = residual(p.as_ref(), &f, eps);
            // The size of the terms that cancel: |u| + |u′| + ε|u″|-ish, bounded by the sum.
            let scale = p
                .residual_points()
                .iter()
                .map(|&x| f(x).iter().map(|v| v.abs()).sum::<f64>())
                .fold(1.0, f64::max);
            // Allen–Cahn's tanh solves the ODE on ℝ; its residual is at the FD floor too.
            assert!(
                max_abs(&r) < 1e-5 * scale,
                "{kind:?} ε = {eps}: max |H| = {:e} (scale {scale:e})",
                max_abs(&r)
            );
        }
    }
}

/// Assert that H_ε (or ∂H/∂p) at `eps` matches a central difference of H for u = `smooth`.
fn assert_eps_derivative(p: &dyn Problem, eps: f64, d: f64, what: &str) {
    let fd: Vec<f64> = residual(p, &smooth, eps + d)
        .iter()
        .zip(&residual(p, &smooth, eps - d))
        .map(|(a, b)| (a - b) / (2.0 * d))
        .collect();
    assert_h_eps_is(p, eps, &fd, 1e-5, what);
}

/// Assert that H_ε at `eps` for u = `smooth` is `fd` to `tol` relative to its size.
fn assert_h_eps_is(p: &dyn Problem, eps: f64, fd: &[f64], tol: f64, what: &str) {
    let h_eps = host_vec(p.residual_eps(&fields_of(p, &smooth), eps)).unwrap();
    let err = fd
        .iter()
        .zip(&h_eps)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(
        err < tol * (1.0 + max_abs(fd)),
        "{what}: |H_ε − FD| = {err:e}"
    );
}

/// Assert that H_ε at the end p = ε* of an s-path is the derivative from the s side (where H is
/// linear in s for s < ε*): a one-sided second-order difference from above.
fn assert_eps_derivative_arriving(p: &dyn Problem, end: f64, what: &str) {
    let d = end / 8.0;
    let (h0, h1, h2) = (
        residual(p, &smooth, end),
        residual(p, &smooth, end + d),
        residual(p, &smooth, end + 2.0 * d),
    );
    let fd: Vec<f64> = (0..h0.len())
        .map(|i| (-3.0 * h0[i] + 4.0 * h1[i] - h2[i]) / (2.0 * d))
        .collect();
    assert_h_eps_is(p, end, &fd, 1e-8, what);
}

/// Assert that H_u v at `eps` matches a central difference of H along v = `direction`.
fn assert_linearization(p: &dyn Problem, eps: f64, what: &str) {
    let t = 1e-6;
    let along = |s: f64| {
        move |x: f64| {
            let (a, b) = (smooth(x), direction(x));
            [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]]
        }
    };
    let fd: Vec<f64> = residual(p, &along(t), eps)
        .iter()
        .zip(&residual(p, &along(-t), eps))
        .map(|(a, b)| (a - b) / (2.0 * t))
        .collect();
    let lin =
        host_vec(p.linearized(&fields_of(p, &smooth), &fields_of(p, &direction), eps)).unwrap();
    let err = fd
        .iter()
        .zip(&lin)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(
        err < 1e-5 * (1.0 + max_abs(&fd)),
        "{what}: |H_u v − FD| = {err:e}"
    );
}

#[test]
fn eps_derivative_matches_a_central_difference() {
    for kind in ONE_D {
        for eps in [0.3, 0.05] {
            let p = problem(kind, eps, 40);
            assert_eps_derivative(p.as_ref(), eps, 1e-6 * eps, &format!("{kind:?} ε = {eps}"));
        }
    }
}

#[test]
fn linearization_matches_a_central_difference() {
    for kind in ONE_D {
        let eps = 0.07;
        let p = problem(kind, eps, 40);
        assert_linearization(p.as_ref(), eps, &format!("{kind:?}"));
    }
}

#[test]
fn burgers_reference_satisfies_the_ode_between_nodes() {
    // The FD steady state, read back at the residual points, nearly zeroes the network
    // residual computed from its own central differences.
    let eps = 0.1;
    let p = problem(ProblemKind::Burgers1d, eps, 128);
    let h = 1e-3;
    let r = |x: f64| p.reference_at(&[x], eps).unwrap()[0];
    let f = |x: f64| {
        let (l, c, rr) = (r(x - h), r(x), r(x + h));
        [c, (rr - l) / (2.0 * h), (l - 2.0 * c + rr) / (h * h)]
    };
    let res = residual(p.as_ref(), &f, eps);
    assert!(max_abs(&res) < 1e-2, "max |H| = {:e}", max_abs(&res));
}

#[test]
fn eps_dependent_boundary_data_match_their_eps_derivative() {
    for kind in ONE_D {
        let p = problem(kind, 0.05, 20);
        let eps = 1.0 / 37.3;
        let (Some(g), Some(g_eps)) = (p.boundary_values_at(eps), p.boundary_values_eps(eps)) else {
            continue;
        };
        assert_eq!(g.len(), p.boundary_points().len());
        let d = 1e-7 * eps;
        let (hi, lo) = (
            p.boundary_values_at(eps + d).unwrap(),
            p.boundary_values_at(eps - d).unwrap(),
        );
        for i in 0..g.len() {
            let fd = (hi[i] - lo[i]) / (2.0 * d);
            assert!(
                (fd - g_eps[i]).abs() < 1e-5 * (1.0 + fd.abs()),
                "{kind:?}: g_ε {} vs FD {fd}",
                g_eps[i]
            );
        }
        // The data are the exact solution's trace.
        let exact = p.exact_at(p.boundary_points(), eps).unwrap();
        assert_eq!(g, exact);
    }
}

#[test]
fn helmholtz_exact_solution_and_derivatives() {
    let dev = device();
    let d = 5;
    let text = format!(
        "version = 1\n[problem]\nkind = \"helmholtz\"\neps = 0.1\ndim = {d}\nn_res = 30\nn_bc = 10\n"
    );
    let p = RunConfig::from_toml_str(&text).unwrap().build_problem();
    let pts = p.residual_points();
    let s: Vec<f64> = pts
        .chunks(d)
        .map(|x| x.iter().sum::<f64>() / d as f64)
        .collect();
    let fields = |eps: f64, scale: f64| {
        // u = scale·sin(s/ε): Δu = −u/(dε²); first derivatives cos(s/ε)/(dε) on every axis.
        let u: Vec<f64> = s.iter().map(|s| scale * (s / eps).sin()).collect();
        let du: Vec<f64> = s
            .iter()
            .map(|s| scale * (s / eps).cos() / (d as f64 * eps))
            .collect();
        let lap: Vec<f64> = u.iter().map(|u| -u / (d as f64 * eps * eps)).collect();
        Fields {
            u: vec_tensor(u, &dev),
            du: (0..d).map(|_| vec_tensor(du.clone(), &dev)).collect(),
            d2u: Vec::new(),
            laplacian: Some(vec_tensor(lap, &dev)),
            x: coordinates(pts, d, &dev),
            role: homotopy_explorer::problem::PointRole::Residual,
            data: Vec::new(),
        }
    };
    let eps = 0.1;
    let r = host_vec(p.residual(&fields(eps, 1.0), eps)).unwrap();
    assert!(max_abs(&r) < 1e-12, "max |H| = {:e}", max_abs(&r));
    // H_ε = 2εΔu against a central difference of H in ε at fixed fields.
    let f = fields(0.07, 1.0);
    let dlt = 1e-6;
    let hi = host_vec(p.residual(&f, eps + dlt)).unwrap();
    let lo = host_vec(p.residual(&f, eps - dlt)).unwrap();
    let h_eps = host_vec(p.residual_eps(&f, eps)).unwrap();
    for i in 0..hi.len() {
        let fd = (hi[i] - lo[i]) / (2.0 * dlt);
        assert!((fd - h_eps[i]).abs() < 1e-6 * (1.0 + fd.abs()));
    }
    // H is linear in u, so H_u[u]v = H(v).
    let v = fields(0.05, 0.3);
    let lin = host_vec(p.linearized(&f, &v, eps)).unwrap();
    let hv = host_vec(p.residual(&v, eps)).unwrap();
    for (a, b) in lin.iter().zip(&hv) {
        assert!((a - b).abs() < 1e-12);
    }
    // Boundary data are the exact trace on the faces.
    assert_eq!(
        p.boundary_values_at(eps).unwrap(),
        p.exact_at(p.boundary_points(), eps).unwrap()
    );
}

const TWO_D: [ProblemKind; 3] = [
    ProblemKind::AllenCahn2d,
    ProblemKind::PoissonMultiscale2d,
    ProblemKind::Helmholtz2d,
];

/// A 2D problem of `kind` at target ε on a 7 × 7 grid, with extra `[problem]` lines.
fn problem_2d_with(kind: ProblemKind, eps: f64, extra: &str) -> Box<dyn Problem> {
    let text = format!(
        "version = 1\n[problem]\nkind = \"{}\"\neps = {eps}\nn_res = 49\nn_bc = 20\nn_eval = 25\n{extra}",
        kind.id()
    );
    RunConfig::from_toml_str(&text).unwrap().build_problem()
}

fn problem_2d(kind: ProblemKind, eps: f64) -> Box<dyn Problem> {
    problem_2d_with(kind, eps, "")
}

/// Fields (u, ∂u/∂x, ∂u/∂y, Δu) of a function of (x, y) at the residual points.
fn fields_2d(p: &dyn Problem, f: &dyn Fn(f64, f64) -> [f64; 4]) -> Fields {
    let dev = device();
    let pts = p.residual_points();
    let vals: Vec<[f64; 4]> = pts.chunks(2).map(|q| f(q[0], q[1])).collect();
    let col = |k: usize| vec_tensor(vals.iter().map(|v| v[k]).collect(), &dev);
    Fields {
        u: col(0),
        du: vec![col(1), col(2)],
        d2u: Vec::new(),
        laplacian: Some(col(3)),
        x: coordinates(pts, 2, &dev),
        role: homotopy_explorer::problem::PointRole::Residual,
        data: Vec::new(),
    }
}

fn residual_2d(p: &dyn Problem, f: &dyn Fn(f64, f64) -> [f64; 4], eps: f64) -> Vec<f64> {
    host_vec(p.residual(&fields_2d(p, f), eps)).unwrap()
}

/// u = sin(3x)cos(2y) + x²y.
fn smooth_2d(x: f64, y: f64) -> [f64; 4] {
    let (s, c) = ((3.0 * x).sin(), (2.0 * y).cos());
    [
        s * c + x * x * y,
        3.0 * (3.0 * x).cos() * c + 2.0 * x * y,
        -2.0 * s * (2.0 * y).sin() + x * x,
        -13.0 * s * c + 2.0 * y,
    ]
}

/// v = cos(x + y) − y.
fn direction_2d(x: f64, y: f64) -> [f64; 4] {
    let (s, c) = ((x + y).sin(), (x + y).cos());
    [c - y, -s, -s - 1.0, -2.0 * c]
}

fn max_gap(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn two_d_problems_eps_derivative_and_linearization_match_central_differences() {
    let variants = TWO_D.iter().map(|&k| (k, "")).chain([
        (
            ProblemKind::AllenCahn2d,
            "path = \"s_homotopy_as_printed\"\n",
        ),
        (ProblemKind::AllenCahn2d, "path = \"epsilon\"\n"),
    ]);
    for (kind, extra) in variants {
        // For 2D Allen–Cahn these cover both arms of ε(s) and the plain PDE below ε*.
        for eps in [0.7, 0.3, 0.07, 0.03] {
            let p = problem_2d_with(kind, 0.05, extra);
            let d = 1e-6 * eps;
            let fd: Vec<f64> = residual_2d(p.as_ref(), &smooth_2d, eps + d)
                .iter()
                .zip(&residual_2d(p.as_ref(), &smooth_2d, eps - d))
                .map(|(a, b)| (a - b) / (2.0 * d))
                .collect();
            let h_eps = host_vec(p.residual_eps(&fields_2d(p.as_ref(), &smooth_2d), eps)).unwrap();
            let err = max_gap(&fd, &h_eps);
            assert!(
                err < 1e-5 * (1.0 + max_abs(&fd)),
                "{kind:?} ε = {eps}: |H_ε − FD| = {err:e}"
            );
            let t = 1e-6;
            let along = |s: f64| {
                move |x: f64, y: f64| {
                    let (a, b) = (smooth_2d(x, y), direction_2d(x, y));
                    [0, 1, 2, 3].map(|k| a[k] + s * b[k])
                }
            };
            let fd: Vec<f64> = residual_2d(p.as_ref(), &along(t), eps)
                .iter()
                .zip(&residual_2d(p.as_ref(), &along(-t), eps))
                .map(|(a, b)| (a - b) / (2.0 * t))
                .collect();
            let lin = host_vec(p.linearized(
                &fields_2d(p.as_ref(), &smooth_2d),
                &fields_2d(p.as_ref(), &direction_2d),
                eps,
            ))
            .unwrap();
            let err = max_gap(&fd, &lin);
            assert!(
                err < 1e-5 * (1.0 + max_abs(&fd)),
                "{kind:?} ε = {eps}: |H_u v − FD| = {err:e}"
            );
        }
    }
}

#[test]
fn two_d_exact_solutions_and_boundary_data() {
    for kind in [ProblemKind::PoissonMultiscale2d, ProblemKind::Helmholtz2d] {
        for eps in [0.25, 0.1, 1.0 / 13.0] {
            let p = problem_2d(kind, eps);
            let h = 1e-4;
            let u = |x: f64, y: f64| p.exact_at(&[x, y], eps).unwrap()[0];
            let f = |x: f64, y: f64| {
                let c = u(x, y);
                let (l, r, b, t) = (u(x - h, y), u(x + h, y), u(x, y - h), u(x, y + h));
                [
                    c,
                    (r - l) / (2.0 * h),
                    (t - b) / (2.0 * h),
                    (l + r + b + t - 4.0 * c) / (h * h),
                ]
            };
            let r = residual_2d(p.as_ref(), &f, eps);
            // The size of the terms that cancel, (π/ε)²·|u|.
            let scale = (std::f64::consts::PI / eps).powi(2);
            assert!(
                max_abs(&r) < 1e-5 * scale,
                "{kind:?} ε = {eps}: max |H| = {:e}",
                max_abs(&r)
            );
            // Boundary data: the exact trace, with a matching ε-derivative.
            let e = 0.9 * eps;
            let g = p.boundary_values_at(e).unwrap();
            assert_eq!(g, p.exact_at(p.boundary_points(), e).unwrap());
            let d = 1e-7 * e;
            let (hi, lo) = (
                p.boundary_values_at(e + d).unwrap(),
                p.boundary_values_at(e - d).unwrap(),
            );
            let fd: Vec<f64> = hi
                .iter()
                .zip(&lo)
                .map(|(a, b)| (a - b) / (2.0 * d))
                .collect();
            let g_eps = p.boundary_values_eps(e).unwrap();
            assert!(max_gap(&fd, &g_eps) < 1e-5 * (1.0 + max_abs(&fd)));
        }
    }
}

#[test]
fn allen_cahn_2d_reference_is_the_steady_state_at_eps_star_and_the_s_problems_inside() {
    let p = problem_2d(ProblemKind::AllenCahn2d, 0.05);
    let inside = p
        .reference(0.5)
        .expect("the s-problem's solution inside the s-homotopy");
    assert!(
        inside.label.contains("s-problem at s = 0.450"),
        "{}",
        inside.label
    );
    let r = p.reference(0.05).expect("steady state at ε*");
    assert_eq!(r.label, "spectral steady state");
    assert_eq!(r.values.len(), 25);
    // Zero on the boundary, ∓1 plateaus with the sign of u₀ = −sin(πx)sin(πy).
    let at = |x: f64, y: f64| p.reference_at(&[x, y], 0.05).unwrap()[0];
    assert!(at(1.0, 0.3).abs() < 1e-12);
    assert!(at(0.5, 0.5) < -0.99 && at(0.5, -0.5) > 0.99);
    // The network residual of the reference (its derivatives by central differences) is small.
    let h = 1e-3;
    let f = |x: f64, y: f64| {
        let c = at(x, y);
        let (l, r, b, t) = (at(x - h, y), at(x + h, y), at(x, y - h), at(x, y + h));
        [
            c,
            (r - l) / (2.0 * h),
            (t - b) / (2.0 * h),
            (l + r + b + t - 4.0 * c) / (h * h),
        ]
    };
    let res = residual_2d(p.as_ref(), &f, 0.05);
    assert!(max_abs(&res) < 1e-3, "max |H| = {:e}", max_abs(&res));
}

#[test]
fn the_3d_fit_vanishes_at_its_target_and_its_eps_derivative_matches() {
    let dev = device();
    let text = "version = 1\n[problem]\nkind = \"high_frequency_fit\"\ndim = 3\neps = 0.5\nn_res = 27\nn_bc = 4\nn_eval = 50\n";
    let p = RunConfig::from_toml_str(text).unwrap().build_problem();
    assert_eq!(p.dim(), 3);
    let pts = p.residual_points();
    assert_eq!(pts.len(), 81);
    // The 3³ grid of [0, 1]³ with both ends on every axis.
    assert!(pts.chunks(3).any(|q| q == [0.0, 0.0, 0.0]));
    assert!(pts.chunks(3).any(|q| q == [1.0, 0.5, 1.0]));
    let fields = |eps: f64| Fields {
        u: vec_tensor(p.exact_at(pts, eps).unwrap(), &dev),
        du: Vec::new(),
        d2u: Vec::new(),
        laplacian: None,
        x: coordinates(pts, 3, &dev),
        role: homotopy_explorer::problem::PointRole::Residual,
        data: Vec::new(),
    };
    let eps = 0.37;
    assert!(max_abs(&host_vec(p.residual(&fields(eps), eps)).unwrap()) < 1e-12);
    // H_ε with u held fixed, against a central difference of H in ε.
    let f = fields(eps);
    let d = 1e-6;
    let fd: Vec<f64> = host_vec(p.residual(&f, eps + d))
        .unwrap()
        .iter()
        .zip(&host_vec(p.residual(&f, eps - d)).unwrap())
        .map(|(a, b)| (a - b) / (2.0 * d))
        .collect();
    let h_eps = host_vec(p.residual_eps(&f, eps)).unwrap();
    assert!(max_gap(&fd, &h_eps) < 1e-5 * (1.0 + max_abs(&fd)));
    // A 3D fit needs m³ grid points.
    let bad = text.replace("n_res = 27", "n_res = 30");
    let err = RunConfig::from_toml_str(&bad).unwrap_err().to_string();
    assert!(err.contains("problem.n_res"), "{err}");
}

#[test]
fn burgers_point_data_give_the_same_residual_to_the_bit_as_computing_them_each_time() {
    // The objective attaches the forcing (and u₀) once per point set; a residual without them
    // computes them from the coordinates by the same operations.
    let text = "version = 1\n[problem]\nkind = \"burgers_1d\"\neps = 0.05\nn_res = 40\npath = \"s_homotopy\"\n";
    let p = RunConfig::from_toml_str(text).unwrap().build_problem();
    let plain = fields_of(p.as_ref(), &smooth);
    assert!(plain.data.is_empty());
    let data = p.point_data(&plain.x);
    assert_eq!(data.len(), 2);
    let with = plain.clone().with_data(&data);
    for at in [1.05, 0.5, 0.05] {
        assert_eq!(
            host_vec(p.residual(&with, at)).unwrap(),
            host_vec(p.residual(&plain, at)).unwrap(),
            "H at p = {at}"
        );
        assert_eq!(
            host_vec(p.residual_eps(&with, at)).unwrap(),
            host_vec(p.residual_eps(&plain, at)).unwrap(),
            "∂H/∂p at p = {at}"
        );
    }
}

#[test]
fn burgers_s_homotopy_starts_at_u0_and_its_derivatives_match_central_differences() {
    let text = "version = 1\n[problem]\nkind = \"burgers_1d\"\neps = 0.05\nn_res = 40\npath = \"s_homotopy\"\n";
    let p = RunConfig::from_toml_str(text).unwrap().build_problem();
    // At s = 1 (p = 1 + ε*) H = u − u₀ with u₀ = sin(2πx): u₀ zeroes it.
    let tau = 2.0 * std::f64::consts::PI;
    let u0 = |x: f64| {
        [
            (tau * x).sin(),
            tau * (tau * x).cos(),
            -tau * tau * (tau * x).sin(),
        ]
    };
    assert!(max_abs(&residual(p.as_ref(), &u0, 1.05)) < 1e-12);
    // At s = 0 it is the viscosity problem at ε*.
    let plain = problem(ProblemKind::Burgers1d, 0.05, 40);
    assert_eq!(
        residual(p.as_ref(), &smooth, 0.05),
        residual(plain.as_ref(), &smooth, 0.05)
    );
    // ∂H/∂p and H_u v on both arms of ε(s) = max(s, ε*).
    for at in [0.8, 0.3, 0.07] {
        assert_eps_derivative(p.as_ref(), at, 1e-6, &format!("p = {at}"));
        assert_linearization(p.as_ref(), at, &format!("p = {at}"));
    }
    // At the end p = ε* (a kink): the derivative a path arriving at s = 0 follows.
    assert_eps_derivative_arriving(p.as_ref(), 0.05, "the end p = ε*");
    // Along the s-path D = (1 − s)D_ε(s) + s·I; the reference is the s-problem's solution
    // inside it, the steady state at s = 0.
    let u: Vec<f64> = (1..=40).map(|i| (tau * i as f64 / 41.0).sin()).collect();
    let (on_path, viscous) = (
        p.discrete_operator(&u, 0.35).unwrap(),
        plain.discrete_operator(&u, 0.3).unwrap(),
    );
    for (i, j) in [(0, 0), (5, 6), (7, 6), (20, 20)] {
        let expect = 0.7 * viscous.matrix[(i, j)] + if i == j { 0.3 } else { 0.0 };
        assert!((on_path.matrix[(i, j)] - expect).abs() < 1e-12 * (1.0 + expect.abs()));
    }
    assert!(
        p.reference(0.35)
            .unwrap()
            .label
            .contains("s-problem at s = 0.300")
    );
    assert_eq!(
        p.reference(0.05).unwrap().label,
        "finite-difference steady state"
    );
    // The printed sign is already the consistent one for Burgers; other problems have no path.
    for (bad, why) in [
        (
            text.replace("\"s_homotopy\"", "\"s_homotopy_as_printed\""),
            "already consistent",
        ),
        (
            text.replace("burgers_1d", "boundary_layer"),
            "walks its own ε",
        ),
    ] {
        let err = RunConfig::from_toml_str(&bad).unwrap_err().to_string();
        assert!(err.contains("problem.path") && err.contains(why), "{err}");
    }
}

#[test]
fn sobolev_poisson_fit_stacks_value_and_gradient_rows_and_refuses_jacobians() {
    let text = "version = 1\n[problem]\nkind = \"sobolev_poisson_2d\"\neps = 1.0\nn_res = 16\nn_bc = 8\nbc_weight = 0.0\nn_eval = 25\n[network]\nhidden = [20]\nactivation = \"relu2\"\n";
    let config = RunConfig::from_toml_str(text).unwrap();
    let p = config.build_problem();
    let pi = std::f64::consts::PI;
    // u* = cos πx + cos πy with its gradient and Laplacian: every row vanishes.
    let exact = |x: f64, y: f64| {
        let (cx, cy) = ((pi * x).cos(), (pi * y).cos());
        [
            cx + cy,
            -pi * (pi * x).sin(),
            -pi * (pi * y).sin(),
            -pi * pi * (cx + cy),
        ]
    };
    let r = residual_2d(p.as_ref(), &exact, 1.0);
    assert_eq!(r.len(), 48);
    assert!(max_abs(&r) < 1e-12);
    // Rows: values, then ∂x, then ∂y, of u = u* + v.
    let shifted = |x: f64, y: f64| {
        let (a, b) = (exact(x, y), direction_2d(x, y));
        [0, 1, 2, 3].map(|k| a[k] + b[k])
    };
    let r = residual_2d(p.as_ref(), &shifted, 1.0);
    let pts = p.residual_points();
    for i in 0..16 {
        let v = direction_2d(pts[2 * i], pts[2 * i + 1]);
        for (row, k) in [(0, 0), (1, 1), (2, 2)] {
            assert!((r[row * 16 + i] - v[k]).abs() < 1e-12);
        }
    }
    // Jacobian-based methods are refused, by the configuration and by the objective.
    for (extra, key) in [
        (
            "[strategy]\nkind = \"strategy1\"\neps_start = 2.0\n",
            "strategy.kind",
        ),
        ("[optimizer]\nkind = \"lm\"\n", "optimizer.kind"),
        ("[diagnostics]\nevery = 10\n", "diagnostics.every"),
    ] {
        let err = RunConfig::from_toml_str(&format!("{text}{extra}"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(key) && err.contains("3 residual rows"),
            "{err}"
        );
    }
    let session = homotopy_explorer::train::Session::new(config, &backend::cpu().unwrap());
    let err = session
        .objective()
        .linearize(&session.state().theta, 1.0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("pointwise"), "{err}");
    // The loss is (1/2n)Σ over the three rows: at θ = 0 (u ≡ 0) it is (1/2n)Σ(u*² + |∇u*|²).
    let zero = vec![0.0; session.state().theta.len()];
    let loss = session.objective().loss(&zero, 1.0).unwrap();
    let expect = pts
        .chunks(2)
        .map(|q| {
            let e = exact(q[0], q[1]);
            e[0] * e[0] + e[1] * e[1] + e[2] * e[2]
        })
        .sum::<f64>()
        / 32.0;
    assert!(
        (loss.residual - expect).abs() < 1e-12 * expect,
        "{} vs {expect}",
        loss.residual
    );
    assert_eq!(loss.total, loss.residual);
}

#[test]
fn every_problem_kind_has_one_spec_and_its_presets_id_round_trips() {
    use ProblemKind::*;
    use homotopy_explorer::problem::REGISTRY;
    let every = [
        AllenCahn1d,
        AllenCahn2d,
        HighFrequencyFit,
        Burgers1d,
        BoundaryLayer,
        PoissonMultiscale1d,
        PoissonMultiscale2d,
        Helmholtz2d,
        Helmholtz,
        SobolevPoisson2d,
        BurgersOperator,
        IsgdMultiscaleFit,
        IsgdDiscontinuousFit,
    ];
    // A new variant breaks this wildcard-free match, next to the list above: add it to both,
    // and its spec to the registry.
    for kind in every {
        match kind {
            AllenCahn1d | AllenCahn2d | HighFrequencyFit | Burgers1d | BoundaryLayer
            | PoissonMultiscale1d | PoissonMultiscale2d | Helmholtz2d | Helmholtz
            | SobolevPoisson2d | BurgersOperator | IsgdMultiscaleFit | IsgdDiscontinuousFit => {}
        }
    }
    // Every variant (each preset name) has exactly one spec, and the picker lists them all.
    assert_eq!(ProblemKind::all().count(), every.len());
    assert_eq!(REGISTRY.len(), every.len());
    for kind in every {
        let spec = kind.spec();
        assert_eq!(spec.kind, kind);
        assert_eq!(
            REGISTRY.iter().filter(|s| s.kind == kind).count(),
            1,
            "{kind:?}"
        );
        // The id is what presets write for this kind.
        let parsed: ProblemKind = serde_json::from_value(serde_json::json!(spec.id)).unwrap();
        assert_eq!(parsed, kind);
        // A built problem reports its own kind and the spec's channels.
        let text = format!(
            "version = 1\n[problem]\nkind = \"{}\"\neps = 0.1\nn_res = 64\nn_bc = 8\nn_eval = 25\n",
            spec.id
        );
        let config = RunConfig::from_toml_str(&text).unwrap();
        let problem = config.build_problem();
        assert_eq!(problem.kind(), kind);
        assert_eq!(problem.order(), spec.order);
    }
}
