//! File → Figure style…: how exported figures look (paper or slide, size in inches, font size
//! in points, PNG resolution). The fields are text the user types; Apply reads them, names any
//! value that is not a number or is outside its range, and changes nothing until all are good.

use crate::app::ExplorerApp;
use crate::export::figure::style::{DPI_RANGE, FONT_RANGE_PT, HEIGHT_RANGE_IN, WIDTH_RANGE_IN};
use crate::export::figure::{FigureStyle, StyleKind, Theme};

/// The open window's fields (None: closed).
#[derive(Debug, Default)]
pub struct FigureStyleWindow {
    edit: Option<Draft>,
}

#[derive(Debug, Clone)]
struct Draft {
    kind: StyleKind,
    width: String,
    height: String,
    font: String,
    dpi: String,
    error: Option<String>,
}

impl Draft {
    fn of(s: &FigureStyle) -> Self {
        Self {
            kind: s.kind,
            width: s.width_in.to_string(),
            height: s.height_in.to_string(),
            font: s.font_pt.to_string(),
            dpi: s.dpi.to_string(),
            error: None,
        }
    }

    /// The style the fields describe, or what is wrong with them.
    fn read(&self) -> Result<FigureStyle, String> {
        let num = |name: &str, text: &str| -> Result<f64, String> {
            text.trim()
                .parse::<f64>()
                .map_err(|_| format!("{name} “{text}” is not a number"))
        };
        let dpi = self
            .dpi
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("resolution “{}” is not a whole number of dpi", self.dpi))?;
        let style = FigureStyle {
            kind: self.kind,
            width_in: num("width", &self.width)?,
            height_in: num("height", &self.height)?,
            font_pt: num("font size", &self.font)?,
            dpi,
            theme: Theme::Light,
        };
        style.check()?;
        Ok(style)
    }
}

impl FigureStyleWindow {
    pub fn open(&mut self, app: &ExplorerApp) {
        self.edit = Some(Draft::of(&app.remembered.figure_style));
    }

    pub fn ui(&mut self, app: &mut ExplorerApp, ctx: &egui::Context) {
        let Some(draft) = &mut self.edit else {
            return;
        };
        let mut open = true;
        let mut close = false;
        egui::Window::new("Figure style")
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                ui.label("How exported figures look (every plot export, “Export shown plots” and “Export all”).");
                ui.horizontal(|ui| {
                    for kind in StyleKind::ALL {
                        let label = match kind {
                            StyleKind::Paper => "Paper",
                            StyleKind::Slide => "Slide",
                        };
                        if ui.selectable_label(draft.kind == kind, label).clicked() && draft.kind != kind {
                            // A new kind starts from its own sizes.
                            *draft = Draft::of(&FigureStyle::of(kind, Theme::Light));
                        }
                    }
                });
                ui.label(match draft.kind {
                    StyleKind::Paper => "White; a 3.3 in column (several plots widen to 6.7 in); series told apart by dash pattern as well as colour.",
                    StyleKind::Slide => "16:9, large text, thick lines; light or dark as the window's theme (View → Light theme). Several plots share the page, re-gridded to fit it, with smaller text.",
                });
                egui::Grid::new("figure-style").num_columns(3).show(ui, |ui| {
                    let row = |ui: &mut egui::Ui, name: &str, text: &mut String, range: String| {
                        ui.label(name);
                        ui.add(
                            egui::TextEdit::singleline(text)
                                .desired_width(90.0)
                                .clip_text(false),
                        );
                        ui.weak(range);
                        ui.end_row();
                    };
                    row(ui, "Width (in)", &mut draft.width, format!("{} … {}", WIDTH_RANGE_IN.0, WIDTH_RANGE_IN.1));
                    row(ui, "Height (in)", &mut draft.height, format!("{} … {}", HEIGHT_RANGE_IN.0, HEIGHT_RANGE_IN.1));
                    row(ui, "Font size (pt)", &mut draft.font, format!("{} … {}", FONT_RANGE_PT.0, FONT_RANGE_PT.1));
                    row(ui, "PNG resolution (dpi)", &mut draft.dpi, format!("{} … {}", DPI_RANGE.0, DPI_RANGE.1));
                });
                if let Some(e) = &draft.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    if ui.button("Apply").clicked() {
                        match draft.read().and_then(|s| app.set_figure_style(s)) {
                            Ok(()) => {
                                app.view.message(false, "figure style changed; the next export uses it");
                                close = true;
                            }
                            Err(e) => draft.error = Some(format!("{e}; nothing changed")),
                        }
                    }
                    if ui.button("Defaults").on_hover_text("This kind's sizes (not applied until Apply)").clicked() {
                        *draft = Draft::of(&FigureStyle::of(draft.kind, Theme::Light));
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            });
        if !open || close {
            self.edit = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_that_are_not_numbers_or_out_of_range_are_named() {
        let mut d = Draft::of(&FigureStyle::paper());
        assert_eq!(d.read(), Ok(FigureStyle::paper()));
        d.width = "wide".into();
        assert!(d.read().unwrap_err().contains("width “wide”"));
        d = Draft::of(&FigureStyle::paper());
        d.font = "60".into();
        let e = d.read().unwrap_err();
        assert!(e.contains("font size") && e.contains("48"), "{e}");
        d = Draft::of(&FigureStyle::paper());
        d.dpi = "150.5".into();
        assert!(d.read().unwrap_err().contains("whole number"));
    }
}
