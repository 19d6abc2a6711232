//! The plot grid: solution, its error against the reference, residual, loss and L2RE, λ(K_ε) over training, λ_max(D_ε) vs ε,
//! the K_ε spectrum and its soft mode — each with SVG/PDF/PNG/CSV export and, where it applies,
//! pin/compare and recompute buttons.

use crate::app::export::{Format, start_export_plot};
use crate::app::{ExplorerApp, LegendCorner, PlotKind};
use crate::worker::Command;

use super::plot_view::figure_ui;

/// The plot grid, and the plot in focus when one fills the central area.
#[derive(Debug, Default)]
pub struct PlotsPanel {
    focus: Option<PlotKind>,
    draw: InputDrawing,
    /// Drawn once: the window opens at the top of the plots (egui remembers the last
    /// session's scroll, which hid the first row's titles and buttons).
    opened: bool,
}

/// Drawing an operator problem's input on the solution plot: on while `on`, the stroke so
/// far (plot coordinates) until the button is released.
#[derive(Debug, Default)]
struct InputDrawing {
    on: bool,
    stroke: Vec<[f64; 2]>,
}

impl PlotsPanel {
    pub fn ui(&mut self, app: &mut ExplorerApp, ui: &mut egui::Ui) {
        app.follow_scrub();
        if let Some(kind) = self.focus {
            app.on_screen = (vec![kind], 1);
            // Esc answers an open question (Cancel) rather than leaving the focused plot too.
            let back =
                app.open_question().is_none() && ui.input(|i| i.key_pressed(egui::Key::Escape));
            let height = (ui.available_height() - 60.0).max(170.0);
            if back || plot_cell_ui(app, ui, kind, height, true, &mut self.draw) {
                self.focus = None;
            }
        } else {
            let top = !std::mem::replace(&mut self.opened, true);
            self.focus = plots_ui(app, ui, &mut self.draw, top);
        }
    }
}

/// The grid of visible plots; returns the plot whose Focus was asked for.
fn plots_ui(
    app: &mut ExplorerApp,
    ui: &mut egui::Ui,
    draw: &mut InputDrawing,
    top: bool,
) -> Option<PlotKind> {
    let visible: Vec<PlotKind> = PlotKind::ALL
        .iter()
        .copied()
        .filter(|k| !app.remembered.hidden_plots.contains(k))
        .collect();
    if visible.is_empty() {
        app.on_screen = (vec![], 1);
        ui.label("All plots are hidden (View menu).");
        return None;
    }
    pins_table_ui(app, ui);
    let mut focus = None;
    let columns = if ui.available_width() > 900.0 { 2 } else { 1 };
    app.on_screen = (visible.clone(), columns);
    let rows = visible.len().div_ceil(columns);
    let plot_height = ((ui.available_height() / rows as f32) - 48.0).clamp(170.0, 420.0);
    // Fixed, equal column widths (not an egui Grid, whose remembered column widths would let
    // one wide cell squeeze the others for good).
    let spacing = 12.0;
    let area = egui::ScrollArea::vertical();
    let area = if top {
        area.vertical_scroll_offset(0.0)
    } else {
        area
    };
    area.show(ui, |ui| {
        let width = ui.available_width();
        let cell = ((width - spacing * (columns - 1) as f32) / columns as f32).max(180.0);
        for row in visible.chunks(columns) {
            ui.horizontal_top(|ui| {
                ui.spacing_mut().item_spacing.x = spacing;
                for kind in row {
                    ui.allocate_ui_with_layout(
                        egui::vec2(cell, plot_height + 60.0),
                        egui::Layout::top_down(egui::Align::LEFT),
                        |ui| {
                            ui.set_width(cell);
                            if plot_cell_ui(app, ui, *kind, plot_height, false, draw) {
                                focus = Some(*kind);
                            }
                        },
                    );
                }
            });
            ui.add_space(10.0);
        }
    });
    focus
}

