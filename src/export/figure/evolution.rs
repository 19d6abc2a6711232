//! The papers' evolution figure (homotopy paper Figs. 3 and 5): u_θ at a few ε along a homotopy
//! path overlaid, the reference at the last ε dashed; for a field on the plane, its
//! cross-section at the grid row nearest y = 0.5. Drawn by the explorer's *Export path* and by
//! `reproduce` for each homotopy row.

use super::{Figure, Mark, PALETTE, Series};
use crate::problem::Grid2d;

/// Curves at most in an evolution figure.
pub const CURVES: usize = 6;

/// `count` of `items` evenly spaced, the first and the last included (all of them when fewer).
pub fn spaced<T: Copy>(items: &[T], count: usize) -> Vec<T> {
    if items.len() <= count || count < 2 {
        return items.to_vec();
    }
    (0..count)
        .map(|i| items[(i * (items.len() - 1) + (count - 1) / 2) / (count - 1)])
        .collect()
}

/// The figure of `frames` ((path point, u_θ at the evaluation points), along the path, at
/// most [`CURVES`] of them evenly spaced are drawn) over `plot_x` (1D) or `grid` (the plane:
/// the row nearest y = 0.5), with `reference` (point, values) dashed; `point` names a path
/// point ("ε = 0.05", or "s = 0.7" on an s-homotopy). Frames whose length is not the points'
/// are left out.
pub fn figure(
    title: &str,
    plot_x: &[f64],
    plot_label: &str,
    grid: Option<Grid2d>,
    frames: &[(f64, &[f64])],
    reference: Option<(f64, &[f64])>,
    point: &dyn Fn(f64) -> String,
) -> Figure {
    let (x, row, x_label): (Vec<f64>, Option<(usize, usize)>, String) = match grid {
        Some(g) if g.nx >= 2 => {
            let j = if g.ny < 2 {
                0
            } else {
                (((0.5 - g.y.0) / (g.y.1 - g.y.0)) * (g.ny - 1) as f64)
                    .round()
                    .clamp(0.0, (g.ny - 1) as f64) as usize
            };
            let y = if g.ny < 2 {
                g.y.0
            } else {
                g.y.0 + j as f64 * (g.y.1 - g.y.0) / (g.ny - 1) as f64
            };
            let x = (0..g.nx)
                .map(|i| g.x.0 + i as f64 * (g.x.1 - g.x.0) / (g.nx - 1) as f64)
                .collect();
            (
                x,
                Some((j * g.nx, g.nx)),
                format!("x (cross-section at y = {y:.2})"),
            )
        }
        _ => (plot_x.to_vec(), None, plot_label.to_string()),
    };
    let n = match row {
        Some((start, nx)) => start + nx,
        None => x.len(),
    };
    let cut = |values: &[f64]| -> Option<Vec<(f64, f64)>> {
        (values.len() >= n).then(|| {
            let v = match row {
                Some((start, nx)) => &values[start..start + nx],
                None => &values[..x.len()],
            };
            x.iter().copied().zip(v.iter().copied()).collect()
        })
    };
    let mut fig = Figure::new(title, &x_label, "u");
    let usable: Vec<(f64, &[f64])> = frames
        .iter()
        .copied()
        .filter(|(_, u)| u.len() >= n)
        .collect();
    for (c, (eps, u)) in spaced(&usable, CURVES).into_iter().enumerate() {
        if let Some(points) = cut(u) {
            fig.series.push(Series {
                label: point(eps),
                points,
                mark: Mark::Line,
                color: PALETTE[c % PALETTE.len()],
            });
        }
    }
    if let Some((eps, r)) = reference
        && let Some(points) = cut(r)
    {
        fig.series.push(Series {
            label: format!("reference at {}", point(eps)),
            points,
            mark: Mark::Reference,
            color: (0, 0, 0),
        });
    }
    fig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_keeps_the_ends_and_spreads_the_rest() {
        let items: Vec<usize> = (0..231).collect();
        let s = spaced(&items, 6);
        assert_eq!(s.len(), 6);
        assert_eq!((s[0], s[5]), (0, 230));
        assert!(
            s.windows(2).all(|w| (40..=52).contains(&(w[1] - w[0]))),
            "{s:?}"
        );
        assert_eq!(spaced(&items[..4], 6), vec![0, 1, 2, 3]);
    }

    #[test]
    fn on_the_plane_the_row_nearest_half_is_drawn() {
        // A 3 × 3 grid on [0, 1]², x fastest: the middle row is y = 0.5.
        let g = Grid2d {
            nx: 3,
            ny: 3,
            x: (0.0, 1.0),
            y: (0.0, 1.0),
        };
        let u: Vec<f64> = (0..9).map(f64::from).collect();
        let eps = |e: f64| format!("ε = {}", crate::config::four_digits(e));
        let fig = figure("t", &[], "", Some(g), &[(0.1, &u), (0.05, &u)], None, &eps);
        assert_eq!(fig.series.len(), 2);
        assert_eq!(
            fig.series[0].points,
            vec![(0.0, 3.0), (0.5, 4.0), (1.0, 5.0)]
        );
        assert!(fig.x_label.contains("y = 0.50"));
    }
}
