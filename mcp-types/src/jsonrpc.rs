//! The JSON-RPC 2.0 envelope: requests, notifications, responses, errors and batches.
//!
//! The envelope is hand-written rather than generated: it is on every message's hot path,
//! it keeps `params` and `result` as unparsed JSON ([`RawValue`]) so that each message body
//! is parsed exactly once, into the type its method names, and its parse errors say what is
//! wrong in JSON-RPC's own terms.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::ErrorCode;

/// The `id` of a JSON-RPC request: a string or an integer.
///
/// ```
/// use mcp_types::RequestId;
///
/// let id: RequestId = serde_json::from_str("7").unwrap();
/// assert_eq!(id, RequestId::Number(7));
/// assert_eq!(RequestId::from("abc").to_string(), "\"abc\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(String),
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        RequestId::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        RequestId::String(s.to_owned())
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> Self {
        RequestId::String(s)
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RequestId::Number(n) => serializer.serialize_i64(*n),
            RequestId::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v)
                    .map(RequestId::Number)
                    .map_err(|_| E::custom("integer id out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RequestId, E> {
                Ok(RequestId::String(v))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// A progress token: a string or an integer chosen by the requester.
pub type ProgressToken = RequestId;

/// A JSON-RPC request: a method call that expects a response.
#[derive(Debug, Clone)]
pub struct JsonRpcRequest {
    /// The id the response will carry.
    pub id: RequestId,
    /// The method name, e.g. `tools/call`.
    pub method: String,
    /// The parameters, unparsed; `None` when the request has no `params` member.
    pub params: Option<Box<RawValue>>,
}

/// A JSON-RPC notification: a one-way message without an id.
#[derive(Debug, Clone)]
pub struct JsonRpcNotification {
    /// The method name, e.g. `notifications/progress`.
    pub method: String,
    /// The parameters, unparsed.
    pub params: Option<Box<RawValue>>,
}

/// A successful JSON-RPC response.
#[derive(Debug, Clone)]
pub struct JsonRpcResultResponse {
    /// The id of the request this answers.
    pub id: RequestId,
    /// The result, unparsed.
    pub result: Box<RawValue>,
}

/// A JSON-RPC error response.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonRpcErrorResponse {
    /// The id of the request this answers; `None` when it could not be read
    /// (serialized as `null`).
    pub id: Option<RequestId>,
    /// What went wrong.
    pub error: ErrorObject,
}

/// The `error` member of a JSON-RPC error response.
///
/// ```
/// use mcp_types::{ErrorCode, ErrorObject};
///
/// let e = ErrorObject::new(ErrorCode::METHOD_NOT_FOUND, "no such method: foo");
/// assert_eq!(serde_json::to_value(&e).unwrap()["code"], -32601);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct ErrorObject {
    /// The error code.
    pub code: ErrorCode,
    /// A short description of the error.
    pub message: String,
    /// Additional information defined by the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error with a code and a message, without data.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The same error with `data` attached.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// Any JSON-RPC message.
#[derive(Debug, Clone)]
pub enum JsonRpcMessage {
    /// A request.
    Request(JsonRpcRequest),
    /// A notification.
    Notification(JsonRpcNotification),
    /// A successful response.
    Response(JsonRpcResultResponse),
    /// An error response.
    Error(JsonRpcErrorResponse),
}

/// One line or body on the wire: a single message or (2025-03-26 only) a batch.
#[derive(Debug, Clone)]
pub enum JsonRpcPayload {
    /// A single message.
    Single(JsonRpcMessage),
    /// A JSON-RPC batch array.
    Batch(Vec<JsonRpcMessage>),
}

/// Why bytes are not a JSON-RPC message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The bytes are not JSON at all (JSON-RPC code -32700).
    #[error("parse error: {0}")]
    Json(String),
    /// The JSON is not a valid JSON-RPC message (code -32600); `id` is the
    /// message's id when one could be read, so the error can be answered.
    #[error("invalid JSON-RPC message: {message}")]
    Invalid {
        /// The id of the offending message, if readable.
        id: Option<RequestId>,
        /// What is wrong.
        message: String,
    },
}

