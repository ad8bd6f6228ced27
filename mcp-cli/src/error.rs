//! [`CliError`]: why a command failed, worded to say what to do next.

use std::path::PathBuf;

/// Everything a command can fail with; `main` prints it on stderr and exits 1.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The arguments do not describe a server.
    #[error("{0}")]
    Usage(String),
    /// `cargo` could not be started.
    #[error("could not run `{cargo}`: {source}; install Rust from https://rustup.rs or set CARGO")]
    CargoMissing {
        /// The program tried.
        cargo: String,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// `cargo build` failed (its errors are already on stderr).
    #[error("`cargo build` failed ({0}); fix the errors above and try again")]
    BuildFailed(String),
    /// `cargo build` succeeded but reported no executable for the target.
    #[error(
        "cargo built no executable for {0}; check the name (`cargo build --example` lists the examples)"
    )]
    NoArtifact(String),
    /// `npx` is not on the PATH.
    #[error(
        "`npx` was not found on the PATH: the MCP Inspector runs on Node.js; install Node.js 22 from https://nodejs.org/en/download (it includes npx), or use --print to see the command"
    )]
    NpxMissing,
    /// A command to spawn was not found.
    #[error("command `{0}` was not found (not a file, and not on the PATH)")]
    CommandNotFound(String),
    /// An environment variable argument or file is wrong.
    #[error("{0}")]
    Env(String),
    /// The Claude Desktop configuration could not be read or written.
    #[error("{path}: {message}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What went wrong and what to do.
        message: String,
    },
    /// Talking to the server failed (connection, protocol or server error).
    #[error("{0}")]
    Client(#[from] mcp_client::ClientError),
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl CliError {
    /// An I/O error while doing `what`.
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> CliError {
        CliError::Io {
            what: what.into(),
            source,
        }
    }
}

/// The result type of the commands.
pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;
