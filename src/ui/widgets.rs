//! Small widgets the panels share, and [`ListText`], the text a panel keeps for a list-valued
//! setting while it is being typed.

/// A DragValue on a log scale for small positive numbers.
pub fn log_drag(ui: &mut egui::Ui, value: &mut f64, min: f64, max: f64) -> egui::Response {
    let mut exponent = value.max(min).log10();
    let r = ui.add(
        egui::DragValue::new(&mut exponent)
            .speed(0.05)
            .range(min.log10()..=max.log10())
            .custom_formatter(|e, _| format!("{:.2e}", 10f64.powf(e)))
            .custom_parser(|t| {
                t.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| *v > 0.0)
                    .map(f64::log10)
            }),
    );
    if r.changed() {
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
