//! What the client learns from the responses to its own requests as they pass:
//! the negotiated protocol version of `initialize`, and (2026-07-28) the
//! `Mcp-Param-*` headers of the tools a `tools/list` result lists.

use http::HeaderValue;
use mcp_types::{JsonRpcMessage, JsonRpcResultResponse};
use serde::Deserialize;
use serde_json::Value;

use super::headers::ToolHeaders;
use super::message::MessageInfo;
use super::shared::Shared;

#[derive(Deserialize)]
struct InitializeResult<'a> {
    #[serde(rename = "protocolVersion", borrow)]
    protocol_version: Option<std::borrow::Cow<'a, str>>,
}

/// Looks at the response to the request `info` describes; returns it, changed
/// only when a `tools/list` result lists tools with invalid `x-mcp-header`
/// annotations (they are dropped).
pub(crate) fn inspect(
    shared: &Shared,
    info: &MessageInfo,
    message: JsonRpcMessage,
) -> JsonRpcMessage {
    let JsonRpcMessage::Response(response) = message else {
        return message;
    };
    if info.is_initialize() {
        match serde_json::from_str::<InitializeResult<'_>>(response.result.get()) {
            Ok(InitializeResult {
                protocol_version: Some(v),
            }) => match HeaderValue::from_str(&v) {
                Ok(v) => shared.set_protocol_version(v),
                Err(_) => {
                    tracing::warn!(version = %v, "unusable protocolVersion in the initialize result")
                }
            },
            _ => tracing::warn!("the initialize result has no protocolVersion"),
        }
    } else if info.is_stateless()
        && info.method.as_deref() == Some("tools/list")
        && shared.config.learn_tool_headers
    {
        return JsonRpcMessage::Response(learn_tools(shared, response));
    }
    JsonRpcMessage::Response(response)
}

/// Records each listed tool's headers and drops the tools whose annotations
/// are invalid.
fn learn_tools(shared: &Shared, response: JsonRpcResultResponse) -> JsonRpcResultResponse {
    let Ok(mut result) = serde_json::from_str::<Value>(response.result.get()) else {
        return response;
    };
    let Some(tools) = result.get_mut("tools").and_then(Value::as_array_mut) else {
        return response;
    };
    let before = tools.len();
    tools.retain(|tool| {
        let Some(name) = tool.get("name").and_then(Value::as_str) else {
            return true;
        };
        let schema = tool.get("inputSchema").unwrap_or(&Value::Null);
        match ToolHeaders::from_input_schema(schema) {
            Ok(headers) => {
                shared.set_tool_headers(name.to_owned(), (!headers.is_empty()).then_some(headers));
                true
            }
            Err(e) => {
                tracing::warn!(tool = %name, reason = %e, "dropping a tool with an invalid x-mcp-header annotation");
                shared.set_tool_headers(name.to_owned(), None);
                false
            }
        }
    });
    if tools.len() == before {
        return response;
    }
    match serde_json::value::to_raw_value(&result) {
        Ok(raw) => JsonRpcResultResponse {
            id: response.id,
            result: raw,
        },
        Err(_) => response,
    }
}
