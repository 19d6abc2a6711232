//! The NTK paper's own equations for the NTK lab: the sine-Gordon initial value problem
//! u_tt − u_xx + sin u = 0 and the KdV initial–boundary value problem u_t + 6uu_x + u_xxx = 0
//! (a third derivative in x), on (x, t) ∈ [−1, 1] × [0, 1], for the paper's network: one tanh
//! hidden layer of width N, u(x, t) = N^(−a) Σ_k c_k tanh(w_k x + v_k t + b_k), every weight
//! N(0, 1). The engine's networks carry no third derivatives, and this network's derivatives
//! and their parameter Jacobians are closed-form, so the lab computes them here: the residual
//! rows, the boundary (initial and boundary) rows, their Jacobian J, and gradient descent on
//! ½‖r‖². Data come from exact solutions (a moving sine-Gordon kink, a KdV soliton), so the
//! residual's target is 0.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::linalg::{SymEig, gram};
use crate::net::jacobian::Jacobian;

use super::ntk::{KernelStats, NtkRow};

/// One of the NTK paper's two test equations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaperPde {
    /// u_tt − u_xx + sin u = 0; u and u_t given at t = 0 (initial value problem).
    SineGordon,
    /// u_t + 6uu_x + u_xxx = 0; u given at t = 0 and at x = ±1 (initial–boundary value problem).
    Kdv,
}

/// Kink speed of the sine-Gordon data.
const KINK_SPEED: f64 = 0.5;
/// Soliton speed (and twice its height) of the KdV data.
const SOLITON_SPEED: f64 = 1.0;
/// Interior (residual) grid: midpoints of NX × NT cells of [−1, 1] × [0, 1].
const NX: usize = 12;
const NT: usize = 8;
/// Initial points at t = 0, evenly spaced on [−1, 1] with both ends.
const N_INITIAL: usize = 24;
/// KdV boundary points per side, at t = j/N_SIDE (j = 1..=N_SIDE).
const N_SIDE: usize = 12;

impl PaperPde {
    pub const ALL: [PaperPde; 2] = [PaperPde::SineGordon, PaperPde::Kdv];

