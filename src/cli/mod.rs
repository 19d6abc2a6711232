//! The command line: `run` trains a preset headless, `reproduce` rebuilds a paper's tables,
//! `bench` prints speed figures as JSON lines, `restyle` draws a finished folder's figures
//! again in another style, `gui` (or no subcommand) opens the explorer.
//! Exit codes: 0 success, 2 bad preset or argument (nothing written), 3 backend unavailable,
//! 130 interrupted (the files of the run so far are written).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use crate::backend;
use crate::config::{BackendKind, ConfigError, RunConfig};
use crate::export;
pub use crate::export::run::train_and_write;
pub use reproduce::reproduce;
pub use sweep::sweep;

mod reproduce;
mod sweep;

/// Exit code for a bad preset or argument.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for an unavailable backend.
pub const EXIT_NO_BACKEND: i32 = 3;
/// Exit code for a run stopped by Ctrl-C or SIGTERM (its files are still written).
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Parser, Debug)]
#[command(
    name = "homotopy-explorer",
    version,
    about = "Train neural-network PDE solvers by homotopy dynamics and watch it happen"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Compute threads: dense linear algebra, Jacobians and the forward/backward passes run on
    /// this many cores (1 to 1024) [default: all cores; the explorer keeps one for drawing on
    /// machines with more than two]. Results are the same at any count.
    #[arg(long, global = true, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
}

/// `--threads`: a whole number from 1 to 1024.
fn parse_threads(text: &str) -> Result<usize, String> {
    let n: usize = text
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number (allowed: 1 to 1024)"))?;
    crate::pool::validate(n).map_err(|e| e.to_string())
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a preset headless and write history.csv, solution.csv and summary.json.
    Run(RunArgs),
    /// Print speed figures as JSON lines.
    Bench(BenchArgs),
    /// Rebuild a source paper's tables and figures from the shipped presets (ac1, ac2, hf, …, or `all`).
    Reproduce(ReproduceArgs),
    /// Draw the figures of a finished `run` or `reproduce` folder again in another style, size
    /// or format, from the `*.figure.toml` source beside each figure (nothing is trained).
    Restyle(RestyleArgs),
    /// Sweeps of presets × seeds × overrides from a manifest: plan, run (one task, or all on a
    /// local process pool), collect into tables and figures, or write a Slurm array script.
    Sweep(SweepArgs),
    /// Open the explorer (the default without a subcommand), optionally with a preset.
    Gui(GuiArgs),
}

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub command: SweepCommand,
}

#[derive(Subcommand, Debug)]
pub enum SweepCommand {
    /// Print the tasks: index, preset, overrides, seed and output folder (finished ones marked).
    Plan {
        /// The sweep manifest (TOML), e.g. presets/sweeps/ac1_schedule.toml.
        manifest: PathBuf,
    },
    /// Run one task (--index K, else SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX) or, with
    /// --jobs N, every unfinished task on N local processes and then collect.
    Run {
        manifest: PathBuf,
        /// The task to run (see `sweep plan`).
        #[arg(long)]
        index: Option<usize>,
        /// Run all tasks, this many at a time (at most the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// No progress display.
        #[arg(long)]
        quiet: bool,
    },
    /// Merge a sweep folder's finished tasks into sweep.csv, sweep.md and figures.
    Collect {
        /// The sweep's output folder (out/sweeps/<name> unless the manifest says otherwise).
        dir: PathBuf,
        #[command(flatten)]
        figures: FigureArgs,
    },
    /// Write <out>/sweep.sbatch, a Slurm job array with one task per sweep task, and
    /// <out>/collect.sbatch, which collects once the array has ended; prints the command that
    /// submits both.
    Slurm {
        manifest: PathBuf,
        #[command(flatten)]
        slurm: SlurmArgs,
    },
}

/// What each Slurm array task asks for, and which program it runs.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct SlurmArgs {
    /// CPUs per array task [default: 1].
    #[arg(long)]
    pub cpus: Option<usize>,
    /// Memory per array task in Slurm's notation [default: 2G].
    #[arg(long)]
    pub mem: Option<String>,
    /// Wall-time limit per array task, minutes or [D-]HH:MM:SS [default: 02:00:00].
    #[arg(long)]
    pub time: Option<String>,
    /// Slurm partition [default: the cluster's].
    #[arg(long)]
    pub partition: Option<String>,
    /// The program each task runs [default: this one]; give a path every node can read.
    #[arg(long)]
    pub exe: Option<PathBuf>,
}

