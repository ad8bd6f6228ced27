//! The session era (2025-03-26 to 2025-11-25): `POST` of messages and batches,
//! the `GET` stream and its resumption, `DELETE`.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::SinkExt;
use futures::channel::mpsc as fmpsc;
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use mcp_types::{
    CancelledNotificationParams, ErrorCode, JsonRpcMessage, JsonRpcPayload, ProtocolVersion,
    RequestId,
};
use tokio::sync::{mpsc, oneshot};

use super::event_store::EventId;
use super::guard::Accept;
use super::handler::SessionHandler;
use super::headers::{LAST_EVENT_ID, MCP_PROTOCOL_VERSION, MCP_SESSION_ID};
use super::response::{self, HttpResponse, SESSION_NOT_FOUND, TRANSPORT_ERROR};
use super::router::{Conn, Control, OpenStream, Opened, Resumed, Router, RouterConfig};
use super::service::Inner;
use super::session_transport::SessionTransport;
use super::sse::{Source, SseBody};
use super::table::{SessionHandle, StreamGuard, new_session_id};
use crate::{BatchPosition, Inbound};

/// How many control messages wait for a session's router (beside one per sender).
const CONTROL_CAPACITY: usize = 4;

/// A refusal: the answer to send instead of going on.
type Refused = Box<HttpResponse>;

/// The `MCP-Protocol-Version` header as text; a value that is not text reads
/// as an unknown version.
pub(crate) fn protocol_header(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(MCP_PROTOCOL_VERSION)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"))
}

/// The error for an unknown or unsupported version, listing the supported ones.
pub(crate) fn unsupported_version_error(
    supported: impl Iterator<Item = ProtocolVersion>,
    requested: &str,
) -> mcp_types::ErrorObject {
    let supported: Vec<&str> = supported.map(ProtocolVersion::as_str).collect();
    mcp_types::ErrorObject::new(
        ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
        format!("Bad Request: unsupported protocol version `{requested}`"),
    )
    .with_data(serde_json::json!({ "supported": supported, "requested": requested }))
}

/// The version a session-era request speaks: its header, else the negotiated
/// one, else 2025-03-26; a header naming another version than the negotiated
/// one, or an unsupported one, is refused.
fn request_version<H>(
    inner: &Inner<H>,
    parts: &Parts,
    session: Option<&SessionHandle>,
    id: Option<&mcp_types::RequestId>,
) -> Result<ProtocolVersion, Refused> {
    let negotiated = session.and_then(SessionHandle::version);
    let Some(header) = protocol_header(parts) else {
        return Ok(negotiated.unwrap_or(ProtocolVersion::HTTP_DEFAULT));
    };
    let config = &inner.config;
    let Some(version) =
        ProtocolVersion::parse(header).filter(|v| !v.is_stateless() && config.supports(*v))
    else {
        let supported = config
            .versions
            .iter()
            .copied()
            .filter(|v| !v.is_stateless());
        let error = unsupported_version_error(supported, header);
        return Err(Box::new(response::error(
            StatusCode::BAD_REQUEST,
            id.cloned(),
            error,
        )));
    };
    match negotiated {
        Some(n) if n != version => Err(Box::new(response::error_msg(
            StatusCode::BAD_REQUEST,
            id.cloned(),
            ErrorCode::INVALID_REQUEST,
            format!(
                "Bad Request: MCP-Protocol-Version `{version}` differs from the session's negotiated version `{n}`"
            ),
        ))),
        _ => Ok(version),
    }
}

/// The session named by `Mcp-Session-Id`: 400 without one, 404 for an
/// unknown or ended one.
fn find_session<H>(
    inner: &Inner<H>,
    parts: &Parts,
    id: Option<&mcp_types::RequestId>,
) -> Result<Arc<SessionHandle>, Refused> {
    let Some(header) = parts.headers.get(MCP_SESSION_ID) else {
        return Err(Box::new(response::error_msg(
            StatusCode::BAD_REQUEST,
            id.cloned(),
            TRANSPORT_ERROR,
            "Bad Request: Mcp-Session-Id header is required",
        )));
    };
    header
        .to_str()
        .ok()
        .and_then(|sid| inner.table.get(sid))
        .ok_or_else(|| Box::new(session_gone(id)))
}

