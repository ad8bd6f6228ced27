//! The servers under test: where their binaries are, how each is started in
//! each mode, and how it is stopped.

use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Error;

/// Whose server a target is; ratios are taken against rmcp and the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Our SDK's `bench-server` example.
    Ours,
    /// The same tools on rmcp.
    Rmcp,
    /// The least work a server can do.
    Floor,
}

/// One server binary and the arguments that select a mode.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// Name in the tables.
    pub(crate) label: &'static str,
    /// Whose it is.
    pub(crate) role: Role,
    /// The binary.
    pub(crate) program: PathBuf,
    /// stdio targets: all the arguments; HTTP targets: the arguments that
    /// come before `<addr> stateful|stateless`.
    pub(crate) args: Vec<&'static str>,
    /// Set when the binary must not be run even if it exists: absent from
    /// the workspace, or its build just failed (a stale binary is not ours).
    pub(crate) unavailable: Option<Unavailable>,
}

/// Why a target is not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unavailable {
    /// There is no binary.
    NotBuilt,
    /// Building it failed.
    BuildFailed(String),
}

impl Target {
    /// Why it cannot be run, if it cannot.
    pub(crate) fn unavailable(&self) -> Option<Unavailable> {
        match &self.unavailable {
            Some(why) => Some(why.clone()),
            None if !self.program.is_file() => Some(Unavailable::NotBuilt),
            None => None,
        }
    }
}

/// Every target, by transport.
#[derive(Debug, Clone)]
pub(crate) struct Catalogue {
    /// Servers spoken to over stdin/stdout.
    pub(crate) stdio: Vec<Target>,
    /// Servers spoken to over Streamable HTTP.
    pub(crate) http: Vec<Target>,
}

/// Label of our server in the tables.
pub(crate) const OURS: &str = "mcp bench-server";

/// Where the binaries of [`crate::bench::build`] land under `target_dir`.
pub(crate) fn catalogue(target_dir: &Path) -> Catalogue {
    let release = target_dir.join(super::build::PROFILE);
    let ours = release.join("examples").join("bench-server");
    let rmcp = release.join("rmcp-bench-server");
    let target = |label, role, program: &PathBuf, args: &[&'static str]| Target {
        label,
        role,
        program: program.clone(),
        args: args.to_vec(),
        unavailable: None,
    };
    Catalogue {
        stdio: vec![
            target(OURS, Role::Ours, &ours, &["stdio"]),
            target("rmcp stdio", Role::Rmcp, &rmcp, &["stdio"]),
            target("rmcp stdio_pipes", Role::Rmcp, &rmcp, &["stdio-pipes"]),
            target(
                "floor serde_json",
                Role::Floor,
                &release.join("floor-stdio"),
                &[],
            ),
        ],
        http: vec![
            target(OURS, Role::Ours, &ours, &["http"]),
            target("rmcp", Role::Rmcp, &rmcp, &["http"]),
            target("floor hyper", Role::Floor, &release.join("floor-http"), &[]),
        ],
    }
}

/// Streamable HTTP server mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpMode {
    /// Sessions: `initialize`, then `Mcp-Session-Id` on every request.
    Stateful,
    /// No sessions; 2026-07-28 per-request metadata, JSON responses.
    Stateless,
}

impl HttpMode {
    /// The mode argument of the server command line.
    pub(crate) fn arg(self) -> &'static str {
        match self {
            HttpMode::Stateful => "stateful",
            HttpMode::Stateless => "stateless",
        }
    }
}

/// A started server; killed when dropped.
#[derive(Debug)]
pub(crate) struct Running {
    child: Child,
    /// Its process id (also when started through `taskset`, which execs).
    pub(crate) pid: u32,
    label: &'static str,
    log: PathBuf,
}

/// A label as a file name: every character but ASCII letters and digits
/// becomes `-`.
pub(crate) fn slug(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn log_path(log_dir: &Path, label: &str) -> PathBuf {
    log_dir.join(format!("{}.log", slug(label)))
}

fn spawn(
    target: &Target,
    extra: &[String],
    pinned: bool,
    piped: bool,
    log_dir: &Path,
) -> Result<Running, Error> {
    std::fs::create_dir_all(log_dir)?;
    let log = log_path(log_dir, target.label);
    let mut command = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(&target.program);
        c
    } else {
        Command::new(&target.program)
    };
    command.args(&target.args).args(extra);
    let io = || if piped { Stdio::piped() } else { Stdio::null() };
    command.stdin(io()).stdout(io()).stderr(File::create(&log)?);
    let child = command
        .spawn()
        .map_err(|e| format!("starting {}: {e}", target.program.display()))?;
    Ok(Running {
        pid: child.id(),
        child,
        label: target.label,
        log,
    })
}

impl Running {
    /// Starts a stdio server with piped stdin and stdout; `pinned` runs it
    /// under `taskset -c 0`.
    pub(crate) fn stdio(target: &Target, pinned: bool, log_dir: &Path) -> Result<Self, Error> {
        spawn(target, &[], pinned, true, log_dir)
    }

    /// Starts an HTTP server on a free loopback port and waits until it
    /// accepts connections.
    pub(crate) fn http(
        target: &Target,
        mode: HttpMode,
        log_dir: &Path,
    ) -> Result<(Self, SocketAddr), Error> {
        let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let extra = [addr.to_string(), mode.arg().to_owned()];
        let mut running = spawn(target, &extra, false, false, log_dir)?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok((running, addr));
            }
            if running.child.try_wait()?.is_some() || Instant::now() > deadline {
                return Err(running.failure("did not start listening"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Takes the server's stdin and stdout (stdio servers only).
    pub(crate) fn pipes(&mut self) -> Result<(ChildStdin, ChildStdout), Error> {
        match (self.child.stdin.take(), self.child.stdout.take()) {
            (Some(stdin), Some(stdout)) => Ok((stdin, stdout)),
            _ => Err("server pipes already taken".into()),
        }
    }

    /// `(VmRSS, VmHWM)` in KiB.
    pub(crate) fn rss_kib(&mut self) -> Result<(u64, u64), Error> {
        super::procfs::rss_kib(self.pid).map_err(|e| self.failure(&e.to_string()))
    }

    /// An error naming the server, its exit status if it died, and the end
    /// of its stderr log.
    pub(crate) fn failure(&mut self, what: &str) -> Error {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => format!(" (exited: {status})"),
            _ => String::new(),
        };
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(8).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "{}: {what}{status}; stderr in {}{}{}",
            self.label,
            self.log.display(),
            if tail.is_empty() { "" } else { ":\n  " },
            tail.join("\n  ")
        )
        .into()
    }

    /// Closes stdin (dropping `stdin`) and gives the server a moment to exit
    /// on its own before killing it.
    pub(crate) fn finish(mut self, stdin: Option<ChildStdin>) {
        drop(stdin);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // Drop kills it.
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_paths_and_logs() {
        let c = catalogue(Path::new("/t"));
        assert_eq!(
            c.stdio[0].program,
            Path::new("/t/benchmark/examples/bench-server")
        );
        assert_eq!(c.stdio[0].role, Role::Ours);
        assert!(c.http.iter().any(|t| t.role == Role::Floor));
        assert_eq!(
            log_path(Path::new("/l"), "rmcp stdio_pipes"),
            Path::new("/l/rmcp-stdio-pipes.log")
        );
    }
}
