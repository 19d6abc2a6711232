//! Draw a [`Figure`] with egui_plot. Log axes are drawn by plotting log₁₀ of the values with
//! tick labels 10^k, since egui_plot has linear axes only.

use egui_plot::{
    AxisHints, FilledArea, GridInput, GridMark, HLine, HoverPosition, Legend, Line, Plot,
    PlotImage, PlotPoint, PlotPoints, Points, VLine, log_grid_spacer, uniform_grid_spacer,
};

use crate::export::figure::{Figure, Heatmap, Mark};

fn color((r, g, b): (u8, u8, u8)) -> egui::Color32 {
    egui::Color32::from_rgb(r, g, b)
}

fn transform(log: bool, v: f64) -> Option<f64> {
    if !v.is_finite() {
        return None;
    }
    if log {
        (v > 0.0).then(|| v.log10())
    } else {
        Some(v)
    }
}

/// egui_plot's default smallest grid spacing in points: `GridInput::base_step_size` is this many
/// points in plot units.
const GRID_SPACING_MIN_POINTS: f64 = 8.0;
/// Points between labelled x marks; egui_plot shows an x label only from 60 points apart.
const X_LABEL_POINTS: f64 = 64.0;

/// The smallest of …, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, … that is at least `x` (> 0).
pub(crate) fn one_two_five_at_least(x: f64) -> f64 {
    let decade = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|&v| v >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * decade)
}

/// An x grid at 1-2-5 steps no finer than `finest`, labelled at the first step that leaves
/// room for a label. egui_plot's default grid steps by powers of ten, so a short axis (ten
/// stages, k = 0…9) is labelled only at 0; this one labels it at every 1, 2 or 5.
pub(crate) fn one_two_five_x_spacer(finest: f64) -> impl Fn(GridInput) -> Vec<GridMark> {
    uniform_grid_spacer(move |input: GridInput| {
        let per_point = input.base_step_size / GRID_SPACING_MIN_POINTS;
        let minor = one_two_five_at_least(input.base_step_size.max(finest));
        let labelled = one_two_five_at_least((per_point * X_LABEL_POINTS).max(finest));
        [minor, labelled, 10.0 * labelled]
    })
}

fn tick_label(log: bool, mark: GridMark) -> String {
    let v = mark.value;
    if log {
        if (v - v.round()).abs() < 1e-9 {
            format!("1e{}", v.round() as i64)
        } else {
            String::new()
        }
    } else if v.abs() >= 1e4 || (v != 0.0 && v.abs() < 1e-3) {
        // As many mantissa digits as the step needs, so neighbouring ticks never read alike
        // (a narrow range of eigenvalues near 1.2e5 read "1.2e5" at every tick).
        let step = mark.step_size.abs();
        let digits = if step > 0.0 {
            (v.abs().log10().floor() - step.log10().floor()).clamp(1.0, 12.0) as usize
        } else {
            1
        };
        format!("{v:.digits$e}")
    } else {
        let step = mark.step_size.abs();
        let decimals = if step >= 1.0 {
            0
        } else {
            (-step.log10()).ceil() as usize
        };
        format!("{v:.decimals$}")
    }
}

/// The heat map as a texture, uploaded again only when its values change.
fn heatmap_texture(ui: &egui::Ui, id: &str, h: &Heatmap) -> egui::TextureHandle {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (h.nx, h.ny).hash(&mut hasher);
    for v in &h.values {
        v.to_bits().hash(&mut hasher);
    }
    let hash = hasher.finish();
    let key = ui.make_persistent_id(("heatmap", id));
    if let Some((old, texture)) = ui.data(|d| d.get_temp::<(u64, egui::TextureHandle)>(key))
        && old == hash
    {
        return texture;
    }
    // Image rows run top to bottom, i.e. y descending.
    let color = &h.colors();
    let pixels = (0..h.ny)
        .rev()
        .flat_map(|j| {
            (0..h.nx).map(move |i| {
                let (r, g, b) = color(h.values[j * h.nx + i]);
                egui::Color32::from_rgb(r, g, b)
            })
        })
        .collect();
    let texture = ui.ctx().load_texture(
        format!("heatmap-{id}"),
        egui::ColorImage::new([h.nx, h.ny], pixels),
        egui::TextureOptions::NEAREST,
    );
    ui.data_mut(|d| d.insert_temp(key, (hash, texture.clone())));
    texture
}

