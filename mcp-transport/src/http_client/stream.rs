//! Reading SSE response bodies into messages, resuming a request's stream with
//! `GET` + `Last-Event-ID` after the server's `retry` delay, and the session's
//! standalone `GET` stream.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use mcp_types::{JsonRpcMessage, JsonRpcPayload, RequestId};
use tokio::sync::watch;

use super::hooks;
use super::message::{LAST_EVENT_ID, MCP_PROTOCOL_VERSION, MCP_SESSION_ID, MessageInfo};
use super::shared::{GetStreamGate, Shared};
use super::sse::SseParser;

/// How long a stream is still read after its response, so that a server
/// about to end it can hand the connection back to the pool.
const DRAIN_AFTER_RESPONSE: Duration = Duration::from_millis(100);

/// The request a stream answers.
pub(crate) struct Own<'a> {
    pub(crate) id: RequestId,
    pub(crate) info: &'a MessageInfo,
    /// Turns `true` once the response arrived (on any stream) or the request
    /// was cancelled.
    pub(crate) answered: watch::Receiver<bool>,
}

/// How reading a stream ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The stream's request has its response.
    Answered,
    /// The client is closing.
    Shutdown,
    /// The server ended the stream.
    Closed,
    /// The connection failed.
    Broken(String),
}

/// The result of reading one SSE body.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) ended: Ended,
    /// Whether the stream brought a message or a new event id.
    pub(crate) progress: bool,
    /// The last problem met (a skipped event), for error messages.
    pub(crate) problem: Option<String>,
}

/// Whether the response is an SSE stream.
pub(crate) fn is_event_stream(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|t| t.eq_ignore_ascii_case("text/event-stream"))
}

/// The media type of `Content-Type`, without parameters.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
}

/// Resolves when the flag turns `true` (or its sender is gone); never for `None`.
pub(crate) async fn flag(rx: Option<&mut watch::Receiver<bool>>) {
    match rx {
        Some(rx) => {
            let _ = rx.wait_for(|v| *v).await;
        }
        None => std::future::pending().await,
    }
}

/// Reads an SSE body, handing each message to the reader, until it ends, the
/// client closes, or `own`'s response has arrived.
pub(crate) async fn read_sse(
    shared: &Shared,
    mut body: Incoming,
    parser: &mut SseParser,
    mut own: Option<&mut Own<'_>>,
    shutdown: &mut watch::Receiver<bool>,
) -> Outcome {
    let mut out = Outcome {
        ended: Ended::Closed,
        progress: false,
        problem: None,
    };
    let mut events = VecDeque::new();
    let start_id = parser.last_event_id().map(str::to_owned);
    loop {
        let frame = tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => {
                out.ended = Ended::Shutdown;
                break;
            }
            _ = flag(own.as_mut().map(|o| &mut o.answered)) => {
                out.ended = Ended::Answered;
                break;
            }
            frame = body.frame() => frame,
        };
        let data = match frame {
            None => break,
            Some(Err(e)) => {
                out.ended = Ended::Broken(e.to_string());
                break;
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue,
            },
        };
        parser.feed(&data, &mut events);
        let mut answered = false;
        while let Some(item) = events.pop_front() {
            let event = match item {
                Ok(e) => e,
                Err(e) => {
                    let text = format!(
                        "skipped an SSE event of over {} bytes (limit {})",
                        e.size, e.limit
                    );
                    tracing::warn!("{text}");
                    out.problem = Some(text);
                    continue;
                }
            };
            if event.event != "message" {
                tracing::debug!(event = %event.event, "ignoring an SSE event of another type");
                continue;
            }
            if event.data.trim().is_empty() {
                continue;
            }
            out.progress = true;
            let messages = match JsonRpcPayload::from_slice(event.data.as_bytes()) {
                Ok(JsonRpcPayload::Single(m)) => vec![m],
                Ok(JsonRpcPayload::Batch(ms)) => ms,
                Err(e) => {
                    let text = format!("skipped an SSE event that is not JSON-RPC: {e}");
                    tracing::warn!("{text}");
                    out.problem = Some(text);
                    continue;
                }
            };
            for message in messages {
                let is_own = own
                    .as_ref()
                    .is_some_and(|o| is_response_to(&message, &o.id));
                let message = match &own {
                    Some(o) if is_own => hooks::inspect(shared, o.info, message),
                    _ => message,
                };
                tokio::select! {
                    biased;
                    _ = shutdown.wait_for(|s| *s) => {
                        out.ended = Ended::Shutdown;
                        return out;
                    }
                    () = shared.deliver(message) => {}
                }
                answered |= is_own;
            }
        }
        if answered {
            out.ended = Ended::Answered;
            // Let a server that ends the stream now return the connection to the pool.
            let _ = tokio::time::timeout(DRAIN_AFTER_RESPONSE, drain(&mut body)).await;
            break;
        }
    }
    if parser.last_event_id() != start_id.as_deref() {
        out.progress = true;
    }
    out
}

