//! Drawing laid-out figures with plotters: SVG on a logical grid [`SUBPIXEL`] times finer than
//! the figure's units (the root element's size in inches and its viewBox keep the sub-pixel
//! precision). A multi-panel figure is the same drawing repeated over a grid of panels with
//! (a), (b), … labels. [`super::files`] turns the SVG into PNG and PDF and writes files.

use anyhow::{Result, anyhow, bail};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{
    ASCENT, Entry, Ink, Layout, REFERENCE_DASH, Rect, TOP_TO_BASELINE, dash_pattern, has_line,
    layout, layout_aligned,
};
use super::polyline::{clip, dashed};
use super::style::{FigureStyle, UNITS_PER_INCH};
use super::{Figure, Mark};

/// Logical units are drawn on a grid this many times finer (plotters works in whole units).
pub const SUBPIXEL: f64 = 20.0;

/// The figures of one file: one panel, or several on a grid of `cols` columns.
pub fn render_svg(figs: &[&Figure], cols: usize, style: &FigureStyle) -> Result<String> {
    style.check().map_err(|e| anyhow!(e))?;
    if figs.is_empty() {
        bail!("no figure to draw");
    }
    super::register_font();
    let (rows, cols) = style.panel_grid(figs.len(), cols);
    let (w_in, h_in) = style.page_in(rows, cols);
    let panel_style = style.panel_style(rows, cols);
    let (w, h) = (w_in * UNITS_PER_INCH, h_in * UNITS_PER_INCH);
    let size = ((w * SUBPIXEL).round() as u32, (h * SUBPIXEL).round() as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&rgb(style.background()))
            .map_err(|e| anyhow!("{e}"))?;
        for (fig, l) in figs
            .iter()
            .zip(panel_layouts(figs, cols, &panel_style, (w, h)))
        {
            draw(&root, fig, &l, &panel_style)?;
        }
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    // The page in inches; the viewBox keeps the fine grid.
    let header = format!("width=\"{}\" height=\"{}\"", size.0, size.1);
    let sized = format!("width=\"{w_in}in\" height=\"{h_in}in\"");
    Ok(super::markup::svg_subscripts(
        &svg.replacen(&header, &sized, 1),
    ))
}

/// The layouts of `figs` on a grid of `cols` columns over a page of `w × h` units. First each
/// panel alone; then every panel of a row takes the row's deepest top and bottom margins, so
/// the plot boxes line up.
pub fn panel_layouts(
    figs: &[&Figure],
    cols: usize,
    style: &FigureStyle,
    (w, h): (f64, f64),
) -> Vec<Layout> {
    let rows = figs.len().div_ceil(cols.max(1));
    let (pw, ph) = (w / cols as f64, h / rows as f64);
    let canvas = |k: usize| {
        let (r, c) = (k / cols, k % cols);
        Rect::new(
            c as f64 * pw,
            r as f64 * ph,
            (c + 1) as f64 * pw,
            (r + 1) as f64 * ph,
        )
    };
    if figs.len() == 1 {
        return vec![layout(figs[0], style, canvas(0), None)];
    }
    let label = |k: usize| Some(panel_label(k));
    // A row whose only legend is one panel's (the others hide theirs: it names their series
    // too) lays that legend out across the whole row.
    let spans: Vec<Option<(f64, f64)>> = (0..figs.len())
        .map(|k| {
            let row = (k / cols) * cols..((k / cols + 1) * cols).min(figs.len());
            let with_legend =
                |j: usize| !figs[j].hide_legend && !super::legend::items(figs[j]).is_empty();
            let alone = with_legend(k) && row.clone().filter(|&j| with_legend(j)).count() == 1;
            let last = canvas(row.end - 1);
            (alone && row.len() > 1).then(|| (canvas(row.start).x0, last.x1))
        })
        .collect();
    // Heat maps (square boxes, centred) line up with each other, curves with curves, so a
    // field's shorter box does not shrink the curves beside it.
    let group = |k: usize| (k / cols, figs[k].heatmap.is_some() as usize);
    let mut margins = vec![[(0.0f64, 0.0f64); 2]; rows];
    for (k, fig) in figs.iter().enumerate() {
        let c = canvas(k);
        let l = layout_aligned(fig, style, c, label(k).as_deref(), (0.0, 0.0), spans[k]);
        let (r, g) = group(k);
        let m = &mut margins[r][g];
        m.0 = m.0.max(l.plot.y0 - c.y0);
        m.1 = m.1.max(c.y1 - l.plot.y1);
    }
    // A row's legend spanning the row sits in every panel's bottom margin.
    for (k, span) in spans.iter().enumerate() {
        if span.is_some() {
            let (r, g) = group(k);
            let shared = margins[r][g].1;
            for m in &mut margins[r] {
                m.1 = m.1.max(shared);
            }
        }
    }
    figs.iter()
        .enumerate()
        .map(|(k, fig)| {
            layout_aligned(
                fig,
                style,
                canvas(k),
                label(k).as_deref(),
                {
                    let (r, g) = group(k);
                    margins[r][g]
                },
                spans[k],
            )
        })
        .collect()
}

