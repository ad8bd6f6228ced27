//! The stateless era (2026-07-28): every `POST` is one request served by its
//! own engine, after its headers are checked against its body.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, Waker, ready};

use bytes::Bytes;
use futures::channel::mpsc as fmpsc;
use futures::{Stream, StreamExt};
use http::StatusCode;
use http::request::Parts;
use mcp_types::{
    ErrorCode, ErrorObject, JsonRpcMessage, JsonRpcNotification, ProtocolVersion, RequestId,
};

use super::config::StreamableHttpConfig;
use super::guard::Accept;
use super::handler::{Answer, SessionHandler};
use super::headers::{MCP_METHOD, MCP_NAME, decode_header_value, single, trim_ows};
use super::peek::Peek;
use super::response::{self, HttpResponse};
use super::service::Inner;
use super::session::{protocol_header, unsupported_version_error};
use super::session_transport::SessionTransport;
use super::sse::{self, Source, SseBody};
use crate::{Inbound, Outbound};

fn mismatch(message: impl Into<String>) -> ErrorObject {
    ErrorObject::new(ErrorCode::HEADER_MISMATCH, message)
}

/// Checks the headers against the body, in the order the specification
/// implies: protocol version header against `_meta`, version support,
/// `Mcp-Method`, `Mcp-Name`, then the user's validator.
fn validate(
    config: &StreamableHttpConfig,
    parts: &Parts,
    message: &JsonRpcMessage,
) -> Result<(), ErrorObject> {
    let header = protocol_header(parts);
    let peek = Peek::of(message);
    if peek.has_protocol_version {
        match (header, peek.protocol_version.as_deref()) {
            (Some(h), Some(m)) if h == m => {}
            (None, _) => {
                return Err(mismatch(
                    "Header mismatch: the MCP-Protocol-Version header is required",
                ));
            }
            (Some(h), m) => {
                return Err(mismatch(format!(
                    "Header mismatch: MCP-Protocol-Version header `{h}` does not match _meta protocolVersion {}",
                    m.map_or_else(|| "(not a string)".to_owned(), |m| format!("`{m}`"))
                )));
            }
        }
    }
    let requested = header.or(peek.protocol_version.as_deref()).unwrap_or("");
    if !ProtocolVersion::parse(requested).is_some_and(|v| v.is_stateless() && config.supports(v)) {
        let supported = config.versions.iter().copied().filter(|v| v.is_stateless());
        return Err(unsupported_version_error(supported, requested));
    }
    let JsonRpcMessage::Request(request) = message else {
        return Ok(());
    };
    match single(&parts.headers, &MCP_METHOD) {
        Ok(Some(v)) if trim_ows(v) == request.method.as_bytes() => {}
        Ok(Some(v)) => {
            return Err(mismatch(format!(
                "Header mismatch: Mcp-Method header `{}` does not match body method `{}`",
                String::from_utf8_lossy(v),
                request.method
            )));
        }
        Ok(None) => {
            return Err(mismatch(
                "Header mismatch: the Mcp-Method header is required",
            ));
        }
        Err(()) => {
            return Err(mismatch(
                "Header mismatch: Mcp-Method appears more than once",
            ));
        }
    }
    let expected = match request.method.as_str() {
        "tools/call" | "prompts/get" => peek.name.as_deref(),
        "resources/read" => peek.uri.as_deref(),
        // The tasks extension (SEP-2663) routes its methods by task id.
        "tasks/get" | "tasks/update" | "tasks/cancel" => peek.task_id.as_deref(),
        _ => None,
    };
    if let Some(expected) = expected {
        match single(&parts.headers, &MCP_NAME) {
            Ok(Some(v)) => match decode_header_value(v) {
                Ok(name) if name == expected => {}
                Ok(name) => {
                    return Err(mismatch(format!(
                        "Header mismatch: Mcp-Name header value '{name}' does not match body value '{expected}'"
                    )));
                }
                Err(e) => return Err(mismatch(format!("Header mismatch: Mcp-Name: {e}"))),
            },
            Ok(None) => {
                return Err(mismatch(format!(
                    "Header mismatch: the Mcp-Name header is required for {}",
                    request.method
                )));
            }
            Err(()) => return Err(mismatch("Header mismatch: Mcp-Name appears more than once")),
        }
    }
    if let Some(check) = &config.header_validator {
        check(parts, request)?;
    }
    Ok(())
}

