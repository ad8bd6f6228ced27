//! What the router adds to every 2026-07-28 result: `resultType`, the result
//! `_meta` (the server's `io.modelcontextprotocol/serverInfo`) and default
//! caching hints, each unless the handler set it.
//!
//! The handler's result arrives as JSON text. Its members are neither parsed
//! nor copied one by one: only which top-level keys are there is read, and the
//! router's members are appended to the text. Only a handler's own `_meta`
//! object is read, to merge the router's members into it.

use std::borrow::Cow;

use mcp_types::Meta;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::router::CacheHint;

/// `raw` (a result object) with the 2026-07-28 members added: `resultType`
/// (`"complete"` or `"input_required"`), `meta` (the router's `_meta`, with
/// its text) and, for a complete result, `hint`.
pub(crate) fn finish(
    raw: &RawValue,
    result_type: &'static str,
    meta: Option<(&Meta, &RawValue)>,
    hint: Option<CacheHint>,
) -> Result<Box<RawValue>, serde_json::Error> {
    let Members(mut members) = serde_json::from_str(raw.get())?;
    let has = |key: &str| members.iter().any(|(k, _)| k.0 == key);
    let (typed, timed, scoped) = (has("resultType"), has("ttlMs"), has("cacheScope"));
    // Every member read from the handler's text is raw.
    let own_meta = members.iter().enumerate().find_map(|(i, (k, v))| match v {
        Member::Raw(raw) if k.0 == "_meta" => Some((i, *raw)),
        _ => None,
    });
    if !typed {
        members.push((Key::from("resultType"), Member::Str(result_type)));
    }
    if let Some((extra, extra_text)) = meta {
        match own_meta {
            None => members.push((Key::from("_meta"), Member::Raw(extra_text))),
            Some((i, own)) if own.get().starts_with('{') => {
                // The handler's `_meta` wins over the router's, member by member.
                let mut merged: Map<String, Value> = serde_json::from_str(own.get())?;
                for (k, v) in extra.iter() {
                    merged.entry(k.clone()).or_insert_with(|| v.clone());
                }
                members[i].1 = Member::Owned(serde_json::value::to_raw_value(&merged)?);
            }
            // A `_meta` that is not an object is the handler's to answer for.
            Some(_) => {}
        }
    }
    if let Some(hint) = hint.filter(|_| result_type == "complete") {
        if !timed {
            members.push((Key::from("ttlMs"), Member::U64(hint.ttl_ms)));
        }
        if !scoped {
            let scope = if hint.public { "public" } else { "private" };
            members.push((Key::from("cacheScope"), Member::Str(scope)));
        }
    }
    // Each member's value is written as it was: serde_json copies raw values
    // verbatim, so nothing is parsed or validated again.
    serde_json::value::to_raw_value(&Members(members))
}

/// A result object's members, in order: keys (borrowed unless escaped) and
/// values as they were written.
struct Members<'a>(Vec<(Key<'a>, Member<'a>)>);

/// A member name.
struct Key<'a>(Cow<'a, str>);

impl From<&'static str> for Key<'_> {
    fn from(key: &'static str) -> Self {
        Key(Cow::Borrowed(key))
    }
}

/// A member value.
enum Member<'a> {
    /// The handler's (or the router's `_meta`), as written.
    Raw(&'a RawValue),
    /// A merged `_meta`.
    Owned(Box<RawValue>),
    Str(&'static str),
    U64(u64),
}

impl serde::Serialize for Member<'_> {
    fn serialize<Se: serde::Serializer>(&self, serializer: Se) -> Result<Se::Ok, Se::Error> {
        match self {
            Member::Raw(raw) => raw.serialize(serializer),
            Member::Owned(raw) => raw.serialize(serializer),
            Member::Str(s) => serializer.serialize_str(s),
            Member::U64(n) => serializer.serialize_u64(*n),
        }
    }
}

