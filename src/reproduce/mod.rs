//! `homotopy-explorer reproduce <id>`: rebuild a source paper's tables and figures from the
//! shipped presets, with the paper's numbers beside ours, as markdown, CSV, SVG and JSON.

pub mod ac1;
pub mod below;
mod burgers_fd;
pub mod cells;
mod fits;
pub mod full;
pub mod hessian;
pub mod hr;
mod interfaces;
pub mod intro;
pub mod ntk;
pub mod operator;
pub mod progress;
pub mod rf;
pub mod row;
pub mod specs;
mod stiff;
pub mod sweep;
mod sweep_page;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::RunConfig;
pub use crate::diagnostics::metrics::median_spread;
use crate::train::schedule::planned_values;
pub use cells::Said;

/// Options shared by every reproduction.
#[derive(Clone, Debug)]
pub struct ReproduceOptions {
    /// Seeds 0..seeds.
    pub seeds: u64,
    /// Output folder.
    pub out_dir: PathBuf,
    /// Folder to read presets from (the built-in copies are used where a file is missing).
    pub presets_dir: PathBuf,
    /// Print one line per finished run.
    pub verbose: bool,
    /// The papers' sizes instead of the shipped presets' ([`full`]).
    pub full: bool,
    /// Style and formats of the pages' figures.
    pub figures: crate::export::figure::FigureOutput,
    /// Independent runs (method × seed, and × ε for classical training) at once, each on its
    /// own thread, on ac1 and the method × ε pages; the tables are the same as with 1.
    pub jobs: usize,
    /// Run the page, list its cells, run one cell, or write the page from stored cells.
    pub mode: cells::Mode,
}

impl ReproduceOptions {
    /// The preset `name` for `method` of reproduction `id` (from `presets_dir`, else the
    /// built-in copy), at the papers' sizes under `--full`; also where it came from.
    pub fn preset(
        &self,
        id: &str,
        method: &str,
        name: &str,
        builtin: &str,
    ) -> Result<(RunConfig, String)> {
        let (mut config, from) = load_preset(&self.presets_dir, name, builtin)?;
        if self.full {
            find(id)?.scale_to_paper(method, &mut config)?;
        }
        Ok((config, from))
    }
}

/// One reproduction of a source paper's tables and figures. The registry
/// [`REPRODUCTIONS`] holds one of each; the command line, `reproduce all`, `--full` and the
/// pages read it (no other table of ids exists). The method × ε tables are [`sweep::Spec`]s;
/// `ac1`, `bo`, `hr`, `ntk`, `rf`, `sq` and `ff` have pages of their own.
pub trait Reproduction: Sync {
    /// The id on the command line and the folder name.
    fn id(&self) -> &'static str;

    /// What `--full` changes (markdown, with the papers' sources), printed on the page.
    fn full_note(&self) -> &'static str;

    /// The papers' sizes applied to one method's preset under `--full` (none by default).
    fn scale_full(&self, _config: &mut RunConfig) {}

    /// Run it into `opts.out_dir` as `opts.mode` asks; says one summary line per method (or
    /// the plan, or the one cell run) and how many cells the page has.
    fn run(&self, opts: &ReproduceOptions) -> Result<Said>;

    /// The page's line saying which scale it ran at.
    fn scale_line(&self, full: bool) -> String {
        full::scale_line(self.full_note(), full)
    }

    /// Apply the papers' sizes to `config` (the preset of `method`) and check the result.
    fn scale_to_paper(&self, method: &str, config: &mut RunConfig) -> Result<()> {
        self.scale_full(config);
        config
            .validate()
            .map_err(|e| anyhow::anyhow!("--full setting for {}/{method}: {e}", self.id()))
    }
}

/// A reproduction with a page of its own (`ac1`, `bo`, `hr`, `ntk`, `rf`, `sq`, `ff`): its id, `--full` note and
/// scaling, and the function that runs it.
pub struct Page {
    pub id: &'static str,
    pub full_note: &'static str,
    pub scale_full: fn(&mut RunConfig),
    /// Says one summary line per method (or the plan, or the one cell run).
    pub run: fn(&ReproduceOptions) -> Result<Said>,
}

impl Reproduction for Page {
    fn id(&self) -> &'static str {
        self.id
    }

    fn full_note(&self) -> &'static str {
        self.full_note
    }

    fn scale_full(&self, config: &mut RunConfig) {
        (self.scale_full)(config)
    }

    fn run(&self, opts: &ReproduceOptions) -> Result<Said> {
        (self.run)(opts)
    }
}

/// Every reproduction this build knows, in the order `reproduce all` runs them.
pub static REPRODUCTIONS: [&dyn Reproduction; 15] = [
    &ac1::PAGE,
    &specs::AC2,
    &specs::HF,
    &specs::BU,
    &operator::PAGE,
    &specs::HH,
    &specs::CD,
    &specs::PM,
    &specs::PM2,
    &specs::HK,
    &hr::PAGE,
    &ntk::PAGE,
    &rf::PAGE,
    &stiff::PAGE,
    &fits::PAGE,
];

