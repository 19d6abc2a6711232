//! A Slurm job-array script for a sweep: one array task per sweep task, each running
//! `homotopy-explorer sweep run <manifest>` (the task index comes from `SLURM_ARRAY_TASK_ID`),
//! its log in the sweep's `logs/` folder. Nothing else in the project depends on Slurm.

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

/// The script's text for `manifest` run by the program at `exe`, from the folder `workdir`.
pub fn script(
    manifest: &Manifest,
    tasks: usize,
    r: &Resources,
    exe: &Path,
    workdir: &Path,
) -> String {
    let abs = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            workdir.join(p)
        }
    };
    let out = abs(&manifest.out_dir());
    let mut s = format!(
        "#!/bin/bash\n# Sweep `{}`: {tasks} tasks, written by `homotopy-explorer sweep slurm`.\n#SBATCH --job-name=hx-{}\n#SBATCH --array=0-{}\n#SBATCH --cpus-per-task={}\n#SBATCH --mem={}\n#SBATCH --time={}\n#SBATCH --chdir={}\n#SBATCH --output={}/logs/t%a.log\n",
        manifest.name,
        manifest.name,
        tasks.saturating_sub(1),
        r.cpus,
        r.mem,
        r.time,
        workdir.display(),
        out.display(),
    );
    if let Some(p) = &r.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    s.push_str(&format!(
        "exec '{}' sweep run '{}' --quiet\n",
        exe.display(),
        abs(&manifest.path).display()
    ));
    s
}

/// Write `<out>/sweep.sbatch` (and the logs folder Slurm writes into) for the program `exe`
/// (default: this one); returns its path.
pub fn write(
    manifest: &Manifest,
    all: &[super::Task],
    r: &Resources,
    exe: Option<&Path>,
) -> Result<PathBuf> {
    r.check()?;
    let tasks = all.len();
    let workdir = std::env::current_dir().context("cannot tell the current folder")?;
    let exe = match exe {
        Some(e) => std::path::absolute(e).context("cannot resolve --exe")?,
        None => std::env::current_exe().context("cannot find this program")?,
    };
    let out = manifest.out_dir();
    std::fs::create_dir_all(out.join("logs"))
        .with_context(|| format!("cannot create {}", out.join("logs").display()))?;
    super::write_manifest_copy(manifest)?;
    super::write_plan(manifest, all)?;
    let path = out.join("sweep.sbatch");
    crate::export::write_atomic(&path, script(manifest, tasks, r, &exe, &workdir).as_bytes())?;
    Ok(path)
}
