//! Small widgets the panels share, and [`ListText`], the text a panel keeps for a list-valued
//! setting while it is being typed.

/// Where typed values refused this frame wait for the status line ([`take_refusals`]).
fn refusals_id() -> egui::Id {
    egui::Id::unique("hx-refused-input")
}

/// Say on the status line (at the end of the frame) that a typed value was refused.
pub fn refuse(ctx: &egui::Context, message: String) {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Vec<String>>(refusals_id())
            .push(message)
    });
}

/// The refusals of this frame, oldest first; the window moves them to the status line.
pub fn take_refusals(ctx: &egui::Context) -> Vec<String> {
    ctx.data_mut(|d| d.remove_temp::<Vec<String>>(refusals_id()))
        .unwrap_or_default()
}

/// A number as a person types it: shortest round-trip form, 1e-7 rather than 0.0000001.
pub fn number(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e7) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A parser for typed text (whitespace ignored, “−” read as “-”, as egui's own) that refuses,
/// instead of letting the widget clamp or drop it in silence, text that is not a number, not a
/// whole number where `whole`, or outside `lo..=hi`; the reason is left in `why`.
fn checking_parser<'a>(
    lo: f64,
    hi: f64,
    whole: bool,
    why: &'a std::cell::Cell<Option<String>>,
) -> impl Fn(&str) -> Option<f64> + 'a {
    move |text: &str| {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == '−' { '-' } else { c })
            .collect();
        let refused = match clean.parse::<f64>() {
            Err(_) => format!("“{}” is not a number", text.trim()),
            Ok(v) if !v.is_finite() => format!("{v} is not a finite number"),
            Ok(v) if whole && v.fract() != 0.0 => format!("{} is not a whole number", number(v)),
            Ok(v) if v < lo || v > hi => format!("{} is outside the range", number(v)),
            Ok(v) => return Some(v),
        };
        why.set(Some(refused));
        None
    }
}

fn refusal(name: &str, why: String, lo: f64, hi: f64, kept: f64) -> String {
    format!(
        "{name}: {why}; allowed {} to {}, kept {}",
        number(lo),
        number(hi),
        number(kept)
    )
}

