//! Errors: [`ToolError`], what handlers fail with, and [`Error`], what running a
//! server fails with.

use std::fmt;

use mcp_lowlevel::HandlerError;
use mcp_types::{ErrorCode, ErrorObject, InputRequest, InputRequiredResult};

/// What a handler fails with.
///
/// Most failures are *tool execution errors*: the model sees them as an
/// `isError` result and can correct itself. Some are protocol errors
/// ([`ToolError::protocol`]) answered with a JSON-RPC error. And in 2026-07-28 a
/// handler that needs input from the client stops with an internal
/// "input required" value that the server turns into an `InputRequiredResult`;
/// propagate [`Context`](crate::Context) errors with `?` so it gets through.
///
/// ```
/// use mcp_server::ToolError;
///
/// let e = ToolError::msg("the file is too large");
/// assert_eq!(e.to_string(), "the file is too large");
/// ```
pub struct ToolError {
    pub(crate) kind: ToolErrorKind,
}

pub(crate) enum ToolErrorKind {
    Message(String),
    Protocol(ErrorObject),
    InputRequired {
        requests: Vec<(String, InputRequest)>,
    },
}

impl ToolError {
    /// A tool execution error with a message for the model.
    pub fn msg(message: impl fmt::Display) -> Self {
        ToolError {
            kind: ToolErrorKind::Message(message.to_string()),
        }
    }

    /// A protocol error: answered with a JSON-RPC error instead of an `isError` result.
    pub fn protocol(error: ErrorObject) -> Self {
        ToolError {
            kind: ToolErrorKind::Protocol(error),
        }
    }

    /// Stops the handler to ask the client for `requests` (2026-07-28).
    pub(crate) fn input_required(requests: Vec<(String, InputRequest)>) -> Self {
        ToolError {
            kind: ToolErrorKind::InputRequired { requests },
        }
    }

    /// Whether this is the "input required" stop of a Multi Round-Trip Request.
    pub fn is_input_required(&self) -> bool {
        matches!(self.kind, ToolErrorKind::InputRequired { .. })
    }

    /// The JSON-RPC error, for protocol errors.
    pub fn as_protocol(&self) -> Option<&ErrorObject> {
        match &self.kind {
            ToolErrorKind::Protocol(e) => Some(e),
            _ => None,
        }
    }

    /// Splits the error into what the protocol layer answers: `Ok(message)` for
    /// an execution error shown to the model, `Err` for the rest.
    pub(crate) fn into_outcome(
        self,
        seal: impl FnOnce(Vec<(String, InputRequest)>) -> InputRequiredResult,
    ) -> Result<String, HandlerError> {
        match self.kind {
            ToolErrorKind::Message(m) => Ok(m),
            ToolErrorKind::Protocol(e) => Err(HandlerError::Rpc(e)),
            ToolErrorKind::InputRequired { requests } => Err(HandlerError::from(seal(requests))),
        }
    }

    /// The error as a [`HandlerError`] (for prompts and resources, where there
    /// is no `isError` result: messages become `-32603`).
    pub(crate) fn into_handler_error(
        self,
        seal: impl FnOnce(Vec<(String, InputRequest)>) -> InputRequiredResult,
    ) -> HandlerError {
        match self.into_outcome(seal) {
            Ok(message) => HandlerError::new(ErrorCode::INTERNAL_ERROR, message),
            Err(e) => e,
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ToolErrorKind::Message(m) => f.write_str(m),
            ToolErrorKind::Protocol(e) => write!(f, "{e}"),
            ToolErrorKind::InputRequired { requests } => {
                write!(
                    f,
                    "input required from the client ({} request(s))",
                    requests.len()
                )
            }
        }
    }
}

impl fmt::Debug for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ToolError({self})")
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for ToolError {
    fn from(e: E) -> Self {
        ToolError::msg(e)
    }
}

/// What starting or running a server fails with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The lifespan setup failed.
    #[error("lifespan setup failed: {0}")]
    Lifespan(mcp_lowlevel::BoxError),
    /// The transport failed.
    #[error(transparent)]
    Transport(#[from] mcp_transport::TransportError),
    /// Binding or serving the network address failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The command line asks for something [`McpServer::run`](crate::McpServer::run) cannot do.
    #[error("usage: {0}")]
    Usage(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
