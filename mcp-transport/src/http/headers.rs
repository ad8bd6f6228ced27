//! The MCP header names and the header value encoding of revision 2026-07-28:
//! plain ASCII, or `=?base64?<base64 of the UTF-8 text>?=` for values that cannot
//! travel as they are (`Mcp-Name`, `Mcp-Param-{Name}`).
//!
//! ```
//! use mcp_transport::http::{decode_header_value, encode_header_value, header_matches_value};
//! use serde_json::json;
//!
//! assert_eq!(encode_header_value("us-west1"), "us-west1");
//! assert_eq!(encode_header_value("Hello, 世界"), "=?base64?SGVsbG8sIOS4lueVjA==?=");
//! assert_eq!(decode_header_value(b"=?base64?IHBhZGRlZCA=?=").unwrap(), " padded ");
//! assert!(header_matches_value(b"42.0", &json!(42)).unwrap());
//! ```

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderName;
use serde_json::Value;

/// `MCP-Protocol-Version`: the revision a request speaks.
pub const MCP_PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Mcp-Session-Id`: the session of a session-era request (2025-03-26 to 2025-11-25).
pub const MCP_SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
/// `Mcp-Method`: the JSON-RPC method of the body (2026-07-28).
pub const MCP_METHOD: HeaderName = HeaderName::from_static("mcp-method");
/// `Mcp-Name`: `params.name` or `params.uri` of the body (2026-07-28).
pub const MCP_NAME: HeaderName = HeaderName::from_static("mcp-name");
/// `Last-Event-ID`: where a client resumes an SSE stream (session era).
pub const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");
/// The prefix of the custom headers mirrored from tool arguments, `Mcp-Param-{Name}`,
/// in lower case (header names compare case-insensitively).
pub const MCP_PARAM_PREFIX: &str = "mcp-param-";

const SENTINEL_PREFIX: &str = "=?base64?";
const SENTINEL_SUFFIX: &str = "?=";

/// Why a header value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderValueError {
    /// The value has a byte outside visible ASCII, space and tab.
    #[error("the header value contains a character outside visible ASCII, space and tab")]
    InvalidCharacter,
    /// The value has the `=?base64?…?=` form but its content is not canonical,
    /// padded base64.
    #[error("the header value is not valid padded base64 inside `=?base64?…?=`")]
    InvalidBase64,
    /// The base64 content does not decode to UTF-8 text.
    #[error("the base64 header value does not decode to UTF-8")]
    InvalidUtf8,
}

fn is_sentinel(value: &str) -> bool {
    value.len() >= SENTINEL_PREFIX.len() + SENTINEL_SUFFIX.len()
        && value.starts_with(SENTINEL_PREFIX)
        && value.ends_with(SENTINEL_SUFFIX)
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Whether `value` must be sent in the base64 form: it has a character outside
/// printable ASCII (non-ASCII or a control character, tab included), leading or
/// trailing whitespace, or it looks like the sentinel form itself.
pub fn needs_encoding(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().any(|b| !(0x20..=0x7E).contains(b))
        || bytes.first().is_some_and(|&b| is_ows(b))
        || bytes.last().is_some_and(|&b| is_ows(b))
        || is_sentinel(value)
}

/// Encodes a text value for an `Mcp-Name` or `Mcp-Param-{Name}` header: as it
/// is when it is safe, else `=?base64?…?=`.
pub fn encode_header_value(value: &str) -> Cow<'_, str> {
    if needs_encoding(value) {
        let mut out = String::with_capacity(
            SENTINEL_PREFIX.len() + value.len().div_ceil(3) * 4 + SENTINEL_SUFFIX.len(),
        );
        out.push_str(SENTINEL_PREFIX);
        STANDARD.encode_string(value, &mut out);
        out.push_str(SENTINEL_SUFFIX);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(value)
    }
}

/// The header text of a tool argument mirrored into `Mcp-Param-{Name}`: strings
/// encoded by [`encode_header_value`], numbers in decimal, booleans as
/// `true`/`false`; `None` for `null` (the header is omitted) and for arrays and
/// objects (which cannot be mirrored).
pub fn encode_param_value(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(encode_header_value(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(true) => Some(Cow::Borrowed("true")),
        Value::Bool(false) => Some(Cow::Borrowed("false")),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Decodes a received `Mcp-Name` or `Mcp-Param-{Name}` value: surrounding
/// whitespace is trimmed (HTTP's optional whitespace), the remaining bytes must
/// be visible ASCII, space or tab, and a `=?base64?…?=` value must hold
/// canonical padded base64 of UTF-8 text.
pub fn decode_header_value(raw: &[u8]) -> Result<Cow<'_, str>, HeaderValueError> {
    let trimmed = trim_ows(raw);
    if trimmed
        .iter()
        .any(|&b| !(0x20..=0x7E).contains(&b) && b != b'\t')
    {
        return Err(HeaderValueError::InvalidCharacter);
    }
    // Only visible ASCII, space and tab are left, so this cannot fail.
    let text = std::str::from_utf8(trimmed).map_err(|_| HeaderValueError::InvalidCharacter)?;
    if !is_sentinel(text) {
        return Ok(Cow::Borrowed(text));
    }
    let inner = &text[SENTINEL_PREFIX.len()..text.len() - SENTINEL_SUFFIX.len()];
    let bytes = STANDARD
        .decode(inner)
        .map_err(|_| HeaderValueError::InvalidBase64)?;
    String::from_utf8(bytes)
        .map(Cow::Owned)
        .map_err(|_| HeaderValueError::InvalidUtf8)
}

/// Whether a received header value, once decoded, stands for `body`, the value
/// in the request body: strings compare exactly, booleans as `true`/`false`,
/// numbers numerically (`42.0` matches `42`). `null`, arrays and objects match
/// nothing.
pub fn header_matches_value(raw: &[u8], body: &Value) -> Result<bool, HeaderValueError> {
    let decoded = decode_header_value(raw)?;
    Ok(match body {
        Value::String(s) => decoded == s.as_str(),
        Value::Bool(b) => decoded == if *b { "true" } else { "false" },
        Value::Number(n) => numbers_equal(&decoded, n),
        Value::Null | Value::Array(_) | Value::Object(_) => false,
    })
}

fn numbers_equal(header: &str, body: &serde_json::Number) -> bool {
    if let (Ok(h), Some(b)) = (header.parse::<i64>(), body.as_i64()) {
        return h == b;
    }
    if let (Ok(h), Some(b)) = (header.parse::<u64>(), body.as_u64()) {
        return h == b;
    }
    match (header.parse::<f64>(), body.as_f64()) {
        (Ok(h), Some(b)) => h.is_finite() && h == b,
        _ => false,
    }
}

/// The value of a header that must appear at most once: `Ok(None)` when absent,
/// `Err(())` when repeated.
pub(crate) fn single<'a>(
    headers: &'a http::HeaderMap,
    name: &HeaderName,
) -> Result<Option<&'a [u8]>, ()> {
    let mut values = headers.get_all(name).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(());
    }
    Ok(first.map(http::HeaderValue::as_bytes))
}

/// Trims HTTP optional whitespace from both ends.
pub(crate) fn trim_ows(raw: &[u8]) -> &[u8] {
    let start = raw.iter().position(|&b| !is_ows(b)).unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|&b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &raw[start..end]
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
        ];
        for (value, encoded) in cases {
            assert_eq!(encode_header_value(value), encoded, "{value:?}");
            assert_eq!(decode_header_value(encoded.as_bytes()).unwrap(), value);
        }
    }

    #[test]
    fn plain_values_stay_plain() {
        assert!(matches!(
            encode_header_value("a b c"),
            Cow::Borrowed("a b c")
        ));
        assert_eq!(encode_header_value(""), "");
        assert_eq!(encode_header_value("tab\there"), "=?base64?dGFiCWhlcmU=?=");
        assert_eq!(encode_header_value("\u{7f}"), "=?base64?fw==?=");
        // Only the exact lowercase markers form the sentinel.
        assert_eq!(encode_header_value("=?BASE64?x?="), "=?BASE64?x?=");
        assert_eq!(encode_header_value("=?base64?"), "=?base64?");
    }

    #[test]
    fn decoding_is_strict() {
        assert_eq!(
            decode_header_value(b"=?base64?SGVsbG8=?=").unwrap(),
            "Hello"
        );
        assert_eq!(
            decode_header_value(b"=?base64?SGVsbG8?="),
            Err(HeaderValueError::InvalidBase64)
        );
        assert_eq!(
            decode_header_value(b"=?base64?SGVs!!!bG8=?="),
            Err(HeaderValueError::InvalidBase64)
        );
        assert_eq!(
            decode_header_value(b"=?base64?/w==?="),
            Err(HeaderValueError::InvalidUtf8)
        );
        assert_eq!(
            decode_header_value(b"caf\xc3\xa9"),
            Err(HeaderValueError::InvalidCharacter)
        );
        assert_eq!(
            decode_header_value(b"a\r\nb"),
            Err(HeaderValueError::InvalidCharacter)
        );
        // Literal values without both markers are taken as they are.
        assert_eq!(
            decode_header_value(b"=?base64?SGVsbG8=").unwrap(),
            "=?base64?SGVsbG8="
        );
        assert_eq!(decode_header_value(b"  name \t").unwrap(), "name");
        assert_eq!(decode_header_value(b"").unwrap(), "");
    }

    #[test]
    fn params_encode_by_type() {
        assert_eq!(encode_param_value(&json!("x")).unwrap(), "x");
        assert_eq!(encode_param_value(&json!(-7)).unwrap(), "-7");
        assert_eq!(encode_param_value(&json!(true)).unwrap(), "true");
        assert_eq!(encode_param_value(&json!(false)).unwrap(), "false");
        assert!(encode_param_value(&json!(null)).is_none());
        assert!(encode_param_value(&json!([1])).is_none());
    }

    #[test]
    fn matching_compares_by_type() {
        assert!(header_matches_value(b"Hello", &json!("Hello")).unwrap());
        assert!(!header_matches_value(b"hello", &json!("Hello")).unwrap());
        assert!(header_matches_value(b"=?base64?SGVsbG8=?=", &json!("Hello")).unwrap());
        assert!(header_matches_value(b"42", &json!(42)).unwrap());
        assert!(header_matches_value(b"42.0", &json!(42)).unwrap());
        assert!(header_matches_value(b"42", &json!(42.0)).unwrap());
        assert!(!header_matches_value(b"43", &json!(42)).unwrap());
        assert!(header_matches_value(b"18446744073709551615", &json!(u64::MAX)).unwrap());
        assert!(!header_matches_value(b"x", &json!(1)).unwrap());
        assert!(header_matches_value(b"true", &json!(true)).unwrap());
        assert!(!header_matches_value(b"True", &json!(true)).unwrap());
        assert!(!header_matches_value(b"null", &json!(null)).unwrap());
        assert!(header_matches_value(b"=?base64?SGVsbG8?=", &json!("Hello")).is_err());
    }

    #[test]
    fn single_rejects_repeats() {
        let mut h = http::HeaderMap::new();
        assert_eq!(single(&h, &MCP_METHOD), Ok(None));
        h.append(MCP_METHOD, "a".parse().unwrap());
        assert_eq!(single(&h, &MCP_METHOD), Ok(Some(&b"a"[..])));
        h.append(MCP_METHOD, "b".parse().unwrap());
        assert_eq!(single(&h, &MCP_METHOD), Err(()));
        assert_eq!(trim_ows(b" \tx y\t "), b"x y");
    }
}
