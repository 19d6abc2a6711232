//! How a figure is dressed for where it goes: the *paper* style (white, a 3.3 in or 6.7 in
//! column, 9 pt text, thin lines told apart by dash pattern as well as colour) and the *slide*
//! style (16:9, large text, thick lines, light or dark). Size, font size and PNG resolution can
//! be set on either; [`FigureStyle::check`] names any value out of its range.

use serde::{Deserialize, Serialize};

/// Logical units per inch: SVG user units are CSS pixels.
pub const UNITS_PER_INCH: f64 = 96.0;

/// Paper or slide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum StyleKind {
    #[default]
    Paper,
    Slide,
}

impl StyleKind {
    pub const ALL: [StyleKind; 2] = [Self::Paper, Self::Slide];

    pub fn name(self) -> &'static str {
        match self {
            Self::Paper => "paper",
            Self::Slide => "slide",
        }
    }

    /// Parse `paper` or `slide`, naming both when it is neither.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == text.trim())
            .ok_or_else(|| format!("unknown figure style `{text}`: expected paper or slide"))
    }
}

/// The colours of a figure's chrome (background, text, axes, grid).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// Everything about a figure's look that is not its data.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FigureStyle {
    pub kind: StyleKind,
    /// Size of one single-panel figure in inches (a multi-panel paper figure is at least the
    /// 6.7 in double column wide and this high per row; a slide keeps its page).
    pub width_in: f64,
    pub height_in: f64,
    /// Tick-label size in points; titles are 15 % larger.
    pub font_pt: f64,
    /// Pixels per inch of PNG output.
    pub dpi: u32,
    pub theme: Theme,
}

/// Allowed ranges, checked by [`FigureStyle::check`].
pub const WIDTH_RANGE_IN: (f64, f64) = (1.5, 30.0);
pub const HEIGHT_RANGE_IN: (f64, f64) = (1.0, 30.0);
pub const FONT_RANGE_PT: (f64, f64) = (5.0, 48.0);
pub const DPI_RANGE: (u32, u32) = (50, 1200);

impl Default for FigureStyle {
    fn default() -> Self {
        Self::paper()
    }
}

impl FigureStyle {
    /// A single-column paper figure: 3.3 × 2.4 in, 9 pt, 300 dpi.
    pub fn paper() -> Self {
        Self {
            kind: StyleKind::Paper,
            width_in: 3.3,
            height_in: 2.4,
            font_pt: 9.0,
            dpi: 300,
            theme: Theme::Light,
        }
    }

    /// A 16:9 slide figure: 10 × 5.625 in, 20 pt, 192 dpi.
    pub fn slide(theme: Theme) -> Self {
        Self {
            kind: StyleKind::Slide,
            width_in: 10.0,
            height_in: 5.625,
            font_pt: 20.0,
            dpi: 192,
            theme,
        }
    }

    /// The defaults of a kind.
    pub fn of(kind: StyleKind, theme: Theme) -> Self {
        match kind {
            StyleKind::Paper => Self::paper(),
            StyleKind::Slide => Self::slide(theme),
        }
    }

    /// The size of a figure of `rows` × `cols` panels in inches: paper widens to the 6.7 in
    /// double column, slides keep their 16:9 page; panels share the page.
    pub fn page_in(&self, rows: usize, cols: usize) -> (f64, f64) {
        let (rows, cols) = (rows.max(1) as f64, cols.max(1) as f64);
        match self.kind {
            StyleKind::Paper if cols > 1.0 => (self.width_in.max(6.7), self.height_in * rows),
            StyleKind::Paper => (self.width_in, self.height_in * rows),
            StyleKind::Slide => (self.width_in, self.height_in),
        }
    }

    /// Rows and columns for `n` panels asked for in `cols` columns: as asked on paper (the
    /// page grows); on a slide, whose 16:9 page is fixed, the grid that fits it best.
    pub fn panel_grid(&self, n: usize, cols: usize) -> (usize, usize) {
        let n = n.max(1);
        let cols = match self.kind {
            StyleKind::Paper => cols.clamp(1, n),
            StyleKind::Slide => match n {
                1..=3 => n,
                4 => 2,
                5 | 6 => 3,
                7 | 8 => 4,
                n => (n as f64).sqrt().ceil() as usize,
            },
        };
        (n.div_ceil(cols), cols)
    }

    /// The style of one panel of a `rows` × `cols` figure: a slide's text and lines shrink
    /// with the panels (to half at four across), paper keeps its sizes.
    pub fn panel_style(&self, rows: usize, cols: usize) -> FigureStyle {
        let mut s = *self;
        if self.kind == StyleKind::Slide {
            s.font_pt *= (2.0 / rows.max(cols) as f64).min(1.0);
        }
        s
    }

