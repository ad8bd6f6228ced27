//! `mcp dev`: build the server, then open the MCP Inspector on it with
//! `npx @modelcontextprotocol/inspector`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::cli::DevArgs;
use crate::error::{CliError, Result};
use crate::target::{Source, find_on_path};
use crate::{env, inspector};

/// Runs `mcp dev`.
pub(crate) fn run(args: DevArgs) -> Result<ExitCode> {
    let source = Source::from_args(&args.source)?;
    let vars = env::collect(&args.env)?;
    // Find npx before a possibly long build, so a missing Node fails fast.
    let npx = find_on_path("npx", std::env::var_os("PATH").as_deref());
    if npx.is_none() && !args.print {
        return Err(CliError::NpxMissing);
    }
    let launch = source.launch()?;
    let npx = npx.unwrap_or_else(|| PathBuf::from("npx"));
    let line = inspector::command_line(&npx, &vars, &launch.program, &launch.args);
    if args.print {
        println!("{}", inspector::shell_join(&line));
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "Starting the MCP Inspector: {}",
        inspector::shell_join(&line)
    );
    let status = Command::new(&line[0])
        .args(&line[1..])
        .status()
        .map_err(|e| CliError::io(format!("starting {}", npx.display()), e))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}
