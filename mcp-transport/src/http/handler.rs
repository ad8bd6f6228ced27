//! [`SessionHandler`]: what the HTTP server runs on each transport it opens.

use std::future::Future;

use super::session_transport::SessionTransport;

/// Runs a protocol engine on a [`SessionTransport`] that the HTTP server opened:
/// once per session in the session era (2025-03-26 to 2025-11-25), once per
/// `POST` in 2026-07-28.
///
/// The future runs on its own task; it should end when the transport's reader
/// ends. Any `Fn(SessionTransport) -> impl Future<Output = ()>` is a handler:
///
/// ```
/// use futures::{SinkExt, StreamExt};
/// use mcp_transport::http::{SessionTransport, StreamableHttpService};
/// use mcp_transport::{Outbound, Transport};
/// use mcp_types::{JsonRpcMessage, JsonRpcResultResponse};
///
/// // An engine that answers every request with `{}`.
/// let service = StreamableHttpService::new(|transport: SessionTransport| async move {
///     let (mut reader, mut writer) = transport.split();
///     while let Some(Ok(inbound)) = reader.next().await {
///         if let JsonRpcMessage::Request(r) = inbound.message {
///             let response = JsonRpcResultResponse::new(r.id.clone(), &serde_json::json!({})).unwrap();
///             let out = Outbound { message: JsonRpcMessage::Response(response), related_request: Some(r.id) };
///             if writer.send(out).await.is_err() {
///                 break;
///             }
///         }
///     }
/// });
/// # drop(service);
/// ```
pub trait SessionHandler: Send + Sync + 'static {
    /// Serves one transport until its reader ends.
    fn serve(&self, transport: SessionTransport) -> impl Future<Output = ()> + Send + 'static;
}

impl<F, Fut> SessionHandler for F
where
    F: Fn(SessionTransport) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    fn serve(&self, transport: SessionTransport) -> impl Future<Output = ()> + Send + 'static {
        self(transport)
    }
}
