//! [`ChildProcess`]: the handle to a spawned server process, and the task that
//! supervises it (waits for its exit, and shuts it down step by step).

use std::fmt;
use std::io;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::process::{Child, ChildStdin};
use tokio::sync::{Notify, oneshot, watch};

use super::builder::ChildProcessBuilder;
use super::stderr::StderrLines;

/// How a server process ended, or why waiting for it failed.
pub(super) type Exit = Result<ExitStatus, Arc<io::Error>>;

/// Why a server process could not be spawned or waited for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChildProcessError {
    /// The process could not be started (no such program, no permission, ...).
    #[error("failed to spawn server process `{program}`: {source}")]
    Spawn {
        /// The program that was to run.
        program: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// Waiting for the process failed; its status is unknown.
    #[error("failed to wait for server process {pid}: {source}")]
    Wait {
        /// The process id.
        pid: u32,
        /// What the operating system said.
        #[source]
        source: Arc<io::Error>,
    },
    /// The Tokio runtime that supervised the process shut down first (which
    /// killed the process).
    #[error("the runtime supervising server process {pid} shut down")]
    RuntimeGone {
        /// The process id.
        pid: u32,
    },
}

/// State shared by the handle, the writer and the supervising task.
pub(super) struct Shared {
    pub(super) pid: u32,
    /// The child's stdin; taken (and so closed) at shutdown.
    pub(super) stdin: Mutex<Option<ChildStdin>>,
    /// Asks the supervisor to shut the process down; holds one permit.
    pub(super) shutdown: Notify,
    pub(super) stderr: Mutex<Option<StderrLines>>,
}

impl Shared {
    pub(super) fn take_stdin(&self) -> Option<ChildStdin> {
        self.stdin
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// A handle to a server process spawned by
/// [`ChildProcess::builder`]`(..).`[`spawn()`](ChildProcessBuilder::spawn).
///
/// Clone it freely; every clone refers to the same process. A task started with
/// the process waits for its exit, so the handle always knows the
/// [exit status](Self::exit_status) and no zombie is left behind.
///
/// The process is shut down, as MCP's stdio transport prescribes, when the
/// transport's writer is closed or dropped, or when [`shutdown`](Self::shutdown)
/// is called: its stdin is closed; if it has not exited after the
/// [grace period](ChildProcessBuilder::grace_period), its process group gets
/// `SIGTERM`; if it still has not exited after another grace period, `SIGKILL`.
/// If the Tokio runtime itself shuts down first, the process is killed at once.
#[derive(Clone)]
pub struct ChildProcess {
    pub(super) shared: Arc<Shared>,
    pub(super) status: watch::Receiver<Option<Exit>>,
}

impl ChildProcess {
    /// Starts describing a server process to spawn: `command` is the program,
    /// found through `PATH` when it has no `/`.
    ///
    /// ```no_run
    /// use mcp_transport::{ChildProcess, Stderr};
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let transport = ChildProcess::builder("uvx")
    ///     .args(["mcp-server-fetch"])
    ///     .env("LOG_LEVEL", "debug")
    ///     .stderr(Stderr::Capture)
    ///     .spawn()?;
    /// println!("server running as pid {}", transport.process().pid());
    /// # Ok(()) }
    /// ```
    pub fn builder(command: impl Into<std::ffi::OsString>) -> ChildProcessBuilder {
        ChildProcessBuilder::new(command.into())
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.shared.pid
    }

    /// How the process exited, once it has; `None` while it runs.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        match &*self.status.borrow() {
            Some(Ok(status)) => Some(*status),
            _ => None,
        }
    }

    /// Waits for the process to exit, without asking it to.
    pub async fn wait(&self) -> Result<ExitStatus, ChildProcessError> {
        let mut status = self.status.clone();
        let exit = match status.wait_for(Option::is_some).await {
            Ok(exit) => exit.clone(),
            Err(_) => return Err(ChildProcessError::RuntimeGone { pid: self.pid() }),
        };
        match exit {
            Some(Ok(status)) => Ok(status),
            Some(Err(source)) => Err(ChildProcessError::Wait {
                pid: self.pid(),
                source,
            }),
            None => Err(ChildProcessError::RuntimeGone { pid: self.pid() }),
        }
    }

