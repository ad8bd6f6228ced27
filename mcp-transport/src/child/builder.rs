//! [`ChildProcessBuilder`]: what server process to start, and how.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::Notify;

use super::io::{ChildReader, ChildWriter, StdinPipe};
use super::process::{ChildProcess, ChildProcessError, Shared, supervise};
use super::{ChildTransport, stderr};
use crate::line::DEFAULT_MAX_LINE_LENGTH;
use crate::{LineReader, LineWriter};

/// The environment variables a server process inherits from this process
/// unless told otherwise; everything else in this process's environment (API
/// keys, tokens) stays out of the server's reach.
///
/// The list follows the Python SDK's default (`HOME`, `LOGNAME`, `PATH`,
/// `SHELL`, `TERM`, `USER` on Unix) plus the locale and the temporary
/// directory, which many programs need to run at all. Values starting with
/// `()` (exported shell functions) are never inherited.
#[cfg(not(windows))]
pub const DEFAULT_INHERITED_ENV_VARS: &[&str] = &[
    "HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR",
];

/// The environment variables a server process inherits from this process
/// unless told otherwise; everything else stays out of the server's reach.
#[cfg(windows)]
pub const DEFAULT_INHERITED_ENV_VARS: &[&str] = &[
    "APPDATA",
    "HOMEDRIVE",
    "HOMEPATH",
    "LOCALAPPDATA",
    "PATH",
    "PATHEXT",
    "PROCESSOR_ARCHITECTURE",
    "SYSTEMDRIVE",
    "SYSTEMROOT",
    "TEMP",
    "TMP",
    "USERNAME",
    "USERPROFILE",
];

/// How long a server process gets, by default, to exit after its stdin is
/// closed, and again after `SIGTERM`.
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(2);

/// Where a server process's stderr goes. MCP servers log there; a client
/// should not take output on stderr as a sign of failure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stderr {
    /// To this process's stderr (the default, as in the Python SDK).
    #[default]
    Inherit,
    /// Nowhere.
    Null,
    /// Into a bounded queue of lines, read with
    /// [`ChildTransport::take_stderr`] (see [`StderrLines`](crate::StderrLines)).
    Capture,
}

/// Describes a server process to spawn, as the Python SDK's
/// `StdioServerParameters` does; made by [`ChildProcess::builder`].
///
/// The process starts with a clean environment: only
/// [`DEFAULT_INHERITED_ENV_VARS`] (and what [`inherit_env`](Self::inherit_env)
/// adds) come from this process, then [`env`](Self::env) and
/// [`envs`](Self::envs) set more, and [`env_remove`](Self::env_remove) takes
/// any away. On Unix the process leads a process group of its own, so that a
/// shutdown also reaches the processes it starts.
///
/// A builder can spawn any number of processes.
///
/// ```no_run
/// use std::time::Duration;
/// use mcp_transport::{ChildProcess, Stderr};
///
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ChildProcess::builder("npx")
///     .args(["-y", "@modelcontextprotocol/server-everything"])
///     .inherit_env("NODE_OPTIONS")
///     .env("DEBUG", "1")
///     .current_dir("/tmp")
///     .stderr(Stderr::Null)
///     .grace_period(Duration::from_secs(1));
/// let transport = server.spawn()?;
/// # drop(transport); Ok(()) }
/// ```
#[derive(Clone)]
pub struct ChildProcessBuilder {
    program: OsString,
    args: Vec<OsString>,
    inherit: Vec<OsString>,
    /// `Some` sets a variable, `None` removes it.
    env: BTreeMap<OsString, Option<OsString>>,
    current_dir: Option<PathBuf>,
    stderr: Stderr,
    grace_period: Duration,
    max_line_length: usize,
}

impl ChildProcessBuilder {
    pub(super) fn new(program: OsString) -> Self {
        ChildProcessBuilder {
            program,
            args: Vec::new(),
            inherit: DEFAULT_INHERITED_ENV_VARS
                .iter()
                .map(OsString::from)
                .collect(),
            env: BTreeMap::new(),
            current_dir: None,
            stderr: Stderr::default(),
            grace_period: DEFAULT_GRACE_PERIOD,
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable of the process.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .insert(key.as_ref().to_owned(), Some(value.as_ref().to_owned()));
        self
    }

    /// Sets environment variables of the process.
    pub fn envs<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (k, v) in vars {
            self = self.env(k, v);
        }
        self
    }

