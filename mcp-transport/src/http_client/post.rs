//! Sending one message: the `POST` with its headers, and what its answer
//! becomes (messages for the reader, a 202, an error response, an expired
//! session).

use std::sync::Arc;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use mcp_types::{JsonRpcMessage, JsonRpcPayload};
use tokio::sync::{OwnedSemaphorePermit, watch};

use super::error::{error_response, status_error};
use super::hooks;
use super::message::{MCP_PROTOCOL_VERSION, MCP_SESSION_ID, MessageInfo};
use super::renew;
use super::shared::{GetStreamGate, Shared};
use super::sse::SseParser;
use super::stream::{self, Ended, Own, is_event_stream, media_type};

/// How long a message written after `notifications/initialized` waits for
/// the session's `GET` stream to connect.
const GET_STREAM_HEAD_START: std::time::Duration = std::time::Duration::from_secs(2);

/// How much of an error response's body is read.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

const ACCEPT_BOTH: HeaderValue = HeaderValue::from_static("application/json, text/event-stream");
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A message ready to go: what the transport read from it, its JSON, and
/// (for a request) the flag of its response.
pub(crate) struct Prepared {
    /// Nothing to send: the cancellation of a 2026-07-28 request, which is
    /// closing its stream.
    skip: bool,
    info: MessageInfo,
    body: Bytes,
    answered: Option<watch::Receiver<bool>>,
    /// Held by `notifications/initialized` of a session: the messages
    /// written after it wait for the `GET` stream it opens.
    gate: Option<GetStreamGate>,
}

/// Reads `message` and registers it; done in the writer, so that a
/// cancellation sent after its request always finds it.
pub(crate) fn prepare(shared: &Arc<Shared>, message: JsonRpcMessage) -> Prepared {
    let info = MessageInfo::of(&message);
    let gate = (shared.config.get_stream
        && !info.is_stateless()
        && info.method.as_deref() == Some("notifications/initialized"))
    .then(|| shared.hold_for_get_stream());
    // A cancelled request's stream is dropped and not resumed any more; in
    // 2026-07-28 that alone is the cancellation.
    let skip = info.cancelled.as_ref().and_then(|id| shared.settle(id)) == Some(true);
    let answered = info
        .id
        .clone()
        .map(|id| shared.register(id, info.is_stateless()));
    let body = Bytes::from(message.to_json());
    if info.is_initialize() && shared.config.renew_sessions {
        match serde_json::from_slice(&body) {
            Ok(v) => shared.remember_initialize(v),
            Err(e) => tracing::debug!(error = %e, "cannot keep the initialize to repeat"),
        }
    }
    Prepared {
        skip,
        body,
        info,
        answered,
        gate,
    }
}

/// Sends a prepared message and handles its answer; runs on its own task,
/// holding `_permit` (one of the in-flight slots) until done.
pub(crate) async fn send(shared: Arc<Shared>, prepared: Prepared, _permit: OwnedSemaphorePermit) {
    let Prepared {
        skip,
        info,
        body,
        answered,
        gate,
    } = prepared;
    if gate.is_none() {
        shared.wait_for_get_stream(GET_STREAM_HEAD_START).await;
    }
    if skip {
        tracing::debug!(
            "not sending a cancellation of a 2026-07-28 request: its stream is closed instead"
        );
        return;
    }
    let mut shutdown = shared.shutdown_signal();
    let mut own = match (info.id.clone(), answered) {
        (Some(id), Some(answered)) => Some(Own {
            answered,
            id,
            info: &info,
        }),
        _ => None,
    };
    let mut renewed = false;
    let (response, session) = loop {
        let Some((request, session)) = post_request(&shared, &info, body.clone()) else {
            return;
        };
        let response = tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => return,
            // Cancelled before the server answered: dropping the request is all.
            _ = stream::flag(own.as_mut().map(|o| &mut o.answered)) => return,
            r = shared.request(request) => r,
        };
        if let (Ok(r), Some(ended)) = (&response, &session)
            && !renewed
            && renew::should_renew(
                &shared,
                r.status(),
                session.as_ref(),
                info.is_initialize(),
                info.method.is_some(),
            )
        {
            let renewal = tokio::select! {
                biased;
                _ = shutdown.wait_for(|s| *s) => return,
                r = renew::renew(&shared, ended) => r,
            };
            match renewal {
                // The new session's handshake sent its own.
                Ok(()) if info.method.as_deref() == Some("notifications/initialized") => {
                    stream::open_get_stream(&shared);
                    return;
                }
                Ok(()) => {
                    stream::open_get_stream(&shared);
                    renewed = true;
                    continue;
                }
                Err(why) => tracing::warn!(%why, "the server ended the session"),
            }
        }
        break (response, session);
    };
    let mut stop = shared.shutdown_signal();
    match response {
        Ok(response) => {
            tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => {}
                () = answer(&shared, &info, own.as_mut(), session, response, gate, &mut shutdown) => {}
            }
        }
        Err(e) => {
            tracing::debug!(error = %e, "POST failed");
            shared.fail(e).await;
        }
    }
    if let Some(own) = own {
        shared.settle(&own.id);
    }
}

