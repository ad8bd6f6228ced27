//! The subcommands, one module each, and the dispatch from [`Cli`].

mod dev;
mod install;
mod query;
mod run;

use std::process::ExitCode;

use clap::CommandFactory;
use mcp_types::ProtocolVersion;

use crate::cli::{Cli, Command};
use crate::error::Result;

/// Runs the command `cli` names; the exit code on success (a tool error
/// result is a success of the CLI that still exits 1).
pub(crate) fn run(cli: Cli) -> Result<ExitCode> {
    if cli.version {
        print!("{}", version_text());
        return Ok(ExitCode::SUCCESS);
    }
    match cli.command {
        None => {
            // Printing help can only fail if stdout is gone; nothing to do then.
            let _ = Cli::command().print_help();
            Ok(ExitCode::from(2))
        }
        Some(Command::Version) => {
            print!("{}", version_text());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Dev(args)) => dev::run(args),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Install(args)) => install::run(args),
        Some(Command::Inspect(server)) => query::run(query::Query::Inspect, server),
        Some(Command::Tools(c)) => query::tools(c),
        Some(Command::Resources(c)) => query::resources(c),
        Some(Command::Prompts(c)) => query::prompts(c),
    }
}

/// `mcp version`: the CLI's version and every protocol revision it speaks.
pub(crate) fn version_text() -> String {
    let revisions: Vec<&str> = ProtocolVersion::ALL.iter().map(|v| v.as_str()).collect();
    format!(
        "mcp {}\nprotocol revisions: {}\n",
        env!("CARGO_PKG_VERSION"),
        revisions.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_names_every_revision() {
        let text = super::version_text();
        assert!(text.starts_with(concat!("mcp ", env!("CARGO_PKG_VERSION"))));
        for v in mcp_types::ProtocolVersion::ALL {
            assert!(text.contains(v.as_str()), "{text}");
        }
    }
}
