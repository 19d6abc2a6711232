//! Figures as data ([`Figure`]: series, axes, markers, bands, heat maps). The explorer draws
//! them on screen with egui_plot and every file comes from the same values: [`layout`] places
//! axes, ticks, text and legend for a [`style::FigureStyle`] (paper or slide), [`render`] draws
//! with plotters to SVG and converts that to PNG and PDF, one panel or several per file.

pub mod animation;
pub mod evolution;
pub mod files;
#[cfg(test)]
mod fixtures;
pub mod geometry;
mod labels;
pub mod layout;
pub mod legend;
pub mod markup;
mod polyline;
pub mod render;
pub mod source;
pub mod style;
pub mod ticks;

use std::path::Path;
use std::sync::Once;

use anyhow::Result;
use plotters::prelude::FontStyle;

use crate::problem::Grid2d;
pub use files::{FigureFormat, FigureOutput, write_file};
pub use render::render_svg;
pub use style::{FigureStyle, StyleKind, Theme};

/// The sans-serif font bundled in `assets/` (DejaVu Sans), used for every figure.
const FONT: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");

pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is valid; a failure here would only drop text from figures.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Line,
    Points,
    LineAndPoints,
    /// An exact or reference solution: a dashed line in the foreground colour, drawn on top.
    Reference,
    /// A dotted line in the series' own colour: a second curve of one run beside its solid
    /// one (a pinned run's L2RE beside its loss), told apart by more than colour.
    Dotted,
}

/// One named data series.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub mark: Mark,
    /// RGB colour.
    pub color: (u8, u8, u8),
}

/// A shaded band between two curves over the same x values.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Band {
    pub label: String,
    pub x: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub color: (u8, u8, u8),
}

/// Values on a tensor grid in the plane, drawn as coloured cells centred on the nodes with a
/// diverging map symmetric about 0 (blue −m, white 0, red +m, m = max |value|).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Heatmap {
    pub label: String,
    pub nx: usize,
    pub ny: usize,
    /// First and last node in x and in y.
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// nx·ny values, x fastest.
    pub values: Vec<f64>,
    /// The colour scale m to use instead of the field's own (panels compared with one truth
    /// share its scale; values beyond ±m take the end colours).
    pub fixed_scale: Option<f64>,
    /// A sequential map from the smallest to the largest value (dark blue → yellow) instead of
    /// the diverging one about 0: for quantities with no natural zero, such as log₁₀ L2RE.
    #[serde(default)]
    pub sequential: bool,
}

impl Heatmap {
    /// A field on a grid of the plane, in a figure of its own with axes x and y.
    pub fn figure(title: &str, label: &str, grid: Grid2d, values: Vec<f64>) -> Figure {
        let mut fig = Figure::new(title, "x", "y");
        fig.heatmap = Some(Self {
            label: label.into(),
            nx: grid.nx,
            ny: grid.ny,
            x: grid.x,
            y: grid.y,
            values,
            fixed_scale: None,
            sequential: false,
        });
        fig
    }

    /// The values at the two ends of the colour scale: (−m, m) for the diverging map, the
    /// smallest and largest finite value for a sequential one.
    pub fn span(&self) -> (f64, f64) {
        if !self.sequential {
            let m = self.scale();
            return (-m, m);
        }
        let (lo, hi) = self
            .values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        if !lo.is_finite() {
            (0.0, 1.0)
        } else if lo == hi {
            (lo - 0.5, hi + 0.5)
        } else {
            (lo, hi)
        }
    }

    /// The colour of a value on this map's own scale (grey for non-finite values), its scale
    /// found once: call it for every cell of the field.
    pub fn colors(&self) -> impl Fn(f64) -> (u8, u8, u8) + '_ {
        let (lo, hi) = self.span();
        move |v| {
            if !v.is_finite() {
                (128, 128, 128)
            } else if self.sequential {
                sequential((v - lo) / (hi - lo))
            } else {
                self.color(v, hi)
            }
        }
    }

    /// m = the fixed scale, else max |value| over the finite values (1 when there are none or
    /// all are 0).
    pub fn scale(&self) -> f64 {
        if let Some(m) = self.fixed_scale.filter(|m| m.is_finite() && *m > 0.0) {
            return m;
        }
        let m = self
            .values
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        if m > 0.0 { m } else { 1.0 }
    }

    /// The colour of `v` on this map's scale (grey for non-finite values).
    pub fn color(&self, v: f64, scale: f64) -> (u8, u8, u8) {
        if !v.is_finite() {
            return (128, 128, 128);
        }
        diverging(v / scale)
    }

    /// The cell of node (i, j): its corners (x₀, y₀), (x₁, y₁).
    pub fn cell(&self, i: usize, j: usize) -> ((f64, f64), (f64, f64)) {
        let step = |(lo, hi): (f64, f64), n: usize| (hi - lo) / (n.max(2) - 1) as f64;
        let (dx, dy) = (step(self.x, self.nx), step(self.y, self.ny));
        let (cx, cy) = (self.x.0 + dx * i as f64, self.y.0 + dy * j as f64);
        (
            (cx - dx / 2.0, cy - dy / 2.0),
            (cx + dx / 2.0, cy + dy / 2.0),
        )
    }

    /// The legend line: what the colours mean.
    pub fn legend(&self) -> String {
        if self.sequential {
            let (lo, hi) = self.span();
            return format!("{}: dark blue {lo:.3e} … yellow {hi:.3e}", self.label);
        }
        let m = self.scale();
        format!("{}: blue {:.3e} … white 0 … red {:.3e}", self.label, -m, m)
    }
}

