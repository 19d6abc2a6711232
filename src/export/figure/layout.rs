//! Where everything of one figure panel goes, as plain geometry in logical units (CSS pixels):
//! the plot rectangle, the axis maps, the ticks that survive thinning by measured label width,
//! every piece of text with its box, the legend (in the emptiest inside corner when one is
//! empty, else below the axes) and a heat map's colour bar. Text is measured with the bundled
//! DejaVu Sans, so the boxes are the ones a renderer draws; `tests` assert that no two overlap.

pub use super::geometry::{
    ASCENT, AxisMap, DESCENT, Entry, Ink, Layout, LegendEntry, Rect, TOP_TO_BASELINE, TextItem,
    text_width,
};
use super::labels::{choose_ticks, place_marker_labels, tick_labels, title_lines};
use super::legend;
use super::style::FigureStyle;
use super::ticks::{self, Tick};
use super::{Figure, Mark};

/// Lay a figure out in `canvas`; `panel_label` ("(a)") goes at the top left.
pub fn layout(
    fig: &Figure,
    style: &FigureStyle,
    canvas: Rect,
    panel_label: Option<&str>,
) -> Layout {
    layout_aligned(fig, style, canvas, panel_label, (0.0, 0.0), None)
}

/// [`layout`] with the plot box at least `margins.0` below the canvas top and `margins.1`
/// above its bottom: the panels of one row of a multi-panel figure share their plot boxes'
/// top and bottom edges. A legend below the axes spans `legend_span` (x from, to) when given
/// (the whole row, when this panel's legend names the series of all the row's panels), else
/// the canvas.
pub fn layout_aligned(
    fig: &Figure,
    style: &FigureStyle,
    canvas: Rect,
    panel_label: Option<&str>,
    margins: (f64, f64),
    legend_span: Option<(f64, f64)>,
) -> Layout {
    let (span_x0, span_x1) = legend_span.unwrap_or((canvas.x0, canvas.x1));
    let f = style.font_px();
    let (texts, top) = title_block(fig, f, canvas, panel_label);
    // Try the legend inside first; if every corner would cover data, reserve rows below.
    let mut entries = if fig.hide_legend {
        vec![]
    } else {
        legend::items(fig)
    };
    // Legend text is a tenth smaller than the tick labels.
    let lf = 0.9 * f;
    let row_h = 1.25 * (ASCENT + DESCENT) * lf;
    let mut legend_rows: Option<Vec<Vec<usize>>> = None;
    loop {
        let legend_h = legend_rows
            .as_ref()
            .map_or(0.0, |rows| rows.len() as f64 * row_h + 0.4 * lf);
        let mut out = axes(
            fig,
            f,
            canvas,
            top.max(canvas.y0 + margins.0),
            legend_h,
            margins.1,
        );
        if entries.is_empty()
            && !fig.y_categories.is_empty()
            && !fig
                .y_categories
                .iter()
                .all(|name| out.texts.iter().any(|t| &t.text == name))
        {
            // Named rows too close to name them all: the (hidden) legend names them instead.
            entries = legend::items(fig);
            if !entries.is_empty() {
                continue;
            }
        }
        out.texts.splice(0..0, texts.iter().cloned());
        colorbar(fig, f, &mut out);
        // The legend: inside when a corner is empty, else in rows below the axes.
        let pad = 0.5 * f;
        match &legend_rows {
            _ if entries.is_empty() => {}
            None => {
                let (w, h) = legend::size(&entries, lf);
                let plot = out.plot;
                // The legend is sized against the plot as this panel alone would have it
                // (a row's shared margin may already hold another panel's legend rows).
                let natural = if margins.1 > 0.0 {
                    axes(fig, f, canvas, plot.y0, 0.0, 0.0).plot.height()
                } else {
                    plot.height()
                };
                let fits = w < plot.width() * 0.75 && h < natural * 0.75;
                match fits
                    .then(|| legend::emptiest_corner(fig, &out, w, h, f))
                    .flatten()
                {
                    Some(r) => legend::place_column(&mut out, &entries, r, lf),
                    None => {
                        // As many rows as leave the plot 30 % of the panel's height.
                        let spare = natural - 0.3 * canvas.height();
                        let max_rows = ((spare - 0.4 * lf) / row_h).floor().max(1.0) as usize;
                        legend_rows = Some(legend::rows_of(
                            &entries,
                            lf,
                            span_x1 - span_x0 - 2.0 * pad,
                            max_rows,
                        ));
                        continue;
                    }
                }
            }
            Some(rows) => {
                let area = Rect::new(
                    span_x0 + pad,
                    canvas.y1 - pad - legend_h,
                    span_x1 - pad,
                    canvas.y1 - pad,
                );
                legend::place_rows(&mut out, &entries, rows, area, lf);
            }
        }
        place_marker_labels(fig, &mut out, f);
        return out;
    }
}

