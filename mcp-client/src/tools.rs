//! What the client checks about tools: the `x-mcp-header` declarations of a
//! tool's input schema (a tool with invalid ones is dropped from `tools/list`,
//! SEP-2243), and `structuredContent` against the tool's `outputSchema`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use mcp_types::{CallToolResult, JsonObject, Tool};
use serde_json::Value;

use crate::error::{ClientError, Result};
use crate::service::lock;

/// The schema keyword naming the HTTP header a parameter is mirrored into.
const HEADER_KEYWORD: &str = "x-mcp-header";

/// The most tools whose output schemas are remembered.
const MAX_TOOLS: usize = 4096;

/// Why a tool's `x-mcp-header` declarations are invalid, or `None` when they
/// are fine (or absent).
pub(crate) fn invalid_header_reason(tool: &Tool) -> Option<String> {
    let mut seen = HashSet::new();
    let properties = tool.input_schema.properties.as_ref()?;
    for (name, schema) in properties {
        if let Some(reason) = check_property(name, schema, &mut seen) {
            return Some(reason);
        }
    }
    None
}

fn check_property(name: &str, schema: &JsonObject, seen: &mut HashSet<String>) -> Option<String> {
    if let Some(header) = schema.get(HEADER_KEYWORD) {
        let Value::String(header) = header else {
            return Some(format!("`{HEADER_KEYWORD}` of `{name}` is not a string"));
        };
        if header.is_empty() {
            return Some(format!("`{HEADER_KEYWORD}` of `{name}` is empty"));
        }
        if let Some(c) = header.chars().find(|c| !is_tchar(*c)) {
            return Some(format!(
                "`{HEADER_KEYWORD}` {header:?} of `{name}` has {c:?}, which is not allowed in a header name"
            ));
        }
        if !seen.insert(header.to_ascii_lowercase()) {
            return Some(format!(
                "`{HEADER_KEYWORD}` {header:?} is declared twice (header names ignore case)"
            ));
        }
        let primitive = matches!(
            schema.get("type").and_then(Value::as_str),
            Some("string" | "integer" | "boolean")
        );
        if !primitive {
            return Some(format!(
                "`{name}` carries `{HEADER_KEYWORD}` but its type is not string, integer or boolean"
            ));
        }
    }
    if let Some(Value::Object(nested)) = schema.get("properties") {
        for (child, child_schema) in nested {
            if let Value::Object(child_schema) = child_schema
                && let Some(reason) = check_property(&format!("{name}.{child}"), child_schema, seen)
            {
                return Some(reason);
            }
        }
    }
    None
}

/// An RFC 9110 `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Drops the tools whose `x-mcp-header` declarations are invalid, with a warning.
pub(crate) fn drop_invalid_header_tools(tools: &mut Vec<Tool>) {
    tools.retain(|tool| match invalid_header_reason(tool) {
        None => true,
        Some(reason) => {
            tracing::warn!(tool = %tool.name, %reason, "dropping tool with invalid `x-mcp-header` declarations");
            false
        }
    });
}

#[derive(Debug)]
enum OutputSchema {
    Raw(Value),
    Compiled(Arc<jsonschema::Validator>),
    Unusable,
}

/// The output schemas of the tools listed so far, compiled on first use.
#[derive(Debug, Default)]
pub(crate) struct ToolRegistry {
    schemas: std::sync::Mutex<HashMap<String, OutputSchema>>,
}

impl ToolRegistry {
    /// Remembers the output schemas of a page of listed tools.
    pub(crate) fn register(&self, tools: &[Tool]) {
        let mut schemas = lock(&self.schemas);
        for tool in tools {
            match &tool.output_schema {
                Some(schema) => {
                    if schemas.len() >= MAX_TOOLS && !schemas.contains_key(&tool.name) {
                        continue;
                    }
                    let value = serde_json::to_value(schema).unwrap_or(Value::Null);
                    schemas.insert(tool.name.clone(), OutputSchema::Raw(value));
                }
                None => {
                    schemas.remove(&tool.name);
                }
            }
        }
    }

    /// Forgets every schema (the tool list changed).
    pub(crate) fn clear(&self) {
        lock(&self.schemas).clear();
    }

