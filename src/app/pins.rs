//! Pinned runs: a finished run (the live one, or a run folder opened or dropped) kept for
//! comparison, its name from its configuration, its colour from the pin palette, and the
//! curves the plots overlay on runs of the same problem.

use super::state::{PinnedRun, RunView};
use crate::config::RunConfig;

/// A pin's name from its configuration: the strategy, for a homotopy its schedule and ε₀,
/// the target ε and the seed — what tells runs of one problem apart.
pub fn pin_name(c: &RunConfig) -> String {
    use crate::config::ScheduleConfig;
    let mut name = c.method_name();
    if c.strategy.kind.is_homotopy() {
        let schedule = match &c.strategy.schedule {
            ScheduleConfig::List { values } => format!("list of {}", values.len()),
            ScheduleConfig::Linear { delta } => {
                format!("linear Δε = {}", crate::config::four_digits(*delta))
            }
            ScheduleConfig::Geometric { steps } => format!("geometric {steps}"),
            ScheduleConfig::Adaptive { .. } => "adaptive".to_string(),
        };
        name.push_str(&format!(", {schedule} from ε₀ = {}", c.strategy.eps_start));
    }
    if c.hrta.enabled {
        name.push_str(", HRTA");
    }
    format!("{name}, ε* = {}, seed {}", c.problem.eps, c.training.seed)
}

impl RunView {
    /// Keep the current run's curves for comparison (a 2D field is not kept: only its loss and
    /// L2RE curves are compared).
    pub fn pin_current(&mut self) -> bool {
        let (Some(snap), Some(config)) = (&self.latest, &self.config) else {
            return false;
        };
        let (number, color) = self.next_pin();
        let solution = if snap.grid.is_some() {
            Vec::new()
        } else {
            snap.plot_x
                .iter()
                .zip(&snap.u)
                .map(|(&x, &u)| [x, u])
                .collect()
        };
        self.pinned.push(PinnedRun {
            number,
            name: pin_name(config),
            problem: config.problem.kind,
            problem_config: Some(config.problem.clone()),
            color,
            solution,
            loss: self.histories.loss.points(),
            l2re: self.histories.l2re_exact.points(),
            summary: (*snap.summary).clone(),
        });
        self.pinned_live = Some((number, snap.step));
        true
    }

    /// The next pin's number and a colour no other pin uses (while the palette lasts).
    fn next_pin(&self) -> (usize, (u8, u8, u8)) {
        let used: Vec<_> = self.pinned.iter().map(|p| p.color).collect();
        let palette = crate::export::figure::PIN_PALETTE;
        let color = palette
            .iter()
            .copied()
            .find(|c| !used.contains(c))
            .unwrap_or(palette[self.pinned.len() % palette.len()]);
        let number = self.pinned.iter().map(|p| p.number).max().unwrap_or(0) + 1;
        (number, color)
    }

    /// Pin a finished run read from its folder; `name` says where it came from.
    pub fn pin_folder(&mut self, run: super::run_folder::FolderRun, name: String) -> usize {
        let (number, color) = self.next_pin();
        self.pinned.push(PinnedRun {
            number,
            name,
            problem: run.problem,
            problem_config: None,
            color,
            solution: run.solution,
            loss: run.loss,
            l2re: run.l2re,
            summary: run.summary,
        });
        number
    }
}