/// Dark blue (t = 0) → teal → green → yellow (1), clamped: viridis at five stops, linearly
/// between them (ordered in lightness, readable in grayscale).
fn sequential(t: f64) -> (u8, u8, u8) {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let k = (t.floor() as usize).min(3);
    let w = t - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * w).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Blue (t = −1) → white (0) → red (+1), clamped.
fn diverging(t: f64) -> (u8, u8, u8) {
    let t = t.clamp(-1.0, 1.0);
    let (end, w) = if t < 0.0 {
        ((33.0, 102.0, 172.0), -t)
    } else {
        ((178.0, 24.0, 43.0), t)
    };
    let mix = |e: f64| (255.0 + (e - 255.0) * w).round() as u8;
    (mix(end.0), mix(end.1), mix(end.2))
}

/// A 2-D line/scatter figure, or a heat map with optional overlaid series.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Figure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_log: bool,
    pub y_log: bool,
    /// x grows to the left (ε along a homotopy: the path runs left to right).
    pub x_reversed: bool,
    pub series: Vec<Series>,
    /// Vertical markers at x with a label (empty labels draw unlabelled lines).
    pub vlines: Vec<(f64, String)>,
    /// Horizontal reference lines at y with a label.
    pub hlines: Vec<(f64, String)>,
    pub bands: Vec<Band>,
    /// A field over the plane (2D problems); drawn beneath the series.
    pub heatmap: Option<Heatmap>,
    /// No legend in exported files (a panel whose series another panel's legend names).
    pub hide_legend: bool,
    /// Named rows instead of a numeric y axis: category k sits at y = n − 1 − k (the first
    /// on top), each labelled with its name (a dot plot of one value per method).
    pub y_categories: Vec<String>,
    /// Named columns instead of a numeric x axis: category k sits at x = k.
    pub x_categories: Vec<String>,
}

/// A qualitative palette (Tableau 10).
pub const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// The colour of the k-th of a fixed list of methods (the same in every panel of a page).
pub fn palette(k: usize) -> (u8, u8, u8) {
    PALETTE[k % PALETTE.len()]
}