fn session_gone(id: Option<&mcp_types::RequestId>) -> HttpResponse {
    response::error_msg(
        StatusCode::NOT_FOUND,
        id.cloned(),
        SESSION_NOT_FOUND,
        "Session not found",
    )
}

/// Starts a session: its engine, its router, its table entry.
fn create_session<H: SessionHandler>(
    inner: &Arc<Inner<H>>,
    id: Option<&mcp_types::RequestId>,
) -> Result<Arc<SessionHandle>, Refused> {
    let sid = new_session_id().map_err(|e| {
        tracing::error!(error = %e, "no randomness for a session id");
        Box::new(response::status(StatusCode::INTERNAL_SERVER_ERROR))
    })?;
    let capacity = inner.config.channel_capacity;
    let (transport, end) = SessionTransport::channel(capacity, Some(sid.clone()), true);
    // The control queue holds a few messages per concurrent HTTP request.
    let (control_tx, control_rx) = fmpsc::channel(CONTROL_CAPACITY);
    let session = Arc::new(SessionHandle::new(
        sid.clone(),
        end.inbound,
        control_tx,
        &inner.table,
    ));
    if inner.table.insert(session.clone()).is_err() {
        return Err(Box::new(response::error_msg(
            StatusCode::SERVICE_UNAVAILABLE,
            id.cloned(),
            TRANSPORT_ERROR,
            "Service Unavailable: too many sessions",
        )));
    }
    let router = Router::new(
        session.clone(),
        Arc::downgrade(&inner.table),
        end.outbound,
        control_rx,
        end.close,
        inner.config.event_store.as_ref().map(|s| s.open(&sid)),
        RouterConfig {
            retry: inner.config.sse_retry,
            capacity,
            sse_polling: inner.config.sse_polling,
        },
    );
    // One task runs both: each message between them is then a wake-up of
    // the same task, never a hop to another worker thread.
    tokio::spawn(futures::future::join(
        router.run(),
        inner.handler.serve(transport),
    ));
    tracing::debug!(session = %sid, "session started");
    Ok(session)
}

/// The messages as the engine takes them, each with the request's parts (and
/// its place in the batch).
fn inbound(parts: Parts, messages: Vec<JsonRpcMessage>, batch: bool) -> Vec<Inbound> {
    let len = messages.len();
    let mut parts = Some(parts);
    messages
        .into_iter()
        .enumerate()
        .map(|(index, message)| {
            let mut extensions = http::Extensions::new();
            // The last message takes the parts; the others get copies.
            let own = if index + 1 == len {
                parts.take()
            } else {
                parts.clone()
            };
            if let Some(parts) = own {
                extensions.insert(parts);
            }
            if batch {
                extensions.insert(BatchPosition { index, len });
            }
            Inbound {
                message,
                extensions,
            }
        })
        .collect()
}

/// Hands the messages to the engine.
async fn forward(session: &SessionHandle, messages: Vec<Inbound>) -> Result<(), ()> {
    let mut inbound = session.inbound.clone();
    for message in messages {
        inbound.send(message).await.map_err(|_| ())?;
    }
    Ok(())
}

/// Tells the session's router of requests the client cancelled, once the
/// engine has the cancellations: their streams stop waiting for answers that
/// will not come. `Err` when the session is gone.
async fn tell_cancelled(session: &SessionHandle, cancelled: Vec<RequestId>) -> Result<(), ()> {
    for id in cancelled {
        session
            .control
            .clone()
            .send(Control::Cancelled(id))
            .await
            .map_err(|_| ())?;
    }
    Ok(())
}

/// The request a `notifications/cancelled` message cancels.
fn cancelled_request(message: &JsonRpcMessage) -> Option<RequestId> {
    match message {
        JsonRpcMessage::Notification(n) if n.method == "notifications/cancelled" => n
            .params_as::<CancelledNotificationParams>()
            .ok()
            .and_then(|p| p.request_id),
        _ => None,
    }
}

