//! Running a sweep's tasks: [`run_one`] trains one task exactly as `run` trains a preset (its
//! resolved preset written beside the results, so `run <task>/preset.toml` repeats it), skipping
//! a task already finished with the same preset; [`run_local`] runs every task on a pool of N
//! child processes of this binary with a progress bar and a log per task, then collects.
//! [`task_index`] picks the task of an array job from the scheduler's variables.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};

use super::{Manifest, Task, is_done, write_task_file};
use crate::config::RunConfig;

/// The exit code of a task stopped by a signal (the command line's `EXIT_INTERRUPTED`).
const TASK_INTERRUPTED: i32 = 130;

/// The scheduler variables that name an array task, in the order they are read.
pub const INDEX_VARIABLES: [&str; 2] = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

/// The task index: `given`, else the first of [`INDEX_VARIABLES`] that is set.
pub fn task_index(given: Option<usize>, env: impl Fn(&str) -> Option<String>) -> Result<usize> {
    if let Some(k) = given {
        return Ok(k);
    }
    for var in INDEX_VARIABLES {
        if let Some(v) = env(var) {
            return v
                .trim()
                .parse()
                .map_err(|_| anyhow!("{var} = {v:?} is not a task index (a whole number from 0)"));
        }
    }
    bail!(
        "no task index: pass --index K, or run inside a Slurm array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)"
    )
}

/// What happened to one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ran,
    /// Finished before with the same resolved preset.
    Skipped,
    /// Stopped by a signal; it runs again next time.
    Interrupted,
}

