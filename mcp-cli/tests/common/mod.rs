//! Helpers of the `mcp` command's tests: run the built binary, build the
//! SDK's example servers with cargo into the same target directory, and find
//! free ports.

#![allow(dead_code, unreachable_pub)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::Duration;

/// The `mcp` binary under test.
pub const MCP: &str = env!("CARGO_BIN_EXE_mcp");

/// The workspace root (where `cargo build --example` finds the examples).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// The target directory the tests were built in: `<target>/debug/deps/<test>`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .expect("<target>/<profile>/deps/<test>")
        .to_owned()
}

/// `mcp` with `args`, run from the workspace root with the tests' target dir.
pub fn mcp(args: &[&str]) -> Command {
    let mut command = Command::new(MCP);
    command
        .args(args)
        .current_dir(workspace())
        .env("CARGO", env!("CARGO"))
        .env("CARGO_TARGET_DIR", target_dir());
    command
}

/// Runs `mcp` with `args` and returns what it printed.
pub fn run(args: &[&str]) -> Output {
    mcp(args).output().expect("run mcp")
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

static BUILD: Mutex<()> = Mutex::new(());

/// The path of the built example `name` of `mcp-examples`, building it first.
pub fn example(name: &str) -> PathBuf {
    let path = target_dir().join("debug").join("examples").join(name);
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let status = Command::new(env!("CARGO"))
        .args(["build", "-p", "mcp-examples", "--example", name])
        .current_dir(workspace())
        .env("CARGO_TARGET_DIR", target_dir())
        .status()
        .expect("cargo build");
    assert!(status.success(), "building example {name} failed");
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed (and reaped) on drop.
pub struct Running(pub std::process::Child);

impl Running {
    /// Waits until something listens on `port`, for as long as the child
    /// lives (5 min at most: `mcp run` may first wait for cargo, whose lock
    /// other tests hold while they build).
    pub fn wait_for_port(&mut self, port: u16) {
        let deadline = std::time::Instant::now() + Duration::from_secs(300);
        while std::time::Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.0.try_wait() {
                panic!("the server exited ({status}) before listening on port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nothing listens on port {port}");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