    /// Every value within its range, else a message naming the field and the range.
    pub fn check(&self) -> Result<(), String> {
        let within = |name: &str, v: f64, (lo, hi): (f64, f64), unit: &str| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "figure {name} {v} {unit} is outside {lo} … {hi} {unit}"
                ))
            }
        };
        within("width", self.width_in, WIDTH_RANGE_IN, "in")?;
        within("height", self.height_in, HEIGHT_RANGE_IN, "in")?;
        within("font size", self.font_pt, FONT_RANGE_PT, "pt")?;
        within(
            "resolution",
            self.dpi as f64,
            (DPI_RANGE.0 as f64, DPI_RANGE.1 as f64),
            "dpi",
        )
    }

    /// Font size of tick labels in logical units.
    pub fn font_px(&self) -> f64 {
        self.font_pt * UNITS_PER_INCH / 72.0
    }

    /// Stroke width of data lines in logical units.
    pub fn line_px(&self) -> f64 {
        match self.kind {
            StyleKind::Paper => 1.1 * UNITS_PER_INCH / 72.0,
            StyleKind::Slide => 3.0 * self.font_pt / 20.0 * UNITS_PER_INCH / 72.0,
        }
    }

    /// Whether series are also told apart by dash pattern (for grayscale print).
    pub fn dashes(&self) -> bool {
        self.kind == StyleKind::Paper
    }

    pub fn background(&self) -> (u8, u8, u8) {
        match self.theme {
            Theme::Light => (255, 255, 255),
            Theme::Dark => (27, 27, 27),
        }
    }

    pub fn foreground(&self) -> (u8, u8, u8) {
        match self.theme {
            Theme::Light => (20, 20, 20),
            Theme::Dark => (235, 235, 235),
        }
    }

    pub fn muted(&self) -> (u8, u8, u8) {
        match self.theme {
            Theme::Light => (110, 110, 110),
            Theme::Dark => (160, 160, 160),
        }
    }

    /// Marker lines (stage and phase changes, ε marks): between the grid and the muted text.
    pub fn marker(&self) -> (u8, u8, u8) {
        match self.theme {
            Theme::Light => (175, 175, 175),
            Theme::Dark => (95, 95, 95),
        }
    }

    pub fn grid(&self) -> (u8, u8, u8) {
        match self.theme {
            Theme::Light => (232, 232, 232),
            Theme::Dark => (60, 60, 60),
        }
    }

    /// The colour of exact and reference curves (drawn dashed on top of the others).
    pub fn reference(&self) -> (u8, u8, u8) {
        match self.theme {
            Theme::Light => (0, 0, 0),
            Theme::Dark => (255, 255, 255),
        }
    }
}

/// Parse "W×H" or "WxH" in inches (e.g. `3.3x2.4`).
pub fn parse_size_in(text: &str) -> Result<(f64, f64), String> {
    let bad = || format!("figure size `{text}`: expected WIDTHxHEIGHT in inches, e.g. 3.3x2.4");
    let (w, h) = text.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let w: f64 = w.trim().parse().map_err(|_| bad())?;
    let h: f64 = h.trim().parse().map_err(|_| bad())?;
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_check_their_ranges_and_name_the_field() {
        assert!(FigureStyle::paper().check().is_ok());
        assert!(FigureStyle::slide(Theme::Dark).check().is_ok());
        let mut s = FigureStyle::paper();
        s.font_pt = 2.0;
        let e = s.check().unwrap_err();
        assert!(e.contains("font size") && e.contains("5"), "{e}");
        s = FigureStyle::paper();
        s.dpi = 10;
        assert!(s.check().unwrap_err().contains("resolution"));
        assert_eq!(StyleKind::parse("slide"), Ok(StyleKind::Slide));
        assert!(
            StyleKind::parse("poster")
                .unwrap_err()
                .contains("paper or slide")
        );
        assert_eq!(parse_size_in("3.3x2.4"), Ok((3.3, 2.4)));
        assert!(parse_size_in("3.3").is_err());
    }

    #[test]
    fn paper_panels_widen_to_the_double_column() {
        let p = FigureStyle::paper();
        assert_eq!(p.page_in(1, 1), (3.3, 2.4));
        assert_eq!(p.page_in(2, 3), (6.7, 4.8));
        let s = FigureStyle::slide(Theme::Light);
        assert_eq!(s.page_in(2, 2), (10.0, 5.625));
        // Eight plots shown in one column: paper keeps the column, a slide re-grids its page.
        assert_eq!(p.panel_grid(8, 1), (8, 1));
        assert_eq!(s.panel_grid(8, 1), (2, 4));
        assert_eq!(s.panel_grid(3, 1), (1, 3));
        assert_eq!(s.panel_style(2, 4).font_pt, 10.0);
        assert_eq!(p.panel_style(8, 1), p);
    }
}
