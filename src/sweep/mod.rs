//! Sweeps: a manifest (TOML, strict and versioned like presets) names base presets, seeds and
//! override axes by key path; [`Manifest::tasks`] expands them (product or zip) into numbered
//! tasks, each a preset with its overrides applied and checked like a preset file. A task runs
//! exactly as `run` would on its resolved preset (written beside its results as
//! `preset.toml`), so a task folder is a run folder; [`run`] runs one task or all of them on a
//! local process pool, [`slurm`] writes a job-array script, [`collect`] merges the finished
//! tasks into a table and figures.

pub mod collect;
pub mod run;
pub mod slurm;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::config::RunConfig;

/// The manifest version this build reads.
pub const VERSION: u32 = 1;

/// What a sweep runs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub version: u32,
    /// Names the sweep (and its default output folder, out/sweeps/<name>).
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Base presets, relative to the manifest's folder.
    pub presets: Vec<String>,
    /// Seeds each combination runs with.
    pub seeds: Vec<u64>,
    /// `product` (every combination of the axes' values, the default) or `zip` (the axes walked
    /// together: an explicit list of combinations; all axes the same length).
    #[serde(default)]
    pub combine: Combine,
    /// Override axes, in order.
    #[serde(default, rename = "axis")]
    pub axes: Vec<Axis>,
    /// The metrics the table and figures show (default `l2re` and `loss`).
    #[serde(default = "default_metrics")]
    pub metrics: Vec<Metric>,
    /// Output folder, relative to where the command runs (default out/sweeps/<name>).
    #[serde(default)]
    pub out: Option<String>,
    /// Where the manifest was read from (set by [`Manifest::from_file`]).
    #[serde(skip)]
    pub path: PathBuf,
}

/// How axes combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    #[default]
    Product,
    Zip,
}

/// One override axis: a preset key path and the values it takes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Key path into the preset, e.g. `strategy.schedule.steps`.
    pub key: String,
    pub values: Vec<toml::Value>,
}

/// A collected metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// L2RE against the exact solution where there is one, else against the reference.
    L2re,
    L2reExact,
    L2reReference,
    /// Loss at the final parameters.
    Loss,
    /// The front (zero crossing), where the problem has one.
    FrontX0,
    Steps,
    Seconds,
}

fn default_metrics() -> Vec<Metric> {
    vec![Metric::L2re, Metric::Loss]
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Self::L2re,
        Self::L2reExact,
        Self::L2reReference,
        Self::Loss,
        Self::FrontX0,
        Self::Steps,
        Self::Seconds,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::L2re => "l2re",
            Self::L2reExact => "l2re_exact",
            Self::L2reReference => "l2re_reference",
            Self::Loss => "loss",
            Self::FrontX0 => "front_x0",
            Self::Steps => "steps",
            Self::Seconds => "seconds",
        }
    }

    /// How figures and tables name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::L2re => "L2RE",
            Self::L2reExact => "L2RE vs exact",
            Self::L2reReference => "L2RE vs reference",
            Self::Loss => "loss",
            Self::FrontX0 => "front x₀",
            Self::Steps => "steps",
            Self::Seconds => "seconds",
        }
    }

    /// Whether figures draw it on a log axis.
    pub fn log(self) -> bool {
        matches!(
            self,
            Self::L2re | Self::L2reExact | Self::L2reReference | Self::Loss
        )
    }

    /// Its value in a finished run's `summary.json` (None where absent or not finite).
    pub fn of(self, s: &serde_json::Value) -> Option<f64> {
        let num = |k: &str| s.get(k).and_then(serde_json::Value::as_f64);
        match self {
            Self::L2re => num("l2re_exact").or_else(|| num("l2re_reference")),
            Self::L2reExact => num("l2re_exact"),
            Self::L2reReference => num("l2re_reference"),
            Self::Loss => s.get("final_loss").and_then(|l| l.get("total")?.as_f64()),
            Self::FrontX0 => num("front_x0"),
            Self::Steps => num("steps"),
            Self::Seconds => num("wall_secs"),
        }
        .filter(|v| v.is_finite())
    }
}

