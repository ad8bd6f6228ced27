//! The router of one session: a task that owns the session's streams and puts
//! every message the engine sends on the right one, recording events for
//! resumption on the way.
//!
//! HTTP handlers talk to it through [`Control`] messages; it reads them before
//! the engine's messages, so a stream is always registered before the engine
//! can answer on it. Owning all routing state in one task means no lock is
//! taken per message.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::channel::mpsc as fmpsc;
use mcp_types::{JsonRpcMessage, ProtocolVersion, RequestId};
use tokio::sync::{mpsc, oneshot};

use super::event_store::{EventId, EventLog, STANDALONE_STREAM};
use super::sse;
use super::table::{SessionHandle, SessionTable};
use crate::{Inbound, Outbound};

/// How long a closed session's engine may take to finish what it is doing.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

/// A request from an HTTP handler to the router.
pub(crate) enum Control {
    /// Open a response stream for the requests of a `POST` and hand its
    /// messages to the engine.
    Open(OpenStream, oneshot::Sender<Opened>),
    /// Attach a `GET` connection as the standalone stream; the reply is `false`
    /// when one is attached already.
    Standalone {
        conn: mpsc::Sender<Bytes>,
        prime: bool,
        reply: oneshot::Sender<bool>,
    },
    /// The client cancelled this request (`notifications/cancelled`): no
    /// response will come, so its stream stops waiting for one.
    Cancelled(RequestId),
    /// Resume a stream after an event (`GET` with `Last-Event-ID`); the reply
    /// is `None` when the stream never existed.
    Resume {
        after: EventId,
        reply: oneshot::Sender<Option<Resumed>>,
    },
}

/// A `POST` response stream to open.
pub(crate) struct OpenStream {
    /// The `POST`'s messages; its requests are answered on the stream.
    pub(crate) messages: Vec<Inbound>,
    /// Where its messages go.
    pub(crate) conn: Conn,
    /// Whether it starts with a priming event.
    pub(crate) prime: bool,
    /// Whether it carries the `initialize` request.
    pub(crate) initialize: bool,
}

/// The connection of a `POST` response.
pub(crate) enum Conn {
    /// An SSE stream.
    Sse(mpsc::Sender<Bytes>),
    /// One JSON body: the response, or an array of them for a batch.
    Json {
        reply: oneshot::Sender<Bytes>,
        batch: bool,
    },
}

/// The router's reply to [`Control::Open`].
pub(crate) enum Opened {
    /// The stream is open and the engine has the messages. The router hands
    /// them over itself, in the same task as the engine: one wake-up less per
    /// request than a reply the handler would act on.
    Forwarded,
    /// The stream is open, but the engine's queue was full: these messages
    /// are the handler's to send (the router never waits on the engine).
    Unsent(Vec<Inbound>),
    /// A request with this id is already in flight: nothing was opened.
    Duplicate(RequestId),
}

/// What a resumed stream sends: the events it missed, then (while it is live)
/// what comes next.
pub(crate) struct Resumed {
    pub(crate) replay: Vec<Bytes>,
    pub(crate) live: Option<mpsc::Receiver<Bytes>>,
}

enum StreamConn {
    /// `None` once the client is gone (or was sent away after priming); the
    /// request goes on and its events are recorded for replay.
    Sse(Option<mpsc::Sender<Bytes>>),
    Json {
        reply: Option<oneshot::Sender<Bytes>>,
        batch: bool,
        answers: Vec<JsonRpcMessage>,
    },
}

struct Stream {
    conn: StreamConn,
    /// Requests of the stream not answered yet.
    pending: usize,
    /// The last event number used on the stream.
    seq: u64,
    initialize: bool,
}

/// The settings the router needs.
pub(crate) struct RouterConfig {
    pub(crate) retry: Duration,
    pub(crate) capacity: usize,
    pub(crate) sse_polling: bool,
}