impl ParseError {
    /// The error response a peer should receive for this input.
    pub fn to_response(&self) -> JsonRpcErrorResponse {
        match self {
            ParseError::Json(m) => JsonRpcErrorResponse {
                id: None,
                error: ErrorObject::new(ErrorCode::PARSE_ERROR, format!("Parse error: {m}")),
            },
            ParseError::Invalid { id, message } => JsonRpcErrorResponse {
                id: id.clone(),
                error: ErrorObject::new(
                    ErrorCode::INVALID_REQUEST,
                    format!("Invalid request: {message}"),
                ),
            },
        }
    }
}

/// The members of an envelope, borrowed from the input and not yet checked.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<&'a RawValue>,
    // `deserialize_with` keeps an explicit `"id": null` (a plain `Option` reads it as absent).
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<&'a RawValue>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
}

/// A member that is present, even when it is `null`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

fn invalid(id: &Option<RequestId>, message: impl Into<String>) -> ParseError {
    ParseError::Invalid {
        id: id.clone(),
        message: message.into(),
    }
}

impl JsonRpcMessage {
    /// Parses one message (not a batch) from JSON text.
    ///
    /// ```
    /// use mcp_types::{JsonRpcMessage, ParseError};
    ///
    /// let msg = JsonRpcMessage::from_slice(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap();
    /// assert!(matches!(msg, JsonRpcMessage::Request(r) if r.method == "ping"));
    ///
    /// let err = JsonRpcMessage::from_slice(br#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#).unwrap_err();
    /// assert!(matches!(err, ParseError::Invalid { .. }));
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ParseError> {
        if let Some(message) = Self::from_object(bytes) {
            return message;
        }
        let raw: &RawValue =
            serde_json::from_slice(bytes).map_err(|e| ParseError::Json(e.to_string()))?;
        Self::from_raw(raw)
    }

    /// The common case, one well-formed object, in one pass: the envelope's
    /// members are borrowed straight from the input. `None` for anything
    /// else, errors included: the general path tells malformed JSON (-32700)
    /// from a malformed envelope (-32600).
    fn from_object(bytes: &[u8]) -> Option<Result<Self, ParseError>> {
        let text = std::str::from_utf8(bytes).ok()?;
        if !text.trim_start().starts_with('{') {
            return None;
        }
        let env = serde_json::from_str::<RawEnvelope<'_>>(text).ok()?;
        Some(Self::from_envelope(env))
    }

    /// Parses one message from an already-delimited JSON value.
    pub fn from_raw(raw: &RawValue) -> Result<Self, ParseError> {
        let text = raw.get();
        if !text.starts_with('{') {
            return Err(invalid(&None, "a JSON-RPC message must be a JSON object"));
        }
        let env: RawEnvelope<'_> = serde_json::from_str(text)
            .map_err(|e| invalid(&None, format!("malformed envelope: {e}")))?;
        Self::from_envelope(env)
    }

    /// Checks the members of an envelope and builds the message.
    fn from_envelope(env: RawEnvelope<'_>) -> Result<Self, ParseError> {
        // Read the id first so every later error can be answered.
        let id: Option<RequestId> = match env.id {
            None => None,
            Some(v) if v.get() == "null" => None,
            Some(v) => Some(serde_json::from_str(v.get()).map_err(|_| {
                invalid(
                    &None,
                    format!("`id` must be a string or an integer, got {v}"),
                )
            })?),
        };
        match env.jsonrpc.map(|v| v.get()) {
            Some("\"2.0\"") => {}
            None => return Err(invalid(&id, "missing `jsonrpc` member")),
            Some(other) => {
                return Err(invalid(
                    &id,
                    format!("`jsonrpc` must be \"2.0\", got {other}"),
                ));
            }
        }
        let params = match env.params {
            None => None,
            Some(p) if p.get().starts_with('{') || p.get().starts_with('[') => Some(p.to_owned()),
            Some(p) if p.get() == "null" => None,
            Some(p) => {
                return Err(invalid(
                    &id,
                    format!("`params` must be an object or an array, got {p}"),
                ));
            }
        };

        if let Some(method) = env.method {
            let method: Cow<'_, str> = serde_json::from_str(method.get())
                .map_err(|_| invalid(&id, format!("`method` must be a string, got {method}")))?;
            if env.result.is_some() || env.error.is_some() {
                return Err(invalid(
                    &id,
                    "a message cannot have both `method` and `result`/`error`",
                ));
            }
            let method = method.into_owned();
            return Ok(match (env.id, id) {
                (None, _) => JsonRpcMessage::Notification(JsonRpcNotification { method, params }),
                (Some(_), Some(id)) => {
                    JsonRpcMessage::Request(JsonRpcRequest { id, method, params })
                }
                (Some(_), None) => return Err(invalid(&None, "a request `id` must not be null")),
            });
        }
        match (env.result, env.error) {
            (Some(result), None) => {
                let id = id.ok_or_else(|| invalid(&None, "a response must carry an `id`"))?;
                Ok(JsonRpcMessage::Response(JsonRpcResultResponse {
                    id,
                    result: result.to_owned(),
                }))
            }
            (None, Some(error)) => {
                let error: ErrorObject = serde_json::from_str(error.get())
                    .map_err(|e| invalid(&id, format!("malformed `error` member: {e}")))?;
                Ok(JsonRpcMessage::Error(JsonRpcErrorResponse { id, error }))
            }
            (Some(_), Some(_)) => Err(invalid(
                &id,
                "a response cannot have both `result` and `error`",
            )),
            (None, None) => Err(invalid(
                &id,
                "a message needs `method` (request or notification) or `result`/`error` (response)",
            )),
        }
    }

