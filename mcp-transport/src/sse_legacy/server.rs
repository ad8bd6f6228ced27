//! [`SseServerService`]: the legacy HTTP+SSE server as a `tower::Service`:
//! `GET` of the SSE path opens a session, `POST` of the messages path with
//! `?sessionId=` delivers a message to it.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::SinkExt;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Limited};
use mcp_types::{ErrorCode, ErrorObject, JsonRpcErrorResponse, JsonRpcMessage, JsonRpcPayload};

use super::config::SseServerConfig;
use super::guard::{self, Refused};
use super::session::{SessionGuard, SessionStream, SseResponseBody, Table};
use crate::Inbound;
use crate::http::{SessionHandler, SessionTransport};

/// The code of transport-level refusals, as the Streamable HTTP server uses it.
const TRANSPORT_ERROR: ErrorCode = ErrorCode(-32000);

/// The legacy HTTP+SSE server (revision 2024-11-05) at two paths: `GET`
/// [`sse_path`](SseServerConfig::sse_path) opens a session and its SSE stream,
/// whose first event, `endpoint`, names
/// `<messages path>?sessionId=<id>`; `POST` there delivers one message to the
/// session's engine and gets `202 Accepted`. Every message the engine writes
/// goes to the SSE stream as a `message` event. The session (and the engine's
/// reader) ends when the client drops the stream, and the stream ends when
/// the engine closes its writer.
///
/// The engine is a [`SessionHandler`] run once per session on a
/// [`SessionTransport`] whose inbound messages carry the `POST`'s
/// `http::request::Parts`. `Host` and `Origin` are checked as by the
/// Streamable HTTP server; sessions, bodies and queues are bounded (see
/// [`SseServerConfig`]). Cheap to clone; never fails.
pub struct SseServerService<H> {
    inner: Arc<Inner<H>>,
}

struct Inner<H> {
    handler: H,
    config: SseServerConfig,
    table: Arc<Table>,
}

impl<H> Drop for Inner<H> {
    fn drop(&mut self) {
        self.table.clear();
    }
}

impl<H> Clone for SseServerService<H> {
    fn clone(&self) -> Self {
        SseServerService {
            inner: self.inner.clone(),
        }
    }
}

impl<H> fmt::Debug for SseServerService<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseServerService")
            .field("config", &self.inner.config)
            .field("sessions", &self.inner.table.len())
            .finish_non_exhaustive()
    }
}

impl<H: SessionHandler> SseServerService<H> {
    /// A service with the default [`SseServerConfig`].
    pub fn new(handler: H) -> Self {
        Self::with_config(handler, SseServerConfig::default())
    }

    /// A service with the given options.
    pub fn with_config(handler: H, config: SseServerConfig) -> Self {
        SseServerService {
            inner: Arc::new(Inner {
                handler,
                config,
                table: Arc::new(Table::default()),
            }),
        }
    }

    /// The options in force.
    pub fn config(&self) -> &SseServerConfig {
        &self.inner.config
    }

    /// How many sessions (SSE connections) are open.
    pub fn session_count(&self) -> usize {
        self.inner.table.len()
    }
}

impl<H, B> tower::Service<Request<B>> for SseServerService<H>
where
    H: SessionHandler,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<SseResponseBody>;
    type Error = Infallible;
    type Future = SseResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> SseResponseFuture {
        let inner = self.inner.clone();
        SseResponseFuture {
            inner: Box::pin(async move { Ok(inner.handle(request).await) }),
        }
    }
}

/// The future of [`SseServerService`]'s response.
pub struct SseResponseFuture {
    inner: Pin<Box<dyn Future<Output = Result<Response<SseResponseBody>, Infallible>> + Send>>,
}

impl Future for SseResponseFuture {
    type Output = Result<Response<SseResponseBody>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for SseResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseResponseFuture").finish_non_exhaustive()
    }
}