/// The panel label and the title (wrapped, centred right of the label); returns them and the
/// y where the plot may start.
fn title_block(
    fig: &Figure,
    f: f64,
    canvas: Rect,
    panel_label: Option<&str>,
) -> (Vec<TextItem>, f64) {
    let pad = 0.5 * f;
    let title_size = 1.15 * f;
    let mut texts = Vec::new();
    let mut top = canvas.y0 + pad;
    let label_w = panel_label.map_or(0.0, |l| text_width(l, title_size) + pad);
    if let Some(l) = panel_label {
        let mut t = TextItem::at(l, title_size, canvas.x0 + pad, top, Ink::Foreground);
        t.bold = true;
        texts.push(t);
    }
    let title_width = canvas.width() - 2.0 * pad - label_w;
    let (title_size, lines) = title_lines(&fig.title, title_size, f, title_width);
    for line in lines {
        texts.push(TextItem::centred(
            &line,
            title_size,
            (canvas.x0 + pad + label_w + canvas.x1 - pad) / 2.0,
            top,
            Ink::Foreground,
        ));
        top += (ASCENT + DESCENT + 0.12) * title_size;
    }
    if panel_label.is_some() && fig.title.is_empty() {
        top += (ASCENT + DESCENT) * title_size;
    }
    (texts, top + 0.6 * f)
}

/// Width a heat map's colour bar and its labels take right of the plot (0 without one).
fn colorbar_width(fig: &Figure, f: f64) -> f64 {
    fig.heatmap.as_ref().map_or(0.0, |h| {
        let m = h.scale();
        // Room for "≤ −m" on a shared scale.
        let prefix = if h.fixed_scale.is_some() { "≤ " } else { "" };
        let ends = if h.sequential {
            let (lo, hi) = h.span();
            let m = lo.abs().max(hi.abs());
            [colorbar_label(lo, m), colorbar_label(hi, m)]
        } else {
            [
                format!("{prefix}{}", colorbar_label(-m, m)),
                colorbar_label(m, m),
            ]
        };
        let widest = [ends[0].clone(), ends[1].clone(), h.label.clone()]
            .iter()
            .map(|s| text_width(s, f))
            .fold(0.0, f64::max);
        0.9 * f + 0.4 * f + widest + 0.5 * f
    })
}

/// The plot box between `top` and the x axis area (above `legend_h` of legend rows), its axis
/// maps, the ticks that fit and their labels, and the axis descriptions.
fn axes(fig: &Figure, f: f64, canvas: Rect, top: f64, legend_h: f64, bottom_margin: f64) -> Layout {
    let out = axes_within(fig, f, canvas, top, legend_h, bottom_margin, f64::INFINITY);
    let Some(h) = &fig.heatmap else {
        return out;
    };
    // A field keeps the plane's proportions: one unit of x as long as one of y.
    let ((x0, x1), (y0, y1)) = fig.ranges();
    let aspect = (x1 - x0).abs() / (y1 - y0).abs();
    if !aspect.is_finite() || aspect <= 0.0 || h.nx < 2 || h.ny < 2 {
        return out;
    }
    let p = out.plot;
    if p.width() < f || p.height() < f {
        // No room to keep proportions: the box as it is.
        return out;
    }
    if p.width() > p.height() * aspect {
        axes_within(
            fig,
            f,
            canvas,
            top,
            legend_h,
            bottom_margin,
            p.height() * aspect,
        )
    } else {
        // Too narrow: a shorter box, centred in the height it had.
        let d = p.height() - p.width() / aspect;
        axes_within(
            fig,
            f,
            canvas,
            p.y0 + d / 2.0,
            legend_h,
            (canvas.y1 - p.y1 + d / 2.0).max(bottom_margin),
            f64::INFINITY,
        )
    }
}