    /// Serializes the message to JSON text.
    pub fn to_json(&self) -> String {
        // Serializing these types cannot fail: every member is already valid JSON.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The id of a request or response; `None` for notifications.
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            JsonRpcMessage::Request(r) => Some(&r.id),
            JsonRpcMessage::Response(r) => Some(&r.id),
            JsonRpcMessage::Error(e) => e.id.as_ref(),
            JsonRpcMessage::Notification(_) => None,
        }
    }

    /// The method of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match self {
            JsonRpcMessage::Request(r) => Some(&r.method),
            JsonRpcMessage::Notification(n) => Some(&n.method),
            _ => None,
        }
    }
}

impl JsonRpcPayload {
    /// Parses a single message or a batch array.
    ///
    /// Whether a batch is acceptable depends on the negotiated revision
    /// ([`crate::ProtocolVersion::supports_batch`]); this only reads the shape.
    /// An invalid member of a batch fails the whole batch.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ParseError> {
        if let Some(message) = JsonRpcMessage::from_object(bytes) {
            return message.map(JsonRpcPayload::Single);
        }
        let raw: &RawValue =
            serde_json::from_slice(bytes).map_err(|e| ParseError::Json(e.to_string()))?;
        if raw.get().starts_with('[') {
            let items: Vec<&RawValue> =
                serde_json::from_str(raw.get()).map_err(|e| ParseError::Json(e.to_string()))?;
            if items.is_empty() {
                return Err(invalid(&None, "an empty batch is not a valid request"));
            }
            let messages = items
                .into_iter()
                .map(JsonRpcMessage::from_raw)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(JsonRpcPayload::Batch(messages))
        } else {
            JsonRpcMessage::from_raw(raw).map(JsonRpcPayload::Single)
        }
    }
}

impl JsonRpcRequest {
    /// A request whose params are serialized from `params`.
    ///
    /// ```
    /// use mcp_types::JsonRpcRequest;
    ///
    /// let r = JsonRpcRequest::new(1, "tools/list", &serde_json::json!({})).unwrap();
    /// assert_eq!(r.params.unwrap().get(), "{}");
    /// ```
    pub fn new(
        id: impl Into<RequestId>,
        method: impl Into<String>,
        params: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
        Ok(JsonRpcRequest {
            id: id.into(),
            method: method.into(),
            params: Some(serde_json::value::to_raw_value(params)?),
        })
    }

    /// Parses the params as `T`; a missing `params` member reads as `{}`.
    pub fn params_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        parse_params(self.params.as_deref())
    }
}

impl JsonRpcNotification {
    /// A notification whose params are serialized from `params`.
    pub fn new(
        method: impl Into<String>,
        params: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
        Ok(JsonRpcNotification {
            method: method.into(),
            params: Some(serde_json::value::to_raw_value(params)?),
        })
    }

    /// Parses the params as `T`; a missing `params` member reads as `{}`.
    pub fn params_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        parse_params(self.params.as_deref())
    }
}

impl JsonRpcResultResponse {
    /// A response whose result is serialized from `result`.
    pub fn new(id: RequestId, result: &impl Serialize) -> Result<Self, serde_json::Error> {
        Ok(JsonRpcResultResponse {
            id,
            result: serde_json::value::to_raw_value(result)?,
        })
    }