/// A JSON-RPC error body (without id) with `status`.
fn refuse(
    status: StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
) -> Response<SseResponseBody> {
    let body = JsonRpcMessage::Error(JsonRpcErrorResponse {
        id: None,
        error: ErrorObject::new(code, message),
    })
    .to_json();
    let mut r = Response::new(SseResponseBody::full(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn method_not_allowed(allow: &'static str) -> Response<SseResponseBody> {
    let mut r = refuse(
        StatusCode::METHOD_NOT_ALLOWED,
        TRANSPORT_ERROR,
        format!("Method not allowed: use {allow}"),
    );
    r.headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    r
}

fn is_json(headers: &http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The `sessionId` query parameter.
fn session_param(uri: &http::Uri) -> Option<&str> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("sessionId="))
        .filter(|id| !id.is_empty())
}

impl<H: SessionHandler> Inner<H> {
    async fn handle<B>(self: Arc<Self>, request: Request<B>) -> Response<SseResponseBody>
    where
        B: Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        match guard::check(&self.config, &parts) {
            Ok(()) => {}
            Err(Refused::Host) => {
                return refuse(
                    StatusCode::MISDIRECTED_REQUEST,
                    TRANSPORT_ERROR,
                    "Misdirected Request: Host not allowed",
                );
            }
            Err(Refused::Origin) => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    TRANSPORT_ERROR,
                    "Forbidden: Origin not allowed",
                );
            }
        }
        let path = parts.uri.path();
        if path == self.config.sse_path {
            if parts.method != Method::GET {
                return method_not_allowed("GET");
            }
            return self.open();
        }
        if path == self.config.messages_path {
            if parts.method != Method::POST {
                return method_not_allowed("POST");
            }
            return self.post(parts, body).await;
        }
        refuse(StatusCode::NOT_FOUND, TRANSPORT_ERROR, "Not Found")
    }

    /// `GET` of the SSE path: a new session and its stream.
    fn open(&self) -> Response<SseResponseBody> {
        let config = &self.config;
        if self.table.len() >= config.max_sessions {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                TRANSPORT_ERROR,
                "Service Unavailable: too many sessions",
            );
        }
        let id = match guard::new_session_id() {
            Ok(id) => id,
            Err(e) => {
                tracing::error!(error = %e, "no randomness for a session id");
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    TRANSPORT_ERROR,
                    "Internal Server Error",
                );
            }
        };
        let (transport, end) =
            SessionTransport::channel(config.channel_capacity, Some(id.as_str().into()), true);
        if !self
            .table
            .insert(id.clone(), end.inbound, config.max_sessions)
        {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                TRANSPORT_ERROR,
                "Service Unavailable: too many sessions",
            );
        }
        tokio::spawn(self.handler.serve(transport));
        let base = config
            .endpoint_url
            .as_deref()
            .unwrap_or(&config.messages_path);
        let sep = if base.contains('?') { '&' } else { '?' };
        let endpoint = format!("{base}{sep}sessionId={id}");
        tracing::debug!(session = %id, "legacy SSE session started");
        let guard = SessionGuard {
            table: self.table.clone(),
            id,
            close: end.close,
        };
        let stream = SessionStream::new(&endpoint, end.outbound, config.keep_alive, guard);
        let mut r = Response::new(SseResponseBody::stream(stream));
        let h = r.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert("x-accel-buffering", HeaderValue::from_static("no"));
        r
    }

    /// `POST ?sessionId=`: one message for the session's engine.
    async fn post<B>(&self, parts: http::request::Parts, body: B) -> Response<SseResponseBody>
    where
        B: Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let Some(id) = session_param(&parts.uri) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                TRANSPORT_ERROR,
                "Bad Request: the sessionId query parameter is required",
            );
        };
        let Some(mut inbound) = self.table.get(id) else {
            return refuse(
                StatusCode::NOT_FOUND,
                TRANSPORT_ERROR,
                "Could not find session",
            );
        };
        if !is_json(&parts.headers) {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                TRANSPORT_ERROR,
                "Unsupported Media Type: Content-Type must be application/json",
            );
        }
        let limit = self.config.max_body_size;
        let bytes: Bytes = match Limited::new(body, limit).collect().await {
            Ok(c) => c.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    TRANSPORT_ERROR,
                    format!("Payload Too Large: the body exceeds {limit} bytes"),
                );
            }
            Err(_) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    TRANSPORT_ERROR,
                    "Bad Request: the body could not be read",
                );
            }
        };
        let message = match JsonRpcPayload::from_slice(&bytes) {
            Ok(JsonRpcPayload::Single(m)) => m,
            Ok(JsonRpcPayload::Batch(_)) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::INVALID_REQUEST,
                    "Invalid Request: batches are not part of 2024-11-05",
                );
            }
            Err(e) => {
                let body = JsonRpcMessage::Error(e.to_response()).to_json();
                let mut r = Response::new(SseResponseBody::full(body));
                *r.status_mut() = StatusCode::BAD_REQUEST;
                r.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                return r;
            }
        };
        let mut inbound_message = Inbound::from(message);
        inbound_message.extensions.insert(parts);
        if inbound.send(inbound_message).await.is_err() {
            return refuse(
                StatusCode::NOT_FOUND,
                TRANSPORT_ERROR,
                "Could not find session",
            );
        }
        let mut r = Response::new(SseResponseBody::full("Accepted"));
        *r.status_mut() = StatusCode::ACCEPTED;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_query() {
        let uri: http::Uri = "/messages?x=1&sessionId=abc".parse().unwrap();
        assert_eq!(session_param(&uri), Some("abc"));
        let uri: http::Uri = "/messages?sessionId=".parse().unwrap();
        assert_eq!(session_param(&uri), None);
        let uri: http::Uri = "/messages".parse().unwrap();
        assert_eq!(session_param(&uri), None);
    }
}