/// One unit of work: a preset with overrides and a seed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Task {
    pub index: usize,
    /// The base preset as the manifest names it.
    pub preset: String,
    /// (key path, value as TOML) in axis order.
    pub overrides: Vec<(String, String)>,
    pub seed: u64,
    /// FNV-1a of the resolved preset text: a finished task whose hash matches is skipped.
    pub hash: String,
    /// The resolved preset (base, overrides and seed applied), as `run` reads it.
    #[serde(skip)]
    pub preset_text: String,
}

impl Task {
    /// The task's name among `count` tasks: `t007` (as wide as the largest index, at least 3).
    pub fn name(&self, count: usize) -> String {
        let width = count.saturating_sub(1).to_string().len().max(3);
        format!("t{:0width$}", self.index)
    }

    /// The task's folder under the sweep's output folder.
    pub fn dir(&self, out: &Path, count: usize) -> PathBuf {
        out.join("tasks").join(self.name(count))
    }

    /// "steps = 50, kind = \"linear\", seed 2".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .overrides
            .iter()
            .map(|(k, v)| format!("{} = {v}", k.rsplit('.').next().unwrap_or(k)))
            .collect();
        parts.push(format!("seed {}", self.seed));
        parts.join(", ")
    }
}

impl Manifest {
    /// Read and check a manifest; errors name the key (and line) at fault.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read sweep manifest {}", path.display()))?;
        let mut m = Self::from_toml_str(&text)
            .with_context(|| format!("invalid sweep manifest {}", path.display()))?;
        m.path = path.to_path_buf();
        Ok(m)
    }

    pub fn from_toml_str(text: &str) -> Result<Self> {
        let m: Manifest = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count());
            // A preset given where a manifest belongs.
            let hint = if text.contains("[problem]") {
                " (this looks like a preset; a sweep manifest names presets in `presets = [...]`)"
            } else {
                ""
            };
            match line {
                Some(l) => anyhow!("line {l}: {}{hint}", e.message()),
                None => anyhow!("{}{hint}", e.message()),
            }
        })?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<()> {
        if self.version != VERSION {
            bail!(
                "`version` = {} is not supported (this build reads version {VERSION})",
                self.version
            );
        }
        if self.name.trim().is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            bail!(
                "`name` = {:?}: use letters, digits, `_` and `-` (it names the output folder)",
                self.name
            );
        }
        if self.presets.is_empty() {
            bail!("`presets` is empty: name at least one base preset");
        }
        if self.seeds.is_empty() {
            bail!("`seeds` is empty: list at least one seed, e.g. seeds = [0, 1, 2]");
        }
        if let Some(s) = self
            .seeds
            .iter()
            .enumerate()
            .find(|(i, s)| self.seeds[..*i].contains(s))
        {
            bail!("`seeds` lists {} twice: each seed once", s.1);
        }
        for (k, a) in self.axes.iter().enumerate() {
            if a.values.is_empty() {
                bail!("axis {} (`{}`): `values` is empty", k + 1, a.key);
            }
            if let Some((_, v)) = a
                .values
                .iter()
                .enumerate()
                .find(|(i, v)| a.values[..*i].contains(v))
            {
                bail!("axis `{}` lists {v} twice: each value once", a.key);
            }
            if a.key.split('.').any(str::is_empty) {
                bail!(
                    "axis {}: key `{}` is not a key path such as `strategy.schedule.steps`",
                    k + 1,
                    a.key
                );
            }
            if a.key == "training.seed" {
                bail!(
                    "axis {}: sweep seeds with `seeds`, not an axis on training.seed",
                    k + 1
                );
            }
            if self.axes[..k].iter().any(|b| b.key == a.key) {
                bail!("axis `{}` appears twice", a.key);
            }
        }
        if self.combine == Combine::Zip
            && let Some(a) = self.axes.first()
            && let Some(b) = self.axes.iter().find(|b| b.values.len() != a.values.len())
        {
            bail!(
                "`combine = \"zip\"` walks the axes together, but `{}` has {} values and `{}` has {}",
                a.key,
                a.values.len(),
                b.key,
                b.values.len()
            );
        }
        if self.metrics.is_empty() {
            bail!(
                "`metrics` is empty: name at least one of {}",
                Metric::ALL.map(Metric::id).join(", ")
            );
        }
        Ok(())
    }

    /// The output folder.
    pub fn out_dir(&self) -> PathBuf {
        match &self.out {
            Some(o) => PathBuf::from(o),
            None => Path::new("out").join("sweeps").join(&self.name),
        }
    }

    /// The combinations of axis values (indices into each axis), in order.
    pub fn combinations(&self) -> Vec<Vec<usize>> {
        if self.axes.is_empty() {
            return vec![vec![]];
        }
        match self.combine {
            Combine::Zip => (0..self.axes[0].values.len())
                .map(|i| vec![i; self.axes.len()])
                .collect(),
            Combine::Product => {
                let mut out = vec![vec![]];
                for a in &self.axes {
                    out = out
                        .into_iter()
                        .flat_map(|c: Vec<usize>| {
                            (0..a.values.len()).map(move |i| {
                                let mut c = c.clone();
                                c.push(i);
                                c
                            })
                        })
                        .collect();
                }
                out
            }
        }
    }

    /// Every task, preset-major, then combination, then seed; each resolved and checked like a
    /// preset (an override that no preset accepts is named with its axis and value).
    pub fn tasks(&self) -> Result<Vec<Task>> {
        let base = self.path.parent().unwrap_or(Path::new("."));
        let mut tasks = Vec::new();
        for preset in &self.presets {
            let path = base.join(preset);
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "preset `{preset}` of the manifest: cannot read {}",
                    path.display()
                )
            })?;
            let table: toml::Table = text
                .parse()
                .with_context(|| format!("preset {} is not TOML", path.display()))?;
            for combo in self.combinations() {
                for &seed in &self.seeds {
                    let mut t = table.clone();
                    let mut overrides = Vec::new();
                    for (a, &i) in self.axes.iter().zip(&combo) {
                        set_path(&mut t, &a.key, a.values[i].clone())
                            .with_context(|| format!("axis `{}`", a.key))?;
                        overrides.push((a.key.clone(), a.values[i].to_string()));
                    }
                    set_path(&mut t, "training.seed", toml::Value::Integer(seed as i64))?;
                    let preset_text = toml::to_string(&t).context("cannot write the preset")?;
                    let config = RunConfig::from_toml_str(&preset_text)
                        .map_err(|e| self.explain(preset, &overrides, e))?;
                    config.validate().map_err(|e| {
                        anyhow!("preset `{preset}` with these overrides is not valid: {e}")
                    })?;
                    tasks.push(Task {
                        index: tasks.len(),
                        preset: preset.clone(),
                        overrides,
                        seed,
                        hash: format!("{:016x}", crate::config::fnv1a(preset_text.as_bytes())),
                        preset_text,
                    });
                }
            }
        }
        Ok(tasks)
    }
}

