//! What a 2D solution's error is made of when the reference has straight interfaces along the
//! axes (2D Allen–Cahn from u₀ = −sin πx sin πy at small ε: one interface on y = 0, one on
//! x = 0): where each of u_θ's interfaces lies, how much of the squared error sits in a strip
//! around each, how much of it the translation mode ∂_y u of the horizontal interface explains,
//! and the L2RE against the reference with its interfaces moved to where u_θ has them. All of
//! it is measured on the evaluation grid (x fastest) from the values the page already has.

use crate::problem::{Grid2d, relative_l2};

/// Half-width of the strips around the interfaces, and the columns (rows) nearer than this to
/// the other interface or |x| > 1 − this are not used for locating an interface.
const STRIP: f64 = 0.15;

/// Where the interfaces are and what the error is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct InterfaceAccount {
    /// u_θ's horizontal interface: (mean, min, max) over columns of the zero crossing nearest
    /// y = 0.
    pub horizontal: (f64, f64, f64),
    /// The reference's, the same way.
    pub horizontal_ref: f64,
    /// u_θ's vertical interface: the zero crossing nearest x = 0 over rows.
    pub vertical: (f64, f64, f64),
    pub vertical_ref: f64,
    /// Shares of ‖u_θ − u_ref‖² in |y| < [`STRIP`] and in |x| < [`STRIP`].
    pub share_horizontal: f64,
    pub share_vertical: f64,
    /// Share of ‖u_θ − u_ref‖² that the least-squares multiple of ∂_y u_ref in the horizontal
    /// strip explains (the first-order translation of that interface).
    pub share_translation: f64,
    pub l2re: f64,
    /// L2RE against the reference with its interfaces moved to u_θ's (linear interpolation,
    /// blended back to the reference between 0.4 and 0.6 from each interface).
    pub l2re_moved: f64,
    /// ‖u_ref − u_refᵀ‖/‖u_ref‖ (x ↔ y) and ‖u_ref(x, y) + u_ref(−x, y)‖/‖u_ref‖.
    pub symmetry: (f64, f64),
    /// The fraction of the square each strip covers.
    pub strip_area: f64,
}

/// The zero crossing of `v` (sampled at `t`) nearest 0, by linear interpolation.
fn crossing(t: &[f64], v: &[f64]) -> Option<f64> {
    let mut best: Option<f64> = None;
    for k in 0..v.len() - 1 {
        // A sign change between two nodes, or a node that is exactly zero between two of
        // opposite sign.
        let at_node = v[k] == 0.0 && k > 0 && v[k - 1] * v[k + 1] < 0.0;
        if v[k] * v[k + 1] < 0.0 || at_node {
            let z = t[k] - v[k] * (t[k + 1] - t[k]) / (v[k + 1] - v[k]);
            if best.is_none_or(|b| z.abs() < b.abs()) {
                best = Some(z);
            }
        }
    }
    best
}

/// Linear interpolation of `v` (at the uniform nodes `t`) at `at`, clamped to the ends.
fn interpolate(t: &[f64], v: &[f64], at: f64) -> f64 {
    let n = t.len();
    let h = (t[n - 1] - t[0]) / (n - 1) as f64;
    let s = ((at - t[0]) / h).clamp(0.0, (n - 1) as f64);
    let k = (s.floor() as usize).min(n - 2);
    let w = s - k as f64;
    (1.0 - w) * v[k] + w * v[k + 1]
}

/// (mean, min, max) of the crossings of the lines `line(k)` for the nodes k whose coordinate
/// lies in STRIP ≤ |t| ≤ 1 − STRIP (relative to the domain's half-width).
fn crossings(t: &[f64], line: impl Fn(usize) -> Vec<f64>) -> Option<(f64, f64, f64)> {
    let (lo, hi) = (t[0], t[t.len() - 1]);
    let (mid, half) = ((lo + hi) / 2.0, (hi - lo) / 2.0);
    let found: Vec<f64> = (0..t.len())
        .filter(|&k| {
            let r = (t[k] - mid).abs() / half;
            (STRIP..=1.0 - STRIP).contains(&r)
        })
        .filter_map(|k| crossing(t, &line(k)))
        .collect();
    if found.is_empty() {
        return None;
    }
    let mean = found.iter().sum::<f64>() / found.len() as f64;
    let min = found.iter().copied().fold(f64::INFINITY, f64::min);
    let max = found.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((mean, min, max))
}

