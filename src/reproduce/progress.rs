//! Per-cell progress under a page's overall bar: while a cell runs on a thread, the session
//! loops of the pages call [`report`], which moves that cell's own bar (its share done, its ETA,
//! ε and loss). Off a terminal, or quiet, the bars are hidden and [`report`] costs a clock read.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::train::Session;
use crate::train::objective::ObjectiveError;

thread_local! {
    /// The bar of the cell running on this thread, and when it was last moved.
    static CURRENT: RefCell<Option<(ProgressBar, Instant)>> = const { RefCell::new(None) };
}

/// Positions per bar (the share done in thousandths).
const SCALE: u64 = 1000;

/// A cell's bar, named by the cell.
pub fn cell_bar(name: &str) -> ProgressBar {
    let bar = ProgressBar::new(SCALE);
    bar.set_style(
        ProgressStyle::with_template("  {prefix:32!} [{bar:20}] {percent:>3}% ETA {eta:>4} {msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_prefix(name.to_string());
    bar
}

/// Run `f` with `bar` as this thread's cell bar.
pub fn with_bar<T>(bar: ProgressBar, f: impl FnOnce() -> T) -> T {
    CURRENT.with(|c| *c.borrow_mut() = Some((bar, Instant::now() - Duration::from_secs(1))));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = None);
    out
}

/// Move this thread's cell bar to where `session` is (at most ten times a second).
pub fn report(session: &Session) {
    CURRENT.with(|c| {
        let mut c = c.borrow_mut();
        let Some((bar, last)) = c.as_mut() else {
            return;
        };
        if bar.is_hidden() || last.elapsed() < Duration::from_millis(100) {
            return;
        }
        *last = Instant::now();
        bar.set_position((session.fraction_done() * SCALE as f64) as u64);
        let state = session.state();
        bar.set_message(format!(
            "step {}  {}",
            state.step,
            session.config().problem.path_point(state.eps)
        ));
    });
}

/// Train `session` to its end, reporting to this thread's cell bar.
pub fn run(session: &mut Session) -> Result<(), ObjectiveError> {
    while let Some(p) = session.step()? {
        report(session);
        if p.end.is_some() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;

    /// A homotopy's share done follows its stages: 0 before Phase I, 1 at its end.
    #[test]
    fn a_homotopy_reports_its_stages_from_zero_to_one() {
        let config = RunConfig::from_toml_str(
            "version = 1\nname = \"t\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.05\nn_res = 50\n[network]\nhidden = [8]\n[training]\nmax_steps = 100000\n[strategy]\nkind = \"strategy1\"\neps_start = 0.1\n[strategy.schedule]\nkind = \"geometric\"\nsteps = 4\n[strategy.phase1]\nadam_steps = 20\nlm_iterations = 0\n",
        )
        .unwrap();
        let mut session = Session::new(config, &crate::backend::cpu().unwrap());
        assert_eq!(session.fraction_done(), 0.0);
        let bar = ProgressBar::hidden();
        with_bar(bar, || run(&mut session)).unwrap();
        assert!(session.stages().len() >= 4, "{}", session.stages().len());
        assert_eq!(session.fraction_done(), 1.0);
    }
}