    /// Short id (file names, `reproduce ntk` cells).
    pub fn id(self) -> &'static str {
        match self {
            PaperPde::SineGordon => "sine_gordon",
            PaperPde::Kdv => "kdv",
        }
    }

    /// The equation's name alone (figure titles).
    pub fn name(self) -> &'static str {
        match self {
            PaperPde::SineGordon => "sine-Gordon",
            PaperPde::Kdv => "KdV",
        }
    }

    /// The kind of problem the paper poses with it.
    pub fn problem(self) -> &'static str {
        match self {
            PaperPde::SineGordon => "initial value problem",
            PaperPde::Kdv => "initial–boundary value problem",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PaperPde::SineGordon => "sine-Gordon u_tt − u_xx + sin u = 0 (initial value problem)",
            PaperPde::Kdv => "KdV u_t + 6uu_x + u_xxx = 0 (initial–boundary value problem)",
        }
    }

    /// What the rows are, for pages and the lab window.
    pub fn setup(self) -> String {
        match self {
            PaperPde::SineGordon => format!(
                "{NX} × {NT} interior midpoints of [−1, 1] × [0, 1]; at t = 0, u and u_t at {N_INITIAL} points (data: the kink u = 4 arctan exp(γ(x − vt)), v = {KINK_SPEED}, γ = 1/√(1 − v²))"
            ),
            PaperPde::Kdv => format!(
                "{NX} × {NT} interior midpoints of [−1, 1] × [0, 1]; u at t = 0 on {N_INITIAL} points and at x = ±1 on {N_SIDE} times each (data: the soliton u = (c/2) sech²(√c (x − ct)/2), c = {SOLITON_SPEED})"
            ),
        }
    }

    /// The exact solution the data come from, and its time derivative.
    pub fn exact(self, x: f64, t: f64) -> (f64, f64) {
        match self {
            PaperPde::SineGordon => {
                let g = 1.0 / (1.0 - KINK_SPEED * KINK_SPEED).sqrt();
                let z = g * (x - KINK_SPEED * t);
                // d/dz 4 arctan eᶻ = 2 sech z.
                (4.0 * z.exp().atan(), -2.0 * g * KINK_SPEED / z.cosh())
            }
            PaperPde::Kdv => {
                let c = SOLITON_SPEED;
                let z = 0.5 * c.sqrt() * (x - c * t);
                let s = 1.0 / z.cosh();
                // u = (c/2) sech² z, u_t = (c/2)·(−2 sech² z tanh z)·(−c√c/2).
                (0.5 * c * s * s, 0.5 * c * c.sqrt() * c * s * s * z.tanh())
            }
        }
    }

    /// The rows: residual rows first, then the boundary rows, each block weighted by
    /// 1/√(its row count) (the loss is ½ the mean square of each block, summed).
    pub fn rows(self) -> Vec<Row> {
        let mut rows = Vec::new();
        let w_f = 1.0 / ((NX * NT) as f64).sqrt();
        for j in 0..NT {
            for i in 0..NX {
                let x = -1.0 + 2.0 * (i as f64 + 0.5) / NX as f64;
                let t = (j as f64 + 0.5) / NT as f64;
                rows.push(Row {
                    x,
                    t,
                    kind: RowKind::Residual,
                    weight: w_f,
                });
            }
        }
        let initial: Vec<f64> = (0..N_INITIAL)
            .map(|i| -1.0 + 2.0 * i as f64 / (N_INITIAL - 1) as f64)
            .collect();
        let mut boundary: Vec<(f64, f64, RowKind)> = initial
            .iter()
            .map(|&x| (x, 0.0, RowKind::Value(self.exact(x, 0.0).0)))
            .collect();
        match self {
            PaperPde::SineGordon => boundary.extend(
                initial
                    .iter()
                    .map(|&x| (x, 0.0, RowKind::TimeDerivative(self.exact(x, 0.0).1))),
            ),
            PaperPde::Kdv => {
                for x in [-1.0, 1.0] {
                    boundary.extend((1..=N_SIDE).map(|j| {
                        let t = j as f64 / N_SIDE as f64;
                        (x, t, RowKind::Value(self.exact(x, t).0))
                    }));
                }
            }
        }
        let w_b = 1.0 / (boundary.len() as f64).sqrt();
        rows.extend(boundary.into_iter().map(|(x, t, kind)| Row {
            x,
            t,
            kind,
            weight: w_b,
        }));
        rows
    }

    /// Number of residual rows (the rest are boundary rows).
    pub fn residual_rows(self) -> usize {
        NX * NT
    }
}

/// What a row asks of the network at its point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowKind {
    /// The equation's residual (target 0).
    Residual,
    /// u − g.
    Value(f64),
    /// u_t − h.
    TimeDerivative(f64),
}

/// One row of the least-squares system.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    pub x: f64,
    pub t: f64,
    pub kind: RowKind,
    pub weight: f64,
}

/// The network u(x, t) = N^(−a) Σ_k c_k tanh(w_k x + v_k t + b_k); θ = [w, v, b, c].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shallow {
    pub width: usize,
    /// The output factor N^(−a).
    pub scale: f64,
}

/// The derivative ∂_x^p ∂_t^q u, written (p, q).
type Order = (u32, u32);
const U: Order = (0, 0);
const UX: Order = (1, 0);
const UXX: Order = (2, 0);
const UXXX: Order = (3, 0);
const UT: Order = (0, 1);
const UTT: Order = (0, 2);

impl Shallow {
    pub fn new(width: usize, exponent: f64) -> Self {
        Self {
            width,
            scale: (width as f64).powf(-exponent),
        }
    }

    pub fn n_params(&self) -> usize {
        4 * self.width
    }

    /// Every weight N(0, 1), from `seed`.
    pub fn init(&self, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(0.0, 1.0).expect("unit normal");
        (0..self.n_params())
            .map(|_| normal.sample(&mut rng))
            .collect()
    }

    /// tanh and its first four derivatives at every neuron's pre-activation at (x, t).
    fn activations(&self, theta: &[f64], x: f64, t: f64, out: &mut Vec<[f64; 5]>) {
        let n = self.width;
        out.clear();
        out.extend((0..n).map(|k| {
            let s = (theta[k] * x + theta[n + k] * t + theta[2 * n + k]).tanh();
            let d1 = 1.0 - s * s;
            let d2 = -2.0 * s * d1;
            let d3 = -2.0 * (d1 * d1 + s * d2);
            let d4 = -2.0 * (3.0 * d1 * d2 + s * d3);
            [s, d1, d2, d3, d4]
        }));
    }

