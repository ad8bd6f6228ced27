//! `mcp install`: build the server and add it to Claude Desktop's
//! `claude_desktop_config.json` under `mcpServers`, with absolute paths and
//! the given environment.

use std::process::ExitCode;

use crate::claude_config::{self, ServerEntry};
use crate::cli::InstallArgs;
use crate::env;
use crate::error::{CliError, Result};
use crate::target::Source;

/// Runs `mcp install`.
pub(crate) fn run(args: InstallArgs) -> Result<ExitCode> {
    let source = Source::from_args(&args.source)?;
    let vars = env::collect(&args.env)?;
    let path = match args.config {
        Some(path) => path,
        None => default_config()?,
    };
    let name = args.name.unwrap_or_else(|| source.default_name());
    if name.trim().is_empty() {
        return Err(CliError::Usage("--name must not be empty".into()));
    }
    let launch = source.launch()?;
    let entry = ServerEntry {
        command: launch.program.to_string_lossy().into_owned(),
        args: launch.args,
        env: vars,
    };
    let outcome = claude_config::install(&path, &name, &entry)?;
    let verb = if outcome.updated { "Updated" } else { "Added" };
    println!("{verb} server `{name}` in {}", path.display());
    if let Some(backup) = outcome.backup {
        println!("The previous configuration is in {}", backup.display());
    }
    println!("Restart Claude Desktop to load it.");
    Ok(ExitCode::SUCCESS)
}

/// Claude Desktop's configuration file, when its folder exists.
fn default_config() -> Result<std::path::PathBuf> {
    let path = claude_config::default_path().ok_or_else(|| {
        CliError::Usage(
            "could not tell where Claude Desktop keeps its configuration; pass --config PATH"
                .into(),
        )
    })?;
    match path.parent() {
        Some(dir) if dir.is_dir() => Ok(path),
        _ => Err(CliError::Usage(format!(
            "Claude Desktop's configuration folder {} does not exist: install and start Claude Desktop once, or pass --config PATH",
            path.parent().unwrap_or(&path).display()
        ))),
    }
}
