//! The legend of one panel: its entries (labelled series and bands, each label worked out
//! once, "(off scale)" for a curve that leaves the y axis), its size, the emptiest inside
//! corner for it, and its placement there or in rows below the axes (labels cut with "…" to
//! their row, "+ N more (see the CSV)" when the rows run out). Used by [`super::layout`].

use super::Figure;
use super::geometry::{
    ASCENT, DESCENT, Entry, Ink, Layout, LegendEntry, Rect, TextItem, text_width,
};

/// One legend entry and its text.
pub struct Item {
    pub what: Entry,
    pub label: String,
}

/// The labelled bands, then the labelled series; a curve with points outside the y range is
/// marked "(off scale)".
pub fn items(fig: &Figure) -> Vec<Item> {
    let y = fig.ranges().1;
    let bands = (0..fig.bands.len())
        .filter(|&i| !fig.bands[i].label.is_empty())
        .map(|i| Item {
            what: Entry::Band(i),
            label: fig.bands[i].label.clone(),
        });
    let series = (0..fig.series.len())
        .filter(|&i| !fig.series[i].label.is_empty())
        .map(|i| Item {
            what: Entry::Series(i),
            label: if fig.off_scale(i, y) {
                format!("{} (off scale)", fig.series[i].label)
            } else {
                fig.series[i].label.clone()
            },
        });
    bands.chain(series).collect()
}

/// Width of an entry's sample, in ems.
const SAMPLE_EM: f64 = 2.2;

fn width(item: &Item, f: f64) -> f64 {
    SAMPLE_EM * f + 0.4 * f + text_width(&item.label, f)
}

/// `text` cut with "…" to at most `width` (whole when it fits).
fn ellipsize(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(&cut, size) <= width {
            return cut;
        }
    }
    "…".into()
}

/// Width and height of the legend as one framed column.
pub fn size(items: &[Item], f: f64) -> (f64, f64) {
    let line_h = (ASCENT + DESCENT) * f;
    let w = items.iter().map(|i| width(i, f)).fold(0.0, f64::max);
    (w + 0.8 * f, items.len() as f64 * 1.1 * line_h + 0.5 * f)
}

/// The first inside corner (legend-sized) that covers no drawn point, if any.
pub fn emptiest_corner(fig: &Figure, out: &Layout, w: f64, h: f64, f: f64) -> Option<Rect> {
    if fig.heatmap.is_some() {
        return None;
    }
    let p = out.plot;
    let m = 0.3 * f;
    let corners = [
        Rect::new(p.x1 - m - w, p.y0 + m, p.x1 - m, p.y0 + m + h),
        Rect::new(p.x0 + m, p.y0 + m, p.x0 + m + w, p.y0 + m + h),
        Rect::new(p.x1 - m - w, p.y1 - m - h, p.x1 - m, p.y1 - m),
        Rect::new(p.x0 + m, p.y1 - m - h, p.x0 + m + w, p.y1 - m),
    ];
    let samples = drawn_samples(fig, out, f);
    corners
        .into_iter()
        .find(|r| !samples.iter().any(|&s| r.grown(0.3 * f).contains(s)))
}

/// Points along every drawn curve and band edge, at most half an em apart.
pub fn drawn_samples(fig: &Figure, out: &Layout, f: f64) -> Vec<(f64, f64)> {
    let mut curves: Vec<Vec<(f64, f64)>> = fig.series.iter().map(|s| s.points.clone()).collect();
    for b in &fig.bands {
        curves.push(b.x.iter().copied().zip(b.lower.iter().copied()).collect());
        curves.push(b.x.iter().copied().zip(b.upper.iter().copied()).collect());
    }
    let mut pts = Vec::new();
    for c in curves {
        let mapped: Vec<(f64, f64)> = c
            .iter()
            .filter_map(|&(x, y)| Some((out.x.map(x)?, out.y.map(y)?)))
            .collect();
        for w in mapped.windows(2) {
            let (a, b) = (w[0], w[1]);
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let n = ((len / (0.5 * f)).ceil() as usize).clamp(1, 400);
            for k in 0..n {
                let t = k as f64 / n as f64;
                pts.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
            }
        }
        if let Some(&last) = mapped.last() {
            pts.push(last);
        }
    }
    pts
}

