//! The HTTP examples, driven by `mcp-client` over Streamable HTTP in both eras.

mod common;

use std::process::{Child, Command, Stdio};

use mcp_client::{ClientSession, VersionChoice};
use mcp_types::ProtocolVersion;
use serde_json::json;

/// A spawned example server, killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(name: &str, args: &[String], port: u16) -> Running {
    let running = Running(
        Command::new(common::example(name))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn example"),
    );
    common::wait_for_port(name, port).await;
    running
}

fn versions() -> [VersionChoice; 3] {
    [
        VersionChoice::Fixed(ProtocolVersion::V2025_03_26),
        VersionChoice::Fixed(ProtocolVersion::V2025_11_25),
        VersionChoice::Fixed(ProtocolVersion::V2026_07_28),
    ]
}

#[tokio::test]
async fn axum_mount_serves_mcp_beside_other_routes() {
    let port = common::free_port();
    let _server = start("axum-mount", &[format!("127.0.0.1:{port}")], port).await;
    for version in versions() {
        let session = ClientSession::builder()
            .protocol_version(version)
            .connect_url(format!("http://127.0.0.1:{port}/mcp"))
            .await
            .unwrap();
        let result = session
            .call_tool("hello", json!({"name": "axum"}))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&result.content).unwrap()[0]["text"],
            "Hello, axum!"
        );
        session.close().await.unwrap();
    }
}

#[tokio::test]
async fn everything_server_over_http_in_both_eras() {
    let port = common::free_port();
    let _server = start(
        "everything-server",
        &["--port".into(), port.to_string()],
        port,
    )
    .await;
    for version in versions() {
        let session = ClientSession::builder()
            .protocol_version(version)
            .sampling(|_p| async { Ok(mcp_client::sampled_text("m", "sampled")) })
            .connect_url(format!("http://127.0.0.1:{port}/mcp"))
            .await
            .unwrap();
        let tools = session.list_all_tools().await.unwrap();
        assert!(tools.iter().any(|t| t.name == "test_simple_text"));
        let r = session
            .call_tool("test_simple_text", json!({}))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&r.content).unwrap()[0]["text"],
            "This is a simple text response for testing."
        );
        let r = session
            .call_tool("test_error_handling", json!({}))
            .await
            .unwrap();
        assert_eq!(r.is_error, Some(true));
        let r = session
            .call_tool("test_sampling", json!({"prompt": "hi"}))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&r.content).unwrap()[0]["text"],
            "LLM response: sampled",
            "{version:?}"
        );
        let read = session
            .read_resource("test://template/7/data")
            .await
            .unwrap();
        assert!(
            serde_json::to_string(&read.contents)
                .unwrap()
                .contains("Data for ID: 7")
        );
        let err = session.read_resource("test://missing").await.unwrap_err();
        let code = err.rpc().map(|e| e.code.0);
        let expected = if version == VersionChoice::Fixed(ProtocolVersion::V2026_07_28) {
            -32602
        } else {
            -32002
        };
        assert_eq!(code, Some(expected));
        let prompt = session
            .get_prompt(
                "test_prompt_with_arguments",
                json!({"arg1": "a", "arg2": "b"}),
            )
            .await
            .unwrap();
        assert!(
            serde_json::to_string(&prompt.messages)
                .unwrap()
                .contains("arg1='a'")
        );
        session.close().await.unwrap();
    }
}
