//! `homotopy-explorer sweep plan|run|collect|slurm`: the manifest and its tasks loaded and
//! checked once, then handed to [`crate::sweep`]; exit codes as for `run` (2 bad input, 130
//! interrupted, 1 a failed task).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::{CliError, EXIT_INTERRUPTED, SweepArgs, SweepCommand};

/// `homotopy-explorer sweep …`.
pub fn sweep(args: &SweepArgs) -> Result<(), CliError> {
    use crate::sweep::{self, Manifest};
    // The manifest and its tasks, every one resolved and checked like a preset (an override
    // no preset accepts is named) before anything runs.
    let load = |path: &Path| {
        let m = Manifest::from_file(path).map_err(|e| CliError::bad_input(format!("{e:#}")))?;
        let tasks = m
            .tasks()
            .map_err(|e| CliError::bad_input(format!("{}: {e:#}", path.display())))?;
        Ok::<_, CliError>((m, tasks))
    };
    match &args.command {
        SweepCommand::Plan { manifest } => {
            let (m, tasks) = load(manifest)?;
            let lines = sweep::run::plan_lines(&m, &tasks);
            let out = m.out_dir();
            let shown = std::path::absolute(&out).unwrap_or(out);
            println!(
                "{} tasks of sweep `{}`, output in {} (the `out` key, relative to where the command runs):",
                lines.len(),
                m.name,
                shown.display()
            );
            for l in lines {
                println!("{l}");
            }
        }
        SweepCommand::Run {
            manifest,
            index,
            jobs,
            quiet,
        } => {
            let (m, tasks) = load(manifest)?;
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            match (*index, *jobs) {
                (Some(_), Some(_)) => {
                    return Err(CliError::bad_input(
                        "give --index K (one task) or --jobs N (all tasks), not both",
                    ));
                }
                (_, Some(n)) if n == 0 || n > cores => {
                    return Err(CliError::bad_input(format!(
                        "--jobs {n} is out of range: 1 to {cores} (the cores of this machine; each task uses one)"
                    )));
                }
                (_, Some(n)) => {
                    let started = Instant::now();
                    let interrupt = Arc::new(AtomicBool::new(false));
                    {
                        let flag = interrupt.clone();
                        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
                    }
                    let report = sweep::run::run_local(&m, &tasks, n, *quiet, &interrupt)?;
                    let out = m.out_dir();
                    let plural = |k: usize| if k == 1 { "task" } else { "tasks" };
                    eprintln!(
                        "sweep `{}`: {} {} ran, {} had finished before, {} failed, in {:.1} s on {n} processes",
                        m.name,
                        report.ran,
                        plural(report.ran),
                        report.skipped,
                        report.failed.len(),
                        started.elapsed().as_secs_f64(),
                    );
                    if report.interrupted {
                        return Err(CliError {
                            code: EXIT_INTERRUPTED,
                            message: format!(
                                "interrupted; the finished tasks are kept in {} and the same command goes on from there",
                                out.display()
                            ),
                        });
                    }
                    let collected =
                        sweep::collect::collect(&out, &sweep::collect::default_output())?;
                    eprintln!(
                        "collected {} finished {}: {}",
                        collected.rows,
                        plural(collected.rows),
                        out.join("sweep.md").display()
                    );
                    if !report.failed.is_empty() {
                        return Err(CliError {
                            code: 1,
                            message: format!(
                                "{} {} failed:\n{}",
                                report.failed.len(),
                                plural(report.failed.len()),
                                report
                                    .failed
                                    .iter()
                                    .map(|(t, why)| format!(
                                        "  task {} ({}): {why}",
                                        t.index,
                                        t.describe()
                                    ))
                                    .collect::<Vec<_>>()
                                    .join("\n")
                            ),
                        });
                    }
                }
                (_, None) => {
                    let k = sweep::run::task_index(*index, |v| std::env::var(v).ok())
                        .map_err(|e| CliError::bad_input(e.to_string()))?;
                    let interrupt = Arc::new(AtomicBool::new(false));
                    {
                        let flag = interrupt.clone();
                        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
                    }
                    let (outcome, dir) = sweep::run::run_one(&m, &tasks, k, &interrupt, !*quiet)
                        .map_err(|e| {
                            if e.to_string().contains("out of range") {
                                CliError::bad_input(e.to_string())
                            } else {
                                CliError::from(e)
                            }
                        })?;
                    eprintln!(
                        "task {k}: {} ({})",
                        match outcome {
                            sweep::run::Outcome::Ran => "finished",
                            sweep::run::Outcome::Skipped =>
                                "already finished with the same preset, skipped",
                            sweep::run::Outcome::Interrupted =>
                                "interrupted; it runs again next time",
                        },
                        dir.display()
                    );
                    if interrupt.load(Ordering::Relaxed) {
                        return Err(CliError {
                            code: EXIT_INTERRUPTED,
                            message: format!(
                                "interrupted; the results so far are in {}",
                                dir.display()
                            ),
                        });
                    }
                }
            }
        }
        SweepCommand::Collect { dir, figures } => {
            let mut output = figures
                .output(true)?
                .expect("collect always writes figures");
            if figures.figure_formats.is_none() {
                output.formats = sweep::collect::default_output().formats;
            }
            let c = sweep::collect::collect(dir, &output)
                .map_err(|e| CliError::bad_input(format!("{e:#}")))?;
            eprintln!(
                "collected {} finished tasks from {}{}; wrote {} files ({})",
                c.rows,
                dir.display(),
                if c.stale > 0 {
                    format!(
                        " (left out {} task folders of an earlier version of the manifest)",
                        c.stale
                    )
                } else {
                    String::new()
                },
                c.files.len(),
                dir.join("sweep.md").display()
            );
        }
        SweepCommand::Slurm { manifest, slurm } => {
            let (m, tasks) = load(manifest)?;
            let (r, exe) = slurm.resources()?;
            let written = sweep::slurm::write(&m, &tasks, &r, exe.as_deref())?;
            println!(
                "wrote {} ({} array tasks) and {}
submit both (the collect job starts once every task has ended):
  {}
or submit the array alone and collect by hand: sbatch {}; homotopy-explorer sweep collect {}",
                written.array.display(),
                tasks.len(),
                written.collect.display(),
                written.submit_command(),
                written.array.display(),
                m.out_dir().display()
            );
        }
    }
    Ok(())
}
