//! [`ClientError`]: everything a call through a [`ClientSession`](crate::ClientSession) can end in.

use std::time::Duration;

use mcp_lowlevel::PeerError;
use mcp_types::{ErrorCode, ErrorObject, ProtocolVersion};

/// The result type of this crate.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// Why a client call did not produce a result.
///
/// ```
/// use mcp_client::ClientError;
/// use mcp_types::{ErrorCode, ErrorObject};
///
/// let err = ClientError::Rpc(ErrorObject::new(ErrorCode::INVALID_PARAMS, "Unknown tool: nope"));
/// assert_eq!(err.rpc().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS));
/// assert!(!err.is_timeout() && !err.is_closed());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with a JSON-RPC error.
    #[error("the server answered with an error: {0}")]
    Rpc(ErrorObject),
    /// No answer within the timeout; the request was cancelled.
    #[error("request timed out after {0:?}")]
    Timeout(Duration),
    /// The connection to the server ended (the server exited, the transport
    /// closed, or the session was closed).
    #[error("connection to the server closed: {0}")]
    Closed(String),
    /// The server's answer did not have the expected shape.
    #[error("invalid response from the server: {0}")]
    InvalidResponse(String),
    /// The request could not be encoded (e.g. tool arguments that are not a JSON object).
    #[error("could not encode the request: {0}")]
    Encode(String),
    /// Setting up the session failed: no protocol revision both sides speak,
    /// or the handshake was refused.
    #[error("could not establish the session: {0}")]
    Handshake(String),
    /// The method does not exist in the revision the session speaks.
    #[error("`{method}` is not available in protocol revision {version}{hint}")]
    NotInRevision {
        /// The method.
        method: &'static str,
        /// The revision of the session.
        version: ProtocolVersion,
        /// What to use instead, as a sentence fragment (may be empty).
        hint: &'static str,
    },
    /// The server asked for input (sampling, elicitation, roots) that this
    /// client has no callback for.
    #[error("the server asked for `{method}` (input `{key}`), but no callback for it is set")]
    MissingCallback {
        /// The method of the input request.
        method: String,
        /// The key of the input request in `inputRequests`.
        key: String,
    },
    /// The server asked for input of a kind this client does not know.
    #[error("the server asked for input of an unknown kind `{method}` (input `{key}`)")]
    UnsupportedInputRequest {
        /// The method named by the input request.
        method: String,
        /// The key of the input request in `inputRequests`.
        key: String,
    },
    /// A callback answering the server's input request failed.
    #[error("the `{method}` callback failed: {error}")]
    Callback {
        /// The method the callback answers.
        method: String,
        /// What the callback returned.
        error: Box<ErrorObject>,
    },
    /// The server kept asking for input beyond the allowed number of rounds.
    #[error("the server asked for input more than {0} times for one request")]
    TooManyInputRounds(usize),
    /// A tool's `structuredContent` does not match its `outputSchema`.
    #[error(
        "tool `{tool}` returned structured content that does not match its output schema: {message}"
    )]
    InvalidStructuredContent {
        /// The tool.
        tool: String,
        /// What is wrong.
        message: String,
    },
    /// No session of a [`ClientSessionGroup`](crate::ClientSessionGroup) has this tool, prompt or resource.
    #[error("no connected server offers {kind} `{name}`")]
    NotFound {
        /// `"tool"`, `"prompt"` or `"resource"`.
        kind: &'static str,
        /// The name or URI asked for.
        name: String,
    },
    /// Two servers of a [`ClientSessionGroup`](crate::ClientSessionGroup) offer the same name.
    #[error("{kind} `{name}` is offered by both `{first}` and `{second}`")]
    NameCollision {
        /// `"tool"`, `"prompt"`, `"resource"` or `"server"`.
        kind: &'static str,
        /// The colliding name.
        name: String,
        /// The server that had it first.
        first: String,
        /// The server being added.
        second: String,
    },
    /// The server process could not be started.
    #[cfg(feature = "child-process")]
    #[error(transparent)]
    Spawn(#[from] mcp_transport::ChildProcessError),
    /// The HTTP client could not be set up (a bad URL or header).
    #[cfg(feature = "http")]
    #[error(transparent)]
    Http(#[from] mcp_transport::http_client::HttpClientError),
}

impl ClientError {
    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, ClientError::Timeout(_))
    }

    /// Whether the connection to the server is gone.
    pub fn is_closed(&self) -> bool {
        matches!(self, ClientError::Closed(_))
    }

    /// The JSON-RPC error the server answered with, if that is what happened.
    pub fn rpc(&self) -> Option<&ErrorObject> {
        match self {
            ClientError::Rpc(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the server answered "method not found" (`-32601`).
    pub fn is_method_not_found(&self) -> bool {
        self.rpc()
            .is_some_and(|e| e.code == ErrorCode::METHOD_NOT_FOUND)
    }
}

impl From<PeerError> for ClientError {
    fn from(e: PeerError) -> Self {
        match e {
            PeerError::Rpc(e) => ClientError::Rpc(e),
            PeerError::Timeout(d) => ClientError::Timeout(d),
            PeerError::Closed(reason) => ClientError::Closed(reason),
            PeerError::InvalidResponse(m) => ClientError::InvalidResponse(m),
            PeerError::Encode(m) => ClientError::Encode(m),
            PeerError::Cancelled => ClientError::Closed("the request was cancelled".into()),
            other => ClientError::InvalidResponse(other.to_string()),
        }
    }
}