/// Show `fig` in `ui` with the given height; `id` keeps each plot's zoom state apart.
/// `legend`: draw the legend (top right) — off when it would hide the data.
/// A figure text as the screen shows it: subscripts stay `_x` (egui draws plain text) and an
/// escaped underscore (`\_`, names from data) is a plain one.
fn screen_text(text: &str) -> String {
    text.replace("\\_", "_")
}

/// The name of the category at `v` (named rows or columns), if `v` sits on one.
fn category_at(names: &[String], v: f64, top_first: bool) -> Option<String> {
    let k = v.round();
    if (v - k).abs() > 1e-6 || k < 0.0 || k as usize >= names.len() {
        return None;
    }
    let k = k as usize;
    let i = if top_first { names.len() - 1 - k } else { k };
    Some(screen_text(&names[i]))
}

/// Draw `fig` as an interactive plot `height` high, its legend in `legend`'s corner (none
/// when None); returns the plot's response (for a context menu). With `stroke`, the plot is a
/// drawing surface: dragging with the primary button adds the pointer's plot coordinates to
/// it (panning and box zoom are off) and the stroke so far is drawn on top.
pub fn figure_ui(
    ui: &mut egui::Ui,
    id: &str,
    fig: &Figure,
    height: f32,
    legend: Option<egui_plot::Corner>,
    stroke: Option<&mut Vec<[f64; 2]>>,
) -> egui::Response {
    let (x_log, y_log) = (fig.x_log, fig.y_log);
    let (x_names, y_names) = (fig.x_categories.clone(), fig.y_categories.clone());
    // The mouse wheel scrolls the page of plots; zoom is ctrl + wheel or a right-button box.
    // Tick labels at half egui_plot's default spacing (a label that would not fit is still
    // skipped): a short or narrow plot keeps a label per decade and per 100 steps.
    let x_axis = AxisHints::new_x()
        .label(screen_text(&fig.x_label))
        .label_spacing(30.0..=45.0)
        .formatter(move |m, _| {
            if x_names.is_empty() {
                tick_label(x_log, m)
            } else {
                category_at(&x_names, m.value, false).unwrap_or_default()
            }
        });
    let y_axis = AxisHints::new_y()
        .label(screen_text(&fig.y_label))
        .label_spacing(12.0..=18.0)
        .formatter(move |m, _| {
            if y_names.is_empty() {
                tick_label(y_log, m)
            } else {
                category_at(&y_names, m.value, true).unwrap_or_default()
            }
        });
    let mut plot = Plot::new(id)
        .height(height)
        .invert_x(fig.x_reversed)
        .allow_scroll(false)
        .custom_x_axes(vec![x_axis])
        .custom_y_axes(vec![y_axis])
        .label_formatter(move |pos| {
            let (name, p) = match pos {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (*plot_name, *position),
                HoverPosition::Elsewhere { position } => ("", *position),
            };
            let x = if x_log { 10f64.powf(p.x) } else { p.x };
            let y = if y_log { 10f64.powf(p.y) } else { p.y };
            Some(if name.is_empty() {
                format!("x = {x:.4e}\ny = {y:.4e}")
            } else {
                format!("{name}\nx = {x:.4e}\ny = {y:.4e}")
            })
        });
    if let Some(corner) = legend {
        plot = plot.legend(Legend::default().position(corner));
    }
    // Named rows or columns keep half a step of room around them.
    if !fig.y_categories.is_empty() {
        plot = plot
            .include_y(-0.5)
            .include_y(fig.y_categories.len() as f64 - 0.5);
    }
    if !fig.x_categories.is_empty() {
        plot = plot
            .include_x(-0.5)
            .include_x(fig.x_categories.len() as f64 - 0.5);
    }
    if x_log {
        plot = plot.x_grid_spacer(log_grid_spacer(10));
    }
    if y_log {
        plot = plot.y_grid_spacer(log_grid_spacer(10));
    }
    let map = |pts: &[(f64, f64)]| -> Vec<[f64; 2]> {
        pts.iter()
            .filter_map(|&(x, y)| Some([transform(x_log, x)?, transform(y_log, y)?]))
            .collect()
    };
    let heatmap = fig
        .heatmap
        .as_ref()
        .filter(|h| h.nx >= 2 && h.ny >= 2 && h.values.len() == h.nx * h.ny)
        .map(|h| (h, heatmap_texture(ui, id, h)));
    if let Some((h, _)) = &heatmap {
        // The plot takes the domain's shape, so the field fills it instead of sitting in a
        // square inside a wide x range: narrower than the column when the domain is taller
        // than the space, shorter when it is wider (room for the axes added).
        let ((x0, y0), _) = h.cell(0, 0);
        let (_, (x1, y1)) = h.cell(h.nx - 1, h.ny - 1);
        let aspect = ((y1 - y0) / (x1 - x0)).abs() as f32;
        let axes = egui::vec2(60.0, 40.0);
        let room = egui::vec2(ui.available_width(), height) - axes;
        if aspect.is_finite() && aspect > 0.0 && room.x > 0.0 && room.y > 0.0 {
            if room.y / aspect < room.x {
                plot = plot.width(room.y / aspect + axes.x);
            } else {
                plot = plot.height(room.x * aspect + axes.y);
            }
        }
        plot = plot.data_aspect(1.0);
        // The colour scale above the field: inside a plot narrowed to the domain's shape it
        // would be cut off.
        if legend.is_some() {
            ui.label(egui::RichText::new(screen_text(&h.legend())).small());
        }
    }
    if stroke.is_some() {
        plot = plot.allow_drag(false).allow_boxed_zoom(false);
    }
    let foreground = ui.visuals().text_color();
    plot.show(ui, |plot_ui| {
        if let Some(stroke) = stroke {
            let pressed = plot_ui.response().is_pointer_button_down_on()
                && plot_ui.ctx().input(|i| i.pointer.primary_down());
            if pressed && let Some(p) = plot_ui.pointer_coordinate() {
                stroke.push([p.x, p.y]);
            }
            if !stroke.is_empty() {
                plot_ui.line(
                    Line::new("your stroke", PlotPoints::from(stroke.clone()))
                        .color(foreground)
                        .width(2.0),
                );
            }
        }
        if let Some((h, texture)) = &heatmap {
            let ((x0, y0), _) = h.cell(0, 0);
            let (_, (x1, y1)) = h.cell(h.nx - 1, h.ny - 1);
            plot_ui.image(PlotImage::new(
                "",
                texture.id(),
                PlotPoint::new((x0 + x1) / 2.0, (y0 + y1) / 2.0),
                [(x1 - x0) as f32, (y1 - y0) as f32],
            ));
        }
        for b in &fig.bands {
            let mut xs = Vec::new();
            let mut lo = Vec::new();
            let mut hi = Vec::new();
            for i in 0..b.x.len() {
                if let (Some(x), Some(l), Some(h)) = (
                    transform(x_log, b.x[i]),
                    transform(y_log, b.lower[i]),
                    transform(y_log, b.upper[i]),
                ) {
                    xs.push(x);
                    lo.push(l);
                    hi.push(h);
                }
            }
            if !xs.is_empty() {
                plot_ui.add(
                    FilledArea::new(screen_text(&b.label), &xs, &lo, &hi)
                        .fill_color(color(b.color).gamma_multiply(0.25)),
                );
            }
        }
        // Exact and reference curves last, dashed, on top of the curves they judge.
        let (ordinary, references): (Vec<_>, Vec<_>) =
            fig.series.iter().partition(|s| s.mark != Mark::Reference);
        for s in ordinary.into_iter().chain(references) {
            let pts = map(&s.points);
            if pts.is_empty() {
                continue;
            }
            let c = series_color(s, foreground);
            match s.mark {
                Mark::Reference => plot_ui.line(
                    Line::new(screen_text(&s.label), PlotPoints::from(pts))
                        .color(c)
                        .width(1.5)
                        .style(egui_plot::LineStyle::dashed_dense()),
                ),
                Mark::Line => {
                    plot_ui.line(Line::new(screen_text(&s.label), PlotPoints::from(pts)).color(c))
                }
                Mark::Dotted => plot_ui.line(
                    Line::new(screen_text(&s.label), PlotPoints::from(pts))
                        .color(c)
                        .width(1.5)
                        .style(egui_plot::LineStyle::dotted_dense()),
                ),
                Mark::Points => plot_ui.points(
                    Points::new(screen_text(&s.label), PlotPoints::from(pts))
                        .color(c)
                        .radius(2.0),
                ),
                Mark::LineAndPoints => {
                    plot_ui.line(
                        Line::new(screen_text(&s.label), PlotPoints::from(pts.clone())).color(c),
                    );
                    plot_ui.points(
                        Points::new(screen_text(&s.label), PlotPoints::from(pts))
                            .color(c)
                            .radius(1.5),
                    );
                }
            }
        }
        for (y, label) in &fig.hlines {
            if let Some(y) = transform(y_log, *y) {
                plot_ui.hline(
                    HLine::new(label.clone(), y)
                        .color(egui::Color32::GRAY)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        }
        for (x, label) in &fig.vlines {
            if let Some(x) = transform(x_log, *x) {
                plot_ui.vline(
                    VLine::new(label.clone(), x)
                        .color(egui::Color32::from_gray(160))
                        .width(1.0),
                );
            }
        }
    })
    .response
}

/// A figure's legend as a wrapped strip of coloured entries under its plot (for a plot too
/// narrow for a legend inside it): its curves, bands and labelled lines, each once, and the
/// heat map's colour scale.
pub fn legend_strip(ui: &mut egui::Ui, fig: &Figure) -> egui::Response {
    let foreground = ui.visuals().text_color();
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 10.0;
        if let Some(h) = &fig.heatmap {
            ui.label(egui::RichText::new(screen_text(&h.legend())).small());
        }
        let mut seen: Vec<String> = Vec::new();
        let mut entry = |ui: &mut egui::Ui, glyph: &str, label: &str, c: egui::Color32| {
            if label.is_empty() || seen.iter().any(|l| l == label) {
                return;
            }
            seen.push(label.to_string());
            // An entry moves to the next line whole; it never breaks inside its label.
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("{glyph} {}", screen_text(label)))
                        .small()
                        .color(c),
                )
                .wrap_mode(egui::TextWrapMode::Extend),
            );
        };
        for s in fig.series.iter().filter(|s| !s.points.is_empty()) {
            let glyph = match s.mark {
                Mark::Reference => "╌",
                Mark::Points => "●",
                Mark::Line => "━",
                Mark::LineAndPoints => "━•",
                Mark::Dotted => "···",
            };
            entry(ui, glyph, &s.label, series_color(s, foreground));
        }
        for b in &fig.bands {
            entry(ui, "▆", &b.label, color(b.color).gamma_multiply(0.6));
        }
        for (_, label) in &fig.hlines {
            entry(ui, "┄", label, egui::Color32::GRAY);
        }
        // Marks (phase and stage changes) can be many: the first three, then a count.
        let mut marks: Vec<&str> = Vec::new();
        for (_, label) in &fig.vlines {
            if !label.is_empty() && !marks.contains(&label.as_str()) {
                marks.push(label);
            }
        }
        for label in marks.iter().take(3) {
            entry(ui, "│", label, egui::Color32::from_gray(140));
        }
        if marks.len() > 3 {
            ui.label(
                egui::RichText::new(format!("│ and {} more marks", marks.len() - 3))
                    .small()
                    .color(egui::Color32::from_gray(140)),
            );
        }
    })
    .response
    .interact(egui::Sense::click())
}

