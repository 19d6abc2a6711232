//! Figures as files: the formats (SVG, PNG, PDF), one path that writes them all from the SVG
//! of [`super::render`] — PNG antialiased by resvg with its resolution recorded, PDF by svg2pdf
//! with the bundled DejaVu Sans embedded — written atomically, and [`FigureOutput`] (a style and
//! the formats) for `run` and `reproduce`.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result, anyhow};
use resvg::{tiny_skia, usvg};

use super::render::render_svg;
use super::style::{FigureStyle, UNITS_PER_INCH};
use super::{FONT, Figure};

/// A figure file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FigureFormat {
    Svg,
    Png,
    Pdf,
}

impl FigureFormat {
    pub const ALL: [FigureFormat; 3] = [Self::Svg, Self::Png, Self::Pdf];

    pub fn extension(self) -> &'static str {
        match self {
            Self::Svg => "svg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }

    /// The format a file name asks for.
    pub fn of_path(path: &Path) -> Result<Self> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        Self::ALL
            .into_iter()
            .find(|f| f.extension() == ext)
            .ok_or_else(|| {
                anyhow!(
                    "cannot tell the figure format of {}: the name must end in .svg, .png or .pdf",
                    path.display()
                )
            })
    }

    /// Parse a comma-separated list such as `svg,pdf`.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        text.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                Self::ALL
                    .into_iter()
                    .find(|f| f.extension() == t.to_ascii_lowercase())
                    .ok_or_else(|| format!("unknown figure format `{t}`: expected svg, png or pdf"))
            })
            .collect()
    }
}

/// Write figures to `path` in the format its extension names (svg, png, pdf), atomically.
pub fn write_file(figs: &[&Figure], cols: usize, style: &FigureStyle, path: &Path) -> Result<()> {
    let format = FigureFormat::of_path(path)?;
    let svg = render_svg(figs, cols, style)?;
    let bytes = match format {
        FigureFormat::Svg => svg.into_bytes(),
        FigureFormat::Png => svg_to_png(&svg, style.dpi)?,
        FigureFormat::Pdf => svg_to_pdf(&svg)?,
    };
    crate::export::write_atomic(path, &bytes)
        .with_context(|| format!("cannot write figure {}", path.display()))
}

/// How a command writes its figures: one style, and the formats beside the SVG.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureOutput {
    pub style: FigureStyle,
    /// Formats written for every figure (SVG always comes first and is always written by
    /// pages that link to it).
    pub formats: Vec<FigureFormat>,
}

impl Default for FigureOutput {
    fn default() -> Self {
        Self {
            style: FigureStyle::paper(),
            formats: vec![FigureFormat::Svg],
        }
    }
}

impl FigureOutput {
    /// Write `stem.svg` (and `stem.png`, `stem.pdf` as asked) in `dir`: the figures on a grid
    /// of `cols` columns, drawn once.
    /// The figure's source goes beside them (`stem.figure.toml`, for `restyle`).
    pub fn write(&self, figs: &[&Figure], cols: usize, dir: &Path, stem: &str) -> Result<()> {
        let svg = render_svg(figs, cols, &self.style)?;
        super::source::FigureSource::new(figs, cols).write(dir, stem)?;
        for format in &self.formats {
            let path = dir.join(format!("{stem}.{}", format.extension()));
            let bytes = match format {
                FigureFormat::Svg => svg.as_bytes().to_vec(),
                FigureFormat::Png => svg_to_png(&svg, self.style.dpi)?,
                FigureFormat::Pdf => svg_to_pdf(&svg)?,
            };
            crate::export::write_atomic(&path, &bytes)
                .with_context(|| format!("cannot write figure {}", path.display()))?;
        }
        Ok(())
    }

    /// One figure alone.
    pub fn write_one(&self, fig: &Figure, dir: &Path, stem: &str) -> Result<()> {
        self.write(&[fig], 1, dir, stem)
    }

