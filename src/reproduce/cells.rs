//! A reproduction's independent runs ("cells") as a sweep. Every page lists its cells in a
//! fixed order and hands them to [`run`], which stores each cell's result as
//! `<out>/cells/<index>.toml` under a key (a hash of the reproduction id, this build's version,
//! everything the page's runs depend on — the presets after `--full`, the seeds — and the
//! cell's description). So one page can be run in one process (`--jobs N` at once, stored
//! cells reused unless `--fresh`), one cell per process or cluster task (`--index K`), listed
//! (`--plan`), and written by `--collect` from whatever cells are stored, wherever they ran.
//! TOML keeps NaN and ±∞ and writes every f64 so that it reads back exactly, so a page
//! collected from cells is the page of a run in one go.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ReproduceOptions;

/// What `reproduce <id>` does with a page's cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Run every cell not stored yet, then write the page.
    #[default]
    Run,
    /// Run every cell again, ignoring stored results, then write the page.
    Fresh,
    /// List the cells and which are stored; runs nothing.
    Plan,
    /// Run the one cell with this index (if it is not stored) and store it; no page.
    Index(usize),
    /// Write the page from the stored cells; an error names the cells still missing.
    Collect,
}

impl Mode {
    /// Whether this mode ends by writing the page.
    pub fn writes_page(self) -> bool {
        matches!(self, Mode::Run | Mode::Fresh | Mode::Collect)
    }
}

/// What a page's run leaves: what the page is written from (from [`run`]: every cell's
/// result in the cells' order), or what to print when no page is written (plan, one cell).
pub enum Step<T> {
    Page(T),
    Done(Said),
}

/// What `reproduce <id>` prints, and how many cells the page has (the size of its Slurm
/// array).
#[derive(Clone, Debug, Default)]
pub struct Said {
    pub lines: Vec<String>,
    pub cells: usize,
}

/// `--index K` beyond the page's cells (a bad argument, not a failed run).
#[derive(Debug)]
pub struct BadIndex(pub String);

impl std::fmt::Display for BadIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadIndex {}

/// One stored cell.
#[derive(Serialize, serde::Deserialize)]
struct Stored<T> {
    reproduction: String,
    cell: String,
    key: String,
    /// Seconds the cell's run took, where it ran.
    seconds: f64,
    result: T,
}

/// The folder of a page's stored cells.
pub fn dir(out_dir: &Path) -> PathBuf {
    out_dir.join("cells")
}

fn path(out_dir: &Path, index: usize) -> PathBuf {
    dir(out_dir).join(format!("{index:05}.toml"))
}

/// The key of one cell: what its result depends on.
fn key(id: &str, material: &str, description: &str) -> String {
    let text = format!(
        "{id}\n{}\n{material}\n{description}",
        env!("CARGO_PKG_VERSION")
    );
    format!("{:016x}", crate::config::fnv1a(text.as_bytes()))
}

/// Why a stored cell cannot be used, or its result.
fn load<T: DeserializeOwned>(file: &Path, key: &str) -> std::result::Result<(T, f64), String> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err("missing".into()),
        Err(e) => return Err(format!("unreadable ({e})")),
    };
    let stored: Stored<T> = toml::from_str(&text).map_err(|e| format!("unreadable ({e})"))?;
    if stored.key != key {
        return Err("stale (made with other presets, seeds or build)".into());
    }
    Ok((stored.result, stored.seconds))
}

fn store<T: Serialize>(
    file: &Path,
    id: &str,
    description: &str,
    key: &str,
    seconds: f64,
    result: &T,
) -> Result<()> {
    let stored = Stored {
        reproduction: id.into(),
        cell: description.into(),
        key: key.into(),
        seconds,
        result,
    };
    let text = toml::to_string(&stored)
        .with_context(|| format!("cannot store cell {id}: {description}"))?;
    crate::export::write_atomic(file, text.as_bytes())
}