/// A series' colour on screen: on the curves that judge the others (exact and reference,
/// dashed or dotted) black means "the foreground", readable in either theme.
fn series_color(s: &crate::export::figure::Series, foreground: egui::Color32) -> egui::Color32 {
    if matches!(s.mark, Mark::Reference | Mark::Dotted) && s.color == (0, 0, 0) {
        foreground
    } else {
        color(s.color)
    }
}

#[cfg(test)]
mod tests {
    use super::{one_two_five_at_least, tick_label};
    use egui_plot::GridMark;

    #[test]
    fn neighbouring_tick_labels_differ_on_narrow_ranges_of_large_or_small_values() {
        let label = |value, step_size| tick_label(false, GridMark { value, step_size });
        let big: Vec<String> = (0..4).map(|k| label(1.2e5 + k as f64 * 1e3, 1e3)).collect();
        assert_eq!(big, ["1.20e5", "1.21e5", "1.22e5", "1.23e5"]);
        let small: Vec<String> = (0..3)
            .map(|k| label(1.5e-4 + k as f64 * 5e-5, 5e-5))
            .collect();
        assert_eq!(small, ["1.5e-4", "2.0e-4", "2.5e-4"]);
        assert_eq!(label(2e5, 1e5), "2.0e5");
        assert_eq!(label(0.25, 0.05), "0.25");
        let decade = GridMark {
            value: -3.0,
            step_size: 1.0,
        };
        assert_eq!(tick_label(true, decade), "1e-3");
    }

    #[test]
    fn steps_follow_one_two_five() {
        let cases = [
            (0.3, 0.5),
            (1.0, 1.0),
            (1.2, 2.0),
            (2.0, 2.0),
            (2.1, 5.0),
            (5.5, 10.0),
            (10.0, 10.0),
            (37.0, 50.0),
            (0.011, 0.02),
        ];
        for (x, want) in cases {
            let got = one_two_five_at_least(x);
            assert!(
                (got - want).abs() < 1e-12 * want,
                "{x} → {got}, want {want}"
            );
        }
    }
}