/// One plot with its header; `focused`: it fills the area and offers Back. Returns whether
/// Focus (in the grid) or Back (focused) was pressed, or the title double-clicked.
fn plot_cell_ui(
    app: &mut ExplorerApp,
    ui: &mut egui::Ui,
    kind: PlotKind,
    height: f32,
    focused: bool,
    draw: &mut InputDrawing,
) -> bool {
    let fig = kind.figure(&app.view, app.remembered.loss_axis);
    // Title and buttons share a row when both fit; in a narrow cell (or at a large zoom) the
    // buttons move to a row of their own instead of running over the title.
    let text_width =
        |text: &str, style: egui::TextStyle| super::widgets::text_width(ui, text, style);
    // The buttons: the four exports and Focus, and the plot's own (measured as their labels
    // plus a button's padding; the loss plot's axis picker as a wider one).
    let own: &[&str] = match kind {
        PlotKind::Solution => &["Pin run", "Clear pins"],
        PlotKind::Loss => &["per stage, by ε ▾", "x axis"],
        PlotKind::Operator => &["Recompute"],
        PlotKind::Spectrum | PlotKind::SoftMode | PlotKind::Kernel => &["Compute at this stage"],
        PlotKind::Residual | PlotKind::Error => &[],
    };
    let pad = 2.0 * ui.spacing().button_padding.x + ui.spacing().item_spacing.x;
    let buttons: f32 = ["Focus", "CSV", "PNG", "PDF", "SVG"]
        .iter()
        .chain(own)
        .map(|b| text_width(b, egui::TextStyle::Body) + pad)
        .sum();
    // Measured with its numbers at their widest, so the buttons do not jump between the
    // title's row and a row of their own as ε = 0.1 becomes ε = 0.07943 during a run.
    let wide = ui.available_width()
        > text_width(&widest_numbers(&fig.title), egui::TextStyle::Body) + buttons + 24.0;
    let mut toggle = false;
    ui.horizontal(|ui| {
        let title = ui
            .add(
                egui::Label::new(egui::RichText::new(&fig.title).strong())
                    .wrap()
                    .sense(egui::Sense::click()),
            )
            .on_hover_text(if focused {
                "Double-click (or Esc) to return to all plots"
            } else {
                "Double-click to fill the area with this plot"
            });
        toggle |= title.double_clicked();
        if wide {
            toggle |= header_buttons(app, ui, kind, focused, false);
        }
    });
    if !wide {
        ui.horizontal(|ui| toggle |= header_buttons(app, ui, kind, focused, true));
    }
    let corner = app.remembered.legend_corner(kind);
    // Narrow (under about 60 characters of legend text across) or short (a legend of four or
    // five entries would cover half its height), at any zoom.
    let narrow = ui.available_width() < 480.0 || height < 260.0;
    let below = app.remembered.show_legends
        && (corner == LegendCorner::Below || (corner == LegendCorner::Auto && narrow));
    let legend = match corner {
        _ if !app.remembered.show_legends || below => None,
        LegendCorner::Hidden | LegendCorner::Below => None,
        // Losses fall from the top left and the newest stages are on the right: the bottom
        // left is the corner a loss plot leaves empty.
        LegendCorner::Auto if kind == PlotKind::Loss => Some(egui_plot::Corner::LeftBottom),
        LegendCorner::Auto | LegendCorner::RightTop => Some(egui_plot::Corner::RightTop),
        LegendCorner::LeftTop => Some(egui_plot::Corner::LeftTop),
        LegendCorner::LeftBottom => Some(egui_plot::Corner::LeftBottom),
        LegendCorner::RightBottom => Some(egui_plot::Corner::RightBottom),
    };
    // Right-click (without dragging: a right drag zooms to a box) moves or hides the legend.
    // An operator problem's input is drawn on the solution plot while drawing is on.
    let drawing = kind == PlotKind::Solution && draw.on && app.is_operator_problem();
    let plot = figure_ui(
        ui,
        kind.title(),
        &fig,
        height,
        legend,
        drawing.then_some(&mut draw.stroke),
    );
    if drawing && !draw.stroke.is_empty() && !ui.input(|i| i.pointer.primary_down()) {
        let stroke = std::mem::take(&mut draw.stroke);
        if app.set_drawn_input(&stroke) {
            draw.on = false;
        }
    }
    if kind == PlotKind::Solution && app.is_operator_problem() {
        operator_controls(app, ui, draw);
    }
    let strip = below.then(|| super::plot_view::legend_strip(ui, &fig));
    for response in std::iter::once(plot).chain(strip) {
        response.context_menu(|ui| {
            ui.label("Legend");
            for c in LegendCorner::ALL {
                if ui.radio(corner == c, c.label()).clicked() {
                    app.remembered.set_legend_corner(kind, c);
                    ui.close();
                }
            }
        });
    }
    if kind == PlotKind::Kernel && app.view.diagnostics.is_none() {
        ui.label(
            egui::RichText::new("No spectrum yet: set Diagnostics → spectrum every N steps, or press “Compute now”.")
                .small()
                .weak(),
        );
    }
    if kind == PlotKind::Kernel
        && let Some(band) = app
            .view
            .diagnostics
            .as_ref()
            .and_then(|d| d.report.band.as_ref())
        && band.degenerate()
    {
        ui.label(
            egui::RichText::new(format!(
                "Theorem 4.1 band not drawn: SSᵀ is singular to round-off (λ_min ≤ {:.1e})",
                band.n as f64 * f64::EPSILON * band.lambda_max_sst
            ))
            .small()
            .weak(),
        );
    }
    toggle
}

