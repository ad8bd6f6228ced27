//! The child-process transport and the stdio transport, with real processes.

#![cfg(unix)]

#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use mcp_transport::{
    ChildProcess, ChildProcessError, DEFAULT_INHERITED_ENV_VARS, LineTransport,
    STDERR_MAX_LINE_LENGTH, STDERR_MAX_LINES, Stderr, StderrLines, Transport, TransportError,
};
use mcp_types::{JsonRpcMessage, RequestId};
use rustix::process::{Pid, Signal, kill_process, test_kill_process};
use support::{example, message, notification, request, within};

fn echo() -> mcp_transport::ChildProcessBuilder {
    ChildProcess::builder(example("stdio_echo")).stderr(Stderr::Capture)
}

fn sh(script: &str) -> mcp_transport::ChildProcessBuilder {
    ChildProcess::builder("sh").args(["-c", script])
}

fn pid_of(process: &ChildProcess) -> Pid {
    Pid::from_raw(process.pid() as i32).unwrap()
}

/// Waits for the next captured stderr line.
async fn next_line(stderr: &mut StderrLines) -> String {
    within(5.0, stderr.next()).await.expect("a stderr line")
}

#[tokio::test]
async fn stdio_server_in_a_child_process_round_trip() {
    let mut transport = echo().grace_period(Duration::from_secs(5)).spawn().unwrap();
    let mut stderr = transport.take_stderr().unwrap();
    assert!(transport.take_stderr().is_none());
    let process = transport.process().clone();
    let (mut reader, mut writer) = transport.split();

    // The server reads and writes its pipes through the reactor.
    let banner = next_line(&mut stderr).await;
    assert!(banner.contains(r#"Stdin { kind: "pipe" }"#), "{banner}");
    assert!(banner.contains(r#"Stdout { kind: "pipe" }"#), "{banner}");

    for i in 0..20 {
        writer.feed(request(i, "tools/list").into()).await.unwrap();
        writer
            .feed(notification("notifications/ignored").into())
            .await
            .unwrap();
    }
    writer.flush().await.unwrap();
    for i in 0..20 {
        match message(within(5.0, reader.next()).await) {
            JsonRpcMessage::Response(r) => {
                assert_eq!(r.id, RequestId::Number(i));
                assert_eq!(r.result.get(), format!(r#"{{"n":{i}}}"#));
            }
            other => panic!("expected a response, got {other:?}"),
        }
    }
    assert!(process.exit_status().is_none());

    // A well-behaved server exits on end of stdin, with no signal.
    let started = Instant::now();
    writer.close().await.unwrap();
    let status = within(5.0, process.wait()).await.unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    match within(5.0, reader.next()).await {
        Some(Err(TransportError::Closed(why))) => {
            assert_eq!(
                why,
                format!("server process {} exited with status 0", process.pid())
            );
        }
        other => panic!("expected Closed, got {other:?}"),
    }
    assert!(reader.next().await.is_none());
    assert_eq!(process.exit_status(), Some(status));
}

#[tokio::test]
async fn stdio_over_a_unix_socket_and_from_a_regular_file() {
    use std::os::fd::OwnedFd;

    // stdin and stdout are one socket, as some launchers set them up.
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    let child = tokio::process::Command::new(example("stdio_echo"))
        .stdin(Stdio::from(OwnedFd::from(theirs.try_clone().unwrap())))
        .stdout(Stdio::from(OwnedFd::from(theirs)))
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    ours.set_nonblocking(true).unwrap();
    let (r, w) = tokio::net::UnixStream::from_std(ours).unwrap().into_split();
    let (mut reader, mut writer) = LineTransport::new(r, w).split();
    writer.send(request(5, "ping").into()).await.unwrap();
    assert_eq!(
        message(within(5.0, reader.next()).await).id(),
        Some(&RequestId::Number(5))
    );
    writer.close().await.unwrap();
    // The server half-closes the socket when it is done.
    assert!(within(5.0, reader.next()).await.is_none());
    let out = within(5.0, child.wait_with_output()).await.unwrap();
    assert!(out.status.success());
    let banner = String::from_utf8_lossy(&out.stderr);
    assert!(banner.contains(r#"Stdin { kind: "socket" }"#), "{banner}");

    // A regular file on stdin falls back to blocking reads.
    let path =
        std::env::temp_dir().join(format!("mcp-transport-test-{}.jsonl", std::process::id()));
    std::fs::write(&path, format!("{}\n", request(1, "ping").to_json())).unwrap();
    let out = tokio::process::Command::new(example("stdio_echo"))
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .await
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"n\":1}}\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(r#"Stdin { kind: "blocking" }"#));
}

#[tokio::test]
async fn the_environment_is_clean_unless_told_otherwise() {
    let parent: BTreeMap<String, String> = std::env::vars().collect();
    let dir = std::env::temp_dir().canonicalize().unwrap();
    let mut transport = sh("pwd >&2; echo --- >&2; env >&2")
        .env("MCP_TEST_VAR", "hello world")
        .envs([("MCP_OTHER", "1"), ("MCP_REMOVED", "x")])
        .env_remove("MCP_REMOVED")
        .env_remove("HOME")
        .inherit_env("CARGO_PKG_NAME")
        .current_dir(&dir)
        .stderr(Stderr::Capture)
        .spawn()
        .unwrap();
    let mut stderr = transport.take_stderr().unwrap();
    transport.process().wait().await.unwrap();
    let mut lines = Vec::new();
    while let Some(line) = within(5.0, stderr.next()).await {
        lines.push(line);
    }
    assert_eq!(lines[0], dir.to_str().unwrap());
    assert_eq!(lines[1], "---");
    let child: BTreeMap<&str, &str> = lines[2..]
        .iter()
        .filter_map(|l| l.split_once('='))
        .collect();

    assert_eq!(child.get("MCP_TEST_VAR"), Some(&"hello world"));
    assert_eq!(child.get("MCP_OTHER"), Some(&"1"));
    assert!(!child.contains_key("MCP_REMOVED"));
    assert!(!child.contains_key("HOME"));
    assert_eq!(
        child.get("PATH").copied(),
        parent.get("PATH").map(String::as_str)
    );
    if let Some(name) = parent.get("CARGO_PKG_NAME") {
        assert_eq!(child.get("CARGO_PKG_NAME"), Some(&name.as_str()));
    }
    // Nothing else of the parent's environment leaks; the shell adds a few of its own.
    let allowed = |k: &str| {
        DEFAULT_INHERITED_ENV_VARS.contains(&k)
            || k.starts_with("MCP_")
            || ["CARGO_PKG_NAME", "PWD", "OLDPWD", "SHLVL", "_"].contains(&k)
    };
    // Values never show in the builder's debug output.
    let builder = sh("true").env("API_KEY", "secret-value");
    assert!(!format!("{builder:?}").contains("secret-value"));
    let leaked: Vec<_> = child.keys().filter(|k| !allowed(k)).collect();
    assert!(leaked.is_empty(), "leaked into the child: {leaked:?}");
    assert!(
        parent.keys().any(|k| !allowed(k)),
        "the test proves nothing"
    );
}

#[tokio::test]
async fn a_server_ignoring_stdin_eof_and_sigterm_is_killed() {
    let grace = Duration::from_millis(200);
    let mut transport = sh("trap '' TERM; echo ready >&2; exec sleep 30")
        .stderr(Stderr::Capture)
        .grace_period(grace)
        .spawn()
        .unwrap();
    let mut stderr = transport.take_stderr().unwrap();
    assert_eq!(next_line(&mut stderr).await, "ready");
    let process = transport.process().clone();
    let (mut reader, _writer) = transport.split();

    let started = Instant::now();
    let status = within(5.0, process.shutdown()).await.unwrap();
    let took = started.elapsed();
    assert_eq!(status.signal(), Some(9), "{status:?}");
    assert!(took >= 2 * grace, "{took:?}");
    assert!(took < 2 * grace + Duration::from_secs(1), "{took:?}");
    assert!(matches!(
        within(5.0, reader.next()).await,
        Some(Err(TransportError::Closed(why))) if why.contains("SIGKILL")
    ));
}

#[tokio::test]
async fn a_server_ignoring_stdin_eof_gets_sigterm() {
    let grace = Duration::from_millis(200);
    let mut transport = sh("echo ready >&2; exec sleep 30")
        .stderr(Stderr::Capture)
        .grace_period(grace)
        .spawn()
        .unwrap();
    let mut stderr = transport.take_stderr().unwrap();
    assert_eq!(next_line(&mut stderr).await, "ready");
    let process = transport.process().clone();
    let (_reader, mut writer) = transport.split();

    let started = Instant::now();
    writer.close().await.unwrap();
    let status = within(5.0, process.wait()).await.unwrap();
    assert_eq!(status.signal(), Some(15), "{status:?}");
    let took = started.elapsed();
    assert!(
        took >= grace && took < 2 * grace + Duration::from_millis(500),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_server_killed_mid_conversation_ends_the_reader_at_once() {
    let transport = echo().spawn().unwrap();
    let process = transport.process().clone();
    let (mut reader, mut writer) = transport.split();
    writer.send(request(1, "ping").into()).await.unwrap();
    assert_eq!(
        message(within(5.0, reader.next()).await).id(),
        Some(&RequestId::Number(1))
    );

    kill_process(pid_of(&process), Signal::KILL).unwrap();
    let started = Instant::now();
    match within(5.0, reader.next()).await {
        Some(Err(e @ TransportError::Closed(_))) => {
            assert!(!e.is_recoverable());
            let why = e.to_string();
            assert!(
                why.contains(&format!("server process {} was terminated", process.pid())),
                "{why}"
            );
            assert!(why.contains("SIGKILL"), "{why}");
        }
        other => panic!("expected Closed, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(reader.next().await.is_none());

    // Writing to it now says why, too.
    let err = within(5.0, writer.send(request(2, "ping").into()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TransportError::Closed(why) if why.contains("terminated")),
        "{err}"
    );
}

#[tokio::test]
async fn the_reader_ends_when_the_server_exits_even_if_its_stdout_stays_open() {
    // The background `sleep` keeps the server's stdout open after the server exits.
    let line = notification("notifications/hello").to_json();
    let transport = sh(&format!("echo '{line}'; sleep 3 & exit 3"))
        .spawn()
        .unwrap();
    let (mut reader, _writer) = transport.split();
    let started = Instant::now();
    assert_eq!(
        message(within(5.0, reader.next()).await).method(),
        Some("notifications/hello")
    );
    match within(5.0, reader.next()).await {
        Some(Err(TransportError::Closed(why))) => {
            assert!(why.ends_with("exited with status 3"), "{why}")
        }
        other => panic!("expected Closed, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn no_server_outlives_a_dropped_transport() {
    let mut transport = sh("trap '' TERM; echo ready >&2; exec sleep 30")
        .stderr(Stderr::Capture)
        .grace_period(Duration::from_millis(100))
        .spawn()
        .unwrap();
    let mut stderr = transport.take_stderr().unwrap();
    assert_eq!(next_line(&mut stderr).await, "ready");
    let process = transport.process().clone();
    let pid = pid_of(&process);
    drop(transport);
    within(5.0, process.wait()).await.unwrap();
    // Reaped, not a zombie: the pid names no process any more.
    assert!(test_kill_process(pid).is_err());
}

#[test]
#[cfg(target_os = "linux")]
fn no_server_outlives_its_runtime() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let pid = runtime.block_on(async {
        let transport = sh("trap '' TERM; exec sleep 30").spawn().unwrap();
        // Keep the transport alive: only the runtime going away ends the process.
        let pid = transport.process().pid();
        std::mem::forget(transport);
        pid
    });
    drop(runtime);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        // Gone, or dead and waiting to be reaped.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit(") ").next().and_then(|s| s.chars().next());
        if stat.is_empty() || state == Some('Z') {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} still running: {stat}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn spawning_a_missing_program_fails_clearly() {
    let err = ChildProcess::builder("/nonexistent/mcp-server")
        .spawn()
        .unwrap_err();
    assert!(matches!(err, ChildProcessError::Spawn { .. }));
    assert!(err.to_string().contains("/nonexistent/mcp-server"), "{err}");
}

#[tokio::test]
async fn captured_stderr_is_bounded() {
    let script = "i=0; while [ $i -lt 1000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; \
                  head -c 20000 /dev/zero | tr '\\0' x >&2";
    let mut transport = sh(script).stderr(Stderr::Capture).spawn().unwrap();
    let mut stderr = transport.take_stderr().unwrap();
    within(10.0, transport.process().wait()).await.unwrap();
    // Let the capture task read the last bytes.
    let mut lines = Vec::new();
    while let Some(line) = within(5.0, stderr.next()).await {
        lines.push(line);
    }
    assert!(lines.len() <= STDERR_MAX_LINES, "{}", lines.len());
    assert_eq!(lines.len() as u64 + stderr.dropped(), 1001);
    assert_eq!(lines[lines.len() - 2], "line 999");
    let long = lines.last().unwrap();
    assert!(long.ends_with('…'));
    assert_eq!(long.len(), STDERR_MAX_LINE_LENGTH + '…'.len_utf8());
}
