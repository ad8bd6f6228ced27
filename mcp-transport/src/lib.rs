//! Transports of the Model Context Protocol: they move JSON-RPC messages between peers.
//!
//! A [`Transport`] splits into a reader (a `Stream` of [`Inbound`] messages) and a writer
//! (a `Sink` of [`Outbound`] messages). The protocol engine in `mcp-lowlevel` drives any
//! transport; this crate knows bytes, framing and HTTP, never what a method means.
//!
//! | transport | for | feature |
//! | --- | --- | --- |
//! | [`LineTransport`] | newline-delimited JSON over any `AsyncRead` + `AsyncWrite` (TCP, Unix sockets, pipes) | always |
//! | [`stdio()`] | a server on its own stdin / stdout | `stdio` (default) |
//! | [`ChildProcess`] | a client spawning a server and talking over its stdio | `child-process` (default) |
//! | [`memory::pair()`] | two connected transports in one process, for tests | always |
//! | `http_client::StreamableHttpClient` | a client of a Streamable HTTP server (both eras) | `http-client` |
//! | `sse_legacy::SseClient` | a client of a deprecated HTTP+SSE server (2024-11-05) | `sse-client` |
//! | `sse_legacy::SseServerService` | a deprecated HTTP+SSE server, as a `tower::Service` | `sse-server` |
//!
//! Every reader bounds what one message may cost (see [`DEFAULT_MAX_LINE_LENGTH`]),
//! reports bad input as recoverable errors ([`TransportError::is_recoverable`]) and
//! goes on reading; none of them parses a message twice.
//!
//! A TCP connection as a transport:
//!
//! ```no_run
//! use mcp_transport::{LineTransport, Transport};
//!
//! # async fn f() -> std::io::Result<()> {
//! let stream = tokio::net::TcpStream::connect("127.0.0.1:8765").await?;
//! let (read, write) = stream.into_split();
//! let (reader, writer) = LineTransport::new(read, write).split();
//! # drop((reader, writer)); Ok(()) }
//! ```

mod line;
pub mod memory;
mod transport;

#[cfg(feature = "http-server")]
pub mod http;

#[cfg(feature = "http-client")]
pub mod http_client;

#[cfg(any(feature = "sse-client", feature = "sse-server"))]
pub mod sse_legacy;

#[cfg(feature = "child-process")]
mod child;
#[cfg(feature = "stdio")]
mod stdio;

#[doc(inline)]
pub use line::{DEFAULT_MAX_LINE_LENGTH, LineReader, LineTransport, LineWriter};
#[doc(inline)]
pub use transport::{BatchPosition, Inbound, Outbound, Transport, TransportError};

#[cfg(feature = "stdio")]
#[doc(inline)]
pub use stdio::{Stdin, StdioTransport, Stdout, stdio};

#[cfg(feature = "child-process")]
#[doc(inline)]
pub use child::{
    ChildProcess, ChildProcessBuilder, ChildProcessError, ChildReader, ChildTransport, ChildWriter,
    DEFAULT_GRACE_PERIOD, DEFAULT_INHERITED_ENV_VARS, STDERR_MAX_LINE_LENGTH, STDERR_MAX_LINES,
    Stderr, StderrLines,
};
