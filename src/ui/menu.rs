//! The menu bar (presets, copy/paste, checkpoints, export, view, labs and lecture mode) and the small
//! windows it opens.

use std::path::PathBuf;

use crate::app::{ExplorerApp, Pending, PlotKind};
use crate::config::Control;

/// The menu bar and the windows it opens, with what they hold while open: the text of the
/// "Paste preset" window and the lecture-locks window's edit of the locks.
#[derive(Debug, Default)]
pub struct MenuBar {
    paste: Option<String>,
    /// Apply hands it to `set_lecture_locks`; closing drops it, and so does a load (it edits
    /// the locks of the run it was opened on).
    lecture: Option<Vec<Control>>,
    /// [`ExplorerApp::loads`] when the lecture-locks window opened.
    lecture_opened_at: u64,
    /// The keyboard-shortcuts window (F1).
    help: bool,
    /// File → Figure style….
    figure_style: super::figure_style::FigureStyleWindow,
    /// Labs → Stiff quadratic.
    stiff: super::stiff_lab::StiffLabWindow,
}

/// Every shortcut the explorer answers to, as the F1 window lists them.
pub const SHORTCUTS: [(&str, &str); 12] = [
    ("Space", "start / pause training"),
    ("S", "one step"),
    ("R", "reset the run"),
    ("Ctrl +  /  Ctrl −", "zoom the window in / out"),
    ("Ctrl 0", "zoom 100 %"),
    ("double-click a plot title", "fill the area with that plot"),
    (
        "Esc",
        "back from a focused plot to all plots; close this list",
    ),
    ("Ctrl + mouse wheel", "zoom inside a plot"),
    (
        "right-button drag",
        "zoom a plot to a box; double-click resets it",
    ),
    (
        "right-click a plot",
        "move its legend to a corner, or hide it",
    ),
    (
        "drop a .toml file",
        "load it as a preset (lecture locks apply)",
    ),
    ("F1", "this list"),
];

impl MenuBar {
    pub fn ui(&mut self, app: &mut ExplorerApp, ui: &mut egui::Ui) {
        menu_bar_ui(app, self, ui);
    }

    /// The windows opened from the menu.
    pub fn windows_ui(&mut self, app: &mut ExplorerApp, ctx: &egui::Context) {
        if ctx.input(|i| i.key_pressed(egui::Key::F1)) {
            self.help = !self.help;
        }
        if self.help && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.help = false;
        }
        egui::Window::new("Keyboard shortcuts")
            .open(&mut self.help)
            .resizable(false)
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                    for (keys, what) in SHORTCUTS {
                        ui.strong(keys);
                        ui.label(what);
                        ui.end_row();
                    }
                });
            });
        paste_window(app, &mut self.paste, ctx);
        self.stiff.ui(app, ctx);
        if app.loads() != self.lecture_opened_at {
            self.lecture = None;
        }
        lecture_window(app, &mut self.lecture, ctx);
        self.figure_style.ui(app, ctx);
    }
}