/// Run, store, list or load the cells of reproduction `id` as `opts.mode` asks. `material` is
/// everything the results depend on besides the cells' descriptions (the presets as TOML, the
/// settings); `describe` names a cell uniquely ("seed 0, adam at ε = 0.05"); `f` runs one cell,
/// printing its progress lines through the function it is given.
pub fn run<C: Sync, T: Serialize + DeserializeOwned + Send>(
    opts: &ReproduceOptions,
    id: &str,
    material: &str,
    cells: &[C],
    describe: impl Fn(&C) -> String,
    f: impl Fn(&C, &(dyn Fn(String) + Sync)) -> Result<T> + Sync,
) -> Result<Step<Vec<T>>> {
    let names: Vec<String> = cells.iter().map(&describe).collect();
    let keys: Vec<String> = names.iter().map(|n| key(id, material, n)).collect();
    let out = &opts.out_dir;
    let folder = dir(out);
    let stored = |i: usize| load::<T>(&path(out, i), &keys[i]);
    let n = cells.len();
    match opts.mode {
        Mode::Plan => {
            let mut lines = vec![format!(
                "{id}: {n} cells (--seeds {}{}); results are stored in {}",
                opts.seeds,
                if opts.full { ", --full" } else { "" },
                folder.display()
            )];
            let mut done = 0;
            for (i, name) in names.iter().enumerate() {
                let state = match stored(i) {
                    Ok(_) => {
                        done += 1;
                        "stored".to_string()
                    }
                    Err(why) => why,
                };
                lines.push(format!("{i:>5}  {name}  [{state}]"));
            }
            lines.push(format!(
                "{done} of {n} stored. Run one with `reproduce {id} --index K`, all with `reproduce {id}`; `reproduce {id} --collect` writes the page once all are stored (give every command the same --seeds, --presets, --full and --out)."
            ));
            Ok(Step::Done(Said { lines, cells: n }))
        }
        Mode::Index(k) => {
            if k >= n {
                return Err(anyhow::Error::new(BadIndex(format!(
                    "--index {k} is out of range: {id} has {n} cells with --seeds {} (0 to {}); `reproduce {id} --plan` lists them",
                    opts.seeds,
                    n.saturating_sub(1)
                ))));
            }
            let line = if stored(k).is_ok() {
                format!("cell {k} ({}) is already stored; nothing to do", names[k])
            } else {
                std::fs::create_dir_all(&folder)
                    .with_context(|| format!("cannot create {}", folder.display()))?;
                let say = say_fn(opts.verbose);
                let started = Instant::now();
                let result = f(&cells[k], &say)?;
                let secs = started.elapsed().as_secs_f64();
                store(&path(out, k), id, &names[k], &keys[k], secs, &result)?;
                format!("cell {k} of {n} ({}) stored in {:.1} s", names[k], secs)
            };
            let missing = (0..n).filter(|&i| stored(i).is_err()).count();
            Ok(Step::Done(Said {
                lines: vec![if missing == 0 {
                    format!(
                        "{line}; all {n} cells are stored: `reproduce {id} --collect` with the same options writes the page"
                    )
                } else {
                    format!("{line}; {missing} of {n} cells still to run")
                }],
                cells: n,
            }))
        }
        Mode::Collect => {
            let mut results = Vec::with_capacity(n);
            let mut absent = Vec::new();
            for (i, name) in names.iter().enumerate() {
                match stored(i) {
                    Ok((r, _)) => results.push(r),
                    Err(why) => absent.push(format!("{i} ({name}: {why})")),
                }
            }
            if !absent.is_empty() {
                let shown = absent
                    .iter()
                    .take(8)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ");
                bail!(
                    "{} of {n} cells of {id} are not stored in {}: {shown}{}. Run them with `reproduce {id} --index K` (or `reproduce {id}`, which runs what is missing) and collect again",
                    absent.len(),
                    folder.display(),
                    if absent.len() > 8 { "; …" } else { "" }
                );
            }
            Ok(Step::Page(results))
        }
        Mode::Run | Mode::Fresh => {
            std::fs::create_dir_all(&folder)
                .with_context(|| format!("cannot create {}", folder.display()))?;
            let mut results: Vec<Option<T>> = (0..n).map(|_| None).collect();
            if opts.mode == Mode::Run {
                for (i, slot) in results.iter_mut().enumerate() {
                    *slot = stored(i).ok().map(|(r, _)| r);
                }
            }
            let todo: Vec<usize> = (0..n).filter(|&i| results[i].is_none()).collect();
            let reused = n - todo.len();
            let on_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let shown = opts.verbose && on_terminal;
            // The page's bar at the bottom, one line per running cell above it.
            let multi = if shown {
                indicatif::MultiProgress::new()
            } else {
                indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::hidden())
            };
            let bar = multi.add(indicatif::ProgressBar::new(todo.len() as u64));
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} runs of the page, ETA {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            let say = |line: String| match (opts.verbose, on_terminal) {
                (true, true) => {
                    let _ = multi.println(line);
                }
                (true, false) => eprintln!("{line}"),
                (false, _) => {}
            };
            // Said even when quiet: a page that trains nothing must say why.
            if reused > 0 {
                let line = format!(
                    "[{id}] {reused} of {n} cells are stored in {} from an earlier run and reused (--fresh runs them again)",
                    folder.display()
                );
                if shown {
                    let _ = multi.println(line);
                } else {
                    eprintln!("{line}");
                }
            }
            let ran = super::run_cells(&todo, opts.jobs, |&i| {
                let started = Instant::now();
                let cell_bar = if shown {
                    multi.insert_before(&bar, super::progress::cell_bar(&names[i]))
                } else {
                    indicatif::ProgressBar::hidden()
                };
                let result = super::progress::with_bar(cell_bar.clone(), || f(&cells[i], &say));
                cell_bar.finish_and_clear();
                multi.remove(&cell_bar);
                let result = result?;
                let secs = started.elapsed().as_secs_f64();
                store(&path(out, i), id, &names[i], &keys[i], secs, &result)?;
                bar.inc(1);
                Ok(result)
            })?;
            bar.finish_and_clear();
            for (i, r) in todo.into_iter().zip(ran) {
                results[i] = Some(r);
            }
            Ok(Step::Page(
                results
                    .into_iter()
                    .map(|r| r.expect("every cell stored or run"))
                    .collect(),
            ))
        }
    }
}