async fn drain(body: &mut Incoming) {
    while let Some(Ok(_)) = body.frame().await {}
}

fn is_response_to(message: &JsonRpcMessage, id: &RequestId) -> bool {
    matches!(
        message,
        JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_)
    ) && message.id() == Some(id)
}

/// A `GET` of the endpoint's SSE stream, resuming after `last_event_id`.
pub(crate) fn get_request(
    shared: &Shared,
    last_event_id: Option<&str>,
) -> Option<(Request<Full<Bytes>>, Option<HeaderValue>)> {
    let (session, version) = shared.session_headers();
    let mut b = shared
        .endpoint_request(Method::GET)
        .header(ACCEPT, HeaderValue::from_static("text/event-stream"));
    if let Some(id) = &session {
        b = b.header(MCP_SESSION_ID, id.clone());
    }
    if let Some(v) = version {
        b = b.header(MCP_PROTOCOL_VERSION, v);
    }
    if let Some(last) = last_event_id.and_then(|l| HeaderValue::from_str(l).ok()) {
        b = b.header(LAST_EVENT_ID, last);
    }
    b.body(Full::new(Bytes::new())).ok().map(|r| (r, session))
}

/// The reconnection delay: the server's `retry`, else the default, at most the cap.
fn retry_delay(shared: &Shared, parser: &SseParser) -> Duration {
    parser
        .retry()
        .unwrap_or(shared.config.default_retry)
        .min(shared.config.max_retry)
}

/// Resumes the stream of a request whose response has not arrived: after the
/// `retry` delay, `GET` with `Last-Event-ID`, as often as the streams make
/// progress and at most `max_reconnect_attempts` failures in a row. `why`
/// says how the first stream ended; `Err` says why it gave up; `Ok` means
/// answered, cancelled or closing.
pub(crate) async fn resume(
    shared: &Arc<Shared>,
    parser: &mut SseParser,
    own: &mut Own<'_>,
    shutdown: &mut watch::Receiver<bool>,
    mut why: String,
) -> Result<(), String> {
    let mut failures = 0u32;
    loop {
        if *own.answered.borrow() || *shutdown.borrow() {
            return Ok(());
        }
        let Some(last) = parser.last_event_id().map(str::to_owned) else {
            return Err(format!("{why}, and sent no event id to resume from"));
        };
        if failures >= shared.config.max_reconnect_attempts {
            return Err(format!(
                "{why}; gave up after {failures} reconnection attempts"
            ));
        }
        let delay = retry_delay(shared, parser);
        tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => return Ok(()),
            _ = flag(Some(&mut own.answered)) => return Ok(()),
            () = tokio::time::sleep(delay) => {}
        }
        let Some((request, session)) = get_request(shared, Some(&last)) else {
            return Err("cannot build the resumption request".into());
        };
        tracing::debug!(last_event_id = %last, ?delay, "resuming an SSE stream");
        let response = tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => return Ok(()),
            _ = flag(Some(&mut own.answered)) => return Ok(()),
            r = shared.request(request) => r,
        };
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                why = e.to_string();
                failures += 1;
                continue;
            }
        };
        let status = response.status();
        if status == StatusCode::NOT_FOUND
            && let Some(session) = session
        {
            if super::renew::session_ended(shared, &session).await {
                open_get_stream(shared);
            }
            return Err("the server ended the session".into());
        }
        if status == StatusCode::METHOD_NOT_ALLOWED {
            return Err(format!(
                "{why}, and the server does not allow GET to resume it (HTTP 405)"
            ));
        }
        if !status.is_success() || !is_event_stream(response.headers()) {
            why = format!("resuming got HTTP {status}");
            failures += 1;
            continue;
        }
        parser.reconnected();
        let outcome = read_sse(shared, response.into_body(), parser, Some(own), shutdown).await;
        match outcome.ended {
            Ended::Answered | Ended::Shutdown => return Ok(()),
            Ended::Closed => why = "the server ended the stream".into(),
            Ended::Broken(e) => why = format!("the stream broke: {e}"),
        }
        if let Some(problem) = outcome.problem {
            why = format!("{why} ({problem})");
        }
        if outcome.progress {
            failures = 0;
        } else {
            failures += 1;
        }
    }
}