    /// Every neuron's w⁰…w³ and v⁰…v² (the powers the derivatives up to u_xxx and u_tt take).
    fn powers(&self, theta: &[f64]) -> Vec<([f64; 4], [f64; 3])> {
        let n = self.width;
        (0..n)
            .map(|k| {
                let (w, v) = (theta[k], theta[n + k]);
                ([1.0, w, w * w, w * w * w], [1.0, v, v * v])
            })
            .collect()
    }

    /// ∂_x^p ∂_t^q u at the point whose activations are `act` (`pw` from [`Self::powers`]).
    fn value(
        &self,
        theta: &[f64],
        pw: &[([f64; 4], [f64; 3])],
        act: &[[f64; 5]],
        (p, q): Order,
    ) -> f64 {
        let n = self.width;
        let (m, p, q) = ((p + q) as usize, p as usize, q as usize);
        let sum: f64 = (0..n)
            .map(|k| theta[3 * n + k] * pw[k].0[p] * pw[k].1[q] * act[k][m])
            .sum();
        self.scale * sum
    }

    /// Add `coef` · ∂/∂θ [∂_x^p ∂_t^q u] at (x, t) to `row`.
    #[allow(clippy::too_many_arguments)]
    fn add_gradient(
        &self,
        theta: &[f64],
        pw: &[([f64; 4], [f64; 3])],
        act: &[[f64; 5]],
        (x, t): (f64, f64),
        (p, q): Order,
        coef: f64,
        row: &mut [f64],
    ) {
        let n = self.width;
        let (m, p, q) = ((p + q) as usize, p as usize, q as usize);
        let f = coef * self.scale;
        for k in 0..n {
            let c = theta[3 * n + k];
            let (w_pow, v_pow) = &pw[k];
            let (wp, vq) = (w_pow[p], v_pow[q]);
            let (a0, a1) = (act[k][m], act[k][m + 1]);
            // d/dw (w^p v^q σ⁽ᵐ⁾(wx + vt + b)) = p w^(p−1) v^q σ⁽ᵐ⁾ + w^p v^q x σ⁽ᵐ⁺¹⁾, etc.
            let dw = if p > 0 {
                p as f64 * w_pow[p - 1] * vq * a0
            } else {
                0.0
            } + wp * vq * x * a1;
            let dv = if q > 0 {
                q as f64 * wp * v_pow[q - 1] * a0
            } else {
                0.0
            } + wp * vq * t * a1;
            row[k] += f * c * dw;
            row[n + k] += f * c * dv;
            row[2 * n + k] += f * c * wp * vq * a1;
            row[3 * n + k] += f * wp * vq * a0;
        }
    }
}

/// The weighted rows' values r and Jacobian J at θ (loss ½‖r‖²).
pub fn system(pde: PaperPde, net: &Shallow, rows: &[Row], theta: &[f64]) -> (Vec<f64>, Jacobian) {
    let cols = net.n_params();
    let mut jac = Jacobian::zeros(rows.len(), cols);
    let mut r = vec![0.0; rows.len()];
    let mut pieces: Vec<(&mut [f64], &mut f64, &Row)> = jac
        .data
        .chunks_mut(cols.max(1))
        .zip(r.iter_mut())
        .zip(rows)
        .map(|((j, r), row)| (j, r, row))
        .collect();
    let pw = net.powers(theta);
    crate::pool::for_each_piece(&mut pieces, 8, |_, piece| {
        let mut act = Vec::with_capacity(net.width);
        for (jrow, ri, row) in piece.iter_mut() {
            let (x, t) = (row.x, row.t);
            net.activations(theta, x, t, &mut act);
            let at = |o: Order| net.value(theta, &pw, &act, o);
            // The residual (or boundary term) and its linearization Σ coef · ∂(∂^o u)/∂θ.
            let (value, terms): (f64, Vec<(Order, f64)>) = match (row.kind, pde) {
                (RowKind::Value(g), _) => (at(U) - g, vec![(U, 1.0)]),
                (RowKind::TimeDerivative(h), _) => (at(UT) - h, vec![(UT, 1.0)]),
                (RowKind::Residual, PaperPde::SineGordon) => {
                    let u = at(U);
                    (
                        at(UTT) - at(UXX) + u.sin(),
                        vec![(UTT, 1.0), (UXX, -1.0), (U, u.cos())],
                    )
                }
                (RowKind::Residual, PaperPde::Kdv) => {
                    let (u, ux) = (at(U), at(UX));
                    (
                        at(UT) + 6.0 * u * ux + at(UXXX),
                        vec![(UT, 1.0), (UX, 6.0 * u), (U, 6.0 * ux), (UXXX, 1.0)],
                    )
                }
            };
            **ri = row.weight * value;
            for (o, coef) in terms {
                net.add_gradient(theta, &pw, &act, (x, t), o, row.weight * coef, jrow);
            }
        }
    });
    (r, jac)
}

