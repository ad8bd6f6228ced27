//! [`SessionHandler`]: what the HTTP server runs on each transport it opens.

use std::future::Future;
use std::pin::Pin;

use futures::Stream;
use mcp_types::JsonRpcMessage;

use super::session_transport::SessionTransport;
use crate::Inbound;

/// What a server sends about one 2026-07-28 message, as
/// [`SessionHandler::answer`] returns it: the notifications about a request,
/// then its response, then the end. Dropping it before the end cancels the
/// request.
pub type Answer = Pin<Box<dyn Stream<Item = JsonRpcMessage> + Send + 'static>>;

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

    /// Answers one 2026-07-28 message (the body of a `POST`) directly; or, as
    /// the default does, gives it back to be served by
    /// [`serve`](Self::serve) on a transport that carries only this message.
    ///
    /// A handler that can answer a message without a connection (as
    /// `mcp_lowlevel::RunningServer::answer` does) saves a channel pair and an
    /// engine per request.
    // The message goes back by move, once per `POST`: boxing it would cost an
    // allocation on the fallback path to save a 136-byte move.
    #[allow(clippy::result_large_err)]
    fn answer(&self, inbound: Inbound) -> Result<Answer, Inbound> {
        Err(inbound)
    }
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