/// [`axes`] with the plot box at most `max_width` wide.
fn axes_within(
    fig: &Figure,
    f: f64,
    canvas: Rect,
    top: f64,
    legend_h: f64,
    bottom_margin: f64,
    max_width: f64,
) -> Layout {
    let pad = 0.5 * f;
    let line_h = (ASCENT + DESCENT) * f;
    let ((x_lo, x_hi), (y_lo, y_hi)) = fig.ranges();
    let x_area = line_h
        + 0.6 * f
        + if fig.x_label.is_empty() {
            0.0
        } else {
            line_h + 0.2 * f
        };
    let plot_bottom = (canvas.y1 - pad - x_area - legend_h).min(canvas.y1 - bottom_margin);
    let plot_top = top;
    // y ticks first (the height is known), then the left margin their labels need.
    let y_map = AxisMap {
        lo: y_lo,
        hi: y_hi,
        log: fig.y_log,
        at_lo: plot_bottom,
        at_hi: plot_top,
    };
    let y_ticks = if fig.y_categories.is_empty() {
        choose_ticks(&y_map, f, false, ticks::candidates(y_lo, y_hi, fig.y_log))
    } else {
        let n = fig.y_categories.len();
        let named = (0..n)
            .map(|k| Tick {
                value: (n - 1 - k) as f64,
                label: Some(fig.y_categories[k].clone()),
            })
            .collect();
        choose_ticks(&y_map, f, false, vec![named])
    };
    let y_label_w = y_ticks
        .iter()
        .filter_map(|t| t.label.as_ref())
        .map(|l| text_width(l, f))
        .fold(0.0, f64::max);
    let y_desc_w = if fig.y_label.is_empty() {
        0.0
    } else {
        line_h + 0.3 * f
    };
    let plot_left = canvas.x0 + pad + y_desc_w + y_label_w + 0.35 * f;
    // x tick labels may reach past the plot's right edge, up to the colour bar or the
    // canvas; shrink the plot until the outermost one fits.
    let label_limit = canvas.x1 - pad - colorbar_width(fig, f);
    let mut plot_right = (label_limit - 0.8 * f).min(plot_left + max_width);
    let (x_map, x_ticks) = loop {
        let (at_lo, at_hi) = if fig.x_reversed {
            (plot_right, plot_left)
        } else {
            (plot_left, plot_right)
        };
        let x_map = AxisMap {
            lo: x_lo,
            hi: x_hi,
            log: fig.x_log,
            at_lo,
            at_hi,
        };
        let x_candidates = if fig.x_categories.is_empty() {
            ticks::candidates(x_lo, x_hi, fig.x_log)
        } else {
            vec![
                fig.x_categories
                    .iter()
                    .enumerate()
                    .map(|(k, name)| Tick {
                        value: k as f64,
                        label: Some(name.clone()),
                    })
                    .collect(),
            ]
        };
        let x_ticks = choose_ticks(&x_map, f, true, x_candidates);
        let reach = x_ticks
            .iter()
            .filter_map(|t| Some(x_map.map(t.value)? + text_width(t.label.as_ref()?, f) / 2.0))
            .fold(f64::NEG_INFINITY, f64::max);
        if reach <= label_limit || plot_right - plot_left < 4.0 * f {
            break (x_map, x_ticks);
        }
        plot_right -= reach - label_limit + 0.01;
    };
    let mut out = Layout {
        canvas,
        plot: Rect::new(plot_left, plot_top, plot_right, plot_bottom),
        x: x_map,
        y: y_map,
        x_ticks: vec![],
        y_ticks: vec![],
        texts: vec![],
        legend: None,
        legend_entries: vec![],
        colorbar: None,
        dropped_labels: 0,
    };
    tick_labels(&mut out, &x_ticks, &y_ticks, f);
    // Axis descriptions.
    if !fig.x_label.is_empty() {
        out.texts.push(TextItem::centred(
            &fig.x_label,
            f,
            (plot_left + plot_right) / 2.0,
            plot_bottom + 0.6 * f + line_h + 0.2 * f,
            Ink::Foreground,
        ));
    }
    if !fig.y_label.is_empty() {
        out.texts.push(TextItem::upward(
            &fig.y_label,
            f,
            canvas.x0 + pad,
            (plot_top + plot_bottom) / 2.0,
            Ink::Foreground,
        ));
    }
    out
}

