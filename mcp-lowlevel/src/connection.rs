//! The connection engine: reads a transport, runs a service for each incoming
//! request and notification, writes what comes back, and routes answers to
//! the requests we sent.
//!
//! One task drives everything: handler futures are polled in a
//! `FuturesUnordered` beside the reader and the writer, so a request costs no
//! task spawn and no thread hop. A handler that blocks the thread should move
//! its work to `tokio::task::spawn_blocking`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::panic::AssertUnwindSafe;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};
use mcp_transport::{Inbound, Outbound, Transport, TransportError};
use mcp_types::{
    CancelledNotificationParams, ErrorCode, ErrorObject, JsonRpcErrorResponse, JsonRpcMessage,
    JsonRpcNotification, ProgressNotificationParams, RequestId,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::peer::{Peer, PeerConfig};
use crate::service::{Incoming, IncomingMessage, McpService, error_response};

/// Limits of one connection.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// The peer handle's limits (timeouts, pending requests, outgoing queue).
    pub peer: PeerConfig,
    /// How many incoming requests may be handled at once; beyond it a request
    /// is answered at once with an error.
    pub max_in_flight: usize,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            peer: PeerConfig::default(),
            max_in_flight: 1024,
        }
    }
}

/// How many ready events are handled before the writer is flushed.
const FLUSH_BUDGET: usize = 64;

type InFlight = BoxFuture<'static, (Option<RequestId>, Option<JsonRpcMessage>)>;

/// A connection being set up: its peer handle exists before it runs, so a
/// client can start sending as soon as the engine is spawned.
#[derive(Debug)]
pub struct Connection {
    peer: Peer,
    outbound: mpsc::Receiver<Box<Outbound>>,
    config: ConnectionConfig,
}

impl Connection {
    /// A connection with the given limits.
    pub fn new(config: ConnectionConfig) -> Self {
        let (peer, outbound) = Peer::new(config.peer.clone());
        Connection {
            peer,
            outbound,
            config,
        }
    }

    /// The handle for sending to the other side.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// Runs the connection until the transport ends, then finishes the
    /// requests in flight, flushes their answers and closes the transport.
    pub async fn run<T, S>(self, transport: T, service: S) -> Result<(), TransportError>
    where
        T: Transport,
        S: McpService,
    {
        let (reader, writer) = transport.split();
        let mut engine = Engine {
            peer: self.peer,
            outbound: self.outbound,
            writer,
            service,
            in_flight: FuturesUnordered::new(),
            tokens: HashMap::new(),
            max_in_flight: self.config.max_in_flight,
        };
        let result = engine.drive(reader).await;
        engine.peer.close(match &result {
            Ok(()) => "the peer closed the connection",
            Err(_) => "the transport failed",
        });
        let closed = engine.writer.close().await;
        result.and(closed)
    }
}

struct Engine<W, S> {
    peer: Peer,
    outbound: mpsc::Receiver<Box<Outbound>>,
    writer: W,
    service: S,
    in_flight: FuturesUnordered<InFlight>,
    tokens: HashMap<RequestId, CancellationToken>,
    max_in_flight: usize,
}

enum Event {
    Inbound(Option<Result<Inbound, TransportError>>),
    Done(Option<RequestId>, Option<JsonRpcMessage>),
    Outbound(Box<Outbound>),
}

