//! Slurm job arrays for a sweep and for a reproduction's cells: an array script with one task
//! per sweep task or cell (each running `homotopy-explorer sweep run <manifest>` or
//! `reproduce <id> --index`, the index from `SLURM_ARRAY_TASK_ID`), a collect script that
//! writes the tables and figures once the array has ended, and the one command that submits
//! both. Logs go to the output's `logs/` folder. Nothing else in the project depends on Slurm.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Manifest;

/// Resources asked for each array task.
#[derive(Clone, Debug)]
pub struct Resources {
    pub cpus: usize,
    /// Memory per task as Slurm reads it, e.g. `2G`.
    pub mem: String,
    /// Wall-time limit per task, e.g. `02:00:00`.
    pub time: String,
    pub partition: Option<String>,
}

impl Resources {
    /// Checks the values so the script is not refused by `sbatch` later.
    pub fn check(&self) -> Result<()> {
        if self.cpus == 0 || self.cpus > 1024 {
            bail!("--cpus {} is out of range: 1 to 1024", self.cpus);
        }
        let digits = self.mem.trim_end_matches(['K', 'M', 'G', 'T']);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            bail!(
                "--mem {:?}: expected a whole number with K, M, G or T, e.g. 2G",
                self.mem
            );
        }
        if matches!(
            self.time.to_ascii_lowercase().as_str(),
            "infinite" | "unlimited"
        ) {
            return Ok(());
        }
        let parts: Vec<&str> = self.time.split(':').collect();
        if parts.len() > 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit() || c == '-'))
        {
            bail!(
                "--time {:?}: expected minutes or [D-]HH:MM:SS, e.g. 02:00:00",
                self.time
            );
        }
        Ok(())
    }
}

/// An array job and the job that collects after it.
#[derive(Clone, Debug)]
pub struct Job {
    /// Slurm's job name, e.g. `hx-ac1_schedule`.
    pub name: String,
    /// What the scripts' first comment says.
    pub title: String,
    pub tasks: usize,
    /// The output folder: the scripts and `logs/` go here (absolute).
    pub dir: PathBuf,
    /// The array script's file stem: `sweep` writes `sweep.sbatch`.
    pub stem: &'static str,
    /// The program's arguments for one array task (its index from `SLURM_ARRAY_TASK_ID`).
    pub task_args: Vec<String>,
    /// The program's arguments for the collect job.
    pub collect_args: Vec<String>,
}

/// The scripts [`write_job`] wrote.
#[derive(Clone, Debug)]
pub struct Written {
    pub array: PathBuf,
    pub collect: PathBuf,
}

impl Written {
    /// The shell command that submits the array and, after all its tasks have ended, the
    /// collect job (which names any task that did not finish).
    pub fn submit_command(&self) -> String {
        format!(
            "jobid=$(sbatch --parsable {}) && sbatch --dependency=afterany:${{jobid%%;*}} {}",
            quote(&self.array.display().to_string()),
            quote(&self.collect.display().to_string())
        )
    }
}

/// `s` as one word for a POSIX shell.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn header(job: &Job, r: &Resources, workdir: &Path, array: bool) -> String {
    let mut s = format!(
        "#!/bin/bash\n# {}, written by homotopy-explorer.\n#SBATCH --job-name={}\n",
        if array {
            format!("{}: {} array tasks", job.title, job.tasks)
        } else {
            format!("{}: collect after the array", job.title)
        },
        if array {
            job.name.clone()
        } else {
            format!("{}-collect", job.name)
        },
    );
    if array {
        s.push_str(&format!(
            "#SBATCH --array=0-{}\n",
            job.tasks.saturating_sub(1)
        ));
    }
    s.push_str(&format!(
        "#SBATCH --cpus-per-task={}\n#SBATCH --mem={}\n#SBATCH --time={}\n#SBATCH --chdir={}\n#SBATCH --output={}\n",
        if array { r.cpus } else { 1 },
        r.mem,
        r.time,
        workdir.display(),
        job.dir
            .join("logs")
            .join(if array { "t%a.log" } else { "collect.log" })
            .display(),
    ));
    if let Some(p) = &r.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    s
}

