//! A new session when the server ended ours: HTTP 404 to a request carrying
//! `Mcp-Session-Id` means the client "MUST start a new session by sending a
//! new InitializeRequest without a session ID attached" (session era).
//!
//! The client keeps the `initialize` it last sent. When a request meets a
//! 404, one task sends that `initialize` again (with an id of its own), reads
//! its answer, sends `notifications/initialized` and reopens the `GET`
//! stream; then every request that met the 404 is sent once more in the new
//! session. The engine above never sees the second handshake. When it fails,
//! the 404 is reported as before ([`SessionExpired`](super::SessionExpired)).

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use mcp_types::{JsonRpcMessage, JsonRpcPayload, RequestId};
use serde_json::Value;

use super::message::{MCP_PROTOCOL_VERSION, MCP_SESSION_ID};
use super::post::read_limited;
use super::shared::Shared;
use super::sse::SseParser;
#[cfg(doc)]
use super::stream;
use super::stream::is_event_stream;

/// How long the repeated handshake may take.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(30);

/// What the renewals so far left behind; guarded by one async lock so that
/// concurrent 404s start one new session, not several.
#[derive(Debug, Default)]
pub(crate) struct Renewals {
    /// How many new sessions were started (names the handshake's request id).
    count: u64,
    /// The ended session whose renewal failed: later 404s of it fail at once.
    failed_for: Option<HeaderValue>,
}

/// Starts a new session in place of `ended`, unless another task already
/// did. On failure, says why. The caller opens the new session's `GET`
/// stream ([`stream::open_get_stream`]).
pub(crate) async fn renew(shared: &Shared, ended: &HeaderValue) -> Result<(), String> {
    let mut renewals = shared.renewals.lock().await;
    let current = shared.session_headers().0;
    if current.is_some() && current.as_ref() != Some(ended) {
        return Ok(());
    }
    if renewals.failed_for.as_ref() == Some(ended) {
        return Err("starting a new session failed before".to_owned());
    }
    let Some(initialize) = shared.last_initialize() else {
        return Err("no initialize was sent to repeat".to_owned());
    };
    renewals.count += 1;
    let id = RequestId::from(format!("mcp-renew-{}", renewals.count));
    let outcome = tokio::time::timeout(HANDSHAKE_LIMIT, handshake(shared, &initialize, &id))
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {HANDSHAKE_LIMIT:?}")));
    match outcome {
        Ok(()) => {
            tracing::info!(url = %shared.config.url, "the server ended the session; started a new one");
            Ok(())
        }
        Err(why) => {
            renewals.failed_for = Some(ended.clone());
            Err(format!("starting a new session failed: {why}"))
        }
    }
}

/// `initialize` (as `id`), then `notifications/initialized`, in a new session.
async fn handshake(shared: &Shared, initialize: &Value, id: &RequestId) -> Result<(), String> {
    let mut message = initialize.clone();
    message["id"] = serde_json::to_value(id).map_err(|e| e.to_string())?;
    let mut b = post(shared);
    if let Some(v) = &shared.config.protocol_version {
        b = b.header(MCP_PROTOCOL_VERSION, v.clone());
    }
    let request = b
        .body(Full::new(Bytes::from(message.to_string())))
        .map_err(|e| e.to_string())?;
    let response = shared.request(request).await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("initialize answered HTTP {}", response.status()));
    }
    let session = response
        .headers()
        .get(MCP_SESSION_ID)
        .filter(|v| !v.is_empty() && v.as_bytes().iter().all(|b| (0x21..=0x7E).contains(b)))
        .cloned();
    let answer = answer_to(shared, response, id).await?;
    let result = match answer {
        JsonRpcMessage::Response(r) => r.result,
        JsonRpcMessage::Error(e) => {
            return Err(format!("initialize failed: {}", e.error.message));
        }
        _ => return Err("initialize got no response".to_owned()),
    };
    let version = serde_json::from_str::<Value>(result.get())
        .ok()
        .and_then(|r| r["protocolVersion"].as_str().map(str::to_owned))
        .ok_or("the initialize result has no protocolVersion")?;
    let (_, old_version) = shared.session_headers();
    if old_version.as_ref().is_some_and(|v| v != version.as_str()) {
        tracing::warn!(%version, "the new session negotiated another protocol version");
    }
    let version = HeaderValue::from_str(&version).map_err(|e| e.to_string())?;
    shared.set_protocol_version(version.clone());
    match session {
        Some(s) => shared.set_session_id(s),
        None => shared.clear_session_id(),
    }

    let mut b = post(shared).header(MCP_PROTOCOL_VERSION, version);
    if let Some(s) = shared.session_headers().0 {
        b = b.header(MCP_SESSION_ID, s);
    }
    let initialized = br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    let request = b
        .body(Full::new(Bytes::from_static(initialized)))
        .map_err(|e| e.to_string())?;
    let response = shared.request(request).await.map_err(|e| e.to_string())?;
    let status = response.status();
    let _ = response.into_body().collect().await;
    if !status.is_success() {
        return Err(format!("notifications/initialized answered HTTP {status}"));
    }
    Ok(())
}

