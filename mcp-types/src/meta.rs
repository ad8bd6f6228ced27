//! The `_meta` object and its well-known keys.

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{ProgressToken, ProtocolVersion};

/// `_meta` key: the protocol version of a 2026-07-28 request (required there).
pub const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key: the client's capabilities for this request (2026-07-28, required).
pub const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key: the client's `Implementation` (2026-07-28, should be sent).
pub const CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key: the log level for this request's `notifications/message` (2026-07-28).
pub const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
/// `_meta` key: the server's `Implementation`, on results (2026-07-28).
pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
/// `_meta` key: the `subscriptions/listen` stream a notification belongs to (2026-07-28).
pub const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
/// `_meta` key: the task a message relates to (tasks, 2025-11-25).
pub const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";
/// `_meta` key: the token progress notifications for this request carry.
pub const PROGRESS_TOKEN: &str = "progressToken";
/// `_meta` key: W3C trace context `traceparent` (2026-07-28, SEP-414).
pub const TRACEPARENT: &str = "traceparent";
/// `_meta` key: W3C trace context `tracestate`.
pub const TRACESTATE: &str = "tracestate";
/// `_meta` key: W3C `baggage`.
pub const BAGGAGE: &str = "baggage";

/// The contents of a `_meta` member: an open JSON object, with typed access to
/// the keys the protocol reserves.
///
/// ```
/// use mcp_types::{Meta, ProtocolVersion, RequestId};
///
/// let mut meta = Meta::default();
/// meta.set_protocol_version(ProtocolVersion::V2026_07_28);
/// meta.set_progress_token(RequestId::Number(3));
/// assert_eq!(meta.protocol_version(), Some("2026-07-28"));
/// assert_eq!(meta.progress_token(), Some(RequestId::Number(3)));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Meta(pub Map<String, Value>);

impl Meta {
    /// An empty `_meta`.
    pub fn new() -> Self {
        Meta::default()
    }

    /// The progress token, when it is a string or an integer.
    pub fn progress_token(&self) -> Option<ProgressToken> {
        self.get_as(PROGRESS_TOKEN)
    }

    /// Sets the progress token.
    pub fn set_progress_token(&mut self, token: ProgressToken) {
        self.insert_as(PROGRESS_TOKEN, &token);
    }

    /// The 2026-07-28 protocol version string, as sent.
    pub fn protocol_version(&self) -> Option<&str> {
        self.0.get(PROTOCOL_VERSION).and_then(Value::as_str)
    }

    /// Sets the 2026-07-28 protocol version.
    pub fn set_protocol_version(&mut self, version: ProtocolVersion) {
        self.0
            .insert(PROTOCOL_VERSION.into(), version.as_str().into());
    }

    /// The value at `key` read as `T`; `None` when absent or of another shape.
    pub fn get_as<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.0.get(key).and_then(|v| T::deserialize(v).ok())
    }

    /// Stores `value` at `key`.
    pub fn insert_as(&mut self, key: &str, value: &impl Serialize) {
        if let Ok(v) = serde_json::to_value(value) {
            self.0.insert(key.to_owned(), v);
        }
    }
}

impl Deref for Meta {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Meta {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<Map<String, Value>> for Meta {
    fn from(map: Map<String, Value>) -> Self {
        Meta(map)
    }
}