/// Starts the session's standalone `GET` stream, unless it runs already.
pub(crate) fn open_get_stream(shared: &Arc<Shared>) {
    if shared.claim_get_stream() {
        tokio::spawn(run_get_stream(shared.clone(), None));
    }
}

/// Runs the session's standalone `GET` stream until the client closes, the
/// server refuses it (405), the session ends or is replaced, or reconnections
/// keep failing.
///
/// `gate`, when given, is released once the first `GET` has an answer (or
/// the stream gives up), letting the messages held back for it go.
pub(crate) async fn run_get_stream(shared: Arc<Shared>, mut gate: Option<GetStreamGate>) {
    let mut shutdown = shared.shutdown_signal();
    let mut parser = SseParser::new(shared.config.max_message_size);
    let mut failures = 0u32;
    // The stream belongs to the session it was opened for.
    let (mut ours, _) = shared.session_headers();
    loop {
        if *shutdown.borrow() || shared.session_headers().0 != ours {
            return;
        }
        let Some((request, session)) = get_request(&shared, parser.last_event_id()) else {
            return;
        };
        let response = tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => return,
            r = shared.request(request) => r,
        };
        drop(gate.take());
        let mut progress = false;
        match response {
            Err(e) => tracing::debug!(error = %e, "the GET stream failed to connect"),
            Ok(r) if r.status() == StatusCode::METHOD_NOT_ALLOWED => {
                tracing::debug!("the server offers no GET stream (HTTP 405)");
                return;
            }
            Ok(r) if r.status() == StatusCode::NOT_FOUND && session.is_some() => {
                if let Some(session) = session
                    && super::renew::session_ended(&shared, &session).await
                    && shared.claim_get_stream()
                {
                    // The new session's stream: this task goes on with it.
                    ours = shared.session_headers().0;
                    parser = SseParser::new(shared.config.max_message_size);
                    failures = 0;
                    continue;
                }
                return;
            }
            Ok(r) if r.status().is_success() && is_event_stream(r.headers()) => {
                parser.reconnected();
                let outcome =
                    read_sse(&shared, r.into_body(), &mut parser, None, &mut shutdown).await;
                if outcome.ended == Ended::Shutdown {
                    return;
                }
                progress = outcome.progress;
            }
            Ok(r) => tracing::debug!(status = %r.status(), "the GET stream was refused"),
        }
        failures = if progress { 0 } else { failures + 1 };
        if failures > shared.config.max_reconnect_attempts {
            tracing::warn!(failures, "giving up the GET stream");
            return;
        }
        // Back off on repeated failures, from the server's delay.
        let factor = 1u32 << failures.saturating_sub(1).min(6);
        let delay = (retry_delay(&shared, &parser) * factor).min(shared.config.max_retry);
        tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => return,
            () = tokio::time::sleep(delay) => {}
        }
    }
}