/// The account of `u` against `reference` on `grid` (both nx·ny values, x fastest), or why
/// there is none: the grid is not a square one over a square, or an interface is missing.
pub fn account(
    grid: &Grid2d,
    u: &[f64],
    reference: &[f64],
) -> Result<InterfaceAccount, &'static str> {
    let n = grid.nx;
    if grid.ny != n || n < 4 || grid.x != grid.y {
        return Err("the evaluation grid is not an n × n grid over a square");
    }
    if u.len() != n * n || reference.len() != n * n {
        return Err("the solution and the reference do not fill the evaluation grid");
    }
    let missing = "u_θ or the reference has no zero crossing near an axis on the evaluation grid";
    let t: Vec<f64> = (0..n)
        .map(|k| grid.x.0 + (grid.x.1 - grid.x.0) * k as f64 / (n - 1) as f64)
        .collect();
    let at = |f: &[f64], i: usize, j: usize| f[j * n + i];
    let column = |f: &[f64], i: usize| (0..n).map(|j| at(f, i, j)).collect::<Vec<f64>>();
    let row = |f: &[f64], j: usize| f[j * n..(j + 1) * n].to_vec();
    let horizontal = crossings(&t, |i| column(u, i)).ok_or(missing)?;
    let horizontal_ref = crossings(&t, |i| column(reference, i)).ok_or(missing)?.0;
    let vertical = crossings(&t, |j| row(u, j)).ok_or(missing)?;
    let vertical_ref = crossings(&t, |j| row(reference, j)).ok_or(missing)?.0;
    let e: Vec<f64> = u.iter().zip(reference).map(|(a, b)| a - b).collect();
    let total: f64 = e.iter().map(|v| v * v).sum();
    let share = |inside: &dyn Fn(usize, usize) -> bool| {
        let mut s = 0.0;
        for j in 0..n {
            for i in 0..n {
                if inside(i, j) {
                    s += e[j * n + i].powi(2);
                }
            }
        }
        s / total
    };
    let share_horizontal = share(&|_, j| (t[j] - horizontal_ref).abs() < STRIP);
    let share_vertical = share(&|i, _| (t[i] - vertical_ref).abs() < STRIP);
    // ∂_y u_ref by central differences inside the horizontal strip; the error's least-squares
    // multiple of it there.
    let h = t[1] - t[0];
    let (mut dot, mut norm2) = (0.0, 0.0);
    for j in 1..n - 1 {
        if (t[j] - horizontal_ref).abs() >= STRIP {
            continue;
        }
        for i in 0..n {
            let d = (at(reference, i, j + 1) - at(reference, i, j - 1)) / (2.0 * h);
            dot += d * e[j * n + i];
            norm2 += d * d;
        }
    }
    let share_translation = if norm2 > 0.0 {
        dot * dot / norm2 / total
    } else {
        0.0
    };
    // The reference with its horizontal interface moved by dy, then its vertical one by dx,
    // each blended back to the reference between 0.4 and 0.6 from the interface.
    let blend = |d: f64| ((0.6 - d.abs()) / 0.2).clamp(0.0, 1.0);
    let dy = horizontal.0 - horizontal_ref;
    let dx = vertical.0 - vertical_ref;
    let mut moved = reference.to_vec();
    for i in 0..n {
        let col = column(reference, i);
        for j in 0..n {
            let w = blend(t[j] - horizontal_ref);
            moved[j * n + i] = w * interpolate(&t, &col, t[j] - dy) + (1.0 - w) * col[j];
        }
    }
    let first = moved.clone();
    for j in 0..n {
        let line = row(&first, j);
        for i in 0..n {
            let w = blend(t[i] - vertical_ref);
            moved[j * n + i] = w * interpolate(&t, &line, t[i] - dx) + (1.0 - w) * line[i];
        }
    }
    let norm = reference.iter().map(|v| v * v).sum::<f64>().sqrt();
    let transpose: f64 = (0..n)
        .flat_map(|j| (0..n).map(move |i| (i, j)))
        .map(|(i, j)| (at(reference, i, j) - at(reference, j, i)).powi(2))
        .sum::<f64>()
        .sqrt();
    let odd_x: f64 = (0..n)
        .flat_map(|j| (0..n).map(move |i| (i, j)))
        .map(|(i, j)| (at(reference, i, j) + at(reference, n - 1 - i, j)).powi(2))
        .sum::<f64>()
        .sqrt();
    Ok(InterfaceAccount {
        horizontal,
        horizontal_ref,
        vertical,
        vertical_ref,
        share_horizontal,
        share_vertical,
        share_translation,
        l2re: relative_l2(u, reference),
        l2re_moved: relative_l2(u, &moved),
        symmetry: (transpose / norm, odd_x / norm),
        strip_area: 2.0 * STRIP / (grid.x.1 - grid.x.0),
    })
}