impl SlurmArgs {
    /// Whether any flag was given (they mean something only where a script is written).
    pub fn given(&self) -> bool {
        self.cpus.is_some()
            || self.mem.is_some()
            || self.time.is_some()
            || self.partition.is_some()
            || self.exe.is_some()
    }

    /// The resources asked for, checked, and the program (checked to exist when given).
    pub fn resources(&self) -> Result<(crate::sweep::slurm::Resources, Option<PathBuf>), CliError> {
        let r = crate::sweep::slurm::Resources {
            cpus: self.cpus.unwrap_or(1),
            mem: self.mem.clone().unwrap_or_else(|| "2G".into()),
            time: self.time.clone().unwrap_or_else(|| "02:00:00".into()),
            partition: self.partition.clone(),
        };
        r.check().map_err(|e| CliError::bad_input(e.to_string()))?;
        if let Some(e) = &self.exe
            && !e.is_file()
        {
            return Err(CliError::bad_input(format!(
                "--exe {}: no such program",
                e.display()
            )));
        }
        Ok((r, self.exe.clone()))
    }
}

#[derive(clap::Args, Debug)]
pub struct RestyleArgs {
    /// A folder written by `run --figure-formats …`, `reproduce` or `sweep collect` (searched recursively).
    pub dir: PathBuf,
    /// Output folder (default: DIR-<style>, e.g. out/reproduce/ac1-slide; the same folder as DIR
    /// replaces its figures).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub figures: FigureArgs,
}

#[derive(clap::Args, Debug, Default)]
pub struct GuiArgs {
    /// Preset to open instead of the remembered one.
    #[arg(long)]
    pub preset: Option<PathBuf>,
    /// Start training as soon as the window opens.
    #[arg(long)]
    pub start: bool,
    /// Compute a spectrum every this many steps (overrides the preset's diagnostics.every).
    #[arg(long)]
    pub diagnostics_every: Option<usize>,
    /// A finished run folder to pin, or a collected sweep folder to show, once the window opens.
    #[arg(long)]
    pub open: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ReproduceArgs {
    /// Which experiment (ac1, ac2, hf, bu, bo, hh, cd, pm, pm2, hk, hr, ntk, rf, sq, ff) or `all`.
    pub id: String,
    /// Number of seeds (0..N).
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// Output folder (default out/reproduce/<id>, or out/reproduce-full/<id> with --full).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Folder with the presets (missing files fall back to the built-in copies).
    #[arg(long, default_value = "presets")]
    pub presets: PathBuf,
    /// No per-run progress lines.
    #[arg(long)]
    pub quiet: bool,
    /// The papers' sizes (points, networks, iteration counts) instead of the shipped presets'
    /// CPU-sized ones; each page says what changed. Expect hours to days on a laptop CPU.
    #[arg(long)]
    pub full: bool,
    /// Independent runs (the page's cells) at once, 1 to the number of cores; they share the
    /// --threads compute threads, and the tables are the same as with 1.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Run every cell again instead of reusing the ones stored in <out>/cells by an earlier,
    /// interrupted or partial run with the same presets and seeds.
    #[arg(long)]
    pub fresh: bool,
    /// List the page's cells (its independent runs) and which are stored; runs nothing.
    #[arg(long, conflicts_with_all = ["index", "collect", "slurm", "fresh"])]
    pub plan: bool,
    /// Run one cell and store it in <out>/cells (no page): --index K, or a bare --index for
    /// SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).
    #[arg(long, value_name = "K", num_args = 0..=1, conflicts_with_all = ["collect", "slurm", "fresh"])]
    pub index: Option<Option<usize>>,
    /// Write the page from the cells stored in <out>/cells, wherever they ran; names the
    /// cells still missing.
    #[arg(long, conflicts_with_all = ["slurm", "fresh"])]
    pub collect: bool,
    /// Write <out>/reproduce.sbatch (a Slurm array, one task per cell) and
    /// <out>/collect.sbatch (writes the page after the array), and print the command that
    /// submits both.
    #[arg(long)]
    pub slurm: bool,
    #[command(flatten)]
    pub cluster: SlurmArgs,
    #[command(flatten)]
    pub figures: FigureArgs,
}

/// How figures look and which files they become (`run` and `reproduce`).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct FigureArgs {
    /// Figure style: paper (3.3 in column, 9 pt, dash patterns) or slide (16:9, 20 pt).
    #[arg(long, value_name = "paper|slide", default_value = "paper")]
    pub figure_style: String,
    /// Figure size in inches, WIDTHxHEIGHT (default: the style's, 3.3x2.4 or 10x5.625).
    #[arg(long, value_name = "WxH")]
    pub figure_size: Option<String>,
    /// Tick-label font size in points (titles are 15 % larger).
    #[arg(long, value_name = "PT")]
    pub font_pt: Option<f64>,
    /// PNG resolution in dots per inch.
    #[arg(long)]
    pub dpi: Option<u32>,
    /// Dark slide figures (light is the default).
    #[arg(long)]
    pub dark: bool,
    /// Figure formats, comma-separated: svg, png, pdf (`reproduce` always writes svg;
    /// `run` writes figures only when this is given).
    #[arg(long, value_name = "LIST")]
    pub figure_formats: Option<String>,
}