/// Colours of pinned runs: tones none of which a live curve of the explorer uses (its u_θ is
/// Tableau blue, so no cyan, and pin 2 is magenta, not a second olive or gold: a lecturer's
/// second pin read as the live curve, then as pin 1).
pub const PIN_PALETTE: [(u8, u8, u8); 6] = [
    (188, 189, 34),
    (204, 0, 153),
    (255, 152, 150),
    (197, 176, 213),
    (196, 156, 148),
    (247, 182, 210),
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
        if let Some(h) = &self.heatmap {
            // A field: one row per node, `series,x,y,value`.
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["series", "x", "y", "value"])?;
            for (k, v) in h.values.iter().enumerate() {
                let ((x0, y0), (x1, y1)) = h.cell(k % h.nx, k / h.nx);
                w.write_record([
                    h.label.clone(),
                    format!("{:e}", (x0 + x1) / 2.0),
                    format!("{:e}", (y0 + y1) / 2.0),
                    format!("{v:e}"),
                ])?;
            }
            return Ok(w.into_inner()?);
        }
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
    pub fn ranges(&self) -> ((f64, f64), (f64, f64)) {
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
        if let Some(h) = &self.heatmap {
            // The field's extent, unpadded.
            let ((x0, y0), _) = h.cell(0, 0);
            let (_, (x1, y1)) = h.cell(h.nx - 1, h.ny - 1);
            return ((x0, x1), (y0, y1));
        }
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
                // 6 % of the decades shown on each side, so markers clear the frame (a span
                // well under a decade stays as tight as it would on a linear axis).
                let f = 10f64.powf(0.06 * (hi / lo).log10());
                (lo / f, hi * f)
            } else {
                let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
                (lo - 0.05 * span, hi + 0.05 * span)
            }
        };
        let named = |names: &Vec<String>| (-0.5, names.len() as f64 - 0.5);
        if !self.y_categories.is_empty() {
            let x = if self.x_categories.is_empty() {
                pad(fold(|p| p.0), self.x_log)
            } else {
                named(&self.x_categories)
            };
            return (x, named(&self.y_categories));
        }
        if !self.x_categories.is_empty() {
            return (named(&self.x_categories), pad(fold(|p| p.1), self.y_log));
        }
        let mut y = fold(|p| p.1);
        if let Some(window) = self.reference_window() {
            // Curves far off the exact/reference solution (a diverged run) leave the axes
            // instead of flattening everything else; the legend says which.
            y = (y.0.max(window.0), y.1.min(window.1));
        }
        (pad(fold(|p| p.0), self.x_log), pad(y, self.y_log))
    }

    /// The y window the exact/reference curves allow on a linear axis: their range widened by
    /// its span on each side (None without such a curve).
    fn reference_window(&self) -> Option<(f64, f64)> {
        if self.y_log {
            return None;
        }
        let (lo, hi) = self
            .series
            .iter()
            .filter(|s| s.mark == Mark::Reference)
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let span = (hi - lo).max(hi.abs().max(lo.abs()) * 0.1);
        (lo.is_finite() && span > 0.0).then_some((lo - span, hi + span))
    }

    /// Whether series `i` has finite points outside the y range `(lo, hi)` (drawn clipped at
    /// the frame; the legend marks it).
    pub fn off_scale(&self, i: usize, (lo, hi): (f64, f64)) -> bool {
        self.series[i]
            .points
            .iter()
            .any(|p| self.usable(*p) && (p.1 < lo || p.1 > hi))
    }

    /// Write the figure alone to `path` (its extension names the format: svg, png or pdf).
    pub fn write(&self, path: &Path, style: &FigureStyle) -> Result<()> {
        write_file(&[self], 1, style, path)
    }
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
        fig.write(&svg, &FigureStyle::paper()).unwrap();
        fig.write(&png, &FigureStyle::paper()).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<svg") && text.contains("ours") && text.contains("λ<tspan"));
        // The subscript is set as one, not printed with its underscore.
        assert!(text.contains(">max</tspan>") && !text.contains("λ_max"));
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
    }

    #[test]
    fn a_reversed_log_x_axis_draws_larger_x_further_left() {
        let dir = tempfile::tempdir().unwrap();
        let mut fig = Figure::new("path", "ε", "loss")
            .log_x()
            .log_y()
            .with_series(
                "stage loss",
                vec![(0.1, 1e-3), (0.03, 1e-5), (0.01, 1e-7)],
                Mark::Line,
            );
        fig.x_reversed = true;
        let svg = dir.path().join("r.svg");
        fig.write(&svg, &FigureStyle::paper()).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        // The curve is the polyline in the first palette colour.
        let line = text
            .split("<polyline")
            .find(|p| p.to_ascii_lowercase().contains("#1f77b4"))
            .expect("the curve");
        let xs: Vec<f64> = line
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|pt| pt.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert!(
            xs[0] < xs[1] && xs[1] < xs[2],
            "ε decreasing must run left to right: {xs:?}"
        );
    }

    #[test]
    fn heat_maps_draw_cells_and_export_values() {
        let mut fig = Figure::new("u", "x", "y");
        fig.heatmap = Some(Heatmap {
            label: "u_θ".into(),
            nx: 3,
            ny: 2,
            x: (0.0, 1.0),
            y: (-1.0, 1.0),
            values: vec![-2.0, 0.0, 1.0, 2.0, f64::NAN, 0.5],
            fixed_scale: None,
            sequential: false,
        });
        let h = fig.heatmap.as_ref().unwrap();
        assert_eq!(h.scale(), 2.0);
        assert_eq!(h.color(-2.0, 2.0), (33, 102, 172));
        assert_eq!(h.color(0.0, 2.0), (255, 255, 255));
        assert_eq!(h.cell(2, 1), ((0.75, 0.0), (1.25, 2.0)));
        assert_eq!(fig.ranges(), ((-0.25, 1.25), (-2.0, 2.0)));
        let csv = String::from_utf8(fig.to_csv().unwrap()).unwrap();
        assert!(csv.starts_with("series,x,y,value\n"));
        assert!(csv.contains("u_θ,5e-1,1e0,NaN"), "{csv}");
        let dir = tempfile::tempdir().unwrap();
        let svg = dir.path().join("h.svg");
        fig.write(&svg, &FigureStyle::paper()).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(
            text.contains("#2166AC")
                || text.contains("rgb(33,102,172)")
                || text.contains("#2166ac"),
            "no blue cell"
        );
        // The colour bar names the field and its scale.
        assert!(
            text.contains(">θ</tspan>") && text.contains("−2.00"),
            "no colour bar labels"
        );
    }
}
