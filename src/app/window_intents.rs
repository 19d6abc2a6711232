//! The intents of the window and its files: zoom, theme and the style of exported figures
//! (each remembered), and what opening or dropping a folder or file does — a sweep folder opens
//! in its window, a run folder is pinned, a preset loads honouring the lecture locks, and
//! anything else is refused with a message naming what is accepted.

use super::ExplorerApp;

impl ExplorerApp {
    /// Zoom the whole window (View → Zoom, ctrl +/−/0). Refused, with the window left as it
    /// is, outside [`super::ZOOM_RANGE`]; returns whether it applied.
    pub fn set_zoom(&mut self, zoom: f32) -> bool {
        if !(zoom.is_finite() && super::ZOOM_RANGE.contains(&zoom)) {
            return false;
        }
        self.remembered.zoom = zoom;
        self.ctx.set_zoom_factor(zoom);
        true
    }

    /// The light theme (projectors, printed handouts) or the dark one; remembered.
    pub fn set_light_theme(&mut self, light: bool) {
        self.remembered.light_theme = light;
        self.ctx.set_theme(if light {
            egui::Theme::Light
        } else {
            egui::Theme::Dark
        });
    }

    /// The style of exported figures (File → Figure style…), refused with the reason when a
    /// value is outside its range; returns the refusal.
    pub fn set_figure_style(
        &mut self,
        style: crate::export::figure::FigureStyle,
    ) -> Result<(), String> {
        style.check()?;
        self.remembered.figure_style = style;
        Ok(())
    }

    /// The style exports use now: the remembered one, a slide in the window's theme.
    pub fn export_style(&self) -> crate::export::figure::FigureStyle {
        use crate::export::figure::{StyleKind, Theme};
        let mut s = self.remembered.figure_style;
        s.theme = match (s.kind, self.remembered.light_theme) {
            (StyleKind::Slide, false) => Theme::Dark,
            _ => Theme::Light,
        };
        s
    }

    /// A folder opened or dropped: a collected sweep shows in its window, anything else is
    /// read as a run folder and pinned.
    pub fn open_folder(&mut self, dir: &std::path::Path) {
        if super::sweep_folder::is_sweep(dir) {
            match super::sweep_folder::read(dir) {
                Ok(view) => {
                    self.view.message(
                        false,
                        format!(
                            "opened sweep {} ({} groups, {} figures)",
                            dir.display(),
                            view.rows.len(),
                            view.figures.len()
                        ),
                    );
                    self.sweep_view = Some(view);
                }
                Err(e) => self.view.message(true, format!("sweep not opened: {e}")),
            }
        } else {
            self.open_run_folder(dir);
        }
    }

