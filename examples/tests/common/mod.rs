//! Helpers shared by the example tests: spawn an example as a child process
//! and talk to it with a real client engine over its stdio, or over
//! Streamable HTTP when it serves `--port N`.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mcp_lowlevel::{
    Connection, ConnectionConfig, Peer, PeerError, RequestOptions, Router, RouterConfig,
};
use mcp_transport::ChildProcess;
use mcp_types::{ProtocolVersion, meta};
use serde_json::{Value, json};

/// The path of a built example, building the examples first when it is
/// missing or older than its source (`cargo test --test NAME` builds no
/// examples, and a stale binary would test old code).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>")
        .join("examples");
    let path = dir.join(name);
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(format!("{name}.rs"));
    let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (modified(&path), modified(&source)) {
        (None, _) => true,
        (Some(built), Some(written)) => built < written,
        (Some(_), None) => false,
    };
    if stale {
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "-p", "mcp-examples", "--examples"])
            .status()
            .expect("cargo build");
        assert!(status.success(), "building the examples failed");
    }
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// Waits until `name` accepts connections on `port` (at most 20 s).
pub async fn wait_for_port(name: &str, port: u16) {
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{name} did not listen on port {port}");
}

/// The era a test client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// The session era at this revision.
    Session(ProtocolVersion),
    /// 2026-07-28: `_meta` on every request.
    Stateless,
}

pub const ERAS: [Era; 3] = [
    Era::Session(ProtocolVersion::V2024_11_05),
    Era::Session(ProtocolVersion::V2025_11_25),
    Era::Stateless,
];

/// How a test client reaches a spawned example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// The example's stdin and stdout.
    Stdio,
    /// Streamable HTTP: the example is started with `--port N`.
    Http,
}

/// Every era over each wire.
pub fn cases() -> Vec<(Wire, Era)> {
    [Wire::Stdio, Wire::Http]
        .into_iter()
        .flat_map(|wire| ERAS.map(|era| (wire, era)))
        .collect()
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A client engine connected to a spawned example.
pub struct TestClient {
    pub peer: Peer,
    pub process: ChildProcess,
    era: Era,
    /// Over HTTP: the unused stdio transport, which keeps the process.
    _stdio: Option<mcp_transport::ChildTransport>,
}

impl TestClient {
    /// Spawns example `name` and talks to it over its stdio.
    pub async fn spawn(name: &str, args: &[&str], era: Era) -> TestClient {
        TestClient::spawn_on(Wire::Stdio, name, args, era).await
    }

    /// Spawns example `name` and talks to it over `wire`.
    pub async fn spawn_on(wire: Wire, name: &str, args: &[&str], era: Era) -> TestClient {
        let connection = Connection::new(ConnectionConfig::default());
        let peer = connection.peer().clone();
        let service = Router::<()>::new().into_service(Arc::new(()), RouterConfig::client());
        let (process, stdio) = match wire {
            Wire::Stdio => {
                let transport = ChildProcess::builder(example(name))
                    .args(args)
                    .spawn()
                    .expect("spawn example");
                let process = transport.process().clone();
                tokio::spawn(connection.run(transport, service));
                (process, None)
            }
            Wire::Http => {
                let port = free_port();
                let transport = ChildProcess::builder(example(name))
                    .args(args)
                    .args(["--port".to_owned(), port.to_string()])
                    .grace_period(Duration::from_millis(200))
                    .spawn()
                    .expect("spawn example");
                let process = transport.process().clone();
                wait_for_port(name, port).await;
                let http = mcp_transport::http_client::StreamableHttpClient::builder(format!(
                    "http://127.0.0.1:{port}/mcp"
                ))
                .build()
                .expect("HTTP client");
                tokio::spawn(connection.run(http, service));
                (process, Some(transport))
            }
        };
        let client = TestClient {
            peer,
            process,
            era,
            _stdio: stdio,
        };
        if let Era::Session(v) = era {
            let init = client
                .raw("initialize", json!({"protocolVersion": v.as_str(), "capabilities": {}, "clientInfo": {"name": "examples-test", "version": "0"}}))
                .await
                .expect("initialize");
            assert_eq!(init["protocolVersion"], v.as_str());
            client.peer.session().set_protocol_version(v);
            client
                .peer
                .send(mcp_types::JsonRpcMessage::Notification(
                    mcp_types::JsonRpcNotification::new("notifications/initialized", &json!({}))
                        .unwrap(),
                ))
                .await
                .unwrap();
        }
        client
    }

    async fn raw(&self, method: &str, params: Value) -> Result<Value, PeerError> {
        self.raw_with(
            method,
            params,
            RequestOptions {
                timeout: Some(Duration::from_secs(20)),
                ..Default::default()
            },
        )
        .await
    }

    pub async fn raw_with(
        &self,
        method: &str,
        params: Value,
        options: RequestOptions,
    ) -> Result<Value, PeerError> {
        let raw = self.peer.request_raw(method, &params, options).await?;
        Ok(serde_json::from_str(raw.get()).expect("JSON result"))
    }

    /// A request in this client's era.
    pub async fn call(&self, method: &str, mut params: Value) -> Result<Value, PeerError> {
        if self.era == Era::Stateless {
            params["_meta"] = json!({
                meta::PROTOCOL_VERSION: "2026-07-28",
                meta::CLIENT_CAPABILITIES: {},
                meta::CLIENT_INFO: {"name": "examples-test", "version": "0"},
            });
        }
        let result = self.raw(method, params).await?;
        if self.era == Era::Stateless {
            assert!(
                result["resultType"].is_string(),
                "2026-07-28 results carry resultType: {result}"
            );
        } else {
            assert!(
                result.get("resultType").is_none(),
                "session-era results have no resultType: {result}"
            );
        }
        Ok(result)
    }

    /// Calls a tool and returns its result.
    pub async fn tool(&self, name: &str, arguments: Value) -> Value {
        self.call("tools/call", json!({"name": name, "arguments": arguments}))
            .await
            .expect("tools/call")
    }

    /// The text of a tool result's first content block.
    pub async fn tool_text(&self, name: &str, arguments: Value) -> String {
        let r = self.tool(name, arguments).await;
        r["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Closes stdin (then `SIGTERM`) and waits for the example to exit.
    pub async fn close(self) {
        drop(self.peer);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.process.shutdown()).await;
    }
}
