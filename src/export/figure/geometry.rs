//! The boxes a figure panel is laid out in, in logical units (CSS pixels, y down): rectangles,
//! axis maps, pieces of text with the box the bundled DejaVu Sans gives them (subscripts
//! measured at their size), legend entries and [`Layout`], the geometry of one panel.
//! [`super::layout`] and [`super::legend`] fill it; [`super::render`] draws it.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};

use super::FONT;

/// An axis-aligned rectangle (y grows downwards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Self {
        Self { x0, y0, x1, y1 }
    }

    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// Whether the interiors meet.
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    pub fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// Whether `o` lies inside (with a small tolerance for round-off).
    pub fn encloses(&self, o: &Rect) -> bool {
        o.x0 >= self.x0 - 1e-6
            && o.y0 >= self.y0 - 1e-6
            && o.x1 <= self.x1 + 1e-6
            && o.y1 <= self.y1 + 1e-6
    }

    pub(super) fn grown(&self, d: f64) -> Rect {
        Rect::new(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)
    }
}

fn font() -> &'static FontRef<'static> {
    static F: OnceLock<FontRef<'static>> = OnceLock::new();
    F.get_or_init(|| FontRef::try_from_slice(FONT).expect("the bundled DejaVu Sans parses"))
}

/// Advance width of `text` at font size `size` (em), with kerning and its subscripts
/// ([`super::markup`]) at their smaller size.
pub fn text_width(text: &str, size: f64) -> f64 {
    super::markup::spans(text)
        .iter()
        .map(|(s, sub)| {
            plain_width(
                s,
                if *sub {
                    size * super::markup::SUB_SCALE
                } else {
                    size
                },
            )
        })
        .sum()
}

fn plain_width(text: &str, size: f64) -> f64 {
    let f = font();
    let upem = f.units_per_em().unwrap_or(2048.0) as f64;
    let mut w = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let g = f.glyph_id(c);
        if let Some(p) = prev {
            w += f.kern_unscaled(p, g) as f64;
        }
        w += f.h_advance_unscaled(g) as f64;
        prev = Some(g);
    }
    w / upem * size
}

/// Ascent above and descent below the baseline, as fractions of the em.
pub const ASCENT: f64 = 0.93;
pub const DESCENT: f64 = 0.24;
/// Where the SVG writer puts the baseline below a top-anchored text's y (its `dy="0.76em"`).
pub const TOP_TO_BASELINE: f64 = 0.76;

/// A piece of text and the box it occupies.
#[derive(Clone, Debug, PartialEq)]
pub struct TextItem {
    pub text: String,
    /// Font size (em) in logical units.
    pub size: f64,
    /// Read bottom to top (the y axis label).
    pub rotated: bool,
    pub bold: bool,
    pub ink: Ink,
    pub bbox: Rect,
}

/// Which colour a text takes from the style.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ink {
    Foreground,
    Muted,
}

impl TextItem {
    /// Text whose box has its top-left corner at (x, y).
    pub(super) fn at(text: &str, size: f64, x: f64, y: f64, ink: Ink) -> Self {
        let w = text_width(text, size);
        Self {
            text: text.into(),
            size,
            rotated: false,
            bold: false,
            ink,
            bbox: Rect::new(x, y, x + w, y + (ASCENT + DESCENT) * size),
        }
    }

    /// Horizontal text centred on x with its box top at y.
    pub(super) fn centred(text: &str, size: f64, x: f64, y: f64, ink: Ink) -> Self {
        let w = text_width(text, size);
        Self::at(text, size, x - w / 2.0, y, ink)
    }

    /// Horizontal text ending at x, vertically centred on y.
    pub(super) fn right_of_centre(text: &str, size: f64, x: f64, y: f64, ink: Ink) -> Self {
        let w = text_width(text, size);
        Self::at(text, size, x - w, y - (ASCENT + DESCENT) * size / 2.0, ink)
    }

    /// Text read bottom to top, centred on y, its box's left edge at x.
    pub(super) fn upward(text: &str, size: f64, x: f64, y: f64, ink: Ink) -> Self {
        let w = text_width(text, size);
        Self {
            text: text.into(),
            size,
            rotated: true,
            bold: false,
            ink,
            bbox: Rect::new(x, y - w / 2.0, x + (ASCENT + DESCENT) * size, y + w / 2.0),
        }
    }
}

/// Data ↔ logical coordinate on one axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisMap {
    /// The range in data units (lo < hi).
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    /// Logical coordinates of lo and of hi (hi < lo on a y axis or a reversed x axis).
    pub at_lo: f64,
    pub at_hi: f64,
}

impl AxisMap {
    /// The logical coordinate of a data value (None where a log axis cannot show it).
    pub fn map(&self, v: f64) -> Option<f64> {
        if !v.is_finite() || (self.log && v <= 0.0) {
            return None;
        }
        let t = |v: f64| if self.log { v.log10() } else { v };
        let f = (t(v) - t(self.lo)) / (t(self.hi) - t(self.lo));
        Some(self.at_lo + f * (self.at_hi - self.at_lo))
    }
}

/// One legend entry: which series or band and the text beside its sample.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    pub what: Entry,
    /// Where the sample (line, dot or patch) is drawn.
    pub sample: Rect,
    /// Index of the entry's text in [`Layout::texts`].
    pub text: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Series(usize),
    Band(usize),
}

/// The geometry of one panel.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The panel's whole area.
    pub canvas: Rect,
    pub plot: Rect,
    pub x: AxisMap,
    pub y: AxisMap,
    /// Logical positions of ticks and whether each is labelled (labelled ones are longer).
    pub x_ticks: Vec<(f64, bool)>,
    pub y_ticks: Vec<(f64, bool)>,
    pub texts: Vec<TextItem>,
    /// The legend's frame (None without labelled series).
    pub legend: Option<Rect>,
    pub legend_entries: Vec<LegendEntry>,
    /// A heat map's colour bar and its scale m (blue −m … red +m).
    pub colorbar: Option<(Rect, f64)>,
    /// Marker lines whose label did not fit (they are drawn unlabelled).
    pub dropped_labels: usize,
}
