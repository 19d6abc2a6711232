//! Polylines cut for drawing, without a backend: split by a dash pattern, and clipped to a
//! rectangle (pieces inside it, with the crossing points interpolated). The renderer strokes
//! what these return; both are pure and tested here.

use super::geometry::Rect;

/// Pieces of a polyline under a dash pattern (lengths in logical units; empty = solid).
pub fn dashed(points: &[(f64, f64)], pattern: &[f64]) -> Vec<Vec<(f64, f64)>> {
    if pattern.is_empty() || points.len() < 2 {
        return vec![points.to_vec()];
    }
    let mut out: Vec<Vec<(f64, f64)>> = vec![];
    let (mut k, mut left, mut on) = (0usize, pattern[0], true);
    let mut current = vec![points[0]];
    for w in points.windows(2) {
        let (mut a, b) = (w[0], w[1]);
        let mut len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        while len > left {
            let t = left / len;
            let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            if on {
                current.push(p);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![p];
            }
            len -= left;
            a = p;
            on = !on;
            k = (k + 1) % pattern.len();
            left = pattern[k];
        }
        left -= len;
        if on {
            current.push(b);
        }
    }
    if on && current.len() > 1 {
        out.push(current);
    }
    out
}

/// The pieces of a polyline inside `r` (Liang–Barsky on each segment).
pub fn clip(points: &[(f64, f64)], r: Rect) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![];
    let mut current: Vec<(f64, f64)> = vec![];
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let (dx, dy) = (x1 - x0, y1 - y0);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let edges = [
            (-dx, x0 - r.x0),
            (dx, r.x1 - x0),
            (-dy, y0 - r.y0),
            (dy, r.y1 - y0),
        ];
        let visible = edges.iter().all(|&(p, q)| {
            if p == 0.0 {
                return q >= 0.0;
            }
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            t0 <= t1
        });
        if !visible {
            if current.len() > 1 {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        let a = (x0 + t0 * dx, y0 + t0 * dy);
        let b = (x0 + t1 * dx, y0 + t1 * dy);
        if current.last() != Some(&a) {
            if current.len() > 1 {
                out.push(std::mem::take(&mut current));
            }
            current = vec![a];
        }
        current.push(b);
        if t1 < 1.0 {
            out.push(std::mem::take(&mut current));
        }
    }
    if current.len() > 1 {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_are_clipped_to_the_plot() {
        let r = Rect::new(0.0, 0.0, 10.0, 10.0);
        let pieces = clip(&[(5.0, 5.0), (5.0, 20.0), (7.0, 5.0), (8.0, 6.0)], r);
        assert_eq!(pieces.len(), 2, "{pieces:?}");
        assert_eq!(pieces[0], vec![(5.0, 5.0), (5.0, 10.0)]);
        assert!((pieces[1][0].0 - (5.0 + 2.0 * 2.0 / 3.0)).abs() < 1e-12 && pieces[1][0].1 == 10.0);
        assert_eq!(*pieces[1].last().unwrap(), (8.0, 6.0));
        assert!(clip(&[(20.0, 20.0), (30.0, 30.0)], r).is_empty());
    }

    #[test]
    fn dashes_split_a_line_by_its_pattern() {
        let pieces = dashed(&[(0.0, 0.0), (10.0, 0.0)], &[2.0, 1.0]);
        assert_eq!(pieces.len(), 4);
        assert_eq!(pieces[0], vec![(0.0, 0.0), (2.0, 0.0)]);
        assert_eq!(pieces[1], vec![(3.0, 0.0), (5.0, 0.0)]);
        assert_eq!(dashed(&[(0.0, 0.0), (1.0, 1.0)], &[]).len(), 1);
    }
}
