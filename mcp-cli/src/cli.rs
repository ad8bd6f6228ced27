//! The command line, as clap derive types: one struct per subcommand and the
//! argument groups they share.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Develop, run, install and talk to Model Context Protocol servers.
#[derive(Debug, Parser)]
#[command(
    name = "mcp",
    disable_version_flag = true,
    after_help = "Examples:\n  mcp dev --example echo\n  mcp install --bin my-server --name \"My server\" -v API_KEY=...\n  mcp tools call add '{\"a\":2,\"b\":3}' -- ./my-server\n  mcp inspect --url http://127.0.0.1:3000/mcp"
)]
pub(crate) struct Cli {
    /// Print the version and the protocol revisions supported.
    #[arg(short = 'V', long)]
    pub(crate) version: bool,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build a server and open the MCP Inspector (Node.js) connected to it.
    Dev(DevArgs),
    /// Build a server and run it, its stdio inherited.
    Run(RunArgs),
    /// Build a server and add it to Claude Desktop's configuration.
    Install(InstallArgs),
    /// Connect to a server and show its info, revision, capabilities and offerings.
    Inspect(ServerArgs),
    /// List or call a server's tools.
    #[command(subcommand)]
    Tools(ToolsCommand),
    /// List or read a server's resources and resource templates.
    #[command(subcommand)]
    Resources(ResourcesCommand),
    /// List or get a server's prompts.
    #[command(subcommand)]
    Prompts(PromptsCommand),
    /// Print the version and the protocol revisions supported.
    Version,
}

/// Which server to build, or which command to use as it is.
///
/// With `--example` or `--bin`, the words after `--` are arguments for the
/// server; without them, they are the server's command line.
#[derive(Debug, Clone, Args)]
pub(crate) struct SourceArgs {
    /// Build this example of the package (`cargo build --example NAME`).
    #[arg(long, value_name = "NAME", conflicts_with = "bin")]
    pub(crate) example: Option<String>,
    /// Build this binary of the package (`cargo build --bin NAME`).
    #[arg(long, value_name = "NAME")]
    pub(crate) bin: Option<String>,
    /// The package that has the example or binary (`cargo build -p`).
    #[arg(short = 'p', long, value_name = "SPEC")]
    pub(crate) package: Option<String>,
    /// The Cargo.toml to build from (`cargo build --manifest-path`).
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
    /// The server's command line (or, with --example/--bin, its arguments).
    #[arg(last = true, value_name = "COMMAND")]
    pub(crate) command: Vec<String>,
}

/// Environment variables for the server.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct EnvArgs {
    /// Set an environment variable for the server (repeatable).
    #[arg(short = 'v', long = "env", value_name = "KEY=VALUE")]
    pub(crate) vars: Vec<String>,
    /// Read environment variables from a .env file (-v wins over it).
    #[arg(short = 'f', long = "env-file", value_name = "PATH")]
    pub(crate) file: Option<PathBuf>,
}

/// `mcp dev`.
#[derive(Debug, Args)]
pub(crate) struct DevArgs {
    /// The server.
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Its environment.
    #[command(flatten)]
    pub(crate) env: EnvArgs,
    /// Print the Inspector's command line instead of running it.
    #[arg(long)]
    pub(crate) print: bool,
}

/// The transport `mcp run` asks the server to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TransportChoice {
    /// Pass `--stdio`.
    Stdio,
    /// Pass `--port N`.
    Http,
}

/// `mcp run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The server.
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Its environment.
    #[command(flatten)]
    pub(crate) env: EnvArgs,
    /// Ask the server for a transport, the way the SDK's examples take it:
    /// `stdio` passes `--stdio`, `http` passes `--port N`. Without it the
    /// server gets no transport argument (most serve stdio).
    #[arg(long, value_enum)]
    pub(crate) transport: Option<TransportChoice>,
    /// The port for `--transport http` (implies it; default 3000).
    #[arg(long)]
    pub(crate) port: Option<u16>,
}

/// `mcp install`.
#[derive(Debug, Args)]
pub(crate) struct InstallArgs {
    /// The server.
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Its environment, written into the entry (merged with an existing entry's).
    #[command(flatten)]
    pub(crate) env: EnvArgs,
    /// The entry's name under `mcpServers` (default: the example, binary or command name).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// The configuration file (default: Claude Desktop's `claude_desktop_config.json`).
    #[arg(long, value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,
}

/// How to reach a server from the shell, and how to print what it says.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServerArgs {
    /// A Streamable HTTP endpoint (falls back to legacy HTTP+SSE).
    #[arg(long, value_name = "URL", conflicts_with = "command")]
    pub(crate) url: Option<String>,
    /// Environment for a spawned server.
    #[command(flatten)]
    pub(crate) env: EnvArgs,
    /// Print the raw result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub(crate) timeout: u64,
    /// The server's command line, spawned over stdio (after `--`).
    #[arg(last = true, value_name = "COMMAND")]
    pub(crate) command: Vec<String>,
}

/// `mcp tools ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ToolsCommand {
    /// List the tools.
    List(ServerArgs),
    /// Call a tool: `mcp tools call NAME '{"arg": 1}' -- SERVER...`.
    Call {
        /// The tool.
        name: String,
        /// The arguments, a JSON object.
        #[arg(value_name = "JSON-ARGS")]
        arguments: Option<String>,
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// `mcp resources ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ResourcesCommand {
    /// List the resources.
    List(ServerArgs),
    /// Read a resource.
    Read {
        /// The resource's URI.
        uri: String,
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
    /// List the resource templates.
    Templates(ServerArgs),
}

/// `mcp prompts ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum PromptsCommand {
    /// List the prompts.
    List(ServerArgs),
    /// Get a prompt: `mcp prompts get NAME '{"arg": "value"}' -- SERVER...`.
    Get {
        /// The prompt.
        name: String,
        /// The arguments, a JSON object.
        #[arg(value_name = "JSON-ARGS")]
        arguments: Option<String>,
        /// The server.
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn trailing_words_are_the_server() {
        let cli = Cli::try_parse_from([
            "mcp",
            "tools",
            "call",
            "add",
            r#"{"a":2}"#,
            "--json",
            "--",
            "./srv",
            "--flag",
        ])
        .unwrap();
        let Some(Command::Tools(ToolsCommand::Call {
            name,
            arguments,
            server,
        })) = cli.command
        else {
            panic!("not tools call");
        };
        assert_eq!(name, "add");
        assert_eq!(arguments.as_deref(), Some(r#"{"a":2}"#));
        assert!(server.json);
        assert_eq!(server.command, ["./srv", "--flag"]);
    }

    #[test]
    fn example_and_bin_conflict() {
        assert!(Cli::try_parse_from(["mcp", "dev", "--example", "a", "--bin", "b"]).is_err());
        assert!(
            Cli::try_parse_from(["mcp", "inspect", "--url", "http://x/", "--", "srv"]).is_err()
        );
    }
}