/// `base` trained by optimizer `kind` at rate `lr` from seed `seed`, as a session on the CPU:
/// the optimizer sweeps' (`rf`, `ff`) one run, checked before it starts.
pub(crate) fn session_with_optimizer(
    base: &RunConfig,
    kind: crate::config::OptimizerKind,
    lr: f64,
    seed: u64,
) -> Result<crate::train::Session> {
    let device = crate::backend::cpu().context("CPU device")?;
    let mut c = base.clone();
    c.optimizer.kind = kind;
    c.optimizer.lr = lr;
    c.training.seed = seed;
    c.validate()
        .with_context(|| format!("{} at rate {lr}", kind.label()))?;
    Ok(crate::train::Session::new(c, &device))
}

/// The points a log-scale axis can draw: finite, with y > 0.
pub(crate) fn drawable_on_log_y(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    points
        .iter()
        .copied()
        .filter(|p| p.1.is_finite() && p.1 > 0.0)
        .collect()
}

/// The ids, comma-separated (for messages).
pub fn ids() -> String {
    REPRODUCTIONS
        .iter()
        .map(|r| r.id())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The reproduction with this id.
pub fn find(id: &str) -> Result<&'static dyn Reproduction> {
    REPRODUCTIONS
        .iter()
        .copied()
        .find(|r| r.id() == id)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "unknown reproduction `{id}`; this build knows: {}, all",
                ids()
            )
        })
}

/// Run reproduction `id` as `opts.mode` asks.
pub fn run(id: &str, opts: &ReproduceOptions) -> Result<Said> {
    find(id)?.run(opts)
}

/// Run every reproduction into `<out_dir>/<id>` and write `<out_dir>/index.md` linking them
/// with their summary lines and times. A reproduction that fails is listed with its error and
/// the others still run.
pub fn run_all(opts: &ReproduceOptions) -> Result<Vec<String>> {
    let mut index = String::from("# Reproductions\n\n| id | seconds | summary |\n|---|---|---|\n");
    let mut lines = Vec::new();
    for id in REPRODUCTIONS.iter().map(|r| r.id()) {
        let sub = ReproduceOptions {
            out_dir: opts.out_dir.join(id),
            ..opts.clone()
        };
        let started = std::time::Instant::now();
        let result = run(id, &sub);
        let secs = started.elapsed().as_secs_f64();
        let summary = match &result {
            Ok(said) => said.lines.join("<br>"),
            Err(e) => format!("failed: {e:#}"),
        };
        index.push_str(&format!(
            "| [{id}]({id}/reproduce.md) | {secs:.0} | {summary} |\n"
        ));
        lines.push(format!(
            "{id} ({secs:.0} s): {}",
            summary.replace("<br>", "; ")
        ));
    }
    std::fs::create_dir_all(&opts.out_dir)?;
    crate::export::write_atomic(&opts.out_dir.join("index.md"), index.as_bytes())?;
    Ok(lines)
}

/// How a method is named in figures (tables, CSV and JSON keep the short id): "adam_lr0.5" is
/// "Adam, rate 0.5", "strategy1" is "Strategy 1"; an id not listed has its underscores spaced.
pub fn method_label(id: &str) -> String {
    let known = match id {
        "adam" => "Adam",
        "adam_lr0.5" => "Adam, rate 0.5",
        "sgd_lr0.5" => "SGD, rate 0.5",
        "isgd" => "ISGD",
        "lbfgs" => "L-BFGS",
        "pinn" => "PINN",
        "gd" => "GD",
        "sgd" => "SGD",
        "implicit_gn" => "implicit GN",
        "strategy1" => "Strategy 1",
        "strategy1_paper" => "Strategy 1, Δε = 0.001",
        "strategy2" => "Strategy 2",
        "s_homotopy" => "s-homotopy",
        "time_sequential" => "time-sequential",
        "time_sequential_adam" => "time-sequential, Adam",
        "hrta_s0.5" => "HRTA s = 0.5",
        "hrta_s1.5" => "HRTA s = 1.5",
        other => return other.replace('_', " "),
    };
    known.to_string()
}

/// Run `f` on every cell with at most `jobs` at once (each on its own thread, with its own
/// CPU device inside `f`); the results come back in the cells' order, so the page does not
/// depend on which finished first. The first error stops the cells not yet started.
pub(crate) fn run_cells<C: Sync, T: Send>(
    cells: &[C],
    jobs: usize,
    f: impl Fn(&C) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    if jobs <= 1 {
        return cells.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let results: std::sync::Mutex<Vec<Option<Result<T>>>> =
        std::sync::Mutex::new((0..cells.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(cells.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= cells.len() || failed.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let r = f(&cells[i]);
                    if r.is_err() {
                        failed.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    results
                        .lock()
                        .expect("no cell panics while holding the lock")[i] = Some(r);
                }
            });
        }
    });
    let results = results.into_inner().expect("the cells finished");
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Some(r) => out.push(r?),
            // Not started after an earlier failure: that failure was returned above.
            None => break,
        }
    }
    Ok(out)
}