/// Train task `k` of the manifest into its folder.
pub fn run_one(
    manifest: &Manifest,
    tasks: &[Task],
    k: usize,
    interrupt: &AtomicBool,
    progress: bool,
) -> Result<(Outcome, PathBuf)> {
    let task = tasks.get(k).ok_or_else(|| {
        anyhow!(
            "task index {k} is out of range: this sweep has {} tasks (0 to {})",
            tasks.len(),
            tasks.len().saturating_sub(1)
        )
    })?;
    let dir = task.dir(&manifest.out_dir(), tasks.len());
    super::write_manifest_copy(manifest)?;
    super::write_plan(manifest, tasks)?;
    if is_done(task, &dir) {
        return Ok((Outcome::Skipped, dir));
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // A rerun after a change starts clean: the old summary must not pass for the new task.
    let _ = std::fs::remove_file(dir.join("summary.json"));
    crate::export::write_atomic(&dir.join("preset.toml"), task.preset_text.as_bytes())?;
    let config = RunConfig::from_toml_str(&task.preset_text).map_err(|e| anyhow!("{e}"))?;
    let device = crate::backend::device_for(config.backend)
        .map_err(|e| anyhow!("backend {} unavailable: {e}", config.backend.id()))?;
    let summary =
        crate::export::run::train_and_write(config, &device, &dir, interrupt, progress, None)?;
    // task.json last: with a summary of a run that ended by itself it marks the task finished
    // (an interrupted one runs again next time).
    write_task_file(task, &dir)?;
    if summary.end_detail == Some(crate::train::EndReason::Interrupted) {
        return Ok((Outcome::Interrupted, dir));
    }
    Ok((Outcome::Ran, dir))
}

/// How a local run of a sweep went.
pub struct LocalRun {
    /// Tasks that ran to their end now.
    pub ran: usize,
    /// Tasks that had finished before (same resolved preset).
    pub skipped: usize,
    /// Tasks that failed, with where their log is and its last lines.
    pub failed: Vec<(Task, String)>,
    /// Whether a signal stopped the sweep (the running tasks were stopped too and run again
    /// next time).
    pub interrupted: bool,
}

/// Run every unfinished task on `jobs` child processes (`sweep run <manifest> --index K`),
/// each logging to `<out>/logs/tNNN.log`. When `interrupt` is set (Ctrl-C, SIGTERM) no task
/// starts and the running ones are stopped (they write what they have and run again later).
pub fn run_local(
    manifest: &Manifest,
    tasks: &[Task],
    jobs: usize,
    quiet: bool,
    interrupt: &AtomicBool,
) -> Result<LocalRun> {
    super::write_manifest_copy(manifest)?;
    super::write_plan(manifest, tasks)?;
    let out = manifest.out_dir();
    let logs = out.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let exe = std::env::current_exe().context("cannot find this program to start tasks")?;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(tasks.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} tasks, ETA {eta} {msg}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    let mut pending: Vec<&Task> = Vec::new();
    for t in tasks {
        if is_done(t, &t.dir(&out, tasks.len())) {
            bar.inc(1);
        } else {
            pending.push(t);
        }
    }
    let mut report = LocalRun {
        ran: 0,
        skipped: tasks.len() - pending.len(),
        failed: Vec::new(),
        interrupted: false,
    };
    if report.skipped > 0 {
        bar.set_message(format!("({} finished before)", report.skipped));
    }
    let mut running: Vec<(&Task, Child, PathBuf, Instant)> = Vec::new();
    let mut queue = pending.into_iter();
    loop {
        if interrupt.load(Ordering::Relaxed) && !report.interrupted {
            // Pass the stop on: each task writes what it has and exits.
            report.interrupted = true;
            for (_, child, _, _) in &running {
                let _ = Command::new("kill")
                    .arg("-TERM")
                    .arg(child.id().to_string())
                    .status();
            }
        }
        while running.len() < jobs.max(1) && !report.interrupted {
            let Some(t) = queue.next() else { break };
            let log_path = logs.join(format!("{}.log", t.name(tasks.len())));
            let log = std::fs::File::create(&log_path)
                .with_context(|| format!("cannot create {}", log_path.display()))?;
            let child = Command::new(&exe)
                .arg("sweep")
                .arg("run")
                .arg(&manifest.path)
                .arg("--index")
                .arg(t.index.to_string())
                .arg("--quiet")
                // The jobs share the cores: each process gets its part of the pool.
                .arg("--threads")
                .arg((crate::pool::threads() / jobs.max(1)).max(1).to_string())
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .context("cannot start a task process")?;
            running.push((t, child, log_path, Instant::now()));
        }
        if running.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        let mut k = 0;
        while k < running.len() {
            match running[k].1.try_wait()? {
                Some(status) => {
                    let (t, _, log, started) = running.remove(k);
                    bar.inc(1);
                    bar.set_message(format!(
                        "task {} ({}) {:.0} s",
                        t.index,
                        t.describe(),
                        started.elapsed().as_secs_f64()
                    ));
                    if status.success() {
                        report.ran += 1;
                    } else if status.code() == Some(TASK_INTERRUPTED) {
                        // Stopped by the same signal as this process (it runs again next time).
                        report.interrupted = true;
                    } else if !report.interrupted {
                        let text = std::fs::read_to_string(&log).unwrap_or_default();
                        let tail: Vec<&str> = text.lines().rev().take(3).collect();
                        report.failed.push((
                            t.clone(),
                            format!(
                                "exit {} ({}): {}",
                                status.code().map_or("signal".into(), |c| c.to_string()),
                                log.display(),
                                tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
                            ),
                        ));
                    }
                }
                None => k += 1,
            }
        }
    }
    bar.finish();
    Ok(report)
}

/// The tasks as `sweep plan` prints them.
pub fn plan_lines(manifest: &Manifest, tasks: &[Task]) -> Vec<String> {
    let out = manifest.out_dir();
    tasks
        .iter()
        .map(|t| {
            let dir = t.dir(&out, tasks.len());
            let done = if is_done(t, &dir) { "  (finished)" } else { "" };
            format!(
                "{:>4}  {}  {}  → {}{done}",
                t.index,
                t.preset,
                t.describe(),
                dir.display()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_comes_from_the_flag_then_slurm_then_kubernetes() {
        let none = |_: &str| None;
        assert_eq!(task_index(Some(3), none).unwrap(), 3);
        let slurm = |v: &str| (v == "SLURM_ARRAY_TASK_ID").then(|| "5".to_string());
        assert_eq!(task_index(None, slurm).unwrap(), 5);
        let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "7".to_string());
        assert_eq!(task_index(None, k8s).unwrap(), 7);
        let e = task_index(None, none).unwrap_err().to_string();
        assert!(e.contains("SLURM_ARRAY_TASK_ID") && e.contains("JOB_COMPLETION_INDEX"));
        let bad = |_: &str| Some("x1".to_string());
        assert!(
            task_index(None, bad)
                .unwrap_err()
                .to_string()
                .contains("x1")
        );
    }
}
