//! Finite-difference reference solvers: Newton's method on a fine uniform grid for two-point
//! boundary-value problems with a three-point stencil, with continuation in ε when a direct
//! Newton solve from the initial guess fails.

use thiserror::Error;

/// Why a reference solve failed.
#[derive(Debug, Error, PartialEq)]
pub enum ReferenceError {
    #[error(
        "Newton did not converge at ε = {eps} after {iterations} iterations (residual {residual:.3e})"
    )]
    NoConvergence {
        eps: f64,
        iterations: usize,
        residual: f64,
    },
    #[error("singular tridiagonal system at row {row}")]
    Singular { row: usize },
}

/// The last reference solution computed, keyed by ε (a reference solve costs milliseconds to
/// seconds; plots ask for the same ε on every frame).
#[derive(Default)]
pub struct ReferenceCache(std::sync::Mutex<Option<(u64, Vec<f64>)>>);

impl Clone for ReferenceCache {
    /// A cache holding the same entry.
    fn clone(&self) -> Self {
        let entry = self.0.lock().map(|c| c.clone()).unwrap_or(None);
        Self(std::sync::Mutex::new(entry))
    }
}

impl ReferenceCache {
    /// The cached values at `eps`, or `solve(eps)` (cached when it succeeds).
    pub fn get_or(&self, eps: f64, solve: impl FnOnce() -> Option<Vec<f64>>) -> Option<Vec<f64>> {
        let key = eps.to_bits();
        if let Ok(cache) = self.0.lock()
            && let Some((k, values)) = cache.as_ref()
            && *k == key
        {
            return Some(values.clone());
        }
        let values = solve()?;
        if let Ok(mut cache) = self.0.lock() {
            *cache = Some((key, values.clone()));
        }
        Some(values)
    }
}

/// One row of a three-point discretization: the residual F_i and its derivatives with respect
/// to u_{i−1}, u_i, u_{i+1}.
#[derive(Clone, Copy, Debug)]
pub struct StencilRow {
    pub value: f64,
    pub d_left: f64,
    pub d_center: f64,
    pub d_right: f64,
}

/// A discretized 1D boundary-value problem on [start, end] with `intervals` cells and Dirichlet
/// values `left`, `right`; `row(x_i, h, u_{i−1}, u_i, u_{i+1})` gives the stencil at interior
/// node i.
pub struct Bvp1d<F> {
    pub start: f64,
    pub end: f64,
    pub intervals: usize,
    pub left: f64,
    pub right: f64,
    pub row: F,
}

impl<F: Fn(f64, f64, f64, f64, f64) -> StencilRow> Bvp1d<F> {
    /// Grid spacing h = (end − start)/intervals.
    pub fn h(&self) -> f64 {
        (self.end - self.start) / self.intervals as f64
    }

    /// Newton from `guess` (all nodes, boundaries included). Returns the nodal solution.
    pub fn newton(&self, mut u: Vec<f64>, eps_label: f64) -> Result<Vec<f64>, ReferenceError> {
        let m = self.intervals;
        let h = self.h();
        u[0] = self.left;
        u[m] = self.right;
        let interior = m - 1;
        let (mut lo, mut di, mut up, mut rhs) = (
            vec![0.0; interior],
            vec![0.0; interior],
            vec![0.0; interior],
            vec![0.0; interior],
        );
        let max_iter = 60;
        let mut res_norm = f64::INFINITY;
        for _ in 0..max_iter {
            res_norm = 0.0f64;
            // Size of the stencil's own rounding error: the residual cannot go below it.
            let mut roundoff = 0.0f64;
            for k in 0..interior {
                let i = k + 1;
                let r = (self.row)(self.start + i as f64 * h, h, u[i - 1], u[i], u[i + 1]);
                lo[k] = r.d_left;
                di[k] = r.d_center;
                up[k] = r.d_right;
                rhs[k] = -r.value;
                res_norm = res_norm.max(r.value.abs());
                let scale = (r.d_left.abs() + r.d_center.abs() + r.d_right.abs())
                    * u[i - 1].abs().max(u[i].abs()).max(u[i + 1].abs()).max(1.0);
                roundoff = roundoff.max(scale * f64::EPSILON);
            }
            if !res_norm.is_finite() {
                break;
            }
            if res_norm <= 64.0 * roundoff {
                return Ok(u);
            }
            let delta = solve_tridiagonal(&lo, &di, &up, &rhs)?;
            let step = delta.iter().fold(0.0f64, |a, d| a.max(d.abs()));
            // Damped Newton: never move a node by more than 0.5 in one step.
            let damping = if step > 0.5 { 0.5 / step } else { 1.0 };
            for k in 0..interior {
                u[k + 1] += damping * delta[k];
            }
            if damping == 1.0 && step < 1e-12 {
                return Ok(u);
            }
        }
        Err(ReferenceError::NoConvergence {
            eps: eps_label,
            iterations: max_iter,
            residual: res_norm,
        })
    }
}