/// The task routing one session's messages.
pub(crate) struct Router {
    session: Arc<SessionHandle>,
    table: Weak<SessionTable>,
    outbound: fmpsc::Receiver<Outbound>,
    control: fmpsc::Receiver<Control>,
    /// To the engine, for the messages of the streams it opens (its own
    /// sender: `try_send` needs one it can borrow mutably).
    inbound: fmpsc::Sender<Inbound>,
    /// Dropping it ends the engine's reader.
    close: Option<oneshot::Sender<()>>,
    log: Option<Box<dyn EventLog>>,
    config: RouterConfig,
    requests: HashMap<RequestId, u64>,
    streams: HashMap<u64, Stream>,
    next_stream: u64,
    standalone: Option<mpsc::Sender<Bytes>>,
    standalone_seq: u64,
    standalone_opened: bool,
}

impl Router {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        session: Arc<SessionHandle>,
        table: Weak<SessionTable>,
        outbound: fmpsc::Receiver<Outbound>,
        control: fmpsc::Receiver<Control>,
        close: Option<oneshot::Sender<()>>,
        log: Option<Box<dyn EventLog>>,
        config: RouterConfig,
    ) -> Self {
        Router {
            inbound: session.inbound.clone(),
            session,
            table,
            outbound,
            control,
            close,
            log,
            config,
            requests: HashMap::new(),
            streams: HashMap::new(),
            next_stream: STANDALONE_STREAM + 1,
            standalone: None,
            standalone_seq: 0,
            standalone_opened: false,
        }
    }

    /// Routes until the engine stops sending (or, once the session is closed,
    /// until the grace period ends), then removes the session.
    pub(crate) async fn run(mut self) {
        let deadline = tokio::time::sleep(Duration::from_secs(u32::MAX.into()));
        tokio::pin!(deadline);
        let mut closing = false;
        loop {
            tokio::select! {
                biased;
                () = self.session.closing(), if !closing => {
                    closing = true;
                    self.close = None;
                    deadline.as_mut().reset(tokio::time::Instant::now() + CLOSE_GRACE);
                }
                Some(control) = self.control.next() => self.on_control(control).await,
                out = self.outbound.next() => match out {
                    Some(out) => self.route(out).await,
                    None => break,
                },
                () = &mut deadline, if closing => break,
            }
        }
        tracing::debug!(session = %self.session.id, "session ended");
        match self.table.upgrade() {
            Some(table) => table.remove(&self.session),
            None => self.session.close(),
        }
    }

    async fn on_control(&mut self, control: Control) {
        match control {
            Control::Open(open, reply) => {
                let opened = self.open(open);
                let _ = reply.send(opened);
            }
            Control::Standalone { conn, prime, reply } => {
                if self.standalone.as_ref().is_some_and(|c| !c.is_closed()) {
                    let _ = reply.send(false);
                    return;
                }
                if prime && self.log.is_some() {
                    let id = EventId {
                        stream: STANDALONE_STREAM,
                        seq: self.standalone_seq,
                    };
                    let _ = conn.try_send(sse::priming(id, self.config.retry));
                }
                self.standalone = Some(conn);
                self.standalone_opened = true;
                let _ = reply.send(true);
            }
            Control::Resume { after, reply } => {
                let resumed = self.resume(after).await;
                let _ = reply.send(resumed);
            }
            Control::Cancelled(id) => self.cancelled(&id),
        }
    }

    /// Forgets a cancelled request; its stream ends once nothing else on it
    /// awaits an answer. A response the engine sent before it saw the
    /// cancellation has been routed already; one that comes after is dropped.
    fn cancelled(&mut self, id: &RequestId) {
        let Some(stream_id) = self.requests.remove(id) else {
            return;
        };
        tracing::debug!(session = %self.session.id, %id, "request cancelled by the client");
        let Some(stream) = self.streams.get_mut(&stream_id) else {
            return;
        };
        stream.pending -= 1;
        if stream.pending == 0 {
            self.finish_stream(stream_id);
        }
    }

    /// Ends a stream none of whose requests awaits an answer any more: an SSE
    /// stream's body ends as its sender is dropped; a JSON one gets its body.
    fn finish_stream(&mut self, stream_id: u64) {
        if let Some(done) = self.streams.remove(&stream_id)
            && let StreamConn::Json {
                reply: Some(reply),
                batch,
                answers,
            } = done.conn
        {
            let _ = reply.send(json_body(batch, &answers));
        }
    }

    fn open(&mut self, open: OpenStream) -> Opened {
        let requests = || {
            open.messages.iter().filter_map(|m| match &m.message {
                JsonRpcMessage::Request(r) => Some(&r.id),
                _ => None,
            })
        };
        if let Some(dup) = requests().find(|id| self.requests.contains_key(*id)) {
            return Opened::Duplicate(dup.clone());
        }
        let stream = self.next_stream;
        self.next_stream += 1;
        let conn = match open.conn {
            Conn::Sse(tx) => {
                let mut conn = Some(tx);
                if open.prime && self.log.is_some() {
                    let id = EventId { stream, seq: 0 };
                    if let Some(tx) = &conn {
                        let _ = tx.try_send(sse::priming(id, self.config.retry));
                    }
                    if self.config.sse_polling {
                        // The client reconnects with `GET` + `Last-Event-ID`.
                        conn = None;
                    }
                }
                StreamConn::Sse(conn)
            }
            Conn::Json { reply, batch } => StreamConn::Json {
                reply: Some(reply),
                batch,
                answers: Vec::new(),
            },
        };
        let mut pending = 0;
        for id in requests() {
            self.requests.insert(id.clone(), stream);
            pending += 1;
        }
        self.streams.insert(
            stream,
            Stream {
                conn,
                pending,
                seq: 0,
                initialize: open.initialize,
            },
        );
        self.forward(open.messages)
    }

    /// Hands a stream's messages to the engine without waiting: what does
    /// not fit in its queue goes back to the handler.
    fn forward(&mut self, messages: Vec<Inbound>) -> Opened {
        let mut messages = messages.into_iter();
        while let Some(message) = messages.next() {
            if let Err(e) = self.inbound.try_send(message) {
                let mut unsent = vec![e.into_inner()];
                unsent.extend(messages);
                return Opened::Unsent(unsent);
            }
        }
        Opened::Forwarded
    }

    async fn resume(&mut self, after: EventId) -> Option<Resumed> {
        let log = self.log.as_mut()?;
        if after.stream >= self.next_stream {
            return None;
        }
        let replay = log.replay_after(after).await;
        let live = if after.stream == STANDALONE_STREAM {
            let (tx, rx) = mpsc::channel(self.config.capacity);
            // A resuming client replaces the connection it lost.
            self.standalone = Some(tx);
            self.standalone_opened = true;
            Some(rx)
        } else if let Some(Stream {
            conn: StreamConn::Sse(conn),
            ..
        }) = self.streams.get_mut(&after.stream)
        {
            let (tx, rx) = mpsc::channel(self.config.capacity);
            *conn = Some(tx);
            Some(rx)
        } else {
            // The stream is over: the replay is all there is.
            None
        };
        Some(Resumed { replay, live })
    }

    async fn route(&mut self, out: Outbound) {
        let Outbound {
            message,
            related_request,
        } = out;
        let answered = match &message {
            JsonRpcMessage::Response(r) => Some(&r.id),
            JsonRpcMessage::Error(e) => e.id.as_ref(),
            _ => None,
        }
        .and_then(|id| self.requests.remove_entry(id));
        let is_final = answered.is_some();
        let stream_id = match answered {
            Some((_, stream)) => Some(stream),
            None => related_request
                .as_ref()
                .and_then(|id| self.requests.get(id).copied()),
        };
        let Some((stream_id, stream)) =
            stream_id.and_then(|id| self.streams.get_mut(&id).map(|s| (id, s)))
        else {
            if let JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_) = message {
                // The GET stream carries no responses, and no stream awaits this one.
                tracing::debug!(
                    session = %self.session.id,
                    id = ?message.id(),
                    "response to no open request dropped"
                );
                return;
            }
            return self.send_standalone(message).await;
        };
        if is_final {
            stream.pending -= 1;
            if stream.initialize {
                record_initialize(&self.session, &message);
            }
        }
        let mut rerouted = None;
        match &mut stream.conn {
            StreamConn::Json { answers, .. } => {
                if is_final {
                    answers.push(message);
                } else if matches!(message, JsonRpcMessage::Request(_)) {
                    // A JSON answer cannot carry it: the client hears it on `GET`.
                    rerouted = Some(message);
                }
            }
            StreamConn::Sse(conn) => {
                if conn.is_none() && self.log.is_none() {
                    if matches!(message, JsonRpcMessage::Request(_)) {
                        rerouted = Some(message);
                    }
                } else {
                    stream.seq += 1;
                    let id = self.log.as_ref().map(|_| EventId {
                        stream: stream_id,
                        seq: stream.seq,
                    });
                    let bytes = sse::event(id, &message);
                    if let (Some(log), Some(id)) = (self.log.as_mut(), id) {
                        log.append(id, bytes.clone());
                    }
                    if let Some(tx) = conn
                        && tx.send(bytes).await.is_err()
                    {
                        *conn = None;
                    }
                }
            }
        }
        if stream.pending == 0 {
            self.finish_stream(stream_id);
        }
        if let Some(message) = rerouted {
            self.send_standalone(message).await;
        }
    }

    async fn send_standalone(&mut self, message: JsonRpcMessage) {
        let live = self.standalone.as_ref().is_some_and(|c| !c.is_closed());
        if !(live || self.standalone_opened && self.log.is_some()) {
            tracing::debug!(
                session = %self.session.id,
                method = message.method().unwrap_or(""),
                "no GET stream is open: message dropped"
            );
            return;
        }
        self.standalone_seq += 1;
        let id = self.log.as_ref().map(|_| EventId {
            stream: STANDALONE_STREAM,
            seq: self.standalone_seq,
        });
        let bytes = sse::event(id, &message);
        if let (Some(log), Some(id)) = (self.log.as_mut(), id) {
            log.append(id, bytes.clone());
        }
        if let Some(tx) = &self.standalone
            && tx.send(bytes).await.is_err()
        {
            self.standalone = None;
        }
    }
}

