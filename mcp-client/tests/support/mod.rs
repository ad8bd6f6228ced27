//! Helpers shared by the integration tests: the test server over the
//! in-memory pair, and small waiting utilities.

#![allow(dead_code, unreachable_pub)]

#[path = "../../examples/test_server/server.rs"]
pub mod server;

use std::sync::Arc;
use std::time::Duration;

use mcp_client::{ClientSession, ClientSessionBuilder, VersionChoice};
use mcp_lowlevel::RunningServer;
use mcp_types::ProtocolVersion;
pub use server::{Options, State};
use tokio::task::JoinHandle;

/// A test server running on one end of an in-memory pair.
pub struct Served {
    pub running: Arc<RunningServer<State>>,
    pub task: JoinHandle<()>,
}

impl Served {
    pub fn state(&self) -> &State {
        self.running.state()
    }

    /// Stops the server, as if its process died.
    pub fn kill(&self) {
        self.task.abort();
    }
}

/// Starts the test server and connects `builder` to it.
pub async fn connect_with(
    options: Options,
    builder: ClientSessionBuilder,
) -> (ClientSession, Served) {
    let running = server::start(&options).await;
    let (client_end, server_end) = mcp_transport::memory::pair();
    let task = {
        let running = running.clone();
        tokio::spawn(async move {
            let _ = running.serve(server_end).await;
        })
    };
    let session = builder
        .connect(client_end)
        .await
        .expect("the client connects");
    (session, Served { running, task })
}

/// Connects with the given revision choice and no callbacks.
pub async fn connect(choice: VersionChoice) -> (ClientSession, Served) {
    connect_with(
        Options::default(),
        ClientSession::builder().protocol_version(choice),
    )
    .await
}

/// Every revision choice a test should try: each revision fixed, and Auto.
pub fn choices() -> Vec<VersionChoice> {
    let mut all: Vec<_> = ProtocolVersion::ALL
        .into_iter()
        .map(VersionChoice::Fixed)
        .collect();
    all.push(VersionChoice::Auto);
    all
}

/// Waits until `check` holds, for at most 5 s.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The text of the first content block of a tool result.
pub fn first_text(result: &mcp_types::CallToolResult) -> String {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .unwrap_or_default()
        .to_owned()
}
