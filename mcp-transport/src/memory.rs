//! An in-memory transport pair: two connected [`Transport`]s in one process, for
//! tests and for running a client and a server side by side.
//!
//! ```
//! use futures::{SinkExt, StreamExt};
//! use mcp_transport::{memory, Transport};
//! use mcp_types::{JsonRpcMessage, JsonRpcNotification};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let (client, server) = memory::pair();
//! let (_client_reader, mut client_writer) = client.split();
//! let (mut server_reader, _server_writer) = server.split();
//!
//! let note = JsonRpcNotification::new("notifications/initialized", &serde_json::json!({})).unwrap();
//! client_writer.send(JsonRpcMessage::Notification(note).into()).await.unwrap();
//! let inbound = server_reader.next().await.unwrap().unwrap();
//! assert_eq!(inbound.message.method(), Some("notifications/initialized"));
//!
//! // Closing one side's writer ends the other side's reader.
//! client_writer.close().await.unwrap();
//! assert!(server_reader.next().await.is_none());
//! # }
//! ```

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::channel::mpsc;
use futures::{Sink, Stream};
use mcp_types::JsonRpcMessage;

use crate::{Inbound, Outbound, Transport, TransportError};

/// How many messages each direction of [`pair`] holds before the sender waits.
pub const DEFAULT_CAPACITY: usize = 32;

/// What travels through the channel.
enum Frame {
    /// The message itself, moved across.
    Message(JsonRpcMessage),
    /// The message as JSON text, parsed again on arrival.
    Text(String),
}

/// One end of an in-memory connection; see [`pair`].
#[derive(Debug)]
pub struct MemoryTransport {
    reader: MemoryReader,
    writer: MemoryWriter,
}

/// The receiving half of a [`MemoryTransport`].
///
/// It ends when the other side's writer is closed or dropped.
pub struct MemoryReader {
    rx: mpsc::Receiver<Frame>,
}

/// The sending half of a [`MemoryTransport`].
///
/// Sending waits while the other side has [`DEFAULT_CAPACITY`] (or the chosen
/// capacity) messages unread; once the other side's reader is dropped, sending
/// fails with [`TransportError::Closed`].
pub struct MemoryWriter {
    tx: mpsc::Sender<Frame>,
    serialize: bool,
}

/// Two connected transports, each direction holding up to [`DEFAULT_CAPACITY`]
/// messages. Messages are moved across as they are, without serialization.
pub fn pair() -> (MemoryTransport, MemoryTransport) {
    pair_with_capacity(DEFAULT_CAPACITY)
}

/// Two connected transports, each direction holding up to `capacity` messages
/// (at least 1).
///
/// ```
/// let (a, b) = mcp_transport::memory::pair_with_capacity(1);
/// # drop((a, b));
/// ```
pub fn pair_with_capacity(capacity: usize) -> (MemoryTransport, MemoryTransport) {
    make_pair(capacity, false)
}

/// Two connected transports that send each message as JSON text and parse it
/// again on arrival, exactly as a byte-stream transport would; for tests that
/// must prove what goes over the wire survives the wire.
///
/// ```
/// use futures::{SinkExt, StreamExt};
/// use mcp_transport::{memory, Transport};
/// use mcp_types::{JsonRpcMessage, JsonRpcRequest};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (a, b) = memory::pair_serialized();
/// let (_, mut tx) = a.split();
/// let (mut rx, _) = b.split();
/// let req = JsonRpcRequest::new("r1", "tools/list", &serde_json::json!({"cursor": "c"})).unwrap();
/// tx.send(JsonRpcMessage::Request(req).into()).await.unwrap();
/// let got = rx.next().await.unwrap().unwrap().message;
/// assert_eq!(got.to_json(), r#"{"jsonrpc":"2.0","id":"r1","method":"tools/list","params":{"cursor":"c"}}"#);
/// # }
/// ```
pub fn pair_serialized() -> (MemoryTransport, MemoryTransport) {
    make_pair(DEFAULT_CAPACITY, true)
}

fn make_pair(capacity: usize, serialize: bool) -> (MemoryTransport, MemoryTransport) {
    // A futures channel holds `buffer + senders` messages; each side has one sender.
    let buffer = capacity.max(1) - 1;
    let (a_tx, a_rx) = mpsc::channel(buffer);
    let (b_tx, b_rx) = mpsc::channel(buffer);
    let a = MemoryTransport {
        reader: MemoryReader { rx: b_rx },
        writer: MemoryWriter {
            tx: a_tx,
            serialize,
        },
    };
    let b = MemoryTransport {
        reader: MemoryReader { rx: a_rx },
        writer: MemoryWriter {
            tx: b_tx,
            serialize,
        },
    };
    (a, b)
}

impl Transport for MemoryTransport {
    type Reader = MemoryReader;
    type Writer = MemoryWriter;

    fn split(self) -> (MemoryReader, MemoryWriter) {
        (self.reader, self.writer)
    }
}

impl Stream for MemoryReader {
    type Item = Result<Inbound, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let frame = ready!(Pin::new(&mut self.rx).poll_next(cx));
        Poll::Ready(frame.map(|frame| {
            match frame {
                Frame::Message(message) => Ok(Inbound::from(message)),
                Frame::Text(text) => JsonRpcMessage::from_slice(text.as_bytes())
                    .map(Inbound::from)
                    .map_err(TransportError::Parse),
            }
        }))
    }
}

fn peer_gone(_: mpsc::SendError) -> TransportError {
    TransportError::Closed("the in-memory peer dropped its reader".into())
}

impl Sink<Outbound> for MemoryWriter {
    type Error = TransportError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.tx.poll_ready(cx).map_err(peer_gone)
    }

    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> Result<(), Self::Error> {
        let frame = if self.serialize {
            Frame::Text(item.message.to_json())
        } else {
            Frame::Message(item.message)
        };
        self.tx.start_send(frame).map_err(peer_gone)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Every message is in the channel as soon as it is sent.
        Poll::Ready(Ok(()))
    }

    fn poll_close(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Result<(), Self::Error>> {
        self.tx.close_channel();
        Poll::Ready(Ok(()))
    }
}

impl fmt::Debug for MemoryReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReader").finish_non_exhaustive()
    }
}

impl fmt::Debug for MemoryWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryWriter")
            .field("serialize", &self.serialize)
            .finish_non_exhaustive()
    }
}
