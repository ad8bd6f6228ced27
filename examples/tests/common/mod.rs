//! Helpers shared by the example tests: spawn an example as a child process
//! and talk to it with a real client engine over its stdio.

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

/// The path of a built example, building the examples first if needed.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>")
        .join("examples");
    let path = dir.join(name);
    if !path.exists() {
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "-p", "mcp-examples", "--examples"])
            .status()
            .expect("cargo build");
        assert!(status.success(), "building the examples failed");
    }
    assert!(path.exists(), "{} was not built", path.display());
    path
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

/// A client engine connected to a spawned example.
pub struct TestClient {
    pub peer: Peer,
    pub process: ChildProcess,
    era: Era,
}

impl TestClient {
    pub async fn spawn(name: &str, args: &[&str], era: Era) -> TestClient {
        let transport = ChildProcess::builder(example(name))
            .args(args)
            .spawn()
            .expect("spawn example");
        let process = transport.process().clone();
        let connection = Connection::new(ConnectionConfig::default());
        let peer = connection.peer().clone();
        let service = Router::<()>::new().into_service(Arc::new(()), RouterConfig::client());
        tokio::spawn(connection.run(transport, service));
        let client = TestClient { peer, process, era };
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

    /// Closes stdin and waits for the example to exit.
    pub async fn close(self) {
        drop(self.peer);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.process.shutdown()).await;
    }
}
