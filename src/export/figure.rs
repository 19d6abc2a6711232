//! Figures as data ([`Figure`]: series, axes, markers, bands) rendered to SVG (vector) and PNG
//! with plotters. The same description feeds the reproduction reports and, later, the GUI's
//! figure export, so a saved figure shows exactly the data and labels of the plot.

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The sans-serif font bundled in `assets/` (DejaVu Sans), used for every figure.
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is valid; a failure here would only drop text from figures.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Line,
    Points,
    LineAndPoints,
}

/// One named data series.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub mark: Mark,
    /// RGB colour.
    pub color: (u8, u8, u8),
}

/// A shaded band between two curves over the same x values.
#[derive(Clone, Debug)]
pub struct Band {
    pub label: String,
    pub x: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub color: (u8, u8, u8),
}

/// A 2-D line/scatter figure.
#[derive(Clone, Debug, Default)]
pub struct Figure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_log: bool,
    pub y_log: bool,
    pub series: Vec<Series>,
    /// Vertical markers at x with a label (empty labels draw unlabelled lines).
    pub vlines: Vec<(f64, String)>,
    /// Horizontal reference lines at y with a label.
    pub hlines: Vec<(f64, String)>,
    pub bands: Vec<Band>,
}

/// A qualitative palette (Tableau 10).
pub const PALETTE: [(u8, u8, u8); 8] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
];