/// The `POST` of `body`, and the session id it carries.
fn post_request(
    shared: &Shared,
    info: &MessageInfo,
    body: Bytes,
) -> Option<(Request<Full<Bytes>>, Option<HeaderValue>)> {
    let mut b = shared
        .endpoint_request(Method::POST)
        .header(CONTENT_TYPE, APPLICATION_JSON)
        .header(ACCEPT, ACCEPT_BOTH);
    let mut session = None;
    if info.is_stateless() {
        let tool = match (info.method.as_deref(), &info.name) {
            (Some("tools/call"), Some(name)) => shared.tool_headers(name),
            _ => None,
        };
        for (name, value) in info.stateless_headers(tool.as_deref()) {
            b = b.header(name, value);
        }
    } else if info.is_initialize() {
        // A new session: no session id, and only a version the user set.
        if let Some(v) = &shared.config.protocol_version {
            b = b.header(MCP_PROTOCOL_VERSION, v.clone());
        }
    } else {
        let (id, version) = shared.session_headers();
        if let Some(v) = version {
            b = b.header(MCP_PROTOCOL_VERSION, v);
        }
        if let Some(id) = id {
            b = b.header(MCP_SESSION_ID, id.clone());
            session = Some(id);
        }
    }
    match b.body(Full::new(body)) {
        Ok(r) => Some((r, session)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot build the POST");
            None
        }
    }
}

/// Handles the answer to a `POST`.
async fn answer(
    shared: &Arc<Shared>,
    info: &MessageInfo,
    mut own: Option<&mut Own<'_>>,
    session: Option<HeaderValue>,
    response: http::Response<Incoming>,
    gate: Option<GetStreamGate>,
    shutdown: &mut watch::Receiver<bool>,
) {
    let status = response.status();
    if !status.is_success() {
        let (_, body) = response.into_parts();
        let bytes = read_limited(body, ERROR_BODY_LIMIT)
            .await
            .unwrap_or_default();
        if let Some(own) = &own {
            let url = &shared.config.url;
            shared
                .deliver(status_error(
                    own.id.clone(),
                    info.what(),
                    url,
                    status,
                    &bytes,
                ))
                .await;
        } else {
            tracing::warn!(%status, body = %super::error::excerpt(&bytes), message = info.what(), "the server refused a message");
        }
        if status == StatusCode::NOT_FOUND
            && let Some(session) = session
            && renew::session_ended(shared, &session).await
        {
            stream::open_get_stream(shared);
        }
        return;
    }
    if info.is_initialize()
        && let Some(id) = response.headers().get(MCP_SESSION_ID)
    {
        if id.as_bytes().iter().all(|b| (0x21..=0x7E).contains(b)) && !id.is_empty() {
            shared.set_session_id(id.clone());
        } else {
            tracing::warn!("ignoring a session id with characters outside visible ASCII");
        }
    }
    if !info.is_stateless()
        && info.method.as_deref() == Some("notifications/initialized")
        && shared.claim_get_stream()
    {
        tokio::spawn(stream::run_get_stream(shared.clone(), gate));
    }
    let (parts, body) = response.into_parts();
    if is_event_stream(&parts.headers) {
        let mut parser = SseParser::new(shared.config.max_message_size);
        let outcome =
            stream::read_sse(shared, body, &mut parser, own.as_deref_mut(), shutdown).await;
        let Some(own) = own else { return };
        let why = match outcome.ended {
            Ended::Answered | Ended::Shutdown => return,
            Ended::Closed => "the server ended the stream".to_owned(),
            Ended::Broken(e) => format!("the stream broke: {e}"),
        };
        let why = match outcome.problem {
            Some(p) => format!("{why} ({p})"),
            None => why,
        };
        let gave_up = if info.is_stateless() {
            // 2026-07-28 streams are not resumable.
            Err(why)
        } else {
            stream::resume(shared, &mut parser, own, shutdown, why).await
        };
        if let Err(why) = gave_up {
            let text = format!(
                "no response to `{}` from {}: {why}",
                info.what(),
                shared.config.url
            );
            shared
                .deliver(error_response(own.id.clone(), text, None))
                .await;
        }
        return;
    }
    let bytes = match read_limited(body, shared.config.max_message_size).await {
        Ok(b) => b,
        Err(text) => {
            match &own {
                Some(own) => {
                    shared
                        .deliver(error_response(own.id.clone(), text, None))
                        .await
                }
                None => tracing::warn!("{text}"),
            }
            return;
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        if own.is_some() {
            tracing::debug!(%status, "a request was accepted without an answer; it may come on the GET stream");
        }
        return;
    }
    if media_type(&parts.headers).is_some_and(|t| !t.eq_ignore_ascii_case("application/json")) {
        tracing::debug!(content_type = ?media_type(&parts.headers), "reading a body of another media type as JSON");
    }
    match JsonRpcPayload::from_slice(&bytes) {
        Ok(payload) => {
            let messages = match payload {
                JsonRpcPayload::Single(m) => vec![m],
                JsonRpcPayload::Batch(ms) => ms,
            };
            for message in messages {
                let message = match &own {
                    Some(o) if message.id() == Some(&o.id) => hooks::inspect(shared, info, message),
                    _ => message,
                };
                tokio::select! {
                    biased;
                    _ = shutdown.wait_for(|s| *s) => return,
                    () = shared.deliver(message) => {}
                }
            }
        }
        Err(e) => match &own {
            Some(own) => {
                let text = format!("the response to `{}` is not JSON-RPC: {e}", info.what());
                shared
                    .deliver(error_response(own.id.clone(), text, None))
                    .await;
            }
            None => tracing::warn!(error = %e, "the answer to a message is not JSON-RPC"),
        },
    }
}

/// Reads a whole body of at most `limit` bytes.
pub(crate) async fn read_limited(body: Incoming, limit: usize) -> Result<Bytes, String> {
    match Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(format!(
            "the response body exceeds the limit of {limit} bytes"
        )),
        Err(e) => Err(format!("reading the response body failed: {e}")),
    }
}