/// The array script's and the collect script's text for the program at `exe`, run from
/// `workdir`.
pub fn scripts(job: &Job, r: &Resources, exe: &Path, workdir: &Path) -> (String, String) {
    let command = |args: &[String]| {
        std::iter::once(quote(&exe.display().to_string()))
            .chain(args.iter().map(|a| quote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    (
        format!(
            "{}exec {}\n",
            header(job, r, workdir, true),
            // Each task computes on the CPUs Slurm gives it.
            command(
                &[
                    &job.task_args[..],
                    &["--threads".into(), r.cpus.to_string()]
                ]
                .concat()
            )
        ),
        format!(
            "{}exec {}\n",
            header(job, r, workdir, false),
            command(&[&job.collect_args[..], &["--threads".into(), "1".into()]].concat())
        ),
    )
}

/// The cluster's largest array (`MaxArraySize` of `scontrol show config`), where `scontrol`
/// answers.
pub fn max_array_size() -> Option<usize> {
    let out = std::process::Command::new("scontrol")
        .args(["show", "config"])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "MaxArraySize")
            .then(|| v.trim().parse().ok())
            .flatten()
    })
}

/// Write `<dir>/<stem>.sbatch` and `<dir>/collect.sbatch` (and the logs folder Slurm writes
/// into) for the program `exe` (default: this one). Refuses an array larger than the cluster's
/// `MaxArraySize` where `scontrol` can tell it.
pub fn write_job(job: &Job, r: &Resources, exe: Option<&Path>) -> Result<Written> {
    r.check()?;
    if job.tasks == 0 {
        bail!("{} has no tasks to submit", job.title);
    }
    if let Some(max) = max_array_size()
        && job.tasks > max
    {
        bail!(
            "{} has {} tasks but this cluster's MaxArraySize is {max} (scontrol show config): split it into smaller sweeps, or ask for a larger MaxArraySize",
            job.title,
            job.tasks
        );
    }
    let workdir = std::env::current_dir().context("cannot tell the current folder")?;
    let exe = match exe {
        Some(e) => std::path::absolute(e).context("cannot resolve --exe")?,
        None => std::env::current_exe().context("cannot find this program")?,
    };
    std::fs::create_dir_all(job.dir.join("logs"))
        .with_context(|| format!("cannot create {}", job.dir.join("logs").display()))?;
    let (array, collect) = scripts(job, r, &exe, &workdir);
    let written = Written {
        array: job.dir.join(format!("{}.sbatch", job.stem)),
        collect: job.dir.join("collect.sbatch"),
    };
    crate::export::write_atomic(&written.array, array.as_bytes())?;
    crate::export::write_atomic(&written.collect, collect.as_bytes())?;
    Ok(written)
}

/// Write the sweep's scripts (`sweep.sbatch`, `collect.sbatch`) for the program `exe`
/// (default: this one), with its manifest copy and plan.
pub fn write(
    manifest: &Manifest,
    all: &[super::Task],
    r: &Resources,
    exe: Option<&Path>,
) -> Result<Written> {
    let workdir = std::env::current_dir().context("cannot tell the current folder")?;
    let abs = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            workdir.join(p)
        }
    };
    let out = abs(&manifest.out_dir());
    let job = Job {
        name: format!("hx-{}", manifest.name),
        title: format!("Sweep `{}`", manifest.name),
        tasks: all.len(),
        dir: out.clone(),
        stem: "sweep",
        task_args: vec![
            "sweep".into(),
            "run".into(),
            abs(&manifest.path).display().to_string(),
            "--quiet".into(),
        ],
        collect_args: vec!["sweep".into(), "collect".into(), out.display().to_string()],
    };
    r.check()?;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    super::write_manifest_copy(manifest)?;
    super::write_plan(manifest, all)?;
    write_job(&job, r, exe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(quote("out/sweeps/a_b-1.toml"), "out/sweeps/a_b-1.toml");
        assert_eq!(quote("my runs/x"), "'my runs/x'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
    }
}