/// What a request's answer said next.
enum Next {
    /// The response (or error) to the request.
    Final(JsonRpcMessage),
    /// A notification about it.
    Notification(JsonRpcMessage),
}

/// One 2026-07-28 request in flight: the handler's [`Answer`] to it.
///
/// The answer is polled inside the call, on the task that serves the HTTP
/// connection, so a request costs no task switch. Dropped before the request
/// was answered (the client closed the response), the call drops the answer,
/// which cancels the request.
///
/// The `Mutex` is never locked (the answer is reached with `get_mut`); it only
/// makes the response body `Sync` without `unsafe`.
pub(crate) struct Call {
    id: RequestId,
    answer: Mutex<Answer>,
    finished: bool,
}

impl Call {
    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Next>> {
        if self.finished {
            return Poll::Ready(None);
        }
        let answer = self
            .answer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            let Some(message) = ready!(answer.as_mut().poll_next(cx)) else {
                tracing::warn!(id = %self.id, "the handler ended without answering the request");
                self.finished = true;
                return Poll::Ready(None);
            };
            match message {
                JsonRpcMessage::Request(r) => {
                    tracing::warn!(
                        method = %r.method,
                        "dropping a server-to-client request: 2026-07-28 streams carry none (use input requests)"
                    );
                }
                _ if answers(&message, &self.id) => {
                    self.finished = true;
                    return Poll::Ready(Some(Next::Final(message)));
                }
                JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_) => {
                    tracing::warn!(id = %self.id, "dropping a response to another request");
                }
                JsonRpcMessage::Notification(_) => {
                    return Poll::Ready(Some(Next::Notification(message)));
                }
            }
        }
    }

    /// The next SSE event of the stream; `None` after the response.
    pub(crate) fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        self.poll_message(cx).map(|next| {
            next.map(|n| match n {
                Next::Final(m) | Next::Notification(m) => sse::event(None, &m),
            })
        })
    }
}

/// Whether `message` is the response (or error) to the request `id`.
fn answers(message: &JsonRpcMessage, id: &RequestId) -> bool {
    match message {
        JsonRpcMessage::Response(r) => r.id == *id,
        JsonRpcMessage::Error(e) => e.id.as_ref() == Some(id),
        _ => false,
    }
}

/// The engine of one message, polled by whoever reads its answer.
type Engine = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The answer of a handler that does not answer messages itself (the default
/// of [`SessionHandler::answer`]): its engine, serving a transport that
/// carries only this message, and the channels to it.
///
/// The engine runs inside `poll_next`. Once the request is answered the
/// engine's input ends and, if it does not stop at once, it is left to finish
/// on a task of its own. Dropped before that, it cancels the request: the
/// engine gets `notifications/cancelled`, then the end of its input, and goes
/// on alone until it stops.
struct EngineAnswer {
    id: RequestId,
    inbound: Option<fmpsc::Sender<Inbound>>,
    outbound: fmpsc::Receiver<Outbound>,
    engine: Option<Engine>,
    finished: bool,
}

impl EngineAnswer {
    /// Lets go of the engine: it is polled once more (its input may just have
    /// ended) and, unless that ends it, spawned.
    fn release_engine(&mut self) {
        if let Some(engine) = self.engine.take() {
            run_detached(engine);
        }
    }

    fn finish(&mut self) {
        self.finished = true;
        // The engine's input ends: it stops once it has nothing in flight.
        self.inbound = None;
        self.release_engine();
    }
}

impl Stream for EngineAnswer {
    type Item = JsonRpcMessage;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<JsonRpcMessage>> {
        let this = &mut *self;
        if this.finished {
            return Poll::Ready(None);
        }
        if let Some(engine) = &mut this.engine
            && engine.as_mut().poll(cx).is_ready()
        {
            this.engine = None;
        }
        let Some(out) = ready!(this.outbound.poll_next_unpin(cx)) else {
            this.finish();
            return Poll::Ready(None);
        };
        if answers(&out.message, &this.id) {
            this.finish();
        }
        Poll::Ready(Some(out.message))
    }
}

impl Drop for EngineAnswer {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Some(mut inbound) = self.inbound.take() {
            tracing::debug!(id = %self.id, "the client left: cancelling the request");
            let params = serde_json::json!({
                "requestId": self.id,
                "reason": "the client closed the HTTP response",
            });
            if let Ok(n) = JsonRpcNotification::new("notifications/cancelled", &params) {
                let _ = inbound.try_send(Inbound::from(JsonRpcMessage::Notification(n)));
            }
        }
        self.release_engine();
    }
}