/// `title` with every number (a run of digits and points) padded to seven digits, the widest
/// ε, s or step the titles show in their usual form.
fn widest_numbers(title: &str) -> String {
    let mut out = String::with_capacity(title.len() + 16);
    let mut run = 0;
    let flush = |out: &mut String, run: &mut usize| {
        out.extend(std::iter::repeat_n(
            '0',
            (*run).max(7) * usize::from(*run > 0),
        ));
        *run = 0;
    };
    for c in title.chars() {
        if c.is_ascii_digit() || c == '.' {
            run += 1;
        } else {
            flush(&mut out, &mut run);
            out.push(c);
        }
    }
    flush(&mut out, &mut run);
    out
}

/// The buttons of a plot's header: Focus/Back, export, and the plot's own actions,
/// right-aligned beside the title, or (`wrap`, on a row of their own) wrapping onto further
/// rows rather than running out of a narrow cell. Returns whether Focus or Back was pressed.
fn header_buttons(
    app: &mut ExplorerApp,
    ui: &mut egui::Ui,
    kind: PlotKind,
    focused: bool,
    wrap: bool,
) -> bool {
    let layout = if wrap {
        egui::Layout::left_to_right(egui::Align::Center).with_main_wrap(true)
    } else {
        egui::Layout::right_to_left(egui::Align::Center)
    };
    // The same order whichever way they are laid out: a right-to-left row adds the rightmost
    // first, a wrapping left-to-right one the leftmost (they used to swap ends when the title
    // grew and pushed them onto their own row).
    let mut items = [
        Header::Toggle,
        Header::Export(Format::Csv),
        Header::Export(Format::Png),
        Header::Export(Format::Pdf),
        Header::Export(Format::Svg),
        Header::Own,
    ];
    if wrap {
        items.reverse();
    }
    ui.with_layout(layout, |ui| {
        let mut toggle = false;
        for item in items {
            match item {
                Header::Toggle => {
                    let (label, hint) = if focused {
                        ("Back", "Return to all plots (Esc)")
                    } else {
                        ("Focus", "Fill the area with this plot (Esc returns)")
                    };
                    toggle = ui.small_button(label).on_hover_text(hint).clicked();
                }
                Header::Export(format) => {
                    let label = format.extension().to_uppercase();
                    if ui
                        .small_button(&label)
                        .on_hover_text(format!("Export this plot as {label}"))
                        .clicked()
                    {
                        start_export_plot(app, kind, format);
                    }
                }
                Header::Own => own_actions(app, ui, kind, wrap),
            }
        }
        toggle
    })
    .inner
}