    /// Starts shutting the process down (see the type's docs) without waiting.
    /// Messages buffered in the writer and not flushed are lost.
    pub fn start_shutdown(&self) {
        self.shared.shutdown.notify_one();
    }

    /// Shuts the process down (close stdin, wait, `SIGTERM`, wait, `SIGKILL`)
    /// and waits for it to exit; returns at once if it already has.
    pub async fn shutdown(&self) -> Result<ExitStatus, ChildProcessError> {
        self.start_shutdown();
        self.wait().await
    }

    /// The process's stderr, line by line, when it was spawned with
    /// [`Stderr::Capture`](crate::Stderr::Capture); only the first call gets it.
    pub fn take_stderr(&self) -> Option<StderrLines> {
        self.shared
            .stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// A sentence saying how the process ended, once it has.
    pub(super) fn describe_exit(&self) -> Option<String> {
        self.status
            .borrow()
            .as_ref()
            .map(|exit| describe_exit(self.pid(), exit))
    }
}

impl fmt::Debug for ChildProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildProcess")
            .field("pid", &self.pid())
            .field("exit_status", &self.exit_status())
            .finish()
    }
}

/// A sentence saying how a server process ended.
pub(super) fn describe_exit(pid: u32, exit: &Exit) -> String {
    match exit {
        Ok(status) => match status.code() {
            Some(code) => format!("server process {pid} exited with status {code}"),
            None => format!("server process {pid} was terminated ({status})"),
        },
        Err(e) => format!("server process {pid} could not be waited for: {e}"),
    }
}

/// Starts the task that owns `child`: it records the exit status and carries out
/// a shutdown when asked.
pub(super) fn supervise(
    mut child: Child,
    shared: Arc<Shared>,
    grace: Duration,
) -> (watch::Receiver<Option<Exit>>, oneshot::Receiver<Exit>) {
    let (status_tx, status_rx) = watch::channel(None);
    let (exit_tx, exit_rx) = oneshot::channel();
    tokio::spawn(async move {
        let exited = tokio::select! {
            exit = child.wait() => Some(exit),
            () = shared.shutdown.notified() => None,
        };
        let exit = match exited {
            Some(exit) => exit,
            None => escalate(&mut child, &shared, grace).await,
        };
        let exit = exit.map_err(Arc::new);
        tracing::debug!("{}", describe_exit(shared.pid, &exit));
        // The stdin of a process that is gone is of no use to anyone.
        drop(shared.take_stdin());
        let _ = exit_tx.send(exit.clone());
        status_tx.send_replace(Some(exit));
    });
    (status_rx, exit_rx)
}

/// Closes stdin, waits, sends `SIGTERM`, waits, sends `SIGKILL`.
async fn escalate(child: &mut Child, shared: &Shared, grace: Duration) -> io::Result<ExitStatus> {
    let pid = shared.pid;
    drop(shared.take_stdin());
    if let Ok(exit) = tokio::time::timeout(grace, child.wait()).await {
        return exit;
    }
    if signal::terminate(pid) {
        tracing::debug!(
            pid,
            "server process still running after stdin was closed; sent SIGTERM"
        );
        if let Ok(exit) = tokio::time::timeout(grace, child.wait()).await {
            return exit;
        }
    }
    tracing::warn!(pid, "server process did not exit when asked to; killing it");
    signal::kill(pid);
    // Also covers a process that left its group.
    let _ = child.start_kill();
    child.wait().await
}

#[cfg(unix)]
mod signal {
    //! Signals to a server's process group (it leads its own group, so helpers
    //! it started, such as the real server behind `npx` or `uvx`, go too).

    use rustix::process::{Pid, Signal, kill_process, kill_process_group};

    fn send(pid: u32, signal: Signal) -> bool {
        let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
            return false;
        };
        kill_process_group(pid, signal).is_ok() || kill_process(pid, signal).is_ok()
    }

    /// Sends `SIGTERM`; `false` when it could not be sent.
    pub(super) fn terminate(pid: u32) -> bool {
        send(pid, Signal::TERM)
    }

    /// Sends `SIGKILL`.
    pub(super) fn kill(pid: u32) {
        send(pid, Signal::KILL);
    }
}

#[cfg(not(unix))]
mod signal {
    //! Without Unix signals there is no polite second step: kill outright.

    pub(super) fn terminate(_pid: u32) -> bool {
        false
    }

    pub(super) fn kill(_pid: u32) {}
}