/// `POST` of the session era.
pub(crate) async fn post<H: SessionHandler>(
    inner: &Arc<Inner<H>>,
    parts: Parts,
    payload: JsonRpcPayload,
    accept: Accept,
) -> HttpResponse {
    let (messages, batch) = match payload {
        JsonRpcPayload::Single(m) => (vec![m], false),
        JsonRpcPayload::Batch(v) => (v, true),
    };
    // The id errors are answered with: the request's, when there is one request.
    let answer_id = if batch {
        None
    } else {
        messages[0].id().cloned()
    };
    let answer_id = answer_id.as_ref();
    let initialize = !batch && messages[0].method() == Some("initialize");
    if batch && messages.iter().any(|m| m.method() == Some("initialize")) {
        return response::error_msg(
            StatusCode::BAD_REQUEST,
            None,
            ErrorCode::INVALID_REQUEST,
            "Invalid Request: initialize must not be part of a batch",
        );
    }
    let (session, version) = if initialize {
        if parts.headers.contains_key(MCP_SESSION_ID) {
            return response::error_msg(
                StatusCode::BAD_REQUEST,
                answer_id.cloned(),
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: initialize must not carry Mcp-Session-Id",
            );
        }
        let version = match request_version(inner, &parts, None, answer_id) {
            Ok(v) => v,
            Err(r) => return *r,
        };
        match create_session(inner, answer_id) {
            Ok(s) => (s, version),
            Err(r) => return *r,
        }
    } else {
        let session = match find_session(inner, &parts, answer_id) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        match request_version(inner, &parts, Some(&session), answer_id) {
            Ok(v) => (session, v),
            Err(r) => return *r,
        }
    };
    if batch && !version.supports_batch() {
        return response::error_msg(
            StatusCode::BAD_REQUEST,
            None,
            ErrorCode::INVALID_REQUEST,
            format!("Invalid Request: protocol version {version} does not allow batches"),
        );
    }

    // Told to the router once the engine has the messages (a batch of
    // 2025-03-26 may cancel requests as well as make them).
    let cancelled: Vec<RequestId> = messages.iter().filter_map(cancelled_request).collect();
    if !messages
        .iter()
        .any(|m| matches!(m, JsonRpcMessage::Request(_)))
    {
        // Notifications and responses: accepted once the engine has them.
        if forward(&session, inbound(parts, messages, batch))
            .await
            .is_err()
            || tell_cancelled(&session, cancelled).await.is_err()
        {
            return session_gone(answer_id);
        }
        return response::status(StatusCode::ACCEPTED);
    }

    let json = (inner.config.json_response && accept.json) || !accept.sse;
    let (conn, json_rx, sse_rx) = if json {
        let (tx, rx) = oneshot::channel();
        (Conn::Json { reply: tx, batch }, Some(rx), None)
    } else {
        let (tx, rx) = mpsc::channel(inner.config.channel_capacity);
        (Conn::Sse(tx), None, Some(rx))
    };
    let open = OpenStream {
        messages: inbound(parts, messages, batch),
        conn,
        prime: !initialize && version >= ProtocolVersion::V2025_11_25,
        initialize,
    };
    let (reply_tx, reply_rx) = oneshot::channel();
    if session
        .control
        .clone()
        .send(Control::Open(open, reply_tx))
        .await
        .is_err()
    {
        return session_gone(answer_id);
    }
    match reply_rx.await {
        Ok(Opened::Forwarded) => {}
        Ok(Opened::Unsent(rest)) => {
            if forward(&session, rest).await.is_err() {
                return session_gone(answer_id);
            }
        }
        Ok(Opened::Duplicate(dup)) => {
            return response::error_msg(
                StatusCode::BAD_REQUEST,
                Some(dup.clone()),
                ErrorCode::INVALID_REQUEST,
                format!("Invalid Request: a request with id {dup} is already in flight"),
            );
        }
        Err(_) => return session_gone(answer_id),
    }
    if tell_cancelled(&session, cancelled).await.is_err() {
        return session_gone(answer_id);
    }

    let mut response = match (json_rx, sse_rx) {
        (Some(rx), _) => {
            // A request in flight keeps its session from going idle.
            let busy = StreamGuard::new(session.clone());
            let answer = rx.await;
            drop(busy);
            match answer {
                // Every request of the POST was cancelled: nothing to send.
                Ok(body) if body.is_empty() => response::status(StatusCode::ACCEPTED),
                Ok(body) => response::json(StatusCode::OK, body),
                Err(_) => session_gone(answer_id),
            }
        }
        (_, Some(rx)) => {
            // Let the session's task run first: a quick answer is then ready
            // when the headers go out, and both leave in one write.
            tokio::task::yield_now().await;
            response::sse(SseBody::new(
                VecDeque::new(),
                Source::Channel(rx),
                inner.config.keep_alive,
                Some(StreamGuard::new(session.clone())),
            ))
        }
        (None, None) => unreachable!("a stream is either JSON or SSE"),
    };
    if initialize && let Ok(value) = HeaderValue::from_str(&session.id) {
        response.headers_mut().insert(MCP_SESSION_ID, value);
    }
    response
}