impl Manifest {
    /// A preset error of a resolved task, in the manifest's terms: the axis (and its line in
    /// the manifest) whose override the error is about, else the preset; line numbers of the
    /// resolved text (which no file shows) are left out.
    fn explain(
        &self,
        preset: &str,
        overrides: &[(String, String)],
        e: crate::config::ConfigError,
    ) -> anyhow::Error {
        let (key, message) = match &e {
            crate::config::ConfigError::Invalid { key, message, .. } => {
                (key.clone(), message.clone())
            }
            other => (None, other.to_string()),
        };
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let axis = overrides.iter().find(|(k, _)| {
            key.as_deref().is_some_and(|key| {
                key == k || key.starts_with(&format!("{k}.")) || k.starts_with(&format!("{key}."))
            })
        });
        match axis {
            Some((k, v)) => {
                let line = text
                    .lines()
                    .position(|l| l.contains(&format!("\"{k}\"")))
                    .map_or(String::new(), |n| format!(" (manifest line {})", n + 1));
                anyhow!("axis `{k}`{line} = {v} on preset `{preset}`: {message}")
            }
            None => anyhow!(
                "preset `{preset}` with {}: {}{message}",
                if overrides.is_empty() {
                    "no overrides".to_string()
                } else {
                    overrides
                        .iter()
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                key.map_or(String::new(), |k| format!("key `{k}`: "))
            ),
        }
    }
}

/// Set `key` (dotted path) in `table`, creating the tables on the way.
fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<()> {
    let mut parts: Vec<&str> = key.split('.').collect();
    let leaf = parts.pop().ok_or_else(|| anyhow!("empty key"))?;
    let mut t = table;
    for (depth, p) in parts.iter().enumerate() {
        let entry = t
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        t = entry.as_table_mut().ok_or_else(|| {
            anyhow!(
                "`{}` is a value in the preset, not a table",
                parts[..=depth].join(".")
            )
        })?;
    }
    t.insert(leaf.to_string(), value);
    Ok(())
}

/// Keep a copy of the manifest as `<out>/manifest.toml` (what `collect` reads the metrics and
/// the name from, wherever the tasks ran).
pub fn write_manifest_copy(manifest: &Manifest) -> Result<()> {
    let text = std::fs::read(&manifest.path)
        .with_context(|| format!("cannot read {}", manifest.path.display()))?;
    let out = manifest.out_dir();
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    crate::export::write_atomic(&out.join("manifest.toml"), &text)
}

/// A task's `task.json` beside its run files.
pub fn write_task_file(task: &Task, dir: &Path) -> Result<()> {
    crate::export::write_atomic(
        &dir.join("task.json"),
        serde_json::to_string_pretty(task)?.as_bytes(),
    )
}

/// Whether the task already finished with the same resolved preset (a run that was
/// interrupted has not finished: it runs again).
pub fn is_done(task: &Task, dir: &Path) -> bool {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let same = read("task.json")
        .and_then(|t| serde_json::from_str::<Task>(&t).ok())
        .is_some_and(|t| t.hash == task.hash);
    same && read("summary.json")
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .is_some_and(|s| s.get("end_reason").and_then(|e| e.as_str()) != Some("interrupted"))
}

/// The tasks of the manifest as last planned (`<out>/plan.json`: index and hash of each), so
/// `collect` merges only tasks of the current manifest.
pub fn write_plan(manifest: &Manifest, tasks: &[Task]) -> Result<()> {
    let plan: Vec<(usize, &str)> = tasks.iter().map(|t| (t.index, t.hash.as_str())).collect();
    let out = manifest.out_dir();
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    crate::export::write_atomic(
        &out.join("plan.json"),
        serde_json::to_string(&plan)?.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(dir: &Path, body: &str) -> Result<Manifest> {
        std::fs::write(
            dir.join("base.toml"),
            "version = 1\nname = \"b\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.1\nn_res = 50\n[training]\nmax_steps = 20\n",
        )
        .unwrap();
        let path = dir.join("m.toml");
        std::fs::write(&path, body).unwrap();
        Manifest::from_file(&path)
    }

    #[test]
    fn axes_expand_as_a_product_or_zipped_in_a_stable_order() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(
            dir.path(),
            "version = 1\nname = \"s\"\npresets = [\"base.toml\"]\nseeds = [0, 1]\n[[axis]]\nkey = \"problem.eps\"\nvalues = [0.1, 0.05]\n[[axis]]\nkey = \"network.hidden\"\nvalues = [[8, 8], [16]]\n",
        )
        .unwrap();
        let tasks = m.tasks().unwrap();
        assert_eq!(tasks.len(), 2 * 2 * 2);
        assert_eq!(tasks[3].overrides[0], ("problem.eps".into(), "0.1".into()));
        assert_eq!(tasks[3].overrides[1].1, "[16]");
        assert_eq!(tasks[3].seed, 1);
        let c = RunConfig::from_toml_str(&tasks[3].preset_text).unwrap();
        assert_eq!((c.network.hidden.clone(), c.training.seed), (vec![16], 1));
        // Same inputs, same hashes; other overrides, other hashes.
        assert_eq!(m.tasks().unwrap()[3].hash, tasks[3].hash);
        assert_ne!(tasks[2].hash, tasks[3].hash);
        let mut z = m.clone();
        z.combine = Combine::Zip;
        assert_eq!(z.tasks().unwrap().len(), 2 * 2);
    }

    #[test]
    fn an_interrupted_task_has_not_finished() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(
            dir.path(),
            "version = 1\nname = \"s\"\npresets = [\"base.toml\"]\nseeds = [0]\n",
        )
        .unwrap();
        let task = &m.tasks().unwrap()[0];
        write_task_file(task, dir.path()).unwrap();
        let summary = |end: &str| {
            std::fs::write(
                dir.path().join("summary.json"),
                format!("{{\"end_reason\": \"{end}\"}}"),
            )
            .unwrap()
        };
        summary("interrupted");
        assert!(!is_done(task, dir.path()));
        summary("max_steps");
        assert!(is_done(task, dir.path()));
        let mut other = task.clone();
        other.hash = "0".into();
        assert!(
            !is_done(&other, dir.path()),
            "another preset is another task"
        );
    }

