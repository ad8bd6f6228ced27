//! [`SessionTransport`]: the engine's end of the channels between the HTTP
//! server and one engine.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::channel::mpsc as fmpsc;
use futures::{Sink, Stream, StreamExt};
use tokio::sync::oneshot;

use crate::{Inbound, Outbound, Transport, TransportError};

/// The transport the HTTP server hands to a
/// [`SessionHandler`](super::SessionHandler): the server end of a bounded
/// in-process channel pair, whose other end the HTTP layer routes.
///
/// Each inbound message carries the HTTP request's `http::request::Parts`
/// (method, URI, headers, extensions; no body) in
/// [`Inbound::extensions`], and members of a batch carry a
/// [`BatchPosition`](crate::BatchPosition). Outbound messages are routed by
/// [`Outbound::related_request`]: to the response stream of that request,
/// else to the session's `GET` stream.
///
/// The reader ends when the session ends (`DELETE`, idle eviction, shutdown),
/// or, in 2026-07-28, once the one request of the transport is answered or
/// cancelled; a 2026 request whose client goes away is first cancelled with a
/// `notifications/cancelled` message.
pub struct SessionTransport {
    reader: SessionReader,
    writer: SessionWriter,
    session_id: Option<Arc<str>>,
}

/// The receiving half of a [`SessionTransport`].
pub struct SessionReader {
    rx: fmpsc::Receiver<Inbound>,
    closed: Option<oneshot::Receiver<()>>,
}

/// The sending half of a [`SessionTransport`]; sending fails with
/// [`TransportError::Closed`] once the HTTP side is gone.
pub struct SessionWriter {
    tx: fmpsc::Sender<Outbound>,
}

/// The HTTP side of a [`SessionTransport`].
pub(crate) struct HttpEnd {
    pub(crate) inbound: fmpsc::Sender<Inbound>,
    pub(crate) outbound: fmpsc::Receiver<Outbound>,
    /// Dropping (or sending on) it ends the engine's reader at once, even while
    /// clones of `inbound` live on.
    pub(crate) close: Option<oneshot::Sender<()>>,
}

impl SessionTransport {
    /// A transport and its HTTP end, each direction holding `capacity` messages.
    pub(crate) fn channel(
        capacity: usize,
        session_id: Option<Arc<str>>,
        closable: bool,
    ) -> (SessionTransport, HttpEnd) {
        // A futures channel holds `buffer + senders` messages. These channels
        // allocate per message, so an idle session costs no buffer.
        let (in_tx, in_rx) = fmpsc::channel(capacity - 1);
        let (out_tx, out_rx) = fmpsc::channel(capacity - 1);
        let (close_tx, close_rx) = if closable {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        let transport = SessionTransport {
            reader: SessionReader {
                rx: in_rx,
                closed: close_rx,
            },
            writer: SessionWriter { tx: out_tx },
            session_id,
        };
        let end = HttpEnd {
            inbound: in_tx,
            outbound: out_rx,
            close: close_tx,
        };
        (transport, end)
    }

    /// The `Mcp-Session-Id` of the session this transport serves; `None` for
    /// the per-request transports of 2026-07-28.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Whether this transport serves one 2026-07-28 request (no session).
    pub fn is_stateless(&self) -> bool {
        self.session_id.is_none()
    }
}

impl Transport for SessionTransport {
    type Reader = SessionReader;
    type Writer = SessionWriter;

    fn split(self) -> (SessionReader, SessionWriter) {
        (self.reader, self.writer)
    }
}

impl Stream for SessionReader {
    type Item = Result<Inbound, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(closed) = &mut self.closed
            && Pin::new(closed).poll(cx).is_ready()
        {
            self.closed = None;
            self.rx.close();
            return Poll::Ready(None);
        }
        self.rx.poll_next_unpin(cx).map(|m| m.map(Ok))
    }
}

fn http_gone(_: fmpsc::SendError) -> TransportError {
    TransportError::Closed("the HTTP side of the transport is gone".into())
}

impl Sink<Outbound> for SessionWriter {
    type Error = TransportError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.tx.poll_ready(cx).map_err(http_gone)
    }

    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> Result<(), Self::Error> {
        self.tx.start_send(item).map_err(http_gone)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // A message is with the HTTP side as soon as it is sent.
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

impl fmt::Debug for SessionTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionTransport")
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionReader").finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionWriter").finish_non_exhaustive()
    }
}
