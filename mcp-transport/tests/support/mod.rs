//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use mcp_transport::{Inbound, TransportError};
use mcp_types::{JsonRpcMessage, JsonRpcNotification, JsonRpcRequest};

/// Fails the test when `fut` takes longer than `secs` seconds.
pub async fn within<F: Future>(secs: f64, fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs_f64(secs), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {secs} s"))
}

/// A request with params `{"n": n}`.
pub fn request(id: i64, method: &str) -> JsonRpcMessage {
    JsonRpcMessage::Request(
        JsonRpcRequest::new(id, method, &serde_json::json!({ "n": id })).unwrap(),
    )
}

/// A notification without params.
pub fn notification(method: &str) -> JsonRpcMessage {
    JsonRpcMessage::Notification(JsonRpcNotification {
        method: method.to_owned(),
        params: None,
    })
}

/// The message of an item that must be `Ok`.
pub fn message(item: Option<Result<Inbound, TransportError>>) -> JsonRpcMessage {
    match item {
        Some(Ok(inbound)) => inbound.message,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// The path of one of this crate's examples, built on first use when the test
/// run did not build examples (`cargo test --test ...`).
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    // target/<profile>/deps/<test binary>
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_owned();
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        BUILT.get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned());
            let profile = profile_dir.file_name().unwrap().to_str().unwrap();
            let mut build = Command::new(cargo);
            build
                .args(["build", "-p", "mcp-transport", "--examples", "--target-dir"])
                .arg(profile_dir.parent().unwrap());
            if profile != "debug" {
                build.args([
                    "--profile",
                    if profile == "release" {
                        "release"
                    } else {
                        profile
                    },
                ]);
            }
            let status = build.status().expect("run cargo to build the examples");
            assert!(status.success(), "building the examples failed");
        });
    }
    assert!(
        path.exists(),
        "example {name} not found at {}",
        path.display()
    );
    path
}