/// A number field for `value` within `range`, named `name` in messages: a drag stops at the
/// range's ends; a typed value outside the range, not a number, or not whole for an integer is
/// refused with a message naming the range (the field keeps its value), not clamped in silence.
/// `style` sets speed, suffix and the like.
pub fn bounded<N: egui::emath::Numeric>(
    ui: &mut egui::Ui,
    name: &str,
    value: &mut N,
    range: std::ops::RangeInclusive<N>,
    style: impl FnOnce(egui::DragValue<'_>) -> egui::DragValue<'_>,
) -> egui::Response {
    let (lo, hi) = (range.start().to_f64(), range.end().to_f64());
    let why = std::cell::Cell::new(None);
    let kept = value.to_f64();
    let r = ui.add(
        style(
            egui::DragValue::new(value)
                .range(range)
                .clamp_existing_to_range(false),
        )
        .update_while_editing(false)
        .custom_parser(checking_parser(lo, hi, N::INTEGRAL, &why)),
    );
    if let Some(w) = why.take() {
        refuse(ui.ctx(), refusal(name, w, lo, hi, kept));
    }
    r
}

/// A grid row: `label`, then [`bounded`] for `value` with refusals named by the label.
pub fn bounded_row<N: egui::emath::Numeric>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut N,
    range: std::ops::RangeInclusive<N>,
    style: impl FnOnce(egui::DragValue<'_>) -> egui::DragValue<'_>,
) -> egui::Response {
    let l = ui.label(label);
    let r = bounded(ui, label, value, range, style).labelled_by(l.id);
    ui.end_row();
    r
}

/// A log-scale slider for a positive `value` within `range` (the ε target), with the same
/// refusal of typed values as [`bounded`].
pub fn bounded_log_slider(
    ui: &mut egui::Ui,
    name: &str,
    value: &mut f64,
    range: std::ops::RangeInclusive<f64>,
    text: &str,
    format: impl Fn(f64) -> String + 'static,
) -> egui::Response {
    let (lo, hi) = (*range.start(), *range.end());
    let why = std::cell::Cell::new(None);
    let kept = *value;
    let r = ui.add(
        egui::Slider::new(value, range)
            .logarithmic(true)
            .text(text)
            .format(
                egui::widgets::ValueFormat::default()
                    .custom_formatter(move |v, _| format(v))
                    .custom_parser(checking_parser(lo, hi, false, &why))
                    .update_while_editing(false),
            ),
    );
    if let Some(w) = why.take() {
        refuse(ui.ctx(), refusal(name, w, lo, hi, kept));
    }
    r
}

/// A DragValue on a log scale for a small positive `value` in `min..=max`, named `name` in
/// messages; a typed value outside the range is refused like [`bounded`]'s.
pub fn log_drag(
    ui: &mut egui::Ui,
    name: &str,
    value: &mut f64,
    min: f64,
    max: f64,
) -> egui::Response {
    let mut exponent = value.max(min).log10();
    let why = std::cell::Cell::new(None);
    let check = checking_parser(min, max, false, &why);
    let r = ui.add(
        egui::DragValue::new(&mut exponent)
            .speed(0.05)
            .range(min.log10()..=max.log10())
            .update_while_editing(false)
            .custom_formatter(|e, _| format!("{:.2e}", 10f64.powf(e)))
            .custom_parser(|t| check(t).map(f64::log10)),
    );
    if let Some(w) = why.take() {
        refuse(ui.ctx(), refusal(name, w, min, max, *value));
    } else if r.changed() {
        *value = 10f64.powf(exponent);
    }
    r
}

/// The text of a list-valued setting ("20, 20, 20") as the user types it, owned by the panel
/// that shows it. It is re-read from the draft when the app replaces the draft as a whole
/// ([`crate::app::ExplorerApp::draft_revision`]) and otherwise left as typed, so a half-typed
/// entry is not overwritten while it does not parse.
#[derive(Clone, Debug, Default)]
pub struct ListText {
    pub text: String,
    revision: Option<u64>,
    /// Why the text does not parse, shown under the field until it does.
    error: Option<String>,
}

impl ListText {
    /// Re-read the text from `values` when the draft changed as a whole since the last read.
    pub fn sync<T: std::fmt::Display>(&mut self, revision: u64, values: impl FnOnce() -> Vec<T>) {
        if self.revision != Some(revision) {
            self.set(&values());
            self.revision = Some(revision);
        }
    }

    /// The values the text holds; None, with the reason kept for [`Self::error_ui`], when an
    /// entry is not a number or the list is empty (the setting then keeps its last values).
    pub fn parse<T: std::str::FromStr>(&mut self) -> Option<Vec<T>> {
        let result = match crate::app::parse_list::<T>(&self.text) {
            Ok(v) if !v.is_empty() => Ok(v),
            Ok(_) => Err("the list is empty".to_string()),
            Err(e) => Err(e),
        };
        self.error = result
            .as_ref()
            .err()
            .map(|e| format!("{e}: not applied, the setting keeps its last values"));
        result.ok()
    }

    /// The parse error under the field, while there is one.
    pub fn error_ui(&self, ui: &mut egui::Ui) {
        if let Some(e) = &self.error {
            ui.label(
                egui::RichText::new(e)
                    .small()
                    .color(ui.visuals().error_fg_color),
            );
        }
    }

    /// Whether the text currently fails to parse.
    pub fn has_error(&self) -> bool {
        self.error.is_some()
    }

    /// Show `values` now (after the panel itself rewrote the setting).
    pub fn set<T: std::fmt::Display>(&mut self, values: &[T]) {
        self.error = None;
        self.text = values
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ");
    }
}

/// The width `text` takes in `style` on one line (egui caches the layout).
pub fn text_width(ui: &egui::Ui, text: &str, style: egui::TextStyle) -> f32 {
    let font = style.resolve(ui.style());
    ui.fonts_mut(|f| {
        f.layout_no_wrap(text.to_string(), font, egui::Color32::WHITE)
            .size()
            .x
    })
}

/// The room a row has left that shows, less a scroll bar: a side panel scrolls sideways, so
/// its available width is that of its widest row, not of the panel.
fn shown_width(ui: &egui::Ui) -> f32 {
    (ui.clip_rect().right() - ui.cursor().left()).min(ui.available_width())
        - ui.spacing().scroll.bar_width
}

/// A combo box at most `width` wide whose choice is cut with "…" when longer (its whole name
/// is the hover text, locked or not, and in the list), so that a long choice never widens a
/// side panel into a sideways scroll.
pub fn fitted_combo(
    ui: &mut egui::Ui,
    id_salt: impl egui::AsIdSalt,
    selected: &str,
    width: f32,
    add_contents: impl FnOnce(&mut egui::Ui),
) -> egui::Response {
    let width = width.min(shown_width(ui)).max(60.0);
    ui.scope(|ui| {
        ui.set_max_width(width);
        egui::ComboBox::from_id_salt(id_salt)
            .selected_text(selected)
            .width(width)
            .truncate()
            .show_ui(ui, add_contents)
            .response
    })
    .inner
    .on_hover_text(selected)
    .on_disabled_hover_text(selected)
}

/// A picker with its name beside it on one row, the button as wide as the row leaves (a long
/// choice such as "Burgers operator u₀ ↦ u∞ (DeepONet)" is cut, [`fitted_combo`]). Where not
/// even a short button fits beside the name, the name goes above it. The button is named by
/// its label, as `ComboBox::from_label` does (screen readers and tests).
pub fn picker(
    ui: &mut egui::Ui,
    label: &str,
    selected: &str,
    add_contents: impl FnOnce(&mut egui::Ui),
) {
    let beside = shown_width(ui)
        - text_width(ui, label, egui::TextStyle::Body)
        - ui.spacing().item_spacing.x;
    let id = ("picker", label);
    if beside >= 100.0 {
        ui.horizontal(|ui| {
            let button = fitted_combo(ui, id, selected, beside.min(260.0), add_contents);
            let name = ui.label(label);
            button.labelled_by(name.id);
        });
    } else {
        let name = ui.label(label);
        fitted_combo(ui, id, selected, f32::INFINITY, add_contents).labelled_by(name.id);
    }
}