/// Progress lines of one cell (`--index`) go to stderr unless quiet.
fn say_fn(verbose: bool) -> impl Fn(String) + Sync {
    move |line: String| {
        if verbose {
            eprintln!("{line}");
        }
    }
}

/// The TOML of every config, in order: the usual `material` of a page.
pub fn material_of<'a>(configs: impl IntoIterator<Item = &'a crate::config::RunConfig>) -> String {
    configs
        .into_iter()
        .map(|c| c.to_toml_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Out {
        values: Vec<f64>,
        maybe: Option<f64>,
        pair: Option<(String, Vec<f64>)>,
    }

    #[test]
    fn stored_cells_read_back_bit_for_bit_with_nan_and_infinity() {
        let dir = std::env::temp_dir().join(format!("hx-cells-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("00000.toml");
        let out = Out {
            values: vec![0.1 + 0.2, -0.0, 1e-310, f64::INFINITY, 1.0 / 3.0, f64::MAX],
            maybe: None,
            pair: Some(("adam".into(), vec![2.5e-17, f64::NEG_INFINITY])),
        };
        store(&file, "x", "seed 0", "k", 1.5, &out).unwrap();
        let (back, secs): (Out, f64) = load(&file, "k").unwrap();
        assert_eq!(secs, 1.5);
        assert_eq!(back, out);
        assert!(back.values[1].is_sign_negative());
        let with_nan = Out {
            values: vec![f64::NAN],
            maybe: Some(f64::NAN),
            pair: None,
        };
        store(&file, "x", "seed 0", "k", 0.0, &with_nan).unwrap();
        let (back, _): (Out, f64) = load(&file, "k").unwrap();
        assert!(back.values[0].is_nan() && back.maybe.unwrap().is_nan());
        // Another key (other presets, seeds or build) is stale, not reused.
        assert!(load::<Out>(&file, "other").unwrap_err().contains("stale"));
        assert_eq!(
            load::<Out>(&dir.join("none.toml"), "k").unwrap_err(),
            "missing"
        );
        std::fs::write(&file, "result = 3").unwrap();
        assert!(load::<Out>(&file, "k").unwrap_err().contains("unreadable"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn keys_change_with_what_the_result_depends_on() {
        let a = key("ac2", "preset A", "seed 0, adam at ε = 0.05");
        assert_eq!(a, key("ac2", "preset A", "seed 0, adam at ε = 0.05"));
        assert_ne!(a, key("ac2", "preset B", "seed 0, adam at ε = 0.05"));
        assert_ne!(a, key("ac2", "preset A", "seed 1, adam at ε = 0.05"));
        assert_ne!(a, key("hf", "preset A", "seed 0, adam at ε = 0.05"));
    }
}