/// One entry of a plot's header ([`header_buttons`]).
#[derive(Clone, Copy)]
enum Header {
    Toggle,
    Export(Format),
    Own,
}

/// The plot's own actions in its header (`wrap`: laid out left to right).
fn own_actions(app: &mut ExplorerApp, ui: &mut egui::Ui, kind: PlotKind, wrap: bool) {
    match kind {
        PlotKind::Solution => {
            let clear = |app: &mut ExplorerApp, ui: &mut egui::Ui| {
                if !app.view.pinned.is_empty()
                    && ui
                        .small_button("Clear pins")
                        .on_hover_text("Remove every pinned run (asks first)")
                        .clicked()
                {
                    app.clear_pins();
                }
            };
            if !wrap {
                clear(app, ui);
            }
            if ui
                .small_button("Pin run")
                .on_hover_text("Keep this run's curves to compare with the next one")
                .clicked()
                && !app.view.pin_current()
            {
                app.view.message(true, "nothing to pin yet");
            }
            if wrap {
                clear(app, ui);
            }
        }
        PlotKind::Loss => {
            let axis = &mut app.remembered.loss_axis;
            egui::ComboBox::new("loss-axis", "x axis")
                .selected_text(axis.label())
                .show_ui(ui, |ui| {
                    for a in crate::app::LossAxis::ALL {
                        ui.selectable_value(axis, a, a.label());
                    }
                })
                .response
                .on_hover_text("Plot against steps, or per finished stage by k or by ε");
        }
        PlotKind::Operator => {
            if ui.small_button("Recompute").clicked() {
                app.send(Command::RequestSweep);
            }
        }
        PlotKind::Spectrum | PlotKind::SoftMode | PlotKind::Kernel => {
            // Scrubbed to a finished stage: its own spectrum, from the θ it ended with.
            let stage = app
                .view
                .scrub
                .and_then(|k| app.view.stages.get(k))
                .filter(|s| !s.theta.is_empty());
            match stage {
                Some(s) => {
                    if ui
                        .small_button("Compute at this stage")
                        .on_hover_text(
                            "The spectrum of K_ε with the parameters this stage ended with",
                        )
                        .clicked()
                    {
                        app.send(Command::RequestStageDiagnostics {
                            step: s.step,
                            theta: s.theta.clone(),
                            eps: s.eps,
                        });
                    }
                }
                None => {
                    if ui.small_button("Compute now").clicked() {
                        app.send(Command::RequestDiagnostics);
                    }
                }
            }
        }
        PlotKind::Residual | PlotKind::Error => {}
    }
}

