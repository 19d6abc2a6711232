//! The text a panel places on and around its plot once the axes are fixed: tick labels (a y
//! label that would touch an x label goes), the densest tick set whose labels do not collide,
//! the labels of marker lines in spots clear of the data, and titles wrapped to the width.
//! [`super::layout`] calls these; boxes are measured with the bundled DejaVu Sans.

use super::Figure;
use super::geometry::{ASCENT, AxisMap, DESCENT, Ink, Layout, Rect, TextItem, text_width};
use super::legend;
use super::ticks::Tick;

/// Tick positions and labels; a y label that would touch an x label (the bottom-left corner)
/// goes.
pub(super) fn tick_labels(out: &mut Layout, x_ticks: &[Tick], y_ticks: &[Tick], f: f64) {
    let p = out.plot;
    let mut x_boxes = Vec::new();
    for t in x_ticks {
        let Some(px) = out.x.map(t.value) else {
            continue;
        };
        out.x_ticks.push((px, t.label.is_some()));
        if let Some(l) = &t.label {
            let item = TextItem::centred(l, f, px, p.y1 + 0.6 * f, Ink::Foreground);
            x_boxes.push(item.bbox.grown(0.1 * f));
            out.texts.push(item);
        }
    }
    for t in y_ticks {
        let Some(py) = out.y.map(t.value) else {
            continue;
        };
        let mut labelled = false;
        if let Some(l) = &t.label {
            let item = TextItem::right_of_centre(l, f, p.x0 - 0.35 * f, py, Ink::Foreground);
            if !x_boxes.iter().any(|b| b.intersects(&item.bbox)) {
                out.texts.push(item);
                labelled = true;
            }
        }
        out.y_ticks.push((py, labelled));
    }
}

/// The title in at most two lines: at the title size, else at the text size, else cut after
/// the second line with "…" (the file name and the CSV keep the whole title).
pub(super) fn title_lines(title: &str, large: f64, small: f64, width: f64) -> (f64, Vec<String>) {
    let lines = wrap(title, large, width);
    if lines.len() <= 2 {
        return (large, lines);
    }
    let mut lines = wrap(title, small, width);
    if lines.len() > 2 {
        lines.truncate(2);
        let last = &mut lines[1];
        while text_width(&format!("{last} …"), small) > width {
            match last.rfind(' ') {
                Some(i) => last.truncate(i),
                None => break,
            }
        }
        last.push_str(" …");
    }
    (small, lines)
}

/// Words of `text` in lines no wider than `width` (a word wider than the line stands alone).
pub(super) fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    // Never break inside "ε = 1/4", "(seed 0)" or "vs ε" (no-break spaces join them).
    let joined = text
        .replace(" = ", "\u{a0}=\u{a0}")
        .replace("(seed ", "(seed\u{a0}")
        .replace(" vs ", " vs\u{a0}");
    let mut lines: Vec<String> = Vec::new();
    for word in joined.split(' ').filter(|w| !w.is_empty()) {
        match lines.last_mut() {
            Some(l) if text_width(&format!("{l} {word}"), size) <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The densest candidate tick set whose labels keep a gap of half an em; if none does, the
/// sparsest with labels dropped greedily until none overlap.
pub(super) fn choose_ticks(
    map: &AxisMap,
    f: f64,
    horizontal: bool,
    candidates: Vec<Vec<Tick>>,
) -> Vec<Tick> {
    let gap = 0.5 * f;
    let extents = |set: &[Tick]| -> Vec<(f64, f64, usize)> {
        set.iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let label = t.label.as_ref()?;
                let c = map.map(t.value)?;
                let half = if horizontal {
                    text_width(label, f) / 2.0
                } else {
                    (ASCENT + DESCENT) * f / 2.0
                };
                Some((c - half, c + half, i))
            })
            .collect()
    };
    let fits = |set: &[Tick]| {
        let mut e = extents(set);
        e.sort_by(|a, b| a.0.total_cmp(&b.0));
        e.windows(2).all(|w| w[0].1 + gap <= w[1].0)
    };
    if let Some(set) = candidates.iter().find(|s| fits(s)) {
        return set.clone();
    }
    let Some(mut set) = candidates.last().cloned() else {
        return vec![];
    };
    let mut e = extents(&set);
    e.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut end = f64::NEG_INFINITY;
    for (lo, hi, i) in e {
        if lo >= end + gap {
            end = hi;
        } else {
            set[i].label = None;
        }
    }
    set
}

/// Labels of marker lines inside the plot: vertical ones along the top or the bottom (up to
/// three rows each, either side of the line), horizontal ones at either end above or below
/// their line; spots clear of the data first. A label that would touch another text or the
/// legend wherever it went is left off and counted.
pub(super) fn place_marker_labels(fig: &Figure, out: &mut Layout, f: f64) {
    let size = 0.85 * f;
    let line_h = (ASCENT + DESCENT) * size;
    let p = out.plot;
    let samples = legend::drawn_samples(fig, out, f);
    let mut taken: Vec<Rect> = out.texts.iter().map(|t| t.bbox.grown(0.15 * f)).collect();
    taken.extend(out.legend);
    // A spot that leaves the data clear is preferred; one over the data will do.
    let mut place = |candidates: Vec<TextItem>, out: &mut Layout| -> bool {
        for clear_of_data in [true, false] {
            for t in &candidates {
                let ok = p.encloses(&t.bbox)
                    && !taken.iter().any(|r| r.intersects(&t.bbox))
                    && !(clear_of_data && samples.iter().any(|&s| t.bbox.contains(s)));
                if ok {
                    taken.push(t.bbox.grown(0.15 * f));
                    out.texts.push(t.clone());
                    return true;
                }
            }
        }
        false
    };
    for (x, label) in &fig.vlines {
        if label.is_empty() {
            continue;
        }
        let Some(px) = out.x.map(*x) else { continue };
        // Three rows along the top, then three along the bottom; right of the line, else left.
        let w = text_width(label, size);
        let tops: Vec<f64> = (0..3)
            .map(|row| p.y0 + 0.2 * f + row as f64 * line_h)
            .chain((1..4).map(|row| p.y1 - 0.2 * f - row as f64 * line_h))
            .collect();
        let candidates = tops
            .iter()
            .flat_map(|&top| {
                [
                    TextItem::at(label, size, px + 0.25 * f, top, Ink::Muted),
                    TextItem::at(label, size, px - 0.25 * f - w, top, Ink::Muted),
                ]
            })
            .collect();
        if !place(candidates, out) {
            out.dropped_labels += 1;
        }
    }
    for (y, label) in &fig.hlines {
        if label.is_empty() {
            continue;
        }
        let Some(py) = out.y.map(*y) else { continue };
        let w = text_width(label, size);
        let candidates = [py - 0.1 * f - line_h, py + 0.1 * f]
            .into_iter()
            .flat_map(|top| {
                [
                    TextItem::at(label, size, p.x1 - 0.3 * f - w, top, Ink::Muted),
                    TextItem::at(label, size, p.x0 + 0.3 * f, top, Ink::Muted),
                ]
            })
            .collect();
        if !place(candidates, out) {
            out.dropped_labels += 1;
        }
    }
}