    /// Parses the result as `T`.
    pub fn result_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.result.get())
    }
}

/// Parses optional raw params, reading a missing member as an empty object.
pub fn parse_params<T: serde::de::DeserializeOwned>(
    params: Option<&RawValue>,
) -> Result<T, serde_json::Error> {
    serde_json::from_str(params.map_or("{}", RawValue::get))
}

/// The text of a raw JSON value that is a string: borrowed from the raw text
/// unless the string holds escapes; `None` for any other JSON type.
///
/// This reads a member kept as `&RawValue` (so that a member of the wrong
/// type does not fail the whole parse) without an allocation in the usual
/// case.
///
/// ```
/// use std::borrow::Cow;
/// use serde_json::value::RawValue;
///
/// let plain: &RawValue = serde_json::from_str(r#""2026-07-28""#).unwrap();
/// assert!(matches!(mcp_types::raw_str(plain), Some(Cow::Borrowed("2026-07-28"))));
/// let escaped: &RawValue = serde_json::from_str(r#""a\u0062c""#).unwrap();
/// assert_eq!(mcp_types::raw_str(escaped).as_deref(), Some("abc"));
/// let number: &RawValue = serde_json::from_str("5").unwrap();
/// assert_eq!(mcp_types::raw_str(number), None);
/// ```
pub fn raw_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    if !text.starts_with('"') {
        return None;
    }
    // A valid JSON string: without escapes, its inside is the text.
    let inner = &text[1..text.len() - 1];
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
}

impl Serialize for JsonRpcMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonRpcMessage::Request(r) => r.serialize(serializer),
            JsonRpcMessage::Notification(n) => n.serialize(serializer),
            JsonRpcMessage::Response(r) => r.serialize(serializer),
            JsonRpcMessage::Error(e) => e.serialize(serializer),
        }
    }
}

impl Serialize for JsonRpcRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("JsonRpcRequest", 4)?;
        s.serialize_field("jsonrpc", "2.0")?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("method", &self.method)?;
        if let Some(p) = &self.params {
            s.serialize_field("params", p)?;
        }
        s.end()
    }
}

impl Serialize for JsonRpcNotification {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("JsonRpcNotification", 3)?;
        s.serialize_field("jsonrpc", "2.0")?;
        s.serialize_field("method", &self.method)?;
        if let Some(p) = &self.params {
            s.serialize_field("params", p)?;
        }
        s.end()
    }
}

impl Serialize for JsonRpcResultResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("JsonRpcResultResponse", 3)?;
        s.serialize_field("jsonrpc", "2.0")?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("result", &self.result)?;
        s.end()
    }
}

impl Serialize for JsonRpcErrorResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("JsonRpcErrorResponse", 3)?;
        s.serialize_field("jsonrpc", "2.0")?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("error", &self.error)?;
        s.end()
    }
}

impl Serialize for JsonRpcPayload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonRpcPayload::Single(m) => m.serialize(serializer),
            JsonRpcPayload::Batch(ms) => ms.serialize(serializer),
        }
    }
}

macro_rules! deserialize_via_parse {
    ($($ty:ty => $variant:ident),*) => {$(
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <Box<RawValue>>::deserialize(deserializer)?;
                match JsonRpcMessage::from_raw(&raw).map_err(de::Error::custom)? {
                    JsonRpcMessage::$variant(m) => Ok(m),
                    _ => Err(de::Error::custom(concat!("not a JSON-RPC ", stringify!($variant)))),
                }
            }
        }
    )*};
}

deserialize_via_parse!(
    JsonRpcRequest => Request,
    JsonRpcNotification => Notification,
    JsonRpcResultResponse => Response,
    JsonRpcErrorResponse => Error
);

