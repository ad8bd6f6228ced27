//! [`StreamableHttpService`]: the `tower::Service` at the MCP endpoint, which
//! checks each request and hands it to the era it belongs to.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Method, Request, Response, StatusCode};
use http_body::Body;
use mcp_types::{ErrorCode, JsonRpcMessage, JsonRpcPayload, ProtocolVersion};

use super::body::{BodyError, ResponseBody, read_body};
use super::config::StreamableHttpConfig;
use super::guard::{self, Rebinding};
use super::handler::SessionHandler;
use super::peek::Peek;
use super::response::{self, HttpResponse, TRANSPORT_ERROR};
use super::session::{self, protocol_header};
use super::sse;
use super::stateless;
use super::table::SessionTable;

/// The Streamable HTTP server at one MCP endpoint, for both protocol eras,
/// chosen per request: a `tower::Service<http::Request<B>>` for any request
/// body `B`, answering with a [`ResponseBody`].
///
/// It is cheap to clone (clones share the sessions) and never fails
/// (`Error = Infallible`), so it mounts anywhere tower services do:
///
/// ```
/// use mcp_transport::http::{SessionTransport, StreamableHttpService};
///
/// let service = StreamableHttpService::new(|transport: SessionTransport| async move {
///     // Run the protocol engine on `transport` here.
///     drop(transport);
/// });
/// // axum:  Router::new().nest_service("/mcp", service)
/// // hyper: hyper_util::service::TowerToHyperService::new(service)
/// // or the runner of this module: HttpServer::bind(addr).await?.serve(service)
/// # drop(service);
/// ```
///
/// CORS is not this service's business: browsers that need it get it from
/// `tower_http::cors::CorsLayer` around the service (expose the
/// `Mcp-Session-Id` header and allow `Mcp-Session-Id`, `MCP-Protocol-Version`,
/// `Mcp-Method`, `Mcp-Name`, `Last-Event-ID` and your `Mcp-Param-*` headers).
pub struct StreamableHttpService<H> {
    inner: Arc<Inner<H>>,
}

pub(crate) struct Inner<H> {
    pub(crate) handler: H,
    pub(crate) config: StreamableHttpConfig,
    pub(crate) table: Arc<SessionTable>,
}

impl<H> Drop for Inner<H> {
    fn drop(&mut self) {
        // The last clone of the service is gone: so are its sessions.
        self.table.close_all();
    }
}

impl<H> Clone for StreamableHttpService<H> {
    fn clone(&self) -> Self {
        StreamableHttpService {
            inner: self.inner.clone(),
        }
    }
}

impl<H> fmt::Debug for StreamableHttpService<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamableHttpService")
            .field("config", &self.inner.config)
            .field("sessions", &self.inner.table.len())
            .finish_non_exhaustive()
    }
}

impl<H: SessionHandler> StreamableHttpService<H> {
    /// A service with the default [`StreamableHttpConfig`].
    pub fn new(handler: H) -> Self {
        Self::with_config(handler, StreamableHttpConfig::default())
    }

    /// A service with the given options.
    pub fn with_config(handler: H, config: StreamableHttpConfig) -> Self {
        let table = SessionTable::new(config.max_sessions, config.idle_timeout);
        StreamableHttpService {
            inner: Arc::new(Inner {
                handler,
                config,
                table,
            }),
        }
    }

    /// The options in force.
    pub fn config(&self) -> &StreamableHttpConfig {
        &self.inner.config
    }

    /// How many sessions are open.
    pub fn session_count(&self) -> usize {
        self.inner.table.len()
    }

    /// Ends every open session (their engines' readers end), e.g. at shutdown.
    pub fn close_sessions(&self) {
        self.inner.table.close_all();
    }
}

impl<H, B> tower::Service<Request<B>> for StreamableHttpService<H>
where
    H: SessionHandler,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture {
        let inner = self.inner.clone();
        ResponseFuture {
            inner: Box::pin(async move { Ok(inner.handle(request).await) }),
        }
    }
}

