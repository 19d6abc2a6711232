//! An animated GIF of figures, one frame each (the homotopy path stage by stage): every frame
//! drawn like a PNG of the same style, its colours reduced to 256 by the gif crate's NeuQuant
//! quantizer, the last frame held for two seconds so the end of the path can be read.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};

use super::{Figure, FigureStyle, files::svg_to_rgba, render_svg};

/// Frames per second of the animation.
pub const FPS: u16 = 10;

/// Write `figs` as an animated GIF at `path` (atomically), at [`FPS`] frames per second, in
/// `style` (its size and resolution; a slide style gives a 16:9 picture for slides).
/// `progress` is told each frame's number as it is encoded.
pub fn write_gif(
    figs: &[&Figure],
    style: &FigureStyle,
    path: &Path,
    progress: &dyn Fn(usize),
) -> Result<()> {
    if figs.is_empty() {
        bail!("no frames to animate");
    }
    let render = |fig: &Figure| -> Result<(u32, u32, Vec<u8>)> {
        svg_to_rgba(&render_svg(&[fig], 1, style)?, style.dpi)
    };
    let gif_err = |e: gif::EncodingError| anyhow!("GIF encoding failed: {e}");
    let (w, h, first) = render(figs[0])?;
    let (gw, gh) = (
        u16::try_from(w).map_err(|_| anyhow!("a {w} px wide frame is too wide for GIF"))?,
        u16::try_from(h).map_err(|_| anyhow!("a {h} px high frame is too high for GIF"))?,
    );
    let mut encoder = gif::Encoder::new(Vec::new(), gw, gh, &[]).map_err(gif_err)?;
    encoder.set_repeat(gif::Repeat::Infinite).map_err(gif_err)?;
    let mut first = Some(first);
    for (k, fig) in figs.iter().enumerate() {
        let mut rgba = match first.take() {
            Some(pixels) => pixels,
            None => {
                let (fw, fh, pixels) = render(fig)?;
                if (fw, fh) != (w, h) {
                    bail!("frame {k} is {fw}×{fh}, the first {w}×{h}");
                }
                pixels
            }
        };
        let mut frame = gif::Frame::from_rgba_speed(gw, gh, &mut rgba, 10);
        frame.delay = if k + 1 == figs.len() { 200 } else { 100 / FPS };
        encoder.write_frame(&frame).map_err(gif_err)?;
        progress(k + 1);
    }
    let bytes = encoder
        .into_inner()
        .map_err(|e| anyhow!("GIF encoding failed: {e}"))?;
    crate::export::write_atomic(path, &bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::figure::{Mark, StyleKind, Theme};

    #[test]
    fn a_gif_has_one_frame_per_figure_at_the_styles_size() {
        let figs: Vec<Figure> = (1..=3)
            .map(|k| {
                Figure::new(&format!("frame {k}"), "x", "u").with_series(
                    "u",
                    (0..20).map(|i| (i as f64, (i * k) as f64)).collect(),
                    Mark::Line,
                )
            })
            .collect();
        let refs: Vec<&Figure> = figs.iter().collect();
        let mut style = FigureStyle::of(StyleKind::Slide, Theme::Light);
        style.dpi = 50;
        let dir = std::env::temp_dir().join(format!("hx-gif-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("path.gif");
        let seen = std::cell::Cell::new(0);
        write_gif(&refs, &style, &path, &|k| seen.set(k)).unwrap();
        assert_eq!(seen.get(), 3);
        let mut decoder = gif::DecodeOptions::new()
            .read_info(std::fs::File::open(&path).unwrap())
            .unwrap();
        assert_eq!(
            (decoder.width() as f64, decoder.height() as f64),
            (
                (style.width_in * 50.0).round(),
                (style.height_in * 50.0).round()
            )
        );
        let mut frames = 0;
        while decoder.read_next_frame().unwrap().is_some() {
            frames += 1;
        }
        assert_eq!(frames, 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
