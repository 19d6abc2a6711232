//! An animation of figures, one frame each (the homotopy path stage by stage): an animated GIF
//! (every frame drawn like a PNG of the same style, its colours reduced to 256 by the gif
//! crate's NeuQuant quantizer, the last frame held for two seconds so the end of the path can
//! be read), or an MP4 (H.264) by `ffmpeg` from PNG frames where `ffmpeg` is on the PATH.

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

/// A folder of PNG frames under the system's temporary folder, removed when dropped.
struct Frames(std::path::PathBuf);

impl Frames {
    fn new() -> Result<Self> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("hx-frames-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot make {} for the frames", dir.display()))?;
        Ok(Self(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `ffmpeg` program on the PATH, if there is one.
pub fn ffmpeg() -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("ffmpeg"))
            .find(|p| p.is_file())
    })
}

/// Write `figs` as an MP4 video (H.264, yuv420p, [`FPS`] frames a second, the last frame held
/// two seconds) at `path` with `ffmpeg`, from PNG frames in a temporary folder.
pub fn write_mp4(
    figs: &[&Figure],
    style: &FigureStyle,
    path: &Path,
    ffmpeg: &Path,
    progress: &dyn Fn(usize),
) -> Result<()> {
    if figs.is_empty() {
        bail!("no frames to animate");
    }
    let frames = Frames::new()?;
    // The last frame repeated for two seconds, as the GIF holds it.
    let hold = 2 * usize::from(FPS);
    let mut k = 0;
    for (i, fig) in figs.iter().enumerate() {
        let png = super::files::svg_to_png(&render_svg(&[fig], 1, style)?, style.dpi)?;
        let copies = if i + 1 == figs.len() { hold } else { 1 };
        for _ in 0..copies {
            std::fs::write(frames.path().join(format!("{k:05}.png")), &png)?;
            k += 1;
        }
        progress(i + 1);
    }
    let partial = path.with_extension("partial.mp4");
    let out = std::process::Command::new(ffmpeg)
        .args(["-y", "-loglevel", "error", "-framerate"])
        .arg(FPS.to_string())
        .arg("-i")
        .arg(frames.path().join("%05d.png"))
        // H.264 wants even sides.
        .args([
            "-vf",
            "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&partial)
        .output()
        .with_context(|| format!("cannot run {}", ffmpeg.display()))?;
    if !out.status.success() {
        let _ = std::fs::remove_file(&partial);
        bail!(
            "ffmpeg failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
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
        // The same as a video (`.ci/deps` installs ffmpeg).
        let ffmpeg = ffmpeg().expect("ffmpeg on the PATH: run .ci/deps");
        let video = dir.join("path.mp4");
        write_mp4(&refs, &style, &video, &ffmpeg, &|_| {}).unwrap();
        let bytes = std::fs::read(&video).unwrap();
        assert_eq!(&bytes[4..8], b"ftyp", "an MP4 container");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