    /// The formats as a list for a page ("`name.svg`, `name.pdf`").
    pub fn files(&self, stem: &str) -> String {
        self.formats
            .iter()
            .map(|f| format!("`{stem}.{}`", f.extension()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn usvg_options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        usvg::Options {
            font_family: "DejaVu Sans".into(),
            fontdb: Arc::new(db),
            ..Default::default()
        }
    })
}

fn parse(svg: &str) -> Result<usvg::Tree> {
    usvg::Tree::from_str(svg, usvg_options()).map_err(|e| anyhow!("cannot read the SVG: {e}"))
}

/// Rasterize (antialiased) at `dpi`: width, height and the RGBA pixels (opaque background).
pub fn svg_to_rgba(svg: &str, dpi: u32) -> Result<(u32, u32, Vec<u8>)> {
    let tree = parse(svg)?;
    let scale = dpi as f32 / UNITS_PER_INCH as f32;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).round() as u32,
        (size.height() * scale).round() as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| anyhow!("cannot make a {w}×{h} image"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    Ok((w, h, pixmap.take()))
}

/// Rasterize (antialiased) at `dpi`, with the resolution recorded in the PNG.
pub fn svg_to_png(svg: &str, dpi: u32) -> Result<Vec<u8>> {
    let (w, h, pixels) = svg_to_rgba(svg, dpi)?;
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let per_metre = (dpi as f64 / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder
            .write_header()
            .map_err(|e| anyhow!("PNG encoding failed: {e}"))?;
        // The background is opaque, so premultiplied and straight alpha agree.
        writer
            .write_image_data(&pixels)
            .map_err(|e| anyhow!("PNG encoding failed: {e}"))?;
    }
    Ok(out)
}

/// A one-page PDF of the SVG, text as embedded DejaVu Sans; the same bytes for the same SVG.
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>> {
    let tree = parse(svg)?;
    let pdf = svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions {
            dpi: UNITS_PER_INCH as f32,
        },
    )
    .map_err(|e| anyhow!("PDF conversion failed: {e}"))?;
    Ok(sorted_resources(pdf))
}

/// svg2pdf lists a page's resources (`/xo1 10 0 R` lines of an `/XObject << … >>`
/// dictionary) in hash order, which changes from run to run. Sorting the lines of each such
/// dictionary changes neither its length nor any object's offset, so the cross-reference table
/// stays valid and equal figures give equal files.
fn sorted_resources(mut pdf: Vec<u8>) -> Vec<u8> {
    const KEYS: [&[u8]; 6] = [
        b"/XObject <<\n",
        b"/ExtGState <<\n",
        b"/Font <<\n",
        b"/Pattern <<\n",
        b"/Shading <<\n",
        b"/ColorSpace <<\n",
    ];
    let is_ref = |line: &[u8]| {
        let t = line.trim_ascii();
        t.first() == Some(&b'/')
            && t.ends_with(b" 0 R")
            && t.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"/ R".contains(c))
    };
    for key in KEYS {
        let mut from = 0;
        while let Some(k) = pdf[from..].windows(key.len()).position(|w| w == key) {
            let start = from + k + key.len();
            let mut lines: Vec<Vec<u8>> = Vec::new();
            let mut end = start;
            while let Some(nl) = pdf[end..].iter().position(|&c| c == b'\n') {
                let line = &pdf[end..end + nl];
                if !is_ref(line) {
                    break;
                }
                lines.push(line.to_vec());
                end += nl + 1;
            }
            if lines.len() > 1 {
                lines.sort();
                let sorted: Vec<u8> = lines
                    .iter()
                    .flat_map(|l| [&l[..], b"\n"].concat())
                    .collect();
                pdf[start..end].copy_from_slice(&sorted);
            }
            from = end.max(start);
        }
    }
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_figure_gives_the_same_pdf_bytes() {
        // Translucent bands give a page several graphics states and XObjects, which svg2pdf
        // lists in hash order.
        let figs = super::super::fixtures::gallery();
        let banded = figs
            .iter()
            .find(|f| !f.bands.is_empty())
            .expect("a fixture with a band");
        let svg = render_svg(&[banded], 1, &FigureStyle::paper()).unwrap();
        let first = svg_to_pdf(&svg).unwrap();
        let text = String::from_utf8_lossy(&first);
        assert!(
            text.contains("/ExtGState <<"),
            "no graphics states to order"
        );
        for _ in 0..8 {
            assert!(
                svg_to_pdf(&svg).unwrap() == first,
                "PDF bytes differ between runs"
            );
        }
    }
}
