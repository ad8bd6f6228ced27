//! The `mcp` command line tool: develop, run, install and talk to Model
//! Context Protocol servers. See `mcp --help`.

mod build;
mod claude_config;
mod cli;
mod commands;
mod env;
mod error;
mod inspector;
mod output;
mod target;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