fn menu_bar_ui(app: &mut ExplorerApp, menu: &mut MenuBar, ui: &mut egui::Ui) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            file_menu_ui(app, &mut menu.paste, ui);
            figure_menu_ui(app, &mut menu.figure_style, ui);
            ui.separator();
            if ui.button("Quit").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("Presets", |ui| presets_menu_ui(app, ui));
        // Toggling plots and panels keeps the View menu open (a click outside closes it).
        egui::containers::menu::MenuButton::new("View")
            .config(
                egui::containers::menu::MenuConfig::new()
                    .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside),
            )
            .ui(ui, |ui| {
                // Zoomed on a short screen the menu is taller than the window: it scrolls.
                // (A scroll area in a popup starts small: its scrolled height is the room too.)
                // The room below the menu bar, less the popup's frame: its last row ("Lecture
                // locks…") was cut off at the window's edge at 133 % on 1280×720.
                let top = ui.min_rect().top();
                let room = (ui.ctx().content_rect().bottom() - top - 24.0).max(200.0);
                egui::ScrollArea::vertical()
                    .max_height(room)
                    .min_scrolled_height(room)
                    .show(ui, |ui| view_menu_ui(app, menu, ui));
            });
        ui.menu_button("Labs", |ui| {
            if ui
                .button("NTK lab…")
                .on_hover_text("Width and output-scaling sweep of the NTK on the current problem")
                .clicked()
            {
                app.ntk_lab.open = true;
            }
            if ui
                .button("Stiff quadratic (ISGD §2.2)…")
                .on_hover_text("Gradient descent against implicit gradient descent on the ISGD paper's two-parameter stiff loss (eqs. 7–8)")
                .clicked()
            {
                menu.stiff.open = true;
            }
        });
        ui.separator();
        if app.remembered.lecture_mode {
            ui.label(
                egui::RichText::new(" LECTURE MODE ")
                    .strong()
                    .color(egui::Color32::BLACK)
                    .background_color(egui::Color32::from_rgb(0xf0, 0xc0, 0x40)),
            )
            .on_hover_text(match app.config().lecture.describe() {
                Some(names) => format!("Locked: {names} (View → Lecture locks…)"),
                None => {
                    "Lecture mode is on; the preset locks nothing (View → Lecture locks…)".into()
                }
            });
        }
        ui.label(egui::RichText::new(app.title()).strong()).on_hover_text(
            "“(modified)”: the run or the edited settings differ from the preset as loaded; \
             “now …”: the strategy that runs is not the preset's",
        );
    });
}

fn file_menu_ui(app: &mut ExplorerApp, paste: &mut Option<String>, ui: &mut egui::Ui) {
    let native = !app.headless;
    if ui
        .add_enabled(native, egui::Button::new("Open preset…"))
        .clicked()
    {
        app.dialog(Pending::OpenPreset, || {
            rfd::FileDialog::new()
                .set_title("Open preset")
                .add_filter("preset", &["toml"])
                .pick_file()
        });
    }
    let save_path = app.remembered.last_preset_path.clone();
    if ui
        .add_enabled(native, egui::Button::new("Save preset"))
        .clicked()
    {
        match save_path {
            Some(path) => crate::app::dialogs::save_preset(app, path),
            None => save_as(app),
        }
    }
    if ui
        .add_enabled(native, egui::Button::new("Save preset as…"))
        .clicked()
    {
        save_as(app);
    }
    ui.separator();
    if ui
        .button("Copy preset")
        .on_hover_text("The whole configuration as text, to share a setup")
        .clicked()
    {
        ui.ctx().copy_text(app.preset_text());
        app.view.message(false, "preset copied to the clipboard");
    }
    if ui.button("Paste preset…").clicked() {
        *paste = Some(String::new());
    }
    ui.separator();
    if ui
        .add_enabled(native, egui::Button::new("Save checkpoint…"))
        .clicked()
    {
        app.dialog(Pending::SaveCheckpoint, || {
            rfd::FileDialog::new()
                .set_title("Save checkpoint")
                .add_filter("checkpoint", &["json"])
                .set_file_name("checkpoint.json")
                .save_file()
        });
    }
    if ui
        .add_enabled(native, egui::Button::new("Load checkpoint…"))
        .clicked()
    {
        app.dialog(Pending::LoadCheckpoint, || {
            rfd::FileDialog::new()
                .set_title("Load checkpoint")
                .add_filter("checkpoint", &["json"])
                .pick_file()
        });
    }
    if ui
        .add_enabled(native, egui::Button::new("Open run or sweep folder…"))
        .on_hover_text("A finished run (a `run` or sweep task folder, an Export all) is pinned beside the live one; a collected sweep opens in its window. Dropping the folder on the window does the same")
        .clicked()
    {
        app.dialog(Pending::OpenRunFolder, || {
            rfd::FileDialog::new()
                .set_title("Open run or sweep folder")
                .pick_folder()
        });
    }
    ui.separator();
    if ui
        .button("Export all…")
        .on_hover_text(format!(
            "Every figure (SVG, PNG, PDF), its data (CSV), the plots on screen as one figure, \
             the preset and a summary into a new folder (under {} when no file dialog can open)",
            app.export_root.display()
        ))
        .clicked()
    {
        if native {
            app.dialog(Pending::ExportFolder, || {
                rfd::FileDialog::new()
                    .set_title("Export into folder")
                    .pick_folder()
            });
        } else {
            let root = app.export_root.clone();
            crate::app::export::start_export_all(app, root);
        }
    }
}

