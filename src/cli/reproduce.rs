//! `homotopy-explorer reproduce <id>`: a paper's page in one go (`--jobs N` cells at once,
//! stored cells reused unless `--fresh`), or on the sweep machinery — `--plan` lists the
//! page's cells, `--index K` runs one (K from `SLURM_ARRAY_TASK_ID` or `JOB_COMPLETION_INDEX`
//! when bare), `--collect` writes the page from the stored cells, `--slurm` writes the array
//! and collect scripts.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{CliError, ReproduceArgs};
use crate::reproduce::cells::Mode;

/// `homotopy-explorer reproduce`.
pub fn reproduce(args: &ReproduceArgs) -> Result<(), CliError> {
    let all = args.id == "all";
    if !all && let Err(e) = crate::reproduce::find(&args.id) {
        return Err(CliError::bad_input(e.to_string()));
    }
    if args.seeds == 0 {
        return Err(CliError::bad_input("--seeds must be at least 1"));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if args.jobs == 0 || args.jobs > cores {
        return Err(CliError::bad_input(format!(
            "--jobs {} is out of range: 1 to {cores} (the cores of this machine; the runs share the --threads compute threads)",
            args.jobs
        )));
    }
    let one_cell = args.plan || args.index.is_some() || args.collect || args.slurm;
    let flag = if args.plan {
        "--plan"
    } else if args.index.is_some() {
        "--index"
    } else if args.collect {
        "--collect"
    } else {
        "--slurm"
    };
    if all && one_cell {
        return Err(CliError::bad_input(format!(
            "{flag} works on one page: name one of {}",
            crate::reproduce::ids()
        )));
    }
    if one_cell && args.jobs != 1 {
        return Err(CliError::bad_input(format!(
            "--jobs runs a whole page's cells at once; it does not go with {flag}"
        )));
    }
    if !args.slurm && args.cluster.given() {
        return Err(CliError::bad_input(
            "--cpus, --mem, --time, --partition and --exe describe the Slurm array: they go with --slurm",
        ));
    }
    let mode = if args.plan || args.slurm {
        Mode::Plan
    } else if let Some(k) = args.index {
        let k = crate::sweep::run::task_index(k, |v| std::env::var(v).ok())
            .map_err(|e| CliError::bad_input(e.to_string()))?;
        Mode::Index(k)
    } else if args.collect {
        Mode::Collect
    } else if args.fresh {
        Mode::Fresh
    } else {
        Mode::Run
    };
    let out_dir = args.out.clone().unwrap_or_else(|| {
        let base = Path::new("out").join(if args.full {
            "reproduce-full"
        } else {
            "reproduce"
        });
        if all { base } else { base.join(&args.id) }
    });
    let opts = crate::reproduce::ReproduceOptions {
        seeds: args.seeds,
        out_dir: out_dir.clone(),
        presets_dir: args.presets.clone(),
        verbose: !args.quiet,
        full: args.full,
        jobs: args.jobs,
        mode,
        figures: args
            .figures
            .output(true)?
            .expect("reproduce always writes figures"),
    };
    if args.full && mode.writes_page() {
        eprintln!(
            "--full: the papers' sizes (see the scale line of each page); this takes hours to days on a CPU"
        );
    }
    let started = Instant::now();
    if all {
        for line in crate::reproduce::run_all(&opts)? {
            eprintln!("{line}");
        }
    } else {
        let said = crate::reproduce::run(&args.id, &opts).map_err(|e| {
            match e.downcast_ref::<crate::reproduce::cells::BadIndex>() {
                Some(bad) => CliError::bad_input(bad.to_string()),
                None => e.into(),
            }
        })?;
        if args.slurm {
            return slurm(args, &out_dir, said.cells);
        }
        let to = if mode.writes_page() {
            &mut std::io::stderr() as &mut dyn std::io::Write
        } else {
            &mut std::io::stdout()
        };
        for line in said.lines {
            let _ = writeln!(to, "{line}");
        }
        if !mode.writes_page() {
            return Ok(());
        }
    }
    eprintln!(
        "reproduce {} with {} seed(s) took {:.1} s; wrote {}/{}",
        args.id,
        args.seeds,
        started.elapsed().as_secs_f64(),
        out_dir.display(),
        if all { "index.md" } else { "reproduce.md" }
    );
    Ok(())
}

/// `reproduce <id> --slurm`: the array (one task per cell) and the collect job.
fn slurm(args: &ReproduceArgs, out_dir: &Path, cells: usize) -> Result<(), CliError> {
    let (r, exe) = args.cluster.resources()?;
    let workdir = std::env::current_dir()
        .map_err(|e| anyhow::anyhow!("cannot tell the current folder: {e}"))?;
    let abs = |p: &Path| -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            workdir.join(p)
        }
    };
    let dir = abs(out_dir);
    let mut common = vec![
        "reproduce".to_string(),
        args.id.clone(),
        "--seeds".into(),
        args.seeds.to_string(),
        "--presets".into(),
        abs(&args.presets).display().to_string(),
        "--out".into(),
        dir.display().to_string(),
    ];
    if args.full {
        common.push("--full".into());
    }
    let mut task_args = common.clone();
    task_args.extend(["--index".into(), "--quiet".into()]);
    let mut collect_args = common;
    collect_args.push("--collect".into());
    collect_args.extend(args.figures.to_args());
    let job = crate::sweep::slurm::Job {
        name: format!("hx-reproduce-{}", args.id),
        title: format!(
            "reproduce {} (--seeds {}{})",
            args.id,
            args.seeds,
            if args.full { ", --full" } else { "" }
        ),
        tasks: cells,
        dir: dir.clone(),
        stem: "reproduce",
        task_args,
        collect_args,
    };
    let written = crate::sweep::slurm::write_job(&job, &r, exe.as_deref())?;
    println!(
        "wrote {} ({cells} array tasks, one per cell) and {}
submit both (the collect job writes the page once every task has ended):
  {}
or submit the array alone and collect by hand: sbatch {}; homotopy-explorer {}",
        written.array.display(),
        written.collect.display(),
        written.submit_command(),
        written.array.display(),
        job.collect_args
            .iter()
            .map(|a| crate::sweep::slurm::quote(a))
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(())
}