/// Polls `future` once and, unless that ends it, spawns it.
fn run_detached(mut future: Pin<Box<dyn Future<Output = ()> + Send>>) {
    let mut cx = Context::from_waker(Waker::noop());
    if future.as_mut().poll(&mut cx).is_pending() {
        tokio::spawn(future);
    }
}

/// `POST` of 2026-07-28.
pub(crate) async fn post<H: SessionHandler>(
    inner: &Inner<H>,
    parts: Parts,
    message: JsonRpcMessage,
    accept: Accept,
) -> HttpResponse {
    let id = match &message {
        JsonRpcMessage::Request(r) => Some(r.id.clone()),
        JsonRpcMessage::Notification(_) => None,
        JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_) => {
            return response::error_msg(
                StatusCode::BAD_REQUEST,
                message.id().cloned(),
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: 2026-07-28 clients send only requests and notifications",
            );
        }
    };
    if let Err(e) = validate(&inner.config, &parts, &message) {
        return response::error(StatusCode::BAD_REQUEST, message.id().cloned(), e);
    }
    let mut extensions = http::Extensions::new();
    extensions.insert(parts);
    let inbound = Inbound {
        message,
        extensions,
    };
    let answer = match inner.handler.answer(inbound) {
        Ok(answer) => answer,
        Err(inbound) => engine_answer(inner, inbound, id.clone()),
    };
    let Some(id) = id else {
        // A notification: nothing to send back but 202.
        run_detached(Box::pin(answer.for_each(|_| std::future::ready(()))));
        return response::status(StatusCode::ACCEPTED);
    };
    let mut call = Call {
        id,
        answer: Mutex::new(answer),
        finished: false,
    };
    let stream_ok = accept.sse && !inner.config.json_response;
    loop {
        match poll_fn(|cx| call.poll_message(cx)).await {
            None => {
                return response::error_msg(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Some(call.id.clone()),
                    ErrorCode::INTERNAL_ERROR,
                    "Internal error: the request was not answered",
                );
            }
            Some(Next::Final(m)) if accept.json => {
                return response::json(response::stateless_status(&m), sse::json(&m));
            }
            Some(Next::Final(m)) => {
                let events = VecDeque::from([sse::event(None, &m)]);
                return response::sse(SseBody::new(events, Source::Done, None, None));
            }
            Some(Next::Notification(_)) if !stream_ok => {}
            Some(Next::Notification(m)) => {
                let events = VecDeque::from([sse::event(None, &m)]);
                return response::sse(SseBody::new(
                    events,
                    Source::Call(call),
                    inner.config.keep_alive,
                    None,
                ));
            }
        }
    }
}

/// Serves `inbound` with the handler's own engine, on a transport that carries
/// only this message.
fn engine_answer<H: SessionHandler>(
    inner: &Inner<H>,
    inbound: Inbound,
    id: Option<RequestId>,
) -> Answer {
    let (transport, mut end) =
        SessionTransport::channel(inner.config.channel_capacity, None, false);
    let engine: Engine = Box::pin(inner.handler.serve(transport));
    // The channel is new: it has room.
    let _ = end.inbound.try_send(inbound);
    let Some(id) = id else {
        // The engine reads the notification, then the end of its input.
        drop(end);
        run_detached(engine);
        return Box::pin(futures::stream::empty());
    };
    Box::pin(EngineAnswer {
        id,
        inbound: Some(end.inbound),
        outbound: end.outbound,
        engine: Some(engine),
        finished: false,
    })
}