/// A heat map's colour bar right of the plot (where [`axes`] left room), its label above it.
fn colorbar(fig: &Figure, f: f64, out: &mut Layout) {
    let Some(h) = &fig.heatmap else { return };
    let line_h = (ASCENT + DESCENT) * f;
    let p = out.plot;
    let m = h.scale();
    // Beside the plot (a square field's box leaves room to its right).
    let left = (p.x1 + 0.8 * f).min(out.canvas.x1 - 0.5 * f - colorbar_width(fig, f) + 0.4 * f);
    let bar = Rect::new(left, p.y0 + line_h + 0.9 * f, left + 0.9 * f, p.y1);
    out.texts
        .push(TextItem::at(&h.label, f, bar.x0, p.y0, Ink::Foreground));
    // On a shared scale a field that goes beyond ±m says so: "≥ m" and "≤ −m" at the ends
    // (its values there take the end colours).
    let own = h
        .values
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |a, v| a.max(v.abs()));
    let clipped = own > m * (1.0 + 1e-6) && !h.sequential;
    let (lo, hi) = h.span();
    let (m, ends) = if h.sequential {
        (lo.abs().max(hi.abs()), [hi, (lo + hi) / 2.0, lo])
    } else {
        (m, [m, 0.0, -m])
    };
    for (v, y) in ends
        .into_iter()
        .zip([bar.y0, (bar.y0 + bar.y1) / 2.0, bar.y1])
    {
        let l = match (clipped, v.total_cmp(&0.0)) {
            (true, std::cmp::Ordering::Greater) => format!("≥ {}", colorbar_label(v, m)),
            (true, std::cmp::Ordering::Less) => format!("≤ {}", colorbar_label(v, m)),
            _ => colorbar_label(v, m),
        };
        let w = text_width(&l, f);
        out.texts.push(TextItem::right_of_centre(
            &l,
            f,
            bar.x1 + 0.4 * f + w,
            y,
            Ink::Foreground,
        ));
    }
    out.colorbar = Some((bar, m));
}

/// The colour bar's end and middle labels: three significant digits.
pub fn colorbar_label(v: f64, m: f64) -> String {
    if m <= 0.0 || !m.is_finite() {
        return ticks::format_value(v, 1.0);
    }
    // (m = 0.99999 reads "1.00", not "1.000".)
    let step = 10f64.powf((m * (1.0 + 5e-3)).log10().floor() - 2.0);
    ticks::format_value((v / step).round() * step, step)
}

/// The dash pattern (on, off, … in multiples of the line width) of the k-th line series in a
/// style that tells series apart by dashes; empty means solid.
pub fn dash_pattern(k: usize) -> &'static [f64] {
    const PATTERNS: [&[f64]; 5] = [
        &[],
        &[5.0, 2.5],
        &[1.0, 2.0],
        &[7.0, 2.0, 1.5, 2.0],
        &[11.0, 3.0],
    ];
    PATTERNS[k % PATTERNS.len()]
}

/// The pattern of exact and reference curves.
pub const REFERENCE_DASH: [f64; 2] = [3.5, 2.5];

/// The pattern of [`Mark::Dotted`] curves.
pub const DOTTED: [f64; 2] = [1.0, 1.8];