/// "(a)", "(b)", …
pub fn panel_label(k: usize) -> String {
    let letter = (b'a' + (k % 26) as u8) as char;
    format!("({letter})")
}

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// Logical → backend coordinate.
fn at(x: f64, y: f64) -> (i32, i32) {
    ((x * SUBPIXEL).round() as i32, (y * SUBPIXEL).round() as i32)
}

fn width(px: f64) -> u32 {
    (px * SUBPIXEL).round().max(1.0) as u32
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn stroke(root: &Area, pts: &[(f64, f64)], color: RGBColor, w: f64, pattern: &[f64]) -> Result<()> {
    let scaled: Vec<f64> = pattern.iter().map(|p| p * w).collect();
    for piece in dashed(pts, &scaled) {
        let coords: Vec<(i32, i32)> = piece.iter().map(|&(x, y)| at(x, y)).collect();
        root.draw(&PathElement::new(coords, color.stroke_width(width(w))))
            .map_err(|e| anyhow!("{e}"))?;
    }
    Ok(())
}

/// A rectangle's edge as a closed polyline.
fn outline(r: Rect) -> [(f64, f64); 5] {
    [
        (r.x0, r.y0),
        (r.x1, r.y0),
        (r.x1, r.y1),
        (r.x0, r.y1),
        (r.x0, r.y0),
    ]
}

fn fill_rect(root: &Area, r: Rect, style: ShapeStyle) -> Result<()> {
    root.draw(&Rectangle::new([at(r.x0, r.y0), at(r.x1, r.y1)], style))
        .map_err(|e| anyhow!("{e}"))
}

/// Draw one laid-out panel: grid, data, frame, legend, then every text on top.
fn draw(root: &Area, fig: &Figure, l: &Layout, style: &FigureStyle) -> Result<()> {
    let grid = rgb(style.grid());
    let p = l.plot;
    for &(x, labelled) in &l.x_ticks {
        if labelled {
            stroke(root, &[(x, p.y0), (x, p.y1)], grid, 0.6, &[])?;
        }
    }
    for &(y, labelled) in &l.y_ticks {
        if labelled {
            stroke(root, &[(p.x0, y), (p.x1, y)], grid, 0.6, &[])?;
        }
    }
    draw_field(root, fig, l)?;
    draw_bands_and_markers(root, fig, l, style)?;
    draw_series(root, fig, l, style)?;
    draw_frame(root, fig, l, style)?;
    draw_legend(root, fig, l, style)?;
    draw_texts(root, l, style)
}

/// A heat map's cells.
fn draw_field(root: &Area, fig: &Figure, l: &Layout) -> Result<()> {
    let Some(h) = &fig.heatmap else {
        return Ok(());
    };
    let p = l.plot;
    let color = h.colors();
    for (k, &v) in h.values.iter().enumerate() {
        let ((x0, y0), (x1, y1)) = h.cell(k % h.nx, k / h.nx);
        let (Some(a), Some(b), Some(c), Some(d)) =
            (l.x.map(x0), l.y.map(y0), l.x.map(x1), l.y.map(y1))
        else {
            continue;
        };
        // Cells overlap by a hair so no seam shows between them.
        let r = Rect::new(
            (a.min(c) - 0.3).max(p.x0),
            (b.min(d) - 0.3).max(p.y0),
            (a.max(c) + 0.3).min(p.x1),
            (b.max(d) + 0.3).min(p.y1),
        );
        fill_rect(root, r, rgb(color(v)).filled())?;
    }
    Ok(())
}

/// Shaded bands, then the horizontal (dashed) and vertical marker lines.
fn draw_bands_and_markers(
    root: &Area,
    fig: &Figure,
    l: &Layout,
    style: &FigureStyle,
) -> Result<()> {
    let p = l.plot;
    for b in &fig.bands {
        let mut poly: Vec<(i32, i32)> = Vec::new();
        let upper = b.x.iter().zip(&b.upper);
        let lower = b.x.iter().zip(&b.lower).rev();
        for (&x, &y) in upper.chain(lower) {
            if let (Some(px), Some(py)) = (l.x.map(x), l.y.map(y)) {
                poly.push(at(px, py));
            }
        }
        root.draw(&Polygon::new(poly, rgb(b.color).mix(0.2).filled()))
            .map_err(|e| anyhow!("{e}"))?;
    }
    for (y, _) in &fig.hlines {
        if let Some(py) = l.y.map(*y).filter(|py| *py >= p.y0 && *py <= p.y1) {
            let muted = rgb(style.muted());
            stroke(root, &[(p.x0, py), (p.x1, py)], muted, 0.8, &[4.0, 3.0])?;
        }
    }
    for (x, _) in &fig.vlines {
        if let Some(px) =
            l.x.map(*x)
                .filter(|px| *px >= p.x0.min(p.x1) && *px <= p.x1)
        {
            let marker = rgb(style.marker());
            stroke(root, &[(px, p.y0), (px, p.y1)], marker, 0.6, &[])?;
        }
    }
    Ok(())
}

/// Each series' colour and dash pattern, by series index (patterns are handed out in drawing
/// order: ordinary series first, then the reference curves).
fn looks(fig: &Figure, style: &FigureStyle) -> Vec<(RGBColor, &'static [f64])> {
    let mut out = vec![(RGBColor(0, 0, 0), &[][..]); fig.series.len()];
    let mut line_index = 0;
    for i in drawing_order(fig) {
        let s = &fig.series[i];
        out[i] = series_look(s.mark, s.color, style, &mut line_index);
    }
    out
}

/// Series indices, ordinary series first and exact/reference curves last (on top).
fn drawing_order(fig: &Figure) -> Vec<usize> {
    let is_ref = |i: &usize| fig.series[*i].mark == Mark::Reference;
    let (refs, plain): (Vec<usize>, Vec<usize>) = (0..fig.series.len()).partition(is_ref);
    plain.into_iter().chain(refs).collect()
}

/// The data curves and points.
fn draw_series(root: &Area, fig: &Figure, l: &Layout, style: &FigureStyle) -> Result<()> {
    let looks = looks(fig, style);
    let lw = style.line_px();
    for i in drawing_order(fig) {
        let s = &fig.series[i];
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter_map(|&(x, y)| Some((l.x.map(x)?, l.y.map(y)?)))
            .collect();
        let (color, pattern) = looks[i];
        if has_line(s.mark) && pts.len() > 1 {
            let w = if s.mark == Mark::Reference {
                lw * 1.1
            } else {
                lw
            };
            for piece in clip(&pts, l.plot) {
                stroke(root, &piece, color, w, pattern)?;
            }
        }
        if matches!(s.mark, Mark::Points | Mark::LineAndPoints) {
            let r = if s.mark == Mark::Points {
                1.1 * lw
            } else {
                1.5 * lw
            };
            for &(x, y) in pts.iter().filter(|&&p| l.plot.contains(p)) {
                root.draw(&Circle::new(at(x, y), width(r), color.filled()))
                    .map_err(|e| anyhow!("{e}"))?;
            }
        }
    }
    Ok(())
}

/// The plot's frame, tick marks and a heat map's colour bar.
fn draw_frame(root: &Area, fig: &Figure, l: &Layout, style: &FigureStyle) -> Result<()> {
    let f = style.font_px();
    let fore = rgb(style.foreground());
    let p = l.plot;
    stroke(root, &outline(p), fore, 0.8, &[])?;
    for &(x, labelled) in &l.x_ticks {
        let len = if labelled { 0.3 * f } else { 0.17 * f };
        stroke(root, &[(x, p.y1), (x, p.y1 + len)], fore, 0.8, &[])?;
    }
    for &(y, labelled) in &l.y_ticks {
        let len = if labelled { 0.3 * f } else { 0.17 * f };
        stroke(root, &[(p.x0 - len, y), (p.x0, y)], fore, 0.8, &[])?;
    }
    if let Some((bar, _)) = l.colorbar
        && let Some(h) = &fig.heatmap
    {
        let n = 64;
        let (lo, hi) = h.span();
        let scale = h.colors();
        for i in 0..n {
            let t0 = bar.y0 + bar.height() * i as f64 / n as f64;
            let t1 = bar.y0 + bar.height() * (i + 1) as f64 / n as f64 + 0.3;
            let color = if h.sequential {
                scale(hi - (hi - lo) * (i as f64 + 0.5) / n as f64)
            } else {
                h.color(1.0 - 2.0 * (i as f64 + 0.5) / n as f64, 1.0)
            };
            fill_rect(
                root,
                Rect::new(bar.x0, t0, bar.x1, t1.min(bar.y1)),
                rgb(color).filled(),
            )?;
        }
        stroke(root, &outline(bar), fore, 0.6, &[])?;
    }
    Ok(())
}

/// The legend's frame (inside placement) and each entry's sample, drawn as [`draw_series`]
/// draws the series.
fn draw_legend(root: &Area, fig: &Figure, l: &Layout, style: &FigureStyle) -> Result<()> {
    let looks = looks(fig, style);
    let f = style.font_px();
    let lw = style.line_px();
    if let Some(r) = l.legend {
        fill_rect(root, r, rgb(style.background()).mix(0.9).filled())?;
        stroke(root, &outline(r), rgb(style.muted()), 0.6, &[])?;
    }
    for e in &l.legend_entries {
        let r = e.sample;
        let mid = (r.y0 + r.y1) / 2.0;
        match e.what {
            Entry::Band(i) => fill_rect(
                root,
                Rect::new(r.x0, mid - 0.3 * f, r.x1, mid + 0.3 * f),
                rgb(fig.bands[i].color).mix(0.35).filled(),
            )?,
            Entry::Series(i) => {
                let s = &fig.series[i];
                let (color, pattern) = looks[i];
                if has_line(s.mark) {
                    stroke(root, &[(r.x0, mid), (r.x1, mid)], color, lw, pattern)?;
                }
                if matches!(s.mark, Mark::Points | Mark::LineAndPoints) {
                    root.draw(&Circle::new(
                        at((r.x0 + r.x1) / 2.0, mid),
                        width(1.5 * lw),
                        color.filled(),
                    ))
                    .map_err(|e| anyhow!("{e}"))?;
                }
            }
        }
    }
    Ok(())
}

/// Every text of the layout.
fn draw_texts(root: &Area, l: &Layout, style: &FigureStyle) -> Result<()> {
    for t in &l.texts {
        let color = match t.ink {
            Ink::Foreground => rgb(style.foreground()),
            Ink::Muted => rgb(style.muted()),
        };
        // plotters' SVG writer divides the size by 1.24 and puts the baseline 0.76 em below
        // a top-anchored y.
        let font = ("sans-serif", t.size * SUBPIXEL * 1.24).into_font();
        let (x, y, pos, font) = if t.rotated {
            (
                t.bbox.x0 + (ASCENT - TOP_TO_BASELINE) * t.size,
                (t.bbox.y0 + t.bbox.y1) / 2.0,
                Pos::new(HPos::Center, VPos::Top),
                font.transform(FontTransform::Rotate270),
            )
        } else {
            (
                t.bbox.x0,
                t.bbox.y0 + (ASCENT - TOP_TO_BASELINE) * t.size,
                Pos::new(HPos::Left, VPos::Top),
                font,
            )
        };
        let style = TextStyle::from(font).color(&color).pos(pos);
        root.draw(&Text::new(t.text.clone(), at(x, y), style))
            .map_err(|e| anyhow!("{e}"))?;
    }
    Ok(())
}

/// A series' colour and dash pattern: reference curves in the style's reference colour and
/// dashed; line series in paper style each with their own pattern after the first.
fn series_look(
    mark: Mark,
    color: (u8, u8, u8),
    style: &FigureStyle,
    line_index: &mut usize,
) -> (RGBColor, &'static [f64]) {
    // On the curves that judge the others (exact and reference, dashed or dotted) black
    // stands for the foreground, so they read on a dark slide too.
    let judge = matches!(mark, Mark::Reference | Mark::Dotted) && color == (0, 0, 0);
    let color = if judge { style.reference() } else { color };
    match mark {
        Mark::Reference => return (rgb(color), &REFERENCE_DASH),
        Mark::Dotted => return (rgb(color), &super::layout::DOTTED),
        _ => {}
    }
    if !has_line(mark) {
        return (rgb(color), &[]);
    }
    // A palette colour brings its own pattern, so a method keeps colour and dashes in every
    // panel; other colours take the next pattern in drawing order.
    let k = match super::PALETTE.iter().position(|&c| c == color) {
        Some(k) => k,
        None => {
            *line_index += 1;
            *line_index - 1
        }
    };
    let pattern = if style.dashes() { dash_pattern(k) } else { &[] };
    (rgb(color), pattern)
}

#[cfg(test)]
mod tests {
    use super::super::files::{svg_to_png, write_file};
    use super::super::fixtures::{gallery, styles};
    use super::*;

    /// The numbers of every `points="…"` list, in figure units.
    fn polyline_points(svg: &str) -> Vec<(f64, f64)> {
        svg.split("points=\"")
            .skip(1)
            .flat_map(|rest| {
                let list = rest.split('"').next().unwrap_or("");
                list.split_whitespace()
                    .map(|pt| {
                        let (x, y) = pt.split_once(',').expect("x,y");
                        (
                            x.parse::<f64>().unwrap() / SUBPIXEL,
                            y.parse::<f64>().unwrap() / SUBPIXEL,
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn steep_curves_keep_sub_pixel_coordinates() {
        let fig = &gallery()[0];
        let svg = render_svg(&[fig], 1, &FigureStyle::paper()).unwrap();
        assert!(svg.contains("width=\"3.3in\""), "{}", &svg[..200]);
        let vb: Vec<f64> = svg
            .split("viewBox=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        // viewBox units per figure unit.
        assert!((vb[2] / (3.3 * UNITS_PER_INCH) - SUBPIXEL).abs() < 0.01);
        let pts = polyline_points(&svg);
        assert!(pts.len() > 200);
        assert!(pts.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
        let off_lattice = pts
            .iter()
            .filter(|p| p.0.fract().abs() > 1e-9 || p.1.fract().abs() > 1e-9)
            .count();
        assert!(
            off_lattice > pts.len() / 2,
            "{off_lattice} of {} points off the whole-pixel lattice",
            pts.len()
        );
    }

    #[test]
    fn the_panels_of_a_row_line_up_and_keep_their_whole_legend() {
        let g = gallery();
        let (mut b, mut c) = (g[0].clone(), g[1].clone());
        b.hide_legend = true;
        c.hide_legend = true;
        let style = FigureStyle::paper();
        let (w, h) = style.page_in(1, 3);
        let u = UNITS_PER_INCH;
        let ls = panel_layouts(&[&g[0], &b, &c], 3, &style, (w * u, h * u));
        assert_eq!(ls.len(), 3);
        for l in &ls {
            assert!((l.plot.y1 - ls[0].plot.y1).abs() < 1e-9, "bottoms differ");
            assert!((l.plot.y0 - ls[0].plot.y0).abs() < 1e-9, "tops differ");
        }
        // (a) names all four curves for the three panels.
        assert_eq!(ls[0].legend_entries.len(), g[0].series.len());
        assert!(ls[1].legend_entries.is_empty());
    }

    #[test]
    fn every_kind_renders_to_svg_png_and_pdf_in_every_style() {
        let dir = tempfile::tempdir().unwrap();
        let figs = gallery();
        for (s, style) in styles().iter().enumerate() {
            for (i, fig) in figs.iter().enumerate() {
                let svg = render_svg(&[fig], 1, style).unwrap();
                assert!(
                    svg.contains("<svg") && !svg.contains("NaN"),
                    "{}",
                    fig.title
                );
                if i % 3 == 0 {
                    let png = svg_to_png(&svg, 96).unwrap();
                    assert_eq!(&png[1..4], b"PNG");
                }
            }
            let refs: Vec<&Figure> = figs.iter().take(4).collect();
            let path = dir.path().join(format!("panels{s}.pdf"));
            write_file(&refs, 2, style, &path).unwrap();
            let pdf = std::fs::read(&path).unwrap();
            assert!(pdf.starts_with(b"%PDF"));
            // The font travels with the file.
            assert!(
                pdf.windows(8).any(|w| w == b"FontFile")
                    || pdf.windows(9).any(|w| w == b"FontFile2"),
                "no embedded font"
            );
        }
        // HX_FIGURE_DUMP=<folder> keeps every kind in every style as PNG and PDF to look at.
        if let Ok(folder) = std::env::var("HX_FIGURE_DUMP") {
            let folder = std::path::PathBuf::from(folder);
            std::fs::create_dir_all(&folder).unwrap();
            for (s, style) in styles().iter().enumerate() {
                for (i, fig) in figs.iter().enumerate() {
                    for ext in ["png", "pdf"] {
                        let name = format!("style{s}_{i}_{}.{ext}", fig.file_stem());
                        write_file(&[fig], 1, style, &folder.join(name)).unwrap();
                    }
                }
                let refs: Vec<&Figure> = figs.iter().take(6).collect();
                write_file(
                    &refs,
                    3,
                    style,
                    &folder.join(format!("style{s}_panels.png")),
                )
                .unwrap();
            }
        }
        let bad = write_file(
            &[&figs[0]],
            1,
            &FigureStyle::paper(),
            &dir.path().join("f.jpg"),
        );
        assert!(bad.unwrap_err().to_string().contains(".svg, .png or .pdf"));
    }

    #[test]
    fn png_is_antialiased_at_the_asked_resolution() {
        let svg = render_svg(&[&gallery()[1]], 1, &FigureStyle::paper()).unwrap();
        let png = svg_to_png(&svg, 200).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, (3.3f64 * 200.0).round() as u32);
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        // Antialiasing leaves many distinct grey levels, not just the palette's colours.
        let levels: std::collections::BTreeSet<[u8; 3]> =
            buf.chunks(4).map(|p| [p[0], p[1], p[2]]).collect();
        assert!(levels.len() > 100, "{} colours", levels.len());
    }
}
