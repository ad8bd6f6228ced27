//! Serialization of the generated message types (`CallToolRequest`,
//! `ProgressNotification`, `CallToolResultResponse`, ...): one streaming
//! implementation that the generated impls call, so that reading a message
//! checks `jsonrpc` and `method` without buffering it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::RequestId;
use crate::tag::TagVisitor;

/// The fixed shape of one message type.
#[derive(Debug)]
pub(crate) struct Spec {
    /// The Rust type name, for errors.
    pub(crate) name: &'static str,
    /// The method a request or notification must carry.
    pub(crate) method: Option<&'static str>,
    /// `"params"` or `"result"`.
    pub(crate) body: &'static str,
    /// Whether `"jsonrpc": "2.0"` must be present.
    pub(crate) jsonrpc_required: bool,
}

/// The members of a message as read.
#[derive(Debug)]
pub(crate) struct Parts<B> {
    pub(crate) jsonrpc: bool,
    pub(crate) id: Option<RequestId>,
    pub(crate) body: Option<B>,
}

/// Writes `{"jsonrpc":"2.0","id":..,"method":..,"params"|"result":..}`,
/// leaving out what is `None`/`false`.
pub(crate) fn serialize<S: Serializer, B: Serialize>(
    serializer: S,
    spec: &Spec,
    jsonrpc: bool,
    id: Option<&RequestId>,
    body: Option<&B>,
) -> Result<S::Ok, S::Error> {
    let len = usize::from(jsonrpc)
        + usize::from(id.is_some())
        + usize::from(spec.method.is_some())
        + usize::from(body.is_some());
    let mut s = serializer.serialize_struct(spec.name, len)?;
    if jsonrpc {
        s.serialize_field("jsonrpc", "2.0")?;
    }
    if let Some(id) = id {
        s.serialize_field("id", id)?;
    }
    if let Some(method) = spec.method {
        s.serialize_field("method", method)?;
    }
    if let Some(body) = body {
        s.serialize_field(spec.body, body)?;
    }
    s.end()
}

/// Reads a message, checking `jsonrpc` and `method`; unknown members are
/// skipped, duplicates refused. Whether `id` and the body are required is for
/// the caller to say.
pub(crate) fn deserialize<'de, D, B>(
    deserializer: D,
    spec: &'static Spec,
) -> Result<Parts<B>, D::Error>
where
    D: Deserializer<'de>,
    B: Deserialize<'de>,
{
    deserializer.deserialize_map(PartsVisitor {
        spec,
        body: PhantomData,
    })
}

enum Key {
    Jsonrpc,
    Id,
    Method,
    Body,
    Other,
}

struct KeySeed(&'static Spec);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "jsonrpc" => Key::Jsonrpc,
            "id" => Key::Id,
            "method" if self.0.method.is_some() => Key::Method,
            b if b == self.0.body => Key::Body,
            _ => Key::Other,
        })
    }
}

/// Checks that `method` is the expected one.
struct MethodSeed(&'static str);

impl<'de> DeserializeSeed<'de> for MethodSeed {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for MethodSeed {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the method name \"{}\"", self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v == self.0 {
            Ok(())
        } else {
            Err(E::custom(format_args!(
                "expected method \"{}\", got {v:?}",
                self.0
            )))
        }
    }
}

/// Checks `"jsonrpc": "2.0"`.
struct JsonrpcSeed;

impl<'de> DeserializeSeed<'de> for JsonrpcSeed {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer
            .deserialize_str(TagVisitor("2.0"))
            .map_err(|e| de::Error::custom(format_args!("`jsonrpc` must be \"2.0\": {e}")))
    }
}

struct PartsVisitor<B> {
    spec: &'static Spec,
    body: PhantomData<B>,
}

impl<'de, B: Deserialize<'de>> Visitor<'de> for PartsVisitor<B> {
    type Value = Parts<B>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} message object", self.spec.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parts<B>, A::Error> {
        let spec = self.spec;
        let mut parts = Parts {
            jsonrpc: false,
            id: None,
            body: None,
        };
        let (mut seen_id, mut seen_method, mut seen_body) = (false, false, false);
        let duplicate = |name: &str| {
            de::Error::custom(format_args!("duplicate member `{name}` in {}", spec.name))
        };
        while let Some(key) = map.next_key_seed(KeySeed(spec))? {
            match key {
                Key::Jsonrpc => {
                    if parts.jsonrpc {
                        return Err(duplicate("jsonrpc"));
                    }
                    map.next_value_seed(JsonrpcSeed)?;
                    parts.jsonrpc = true;
                }
                Key::Id => {
                    if seen_id {
                        return Err(duplicate("id"));
                    }
                    seen_id = true;
                    parts.id = Some(map.next_value()?);
                }
                Key::Method => {
                    if seen_method {
                        return Err(duplicate("method"));
                    }
                    seen_method = true;
                    map.next_value_seed(MethodSeed(spec.method.unwrap_or_default()))?;
                }
                Key::Body => {
                    if seen_body {
                        return Err(duplicate(spec.body));
                    }
                    seen_body = true;
                    parts.body = map.next_value::<Option<B>>()?;
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if spec.jsonrpc_required && !parts.jsonrpc {
            return Err(de::Error::custom(format_args!(
                "{} is missing `\"jsonrpc\": \"2.0\"`",
                spec.name
            )));
        }
        if let (Some(method), false) = (spec.method, seen_method) {
            return Err(de::Error::custom(format_args!(
                "{} is missing `\"method\": \"{method}\"`",
                spec.name
            )));
        }
        Ok(parts)
    }
}

/// The error for a required member that is absent.
pub(crate) fn missing<E: de::Error>(spec: &Spec, member: &'static str) -> E {
    E::custom(format_args!("{} is missing `{member}`", spec.name))
}

/// The JSON Schema of a message type.
#[cfg(feature = "schemars")]
pub(crate) fn schema<B: schemars::JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
    spec: &Spec,
    jsonrpc_required: bool,
    id: Option<bool>,
    body_required: bool,
) -> schemars::Schema {
    use serde_json::{Map, Value, json};
    let mut props = Map::new();
    let mut required = Vec::new();
    props.insert(
        "jsonrpc".into(),
        json!({ "type": "string", "const": "2.0" }),
    );
    if jsonrpc_required {
        required.push("jsonrpc");
    }
    if let Some(id_required) = id {
        props.insert(
            "id".into(),
            generator.subschema_for::<RequestId>().to_value(),
        );
        if id_required {
            required.push("id");
        }
    }
    if let Some(method) = spec.method {
        props.insert(
            "method".into(),
            json!({ "type": "string", "const": method }),
        );
        required.push("method");
    }
    props.insert(spec.body.into(), generator.subschema_for::<B>().to_value());
    if body_required {
        required.push(spec.body);
    }
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(props));
    schema.insert("required".into(), json!(required));
    schemars::Schema::from(schema)
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for RequestId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RequestId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "integer"] })
    }
}