/// One entry with its sample's top-left corner at `(x, y)` and its text beside it; a label
/// longer than `max_w` (the row it sits in) is cut with "…" (the CSV keeps it whole).
fn push(out: &mut Layout, item: &Item, (x, y): (f64, f64), f: f64, max_w: f64) {
    let line_h = (ASCENT + DESCENT) * f;
    let label = ellipsize(&item.label, f, max_w - SAMPLE_EM * f - 0.4 * f);
    out.texts.push(TextItem::at(
        &label,
        f,
        x + SAMPLE_EM * f + 0.4 * f,
        y,
        Ink::Foreground,
    ));
    out.legend_entries.push(LegendEntry {
        what: item.what,
        sample: Rect::new(x, y, x + SAMPLE_EM * f, y + line_h),
        text: out.texts.len() - 1,
    });
}

/// The legend as a framed column in `r` (inside the plot).
pub fn place_column(out: &mut Layout, items: &[Item], r: Rect, f: f64) {
    let line_h = (ASCENT + DESCENT) * f;
    let mut y = r.y0 + 0.25 * f;
    for item in items {
        push(out, item, (r.x0 + 0.4 * f, y), f, f64::INFINITY);
        y += 1.1 * line_h;
    }
    out.legend = Some(r);
}

/// Item indices flowed left to right in rows of `row_width`, at most `max_rows` rows; when
/// some are left over, the last row ends in room for a "+ N more" note.
pub fn rows_of(items: &[Item], f: f64, row_width: f64, max_rows: usize) -> Vec<Vec<usize>> {
    let w = |k: &usize| width(&items[*k], f).min(row_width) + f;
    let mut rows: Vec<Vec<usize>> = vec![];
    let mut used = f64::INFINITY;
    for k in 0..items.len() {
        if used + w(&k) > row_width {
            rows.push(vec![]);
            used = 0.0;
        }
        rows.last_mut().expect("a row").push(k);
        used += w(&k);
    }
    if rows.len() > max_rows {
        rows.truncate(max_rows.max(1));
        loop {
            let shown: usize = rows.iter().map(Vec::len).sum();
            let more = more_note(items.len() - shown);
            let last = rows.last().expect("a row");
            let used: f64 = last.iter().map(w).sum();
            if used + text_width(&more, f) <= row_width || last.is_empty() {
                break;
            }
            rows.last_mut().expect("a row").pop();
        }
    }
    rows
}

fn more_note(n: usize) -> String {
    format!("+ {n} more (see the CSV)")
}

/// The rows of [`rows_of`], each centred in `area` (below the axes).
pub fn place_rows(out: &mut Layout, items: &[Item], rows: &[Vec<usize>], area: Rect, f: f64) {
    let line_h = (ASCENT + DESCENT) * f;
    let shown: usize = rows.iter().map(Vec::len).sum();
    let w = |k: usize| width(&items[k], f).min(area.width());
    let mut y = area.y0 + 0.4 * f;
    for (r, row) in rows.iter().enumerate() {
        let more =
            (r + 1 == rows.len() && shown < items.len()).then(|| more_note(items.len() - shown));
        let row_w: f64 = row.iter().map(|&k| w(k) + f).sum::<f64>()
            + more.as_ref().map_or(-f, |m| text_width(m, f));
        let mut x = (area.x0 + area.x1) / 2.0 - row_w / 2.0;
        for &k in row {
            push(out, &items[k], (x, y), f, area.width());
            x += w(k) + f;
        }
        if let Some(m) = more {
            out.texts.push(TextItem::at(&m, f, x, y, Ink::Muted));
        }
        y += 1.25 * line_h;
    }
    out.legend = None;
}