/// Export the plots on screen as one figure, and the style every figure export uses.
fn figure_menu_ui(
    app: &mut ExplorerApp,
    window: &mut super::figure_style::FigureStyleWindow,
    ui: &mut egui::Ui,
) {
    use crate::app::export::{Format, start_export_shown};
    ui.menu_button("Export shown plots as one figure", |ui| {
        for format in [Format::Svg, Format::Pdf, Format::Png] {
            if ui
                .button(format.extension().to_uppercase())
                .on_hover_text(
                    "The plots on screen, laid out as they are shown, with (a), (b), … labels",
                )
                .clicked()
            {
                start_export_shown(app, format);
                ui.close();
            }
        }
    });
    let s = app.remembered.figure_style;
    if ui
        .button("Figure style…")
        .on_hover_text(format!(
            "Now: {} {} × {} in, {} pt, {} dpi",
            s.kind.name(),
            s.width_in,
            s.height_in,
            s.font_pt,
            s.dpi
        ))
        .clicked()
    {
        window.open(app);
        ui.close();
    }
}

fn save_as(app: &mut ExplorerApp) {
    let name = app
        .remembered
        .last_preset_path
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "preset.toml".into());
    app.dialog(Pending::SavePreset, move || {
        rfd::FileDialog::new()
            .set_title("Save preset as")
            .add_filter("preset", &["toml"])
            .set_file_name(name)
            .save_file()
    });
}

/// The shipped presets, one submenu per problem (each list scrolls when the window is shorter
/// than it).
fn presets_menu_ui(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    for (kind, names) in crate::presets::shipped_by_problem() {
        ui.menu_button(format!("{} ({})", kind.label(), names.len()), |ui| {
            // The menu's own frame is shorter than the window: scroll within what it shows,
            // so that scrolling to an entry brings it into view.
            let room = (ui.ctx().content_rect().height() - 80.0).max(200.0);
            egui::ScrollArea::vertical()
                .max_height(room.min(ui.available_height()))
                .show(ui, |ui| {
                    for name in names {
                        // What the preset runs, and what to expect of it, before it is loaded.
                        let described = |ui: &mut egui::Ui| {
                            if let Some((title, description)) =
                                crate::presets::shipped_description(name)
                            {
                                ui.strong(title);
                                ui.label(description);
                            }
                        };
                        if ui
                            .button(name.trim_end_matches(".toml"))
                            .on_hover_ui(described)
                            .clicked()
                            && let Some((text, origin)) =
                                crate::presets::text(&PathBuf::from("presets"), name)
                        {
                            app.load_preset_text(&text, &origin, None);
                        }
                    }
                });
        });
    }
}

fn view_menu_ui(app: &mut ExplorerApp, menu: &mut MenuBar, ui: &mut egui::Ui) {
    zoom_rows(app, ui);
    let mut light = app.remembered.light_theme;
    if ui
        .checkbox(&mut light, "Light theme")
        .on_hover_text("For projectors and bright rooms")
        .changed()
    {
        app.set_light_theme(light);
    }
    ui.separator();
    ui.checkbox(&mut app.remembered.show_legends, "Legends on plots")
        .on_hover_text("Hide them where they cover the data; the pins table still names the pins");
    ui.checkbox(&mut app.remembered.show_controls, "Controls panel");
    ui.checkbox(&mut app.remembered.show_schedule, "Schedule editor");
    ui.separator();
    for kind in PlotKind::ALL {
        let mut on = !app.remembered.hidden_plots.contains(&kind);
        if ui.checkbox(&mut on, kind.title()).changed() {
            if on {
                app.remembered.hidden_plots.retain(|k| *k != kind);
            } else {
                app.remembered.hidden_plots.push(kind);
            }
        }
    }
    ui.separator();
    threads_row(app, ui);
    ui.separator();
    ui.checkbox(&mut app.remembered.lecture_mode, "Lecture mode")
        .on_hover_text("Lock the controls the preset marks as locked");
    if ui
        .add(egui::Button::new("Keyboard shortcuts…").shortcut_text("F1"))
        .clicked()
    {
        menu.help = true;
        ui.close();
    }
    if ui.button("Lecture locks…").clicked() {
        menu.lecture = Some(app.config().lecture.locked.clone());
        menu.lecture_opened_at = app.loads();
        ui.close();
    }
}

