//! Small widgets the panels share.

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