/// Thomas algorithm for a tridiagonal system (lower `a`, diagonal `b`, upper `c`).
pub fn solve_tridiagonal(
    a: &[f64],
    b: &[f64],
    c: &[f64],
    d: &[f64],
) -> Result<Vec<f64>, ReferenceError> {
    let n = b.len();
    let mut cp = vec![0.0; n];
    let mut dp = vec![0.0; n];
    let mut x = vec![0.0; n];
    if b[0] == 0.0 {
        return Err(ReferenceError::Singular { row: 0 });
    }
    cp[0] = c[0] / b[0];
    dp[0] = d[0] / b[0];
    for i in 1..n {
        let denom = b[i] - a[i] * cp[i - 1];
        if denom == 0.0 || !denom.is_finite() {
            return Err(ReferenceError::Singular { row: i });
        }
        cp[i] = c[i] / denom;
        dp[i] = (d[i] - a[i] * dp[i - 1]) / denom;
    }
    x[n - 1] = dp[n - 1];
    for i in (0..n - 1).rev() {
        x[i] = dp[i] - cp[i] * x[i + 1];
    }
    Ok(x)
}

/// The solution on [0, 1] (nodes included, `intervals` even) of a BVP whose solutions are odd
/// about x = ½, from u(0) = `left`: solved on [0, ½] with u(½) = 0 by [`continuation`] from
/// `eps_easy`, then mirrored (u(1 − x) = −u(x)). Pinning u(½) removes the near-zero translation
/// mode that an interior layer gives the full-interval Newton system. `row_at(ε)` is the stencil
/// at ε, `guess(ε, x)` the initial guess.
pub fn solve_odd_about_half<F>(
    eps: f64,
    eps_easy: f64,
    intervals: usize,
    left: f64,
    row_at: impl Fn(f64) -> F,
    guess: impl Fn(f64, f64) -> f64,
) -> Option<Vec<f64>>
where
    F: Fn(f64, f64, f64, f64, f64) -> StencilRow,
{
    debug_assert!(intervals.is_multiple_of(2));
    let half = intervals / 2;
    let problem_at = |e: f64| Bvp1d {
        start: 0.0,
        end: 0.5,
        intervals: half,
        left,
        right: 0.0,
        row: row_at(e),
    };
    let initial = |e: f64| {
        (0..=half)
            .map(|i| guess(e, i as f64 / intervals as f64))
            .collect()
    };
    let mut u = continuation(eps, eps_easy, problem_at, initial).ok()?;
    let mirrored: Vec<f64> = u.iter().rev().skip(1).map(|v| -v).collect();
    u.extend(mirrored);
    Some(u)
}

/// Solve a family of BVPs along ε by continuation: try `eps` directly from `guess(eps)`; on
/// failure march geometrically from `eps_easy` down to `eps`, warm-starting each solve.
pub fn continuation<P, F>(
    eps: f64,
    eps_easy: f64,
    problem_at: P,
    guess: impl Fn(f64) -> Vec<f64>,
) -> Result<Vec<f64>, ReferenceError>
where
    P: Fn(f64) -> Bvp1d<F>,
    F: Fn(f64, f64, f64, f64, f64) -> StencilRow,
{
    if let Ok(u) = problem_at(eps).newton(guess(eps), eps) {
        return Ok(u);
    }
    let steps = 40;
    let mut u = problem_at(eps_easy).newton(guess(eps_easy), eps_easy)?;
    for k in 1..=steps {
        let e = eps_easy * (eps / eps_easy).powf(k as f64 / steps as f64);
        u = problem_at(e).newton(u, e)?;
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tridiagonal_solves_a_known_system() {
        // [2 -1 0; -1 2 -1; 0 -1 2] x = [1 0 1] has x = [1 1 1].
        let x = solve_tridiagonal(
            &[0.0, -1.0, -1.0],
            &[2.0; 3],
            &[-1.0, -1.0, 0.0],
            &[1.0, 0.0, 1.0],
        )
        .unwrap();
        for v in x {
            assert!((v - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn newton_solves_a_linear_bvp_exactly_at_nodes() {
        // u'' = 0, u(0) = 1, u(1) = 3: the FD solution is exact, u = 1 + 2x.
        let bvp = Bvp1d {
            start: 0.0,
            end: 1.0,
            intervals: 50,
            left: 1.0,
            right: 3.0,
            row: |_x, h: f64, l: f64, c: f64, r: f64| StencilRow {
                value: (l - 2.0 * c + r) / (h * h),
                d_left: 1.0 / (h * h),
                d_center: -2.0 / (h * h),
                d_right: 1.0 / (h * h),
            },
        };
        let u = bvp.newton(vec![0.0; 51], 1.0).unwrap();
        for (i, v) in u.iter().enumerate() {
            assert!((v - (1.0 + 2.0 * i as f64 / 50.0)).abs() < 1e-12);
        }
    }
}
