//! What the engine hands to a service: [`Incoming`], and the [`McpService`]
//! bound every MCP service (a router, or a router wrapped in layers) meets.

use mcp_types::{
    ErrorCode, ErrorObject, JsonRpcErrorResponse, JsonRpcMessage, JsonRpcNotification,
    JsonRpcRequest, RequestId,
};
use tokio_util::sync::CancellationToken;

use crate::Peer;

/// The error type services may fail with; the engine answers it with
/// `-32603 Internal error` (or a timeout message for `tower::timeout`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An incoming request or notification, as a service receives it.
#[derive(Debug)]
pub struct Incoming {
    /// The message.
    pub message: IncomingMessage,
    /// The connection's peer, related to this request.
    pub peer: Peer,
    /// Cancelled when the peer cancels the request (the engine also drops the
    /// handler's future then, and sends no response).
    pub cancellation: CancellationToken,
    /// Transport facts, e.g. HTTP request parts or authentication info.
    pub extensions: http::Extensions,
}

/// A request or a notification.
#[derive(Debug)]
pub enum IncomingMessage {
    /// A request: the service answers it.
    Request(JsonRpcRequest),
    /// A notification: the service answers nothing.
    Notification(JsonRpcNotification),
}

impl Incoming {
    /// The method of the message.
    pub fn method(&self) -> &str {
        match &self.message {
            IncomingMessage::Request(r) => &r.method,
            IncomingMessage::Notification(n) => &n.method,
        }
    }

    /// The request id, for requests.
    pub fn request_id(&self) -> Option<&RequestId> {
        match &self.message {
            IncomingMessage::Request(r) => Some(&r.id),
            IncomingMessage::Notification(_) => None,
        }
    }
}

/// A `tower::Service` that answers MCP messages: `None` for notifications,
/// the response (result or error) for requests.
///
/// Every `Service<Incoming, Response = Option<JsonRpcMessage>>` that is
/// `Clone + Send + 'static` with a boxable error is one, so any tower layer
/// stack over a router qualifies.
pub trait McpService:
    tower::Service<
        Incoming,
        Response = Option<JsonRpcMessage>,
        Error: Into<BoxError>,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static
{
}

impl<S> McpService for S where
    S: tower::Service<
            Incoming,
            Response = Option<JsonRpcMessage>,
            Error: Into<BoxError>,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// An error response for `id`.
pub(crate) fn error_response(id: RequestId, error: ErrorObject) -> JsonRpcMessage {
    JsonRpcMessage::Error(JsonRpcErrorResponse {
        id: Some(id),
        error,
    })
}

/// The answer to a request whose service failed.
pub(crate) fn service_error(id: RequestId, error: BoxError) -> JsonRpcMessage {
    let message = if error.is::<tower::timeout::error::Elapsed>() {
        "Request timed out".to_owned()
    } else {
        format!("Internal error: {error}")
    };
    error_response(id, ErrorObject::new(ErrorCode::INTERNAL_ERROR, message))
}