/// The JSON body of a finished stream: the answer, or an array of them for a
/// batch; empty when every request on it was cancelled.
fn json_body(batch: bool, answers: &[JsonRpcMessage]) -> Bytes {
    if answers.is_empty() {
        Bytes::new()
    } else if batch {
        Bytes::from(serde_json::to_vec(answers).unwrap_or_default())
    } else {
        sse::json(&answers[0])
    }
}

/// Reads the negotiated version from the initialize answer; a failed
/// initialize ends the session.
fn record_initialize(session: &SessionHandle, message: &JsonRpcMessage) {
    #[derive(serde::Deserialize)]
    struct InitializeResult<'a> {
        #[serde(rename = "protocolVersion", borrow)]
        protocol_version: Cow<'a, str>,
    }
    match message {
        JsonRpcMessage::Response(r) => {
            match serde_json::from_str::<InitializeResult<'_>>(r.result.get())
                .ok()
                .and_then(|r| ProtocolVersion::parse(&r.protocol_version))
            {
                Some(version) => session.set_version(version),
                None => tracing::warn!(
                    session = %session.id,
                    "the initialize result has no known protocolVersion"
                ),
            }
        }
        _ => {
            tracing::debug!(session = %session.id, "initialize failed: closing the session");
            session.close();
        }
    }
}