/// One (a, N) cell of the NTK lab on `pde`: seeds 0..seeds, each the initial kernel
/// K(0) = JJᵀ, then `steps` of gradient descent on ½‖r‖² at rate min(lr, 1/λ_max(K(0))), then
/// K(T). `None` when `stop` was raised.
pub fn cell(
    pde: PaperPde,
    exponent: f64,
    width: usize,
    (seeds, steps, lr): (u64, usize, f64),
    stop: &AtomicBool,
) -> Result<Option<NtkRow>> {
    let rows = pde.rows();
    let net = Shallow::new(width, exponent);
    let mut stats = KernelStats::new(pde.residual_rows());
    for seed in 0..seeds {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let mut theta = net.init(seed);
        let (r0, j0) = system(pde, &net, &rows, &theta);
        let before = 0.5 * r0.iter().map(|v| v * v).sum::<f64>();
        let k0 = gram(&j0);
        let lambda_max = SymEig::new(&k0)?.lambda_max();
        let rate = lr.min(1.0 / lambda_max);
        for step in 0..steps {
            if step % 50 == 0 && stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let (r, j) = system(pde, &net, &rows, &theta);
            let g = j.apply_transpose(&r);
            theta.iter_mut().zip(g).for_each(|(p, g)| *p -= rate * g);
        }
        let (r, jt) = system(pde, &net, &rows, &theta);
        let loss = 0.5 * r.iter().map(|v| v * v).sum::<f64>();
        stats.push(&k0, &gram(&jt), lambda_max, (before, loss));
    }
    Ok(Some(stats.row(exponent, width, seeds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central difference of f at h.
    fn central(f: impl Fn(f64) -> f64, h: f64) -> f64 {
        (f(h) - f(-h)) / (2.0 * h)
    }

    #[test]
    fn the_data_solve_their_equations() {
        // Finite differences of the exact solutions in x and t satisfy each equation.
        let h = 1e-3;
        for (x, t) in [(-0.7, 0.2), (0.1, 0.5), (0.6, 0.9)] {
            let sg = |x: f64, t: f64| PaperPde::SineGordon.exact(x, t).0;
            let u = sg(x, t);
            let utt = (sg(x, t + h) - 2.0 * u + sg(x, t - h)) / (h * h);
            let uxx = (sg(x + h, t) - 2.0 * u + sg(x - h, t)) / (h * h);
            assert!(
                (utt - uxx + u.sin()).abs() < 1e-5,
                "sine-Gordon at {x}, {t}"
            );
            let ut = central(|d| sg(x, t + d), h);
            assert!((ut - PaperPde::SineGordon.exact(x, t).1).abs() < 1e-5);
            let kdv = |x: f64, t: f64| PaperPde::Kdv.exact(x, t).0;
            let u = kdv(x, t);
            let ut = central(|d| kdv(x, t + d), h);
            let ux = central(|d| kdv(x + d, t), h);
            let uxxx = (kdv(x + 2.0 * h, t) - 2.0 * kdv(x + h, t) + 2.0 * kdv(x - h, t)
                - kdv(x - 2.0 * h, t))
                / (2.0 * h * h * h);
            assert!((ut + 6.0 * u * ux + uxxx).abs() < 1e-5, "KdV at {x}, {t}");
            assert!((ut - PaperPde::Kdv.exact(x, t).1).abs() < 1e-6);
        }
    }

    #[test]
    fn derivatives_and_jacobian_match_central_differences() {
        let net = Shallow::new(7, 0.5);
        let theta = net.init(3);
        let pw = net.powers(&theta);
        let mut act = Vec::new();
        let (x, t) = (0.3, 0.4);
        let h = 1e-3;
        let u_at = |x: f64, t: f64| {
            let mut a = Vec::new();
            net.activations(&theta, x, t, &mut a);
            net.value(&theta, &pw, &a, U)
        };
        net.activations(&theta, x, t, &mut act);
        let fd = [
            (UX, central(|d| u_at(x + d, t), h)),
            (UT, central(|d| u_at(x, t + d), h)),
            (
                UXX,
                (u_at(x + h, t) - 2.0 * u_at(x, t) + u_at(x - h, t)) / (h * h),
            ),
            (
                UTT,
                (u_at(x, t + h) - 2.0 * u_at(x, t) + u_at(x, t - h)) / (h * h),
            ),
            (
                UXXX,
                (u_at(x + 2.0 * h, t) - 2.0 * u_at(x + h, t) + 2.0 * u_at(x - h, t)
                    - u_at(x - 2.0 * h, t))
                    / (2.0 * h * h * h),
            ),
        ];
        for (o, want) in fd {
            let got = net.value(&theta, &pw, &act, o);
            assert!(
                (got - want).abs() < 1e-4 * (1.0 + want.abs()),
                "{o:?}: {got} vs {want}"
            );
        }
        // Every row's Jacobian, both equations, against central differences in θ.
        for pde in PaperPde::ALL {
            let rows = pde.rows();
            let (_, jac) = system(pde, &net, &rows, &theta);
            for k in [0, 5, 8, 16, 27] {
                let shifted = |d: f64| {
                    let mut th = theta.clone();
                    th[k] += d;
                    system(pde, &net, &rows, &th).0
                };
                let (plus, minus) = (shifted(1e-6), shifted(-1e-6));
                for i in 0..rows.len() {
                    let want = (plus[i] - minus[i]) / 2e-6;
                    let got = jac.row(i)[k];
                    assert!(
                        (got - want).abs() < 1e-6 * (1.0 + want.abs()),
                        "{pde:?} row {i} θ_{k}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn rows_are_laid_out_as_the_kernel_blocks_expect() {
        let sg = PaperPde::SineGordon.rows();
        assert_eq!(sg.len(), NX * NT + 2 * N_INITIAL);
        assert!(sg[..NX * NT].iter().all(|r| r.kind == RowKind::Residual));
        assert!(sg[NX * NT..].iter().all(|r| r.kind != RowKind::Residual));
        let kdv = PaperPde::Kdv.rows();
        assert_eq!(kdv.len(), NX * NT + N_INITIAL + 2 * N_SIDE);
        // Each block's weights square-sum to 1: ½ the mean square of each block.
        for rows in [&sg, &kdv] {
            let (f, b) = rows.split_at(NX * NT);
            for block in [f, b] {
                let s: f64 = block.iter().map(|r| r.weight * r.weight).sum();
                assert!((s - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn gradient_descent_lowers_the_loss_and_the_stop_flag_ends_a_cell() {
        let stop = AtomicBool::new(false);
        for pde in PaperPde::ALL {
            let row = cell(pde, 1.0, 20, (2, 200, 10.0), &stop).unwrap().unwrap();
            // Each seed's loss falls, so their median is below the larger initial loss, and the
            // row's loss at the start is the median of the two.
            let net = Shallow::new(20, 1.0);
            let start: Vec<f64> = (0..2)
                .map(|seed| {
                    let (r0, _) = system(pde, &net, &pde.rows(), &net.init(seed));
                    0.5 * r0.iter().map(|v| v * v).sum::<f64>()
                })
                .collect();
            let loss0 = start[0].max(start[1]);
            let median = 0.5 * (start[0] + start[1]);
            assert!((row.loss_before.unwrap() - median).abs() < 1e-12 * median);
            assert!(
                row.loss_after < loss0,
                "{pde:?}: {} vs {loss0}",
                row.loss_after
            );
            assert!(row.drift.is_finite() && row.drift > 0.0);
            for s in [row.spread_ff, row.spread_bf, row.spread_bb] {
                let s = s.expect("block spreads");
                assert!(s.is_finite() && s > 0.0, "{pde:?}: {row:?}");
            }
        }
        stop.store(true, Ordering::Relaxed);
        assert!(
            cell(PaperPde::Kdv, 1.0, 20, (2, 10, 0.1), &stop)
                .unwrap()
                .is_none()
        );
    }
}
