//! `tools/call` as this server reads it: the tool's `arguments` stay raw JSON
//! until the tool's own argument type reads them, so a call is parsed once,
//! straight into that type, with no `serde_json::Value` tree in between.
//!
//! The router reads `_meta`, `inputResponses` and `requestState` itself, so
//! only the members the tool layer needs are read here.

use mcp_types::{
    CallToolRequest, CallToolResult, ProtocolVersion, RequestMethod, Revisioned, Revisions,
    TaskMetadata,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

/// The `tools/call` method, with [`CallToolParams`] for params.
#[derive(Debug)]
pub(crate) struct CallTool;

impl RequestMethod for CallTool {
    const METHOD: &'static str = CallToolRequest::METHOD;
    const REVISIONS: Revisions = CallToolRequest::REVISIONS;
    type Params = CallToolParams;
    type Result = CallToolResult;
}

/// The params of `tools/call` the tool layer reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CallToolParams {
    /// The tool.
    pub(crate) name: String,
    /// The arguments, an object (or absent), not yet read.
    #[serde(
        default,
        deserialize_with = "object",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) arguments: Option<Box<RawValue>>,
    /// 2025-11-25: the request asks to run as a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) task: Option<TaskMetadata>,
}

impl Revisioned for CallToolParams {
    fn conform_to(&mut self, version: ProtocolVersion) {
        if version != ProtocolVersion::V2025_11_25 {
            self.task = None;
        }
    }
}

/// `arguments`: an object or `null` (read as absent), as the schema says.
fn object<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Box<RawValue>>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
    match raw {
        Some(raw) if !raw.get().starts_with('{') => Err(serde::de::Error::custom(format!(
            "invalid type: `arguments` must be an object, got {raw}"
        ))),
        other => Ok(other),
    }
}

/// Reads `arguments` (absent reads as `{}`) as `T`. On failure, the message
/// names the offending field's path (`.` for the object itself).
pub(crate) fn read_arguments<T: DeserializeOwned>(
    arguments: Option<&RawValue>,
) -> Result<T, (String, String)> {
    let text = arguments.map_or("{}", RawValue::get);
    // Tracking the path costs as much as the parse: only a failed parse is
    // read again, with the tracking, to say where it failed.
    if let Ok(args) = serde_json::from_str(text) {
        return Ok(args);
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        (path, without_position(e.into_inner()))
    })
}

/// serde_json's message without its " at line L column C" suffix: the
/// position is within the arguments, not the message, and would mislead.
fn without_position(error: serde_json::Error) -> String {
    let message = error.to_string();
    if error.line() == 0 {
        return message;
    }
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    message
        .strip_suffix(&suffix)
        .map(str::to_owned)
        .unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Add {
        #[allow(dead_code)]
        a: f64,
        #[allow(dead_code)]
        b: f64,
    }

    fn params(json: &str) -> Result<CallToolParams, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn arguments_must_be_an_object_or_absent() {
        assert!(params(r#"{"name":"t"}"#).unwrap().arguments.is_none());
        assert!(
            params(r#"{"name":"t","arguments":null}"#)
                .unwrap()
                .arguments
                .is_none()
        );
        let args = params(r#"{"name":"t","arguments":{"a":1}}"#).unwrap();
        assert_eq!(args.arguments.unwrap().get(), r#"{"a":1}"#);
        let err = params(r#"{"name":"t","arguments":[1]}"#).unwrap_err();
        assert!(err.to_string().contains("must be an object"), "{err}");
    }

    #[test]
    fn bad_arguments_name_the_field_without_a_position() {
        let raw = RawValue::from_string(r#"{"a":1,"b":"two"}"#.into()).unwrap();
        let (path, message) = read_arguments::<Add>(Some(&raw)).unwrap_err();
        assert_eq!(path, "b");
        assert_eq!(message, r#"invalid type: string "two", expected f64"#);
        let (path, message) = read_arguments::<Add>(None).unwrap_err();
        assert_eq!(path, ".");
        assert_eq!(message, "missing field `a`");
    }
}