    #[test]
    fn bad_manifests_name_the_key_and_what_is_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let err = |body: &str| format!("{:#}", manifest(dir.path(), body).unwrap_err());
        let head = "version = 1\nname = \"s\"\npresets = [\"base.toml\"]\n";
        assert!(err(head).contains("seeds"), "{}", err(head));
        let e = err(&format!("{head}seeds = [0]\ncolour = 1\n"));
        assert!(e.contains("line 5") && e.contains("colour"), "{e}");
        let e = err(&format!(
            "{head}seeds = [0]\ncombine = \"zip\"\n[[axis]]\nkey = \"problem.eps\"\nvalues = [0.1]\n[[axis]]\nkey = \"training.max_steps\"\nvalues = [1, 2]\n"
        ));
        assert!(e.contains("zip") && e.contains("training.max_steps"), "{e}");
        let e = err(&format!("{head}seeds = [0]\nmetrics = [\"speed\"]\n"));
        assert!(e.contains("speed"), "{e}");
        assert!(err(&format!("{head}seeds = [0, 0]\n")).contains("twice"));
        let e = err(&format!(
            "{head}seeds = [0]\n[[axis]]\nkey = \"problem.eps\"\nvalues = [0.1, 0.1]\n"
        ));
        assert!(e.contains("problem.eps") && e.contains("twice"), "{e}");
        // An override the preset does not accept is named with its axis and value.
        let m = manifest(
            dir.path(),
            &format!("{head}seeds = [0]\n[[axis]]\nkey = \"problem.epsilon\"\nvalues = [0.1]\n"),
        )
        .unwrap();
        let e = format!("{:#}", m.tasks().unwrap_err());
        assert!(
            e.contains("axis `problem.epsilon` (manifest line 6) = 0.1") && e.contains("epsilon"),
            "{e}"
        );
        let m = manifest(
            dir.path(),
            &format!("{head}seeds = [0]\n[[axis]]\nkey = \"problem.eps\"\nvalues = [-1.0]\n"),
        )
        .unwrap();
        assert!(format!("{:#}", m.tasks().unwrap_err()).contains("problem.eps"));
    }
}
