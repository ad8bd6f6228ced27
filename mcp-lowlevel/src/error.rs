//! Errors: what a handler returns ([`HandlerError`]) and what a call to the peer
//! can end in ([`PeerError`]).

use std::time::Duration;

use mcp_types::{ErrorCode, ErrorObject, InputRequiredResult};

/// What a request handler returns instead of a result.
///
/// Besides a JSON-RPC error, a 2026-07-28 handler may stop because it needs
/// input from the client (a Multi Round-Trip Request): the engine answers with
/// the [`InputRequiredResult`] and the client retries with the responses.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum HandlerError {
    /// Answer with this JSON-RPC error.
    #[error(transparent)]
    Rpc(#[from] ErrorObject),
    /// Answer with an `InputRequiredResult` (2026-07-28 only).
    #[error("input required from the client")]
    InputRequired(Box<InputRequiredResult>),
}

impl HandlerError {
    /// `-32602 Invalid params` with a message.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        ErrorObject::new(ErrorCode::INVALID_PARAMS, message).into()
    }

    /// `-32603 Internal error` with a message.
    pub fn internal(message: impl Into<String>) -> Self {
        ErrorObject::new(ErrorCode::INTERNAL_ERROR, message).into()
    }

    /// `-32601 Method not found` for `method`.
    pub fn method_not_found(method: &str) -> Self {
        ErrorObject::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
        .into()
    }

    /// An error with any code.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorObject::new(code, message).into()
    }
}

impl From<InputRequiredResult> for HandlerError {
    fn from(r: InputRequiredResult) -> Self {
        HandlerError::InputRequired(Box::new(r))
    }
}

/// Why a request sent to the peer did not produce a result.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// The peer answered with a JSON-RPC error.
    #[error("the peer answered with an error: {0}")]
    Rpc(ErrorObject),
    /// No answer within the timeout; `notifications/cancelled` was sent.
    #[error("request timed out after {0:?}")]
    Timeout(Duration),
    /// The connection ended before the answer arrived.
    #[error("connection closed: {0}")]
    Closed(String),
    /// The answer did not have the expected shape.
    #[error("invalid response from the peer: {0}")]
    InvalidResponse(String),
    /// The request could not be encoded.
    #[error("could not encode the request: {0}")]
    Encode(String),
    /// The request was cancelled locally.
    #[error("request cancelled")]
    Cancelled,
}

impl PeerError {
    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, PeerError::Timeout(_))
    }

    /// Whether the connection is gone.
    pub fn is_closed(&self) -> bool {
        matches!(self, PeerError::Closed(_))
    }

    /// The JSON-RPC error the peer answered with, if that is what happened.
    pub fn rpc(&self) -> Option<&ErrorObject> {
        match self {
            PeerError::Rpc(e) => Some(e),
            _ => None,
        }
    }
}