/// The future of [`StreamableHttpService`]'s response.
pub struct ResponseFuture {
    inner: Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, Infallible>> + Send>>,
}

impl Future for ResponseFuture {
    type Output = Result<Response<ResponseBody>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

fn is_stateless_header(parts: &http::request::Parts) -> bool {
    protocol_header(parts)
        .and_then(ProtocolVersion::parse)
        .is_some_and(ProtocolVersion::is_stateless)
}

impl<H: SessionHandler> Inner<H> {
    async fn handle<B>(self: Arc<Self>, request: Request<B>) -> HttpResponse
    where
        B: Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        match guard::check_rebinding(&self.config, &parts) {
            Ok(()) => {}
            Err(Rebinding::BadHost) => {
                return response::error_msg(
                    StatusCode::MISDIRECTED_REQUEST,
                    None,
                    TRANSPORT_ERROR,
                    "Misdirected Request: Host not allowed",
                );
            }
            Err(Rebinding::BadOrigin) => {
                return response::error_msg(
                    StatusCode::FORBIDDEN,
                    None,
                    TRANSPORT_ERROR,
                    "Forbidden: Origin not allowed",
                );
            }
        }
        let method = parts.method.clone();
        if method == Method::POST {
            return self.post(parts, body).await;
        }
        if method != Method::GET && method != Method::DELETE {
            return response::method_not_allowed("GET, POST, DELETE");
        }
        if is_stateless_header(&parts) {
            // 2026-07-28 has no GET stream and no sessions to delete.
            return response::method_not_allowed("POST");
        }
        if method == Method::GET {
            let accept = guard::accept(&parts.headers);
            session::get(&self, parts, accept).await
        } else {
            session::delete(&self, parts)
        }
    }

    async fn post<B>(self: &Arc<Self>, parts: http::request::Parts, body: B) -> HttpResponse
    where
        B: Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if !guard::is_json(&parts.headers) {
            return response::error_msg(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                None,
                TRANSPORT_ERROR,
                "Unsupported Media Type: Content-Type must be application/json",
            );
        }
        let accept = guard::accept(&parts.headers);
        if !accept.json && !accept.sse {
            return response::error_msg(
                StatusCode::NOT_ACCEPTABLE,
                None,
                TRANSPORT_ERROR,
                "Not Acceptable: the client must accept application/json or text/event-stream",
            );
        }
        let bytes = match read_body(body, self.config.max_body_size).await {
            Ok(b) => b,
            Err(BodyError::TooLarge) => {
                return response::error_msg(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    None,
                    TRANSPORT_ERROR,
                    format!(
                        "Payload Too Large: the body exceeds {} bytes",
                        self.config.max_body_size
                    ),
                );
            }
            Err(BodyError::Read) => return response::status(StatusCode::BAD_REQUEST),
        };
        let payload = match JsonRpcPayload::from_slice(&bytes) {
            Ok(p) => p,
            Err(e) => {
                let answer = JsonRpcMessage::Error(e.to_response());
                return response::json(StatusCode::BAD_REQUEST, sse::json(&answer));
            }
        };
        let stateless_header = is_stateless_header(&parts);
        match payload {
            JsonRpcPayload::Single(message) => {
                if stateless_header || Peek::of(&message).has_protocol_version {
                    stateless::post(self, parts, message, accept).await
                } else {
                    session::post(self, parts, JsonRpcPayload::Single(message), accept).await
                }
            }
            JsonRpcPayload::Batch(_) if stateless_header => response::error_msg(
                StatusCode::BAD_REQUEST,
                None,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: 2026-07-28 does not allow batches",
            ),
            batch => session::post(self, parts, batch, accept).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::SessionTransport;

    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}

    #[test]
    fn types_cross_threads() {
        type Handler = fn(SessionTransport) -> std::future::Ready<()>;
        send_sync::<StreamableHttpService<Handler>>();
        send_sync::<ResponseBody>();
        send::<ResponseFuture>();
    }
}
