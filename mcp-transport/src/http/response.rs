//! Building responses: JSON-RPC error bodies, JSON messages, SSE streams, and
//! the HTTP status a 2026-07-28 answer gets.

use bytes::Bytes;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Response, StatusCode};
use mcp_types::{ErrorCode, ErrorObject, JsonRpcErrorResponse, JsonRpcMessage, RequestId};

use super::body::ResponseBody;
use super::sse::{self, SseBody};

/// The responses this service sends.
pub(crate) type HttpResponse = Response<ResponseBody>;

/// The JSON-RPC code of "no such session" answers (HTTP 404), from the range
/// JSON-RPC leaves to implementations.
pub(crate) const SESSION_NOT_FOUND: ErrorCode = ErrorCode(-32001);
/// The JSON-RPC code of transport-level refusals that have no code of their own
/// (wrong host, origin, media type, body too large, server busy).
pub(crate) const TRANSPORT_ERROR: ErrorCode = ErrorCode(-32000);

const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");
const EVENT_STREAM: HeaderValue = HeaderValue::from_static("text/event-stream");
const X_ACCEL_BUFFERING: http::HeaderName = http::HeaderName::from_static("x-accel-buffering");

/// A response with a status and no body.
pub(crate) fn status(status: StatusCode) -> HttpResponse {
    let mut r = Response::new(ResponseBody::empty());
    *r.status_mut() = status;
    r
}

/// A JSON body.
pub(crate) fn json(status: StatusCode, body: Bytes) -> HttpResponse {
    let mut r = Response::new(ResponseBody::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, APPLICATION_JSON);
    r
}

/// A JSON-RPC error response body.
pub(crate) fn error(status: StatusCode, id: Option<RequestId>, error: ErrorObject) -> HttpResponse {
    let message = JsonRpcMessage::Error(JsonRpcErrorResponse { id, error });
    json(status, sse::json(&message))
}

/// A JSON-RPC error with a code and message.
pub(crate) fn error_msg(
    status: StatusCode,
    id: Option<RequestId>,
    code: ErrorCode,
    message: impl Into<String>,
) -> HttpResponse {
    error(status, id, ErrorObject::new(code, message))
}

/// HTTP 405 naming the allowed methods.
pub(crate) fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut r = error_msg(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        TRANSPORT_ERROR,
        format!("Method not allowed: this endpoint accepts {allow}"),
    );
    r.headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    r
}

/// An SSE response.
pub(crate) fn sse(body: SseBody) -> HttpResponse {
    let mut r = Response::new(ResponseBody::sse(body));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, EVENT_STREAM);
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(X_ACCEL_BUFFERING, HeaderValue::from_static("no"));
    r
}

/// The HTTP status of a 2026-07-28 JSON answer: 404 for an unknown method, 400
/// for errors about the request itself, 200 for results and other errors.
pub(crate) fn stateless_status(message: &JsonRpcMessage) -> StatusCode {
    let JsonRpcMessage::Error(e) = message else {
        return StatusCode::OK;
    };
    match e.error.code {
        ErrorCode::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        ErrorCode::PARSE_ERROR
        | ErrorCode::INVALID_REQUEST
        | ErrorCode::INVALID_PARAMS
        | ErrorCode::HEADER_MISMATCH
        | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        | ErrorCode::UNSUPPORTED_PROTOCOL_VERSION => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    }
}
