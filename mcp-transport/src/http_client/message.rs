//! What the client reads from an outgoing message to address it: its era (a
//! 2026-07-28 `_meta` protocol version or not), id, method and the members that
//! become headers; and the headers of 2026-07-28 requests.

use std::borrow::Cow;

use http::{HeaderName, HeaderValue};
use mcp_types::{JsonRpcMessage, RequestId};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::headers::{ToolHeaders, encode_header_value};

/// `MCP-Protocol-Version`.
pub(crate) const MCP_PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Mcp-Session-Id`.
pub(crate) const MCP_SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
/// `Mcp-Method`.
pub(crate) const MCP_METHOD: HeaderName = HeaderName::from_static("mcp-method");
/// `Mcp-Name`.
pub(crate) const MCP_NAME: HeaderName = HeaderName::from_static("mcp-name");
/// `Last-Event-ID`.
pub(crate) const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// The members of `params` the transport looks at, borrowed and unparsed.
#[derive(Deserialize, Default)]
struct RawParams<'a> {
    #[serde(rename = "_meta", borrow, default)]
    meta: Option<&'a RawValue>,
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    uri: Option<&'a RawValue>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<&'a RawValue>,
    #[serde(rename = "taskId", borrow, default)]
    task_id: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawMeta<'a> {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", borrow, default)]
    protocol_version: Option<Cow<'a, str>>,
}

/// An outgoing message, as the transport sees it.
#[derive(Debug)]
pub(crate) struct MessageInfo {
    /// The request id, for requests.
    pub(crate) id: Option<RequestId>,
    /// The method, for requests and notifications.
    pub(crate) method: Option<String>,
    /// The `_meta` protocol version of a 2026-07-28 message.
    pub(crate) stateless_version: Option<String>,
    /// `params.name` (tools/call, prompts/get), `params.uri` (resources/read)
    /// or `params.taskId` (tasks/get, tasks/update, tasks/cancel): `Mcp-Name`.
    pub(crate) name: Option<String>,
    /// `params.arguments` of a `tools/call`, unparsed.
    pub(crate) arguments: Option<Box<RawValue>>,
    /// `params.requestId` of a `notifications/cancelled`.
    pub(crate) cancelled: Option<RequestId>,
}

fn string(raw: Option<&RawValue>) -> Option<String> {
    raw.and_then(mcp_types::raw_str).map(Cow::into_owned)
}

impl MessageInfo {
    /// Reads what the transport needs from `message`.
    pub(crate) fn of(message: &JsonRpcMessage) -> MessageInfo {
        let (id, method, params) = match message {
            JsonRpcMessage::Request(r) => {
                (Some(r.id.clone()), Some(&r.method), r.params.as_deref())
            }
            JsonRpcMessage::Notification(n) => (None, Some(&n.method), n.params.as_deref()),
            _ => (None, None, None),
        };
        let raw = params
            .filter(|p| p.get().starts_with('{'))
            .and_then(|p| serde_json::from_str::<RawParams<'_>>(p.get()).ok())
            .unwrap_or_default();
        let stateless_version = raw
            .meta
            .filter(|m| m.get().starts_with('{'))
            .and_then(|m| serde_json::from_str::<RawMeta<'_>>(m.get()).ok())
            .and_then(|m| m.protocol_version)
            .map(Cow::into_owned);
        let method_str = method.map(String::as_str);
        let name = match method_str {
            Some("tools/call" | "prompts/get") => string(raw.name),
            Some("resources/read") => string(raw.uri),
            // The tasks extension names the task.
            Some("tasks/get" | "tasks/update" | "tasks/cancel") => string(raw.task_id),
            _ => None,
        };
        let arguments = match method_str {
            Some("tools/call") => raw.arguments.map(ToOwned::to_owned),
            _ => None,
        };
        let cancelled = match method_str {
            Some("notifications/cancelled") => raw
                .request_id
                .and_then(|r| serde_json::from_str::<RequestId>(r.get()).ok()),
            _ => None,
        };
        MessageInfo {
            id,
            method: method.cloned(),
            stateless_version,
            name,
            arguments,
            cancelled,
        }
    }

    /// Whether the message belongs to the stateless era (2026-07-28).
    pub(crate) fn is_stateless(&self) -> bool {
        self.stateless_version.is_some()
    }

    /// Whether this is a session-era `initialize` request.
    pub(crate) fn is_initialize(&self) -> bool {
        self.id.is_some() && !self.is_stateless() && self.method.as_deref() == Some("initialize")
    }

    /// The method, or a word for what the message is, for error messages.
    pub(crate) fn what(&self) -> &str {
        self.method.as_deref().unwrap_or("response")
    }

    /// The request metadata headers of a 2026-07-28 message: the protocol
    /// version, `Mcp-Method`, `Mcp-Name` and the tool's `Mcp-Param-*`.
    pub(crate) fn stateless_headers(
        &self,
        tool: Option<&ToolHeaders>,
    ) -> Vec<(HeaderName, HeaderValue)> {
        let mut out = Vec::with_capacity(4);
        let mut push = |name: HeaderName, value: &str| match HeaderValue::from_str(value) {
            Ok(v) => out.push((name, v)),
            Err(_) => tracing::warn!(header = %name, "value cannot be sent as a header"),
        };
        if let Some(v) = &self.stateless_version {
            push(MCP_PROTOCOL_VERSION, v);
        }
        if let Some(m) = &self.method {
            push(MCP_METHOD, m);
        }
        if let Some(n) = &self.name {
            push(MCP_NAME, &encode_header_value(n));
        }
        if let Some(tool) = tool.filter(|t| !t.is_empty()) {
            let args = self
                .arguments
                .as_deref()
                .and_then(|a| serde_json::from_str::<serde_json::Value>(a.get()).ok());
            out.extend(tool.for_arguments(args.as_ref()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(json: &str) -> MessageInfo {
        MessageInfo::of(&JsonRpcMessage::from_slice(json.as_bytes()).unwrap())
    }

    #[test]
    fn reads_stateless_requests() {
        let i = info(
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get weather","arguments":{"a":1},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#,
        );
        assert!(i.is_stateless());
        assert_eq!(i.name.as_deref(), Some("get weather"));
        let headers = i.stateless_headers(None);
        let h: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            h,
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "get weather"),
            ]
        );
        let r = info(
            r#"{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"file:///a b/é","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#,
        );
        let headers = r.stateless_headers(None);
        assert_eq!(headers[2].1, "=?base64?ZmlsZTovLy9hIGIvw6k=?=");
    }

    #[test]
    fn reads_session_messages() {
        let i = info(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#,
        );
        assert!(i.is_initialize() && !i.is_stateless());
        let t = info(r#"{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"taskId":"t-1"}}"#);
        assert_eq!(t.name.as_deref(), Some("t-1"));
        let c = info(
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"x"}}"#,
        );
        assert_eq!(c.cancelled, Some(RequestId::from("x")));
        let r = info(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
        assert_eq!(r.what(), "response");
        assert!(r.id.is_none());
    }
}
