//! The request metadata headers of revision 2026-07-28 as a client writes them:
//! the value encoding, and [`ToolHeaders`], the `Mcp-Param-{Name}` headers a
//! tool's `inputSchema` designates with `x-mcp-header`.
//!
//! The encoding is the same as the server's (`http::encode_header_value` under
//! the `http-server` feature); it is written again here so that a client does
//! not need the server's dependencies.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

const SENTINEL_PREFIX: &str = "=?base64?";
const SENTINEL_SUFFIX: &str = "?=";

/// The JSON Schema keyword that designates a tool argument to mirror into a header.
pub const X_MCP_HEADER: &str = "x-mcp-header";

/// Encodes a text value for an `Mcp-Name` or `Mcp-Param-{Name}` header: as it is
/// when it is printable ASCII without leading or trailing whitespace, else
/// `=?base64?<base64 of its UTF-8>?=` (also for values that look like that form).
/// The empty string stays empty.
///
/// ```
/// use mcp_transport::http_client::encode_header_value;
///
/// assert_eq!(encode_header_value("us west 1"), "us west 1");
/// assert_eq!(encode_header_value("Hello, 世界"), "=?base64?SGVsbG8sIOS4lueVjA==?=");
/// assert_eq!(encode_header_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
/// assert_eq!(encode_header_value(""), "");
/// ```
pub fn encode_header_value(value: &str) -> Cow<'_, str> {
    let bytes = value.as_bytes();
    let is_ws = |b: &u8| *b == b' ' || *b == b'\t';
    let unsafe_char = bytes.iter().any(|b| !(0x20..=0x7E).contains(b));
    let edge_space = bytes.first().is_some_and(is_ws) || bytes.last().is_some_and(is_ws);
    let looks_encoded = value.len() >= SENTINEL_PREFIX.len() + SENTINEL_SUFFIX.len()
        && value.starts_with(SENTINEL_PREFIX)
        && value.ends_with(SENTINEL_SUFFIX);
    if !(unsafe_char || edge_space || looks_encoded) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(
        SENTINEL_PREFIX.len() + value.len().div_ceil(3) * 4 + SENTINEL_SUFFIX.len(),
    );
    out.push_str(SENTINEL_PREFIX);
    STANDARD.encode_string(value, &mut out);
    out.push_str(SENTINEL_SUFFIX);
    Cow::Owned(out)
}