impl FigureArgs {
    /// These flags again, as arguments for another command (a Slurm collect job).
    pub fn to_args(&self) -> Vec<String> {
        let mut a = vec!["--figure-style".to_string(), self.figure_style.clone()];
        let mut opt = |flag: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(flag.into());
                a.push(v);
            }
        };
        opt("--figure-size", self.figure_size.clone());
        opt("--font-pt", self.font_pt.map(|v| v.to_string()));
        opt("--dpi", self.dpi.map(|v| v.to_string()));
        opt("--figure-formats", self.figure_formats.clone());
        if self.dark {
            a.push("--dark".into());
        }
        a
    }

    /// The figure output these flags ask for; `always_svg` adds SVG when it is not listed.
    pub fn output(
        &self,
        always_svg: bool,
    ) -> Result<Option<crate::export::figure::FigureOutput>, CliError> {
        use crate::export::figure::{FigureFormat, FigureOutput, FigureStyle, StyleKind, Theme};
        let bad = |m: String| CliError::bad_input(m);
        let kind = StyleKind::parse(&self.figure_style).map_err(bad)?;
        let theme = if self.dark { Theme::Dark } else { Theme::Light };
        let mut style = FigureStyle::of(kind, theme);
        if let Some(size) = &self.figure_size {
            let (w, h) = crate::export::figure::style::parse_size_in(size).map_err(bad)?;
            style.width_in = w;
            style.height_in = h;
        }
        if let Some(pt) = self.font_pt {
            style.font_pt = pt;
        }
        if let Some(dpi) = self.dpi {
            style.dpi = dpi;
        }
        style.check().map_err(bad)?;
        let mut formats = match &self.figure_formats {
            Some(list) => FigureFormat::parse_list(list).map_err(bad)?,
            None if always_svg => vec![],
            None => return Ok(None),
        };
        if always_svg && !formats.contains(&FigureFormat::Svg) {
            formats.insert(0, FigureFormat::Svg);
        }
        if formats.is_empty() {
            return Err(bad(
                "--figure-formats lists no format: expected svg, png or pdf".into(),
            ));
        }
        formats.dedup();
        Ok(Some(FigureOutput { style, formats }))
    }
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Preset file (TOML), e.g. presets/allen_cahn_1d_classical.toml.
    pub preset: PathBuf,
    /// Output folder (default: the preset's outputs.dir, else out/<preset name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override the step cap.
    #[arg(long)]
    pub steps: Option<usize>,
    /// Override the seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the backend.
    #[arg(long, value_enum)]
    pub backend: Option<BackendArg>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Figures of the run (loss.*, solution.*) in these formats and this style.
    #[command(flatten)]
    pub figures: FigureArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BackendArg {
    Cpu,
    Wgpu,
}

impl From<BackendArg> for BackendKind {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Cpu => BackendKind::Cpu,
            BackendArg::Wgpu => BackendKind::Wgpu,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Timed steps per benchmark.
    #[arg(long, default_value_t = 3000)]
    pub steps: usize,
    /// Only these benchmarks (comma-separated names).
    #[arg(long, default_value = "")]
    pub only: String,
    /// The device: cpu (burn Flex, f64; default) or wgpu (GPU, f32). The least-squares lines
    /// (LM, λ_min, Euler) run on the CPU only and are skipped on wgpu.
    #[arg(long, value_enum)]
    pub backend: Option<BackendArg>,
}