fn post(shared: &Shared) -> http::request::Builder {
    shared
        .endpoint_request(Method::POST)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(
            ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        )
}

/// The response to `id` in the body of `response`, JSON or SSE; other
/// messages on the way go to the reader.
async fn answer_to(
    shared: &Shared,
    response: http::Response<hyper::body::Incoming>,
    id: &RequestId,
) -> Result<JsonRpcMessage, String> {
    let limit = shared.config.max_message_size;
    let is_sse = is_event_stream(response.headers());
    let mut body = response.into_body();
    if !is_sse {
        let bytes = read_limited(body, limit).await?;
        return match JsonRpcPayload::from_slice(&bytes) {
            Ok(JsonRpcPayload::Single(m)) if m.id() == Some(id) => Ok(m),
            Ok(_) => Err("the initialize answer is not its response".to_owned()),
            Err(e) => Err(format!("the initialize answer is not JSON-RPC: {e}")),
        };
    }
    let mut parser = SseParser::new(limit);
    let mut events = VecDeque::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| format!("the initialize stream broke: {e}"))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        parser.feed(&data, &mut events);
        while let Some(event) = events.pop_front() {
            let Ok(event) = event else { continue };
            if event.event != "message" || event.data.trim().is_empty() {
                continue;
            }
            let Ok(JsonRpcPayload::Single(message)) =
                JsonRpcPayload::from_slice(event.data.as_bytes())
            else {
                continue;
            };
            if message.id() == Some(id) && message.method().is_none() {
                return Ok(message);
            }
            shared.deliver(message).await;
        }
    }
    Err("the initialize stream ended without its response".to_owned())
}

/// The server answered 404 to a message of session `ended` that is not sent
/// again (a response, a stream to resume, the `GET` stream): a new session
/// starts where allowed; otherwise, or when that fails, the reader is told.
///
/// Whether a new session started.
pub(crate) async fn session_ended(shared: &Shared, ended: &HeaderValue) -> bool {
    if shared.config.renew_sessions {
        match renew(shared, ended).await {
            Ok(()) => return true,
            Err(why) => tracing::warn!(%why, "the server ended the session"),
        }
    }
    shared.session_expired(ended).await;
    false
}

/// Whether a `POST` answered `status` should start a new session and be sent
/// again: a 404 to a session-era message carrying a session id, other than
/// `initialize` itself and other than a response (whose request belonged to
/// the old session).
pub(crate) fn should_renew(
    shared: &Shared,
    status: StatusCode,
    session: Option<&HeaderValue>,
    is_initialize: bool,
    has_method: bool,
) -> bool {
    status == StatusCode::NOT_FOUND
        && shared.config.renew_sessions
        && session.is_some()
        && !is_initialize
        && has_method
}
