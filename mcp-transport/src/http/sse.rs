//! Server-Sent Events: the encoding of events and the streaming body that
//! carries them.

use std::collections::VecDeque;
use std::future::Future;
use std::io::Write as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use mcp_types::JsonRpcMessage;
use tokio::sync::mpsc;
use tokio::time::{Instant, Sleep};

use super::event_store::EventId;
use super::stateless::Call;
use super::table::StreamGuard;

/// The comment line sent on quiet streams.
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// A rough size of a message on the wire, to size its buffer once.
pub(crate) fn estimated_len(message: &JsonRpcMessage) -> usize {
    64 + match message {
        JsonRpcMessage::Request(r) => {
            r.method.len() + r.params.as_ref().map_or(0, |p| p.get().len())
        }
        JsonRpcMessage::Notification(n) => {
            n.method.len() + n.params.as_ref().map_or(0, |p| p.get().len())
        }
        JsonRpcMessage::Response(r) => r.result.get().len(),
        JsonRpcMessage::Error(e) => e.error.message.len() + 32,
    }
}

/// The message as JSON bytes.
pub(crate) fn json(message: &JsonRpcMessage) -> Bytes {
    let mut buf = Vec::with_capacity(estimated_len(message));
    // Serializing the envelope cannot fail: every member is valid JSON already.
    let _ = serde_json::to_writer(&mut buf, message);
    Bytes::from(buf)
}

/// One SSE event carrying `message`, with an `id` line when given.
pub(crate) fn event(id: Option<EventId>, message: &JsonRpcMessage) -> Bytes {
    let mut buf = Vec::with_capacity(estimated_len(message) + 32);
    if let Some(id) = id {
        let _ = writeln!(buf, "id: {id}");
    }
    buf.extend_from_slice(b"data: ");
    let _ = serde_json::to_writer(&mut buf, message);
    buf.extend_from_slice(b"\n\n");
    Bytes::from(buf)
}

/// The priming event that opens a resumable stream: an id, the reconnection
/// delay and empty data (which dispatches no message).
pub(crate) fn priming(id: EventId, retry: Duration) -> Bytes {
    Bytes::from(format!(
        "id: {id}\nretry: {}\ndata: \n\n",
        retry.as_millis()
    ))
}

/// Where an SSE body's events come from after its queued ones.
pub(crate) enum Source {
    /// A session stream, fed by the session's router.
    Channel(mpsc::Receiver<Bytes>),
    /// A 2026-07-28 request, read straight from its engine.
    Call(Call),
    /// Nothing more: the stream ends after the queue.
    Done,
}

/// The body of an SSE response.
pub(crate) struct SseBody {
    queue: VecDeque<Bytes>,
    source: Source,
    keep_alive: Option<KeepAlive>,
    _guard: Option<StreamGuard>,
}

/// The comment line of a quiet stream. Its timer is armed only once the
/// stream waits, and is not moved for each event sent: it checks when it fires.
/// A quick answer then never touches the runtime's timer wheel, whose lock the
/// worker threads would otherwise contend for on every request.
struct KeepAlive {
    period: Duration,
    /// When the stream last sent something, once it has waited.
    last_sent: Instant,
    timer: Option<Pin<Box<Sleep>>>,
}

impl KeepAlive {
    /// Ready when `period` has passed since the stream last sent something.
    fn poll_due(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.timer.is_none() {
            // The stream goes quiet now: it has not waited before, so it
            // sent (or opened) just before this poll.
            self.last_sent = Instant::now();
        }
        loop {
            let due = self.last_sent + self.period;
            let timer = self
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(due)));
            if timer.deadline() != due {
                timer.as_mut().reset(due);
            }
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let now = Instant::now();
            if now >= due {
                self.last_sent = now;
                return Poll::Ready(());
            }
        }
    }
}

impl SseBody {
    /// A stream sending `queue` first, then what `source` yields, with a
    /// comment line after each `keep_alive` of silence.
    pub(crate) fn new(
        queue: VecDeque<Bytes>,
        source: Source,
        keep_alive: Option<Duration>,
        guard: Option<StreamGuard>,
    ) -> Self {
        let keep_alive = keep_alive.filter(|d| !d.is_zero()).map(|period| KeepAlive {
            period,
            last_sent: Instant::now(),
            timer: None,
        });
        SseBody {
            queue,
            source,
            keep_alive,
            _guard: guard,
        }
    }

    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if let Some(bytes) = self.queue.pop_front() {
            return Poll::Ready(Some(bytes));
        }
        let polled = match &mut self.source {
            Source::Channel(rx) => rx.poll_recv(cx),
            Source::Call(call) => call.poll_event(cx),
            Source::Done => Poll::Ready(None),
        };
        match polled {
            Poll::Ready(Some(bytes)) => {
                if let Some(ka) = &mut self.keep_alive
                    && ka.timer.is_some()
                {
                    // Only a stream that has waited keeps time.
                    ka.last_sent = Instant::now();
                }
                return Poll::Ready(Some(bytes));
            }
            Poll::Ready(None) => {
                // Dropping a finished call ends its engine's reader.
                self.source = Source::Done;
                self.keep_alive = None;
                return Poll::Ready(None);
            }
            Poll::Pending => {}
        }
        if let Some(ka) = &mut self.keep_alive
            && ka.poll_due(cx).is_ready()
        {
            return Poll::Ready(Some(Bytes::from_static(KEEP_ALIVE)));
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_events() {
        let m = JsonRpcMessage::from_slice(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#).unwrap();
        assert_eq!(
            &event(None, &m)[..],
            b"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n"
        );
        let id = EventId { stream: 2, seq: 5 };
        assert!(event(Some(id), &m).starts_with(b"id: 2-5\ndata: {"));
        assert_eq!(
            &priming(EventId { stream: 2, seq: 0 }, Duration::from_millis(500))[..],
            b"id: 2-0\nretry: 500\ndata: \n\n"
        );
        assert_eq!(&json(&m)[..], br#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
    }
}
