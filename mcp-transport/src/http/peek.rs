//! A glance into a message's `params` for the few members the HTTP layer
//! needs (the 2026 `_meta` protocol version, `name`, `uri`), without building
//! the whole value.

use std::borrow::Cow;

use mcp_types::JsonRpcMessage;
use serde::Deserialize;
use serde_json::value::RawValue;

/// What the HTTP layer reads from `params`; every member is optional and a
/// member of an unexpected type reads as absent (the engine reports it).
#[derive(Debug, Default)]
pub(crate) struct Peek<'a> {
    /// `_meta["io.modelcontextprotocol/protocolVersion"]`, when present.
    pub(crate) protocol_version: Option<Cow<'a, str>>,
    /// Whether `_meta` has the protocol version key at all (of any type).
    pub(crate) has_protocol_version: bool,
    /// `params.name`, when a string.
    pub(crate) name: Option<Cow<'a, str>>,
    /// `params.uri`, when a string.
    pub(crate) uri: Option<Cow<'a, str>>,
    /// `params.taskId`, when a string (the `tasks/*` methods).
    pub(crate) task_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct RawParams<'a> {
    #[serde(rename = "_meta", borrow, default)]
    meta: Option<&'a RawValue>,
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    uri: Option<&'a RawValue>,
    #[serde(rename = "taskId", borrow, default)]
    task_id: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawMeta<'a> {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", borrow, default)]
    protocol_version: Option<&'a RawValue>,
}

fn string(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    raw.and_then(mcp_types::raw_str)
}

/// The params read in one pass, `_meta` included: the common case.
#[derive(Deserialize)]
struct OnePass<'a> {
    #[serde(rename = "_meta", borrow, default)]
    meta: Option<MetaObject<'a>>,
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    uri: Option<&'a RawValue>,
    #[serde(rename = "taskId", borrow, default)]
    task_id: Option<&'a RawValue>,
}

/// `_meta` when it is an object; anything else fails the one-pass reading
/// (and the two-pass one decides).
struct MetaObject<'a> {
    protocol_version: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum MetaKey {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion")]
    ProtocolVersion,
    #[serde(other)]
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for MetaObject<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = MetaObject<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a _meta object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut seen = false;
                let mut protocol_version = None;
                while let Some(key) = map.next_key::<MetaKey>()? {
                    match key {
                        MetaKey::ProtocolVersion if seen => {
                            return Err(serde::de::Error::duplicate_field(
                                "io.modelcontextprotocol/protocolVersion",
                            ));
                        }
                        MetaKey::ProtocolVersion => {
                            seen = true;
                            protocol_version = map.next_value::<Option<&'de RawValue>>()?;
                        }
                        MetaKey::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(MetaObject { protocol_version })
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

impl<'a> Peek<'a> {
    /// Reads the members from a request's or notification's params.
    pub(crate) fn of(message: &'a JsonRpcMessage) -> Peek<'a> {
        let params = match message {
            JsonRpcMessage::Request(r) => r.params.as_deref(),
            JsonRpcMessage::Notification(n) => n.params.as_deref(),
            _ => None,
        };
        let Some(params) = params.filter(|p| p.get().starts_with('{')) else {
            return Peek::default();
        };
        // One pass over the params when `_meta` is an object or absent (the
        // usual case); otherwise the two-pass reading, which treats a
        // `_meta` of another type as absent.
        if let Ok(raw) = serde_json::from_str::<OnePass<'a>>(params.get()) {
            let version = raw.meta.and_then(|m| m.protocol_version);
            return Peek {
                has_protocol_version: version.is_some(),
                protocol_version: string(version),
                name: string(raw.name),
                uri: string(raw.uri),
                task_id: string(raw.task_id),
            };
        }
        let Ok(raw) = serde_json::from_str::<RawParams<'a>>(params.get()) else {
            return Peek::default();
        };
        let meta = raw
            .meta
            .filter(|m| m.get().starts_with('{'))
            .and_then(|m| serde_json::from_str::<RawMeta<'a>>(m.get()).ok());
        let version = meta.and_then(|m| m.protocol_version);
        Peek {
            has_protocol_version: version.is_some(),
            protocol_version: string(version),
            name: string(raw.name),
            uri: string(raw.uri),
            task_id: string(raw.task_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peek_of(params: &str) -> (Option<String>, bool, Option<String>, Option<String>) {
        let text = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"m","params":{params}}}"#);
        let m = JsonRpcMessage::from_slice(text.as_bytes()).unwrap();
        let p = Peek::of(&m);
        (
            p.protocol_version.map(Cow::into_owned),
            p.has_protocol_version,
            p.name.map(Cow::into_owned),
            p.uri.map(Cow::into_owned),
        )
    }

    #[test]
    fn reads_members() {
        let (v, has, name, uri) = peek_of(
            r#"{"name":"a\"b","uri":"file:///x","arguments":{"big":[1,2,3]},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#,
        );
        assert_eq!(v.as_deref(), Some("2026-07-28"));
        assert!(has);
        assert_eq!(name.as_deref(), Some("a\"b"));
        assert_eq!(uri.as_deref(), Some("file:///x"));
    }

    #[test]
    fn reads_the_task_id() {
        let text = r#"{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"taskId":"t-1"}}"#;
        let m = JsonRpcMessage::from_slice(text.as_bytes()).unwrap();
        assert_eq!(Peek::of(&m).task_id.as_deref(), Some("t-1"));
    }

    #[test]
    fn meta_of_any_shape_reads_as_the_two_pass_reading_does() {
        let v = Some("2026-07-28".to_owned());
        let name = Some("n".to_owned());
        let key = "io.modelcontextprotocol/protocolVersion";
        for (params, expected) in [
            (
                format!(r#"{{"_meta":{{"a":[1,{{"b":2}}],"{key}":"2026-07-28"}},"name":"n"}}"#),
                (v.clone(), true, name.clone(), None),
            ),
            (
                format!(r#"{{"name":"n","_meta":{{"{key}":null}}}}"#),
                (None, false, name.clone(), None),
            ),
            (
                r#"{"name":"n","_meta":null}"#.to_owned(),
                (None, false, name.clone(), None),
            ),
            (
                r#"{"name":"n","_meta":["2026-07-28"]}"#.to_owned(),
                (None, false, name.clone(), None),
            ),
            (
                r#"{"name":"n","_meta":"x"}"#.to_owned(),
                (None, false, name.clone(), None),
            ),
            (
                format!(r#"{{"name":"n","_meta":{{"{key}":"a","{key}":"b"}}}}"#),
                (None, false, name.clone(), None),
            ),
            (
                r#"{"name":"n","_meta":{"io.modelcontextprotocol\/protocolVersion":"2026-07-28"}}"#
                    .to_owned(),
                (v.clone(), true, name.clone(), None),
            ),
        ] {
            assert_eq!(peek_of(&params), expected, "{params}");
        }
    }

    #[test]
    fn odd_shapes_read_as_absent() {
        assert_eq!(peek_of("[1]"), (None, false, None, None));
        assert_eq!(
            peek_of(r#"{"name":7,"_meta":"x"}"#),
            (None, false, None, None)
        );
        assert_eq!(
            peek_of(r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":5}}"#),
            (None, true, None, None)
        );
    }
}