impl serde::Serialize for Members<'_> {
    fn serialize<Se: serde::Serializer>(&self, serializer: Se) -> Result<Se::Ok, Se::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(&*k.0, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a result object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                // The handler's members, and room for the four the router adds.
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(4) + 4);
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    members.push((key, Member::Raw(map.next_value()?)));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HINT: CacheHint = CacheHint {
        ttl_ms: 5000,
        public: false,
    };

    fn raw(v: Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&v).unwrap()
    }

    fn server_meta() -> (Meta, Box<RawValue>) {
        let mut meta = Meta::new();
        meta.insert_as("io.modelcontextprotocol/serverInfo", &json!({"name": "s"}));
        let text = serde_json::value::to_raw_value(&meta).unwrap();
        (meta, text)
    }

    fn finished(v: Value, result_type: &'static str, hint: Option<CacheHint>) -> Value {
        let (meta, text) = server_meta();
        let out = finish(&raw(v), result_type, Some((&meta, &text)), hint).unwrap();
        serde_json::from_str(out.get()).unwrap()
    }

    #[test]
    fn every_member_is_added_to_a_plain_result() {
        let out = finished(json!({"tools": []}), "complete", Some(HINT));
        assert_eq!(
            out,
            json!({
                "tools": [],
                "resultType": "complete",
                "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "s"}},
                "ttlMs": 5000,
                "cacheScope": "private",
            })
        );
    }

    #[test]
    fn an_empty_result_gets_the_members_alone() {
        let out = finish(&raw(json!({})), "complete", None, None).unwrap();
        assert_eq!(out.get(), r#"{"resultType":"complete"}"#);
    }

    #[test]
    fn the_handler_s_members_win() {
        let out = finished(
            json!({"resultType": "x", "ttlMs": 1, "cacheScope": "public"}),
            "complete",
            Some(HINT),
        );
        assert_eq!(out["resultType"], "x");
        assert_eq!(out["ttlMs"], 1);
        assert_eq!(out["cacheScope"], "public");
        assert!(out["_meta"].is_object());
    }

    #[test]
    fn a_handler_s_meta_is_merged_with_the_router_s() {
        let out = finished(
            json!({"content": [], "_meta": {"mine": 1, "io.modelcontextprotocol/serverInfo": "own"}}),
            "complete",
            Some(HINT),
        );
        assert_eq!(
            out["_meta"],
            json!({"mine": 1, "io.modelcontextprotocol/serverInfo": "own"})
        );
        assert_eq!(out["resultType"], "complete");
        assert_eq!(out["ttlMs"], 5000);

        let out = finished(json!({"_meta": {"mine": 1}}), "complete", None);
        assert_eq!(
            out["_meta"],
            json!({"mine": 1, "io.modelcontextprotocol/serverInfo": {"name": "s"}})
        );
    }

    #[test]
    fn a_meta_that_is_not_an_object_is_left_alone() {
        let out = finished(json!({"_meta": 3}), "complete", None);
        assert_eq!(out, json!({"_meta": 3, "resultType": "complete"}));
    }

    #[test]
    fn an_input_required_result_gets_no_caching_hints() {
        let out = finished(json!({"inputRequests": {}}), "input_required", Some(HINT));
        assert_eq!(out["resultType"], "input_required");
        assert!(out.get("ttlMs").is_none() && out.get("cacheScope").is_none());
    }

    #[test]
    fn members_are_written_as_they_were() {
        let text = r#"{"a\"b":1,"n":1.50,"s":"\u00e9"}"#;
        let raw: Box<RawValue> = serde_json::from_str(text).unwrap();
        let out = finish(&raw, "complete", None, None).unwrap();
        assert_eq!(
            out.get(),
            r#"{"a\"b":1,"n":1.50,"s":"\u00e9","resultType":"complete"}"#
        );
    }

    #[test]
    fn a_result_that_is_not_an_object_is_an_error() {
        assert!(finish(&raw(json!([1])), "complete", None, None).is_err());
        assert!(finish(&raw(json!("x")), "complete", None, None).is_err());
    }
}
