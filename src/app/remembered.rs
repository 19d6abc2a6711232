//! What the explorer remembers between launches (eframe persistence): panels and plots shown,
//! the loss plot's axis, each plot's legend place, zoom, theme, figure style, compute threads
//! and the last preset. Older remembered state loads with defaults for what it lacks.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::PlotKind;

/// What survives a restart (eframe persistence): layout choices and the last preset.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    /// The last configuration as preset text.
    pub last_preset: Option<String>,
    /// Where the last preset was opened from or saved to.
    pub last_preset_path: Option<PathBuf>,
    pub show_controls: bool,
    pub show_schedule: bool,
    /// What the loss plot's x axis is.
    pub loss_axis: LossAxis,
    /// Plots the user hid from the central area (hidden, not shown, is remembered, so plots
    /// added by a newer version appear).
    pub hidden_plots: Vec<PlotKind>,
    /// Lecture mode: locked controls are shown but cannot be changed.
    pub lecture_mode: bool,
    /// Zoom of the whole window (1 = 100 %), within [`ZOOM_RANGE`].
    pub zoom: f32,
    /// Light theme (for projectors) instead of the dark one.
    pub light_theme: bool,
    /// Legends on the plots (off when they would cover a heat map or a curve on a projector).
    pub show_legends: bool,
    /// Where each plot's legend sits, where the user moved or hid it (right-click a plot);
    /// plots not listed have theirs at the top right.
    pub legend_corners: Vec<(PlotKind, LegendCorner)>,
    /// How exported figures look (File → Figure style…); a slide's light or dark follows the
    /// window's theme.
    pub figure_style: crate::export::figure::FigureStyle,
    /// Compute threads chosen in View → Compute threads (None: every core, less one for
    /// drawing above two); `--threads` on the command line wins.
    pub threads: Option<usize>,
}

/// The x axis of the loss and L2RE plot: training steps (linear or log), or, for a
/// homotopy, the finished stages by their number k or their ε (log, decreasing to the right,
/// so the path runs left to right), where Phase I no longer takes most of the axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossAxis {
    #[default]
    Step,
    LogStep,
    Stage,
    Eps,
}

impl LossAxis {
    pub const ALL: [LossAxis; 4] = [Self::Step, Self::LogStep, Self::Stage, Self::Eps];

    pub fn label(self) -> &'static str {
        match self {
            Self::Step => "step",
            Self::LogStep => "step (log)",
            Self::Stage => "stage k",
            Self::Eps => "ε",
        }
    }
}

/// Where a plot's legend sits in the window, or that it is hidden. `Auto` (the default) is a
/// corner in a wide plot (top right; bottom left for the loss, which falls from the top left)
/// and a strip below a narrow or short one, where a corner legend would cover the curves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LegendCorner {
    #[default]
    Auto,
    RightTop,
    LeftTop,
    LeftBottom,
    RightBottom,
    /// A wrapped strip under the plot, never over the curves.
    Below,
    Hidden,
}

impl LegendCorner {
    pub const ALL: [LegendCorner; 7] = [
        Self::Auto,
        Self::RightTop,
        Self::LeftTop,
        Self::LeftBottom,
        Self::RightBottom,
        Self::Below,
        Self::Hidden,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::RightTop => "top right",
            Self::LeftTop => "top left",
            Self::LeftBottom => "bottom left",
            Self::RightBottom => "bottom right",
            Self::Auto => "automatic (below a narrow plot)",
            Self::Below => "below the plot",
            Self::Hidden => "hidden",
        }
    }
}

impl Remembered {
    /// Where `kind`'s legend sits.
    pub fn legend_corner(&self, kind: PlotKind) -> LegendCorner {
        self.legend_corners
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(LegendCorner::Auto, |(_, c)| *c)
    }

    /// Move (or hide) `kind`'s legend.
    pub fn set_legend_corner(&mut self, kind: PlotKind, corner: LegendCorner) {
        self.legend_corners.retain(|(k, _)| *k != kind);
        if corner != LegendCorner::Auto {
            self.legend_corners.push((kind, corner));
        }
    }
}

/// The zoom factors View → Zoom and ctrl +/− move within.
pub const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.5..=3.0;

impl Default for Remembered {
    fn default() -> Self {
        Self {
            last_preset: None,
            last_preset_path: None,
            show_controls: true,
            show_schedule: true,
            loss_axis: LossAxis::Step,
            hidden_plots: Vec::new(),
            lecture_mode: false,
            zoom: 1.0,
            light_theme: false,
            show_legends: true,
            legend_corners: Vec::new(),
            figure_style: Default::default(),
            threads: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legends_move_per_plot_and_older_remembered_state_still_loads() {
        let mut r = Remembered::default();
        assert_eq!(r.legend_corner(PlotKind::Solution), LegendCorner::Auto);
        r.set_legend_corner(PlotKind::Solution, LegendCorner::LeftBottom);
        r.set_legend_corner(PlotKind::Loss, LegendCorner::Hidden);
        assert_eq!(
            r.legend_corner(PlotKind::Solution),
            LegendCorner::LeftBottom
        );
        assert_eq!(r.legend_corner(PlotKind::Loss), LegendCorner::Hidden);
        assert_eq!(r.legend_corner(PlotKind::Error), LegendCorner::Auto);
        // Back to the default: nothing stored for it.
        r.set_legend_corner(PlotKind::Solution, LegendCorner::Auto);
        assert_eq!(
            r.legend_corners,
            vec![(PlotKind::Loss, LegendCorner::Hidden)]
        );
        let back: Remembered = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back.legend_corner(PlotKind::Loss), LegendCorner::Hidden);
        // State remembered by an older version (no legend corners) loads with the defaults.
        let old: Remembered = serde_json::from_str(r#"{"show_legends": false}"#).unwrap();
        assert!(old.legend_corners.is_empty() && !old.show_legends);
    }
}
