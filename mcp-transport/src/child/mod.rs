//! The child-process client transport: spawn an MCP server and talk to it over
//! its stdin and stdout.

mod builder;
mod io;
mod process;
mod stderr;

pub use builder::{ChildProcessBuilder, DEFAULT_GRACE_PERIOD, DEFAULT_INHERITED_ENV_VARS, Stderr};
pub use io::{ChildReader, ChildWriter};
pub use process::{ChildProcess, ChildProcessError};
pub use stderr::{STDERR_MAX_LINE_LENGTH, STDERR_MAX_LINES, StderrLines};

use crate::Transport;

/// A [`Transport`] to a server process spawned by [`ChildProcessBuilder::spawn`]:
/// newline-delimited JSON-RPC on the server's stdin and stdout.
///
/// Keep a clone of [`process()`](Self::process) before splitting to learn the
/// pid and the exit status or to shut the server down; take the captured
/// stderr with [`take_stderr`](Self::take_stderr) (or later from the handle).
/// Dropping the transport, or closing its writer, shuts the server down (see
/// [`ChildProcess`]); no server process outlives the runtime that spawned it.
///
/// ```no_run
/// use futures::{SinkExt, StreamExt};
/// use mcp_transport::{ChildProcess, Transport};
/// use mcp_types::{JsonRpcMessage, JsonRpcRequest};
///
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = ChildProcess::builder("my-mcp-server").spawn()?;
/// let process = transport.process().clone();
/// let (mut reader, mut writer) = transport.split();
///
/// let ping = JsonRpcRequest::new(1, "ping", &serde_json::json!({}))?;
/// writer.send(JsonRpcMessage::Request(ping).into()).await?;
/// let pong = reader.next().await.expect("a reply")?;
/// println!("{:?}", pong.message);
///
/// writer.close().await?; // Closes stdin and, if need be, escalates to signals.
/// println!("server ended: {:?}", process.wait().await?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ChildTransport {
    reader: ChildReader,
    writer: ChildWriter,
    process: ChildProcess,
}

impl ChildTransport {
    /// The handle to the server process.
    pub fn process(&self) -> &ChildProcess {
        &self.process
    }

    /// The server's stderr, line by line, when it was spawned with
    /// [`Stderr::Capture`]; only the first call gets it.
    pub fn take_stderr(&mut self) -> Option<StderrLines> {
        self.process.take_stderr()
    }
}

impl Transport for ChildTransport {
    type Reader = ChildReader;
    type Writer = ChildWriter;

    fn split(self) -> (ChildReader, ChildWriter) {
        (self.reader, self.writer)
    }
}
