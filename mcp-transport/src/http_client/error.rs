//! The errors of the HTTP clients: building one ([`HttpClientError`]), a
//! session the server ended ([`SessionExpired`]), and the JSON-RPC error
//! responses the transport makes up for requests HTTP could not answer.

use std::io;

use http::StatusCode;
use mcp_types::{ErrorCode, ErrorObject, JsonRpcErrorResponse, JsonRpcMessage, RequestId};

use crate::TransportError;

/// The JSON-RPC code of the error responses the transport makes up when HTTP
/// failed a request (an error status without a JSON-RPC body, a stream that
/// ended before the answer, a body too large). `data` then carries
/// `httpStatus` and `body` (an excerpt) when there was a response.
pub const HTTP_TRANSPORT_ERROR: ErrorCode = ErrorCode(-32000);

/// How much of an error body is kept in messages.
const EXCERPT: usize = 512;

/// Why an HTTP client could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpClientError {
    /// The URL does not parse, or has no host.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The URL's scheme is not `http` (TLS is not built in yet).
    #[error("unsupported URL scheme `{0}`: only `http` is supported")]
    UnsupportedScheme(String),
    /// A header name or value given to the builder is invalid.
    #[error("invalid header `{0}`")]
    InvalidHeader(String),
    /// A protocol version that is not a known revision.
    #[error("unknown MCP protocol version `{0}`")]
    UnknownProtocolVersion(String),
}

/// The server ended the session (HTTP 404 to a request carrying
/// `Mcp-Session-Id`) and the client did not start a new one in its place
/// (renewal turned off with
/// [`renew_sessions`](super::StreamableHttpClientBuilder::renew_sessions), or
/// the repeated `initialize` failed): the session is over.
///
/// The reader of [`StreamableHttpClient`](super::StreamableHttpClient) yields
/// it as a [`TransportError::Io`] whose inner error is this type, after the
/// error response of the request that met the 404; test for it with
/// [`is_session_expired`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server at {url} ended session `{session_id}` (HTTP 404); re-initialize")]
pub struct SessionExpired {
    /// The session that ended.
    pub session_id: String,
    /// The MCP endpoint.
    pub url: String,
}

/// Whether `error` says that the server ended the session ([`SessionExpired`]).
///
/// ```
/// use mcp_transport::TransportError;
/// use mcp_transport::http_client::is_session_expired;
///
/// assert!(!is_session_expired(&TransportError::Closed("bye".into())));
/// ```
pub fn is_session_expired(error: &TransportError) -> bool {
    matches!(error, TransportError::Io(e)
        if e.get_ref().is_some_and(|inner| inner.is::<SessionExpired>()))
}

impl SessionExpired {
    pub(crate) fn into_transport_error(self) -> TransportError {
        TransportError::Io(io::Error::new(io::ErrorKind::NotFound, self))
    }
}

/// A made-up error response to request `id`.
pub(crate) fn error_response(
    id: RequestId,
    message: String,
    data: Option<serde_json::Value>,
) -> JsonRpcMessage {
    let mut error = ErrorObject::new(HTTP_TRANSPORT_ERROR, message);
    error.data = data;
    JsonRpcMessage::Error(JsonRpcErrorResponse {
        id: Some(id),
        error,
    })
}

/// The start of a body as text, for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT)]);
    let mut text = text.trim().to_owned();
    if body.len() > EXCERPT {
        text.push('…');
    }
    text
}

/// The answer to request `id` that met an error status: the body itself when
/// it is a JSON-RPC error (with the request's id), else a made-up error naming
/// the status and the start of the body.
pub(crate) fn status_error(
    id: RequestId,
    method: &str,
    url: &str,
    status: StatusCode,
    body: &[u8],
) -> JsonRpcMessage {
    if let Ok(JsonRpcMessage::Error(mut e)) = JsonRpcMessage::from_slice(body) {
        e.id = Some(id);
        return JsonRpcMessage::Error(e);
    }
    let text = excerpt(body);
    let message = if text.is_empty() {
        format!("HTTP {status} from {url} for `{method}`")
    } else {
        format!("HTTP {status} from {url} for `{method}`: {text}")
    };
    error_response(
        id,
        message,
        Some(serde_json::json!({ "httpStatus": status.as_u16(), "body": text })),
    )
}

/// An I/O error of a request to `url`, for the reader.
pub(crate) fn connect_error(
    method: &http::Method,
    url: &str,
    err: &hyper_util::client::legacy::Error,
) -> TransportError {
    let mut kind = io::ErrorKind::Other;
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            kind = io.kind();
        }
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    TransportError::Io(io::Error::new(kind, format!("{method} {url}: {text}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_errors() {
        let body = br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32022,"message":"unsupported","data":{"supported":["2026-07-28"]}}}"#;
        let JsonRpcMessage::Error(e) = status_error(
            RequestId::Number(4),
            "tools/list",
            "http://x/",
            StatusCode::BAD_REQUEST,
            body,
        ) else {
            panic!()
        };
        assert_eq!(e.id, Some(RequestId::Number(4)));
        assert_eq!(e.error.code, ErrorCode::UNSUPPORTED_PROTOCOL_VERSION);

        let JsonRpcMessage::Error(e) = status_error(
            RequestId::Number(5),
            "ping",
            "http://x/",
            StatusCode::BAD_GATEWAY,
            b"upstream down",
        ) else {
            panic!()
        };
        assert_eq!(e.error.code, HTTP_TRANSPORT_ERROR);
        assert!(e.error.message.contains("502") && e.error.message.contains("upstream down"));
        assert_eq!(e.error.data.unwrap()["httpStatus"], 502);

        let long = vec![b'a'; 2000];
        assert!(excerpt(&long).ends_with('…'));
    }

    #[test]
    fn session_expired_is_detectable() {
        let e = SessionExpired {
            session_id: "s".into(),
            url: "http://x/".into(),
        }
        .into_transport_error();
        assert!(is_session_expired(&e));
        assert!(e.to_string().contains("re-initialize"));
        assert!(!e.is_recoverable());
    }
}
