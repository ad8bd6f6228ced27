//! How results look in the shell: readable text by default (text content
//! printed, other content summarized, structured content as pretty JSON).
//! Everything works on the JSON form of a result, so it reads any revision.

use serde_json::Value;

/// `value` as pretty JSON.
pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// The first line of a description, for lists.
fn summary(value: &Value) -> Option<&str> {
    str_field(value, "description").and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
}

/// How many bytes a base64 text decodes to (about: padding is discounted).
fn decoded_len(data: &str) -> usize {
    let data = data.trim_end_matches('=');
    data.len() * 3 / 4
}

/// One content block: text as it is, the rest summarized on one line.
pub(crate) fn content_block(block: &Value) -> String {
    let kind = str_field(block, "type").unwrap_or("unknown");
    let mime = str_field(block, "mimeType").unwrap_or("unknown type");
    match kind {
        "text" => str_field(block, "text").unwrap_or_default().to_owned(),
        "image" | "audio" => format!(
            "[{kind}: {mime}, {} bytes]",
            decoded_len(str_field(block, "data").unwrap_or_default())
        ),
        "resource_link" => {
            let uri = str_field(block, "uri").unwrap_or_default();
            match str_field(block, "name") {
                Some(name) => format!("[resource link: {uri} ({name})]"),
                None => format!("[resource link: {uri}]"),
            }
        }
        "resource" => block
            .get("resource")
            .map(resource_contents)
            .unwrap_or_else(|| "[resource]".to_owned()),
        other => format!("[{other} content]"),
    }
}

/// One entry of a resource's `contents`: its text, or a summary of a blob.
pub(crate) fn resource_contents(contents: &Value) -> String {
    let uri = str_field(contents, "uri").unwrap_or_default();
    if let Some(text) = str_field(contents, "text") {
        return text.to_owned();
    }
    let mime = str_field(contents, "mimeType").unwrap_or("unknown type");
    match str_field(contents, "blob") {
        Some(blob) => format!("[resource {uri}: {mime}, {} bytes]", decoded_len(blob)),
        None => format!("[resource {uri}]"),
    }
}

/// A `tools/call` result: each content block, then `structuredContent` as
/// pretty JSON.
pub(crate) fn tool_result(result: &Value) -> String {
    let mut parts: Vec<String> = result
        .get("content")
        .and_then(Value::as_array)
        .map(|blocks| blocks.iter().map(content_block).collect())
        .unwrap_or_default();
    if let Some(structured) = result.get("structuredContent").filter(|v| !v.is_null()) {
        parts.push(pretty(structured));
    }
    parts.join("\n")
}

/// Whether a `tools/call` result is a tool error.
pub(crate) fn is_tool_error(result: &Value) -> bool {
    result.get("isError").and_then(Value::as_bool) == Some(true)
}

/// A `resources/read` result.
pub(crate) fn read_result(result: &Value) -> String {
    result
        .get("contents")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .map(resource_contents)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// A `prompts/get` result: the description, then each message as `role: content`.
pub(crate) fn prompt_result(result: &Value) -> String {
    let mut lines = Vec::new();
    if let Some(description) = str_field(result, "description") {
        lines.push(format!("# {description}"));
    }
    for message in result
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let role = str_field(message, "role").unwrap_or("?");
        let content = message
            .get("content")
            .map(content_block)
            .unwrap_or_default();
        lines.push(format!("{role}: {content}"));
    }
    lines.join("\n")
}

/// A list of tools, prompts, resources or templates: one line each, the
/// `key` field (name, URI or URI template) and the description's first line.
pub(crate) fn list(items: &[Value], key: &str) -> String {
    if items.is_empty() {
        return "(none)".to_owned();
    }
    items
        .iter()
        .map(|item| {
            let id = str_field(item, key).unwrap_or("?");
            let mut line = id.to_owned();
            if key != "name" {
                if let Some(name) = str_field(item, "name").filter(|n| *n != id) {
                    line.push_str(&format!(" ({name})"));
                }
            }
            if let Some(summary) = summary(item) {
                line.push_str(&format!(" — {summary}"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The capabilities a server declares, as `tools (listChanged), logging, ...`.
pub(crate) fn capabilities(capabilities: &Value) -> String {
    let Some(map) = capabilities.as_object() else {
        return "(none)".to_owned();
    };
    let mut names: Vec<String> = map
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(name, value)| {
            let flags: Vec<&str> = value
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, v)| v.as_bool() == Some(true) || v.is_object())
                .map(|(k, _)| k.as_str())
                .collect();
            if flags.is_empty() {
                name.clone()
            } else {
                format!("{name} ({})", flags.join(", "))
            }
        })
        .collect();
    names.sort();
    if names.is_empty() {
        "(none)".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_results_print_text_and_summarize_the_rest() {
        let result = json!({
            "content": [
                {"type": "text", "text": "hello"},
                {"type": "image", "data": "AAAA", "mimeType": "image/png"},
                {"type": "resource_link", "uri": "file:///a", "name": "a"},
                {"type": "resource", "resource": {"uri": "x://b", "blob": "AAAAAAAA", "mimeType": "application/octet-stream"}},
                {"type": "hologram"}
            ],
            "structuredContent": {"n": 1}
        });
        assert_eq!(
            tool_result(&result),
            "hello\n[image: image/png, 3 bytes]\n[resource link: file:///a (a)]\n[resource x://b: application/octet-stream, 6 bytes]\n[hologram content]\n{\n  \"n\": 1\n}"
        );
        assert!(!is_tool_error(&result));
        assert!(is_tool_error(&json!({"content": [], "isError": true})));
    }

    #[test]
    fn prompts_and_lists() {
        let prompt = json!({"description": "d", "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}]});
        assert_eq!(prompt_result(&prompt), "# d\nuser: hi");
        let tools = [
            json!({"name": "add", "description": "Add two numbers\nmore"}),
            json!({"name": "x"}),
        ];
        assert_eq!(list(&tools, "name"), "add — Add two numbers\nx");
        assert_eq!(
            list(&[json!({"uri": "a://b", "name": "b"})], "uri"),
            "a://b (b)"
        );
        assert_eq!(list(&[], "name"), "(none)");
    }

    #[test]
    fn capability_lines() {
        let caps = json!({"tools": {"listChanged": true}, "logging": {}, "resources": {"subscribe": false}});
        assert_eq!(
            capabilities(&caps),
            "logging, resources, tools (listChanged)"
        );
        assert_eq!(capabilities(&json!({})), "(none)");
    }
}
