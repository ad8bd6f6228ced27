//! Deserialization helpers for the generated unions: reading a
//! discriminator, picking the variant of an untagged union by shape, and
//! errors that name the union.

use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The name of a JSON value's kind, for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The string under `key` of an object; `Ok(None)` when the key is absent.
pub(crate) fn tag<'v>(value: &'v Value, noun: &str, key: &str) -> Result<Option<&'v str>, String> {
    let Value::Object(map) = value else {
        return Err(format!("expected {noun} to be an object, got {}", kind(value)));
    };
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("{noun} `{key}` must be a string, got {}", kind(other))),
    }
}

/// The error for a discriminator value no variant has.
pub(crate) fn unknown_tag(noun: &str, key: &str, value: &str, expected: &[&str]) -> String {
    let expected: Vec<String> = expected.iter().map(|e| format!("{e:?}")).collect();
    format!("unknown {noun} {key} {value:?}, expected one of {}", expected.join(", "))
}

/// The error for a missing discriminator.
pub(crate) fn missing_tag(noun: &str, key: &str) -> String {
    format!("{noun} is missing its `{key}` member")
}

/// The error of a variant that was chosen but did not parse.
pub(crate) fn invalid_variant(union: &str, variant: &str, error: impl fmt::Display) -> String {
    format!("invalid {union}::{variant}: {error}")
}

/// What an untagged union's variant looks like on the wire. (Not every
/// shape occurs in today's schemas; the generator may emit any of them.)
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)]
pub(crate) enum Shape {
    /// An object with these members, of which `required` must be present.
    Object {
        known: &'static [&'static str],
        required: &'static [&'static str],
    },
    /// Any object.
    AnyObject,
    String,
    Integer,
    Number,
    Boolean,
    Array,
}

impl Shape {
    fn fits(self, value: &Value, strict: bool) -> bool {
        match (self, value) {
            (Shape::Object { known, required }, Value::Object(map)) => {
                required.iter().all(|r| map.contains_key(*r))
                    && (!strict || map.keys().all(|k| known.contains(&k.as_str())))
            }
            (Shape::AnyObject, Value::Object(_)) => !strict,
            (Shape::String, Value::String(_)) => true,
            (Shape::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Shape::Number, Value::Number(_)) => true,
            (Shape::Boolean, Value::Bool(_)) => true,
            (Shape::Array, Value::Array(_)) => true,
            _ => false,
        }
    }
}

/// The variant of an untagged union that `value` is: the first whose known
/// members include all of the value's (and whose required members are
/// present), else the first that it fits at all.
pub(crate) fn pick(value: &Value, shapes: &[Shape]) -> Option<usize> {
    shapes
        .iter()
        .position(|s| s.fits(value, true))
        .or_else(|| shapes.iter().position(|s| s.fits(value, false)))
}

/// The error for a value that fits no variant of an untagged union.
pub(crate) fn no_variant(union: &str, value: &Value, expected: &str) -> String {
    format!("{} is not a valid {union} (expected {expected})", kind(value))
}

/// `X | X[]`, read without buffering.
pub(crate) enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

/// Reads `X | X[]`: an object is one `T`, an array many.
pub(crate) fn one_or_many<'de, D, T>(deserializer: D, union: &'static str) -> Result<OneOrMany<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(&'static str, std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = OneOrMany<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{}: an object or an array of objects", self.0)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(OneOrMany::One)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            Vec::<T>::deserialize(SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
        }
    }
    deserializer.deserialize_any(V(union, std::marker::PhantomData))
}

/// Maps a `serde_json` error into another deserializer's error.
pub(crate) fn custom<E: de::Error, M: fmt::Display>(error: M) -> E {
    E::custom(error)
}
