//! The finite-difference Burgers solvers that Table 8 of `reproduce bo` times against DeepONet
//! inference: explicit time marching of u_t + (u²/2)_x = εu_xx + f with the paper's Δt to the
//! steady state, and Newton with continuation in ε on the same stencil (much faster).

use crate::problem::burgers_1d::Burgers1d;
use crate::problem::reference::{Bvp1d, continuation};

/// The march stops when max |u_t| falls below this …
pub(super) const MARCH_TOL: f64 = 1e-6;

/// … or at this time.
pub(super) const MARCH_T_MAX: f64 = 200.0;

/// The finite-difference steady state on `intervals` cells of [0, 1] (any count, nodes
/// included) by Newton with continuation in ε from ε = 0.5 (the same stencil as the march).
pub fn newton_steady(eps: f64, intervals: usize) -> Option<Vec<f64>> {
    let problem_at = |e: f64| Bvp1d {
        start: 0.0,
        end: 1.0,
        intervals,
        left: 0.0,
        right: 0.0,
        row: move |x, h, l, c, r| Burgers1d::stencil(e, x, h, l, c, r),
    };
    let guess = |e: f64| {
        (0..=intervals)
            .map(|i| {
                let x = i as f64 / intervals as f64;
                (std::f64::consts::PI * x).sin() * ((0.5 - x) / (2.0 * e)).tanh()
            })
            .collect()
    };
    continuation(eps, eps.max(0.5), problem_at, guess).ok()
}

/// Explicit finite-difference time marching of u_t + (u²/2)_x − εu_xx = f on the grid `x`
/// (ends included, u = 0 there) from `u0` with step `dt`, until max |u_t| < `tol` or t = `t_max`.
/// Returns the state, the time reached and the steps taken.
pub fn march(
    eps: f64,
    dt: f64,
    x: &[f64],
    u0: &[f64],
    tol: f64,
    t_max: f64,
) -> (Vec<f64>, f64, usize) {
    let n = x.len();
    let h = x[1] - x[0];
    let f: Vec<f64> = x.iter().map(|&x| Burgers1d::source(x)).collect();
    let mut u = u0.to_vec();
    u[0] = 0.0;
    u[n - 1] = 0.0;
    let mut next = u.clone();
    let (mut t, mut steps) = (0.0, 0usize);
    while t < t_max {
        let mut rate: f64 = 0.0;
        for i in 1..n - 1 {
            let (l, c, r) = (u[i - 1], u[i], u[i + 1]);
            // The stencil of the Newton solve (`Burgers1d::stencil`): u u_x by central
            // differences, so both reach the same discrete steady state.
            let ut = -c * (r - l) / (2.0 * h) + eps * (l - 2.0 * c + r) / (h * h) + f[i];
            next[i] = c + dt * ut;
            rate = rate.max(ut.abs());
        }
        std::mem::swap(&mut u, &mut next);
        t += dt;
        steps += 1;
        if rate < tol || !rate.is_finite() {
            break;
        }
    }
    (u, t, steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::burgers_operator::shock_mse;
    use crate::problem::relative_l2;

    #[test]
    fn time_marching_reaches_the_newton_steady_state() {
        // ε = 0.5 on 33 nodes: the explicit march settles on the same discrete steady state
        // as Newton on that grid (both second order, same stencil).
        let m = 33;
        let y: Vec<f64> = (0..m).map(|i| i as f64 / (m - 1) as f64).collect();
        let u0: Vec<f64> = y
            .iter()
            .map(|x| 0.3 * (3.0 * std::f64::consts::PI * x).sin())
            .collect();
        let (u, t, _) = march(0.5, 1e-4, &y, &u0, 1e-9, 50.0);
        assert!(t < 50.0, "did not settle");
        let newton = newton_steady(0.5, m - 1).unwrap();
        assert!(
            relative_l2(&u, &newton) < 1e-6,
            "{}",
            relative_l2(&u, &newton)
        );
        assert!(shock_mse(&y, &u) < 1e-12);
        // On an odd number of cells (the 128-node grid) Newton keeps the shock at ½.
        let odd = newton_steady(0.05, 127).unwrap();
        let x: Vec<f64> = (0..128).map(|i| i as f64 / 127.0).collect();
        assert!(shock_mse(&x, &odd) < 1e-10, "{}", shock_mse(&x, &odd));
    }
}