/// A CLI failure with its exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub(crate) fn bad_input(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_BAD_INPUT,
            message: message.into(),
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        Self {
            code: 1,
            message: format!("{e:#}"),
        }
    }
}

/// Load a preset and apply command-line overrides; every problem is a bad-input error.
pub fn load_config(args: &RunArgs) -> Result<RunConfig, CliError> {
    let mut config = RunConfig::from_file(&args.preset).map_err(|e| match e {
        ConfigError::Io { .. } => CliError::bad_input(e.to_string()),
        ConfigError::Invalid { .. } => {
            CliError::bad_input(format!("invalid preset {}: {e}", args.preset.display()))
        }
    })?;
    if let Some(steps) = args.steps {
        config.training.max_steps = steps;
    }
    if let Some(seed) = args.seed {
        config.training.seed = seed;
    }
    if let Some(b) = args.backend {
        config.backend = b.into();
    }
    config
        .validate()
        .map_err(|e| CliError::bad_input(format!("invalid option: {e}")))?;
    Ok(config)
}

/// The output folder for a run.
pub fn output_dir(args: &RunArgs, config: &RunConfig) -> PathBuf {
    if let Some(out) = &args.out {
        return out.clone();
    }
    if let Some(dir) = &config.outputs.dir {
        return PathBuf::from(dir);
    }
    let stem = args
        .preset
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    Path::new("out").join(stem)
}

/// `homotopy-explorer run`.
pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let config = load_config(args)?;
    let device = backend::device_for(config.backend).map_err(|e| CliError {
        code: EXIT_NO_BACKEND,
        message: format!("backend {} unavailable: {e}", config.backend.id()),
    })?;
    let figures = args.figures.output(false)?;
    let out_dir = output_dir(args, &config);
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create output folder {}", out_dir.display()))?;

    let interrupt = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupt.clone();
        // A second Ctrl-C while the first is handled falls through to the default action.
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
    }
    let summary = train_and_write(
        config,
        &device,
        &out_dir,
        &interrupt,
        !args.quiet,
        figures.as_ref(),
    )?;
    eprintln!(
        "{}: {} after {} steps, loss {:.3e}, L2RE {} (exact) / {} (reference), x0 {}; wrote {}",
        summary.name,
        summary.end_reason,
        summary.steps,
        summary.final_loss.total,
        fmt_opt(summary.l2re_exact),
        fmt_opt(summary.l2re_reference),
        summary
            .front_x0
            .map(|x| format!("{x:.5}"))
            .unwrap_or_else(|| "-".into()),
        out_dir.display()
    );
    let accuracy = crate::diagnostics::Accuracy {
        l2re_exact: summary.l2re_exact,
        l2re_reference: summary.l2re_reference,
        front_x0: summary.front_x0,
    };
    let interrupted = summary.end_detail == Some(crate::train::EndReason::Interrupted);
    if let Some(far) = accuracy.far_from_solution().filter(|_| !interrupted) {
        eprintln!("warning: {far}");
    }
    if interrupted {
        return Err(CliError {
            code: EXIT_INTERRUPTED,
            message: format!(
                "interrupted; the results so far are in {}",
                out_dir.display()
            ),
        });
    }
    Ok(())
}

/// `homotopy-explorer restyle`.
pub fn restyle(args: &RestyleArgs) -> Result<(), CliError> {
    if !args.dir.is_dir() {
        return Err(CliError::bad_input(format!(
            "{} is not a folder: give the output folder of a `run` or `reproduce`",
            args.dir.display()
        )));
    }
    let output = args
        .figures
        .output(true)?
        .expect("restyle always writes figures");
    let out = args.out.clone().unwrap_or_else(|| {
        let mut name = args
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "figures".into());
        name.push('-');
        name.push_str(&args.figures.figure_style);
        if args.figures.dark {
            name.push_str("-dark");
        }
        args.dir.with_file_name(name)
    });
    let started = Instant::now();
    let drawn = export::figure::source::restyle(&args.dir, &out, &output)
        .map_err(|e| CliError::bad_input(format!("{e:#}")))?;
    eprintln!(
        "restyled {} figure(s) from {} into {} ({}) in {:.1} s",
        drawn.len(),
        args.dir.display(),
        out.display(),
        output
            .formats
            .iter()
            .map(|f| f.extension())
            .collect::<Vec<_>>()
            .join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3e}")).unwrap_or_else(|| "-".into())
}