    /// Keeps a variable out of the process's environment, inherited or set.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.insert(key.as_ref().to_owned(), None);
        self
    }

    /// Passes one more variable of this process's environment on, when set.
    pub fn inherit_env(mut self, key: impl AsRef<OsStr>) -> Self {
        self.inherit.push(key.as_ref().to_owned());
        self
    }

    /// Sets the working directory of the process (by default, this process's).
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.current_dir = Some(dir.into());
        self
    }

    /// Sets where the process's stderr goes (by default, [`Stderr::Inherit`]).
    pub fn stderr(mut self, stderr: Stderr) -> Self {
        self.stderr = stderr;
        self
    }

    /// Sets how long the process gets to exit after its stdin is closed, and
    /// again after `SIGTERM`, before the next step (default
    /// [`DEFAULT_GRACE_PERIOD`]).
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.grace_period = grace;
        self
    }

    /// Sets the longest line accepted from the server's stdout (default
    /// [`DEFAULT_MAX_LINE_LENGTH`]).
    pub fn max_line_length(mut self, max: usize) -> Self {
        self.max_line_length = max;
        self
    }

    /// The environment the process gets.
    fn environment(&self) -> Vec<(OsString, OsString)> {
        let mut vars = BTreeMap::new();
        for key in &self.inherit {
            if let Some(value) = std::env::var_os(key) {
                if !value.as_encoded_bytes().starts_with(b"()") {
                    vars.insert(key.clone(), value);
                }
            }
        }
        for (key, value) in &self.env {
            match value {
                Some(value) => vars.insert(key.clone(), value.clone()),
                None => vars.remove(key),
            };
        }
        vars.into_iter().collect()
    }

    /// Starts the process, connected to the returned transport.
    ///
    /// # Errors
    ///
    /// [`ChildProcessError::Spawn`] when the process cannot be started.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime with I/O, time and process support.
    pub fn spawn(&self) -> Result<ChildTransport, ChildProcessError> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .env_clear()
            .envs(self.environment())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(match self.stderr {
                Stderr::Inherit => Stdio::inherit(),
                Stderr::Null => Stdio::null(),
                Stderr::Capture => Stdio::piped(),
            })
            .kill_on_drop(true);
        if let Some(dir) = &self.current_dir {
            command.current_dir(dir);
        }
        #[cfg(unix)]
        command.process_group(0);

        let spawn_error = |source| ChildProcessError::Spawn {
            program: self.program.to_string_lossy().into_owned(),
            source,
        };
        let mut child = command.spawn().map_err(spawn_error)?;
        let (Some(pid), Some(stdin), Some(stdout)) =
            (child.id(), child.stdin.take(), child.stdout.take())
        else {
            // Cannot happen: the pipes were asked for and the child was not waited on.
            return Err(spawn_error(std::io::Error::other("child stdio missing")));
        };
        let stderr = child.stderr.take().map(stderr::capture);
        tracing::debug!(pid, program = ?self.program, "spawned server process");

        let shared = Arc::new(Shared {
            pid,
            stdin: Mutex::new(Some(stdin)),
            shutdown: Notify::new(),
            stderr: Mutex::new(stderr),
        });
        let (status, exit) = supervise(child, Arc::clone(&shared), self.grace_period);
        let process = ChildProcess {
            shared: Arc::clone(&shared),
            status,
        };
        Ok(ChildTransport {
            reader: ChildReader {
                lines: LineReader::new(stdout).with_max_line_length(self.max_line_length),
                pid,
                exit: Some(exit),
                exited: None,
                eof_wait: None,
                drain_wait: None,
                done: false,
            },
            writer: ChildWriter {
                lines: LineWriter::new(StdinPipe { shared }),
                process: process.clone(),
            },
            process,
        })
    }
}

/// Shows the names of the variables set, never their values (they often are
/// credentials).
impl fmt::Debug for ChildProcessBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<_> = self
            .env
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k)
            .collect();
        let removed: Vec<_> = self
            .env
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k)
            .collect();
        f.debug_struct("ChildProcessBuilder")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("inherit_env", &self.inherit)
            .field("env_set", &set)
            .field("env_removed", &removed)
            .field("current_dir", &self.current_dir)
            .field("stderr", &self.stderr)
            .field("grace_period", &self.grace_period)
            .field("max_line_length", &self.max_line_length)
            .finish()
    }
}