/// View → Compute threads: the pool training, Jacobians and solves run on (results are the
/// same at any count; a change applies from the next step).
fn threads_row(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    let cores = crate::pool::available();
    let mut n = crate::pool::threads();
    ui.horizontal(|ui| {
        ui.label("Compute threads");
        let r = super::widgets::bounded(ui, "Compute threads", &mut n, 1..=cores.max(1), |d| d)
            .on_hover_text(format!(
                "Cores for training, Jacobians and solves (this machine has {cores}); results do not depend on it"
            ));
        if r.changed() && n != crate::pool::threads() {
            match crate::pool::set_threads(n) {
                Ok(()) => app.remembered.threads = Some(n),
                Err(e) => super::widgets::refuse(ui.ctx(), e.to_string()),
            }
        }
    });
}

/// View → Zoom in / out / 100 %, with egui's own shortcuts shown beside them.
fn zoom_rows(app: &mut ExplorerApp, ui: &mut egui::Ui) {
    let zoom = app.remembered.zoom;
    let step = 1.1;
    let rows = [
        ("Zoom in", "Ctrl +", zoom * step),
        ("Zoom out", "Ctrl −", zoom / step),
        ("Zoom 100 %", "Ctrl 0", 1.0),
    ];
    for (label, keys, to) in rows {
        let fits = crate::app::ZOOM_RANGE.contains(&to);
        if ui
            .add_enabled(fits, egui::Button::new(label).shortcut_text(keys))
            .on_disabled_hover_text("The zoom stays within 50–300 %")
            .clicked()
        {
            app.set_zoom(to);
        }
    }
    ui.label(egui::RichText::new(format!("zoom {:.0} %", zoom * 100.0)).weak());
}

/// The "Paste preset" window, while `paste` holds its text.
fn paste_window(app: &mut ExplorerApp, paste: &mut Option<String>, ctx: &egui::Context) {
    if let Some(mut text) = paste.take() {
        let mut open = true;
        let mut load = false;
        egui::Window::new("Paste preset")
            .open(&mut open)
            .default_width(480.0)
            .show(ctx, |ui| {
                let label = ui.label("Paste a preset (TOML) and press Load:");
                ui.add(
                    egui::TextEdit::multiline(&mut text)
                        .code_editor()
                        .desired_rows(14)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
                load = ui.button("Load").clicked();
            });
        if load && app.load_preset_text(&text, "from the clipboard", None) {
            open = false;
        }
        if open {
            *paste = Some(text);
        }
    }
}

/// The lecture-locks window, while `edit` holds the locks being edited.
fn lecture_window(app: &mut ExplorerApp, edit: &mut Option<Vec<Control>>, ctx: &egui::Context) {
    if let Some(mut locked) = edit.take() {
        let mut open = true;
        let mut apply = false;
        egui::Window::new("Lecture locks")
            .open(&mut open)
            .show(ctx, |ui| {
                ui.label("Locked controls are shown disabled in lecture mode, and presets that would change them are refused. The locks are stored in the preset; applying them leaves the run as it is.");
                for control in Control::ALL {
                    let mut on = locked.contains(&control);
                    if ui.checkbox(&mut on, control.label()).changed() {
                        if on {
                            locked.push(control);
                        } else {
                            locked.retain(|c| *c != control);
                        }
                    }
                }
                apply = ui.button("Apply locks").clicked();
            });
        if apply {
            app.set_lecture_locks(locked);
        } else if open {
            *edit = Some(locked);
        }
    }
}
