//! The [`Transport`] abstraction and the messages it carries.

use futures::{Sink, Stream};
use mcp_types::{JsonRpcMessage, ParseError, RequestId};

/// A message received from the peer, with what the transport knows about how it arrived.
#[derive(Debug)]
pub struct Inbound {
    /// The message.
    pub message: JsonRpcMessage,
    /// Transport facts about the message, e.g. the HTTP request's
    /// `http::request::Parts` when it came over HTTP; empty for stdio.
    pub extensions: http::Extensions,
}

impl From<JsonRpcMessage> for Inbound {
    fn from(message: JsonRpcMessage) -> Self {
        Inbound {
            message,
            extensions: http::Extensions::new(),
        }
    }
}

/// Where an [`Inbound`] message stood in a JSON-RPC batch (revision 2025-03-26).
///
/// Transports deliver each member of a batch as its own [`Inbound`], in order;
/// this value in its [`extensions`](Inbound::extensions) says it came in a
/// batch, so an engine that wants to answer a batch with one array can regroup
/// the members. Messages that did not come in a batch have none.
///
/// ```
/// use mcp_transport::{BatchPosition, Inbound};
///
/// # fn f(inbound: Inbound) {
/// if let Some(BatchPosition { index, len }) = inbound.extensions.get::<BatchPosition>() {
///     println!("member {} of a batch of {len}", index + 1);
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchPosition {
    /// The member's index in the batch, from 0.
    pub index: usize,
    /// How many members the batch has.
    pub len: usize,
}

/// A message to send to the peer.
#[derive(Debug, Clone)]
pub struct Outbound {
    /// The message.
    pub message: JsonRpcMessage,
    /// The request this message belongs to, when it is sent while handling one
    /// (a progress notification, a log message, a server-to-client request, or
    /// the response itself). Streamable HTTP uses it to put the message on that
    /// request's response stream; stdio ignores it.
    pub related_request: Option<RequestId>,
}

impl From<JsonRpcMessage> for Outbound {
    fn from(message: JsonRpcMessage) -> Self {
        Outbound {
            message,
            related_request: None,
        }
    }
}

/// Why a transport could not deliver or receive a message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The peer sent bytes that are not a valid JSON-RPC message. The transport is
    /// still usable; the engine answers with the matching JSON-RPC error.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A message exceeded the transport's size bound. The transport is still usable.
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Bytes received (at least) before giving up.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The underlying I/O failed; the transport is closed.
    #[error("transport I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The peer went away (end of stream, process exited, connection closed).
    #[error("transport closed: {0}")]
    Closed(String),
}

impl TransportError {
    /// Whether the transport can go on after this error (bad input from the peer)
    /// rather than being closed.
    pub fn is_recoverable(&self) -> bool {
        matches!(
            self,
            TransportError::Parse(_) | TransportError::TooLarge { .. }
        )
    }
}

/// A bidirectional message channel to one peer.
///
/// Implement it by naming a reader and a writer; the engine reads and writes
/// concurrently from separate tasks, so the halves must not share a lock.
///
/// ```
/// use mcp_transport::{Inbound, Outbound, Transport, TransportError};
/// use futures::{Sink, Stream};
///
/// struct MyTransport<R, W>(R, W);
///
/// impl<R, W> Transport for MyTransport<R, W>
/// where
///     R: Stream<Item = Result<Inbound, TransportError>> + Send + Unpin + 'static,
///     W: Sink<Outbound, Error = TransportError> + Send + Unpin + 'static,
/// {
///     type Reader = R;
///     type Writer = W;
///     fn split(self) -> (R, W) {
///         (self.0, self.1)
///     }
/// }
/// ```
pub trait Transport: Send + 'static {
    /// The receiving half: ends (`None`) when the peer closes.
    type Reader: Stream<Item = Result<Inbound, TransportError>> + Send + Unpin + 'static;
    /// The sending half.
    type Writer: Sink<Outbound, Error = TransportError> + Send + Unpin + 'static;

    /// Splits the transport into its halves.
    fn split(self) -> (Self::Reader, Self::Writer);
}