/// A shipped preset: the file in `dir` if present, else the copy built into the binary.
/// Returns the config and where it came from.
pub fn load_preset(dir: &Path, name: &str, builtin: &str) -> Result<(RunConfig, String)> {
    let path = dir.join(name);
    if path.exists() {
        let config = RunConfig::from_file(&path)
            .map_err(|e| anyhow::anyhow!("preset {}: {e}", path.display()))?;
        Ok((config, path.display().to_string()))
    } else {
        let config = RunConfig::from_toml_str(builtin)
            .map_err(|e| anyhow::anyhow!("built-in preset {name}: {e}"))?;
        Ok((config, format!("{name} (built-in copy)")))
    }
}

/// Turn a homotopy config's schedule into an explicit list that passes exactly through the
/// `waypoints` (so tables can report at those ε): each waypoint replaces the nearest planned
/// value when it lies within half a step of it, else it is inserted.
pub fn with_waypoints(config: &mut RunConfig, waypoints: &[f64]) {
    let st = &config.strategy;
    let (from, to) = (st.eps_start, config.problem.eps);
    let mut values = planned_values(&st.schedule, from, to);
    for &w in waypoints {
        if !(w < from && w > to) || values.contains(&w) {
            continue;
        }
        let nearest = (0..values.len())
            .min_by(|&a, &b| (values[a] - w).abs().total_cmp(&(values[b] - w).abs()))
            .expect("a homotopy schedule has at least one value");
        let above = if nearest == 0 {
            from
        } else {
            values[nearest - 1]
        };
        let spacing = above - values[nearest];
        if (values[nearest] - w).abs() < 0.5 * spacing {
            // The nearest value lies within half a step: w sits between its neighbours.
            values[nearest] = w;
        } else {
            let pos = values.iter().position(|&v| v < w).unwrap_or(values.len());
            values.insert(pos, w);
        }
    }
    values.dedup();
    config.strategy.schedule = crate::config::ScheduleConfig::List { values };
}

/// Write `reproduce.json` (the serialized `report`) and `table.csv` (one row per entry of
/// `rows`) into `dir`.
pub fn write_json_and_table<R: serde::Serialize, T: serde::Serialize>(
    dir: &Path,
    report: &R,
    rows: &[T],
) -> Result<()> {
    crate::export::write_atomic(
        &dir.join("reproduce.json"),
        serde_json::to_string_pretty(report)?.as_bytes(),
    )?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    crate::export::write_atomic(&dir.join("table.csv"), &w.into_inner()?)
}

/// "1.23e-3" or "1.23e-3 [1.0e-3, 2.0e-3]" when there is a spread.
pub fn fmt_stat(values: &[f64]) -> String {
    let (med, lo, hi) = median_spread(values);
    // Runs that ended non-finite are left out of the median and counted beside it.
    let bad = values.iter().filter(|v| !v.is_finite()).count();
    if med.is_nan() {
        return match bad {
            0 => "—".into(),
            _ => format!("non-finite ({bad} of {} runs)", values.len()),
        };
    }
    let stat = if values.len() - bad <= 1 || lo == hi {
        format!("{med:.2e}")
    } else {
        format!("{med:.2e} [{lo:.1e}, {hi:.1e}]")
    };
    match bad {
        0 => stat,
        _ => format!("{stat} ({bad} of {} runs non-finite)", values.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waypoints_are_hit_exactly() {
        let mut c = RunConfig::from_toml_str(
            "version = 1\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.01\n[strategy]\nkind = \"strategy1\"\n[strategy.schedule]\nkind = \"geometric\"\nsteps = 230\n",
        )
        .unwrap();
        with_waypoints(&mut c, &[0.05, 0.03, 0.02]);
        let crate::config::ScheduleConfig::List { values } = &c.strategy.schedule else {
            panic!("list expected")
        };
        for w in [0.05, 0.03, 0.02, 0.01] {
            assert!(values.contains(&w), "{w} missing");
        }
        assert!(values.windows(2).all(|p| p[0] > p[1]));
        assert!((229..=233).contains(&values.len()));
        c.validate().unwrap();
    }

    #[test]
    fn median_and_spread() {
        assert_eq!(median_spread(&[3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(median_spread(&[4.0, 1.0]), (2.5, 1.0, 4.0));
        assert!(fmt_stat(&[]).contains('—'));
        // A run that ended non-finite is named, not dropped in silence.
        assert_eq!(
            fmt_stat(&[1e-3, f64::NAN, 3e-3]),
            "2.00e-3 [1.0e-3, 3.0e-3] (1 of 3 runs non-finite)"
        );
        assert_eq!(
            fmt_stat(&[f64::INFINITY, 2e-3]),
            "2.00e-3 (1 of 2 runs non-finite)"
        );
        assert_eq!(fmt_stat(&[f64::NAN; 2]), "non-finite (2 of 2 runs)");
    }
}
