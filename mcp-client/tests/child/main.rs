//! `ClientSession` against the `test_server` example spawned as a child
//! process: both eras over real stdio, cancellation, a killed server, and
//! shutdown of the process when the session closes.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mcp_client::{CallOptions, ClientSession, sampled_text};
use mcp_transport::{ChildProcess, ChildProcessBuilder, Stderr};
use mcp_types::ProtocolVersion;
use serde_json::json;

/// The path of example `name`, built if `cargo test` did not build it.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let mut build = std::process::Command::new(env!("CARGO"));
        build.args(["build", "-p", "mcp-client", "--example", name]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building the {name} example failed");
    }
    path
}

/// The `test_server` example binary.
fn test_server() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| example("test_server"))
}

fn server(args: &[&str]) -> ChildProcessBuilder {
    ChildProcess::builder(test_server())
        .args(args)
        .stderr(Stderr::Null)
}

fn first_text(result: &mcp_types::CallToolResult) -> String {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_spawned_server_in_both_eras() {
    for (args, expected) in [
        (&[][..], ProtocolVersion::V2026_07_28),
        (
            &["--versions=2025-06-18,2025-11-25"][..],
            ProtocolVersion::V2025_11_25,
        ),
    ] {
        let session = ClientSession::builder()
            .sampling(|_p| async { Ok(sampled_text("child-model", "from the child test")) })
            .spawn_with(server(args))
            .await
            .unwrap();
        assert_eq!(session.protocol_version(), expected);
        assert_eq!(session.server_info().unwrap().name, "test-server");
        assert!(
            session
                .list_all_tools()
                .await
                .unwrap()
                .iter()
                .any(|t| t.name == "echo")
        );
        let echoed = session
            .call_tool("echo", json!({"text": "over stdio"}))
            .await
            .unwrap();
        assert_eq!(first_text(&echoed), "over stdio");
        let sampled = session.call_tool("sample", ()).await.unwrap();
        assert_eq!(
            first_text(&sampled),
            "sampled: from the child test",
            "{expected}"
        );
        let process = session
            .process()
            .expect("a spawned session has a process")
            .clone();
        session.close().await.unwrap();
        assert!(
            process.exit_status().is_some(),
            "the server exited when the session closed"
        );
    }
}

#[tokio::test]
async fn spawn_takes_a_command_and_arguments() {
    let session = ClientSession::spawn(test_server(), ["--versions=2025-03-26"])
        .await
        .unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2025_03_26);
    let read = session.read_resource("test://static-text").await.unwrap();
    assert_eq!(read.contents[0].uri(), "test://static-text");
}

#[cfg(unix)]
#[tokio::test]
async fn killing_the_server_fails_the_call_promptly() {
    let session = ClientSession::spawn_with(server(&[])).await.unwrap();
    let pid = session.process().unwrap().pid();
    let pending = {
        let session = session.clone();
        tokio::spawn(async move { session.call_tool("slow", json!({"seconds": 60})).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let killed = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let err = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert!(err.is_closed(), "{err}");
    assert!(
        killed.elapsed() < Duration::from_secs(2),
        "failed after {:?}",
        killed.elapsed()
    );
}

#[tokio::test]
async fn a_timed_out_call_is_cancelled_over_stdio() {
    for args in [&[][..], &["--versions=2025-11-25"][..]] {
        let session = ClientSession::spawn_with(server(args)).await.unwrap();
        let options = CallOptions::new().timeout(Duration::from_millis(200));
        let err = session
            .call_tool_with("slow", json!({"seconds": 60}), options)
            .await
            .unwrap_err();
        assert!(err.is_timeout(), "{err}");
        let dropped = tokio::time::timeout(
            Duration::from_millis(100),
            session.call_tool("slow", json!({"seconds": 60})),
        )
        .await;
        assert!(dropped.is_err());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let count = first_text(&session.call_tool("cancelled_count", ()).await.unwrap());
            if count == "2" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the server saw {count} cancellations"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn dropping_the_session_shuts_the_server_down() {
    let session = ClientSession::spawn_with(server(&[])).await.unwrap();
    let process = session.process().unwrap().clone();
    drop(session);
    let status = tokio::time::timeout(Duration::from_secs(10), process.wait()).await;
    assert!(status.is_ok(), "the server process exited");
}

#[tokio::test]
async fn the_spawn_client_example_runs() {
    let server = test_server().clone();
    let client = example("spawn_client");
    let output = tokio::process::Command::new(client)
        .arg(server)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("add_numbers: The sum of 2 and 40 is 42"),
        "{stdout}"
    );
    assert!(
        stdout.contains("sample: sampled: an answer to 1 message(s)"),
        "{stdout}"
    );
}
