//! A figure's source beside its files: `stem.figure.toml` holds the panels (the [`Figure`]
//! data, every value as computed, NaN and ∞ included) and the grid's column count, so
//! [`restyle`] draws the same figure again in another style, size or format without running
//! anything again. Written with every figure of `run` and `reproduce`; read back with checks that
//! name the file and the field at fault.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::{Figure, FigureOutput};

/// The file name ending of a figure source.
pub const SUFFIX: &str = ".figure.toml";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// The panels of one figure file and how they are laid out.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FigureSource {
    pub version: u32,
    /// Columns of the panel grid.
    pub cols: usize,
    pub panels: Vec<Figure>,
}

impl FigureSource {
    pub fn new(figs: &[&Figure], cols: usize) -> Self {
        Self {
            version: VERSION,
            cols,
            panels: figs.iter().map(|f| (*f).clone()).collect(),
        }
    }

    /// Write `dir/stem.figure.toml` atomically.
    pub fn write(&self, dir: &Path, stem: &str) -> Result<()> {
        let path = dir.join(format!("{stem}{SUFFIX}"));
        let text = toml::to_string(self).context("cannot encode the figure source")?;
        crate::export::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot write figure source {}", path.display()))
    }

    /// Read and check a source file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read figure source {}", path.display()))?;
        let source: Self = toml::from_str(&text)
            .with_context(|| format!("{} is not a figure source", path.display()))?;
        source
            .check()
            .with_context(|| format!("figure source {}", path.display()))?;
        Ok(source)
    }

    /// Shapes the renderer relies on: a version this build reads, at least one panel and one
    /// column, heat maps and bands whose arrays agree in length.
    pub fn check(&self) -> Result<()> {
        if self.version != VERSION {
            bail!(
                "version {} is not supported (this build reads version {VERSION})",
                self.version
            );
        }
        if self.panels.is_empty() {
            bail!("`panels` is empty: a figure needs at least one panel");
        }
        if self.cols == 0 {
            bail!("`cols` is 0: the panel grid needs at least one column");
        }
        for (k, p) in self.panels.iter().enumerate() {
            if let Some(h) = &p.heatmap
                && (h.nx == 0 || h.ny == 0 || h.values.len() != h.nx * h.ny)
            {
                bail!(
                    "panel {} ({}): the heat map has {} values for nx = {} × ny = {} (must be nx·ny, both at least 1)",
                    k + 1,
                    p.title,
                    h.values.len(),
                    h.nx,
                    h.ny
                );
            }
            for b in &p.bands {
                if b.lower.len() != b.x.len() || b.upper.len() != b.x.len() {
                    bail!(
                        "panel {} ({}): band `{}` has {} x values but {} lower and {} upper (must be equal)",
                        k + 1,
                        p.title,
                        b.label,
                        b.x.len(),
                        b.lower.len(),
                        b.upper.len()
                    );
                }
            }
        }
        Ok(())
    }
}

/// Every figure source under `dir` (recursively), sorted.
pub fn find(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(SUFFIX) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Draw every figure source under `src` again with `output`, into the same relative folders
/// under `dst`; returns the sources drawn. Fails before writing anything when a source does
/// not read, and names it.
pub fn restyle(src: &Path, dst: &Path, output: &FigureOutput) -> Result<Vec<PathBuf>> {
    let paths = find(src)?;
    if paths.is_empty() {
        bail!(
            "no figure sources (*{SUFFIX}) under {}: `run --figure-formats …`, `reproduce` and `sweep collect` write one beside every figure",
            src.display()
        );
    }
    let sources = paths
        .iter()
        .map(|p| FigureSource::read(p).map(|s| (p, s)))
        .collect::<Result<Vec<_>>>()?;
    for (path, source) in &sources {
        let rel = path.strip_prefix(src).unwrap_or(path);
        let dir = dst.join(rel.parent().unwrap_or(Path::new("")));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
        let stem = name
            .as_deref()
            .and_then(|n| n.strip_suffix(SUFFIX))
            .unwrap_or("figure");
        let panels: Vec<&Figure> = source.panels.iter().collect();
        output.write(&panels, source.cols, &dir, stem)?;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::figure::{FigureFormat, FigureStyle, Heatmap, Mark, render_svg};

    fn panels() -> Vec<Figure> {
        let mut a = Figure::new("u_θ vs exact", "x", "u")
            .with_series("exact", vec![(-1.0, -1.0), (1.0, 1.0)], Mark::Reference)
            .with_series(
                "diverged",
                vec![(0.0, f64::NAN), (0.5, f64::INFINITY)],
                Mark::Line,
            );
        a.vlines.push((0.1, "ε".into()));
        let mut b = Figure::new("field", "x", "y");
        b.heatmap = Some(Heatmap {
            label: "u".into(),
            nx: 2,
            ny: 2,
            x: (0.0, 1.0),
            y: (0.0, 1.0),
            values: vec![0.1, -0.2, 1.0 / 3.0, f64::NEG_INFINITY],
            fixed_scale: Some(0.5),
            sequential: false,
        });
        vec![a, b]
    }

    #[test]
    fn a_source_draws_the_same_figure_again() {
        let dir = tempfile::tempdir().unwrap();
        let figs = panels();
        let refs: Vec<&Figure> = figs.iter().collect();
        let output = FigureOutput::default();
        output.write(&refs, 2, dir.path(), "page").unwrap();
        let first = std::fs::read_to_string(dir.path().join("page.svg")).unwrap();
        let source = FigureSource::read(&dir.path().join("page.figure.toml")).unwrap();
        assert_eq!(source.cols, 2);
        let again: Vec<&Figure> = source.panels.iter().collect();
        assert_eq!(render_svg(&again, 2, &FigureStyle::paper()).unwrap(), first);
        // Restyled into another folder: slide SVG and PDF, the source travels along.
        let out = dir.path().join("slide");
        let slide = FigureOutput {
            style: FigureStyle::slide(crate::export::figure::Theme::Light),
            formats: vec![FigureFormat::Svg, FigureFormat::Pdf],
        };
        let drawn = restyle(dir.path(), &out, &slide).unwrap();
        assert_eq!(drawn.len(), 1);
        for name in ["page.svg", "page.pdf", "page.figure.toml"] {
            assert!(out.join(name).is_file(), "{name}");
        }
        assert_ne!(
            std::fs::read_to_string(out.join("page.svg")).unwrap(),
            first
        );
    }

    #[test]
    fn bad_sources_are_named_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let err = restyle(dir.path(), &out, &FigureOutput::default()).unwrap_err();
        assert!(err.to_string().contains("no figure sources"), "{err}");
        let figs = panels();
        let mut source = FigureSource::new(&figs.iter().collect::<Vec<_>>(), 2);
        source.panels[1].heatmap.as_mut().unwrap().values.pop();
        source.write(dir.path(), "broken").unwrap();
        let err = format!(
            "{:#}",
            restyle(dir.path(), &out, &FigureOutput::default()).unwrap_err()
        );
        assert!(
            err.contains("broken.figure.toml") && err.contains("3 values"),
            "{err}"
        );
        assert!(!out.exists());
        std::fs::write(
            dir.path().join("broken.figure.toml"),
            "version = 7\ncols = 1\npanels = []\n",
        )
        .unwrap();
        let err = format!(
            "{:#}",
            restyle(dir.path(), &out, &FigureOutput::default()).unwrap_err()
        );
        assert!(err.contains("version 7"), "{err}");
    }
}