    /// A finished run's folder (`run`, a sweep task, Export all) pinned beside the live run:
    /// its loss, L2RE and (1D) solution curves, drawn on runs of the same problem. What is
    /// missing or malformed is said and nothing is pinned.
    pub fn open_run_folder(&mut self, dir: &std::path::Path) {
        match super::run_folder::read(dir) {
            Ok(run) => {
                let folder = dir.file_name().map_or_else(
                    || dir.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let text = format!(
                    "{} ({folder}: {} steps, {})",
                    run.summary.name, run.summary.steps, run.summary.end_reason
                );
                let other_problem = run.problem != self.config().problem.kind;
                let problem = run.problem.label();
                let number = self.view.pin_folder(run, text);
                self.view.message(
                    false,
                    if other_problem {
                        format!("pinned {} as pin {number}; it solved {problem}, so it shows on runs of that problem", dir.display())
                    } else {
                        format!("pinned {} as pin {number}", dir.display())
                    },
                );
            }
            Err(e) => self.view.message(true, format!("nothing pinned: {e}")),
        }
    }

    /// A file dropped on the window: a preset (`.toml`) loads as if opened, honouring the
    /// lecture locks; a run folder is pinned; anything else is refused with a message naming
    /// what is accepted. `read` gives the file's bytes (called for presets only).
    pub fn open_dropped(
        &mut self,
        path: &std::path::Path,
        read: impl FnOnce() -> Result<Vec<u8>, String>,
    ) {
        let name = path.display().to_string();
        if path.is_dir() {
            self.open_folder(path);
            return;
        }
        if !name.to_ascii_lowercase().ends_with(".toml") {
            self.view.message(
                true,
                format!("{name} was not opened: drop a preset (.toml), a run folder or a sweep folder; checkpoints load from File → Load checkpoint…"),
            );
            return;
        }
        match read().and_then(|b| String::from_utf8(b).map_err(|e| e.to_string())) {
            Ok(text) => {
                self.load_preset_text(&text, &name, Some(path.to_path_buf()));
            }
            Err(e) => self.view.message(true, format!("cannot read {name}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{PRESET, app, last_message, settle};
    use crate::config::RunConfig;

    #[test]
    fn figure_styles_are_checked_and_slides_follow_the_theme() {
        use crate::export::figure::{FigureStyle, Theme};
        let mut app = app();
        let mut bad = FigureStyle::paper();
        bad.width_in = 0.5;
        assert!(app.set_figure_style(bad).unwrap_err().contains("width"));
        assert_eq!(app.remembered.figure_style, FigureStyle::paper());
        app.set_figure_style(FigureStyle::slide(Theme::Light))
            .unwrap();
        app.set_light_theme(false);
        assert_eq!(app.export_style().theme, Theme::Dark);
        app.set_light_theme(true);
        assert_eq!(app.export_style().theme, Theme::Light);
        // Paper stays white whatever the window's theme.
        app.set_figure_style(FigureStyle::paper()).unwrap();
        app.set_light_theme(false);
        assert_eq!(app.export_style().theme, Theme::Light);
    }

    #[test]
    fn the_plots_on_screen_export_as_one_labelled_figure_without_a_dialog() {
        use super::super::export::{Format, start_export_shown};
        let mut app = app();
        let dir = tempfile::tempdir().unwrap();
        app.export_root = dir.path().to_path_buf();
        app.on_screen = (
            vec![
                crate::app::PlotKind::Solution,
                crate::app::PlotKind::Loss,
                crate::app::PlotKind::Residual,
            ],
            2,
        );
        for format in [Format::Svg, Format::Pdf] {
            app.view.last_written = None;
            start_export_shown(&mut app, format);
            assert!(settle(&mut app, |a| a.view.last_written.is_some()));
        }
        let plots = dir.path().join("plots");
        let svg = std::fs::read_to_string(plots.join("shown_plots.svg")).unwrap();
        assert!(svg.contains("(a)") && svg.contains("(c)") && !svg.contains("(d)"));
        // Two columns of paper: the 6.7 in double column.
        assert!(svg.contains("width=\"6.7in\""), "{}", &svg[..120]);
        let pdf = std::fs::read(plots.join("shown_plots.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        app.on_screen = (vec![], 1);
        start_export_shown(&mut app, Format::Svg);
        assert!(last_message(&app).contains("no plot is shown"));
    }

    #[test]
    fn zoom_outside_its_range_is_refused_and_the_theme_reaches_egui() {
        let mut app = app();
        assert!(app.set_zoom(1.5));
        // egui applies a new zoom at the start of the next pass.
        let _ = app.ctx.run_ui(egui::RawInput::default(), |_| {});
        assert_eq!((app.remembered.zoom, app.ctx.zoom_factor()), (1.5, 1.5));
        for bad in [0.2, 4.0, f32::NAN] {
            assert!(!app.set_zoom(bad), "{bad}");
            assert_eq!(app.remembered.zoom, 1.5);
        }
        app.set_light_theme(true);
        assert!(app.remembered.light_theme);
        assert_eq!(app.ctx.theme(), egui::Theme::Light);
        app.set_light_theme(false);
        assert_eq!(app.ctx.theme(), egui::Theme::Dark);
    }

    #[test]
    fn a_run_folder_dropped_on_the_window_becomes_a_pin_and_anything_else_is_named() {
        let mut app = app();
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("finished");
        std::fs::create_dir(&run).unwrap();
        let mut config = RunConfig::from_toml_str(PRESET).unwrap();
        config.training.max_steps = 30;
        config.training.eval_every = 10;
        let device = crate::backend::cpu().unwrap();
        let never = std::sync::atomic::AtomicBool::new(false);
        let summary =
            crate::export::run::train_and_write(config, &device, &run, &never, false, None)
                .unwrap();
        app.open_dropped(&run, || unreachable!("a folder is not read as a file"));
        assert_eq!(app.view.pinned.len(), 1, "{:?}", app.view.messages);
        let pin = &app.view.pinned[0];
        assert!(pin.name.contains("finished") && pin.name.contains(&summary.end_reason));
        assert_eq!(pin.summary.steps, summary.steps);
        assert_eq!(pin.solution.len(), 101, "u_θ at the evaluation points");
        assert!(!pin.loss.is_empty() && !pin.l2re.is_empty());
        // A folder without a summary, and a run folder with a broken history, pin nothing.
        app.open_dropped(dir.path(), || unreachable!());
        std::fs::write(run.join("history.csv"), "step,loss\n1,x\n").unwrap();
        app.open_dropped(&run, || unreachable!());
        assert_eq!(app.view.pinned.len(), 1);
        let said: Vec<&str> = app.view.messages.iter().map(|(_, t)| t.as_str()).collect();
        assert!(
            said.iter().any(|t| t.contains("no summary.json")),
            "{said:?}"
        );
        assert!(said.iter().any(|t| t.contains("l2re_exact")), "{said:?}");
    }

    #[test]
    fn a_collected_sweep_folder_opens_in_its_window_and_an_uncollected_one_says_how() {
        let mut app = app();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.toml"), PRESET).unwrap();
        let out = dir.path().join("sw");
        let manifest = dir.path().join("m.toml");
        std::fs::write(
            &manifest,
            format!(
                "version = 1\nname = \"t\"\npresets = [\"p.toml\"]\nseeds = [0]\nout = \"{}\"\n[[axis]]\nkey = \"training.max_steps\"\nvalues = [10, 20]\n",
                out.display()
            ),
        )
        .unwrap();
        let m = crate::sweep::Manifest::from_file(&manifest).unwrap();
        let never = std::sync::atomic::AtomicBool::new(false);
        let tasks = m.tasks().unwrap();
        for k in 0..2 {
            crate::sweep::run::run_one(&m, &tasks, k, &never, false).unwrap();
        }
        app.open_dropped(&out, || unreachable!());
        assert!(app.sweep_view.is_none());
        let said = app.view.messages.back().unwrap().1.clone();
        assert!(said.contains("sweep collect"), "{said}");
        crate::sweep::collect::collect(&out, &crate::sweep::collect::default_output()).unwrap();
        app.open_dropped(&out, || unreachable!());
        let view = app.sweep_view.as_ref().expect("the sweep window");
        assert_eq!(view.rows.len(), 2);
        assert!(view.header.iter().any(|h| h == "training.max_steps"));
        assert!(view.figures[0].0.starts_with("l2re"), "L2RE first");
        // A task of it is a run folder: it pins.
        app.open_dropped(&out.join("tasks").join("t001"), || unreachable!());
        assert_eq!(app.view.pinned.len(), 1);
    }
}
