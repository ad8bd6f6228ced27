//! Helpers for answering elicitation and sampling requests.

use std::collections::BTreeMap;

use mcp_types::{
    CreateMessageResult, ElicitRequestParams, ElicitResult, ElicitResultAction,
    ElicitResultContentValue, Role, SamplingContent, SamplingMessageContentBlock, TextContent,
};
use serde_json::Value;

/// Accepts a form elicitation with `content`, filling every field of the
/// requested schema that `content` leaves out with the schema's `default`
/// (SEP-1034). Fields without a default stay out.
///
/// A URL-mode request has no form: the result accepts it without content.
///
/// ```
/// use mcp_client::accept_with_defaults;
/// use mcp_types::{ElicitRequestParams, ElicitResultContentValue};
///
/// let request: ElicitRequestParams = serde_json::from_value(serde_json::json!({
///     "message": "Who are you?",
///     "requestedSchema": {"type": "object", "properties": {
///         "name": {"type": "string", "default": "John Doe"},
///         "age": {"type": "integer", "default": 30},
///         "verified": {"type": "boolean", "default": true}
///     }}
/// })).unwrap();
/// let answer = accept_with_defaults(&request, [("name".to_owned(), ElicitResultContentValue::String("Jane".into()))]);
/// let json = serde_json::to_value(&answer).unwrap();
/// assert_eq!(json["action"], "accept");
/// assert_eq!(json["content"], serde_json::json!({"name": "Jane", "age": 30, "verified": true}));
/// ```
///
/// The content model of `ElicitResult` has no non-integral numbers; when a
/// `number` default such as `95.5` must be filled, the whole content is carried
/// as JSON in the result's `extra` map under `content` (so it is still sent
/// as `content` on the wire) and [`ElicitResult::content`] stays `None`.
pub fn accept_with_defaults(
    request: &ElicitRequestParams,
    content: impl IntoIterator<Item = (String, ElicitResultContentValue)>,
) -> ElicitResult {
    let mut result = ElicitResult::new(ElicitResultAction::Accept);
    let given: BTreeMap<String, ElicitResultContentValue> = content.into_iter().collect();
    let ElicitRequestParams::Form(form) = request else {
        if !given.is_empty() {
            result.content = Some(given);
        }
        return result;
    };
    let mut content = given;
    for (name, schema) in &form.requested_schema.properties {
        if content.contains_key(name) {
            continue;
        }
        let schema = serde_json::to_value(schema).unwrap_or(Value::Null);
        if let Some(v) = schema.get("default").and_then(to_content_value) {
            content.insert(name.clone(), v);
        }
    }
    if !content.is_empty() {
        result.content = Some(content);
    }
    result
}

fn to_content_value(v: &Value) -> Option<ElicitResultContentValue> {
    match v {
        Value::String(s) => Some(ElicitResultContentValue::String(s.clone())),
        Value::Bool(b) => Some(ElicitResultContentValue::Boolean(*b)),
        // Schemas carry defaults as numbers (`30.0`): whole ones are sent as integers.
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Some(ElicitResultContentValue::Integer(i)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Some(ElicitResultContentValue::Integer(f as i64))
            }
            (None, f) => f.map(ElicitResultContentValue::Number),
        },
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(ElicitResultContentValue::StringArray),
        _ => None,
    }
}

/// A sampling answer made of one text message from the assistant.
///
/// ```
/// let answer = mcp_client::sampled_text("my-model", "Paris");
/// assert_eq!(answer.model, "my-model");
/// ```
pub fn sampled_text(model: impl Into<String>, text: impl Into<String>) -> CreateMessageResult {
    CreateMessageResult::new(
        SamplingContent::One(SamplingMessageContentBlock::Text(TextContent::new(text))),
        model,
        Role::Assistant,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fills_sep1034_defaults() {
        let request: ElicitRequestParams = serde_json::from_value(json!({
            "message": "Please review and update the form fields with defaults",
            "requestedSchema": {"type": "object", "properties": {
                "name": {"type": "string", "description": "User name", "default": "John Doe"},
                "age": {"type": "integer", "description": "User age", "default": 30},
                "score": {"type": "number", "description": "User score", "default": 95.5},
                "status": {"type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active"},
                "verified": {"type": "boolean", "description": "Verification status", "default": true}
            }, "required": []}
        }))
        .unwrap();
        let answer = serde_json::to_value(accept_with_defaults(&request, [])).unwrap();
        assert_eq!(
            answer,
            json!({"action": "accept", "content": {"name": "John Doe", "age": 30, "score": 95.5, "status": "active", "verified": true}})
        );
        let typed = accept_with_defaults(
            &request,
            [("score".to_owned(), ElicitResultContentValue::Integer(3))],
        );
        let content = typed.content.unwrap();
        assert_eq!(content.len(), 5);
        assert!(matches!(
            content["score"],
            ElicitResultContentValue::Integer(3)
        ));
        let defaulted = accept_with_defaults(&request, []).content.unwrap();
        assert!(matches!(
            defaulted["score"],
            ElicitResultContentValue::Number(n) if n == 95.5
        ));
    }
}