/// Whether a series is drawn as a line.
pub fn has_line(m: Mark) -> bool {
    matches!(
        m,
        Mark::Line | Mark::LineAndPoints | Mark::Reference | Mark::Dotted
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::fixtures::{gallery, styles};
    use super::*;

    fn canvas(style: &FigureStyle) -> Rect {
        let u = super::super::style::UNITS_PER_INCH;
        Rect::new(0.0, 0.0, style.width_in * u, style.height_in * u)
    }

    /// Every text box of a layout lies in its canvas and meets no other, nor the legend frame
    /// (its own entries aside).
    pub(crate) fn assert_no_collisions(l: &Layout, what: &str) {
        for (i, a) in l.texts.iter().enumerate() {
            assert!(
                l.canvas.encloses(&a.bbox),
                "{what}: `{}` leaves the canvas {:?} vs {:?}",
                a.text,
                a.bbox,
                l.canvas
            );
            for b in &l.texts[i + 1..] {
                assert!(
                    !a.bbox.intersects(&b.bbox),
                    "{what}: `{}` {:?} overlaps `{}` {:?}",
                    a.text,
                    a.bbox,
                    b.text,
                    b.bbox
                );
            }
            let in_legend = l.legend_entries.iter().any(|e| e.text == i);
            if let (Some(frame), false) = (l.legend, in_legend) {
                assert!(
                    !frame.intersects(&a.bbox),
                    "{what}: `{}` under the legend",
                    a.text
                );
            }
        }
    }

    #[test]
    fn no_two_labels_of_any_figure_kind_overlap() {
        for style in styles() {
            for fig in gallery() {
                let l = layout(&fig, &style, canvas(&style), None);
                assert_no_collisions(&l, &format!("{} ({:?})", fig.title, style.kind));
                let l = layout(&fig, &style, canvas(&style), Some("(b)"));
                assert_no_collisions(&l, &format!("{} (panel, {:?})", fig.title, style.kind));
                assert!(
                    l.plot.width() > 0.0 && l.plot.height() > 0.0,
                    "{} {:?}: plot {:?}",
                    fig.title,
                    style.kind,
                    l.plot
                );
            }
        }
    }

    #[test]
    fn the_legend_avoids_the_data_or_leaves_the_plot() {
        let style = FigureStyle::paper();
        for fig in gallery() {
            let l = layout(&fig, &style, canvas(&style), None);
            if let Some(frame) = l.legend {
                let inside = legend::drawn_samples(&fig, &l, style.font_px())
                    .into_iter()
                    .filter(|&p| frame.contains(p))
                    .count();
                assert_eq!(inside, 0, "{}: legend covers data", fig.title);
            }
            if fig.hide_legend {
                assert!(
                    l.legend_entries.is_empty(),
                    "{}: a hidden legend drawn",
                    fig.title
                );
                continue;
            }
            // Every labelled series has an entry, or the legend says how many it leaves out.
            let labelled = fig.series.iter().filter(|s| !s.label.is_empty()).count()
                + fig.bands.iter().filter(|b| !b.label.is_empty()).count();
            let more = l
                .texts
                .iter()
                .any(|t| t.text.contains("more (see the CSV)"));
            assert!(
                l.legend_entries.len() == labelled || more,
                "{}: {} of {labelled}",
                fig.title,
                l.legend_entries.len()
            );
        }
    }

    #[test]
    fn fields_keep_their_proportions_and_named_rows_keep_every_name() {
        for style in styles() {
            for fig in gallery() {
                let l = layout(&fig, &style, canvas(&style), None);
                if fig.heatmap.is_some() {
                    // The gallery's field spans [−1, 1]²: a square box.
                    let (w, h) = (l.plot.width(), l.plot.height());
                    assert!((w - h).abs() < 0.02 * h, "{:?}: {w} × {h}", style.kind);
                }
                for name in &fig.y_categories {
                    // Rows too close to be named get legend entries instead (or, where not
                    // even those fit, the note that sends the reader to the CSV).
                    assert!(
                        l.texts.iter().any(|t| &t.text == name)
                            || !l.legend_entries.is_empty()
                            || l.texts
                                .iter()
                                .any(|t| t.text.contains("more (see the CSV)")),
                        "{:?}: row `{name}` lost its name: {:?} {:?}",
                        style.kind,
                        l.plot,
                        l.texts
                            .iter()
                            .map(|t| (&t.text, t.bbox))
                            .collect::<Vec<_>>()
                    );
                }
            }
        }
    }

    #[test]
    fn a_field_beyond_its_shared_scale_says_it_is_clipped() {
        let mut fig = gallery()[6].clone();
        let style = FigureStyle::paper();
        let label = |fig: &Figure| {
            let l = layout(fig, &style, canvas(&style), None);
            l.texts.iter().any(|t| t.text.starts_with("≥ "))
                && l.texts.iter().any(|t| t.text.starts_with("≤ −"))
        };
        assert!(!label(&fig));
        fig.heatmap.as_mut().unwrap().fixed_scale = Some(0.5);
        assert!(label(&fig));
        fig.heatmap.as_mut().unwrap().fixed_scale = Some(2.0);
        assert!(!label(&fig));
    }

    #[test]
    fn the_close_ticks_of_the_l2re_figure_do_not_print_on_each_other() {
        let fig = Figure::new("l2re", "ε", "L2RE")
            .log_x()
            .log_y()
            .with_series(
                "a",
                vec![(0.1, 1e-3), (0.09, 2e-3), (0.01, 1e-2)],
                Mark::Line,
            );
        let style = FigureStyle::paper();
        let l = layout(&fig, &style, canvas(&style), None);
        let labels: Vec<&str> = l.texts.iter().map(|t| t.text.as_str()).collect();
        assert!(!labels.iter().any(|t| t.contains("-0")), "{labels:?}");
        assert_no_collisions(&l, "l2re");
        assert!(l.x_ticks.iter().filter(|t| t.1).count() >= 2);
    }
}
