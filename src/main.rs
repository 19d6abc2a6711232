//! Entry point: parse arguments and hand over to the library (the explorer window without a
//! subcommand, else the CLI).

use clap::{CommandFactory, Parser};
use homotopy_explorer::backend;
use homotopy_explorer::cli::{self, Cli, Command};
use homotopy_explorer::config::BackendKind;

fn main() {
    homotopy_explorer::pool::reuse_freed_memory();
    let args = Cli::parse();
    if args.threads.is_some() {
        homotopy_explorer::pool::mark_from_command_line();
    }
    let threads = match (args.threads, &args.command) {
        (Some(n), _) => n,
        (None, Some(Command::Gui(_)) | None) => homotopy_explorer::pool::gui_default(),
        (None, _) => homotopy_explorer::pool::available(),
    };
    if let Err(e) = homotopy_explorer::pool::set_threads(threads) {
        eprintln!("error: compute threads: {e}");
        std::process::exit(cli::EXIT_BAD_INPUT);
    }
    let result = match &args.command {
        Some(Command::Run(run)) => cli::run(run),
        Some(Command::Bench(bench)) => {
            match backend::device_for(bench.backend.map(Into::into).unwrap_or(BackendKind::Cpu)) {
                Ok(device) => homotopy_explorer::bench::run_at(
                    &device,
                    bench.steps,
                    &bench.only,
                    &homotopy_explorer::bench::thread_counts(args.threads),
                )
                .map_err(cli::CliError::from),
                Err(e) => Err(cli::CliError {
                    code: cli::EXIT_NO_BACKEND,
                    message: e.to_string(),
                }),
            }
        }
        Some(Command::Reproduce(args)) => cli::reproduce(args),
        Some(Command::Restyle(args)) => cli::restyle(args),
        Some(Command::Sweep(args)) => cli::sweep(args),
        Some(Command::Gui(args)) => gui(args),
        None => gui(&cli::GuiArgs::default()),
    };
    if let Err(e) = result {
        eprintln!("error: {}", e.message);
        std::process::exit(e.code);
    }
}

fn gui(args: &cli::GuiArgs) -> Result<(), cli::CliError> {
    // With its file: Save writes back to it (not to the file a past session saved).
    let preset = match &args.preset {
        Some(path) => {
            let mut config =
                homotopy_explorer::config::RunConfig::from_file(path).map_err(|e| {
                    cli::CliError {
                        code: cli::EXIT_BAD_INPUT,
                        message: format!("invalid preset {}: {e}", path.display()),
                    }
                })?;
            if let Some(every) = args.diagnostics_every {
                config.diagnostics.every = every;
            }
            Some((config, path.clone()))
        }
        None => None,
    };
    if let Some(dir) = &args.open
        && !dir.is_dir()
    {
        return Err(cli::CliError {
            code: cli::EXIT_BAD_INPUT,
            message: format!(
                "--open {}: not a folder (give a run folder or a collected sweep folder)",
                dir.display()
            ),
        });
    }
    homotopy_explorer::ui::run_gui(preset, args.start, args.open.clone()).map_err(|e| cli::CliError {
            code: 1,
            message: format!(
                "cannot open the explorer window ({e}); on a machine without a display use the headless `run` subcommand:\n{}",
                Cli::command().render_usage()
            ),
        })
}