impl<W, S> Engine<W, S>
where
    W: futures::Sink<Outbound, Error = TransportError> + Unpin,
    S: McpService,
{
    async fn drive<R>(&mut self, mut reader: R) -> Result<(), TransportError>
    where
        R: futures::Stream<Item = Result<Inbound, TransportError>> + Unpin,
    {
        let mut reading = true;
        loop {
            let event = match self.next_event(&mut reader, reading).await {
                Some(e) => e,
                None => break,
            };
            reading &= self.handle(event).await?;
            for _ in 0..FLUSH_BUDGET {
                match self.next_event(&mut reader, reading).now_or_never() {
                    Some(Some(e)) => reading &= self.handle(e).await?,
                    _ => break,
                }
            }
            self.writer.flush().await?;
            if !reading && self.in_flight.is_empty() {
                // Nothing more can arrive that needs an answer; what handlers
                // queued before finishing is already written.
                while let Ok(out) = self.outbound.try_recv() {
                    self.writer.feed(*out).await?;
                }
                self.writer.flush().await?;
                break;
            }
        }
        Ok(())
    }

    async fn next_event<R>(&mut self, reader: &mut R, reading: bool) -> Option<Event>
    where
        R: futures::Stream<Item = Result<Inbound, TransportError>> + Unpin,
    {
        tokio::select! {
            biased;
            Some(out) = self.outbound.recv() => Some(Event::Outbound(out)),
            Some((id, reply)) = self.in_flight.next(), if !self.in_flight.is_empty() => {
                Some(Event::Done(id, reply))
            }
            item = reader.next(), if reading => Some(Event::Inbound(item)),
            else => None,
        }
    }

    /// Handles one event; `Ok(false)` when the reader has ended.
    async fn handle(&mut self, event: Event) -> Result<bool, TransportError> {
        match event {
            Event::Outbound(out) => self.writer.feed(*out).await?,
            Event::Done(id, reply) => {
                if let Some(id) = &id {
                    self.tokens.remove(id);
                }
                // Messages the handler queued before it finished go first.
                while let Ok(out) = self.outbound.try_recv() {
                    self.writer.feed(*out).await?;
                }
                if let Some(message) = reply {
                    self.writer
                        .feed(Outbound {
                            message,
                            related_request: id,
                        })
                        .await?;
                }
            }
            Event::Inbound(None) => {
                // The peer is gone: nobody will answer our requests.
                self.peer.close("the peer closed the connection");
                return Ok(false);
            }
            Event::Inbound(Some(Err(e))) if e.is_recoverable() => {
                tracing::debug!(error = %e, "bad input from the peer");
                let response = match &e {
                    TransportError::Parse(p) => p.to_response(),
                    other => JsonRpcErrorResponse {
                        id: None,
                        error: ErrorObject::new(ErrorCode::INVALID_REQUEST, other.to_string()),
                    },
                };
                self.writer
                    .feed(JsonRpcMessage::Error(response).into())
                    .await?;
            }
            Event::Inbound(Some(Err(e))) => {
                tracing::debug!(error = %e, "transport failed");
                self.peer.close(e.to_string());
                return Err(e);
            }
            Event::Inbound(Some(Ok(inbound))) => self.dispatch(inbound).await?,
        }
        Ok(true)
    }

    async fn dispatch(&mut self, inbound: Inbound) -> Result<(), TransportError> {
        let Inbound {
            message,
            extensions,
        } = inbound;
        match message {
            JsonRpcMessage::Response(r) => {
                if !self.peer.resolve(&r.id, Ok(r.result)) {
                    tracing::debug!(id = %r.id, "response to no pending request");
                }
            }
            JsonRpcMessage::Error(e) => match &e.id {
                Some(id) => {
                    if !self.peer.resolve(id, Err(e.error.clone())) {
                        tracing::debug!(%id, "error response to no pending request");
                    }
                }
                None => tracing::debug!(error = %e.error, "peer reported an error"),
            },
            JsonRpcMessage::Notification(n) => {
                self.engine_notification(&n);
                let incoming = Incoming {
                    message: IncomingMessage::Notification(n),
                    peer: self.peer.clone(),
                    cancellation: CancellationToken::new(),
                    extensions,
                };
                let handled = handle_notification(self.service.clone(), incoming);
                self.in_flight.push(Box::pin(async move {
                    handled.await;
                    (None, None)
                }));
            }
            JsonRpcMessage::Request(r) => {
                let full = self.in_flight.len() >= self.max_in_flight;
                let slot = match self.tokens.entry(r.id.clone()) {
                    Entry::Vacant(slot) if !full => slot,
                    taken => {
                        let message = if matches!(taken, Entry::Occupied(_)) {
                            format!("a request with id {} is already in flight", r.id)
                        } else {
                            format!("too many requests in flight (limit {})", self.max_in_flight)
                        };
                        let error = ErrorObject::new(ErrorCode::INVALID_REQUEST, message);
                        self.writer.feed(error_response(r.id, error).into()).await?;
                        return Ok(());
                    }
                };
                let id = r.id.clone();
                let token = slot.insert(CancellationToken::new()).clone();
                let incoming = Incoming {
                    peer: self.peer.related_to(id.clone()),
                    message: IncomingMessage::Request(r),
                    cancellation: token.clone(),
                    extensions,
                };
                let reply = answer_request(self.service.clone(), incoming, id.clone(), token);
                self.in_flight
                    .push(Box::pin(async move { (Some(id), reply.await) }));
            }
        }
        Ok(())
    }

    /// What the engine itself does with a notification: cancellation and
    /// progress routing. The service still sees every notification.
    fn engine_notification(&mut self, n: &JsonRpcNotification) {
        match n.method.as_str() {
            "notifications/cancelled" => {
                if let Ok(p) = n.params_as::<CancelledNotificationParams>()
                    && let Some(id) = p.request_id
                    && let Some(token) = self.tokens.get(&id)
                {
                    tracing::debug!(%id, "request cancelled by the peer");
                    token.cancel();
                }
            }
            "notifications/progress" => {
                if let Ok(p) = n.params_as::<ProgressNotificationParams>() {
                    self.peer.route_progress(p);
                }
            }
            _ => {}
        }
    }
}

/// Runs a request through `service` and makes its answer: the handler's
/// response, an error for a failed service or a panicking handler, or `None`
/// once `cancellation` fires (the handler's future is dropped then).
pub(crate) async fn answer_request<S: McpService>(
    service: S,
    incoming: Incoming,
    id: RequestId,
    cancellation: CancellationToken,
) -> Option<JsonRpcMessage> {
    let guarded = AssertUnwindSafe(service.oneshot(incoming)).catch_unwind();
    tokio::select! {
        biased;
        _ = cancellation.cancelled() => None,
        outcome = guarded => match outcome {
            Ok(Ok(reply)) => reply,
            Ok(Err(e)) => Some(crate::service::service_error(id, e.into())),
            Err(panic) => {
                tracing::error!(panic = ?panic_message(&panic), "request handler panicked");
                Some(error_response(
                    id,
                    ErrorObject::new(
                        ErrorCode::INTERNAL_ERROR,
                        "Internal error: the request handler panicked",
                    ),
                ))
            }
        },
    }
}

/// Runs a notification through `service`; a panicking handler is logged.
pub(crate) async fn handle_notification<S: McpService>(service: S, incoming: Incoming) {
    if let Err(e) = AssertUnwindSafe(service.oneshot(incoming))
        .catch_unwind()
        .await
    {
        tracing::error!(panic = ?panic_message(&e), "notification handler panicked");
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".to_owned())
}

/// Runs `service` on `transport` until the peer goes away: the one-line way to
/// serve a connection.
pub async fn serve<T, S>(transport: T, service: S) -> Result<(), TransportError>
where
    T: Transport,
    S: McpService,
{
    Connection::new(ConnectionConfig::default())
        .run(transport, service)
        .await
}