impl<'de> Deserialize<'de> for JsonRpcMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <Box<RawValue>>::deserialize(deserializer)?;
        JsonRpcMessage::from_raw(&raw).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<JsonRpcMessage, ParseError> {
        JsonRpcMessage::from_slice(s.as_bytes())
    }

    #[test]
    fn classifies_every_kind() {
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","id":"a","method":"tools/list","params":{}}"#),
            Ok(JsonRpcMessage::Request(_))
        ));
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Ok(JsonRpcMessage::Notification(_))
        ));
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#),
            Ok(JsonRpcMessage::Response(_))
        ));
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#),
            Ok(JsonRpcMessage::Error(JsonRpcErrorResponse { id: None, .. }))
        ));
    }

    #[test]
    fn round_trips_text() {
        let text = r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"x"}}"#;
        assert_eq!(parse(text).unwrap().to_json(), text);
        let text = r#"{"jsonrpc":"2.0","id":"r","result":{"content":[]}}"#;
        assert_eq!(parse(text).unwrap().to_json(), text);
    }

    #[test]
    fn malformed_input_gets_typed_errors() {
        assert!(matches!(parse("{not json"), Err(ParseError::Json(_))));
        assert!(matches!(parse(""), Err(ParseError::Json(_))));
        // An object cut short, or followed by more, is malformed JSON (-32700),
        // not a malformed envelope, in both the one-pass and the general path.
        for text in [
            r#"{"jsonrpc":"2.0","id":1,"method":"ping""#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping"} {}"#,
        ] {
            assert!(matches!(parse(text), Err(ParseError::Json(_))), "{text}");
            assert!(
                matches!(
                    JsonRpcPayload::from_slice(text.as_bytes()),
                    Err(ParseError::Json(_))
                ),
                "{text}"
            );
        }
        let not_utf8 = b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}";
        assert!(matches!(
            JsonRpcMessage::from_slice(not_utf8),
            Err(ParseError::Json(_))
        ));
        let padded = " \t{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}\r\n";
        assert!(matches!(parse(padded), Ok(JsonRpcMessage::Notification(_))));
        let cases = [
            (r#"{"id":1,"method":"ping"}"#, "missing `jsonrpc`"),
            (
                r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
                "must be \"2.0\"",
            ),
            (
                r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
                "`id` must be",
            ),
            (
                r#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
                "`id` must be",
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":7}"#,
                "`method` must be a string",
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"x","params":3}"#,
                "`params` must be",
            ),
            (r#"{"jsonrpc":"2.0","result":{}}"#, "must carry an `id`"),
            (r#"{"jsonrpc":"2.0","id":1}"#, "needs `method`"),
            (
                r#"{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}"#,
                "malformed `error`",
            ),
            (r#"[1,2]"#, "must be a JSON object"),
            (
                r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
                "must not be null",
            ),
        ];
        for (input, needle) in cases {
            let err = parse(input).unwrap_err();
            assert!(err.to_string().contains(needle), "{input}: {err}");
        }
    }

    #[test]
    fn invalid_request_keeps_its_id_for_the_answer() {
        let err = parse(r#"{"jsonrpc":"1.0","id":9,"method":"ping"}"#).unwrap_err();
        let response = err.to_response();
        assert_eq!(response.id, Some(RequestId::Number(9)));
        assert_eq!(response.error.code, ErrorCode::INVALID_REQUEST);
        let response = parse("{").unwrap_err().to_response();
        assert_eq!(response.error.code, ErrorCode::PARSE_ERROR);
        assert_eq!(
            serde_json::to_string(&response).unwrap(),
            format!(
                r#"{{"jsonrpc":"2.0","id":null,"error":{{"code":-32700,"message":{}}}}}"#,
                serde_json::to_string(&response.error.message).unwrap()
            )
        );
    }

    #[test]
    fn batches() {
        let p = JsonRpcPayload::from_slice(
            br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"n"}]"#,
        )
        .unwrap();
        assert!(matches!(p, JsonRpcPayload::Batch(ref v) if v.len() == 2));
        assert!(JsonRpcPayload::from_slice(b"[]").is_err());
        assert!(JsonRpcPayload::from_slice(br#"[{"jsonrpc":"2.0"}]"#).is_err());
    }

    #[test]
    fn typed_params() {
        #[derive(Debug, Deserialize)]
        struct P {
            name: String,
        }
        let JsonRpcMessage::Request(r) =
            parse(r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"name":"n"}}"#).unwrap()
        else {
            panic!("not a request");
        };
        assert_eq!(r.params_as::<P>().unwrap().name, "n");
        let empty = JsonRpcRequest {
            id: 1.into(),
            method: "m".into(),
            params: None,
        };
        assert!(
            empty
                .params_as::<P>()
                .unwrap_err()
                .to_string()
                .contains("missing field `name`")
        );
    }
}
