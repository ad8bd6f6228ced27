//! Child processes that never outlive the run.
//!
//! Every long-running child (npm, cargo, the suite, the everything-server) is
//! started in a process group of its own and registered with a [`Reaper`]. A
//! [`Guarded`] child stops its whole group when dropped, so an error or a
//! panic leaves nothing behind, and the signal thread installed by
//! [`Reaper::install`] stops every registered group on SIGINT, SIGTERM or
//! SIGHUP before exiting. A group, not a pid, is what gets signalled: the
//! suite starts the client under test through `sh -c`, and those grandchildren
//! must go too.

use std::collections::BTreeSet;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::Error;

/// How long a group gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

/// The set of process groups this run started and has not yet stopped.
#[derive(Clone, Debug, Default)]
pub(super) struct Reaper {
    groups: Arc<Mutex<BTreeSet<u32>>>,
    /// Set by the signal thread; the run is about to exit.
    interrupted: Arc<AtomicBool>,
}

impl Reaper {
    /// Creates the reaper and a thread that, on SIGINT, SIGTERM or SIGHUP,
    /// stops every registered group and exits with `128 + signal`.
    pub(super) fn install() -> Result<Self, Error> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let reaper = Reaper::default();
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        let on_signal = reaper.clone();
        thread::Builder::new()
            .name("conformance-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    on_signal.interrupted.store(true, Ordering::SeqCst);
                    eprintln!("\nxtask conformance: got signal {signal}, stopping child processes");
                    on_signal.stop_all();
                    std::process::exit(128 + signal);
                }
            })?;
        Ok(reaper)
    }

    /// Starts `command` in a new process group and registers the group.
    /// Standard input is always closed: a child in a background group that
    /// reads the terminal would stop the run.
    pub(super) fn spawn(&self, command: &mut Command) -> io::Result<Guarded> {
        self.hold_if_interrupted();
        command.process_group(0).stdin(Stdio::null());
        let mut groups = self.lock();
        let child = command.spawn()?;
        groups.insert(child.id());
        drop(groups);
        Ok(Guarded {
            child,
            reaper: self.clone(),
            reaped: None,
        })
    }

    /// Once a signal arrived, the signal thread stops everything and exits
    /// the process; the main thread must not go on (and, say, report the
    /// stopped children as failures) in the meantime.
    fn hold_if_interrupted(&self) {
        while self.interrupted.load(Ordering::SeqCst) {
            thread::park_timeout(Duration::from_secs(1));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<u32>> {
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stop_all(&self) {
        let groups: Vec<u32> = self.lock().iter().copied().collect();
        for &group in &groups {
            signal_group(group, "TERM");
        }
        thread::sleep(Duration::from_millis(500));
        for &group in &groups {
            signal_group(group, "KILL");
        }
    }
}

/// A child process (and its process group) that is stopped when dropped.
#[derive(Debug)]
pub(super) struct Guarded {
    child: Child,
    reaper: Reaper,
    reaped: Option<ExitStatus>,
}

impl Guarded {
    /// The exit status if the child has exited, without blocking.
    pub(super) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.reaped.is_none() {
            self.reaped = self.child.try_wait()?;
        }
        Ok(self.reaped)
    }

    /// Waits for the child to exit, at most `limit`; `None` means it is
    /// still running (it is not stopped here).
    pub(super) fn wait_for(&mut self, limit: Duration) -> io::Result<Option<ExitStatus>> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.try_wait()? {
                self.reaper.hold_if_interrupted();
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the group: SIGTERM, then SIGKILL after a grace period, and then
    /// SIGKILL again for whatever the leader left behind in its group.
    pub(super) fn stop(&mut self) {
        let group = self.child.id();
        if matches!(self.try_wait(), Ok(None)) {
            signal_group(group, "TERM");
            if !matches!(self.wait_for(GRACE), Ok(Some(_))) {
                signal_group(group, "KILL");
                self.reaped = self.child.wait().ok();
            }
        }
        // Grandchildren (the client under test, run through `sh -c`) may
        // still be in the group after the leader exited.
        signal_group(group, "KILL");
        self.reaper.lock().remove(&group);
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends `signal` (a name such as `TERM`) to every process in `group`.
///
/// The workspace forbids `unsafe`, so there is no `kill(2)` here; the shell's
/// `kill` does it. Errors (typically: the group is already gone) are ignored.
fn signal_group(group: u32, signal: &str) {
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -s {signal} -- -{group}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub(super) fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`.
///
/// Fails early when `child` exits, and after `limit`.
pub(super) fn wait_for_port(child: &mut Guarded, port: u16, limit: Duration) -> Result<(), Error> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + limit;
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            return Err(format!("exited ({status}) before accepting connections on {addr}").into());
        }
        if Instant::now() >= deadline {
            return Err(format!("did not accept connections on {addr} within {limit:?}").into());
        }
        thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_a_guarded_child_stops_its_whole_group() {
        let reaper = Reaper::default();
        // The shell's background grandchild is in the same group.
        let mut command = Command::new("sh");
        command
            .args(["-c", "sleep 30 & echo $!; wait"])
            .stdout(Stdio::piped());
        let mut guarded = reaper.spawn(&mut command).unwrap();
        let mut line = String::new();
        io::BufRead::read_line(
            &mut io::BufReader::new(guarded.child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let grandchild: u32 = line.trim().parse().unwrap();
        assert_eq!(reaper.lock().len(), 1);
        drop(guarded);
        assert!(reaper.lock().is_empty());
        // The grandchild is gone (or a zombie about to be reaped by init).
        let alive = || {
            Command::new("sh")
                .arg("-c")
                .arg(format!("ps -o stat= -p {grandchild} | grep -qv Z"))
                .status()
                .unwrap()
                .success()
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
        assert!(!alive(), "grandchild {grandchild} survived");
    }

    #[test]
    fn wait_for_port_fails_fast_when_the_child_exits() {
        let reaper = Reaper::default();
        let mut guarded = reaper
            .spawn(Command::new("true").stdout(Stdio::null()))
            .unwrap();
        let port = free_port().unwrap();
        let started = Instant::now();
        let err = wait_for_port(&mut guarded, port, Duration::from_secs(20)).unwrap_err();
        assert!(err.to_string().contains("exited"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
