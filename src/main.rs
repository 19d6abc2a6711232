//! Entry point: parse arguments and hand over to the library (GUI or CLI).

use clap::{CommandFactory, Parser};
use homotopy_explorer::backend;
use homotopy_explorer::cli::{self, Cli, Command};

fn main() {
    let args = Cli::parse();
    let result = match &args.command {
        Some(Command::Run(run)) => cli::run(run),
        Some(Command::Bench(bench)) => match backend::cpu() {
            Ok(device) => {
                homotopy_explorer::bench::run_all(&device, bench.steps, &bench.only);
                Ok(())
            }
            Err(e) => Err(cli::CliError {
                code: cli::EXIT_NO_BACKEND,
                message: e.to_string(),
            }),
        },
        Some(Command::Reproduce(args)) => cli::reproduce(args),
        None => {
            let _ = Cli::command().print_help();
            Ok(())
        }
    };
    if let Err(e) = result {
        eprintln!("error: {}", e.message);
        std::process::exit(e.code);
    }
}