/// The header text of a tool argument: strings through [`encode_header_value`],
/// numbers in decimal, booleans as `true` / `false`; `None` (no header) for
/// `null`, arrays and objects.
pub(crate) fn encode_argument(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(encode_header_value(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// One `Mcp-Param-{Name}` header of a tool: its name and where its value sits
/// in the call's `arguments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamHeader {
    /// The full header name, `mcp-param-{name}` in lower case.
    pub header: HeaderName,
    /// The chain of property names from `arguments` to the value.
    pub path: Vec<String>,
}

/// The `Mcp-Param-{Name}` headers of one tool, read from its `inputSchema`.
///
/// The transport learns them by itself from the `tools/list` results of
/// 2026-07-28 requests (see
/// [`StreamableHttpClientBuilder::learn_tool_headers`](super::StreamableHttpClientBuilder::learn_tool_headers));
/// a client layer that lists tools another way sets them with
/// [`HttpClientHandle::set_tool_headers`](super::HttpClientHandle::set_tool_headers).
///
/// ```
/// use mcp_transport::http_client::ToolHeaders;
/// use serde_json::json;
///
/// let schema = json!({
///     "type": "object",
///     "properties": {
///         "region": { "type": "string", "x-mcp-header": "Region" },
///         "query": { "type": "string" }
///     }
/// });
/// let headers = ToolHeaders::from_input_schema(&schema).unwrap();
/// assert_eq!(headers.params()[0].header.as_str(), "mcp-param-region");
///
/// let bad = json!({ "type": "object", "properties": { "n": { "type": "number", "x-mcp-header": "N" } } });
/// assert!(ToolHeaders::from_input_schema(&bad).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolHeaders {
    params: Vec<ParamHeader>,
}

/// Why a tool's `x-mcp-header` annotations are invalid; such a tool must not be
/// used over Streamable HTTP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidToolHeader {
    /// The value of `x-mcp-header` is not a non-empty string.
    #[error("x-mcp-header at `{path}` must be a non-empty string")]
    Empty {
        /// The property path of the annotation.
        path: String,
    },
    /// The name is not an HTTP token (RFC 9110 `1*tchar`).
    #[error("x-mcp-header `{name}` at `{path}` is not a valid HTTP header name token")]
    Charset {
        /// The property path of the annotation.
        path: String,
        /// The offending name.
        name: String,
    },
    /// Two annotations name the same header, ignoring case.
    #[error("x-mcp-header `{name}` is used twice (names compare case-insensitively)")]
    Duplicate {
        /// The repeated name.
        name: String,
    },
    /// The annotated property is not of type `string`, `integer` or `boolean`.
    #[error("x-mcp-header at `{path}` is on a property that is not a string, integer or boolean")]
    NotPrimitive {
        /// The property path of the annotation.
        path: String,
    },
    /// The annotation is not reachable from the root through `properties` alone.
    #[error("x-mcp-header at `{path}` is not reachable through `properties` alone")]
    Unreachable {
        /// Where the annotation was found.
        path: String,
    },
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Schema keywords whose values are instance data, not schemas.
const DATA_KEYWORDS: [&str; 4] = ["enum", "const", "default", "examples"];

impl ToolHeaders {
    /// Reads and checks the `x-mcp-header` annotations of a tool's `inputSchema`:
    /// each must be a non-empty HTTP token, unique ignoring case, on a `string`,
    /// `integer` or `boolean` property reachable from the root through a chain
    /// of `properties` keys. A schema without annotations gives no headers.
    pub fn from_input_schema(schema: &Value) -> Result<ToolHeaders, InvalidToolHeader> {
        let mut headers = ToolHeaders::default();
        let mut seen = HashSet::new();
        let mut path = Vec::new();
        headers.walk_reachable(schema, &mut path, &mut seen)?;
        Ok(headers)
    }

    /// The headers, in schema order.
    pub fn params(&self) -> &[ParamHeader] {
        &self.params
    }

    /// Whether the tool designates no header.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    fn walk_reachable(
        &mut self,
        schema: &Value,
        path: &mut Vec<String>,
        seen: &mut HashSet<String>,
    ) -> Result<(), InvalidToolHeader> {
        let Value::Object(map) = schema else {
            return Ok(());
        };
        if let Some(name) = map.get(X_MCP_HEADER) {
            self.annotation(map, name, path, seen)?;
        }
        for (key, value) in map {
            match key.as_str() {
                X_MCP_HEADER => {}
                "properties" => {
                    if let Value::Object(props) = value {
                        for (prop, sub) in props {
                            path.push(prop.clone());
                            self.walk_reachable(sub, path, seen)?;
                            path.pop();
                        }
                    }
                }
                k if DATA_KEYWORDS.contains(&k) => {}
                k => check_unreachable(value, &format!("{}/{k}", join(path)))?,
            }
        }
        Ok(())
    }

    fn annotation(
        &mut self,
        schema: &Map<String, Value>,
        name: &Value,
        path: &[String],
        seen: &mut HashSet<String>,
    ) -> Result<(), InvalidToolHeader> {
        let at = join(path);
        let name = match name {
            Value::String(s) if !s.is_empty() => s,
            _ => return Err(InvalidToolHeader::Empty { path: at }),
        };
        if !name.bytes().all(is_tchar) {
            return Err(InvalidToolHeader::Charset {
                path: at,
                name: name.clone(),
            });
        }
        let primitive = matches!(
            schema.get("type").and_then(Value::as_str),
            Some("string" | "integer" | "boolean")
        );
        if !primitive || path.is_empty() {
            return Err(InvalidToolHeader::NotPrimitive { path: at });
        }
        let lower = name.to_ascii_lowercase();
        if !seen.insert(lower.clone()) {
            return Err(InvalidToolHeader::Duplicate { name: name.clone() });
        }
        // A token is always a valid header name.
        let header = HeaderName::try_from(format!("mcp-param-{lower}")).map_err(|_| {
            InvalidToolHeader::Charset {
                path: at,
                name: name.clone(),
            }
        })?;
        self.params.push(ParamHeader {
            header,
            path: path.to_vec(),
        });
        Ok(())
    }

    /// The headers for a call with these `arguments`; values that are absent or
    /// `null` give no header.
    pub(crate) fn for_arguments(
        &self,
        arguments: Option<&Value>,
    ) -> Vec<(HeaderName, HeaderValue)> {
        let mut out = Vec::with_capacity(self.params.len());
        for param in &self.params {
            let mut value = arguments;
            for key in &param.path {
                value = value.and_then(|v| v.get(key));
            }
            let Some(text) = value.and_then(encode_argument) else {
                continue;
            };
            match HeaderValue::from_str(&text) {
                Ok(v) => out.push((param.header.clone(), v)),
                Err(_) => tracing::warn!(header = %param.header, "unencodable header value"),
            }
        }
        out
    }
}

/// Fails on any `x-mcp-header` annotation inside a value that is not reachable
/// through `properties` alone.
fn check_unreachable(value: &Value, at: &str) -> Result<(), InvalidToolHeader> {
    match value {
        Value::Object(map) => {
            if map.contains_key(X_MCP_HEADER) {
                return Err(InvalidToolHeader::Unreachable {
                    path: at.to_owned(),
                });
            }
            for (key, sub) in map {
                if DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                if key == "properties"
                    && let Value::Object(props) = sub
                {
                    // The keys of `properties` are names, not keywords.
                    for (prop, schema) in props {
                        check_unreachable(schema, &format!("{at}/properties/{prop}"))?;
                    }
                    continue;
                }
                check_unreachable(sub, &format!("{at}/{key}"))?;
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_unreachable(v, &format!("{at}/{i}"))),
        _ => Ok(()),
    }
}

fn join(path: &[String]) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    path.iter().fold(String::new(), |mut s, p| {
        s.push('/');
        s.push_str(p);
        s
    })
}