impl Figure {
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..Default::default()
        }
    }

    /// Add a series with the next palette colour.
    pub fn with_series(mut self, label: &str, points: Vec<(f64, f64)>, mark: Mark) -> Self {
        let color = PALETTE[self.series.len() % PALETTE.len()];
        self.series.push(Series {
            label: label.into(),
            points,
            mark,
            color,
        });
        self
    }

    pub fn log_x(mut self) -> Self {
        self.x_log = true;
        self
    }

    pub fn log_y(mut self) -> Self {
        self.y_log = true;
        self
    }

    /// The data behind the figure in long form: `series,x,y` (bands as `label (lower)` and
    /// `label (upper)`).
    pub fn to_csv(&self) -> Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["series", "x", "y"])?;
        for s in &self.series {
            for (x, y) in &s.points {
                w.write_record([s.label.clone(), format!("{x:e}"), format!("{y:e}")])?;
            }
        }
        for b in &self.bands {
            for (i, x) in b.x.iter().enumerate() {
                w.write_record([
                    format!("{} (lower)", b.label),
                    format!("{x:e}"),
                    format!("{:e}", b.lower[i]),
                ])?;
                w.write_record([
                    format!("{} (upper)", b.label),
                    format!("{x:e}"),
                    format!("{:e}", b.upper[i]),
                ])?;
            }
        }
        for (y, label) in &self.hlines {
            w.write_record([label.clone(), String::new(), format!("{y:e}")])?;
        }
        Ok(w.into_inner()?)
    }

    /// A file-name-safe version of the title.
    pub fn file_stem(&self) -> String {
        let stem: String = self
            .title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let stem = stem
            .split('_')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        if stem.is_empty() {
            "figure".into()
        } else {
            stem
        }
    }

    fn usable(&self, (x, y): (f64, f64)) -> bool {
        x.is_finite() && y.is_finite() && (!self.x_log || x > 0.0) && (!self.y_log || y > 0.0)
    }

    /// Data ranges (padded) over everything drawable.
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let mut pts: Vec<(f64, f64)> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .collect();
        for b in &self.bands {
            for (i, &x) in b.x.iter().enumerate() {
                pts.push((x, b.lower[i]));
                pts.push((x, b.upper[i]));
            }
        }
        pts.retain(|&p| self.usable(p));
        let fold = |f: fn(&(f64, f64)) -> f64| {
            pts.iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                })
        };
        let pad = |(lo, hi): (f64, f64), log: bool| {
            if !lo.is_finite() {
                return if log { (0.1, 10.0) } else { (0.0, 1.0) };
            }
            if log {
                let (lo, hi) = if lo == hi {
                    (lo / 2.0, hi * 2.0)
                } else {
                    (lo, hi)
                };
                (lo / 1.3, hi * 1.3)
            } else {
                let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
                (lo - 0.05 * span, hi + 0.05 * span)
            }
        };
        (
            pad(fold(|p| p.0), self.x_log),
            pad(fold(|p| p.1), self.y_log),
        )
    }

    /// Write the figure as SVG.
    pub fn write_svg(&self, path: &Path, size: (u32, u32)) -> Result<()> {
        register_font();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(|e| anyhow!("{e}"))?;
        }
        super::write_atomic(path, svg.as_bytes())
            .with_context(|| format!("cannot write figure {}", path.display()))
    }

    /// Write the figure as PNG.
    pub fn write_png(&self, path: &Path, size: (u32, u32)) -> Result<()> {
        register_font();
        let mut buf = vec![0u8; (size.0 * size.1 * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(|e| anyhow!("{e}"))?;
        }
        let img = image_png(&buf, size)?;
        super::write_atomic(path, &img)
            .with_context(|| format!("cannot write figure {}", path.display()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
        let ((x0, x1), (y0, y1)) = self.ranges();
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(&self.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(70);
        macro_rules! render {
            ($chart:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .x_desc(&self.x_label)
                    .y_desc(&self.y_label)
                    .label_style(("sans-serif", 13))
                    .axis_desc_style(("sans-serif", 15))
                    .light_line_style(RGBColor(235, 235, 235))
                    .draw()
                    .map_err(|e| anyhow!("{e}"))?;
                for b in &self.bands {
                    let c = RGBColor(b.color.0, b.color.1, b.color.2);
                    let mut poly: Vec<(f64, f64)> =
                        b.x.iter().zip(&b.upper).map(|(&x, &y)| (x, y)).collect();
                    poly.extend(b.x.iter().zip(&b.lower).rev().map(|(&x, &y)| (x, y)));
                    poly.retain(|&p| self.usable(p));
                    chart
                        .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18).filled())))
                        .map_err(|e| anyhow!("{e}"))?
                        .label(&b.label)
                        .legend(move |(x, y)| {
                            Rectangle::new([(x, y - 5), (x + 16, y + 5)], c.mix(0.3).filled())
                        });
                }
                for (y, label) in &self.hlines {
                    if self.y_log && *y <= 0.0 {
                        continue;
                    }
                    let grey = RGBColor(120, 120, 120);
                    chart
                        .draw_series(LineSeries::new(
                            vec![(x0, *y), (x1, *y)],
                            grey.stroke_width(1),
                        ))
                        .map_err(|e| anyhow!("{e}"))?;
                    chart
                        .draw_series(std::iter::once(Text::new(
                            label.clone(),
                            (x0, *y),
                            ("sans-serif", 11).into_font().color(&grey),
                        )))
                        .map_err(|e| anyhow!("{e}"))?;
                }
                for (x, label) in &self.vlines {
                    if self.x_log && *x <= 0.0 {
                        continue;
                    }
                    let grey = RGBColor(150, 150, 150);
                    chart
                        .draw_series(LineSeries::new(
                            vec![(*x, y0), (*x, y1)],
                            grey.stroke_width(1),
                        ))
                        .map_err(|e| anyhow!("{e}"))?;
                    chart
                        .draw_series(std::iter::once(Text::new(
                            label.clone(),
                            (*x, y1),
                            ("sans-serif", 11).into_font().color(&grey),
                        )))
                        .map_err(|e| anyhow!("{e}"))?;
                }
                for s in &self.series {
                    let c = RGBColor(s.color.0, s.color.1, s.color.2);
                    let pts: Vec<(f64, f64)> = s
                        .points
                        .iter()
                        .copied()
                        .filter(|&p| self.usable(p))
                        .collect();
                    if matches!(s.mark, Mark::Line | Mark::LineAndPoints) {
                        chart
                            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                            .map_err(|e| anyhow!("{e}"))?
                            .label(&s.label)
                            .legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                            });
                    }
                    if matches!(s.mark, Mark::Points | Mark::LineAndPoints) {
                        let drawn = chart
                            .draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())))
                            .map_err(|e| anyhow!("{e}"))?;
                        if s.mark == Mark::Points {
                            drawn
                                .label(&s.label)
                                .legend(move |(x, y)| Circle::new((x + 8, y), 3, c.filled()));
                        }
                    }
                }
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(180, 180, 180))
                    .label_font(("sans-serif", 13))
                    .position(SeriesLabelPosition::UpperRight)
                    .draw()
                    .map_err(|e| anyhow!("{e}"))?;
            }};
        }
        match (self.x_log, self.y_log) {
            (false, false) => render!(
                builder
                    .build_cartesian_2d(x0..x1, y0..y1)
                    .map_err(|e| anyhow!("{e}"))?
            ),
            (true, false) => render!(
                builder
                    .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
                    .map_err(|e| anyhow!("{e}"))?
            ),
            (false, true) => render!(
                builder
                    .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                    .map_err(|e| anyhow!("{e}"))?
            ),
            (true, true) => render!(
                builder
                    .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                    .map_err(|e| anyhow!("{e}"))?
            ),
        }
        Ok(())
    }
}

/// Encode an RGB buffer as PNG.
fn image_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| anyhow!("PNG encoding failed: {e}"))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| anyhow!("PNG encoding failed: {e}"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_svg_and_png_with_labels() {
        let dir = tempfile::tempdir().unwrap();
        let fig = Figure::new("λ_max(D_ε) vs ε", "ε", "λ_max")
            .log_x()
            .log_y()
            .with_series(
                "ours",
                vec![(0.01, 2.0), (0.1, 1617.0), (1.0, 1.6e5)],
                Mark::LineAndPoints,
            );
        let svg = dir.path().join("f.svg");
        let png = dir.path().join("f.png");
        fig.write_svg(&svg, (640, 400)).unwrap();
        fig.write_png(&png, (640, 400)).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<svg") && text.contains("ours") && text.contains("λ_max"));
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
    }
}
