//! One legacy session: its entry in the bounded session table, and its SSE
//! stream (the `endpoint` event, then the engine's messages as `message`
//! events), whose end is the session's end.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use futures::channel::mpsc as fmpsc;
use http_body::{Body, Frame, SizeHint};
use mcp_types::JsonRpcMessage;
use tokio::sync::oneshot;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use crate::{Inbound, Outbound};

const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// The live sessions: id to the engine's inbound queue.
#[derive(Debug, Default)]
pub(crate) struct Table {
    map: Mutex<HashMap<String, fmpsc::Sender<Inbound>>>,
}

impl Table {
    /// Adds a session unless `max` are open.
    pub(crate) fn insert(&self, id: String, inbound: fmpsc::Sender<Inbound>, max: usize) -> bool {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= max {
            return false;
        }
        map.insert(id, inbound);
        true
    }

    /// The inbound queue of session `id`.
    pub(crate) fn get(&self, id: &str) -> Option<fmpsc::Sender<Inbound>> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    fn remove(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// How many sessions are open.
    pub(crate) fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Ends every session (the service is going away).
    pub(crate) fn clear(&self) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Ends the session when dropped: removes it from the table and ends the
/// engine's reader.
pub(crate) struct SessionGuard {
    pub(crate) table: Arc<Table>,
    pub(crate) id: String,
    pub(crate) close: Option<oneshot::Sender<()>>,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.table.remove(&self.id);
        tracing::debug!(session = %self.id, "legacy SSE session ended");
        drop(self.close.take());
    }
}

/// The `endpoint` event.
pub(crate) fn endpoint_event(uri: &str) -> Bytes {
    Bytes::from(format!("event: endpoint\ndata: {uri}\n\n"))
}

/// A `message` event carrying `message` (one line: JSON has no raw newlines).
pub(crate) fn message_event(message: &JsonRpcMessage) -> Bytes {
    let mut buf = Vec::with_capacity(128);
    buf.extend_from_slice(b"event: message\ndata: ");
    // Serializing the envelope cannot fail: every member is valid JSON already.
    let _ = serde_json::to_writer(&mut buf, message);
    buf.extend_from_slice(b"\n\n");
    Bytes::from(buf)
}

/// The SSE stream of one session.
pub(crate) struct SessionStream {
    first: Option<Bytes>,
    outbound: fmpsc::Receiver<Outbound>,
    keep_alive: Option<Interval>,
    _session: SessionGuard,
}

impl SessionStream {
    pub(crate) fn new(
        endpoint: &str,
        outbound: fmpsc::Receiver<Outbound>,
        keep_alive: Option<Duration>,
        session: SessionGuard,
    ) -> Self {
        let keep_alive = keep_alive.filter(|d| !d.is_zero()).map(|period| {
            let mut interval = tokio::time::interval_at(Instant::now() + period, period);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        });
        SessionStream {
            first: Some(endpoint_event(endpoint)),
            outbound,
            keep_alive,
            _session: session,
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(first));
        }
        match Pin::new(&mut self.outbound).poll_next(cx) {
            Poll::Ready(Some(out)) => {
                if let Some(ka) = &mut self.keep_alive {
                    ka.reset();
                }
                return Poll::Ready(Some(message_event(&out.message)));
            }
            // The engine closed its writer: the session is over.
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        if let Some(ka) = &mut self.keep_alive
            && ka.poll_tick(cx).is_ready()
        {
            return Poll::Ready(Some(Bytes::from_static(KEEP_ALIVE)));
        }
        Poll::Pending
    }
}

/// The body of every response of [`SseServerService`](super::SseServerService):
/// a short JSON or text body, or a session's SSE stream.
pub struct SseResponseBody {
    kind: Kind,
}

enum Kind {
    Full(Option<Bytes>),
    Stream(Box<SessionStream>),
}

impl SseResponseBody {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        SseResponseBody {
            kind: Kind::Full((!bytes.is_empty()).then_some(bytes)),
        }
    }

    pub(crate) fn stream(stream: SessionStream) -> Self {
        SseResponseBody {
            kind: Kind::Stream(Box::new(stream)),
        }
    }
}

impl Body for SseResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut self.kind {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Stream(s) => s.poll_next(cx).map(|b| b.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.kind, Kind::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Stream(_) => SizeHint::default(),
        }
    }
}

impl fmt::Debug for SseResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Full(b) => f
                .debug_struct("SseResponseBody")
                .field("len", &b.as_ref().map_or(0, Bytes::len))
                .finish(),
            Kind::Stream(s) => f
                .debug_struct("SseResponseBody")
                .field("session", &s._session.id)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events() {
        assert_eq!(
            &endpoint_event("/messages?sessionId=ab")[..],
            b"event: endpoint\ndata: /messages?sessionId=ab\n\n"
        );
        let m =
            JsonRpcMessage::from_slice(br#"{"jsonrpc":"2.0","method":"x","params":{"t":"a\nb"}}"#)
                .unwrap();
        assert_eq!(
            &message_event(&m)[..],
            b"event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"t\":\"a\\nb\"}}\n\n"
        );
    }

    #[tokio::test]
    async fn guard_ends_the_session() {
        let table = Arc::new(Table::default());
        let (tx, _rx) = fmpsc::channel(1);
        assert!(table.insert("a".into(), tx.clone(), 1));
        assert!(!table.insert("b".into(), tx, 1), "the table is bounded");
        let (close, closed) = oneshot::channel();
        let guard = SessionGuard {
            table: table.clone(),
            id: "a".into(),
            close: Some(close),
        };
        drop(guard);
        assert_eq!(table.len(), 0);
        assert!(closed.await.is_err());
    }
}
