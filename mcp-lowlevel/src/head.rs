//! What the router reads of a request's params before its handler does: the
//! members of `_meta` that say which era the request is in and who sent it,
//! and the MRTR members; all borrowed from the request's text.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The `_meta` member of a request's params (as text) and the MRTR members,
/// read without the rest.
#[derive(Deserialize, Default)]
pub(crate) struct ParamsMeta<'a> {
    #[serde(rename = "_meta", borrow, default)]
    pub(crate) meta: Option<&'a RawValue>,
    #[serde(rename = "inputResponses", default)]
    pub(crate) input_responses: Option<Value>,
    #[serde(rename = "requestState", default)]
    pub(crate) request_state: Option<Value>,
}

/// The members of `_meta` the router reads, each as text: a member that does
/// not parse as what it should be is then treated as the `Meta` accessors
/// would treat it (ignored, or for capabilities, an error).
///
/// The names are those of [`mcp_types::meta`]; the test
/// `known_meta_names_match_the_protocol_constants` keeps them in step.
#[derive(Deserialize, Default)]
pub(crate) struct KnownMeta<'a> {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", borrow, default)]
    pub(crate) protocol_version: Option<&'a RawValue>,
    #[serde(rename = "io.modelcontextprotocol/clientCapabilities", borrow, default)]
    pub(crate) client_capabilities: Option<&'a RawValue>,
    #[serde(rename = "io.modelcontextprotocol/clientInfo", borrow, default)]
    pub(crate) client_info: Option<&'a RawValue>,
    #[serde(rename = "io.modelcontextprotocol/logLevel", borrow, default)]
    pub(crate) log_level: Option<&'a RawValue>,
}

impl<'a> KnownMeta<'a> {
    /// The 2026-07-28 protocol version, when `_meta` names one as a string.
    pub(crate) fn protocol_version(&self) -> Option<std::borrow::Cow<'a, str>> {
        self.protocol_version.and_then(mcp_types::raw_str)
    }
}

/// Reads a `_meta` member's text as `T`; `None` when it is not one.
pub(crate) fn member<'a, T: Deserialize<'a>>(raw: Option<&'a RawValue>) -> Option<T> {
    raw.and_then(|raw| serde_json::from_str(raw.get()).ok())
}

/// Whether `params` may hold a member of [`ParamsMeta`]. Most requests carry
/// none, and a byte search costs far less than a parse. A key spelled with
/// escapes (`"\u005fmeta"`) would slip past the search, so any backslash
/// means "maybe".
pub(crate) fn may_carry_head(params: &str) -> bool {
    let bytes = params.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\\' => true,
        b'"' => {
            let rest = &bytes[i + 1..];
            // The first letter picks the one key worth comparing.
            match rest.first() {
                Some(b'_') => rest.starts_with(b"_meta\""),
                Some(b'i') => rest.starts_with(b"inputResponses\""),
                Some(b'r') => rest.starts_with(b"requestState\""),
                _ => false,
            }
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcp_types::meta;

    #[test]
    fn known_meta_names_match_the_protocol_constants() {
        let text = serde_json::json!({
            meta::PROTOCOL_VERSION: "v",
            meta::CLIENT_CAPABILITIES: {"c": 1},
            meta::CLIENT_INFO: {"i": 2},
            meta::LOG_LEVEL: "debug",
        })
        .to_string();
        let known: KnownMeta<'_> = serde_json::from_str(&text).unwrap();
        assert_eq!(known.protocol_version().as_deref(), Some("v"));
        assert_eq!(
            known.client_capabilities.map(RawValue::get),
            Some(r#"{"c":1}"#)
        );
        assert_eq!(known.client_info.map(RawValue::get), Some(r#"{"i":2}"#));
        assert_eq!(member::<String>(known.log_level).as_deref(), Some("debug"));
    }

    #[test]
    fn a_version_with_escapes_is_still_read() {
        let text = r#"{"io.modelcontextprotocol/protocolVersion": "2026\u002d07-28"}"#;
        let known: KnownMeta<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(known.protocol_version().as_deref(), Some("2026-07-28"));
    }

    #[test]
    fn members_of_the_wrong_type_read_as_absent() {
        let text = r#"{"io.modelcontextprotocol/protocolVersion": 5, "io.modelcontextprotocol/logLevel": []}"#;
        let known: KnownMeta<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(known.protocol_version(), None);
        assert_eq!(member::<String>(known.log_level), None);
    }

    #[test]
    fn the_byte_scan_finds_every_head_member() {
        assert!(may_carry_head(r#"{"_meta":{}}"#));
        assert!(may_carry_head(r#"{"inputResponses":{}}"#));
        assert!(may_carry_head(r#"{"requestState":"s"}"#));
        assert!(
            may_carry_head(r#"{"\u005fmeta":{}}"#),
            "an escape may hide a key"
        );
        assert!(!may_carry_head(
            r#"{"name":"echo","arguments":{"meta":"_"}}"#
        ));
    }
}