/// The page's section for the account of `method`'s solution (seed 0).
pub fn markdown(method: &str, a: &InterfaceAccount) -> String {
    let (hm, hlo, hhi) = a.horizontal;
    let (vm, vlo, vhi) = a.vertical;
    format!(
        "\n## What the `{method}` error is made of (seed 0)\n\n\
         Measured on the evaluation grid. u_θ's horizontal interface (per column with {lo} ≤ |x| ≤ {hi}, the zero crossing nearest y = 0) lies at y = {hm:.4} ({hlo:.4} to {hhi:.4}), the reference's at y = {hr:.1e}; its vertical interface at x = {vm:.4} ({vlo:.4} to {vhi:.4}), the reference's at x = {vr:.1e}. \
         The strip |y| < {lo} holds {sh:.1} % of ‖u_θ − u_ref‖² and the strip |x| < {lo} {sv:.1} % (each is {area:.0} % of the square); the translation mode ∂_y u_ref of the horizontal interface alone explains {st:.1} % of it. \
         Against the reference with its interfaces moved to u_θ's (linear interpolation, blended back to the reference 0.4–0.6 away from each interface) the L2RE is {moved:.3e} instead of {l2re:.3e}: {verdict}. \
         The reference is symmetric under x ↔ y to {sx:.1e} and odd in x to {so:.1e} (relative), as u₀ is; a steady state reached from this u₀ keeps its interfaces on the axes whatever method computed it, so any correct reference, the paper's included, has them there.\n",
        lo = STRIP,
        hi = 1.0 - STRIP,
        hr = a.horizontal_ref,
        vr = a.vertical_ref,
        sh = 100.0 * a.share_horizontal,
        sv = 100.0 * a.share_vertical,
        area = 100.0 * a.strip_area,
        verdict = if a.l2re_moved < 0.5 * a.l2re {
            "most of the error is the displacement of the interfaces — translations, the soft directions the phase condition is there to hold — rather than their shape"
        } else {
            "moving the interfaces does not remove most of the error, so it is not mainly their displacement"
        },
        st = 100.0 * a.share_translation,
        moved = a.l2re_moved,
        l2re = a.l2re,
        sx = a.symmetry.0,
        so = a.symmetry.1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tanh interfaces on the axes, the horizontal one moved by `dy`.
    fn field(n: usize, dy: f64) -> Vec<f64> {
        let t: Vec<f64> = (0..n)
            .map(|k| -1.0 + 2.0 * k as f64 / (n - 1) as f64)
            .collect();
        let mut f = Vec::new();
        for &y in &t {
            for &x in &t {
                let edge = (1.0 - x * x) * (1.0 - y * y);
                f.push(-((x / 0.07).tanh()) * ((y - dy) / 0.07).tanh() * edge);
            }
        }
        f
    }

    #[test]
    fn a_moved_interface_is_found_and_explains_the_error() {
        let n = 101;
        let grid = Grid2d {
            nx: n,
            ny: n,
            x: (-1.0, 1.0),
            y: (-1.0, 1.0),
        };
        let reference = field(n, 0.0);
        let u = field(n, 0.03);
        let a = account(&grid, &u, &reference).unwrap();
        assert!((a.horizontal.0 - 0.03).abs() < 2e-3, "{a:?}");
        assert!(
            a.horizontal_ref.abs() < 1e-9 && a.vertical.0.abs() < 1e-9,
            "{a:?}"
        );
        assert!(a.share_horizontal > 0.99, "{a:?}");
        assert!(a.share_translation > 0.5, "{a:?}");
        assert!(a.l2re > 0.1 && a.l2re_moved < 0.2 * a.l2re, "{a:?}");
        assert!(a.symmetry.0 < 1e-12 && a.symmetry.1 < 1e-12, "{a:?}");
        // Not a square grid, or no interface: no account.
        assert!(account(&Grid2d { ny: 3, ..grid }, &u, &reference).is_err());
        assert!(account(&grid, &vec![1.0; n * n], &reference).is_err());
        let text = markdown("homotopy", &a);
        assert!(
            text.contains("most of the error is the displacement"),
            "{text}"
        );
        // The verdict follows the numbers: an error that moving does not remove says so.
        let other = InterfaceAccount {
            l2re_moved: 0.9 * a.l2re,
            ..a.clone()
        };
        assert!(markdown("homotopy", &other).contains("does not remove most of the error"));
    }
}
