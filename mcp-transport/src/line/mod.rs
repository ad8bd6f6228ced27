//! Newline-delimited JSON over any byte stream: the framing of MCP's stdio transport,
//! usable as well over a TCP or Unix socket.

mod reader;
mod writer;

pub use reader::LineReader;
pub use writer::LineWriter;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::Transport;

/// The longest line a [`LineReader`] accepts by default: 16 MiB.
///
/// MCP messages can carry base64 images, audio and resource blobs inline, so a
/// few MiB is an ordinary message; 16 MiB fits a 12 MiB binary payload and still
/// bounds what a hostile peer can make the reader hold. Lower it with
/// [`LineTransport::with_max_line_length`] where many connections share a process.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 16 * 1024 * 1024;

/// A [`Transport`] speaking newline-delimited JSON-RPC over a reader and a writer:
/// one message (or, in revision 2025-03-26, one batch) per line, as MCP's stdio
/// transport does.
///
/// Any `AsyncRead` / `AsyncWrite` pair will do, so a TCP or Unix socket becomes a
/// transport in one line; use the socket's owned halves (`into_split`), which take
/// no lock, so the engine's reading and writing never wait on each other. See
/// [`LineReader`] and [`LineWriter`] for exactly how lines are read and written.
///
/// ```
/// use futures::{SinkExt, StreamExt};
/// use mcp_transport::{LineTransport, Transport};
/// use mcp_types::{JsonRpcMessage, JsonRpcRequest};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// // Two connected in-process byte pipes stand in for a socket here.
/// let (a, b) = tokio::io::duplex(1024);
/// let (a_read, a_write) = tokio::io::split(a);
/// let (b_read, b_write) = tokio::io::split(b);
/// let (_, mut client) = LineTransport::new(a_read, a_write).split();
/// let (mut server, _) = LineTransport::new(b_read, b_write).split();
///
/// let ping = JsonRpcRequest::new(1, "ping", &serde_json::json!({})).unwrap();
/// client.send(JsonRpcMessage::Request(ping).into()).await.unwrap();
/// let received = server.next().await.unwrap().unwrap();
/// assert_eq!(received.message.method(), Some("ping"));
/// # }
/// ```
#[derive(Debug)]
pub struct LineTransport<R, W> {
    reader: LineReader<R>,
    writer: LineWriter<W>,
}

impl<R, W> LineTransport<R, W> {
    /// A transport reading lines from `reader` and writing lines to `writer`.
    pub fn new(reader: R, writer: W) -> Self {
        LineTransport {
            reader: LineReader::new(reader),
            writer: LineWriter::new(writer),
        }
    }

    /// Sets the longest incoming line accepted, in bytes (default
    /// [`DEFAULT_MAX_LINE_LENGTH`]); see [`LineReader::with_max_line_length`].
    pub fn with_max_line_length(mut self, max: usize) -> Self {
        self.reader = self.reader.with_max_line_length(max);
        self
    }

    /// The reading half.
    pub fn reader(&self) -> &LineReader<R> {
        &self.reader
    }

    /// The writing half.
    pub fn writer(&self) -> &LineWriter<W> {
        &self.writer
    }

    /// The two halves, as [`Transport::split`] gives them.
    pub fn into_parts(self) -> (LineReader<R>, LineWriter<W>) {
        (self.reader, self.writer)
    }
}

impl<R, W> Transport for LineTransport<R, W>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Reader = LineReader<R>;
    type Writer = LineWriter<W>;

    fn split(self) -> (Self::Reader, Self::Writer) {
        self.into_parts()
    }
}