    fn validator(&self, tool: &str) -> Option<Arc<jsonschema::Validator>> {
        let mut schemas = lock(&self.schemas);
        let entry = schemas.get_mut(tool)?;
        if let OutputSchema::Raw(schema) = entry {
            // Without the crate's network features, a remote `$ref` cannot be
            // fetched: such a schema is not used rather than resolved.
            *entry = match jsonschema::validator_for(schema) {
                Ok(v) => OutputSchema::Compiled(Arc::new(v)),
                Err(e) => {
                    tracing::warn!(%tool, error = %e, "output schema cannot be compiled; structured content is not validated");
                    OutputSchema::Unusable
                }
            };
        }
        match entry {
            OutputSchema::Compiled(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Checks a tool's result against its output schema, when one is known.
    pub(crate) fn validate(&self, tool: &str, result: &CallToolResult) -> Result<()> {
        if result.is_error == Some(true) {
            return Ok(());
        }
        let Some(validator) = self.validator(tool) else {
            return Ok(());
        };
        let invalid = |message: String| ClientError::InvalidStructuredContent {
            tool: tool.to_owned(),
            message,
        };
        let Some(content) = &result.structured_content else {
            return Err(invalid(
                "the tool has an output schema but returned no structured content".into(),
            ));
        };
        let errors: Vec<String> = validator
            .iter_errors(content)
            .take(5)
            .map(|e| e.to_string())
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(invalid(errors.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(props: Value) -> Tool {
        serde_json::from_value(
            json!({"name": "t", "inputSchema": {"type": "object", "properties": props}}),
        )
        .unwrap()
    }

    #[test]
    fn header_declarations_are_checked() {
        let ok = tool(json!({
            "region": {"type": "string", "x-mcp-header": "Region"},
            "n": {"type": "integer", "x-mcp-header": "N"},
            "opts": {"type": "object", "properties": {"v": {"type": "boolean", "x-mcp-header": "Verbose"}}},
            "plain": {"type": "number"}
        }));
        assert_eq!(invalid_header_reason(&ok), None);
        for bad in [
            json!({"a": {"type": "string", "x-mcp-header": ""}}),
            json!({"a": {"type": "object", "x-mcp-header": "A"}}),
            json!({"a": {"type": "array", "x-mcp-header": "A"}}),
            json!({"a": {"type": "null", "x-mcp-header": "A"}}),
            json!({"a": {"type": "number", "x-mcp-header": "A"}}),
            json!({"a": {"type": "string", "x-mcp-header": "A"}, "b": {"type": "string", "x-mcp-header": "A"}}),
            json!({"a": {"type": "string", "x-mcp-header": "Ab"}, "b": {"type": "string", "x-mcp-header": "aB"}}),
            json!({"a": {"type": "string", "x-mcp-header": "A B"}}),
            json!({"a": {"type": "string", "x-mcp-header": "A:B"}}),
            json!({"a": {"type": "string", "x-mcp-header": "Ré"}}),
            json!({"a": {"type": "string", "x-mcp-header": "A\u{1}"}}),
            json!({"o": {"type": "object", "properties": {"a": {"type": "object", "x-mcp-header": "A"}}}}),
        ] {
            assert!(invalid_header_reason(&tool(bad.clone())).is_some(), "{bad}");
        }
    }

    #[test]
    fn structured_content_is_validated() {
        let registry = ToolRegistry::default();
        let t: Tool = serde_json::from_value(json!({
            "name": "weather",
            "inputSchema": {"type": "object"},
            "outputSchema": {"type": "object", "properties": {"t": {"type": "number"}}, "required": ["t"]}
        }))
        .unwrap();
        registry.register(&[t]);
        assert!(
            registry
                .validate("weather", &CallToolResult::structured(json!({"t": 1.5})))
                .is_ok()
        );
        let err = registry
            .validate("weather", &CallToolResult::structured(json!({"t": "hot"})))
            .unwrap_err();
        assert!(
            matches!(err, ClientError::InvalidStructuredContent { .. }),
            "{err}"
        );
        assert!(
            registry
                .validate("weather", &CallToolResult::success([]))
                .is_err()
        );
        assert!(
            registry
                .validate("weather", &CallToolResult::error([]))
                .is_ok(),
            "errors are not checked"
        );
        assert!(
            registry
                .validate("other", &CallToolResult::success([]))
                .is_ok(),
            "unknown tools pass"
        );
    }
}