/// The pinned runs of the shown problem, one row each: colour, what the run was, the ε it
/// stood at and how it ended (a run stopped by its step cap short of ε* says so), its final
/// loss, L2RE, x₀, steps and wall time, and a button to unpin it. Pins of other problems are
/// counted, not listed.
fn pins_table_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    if app.view.pinned.is_empty() {
        return;
    }
    let problem = app.config().problem.kind;
    let elsewhere = app.view.pins_elsewhere(problem);
    let title = match elsewhere {
        0 => format!("Pinned runs ({})", app.view.pinned.len()),
        n => format!(
            "Pinned runs ({} here, {n} of other problems hidden)",
            app.view.pinned.len() - n
        ),
    };
    let mut remove = None;
    let fmt = |v: Option<f64>, f: fn(f64) -> String| v.map_or("—".to_string(), f);
    // The numbers of a pin, under these headings in both layouts.
    const HEADINGS: [&str; 7] = [
        "at ε",
        "status",
        "final loss",
        "L2RE",
        "x₀",
        "steps",
        "wall s",
    ];
    let numbers = |s: &crate::train::RunSummary| {
        [
            crate::config::four_digits(s.eps),
            s.end_reason
                .replace("max_steps", "step cap")
                .replace('_', " "),
            format!("{:.3e}", s.final_loss.total),
            fmt(s.l2re_exact.or(s.l2re_reference), |v| format!("{v:.3e}")),
            fmt(s.front_x0, |v| format!("{v:.4}")),
            s.steps.to_string(),
            format!("{:.1}", s.wall_secs),
        ]
    };
    egui::CollapsingHeader::new(title)
        .default_open(true)
        .show(ui, |ui| {
            let swatch = |p: &crate::app::state::PinnedRun| {
                let (r, g, b) = p.color;
                egui::RichText::new(format!("■ pin {}", p.number))
                    .color(egui::Color32::from_rgb(r, g, b))
            };
            let shown = app
                .view
                .pinned
                .iter()
                .enumerate()
                .filter(|(_, p)| p.problem == problem);
            if elsewhere == app.view.pinned.len() {
                // Every pin is of another problem: the title says so, no empty table.
                ui.label(
                    egui::RichText::new("Pins are drawn on runs of their own problem.").weak(),
                );
                return;
            }
            // A narrow column (a projector's zoom, a small window): each pin as a wrapped line
            // of numbers with its name under it, so nothing is cut off; else one table.
            if ui.available_width() < 720.0 {
                for (i, p) in shown {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(swatch(p));
                        for (heading, value) in HEADINGS.into_iter().zip(numbers(&p.summary)) {
                            ui.label(egui::RichText::new(heading).weak());
                            ui.label(value);
                        }
                        if ui.small_button("Unpin").clicked() {
                            remove = Some(i);
                        }
                    });
                    ui.label(egui::RichText::new(&p.name).weak());
                }
                return;
            }
            egui::Grid::new("pins").striped(true).show(ui, |ui| {
                ui.strong("");
                ui.strong("run");
                for heading in HEADINGS {
                    ui.strong(heading);
                }
                ui.end_row();
                for (i, p) in shown {
                    ui.label(swatch(p));
                    ui.label(&p.name);
                    for value in numbers(&p.summary) {
                        ui.label(value);
                    }
                    if ui.small_button("Unpin").clicked() {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
        });
    if let Some(i) = remove {
        app.view.pinned.remove(i);
    }
}

/// An operator problem's input controls under the solution plot: a fresh input, drawing one,
/// or back to the held-out test inputs.
fn operator_controls(app: &mut ExplorerApp, ui: &mut egui::Ui, draw: &mut InputDrawing) {
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("New input")
            .on_hover_text("Draw a fresh u₀ from the input field and show the operator's answer at once, with its inference time beside the finite-difference solve's")
            .clicked()
        {
            app.new_operator_input();
        }
        let label = if draw.on { "Drawing… (drag on the plot)" } else { "Draw input" };
        if ui
            .selectable_label(draw.on, label)
            .on_hover_text("Drag across the solution plot to draw u₀ (smoothed, zero at both ends); the operator answers when you release")
            .clicked()
        {
            draw.on = !draw.on;
            draw.stroke.clear();
        }
        if app.view.operator_input.is_some() && ui.button("Test inputs").clicked() {
            app.show_test_inputs();
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_are_measured_with_their_numbers_at_the_widest() {
        assert_eq!(
            super::widest_numbers("Solution at ε = 0.1"),
            super::widest_numbers("Solution at ε = 0.07943")
        );
        assert_eq!(
            super::widest_numbers("stage 62 of 230"),
            "stage 0000000 of 0000000"
        );
        assert_eq!(super::widest_numbers("no numbers"), "no numbers");
    }
}