/// `GET` of the session era: the standalone stream, or a resumed one.
pub(crate) async fn get<H: SessionHandler>(
    inner: &Arc<Inner<H>>,
    parts: Parts,
    accept: Accept,
) -> HttpResponse {
    if !accept.sse {
        return response::error_msg(
            StatusCode::NOT_ACCEPTABLE,
            None,
            TRANSPORT_ERROR,
            "Not Acceptable: GET needs Accept: text/event-stream",
        );
    }
    let session = match find_session(inner, &parts, None) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let version = match request_version(inner, &parts, Some(&session), None) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let keep_alive = inner.config.keep_alive;
    let last_event = parts.headers.get(LAST_EVENT_ID);
    if let Some(last) = last_event.filter(|_| inner.config.event_store.is_some()) {
        let Some(after) = last
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<EventId>().ok())
        else {
            return response::error_msg(
                StatusCode::BAD_REQUEST,
                None,
                TRANSPORT_ERROR,
                "Bad Request: malformed Last-Event-ID",
            );
        };
        let (reply, rx) = oneshot::channel();
        if session
            .control
            .clone()
            .send(Control::Resume { after, reply })
            .await
            .is_err()
        {
            return session_gone(None);
        }
        return match rx.await {
            Ok(Some(Resumed { replay, live })) => response::sse(SseBody::new(
                replay.into(),
                live.map_or(Source::Done, Source::Channel),
                keep_alive,
                Some(StreamGuard::new(session)),
            )),
            Ok(None) => response::error_msg(
                StatusCode::BAD_REQUEST,
                None,
                TRANSPORT_ERROR,
                "Bad Request: Last-Event-ID names no stream of this session",
            ),
            Err(_) => session_gone(None),
        };
    }
    let (conn, rx) = mpsc::channel(inner.config.channel_capacity);
    let (reply, attached) = oneshot::channel();
    let prime = version >= ProtocolVersion::V2025_11_25;
    if session
        .control
        .clone()
        .send(Control::Standalone { conn, prime, reply })
        .await
        .is_err()
    {
        return session_gone(None);
    }
    match attached.await {
        Ok(true) => response::sse(SseBody::new(
            VecDeque::new(),
            Source::Channel(rx),
            keep_alive,
            Some(StreamGuard::new(session)),
        )),
        Ok(false) => response::error_msg(
            StatusCode::CONFLICT,
            None,
            TRANSPORT_ERROR,
            "Conflict: only one GET stream is allowed per session",
        ),
        Err(_) => session_gone(None),
    }
}

/// `DELETE` of the session era: ends the session.
pub(crate) fn delete<H: SessionHandler>(inner: &Arc<Inner<H>>, parts: Parts) -> HttpResponse {
    let session = match find_session(inner, &parts, None) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    if let Err(r) = request_version(inner, &parts, Some(&session), None) {
        return *r;
    }
    inner.table.remove(&session);
    tracing::debug!(session = %session.id, "session deleted by the client");
    response::status(StatusCode::NO_CONTENT)
}
