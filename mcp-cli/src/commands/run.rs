//! `mcp run`: build the server and run it in this terminal, stdio inherited.
//!
//! `--transport` follows the convention of the SDK's examples (see
//! `everything-server`): `stdio` passes `--stdio`, `http` passes `--port N`
//! (3000 unless `--port` says otherwise; `--port` alone implies `http`).
//! Without either, the server gets only the arguments after `--`.

use std::process::{Command, ExitCode};

use crate::cli::{RunArgs, TransportChoice};
use crate::env;
use crate::error::{CliError, Result};
use crate::target::Source;

/// The port `--transport http` uses when `--port` is not given.
pub(crate) const DEFAULT_PORT: u16 = 3000;

/// The arguments that ask the server for a transport.
pub(crate) fn transport_args(transport: Option<TransportChoice>, port: Option<u16>) -> Vec<String> {
    match (transport, port) {
        (Some(TransportChoice::Stdio), _) => vec!["--stdio".into()],
        (Some(TransportChoice::Http), port) | (None, port @ Some(_)) => {
            vec!["--port".into(), port.unwrap_or(DEFAULT_PORT).to_string()]
        }
        (None, None) => Vec::new(),
    }
}

/// Runs `mcp run`.
pub(crate) fn run(args: RunArgs) -> Result<ExitCode> {
    if args.transport == Some(TransportChoice::Stdio) && args.port.is_some() {
        return Err(CliError::Usage(
            "--port goes with --transport http, not stdio".into(),
        ));
    }
    let source = Source::from_args(&args.source)?;
    let vars = env::collect(&args.env)?;
    let launch = source.launch()?;
    let mut command = Command::new(&launch.program);
    command
        .args(&launch.args)
        .args(transport_args(args.transport, args.port))
        .envs(&vars);
    exec(command, &launch.program.display().to_string())
}

/// Replaces this process with the server (Unix), or runs it and passes its
/// exit code on.
#[cfg(unix)]
fn exec(mut command: Command, name: &str) -> Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    let error = command.exec();
    Err(CliError::io(format!("running {name}"), error))
}

#[cfg(not(unix))]
fn exec(mut command: Command, name: &str) -> Result<ExitCode> {
    let status = command
        .status()
        .map_err(|e| CliError::io(format!("running {name}"), e))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports_become_the_examples_flags() {
        assert_eq!(transport_args(None, None), Vec::<String>::new());
        assert_eq!(
            transport_args(Some(TransportChoice::Stdio), None),
            ["--stdio"]
        );
        assert_eq!(
            transport_args(Some(TransportChoice::Http), None),
            ["--port", "3000"]
        );
        assert_eq!(transport_args(None, Some(8080)), ["--port", "8080"]);
    }
}