impl fmt::Display for ParamHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <- /{}", self.header, self.path.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spec_encoding_examples() {
        let cases = [
            ("us-west1", "us-west1"),
            ("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="),
            (" padded ", "=?base64?IHBhZGRlZCA=?="),
            ("line1\nline2", "=?base64?bGluZTEKbGluZTI=?="),
            ("=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="),
            ("us west 1", "us west 1"),
            ("\tindented", "=?base64?CWluZGVudGVk?="),
            ("a\tb", "=?base64?YQli?="),
            ("", ""),
        ];
        for (value, encoded) in cases {
            assert_eq!(encode_header_value(value), encoded, "{value:?}");
        }
        assert!(matches!(encode_header_value("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn arguments_encode_by_type() {
        assert_eq!(encode_argument(&json!(42)).unwrap(), "42");
        assert_eq!(encode_argument(&json!(-7)).unwrap(), "-7");
        assert_eq!(encode_argument(&json!(false)).unwrap(), "false");
        assert_eq!(encode_argument(&json!("x y")).unwrap(), "x y");
        assert!(encode_argument(&json!(null)).is_none());
        assert!(encode_argument(&json!({})).is_none());
    }

    fn tool(props: Value) -> Result<ToolHeaders, InvalidToolHeader> {
        ToolHeaders::from_input_schema(&json!({ "type": "object", "properties": props }))
    }

    #[test]
    fn valid_annotations_and_extraction() {
        let headers = ToolHeaders::from_input_schema(&json!({
            "type": "object",
            "properties": {
                "region": { "type": "string", "x-mcp-header": "Region" },
                "n": { "type": "integer", "x-mcp-header": "N" },
                "nested": { "type": "object", "properties": {
                    "flag": { "type": "boolean", "x-mcp-header": "Flag" }
                }},
                "x-mcp-header": { "type": "string" },
                "other": { "type": "string", "default": { "x-mcp-header": "not-a-schema" } }
            }
        }))
        .unwrap();
        let names: Vec<&str> = headers.params().iter().map(|p| p.header.as_str()).collect();
        assert_eq!(names.len(), 3);
        assert!(names.contains(&"mcp-param-region") && names.contains(&"mcp-param-flag"));
        let got = headers.for_arguments(Some(&json!({
            "region": "Hello, 世界", "n": null, "nested": { "flag": true }
        })));
        let got: Vec<(String, String)> = got
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        assert!(got.contains(&(
            "mcp-param-region".into(),
            "=?base64?SGVsbG8sIOS4lueVjA==?=".into()
        )));
        assert!(got.contains(&("mcp-param-flag".into(), "true".into())));
        assert_eq!(got.len(), 2, "null is omitted: {got:?}");
        assert!(headers.for_arguments(None).is_empty());
    }

    #[test]
    fn invalid_annotations() {
        use InvalidToolHeader as E;
        let s = |name: Value| json!({ "v": { "type": "string", "x-mcp-header": name } });
        assert!(matches!(tool(s(json!(""))), Err(E::Empty { .. })));
        assert!(matches!(tool(s(json!(null))), Err(E::Empty { .. })));
        for bad in ["My Region", "Region:Primary", "Région", "a\nb", "a\u{7}"] {
            assert!(
                matches!(tool(s(json!(bad))), Err(E::Charset { .. })),
                "{bad:?}"
            );
        }
        for ty in ["object", "array", "null", "number"] {
            let props = json!({ "v": { "type": ty, "x-mcp-header": "V" } });
            assert!(matches!(tool(props), Err(E::NotPrimitive { .. })), "{ty}");
        }
        let dup = json!({
            "a": { "type": "string", "x-mcp-header": "MyField" },
            "b": { "type": "string", "x-mcp-header": "myfield" }
        });
        assert!(matches!(tool(dup), Err(E::Duplicate { .. })));
        let in_items = json!({ "list": { "type": "array", "items": { "type": "string", "x-mcp-header": "L" } } });
        assert!(matches!(tool(in_items), Err(E::Unreachable { .. })));
        let in_any_of = json!({ "a": { "anyOf": [{ "type": "string", "x-mcp-header": "A" }] } });
        assert!(matches!(tool(in_any_of), Err(E::Unreachable { .. })));
        let in_defs = json!({
            "type": "object",
            "$defs": { "d": { "type": "string", "x-mcp-header": "D" } }
        });
        assert!(matches!(
            ToolHeaders::from_input_schema(&in_defs),
            Err(E::Unreachable { .. })
        ));
        let on_root = json!({ "type": "string", "x-mcp-header": "Root" });
        assert!(ToolHeaders::from_input_schema(&on_root).is_err());
        assert!(tool(json!({})).unwrap().is_empty());
    }
}
