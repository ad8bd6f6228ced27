//! Deserialization helpers for the generated unions: reading a
//! discriminator, picking the variant of an untagged union by shape, and
//! errors that name the union.

use std::fmt;

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::value::{
    MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer, StringDeserializer,
};
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
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

/// A union told apart by a string member (`"type": "text"`), implemented by
/// the generated discriminated unions and read by [`tagged`].
pub(crate) trait Tagged: Sized {
    /// The union's name, for errors.
    const NAME: &'static str;
    /// A noun for the union in errors (`content`).
    const NOUN: &'static str;
    /// The discriminator member.
    const KEY: &'static str;
    /// The discriminator value of each variant.
    const TAGS: &'static [&'static str];
    /// The name of each variant, for errors.
    const VARIANTS: &'static [&'static str];
    /// The variant to use when the discriminator is absent.
    const FALLBACK: Option<usize>;
    /// Whether an unknown discriminator value also selects `FALLBACK`.
    const OPEN: bool;

    /// Reads variant `index` from `deserializer`.
    fn variant<'de, D: Deserializer<'de>>(index: usize, deserializer: D) -> Result<Self, D::Error>;
}

/// Reads a discriminated union without buffering it: the members before the
/// discriminator are kept (as JSON values), the variant is chosen, and its own
/// `Deserialize` sees them replayed, then the discriminator, then the rest of
/// the object straight from the input. A discriminator that comes first (as
/// this crate writes it) means nothing is buffered.
pub(crate) fn tagged<'de, D: Deserializer<'de>, T: Tagged>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(TaggedVisitor(PhantomData))
}

struct TaggedVisitor<T>(PhantomData<T>);

impl<'de, T: Tagged> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} object (with a `{}` member)", T::NOUN, T::KEY)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut buffered: Vec<(String, Value)> = Vec::new();
        let found = loop {
            match map.next_key_seed(KeySeed(T::KEY))? {
                Some(None) => break Some(map.next_value_seed(TagSeed::<T>(PhantomData))?),
                Some(Some(key)) => {
                    let value: Value = map.next_value()?;
                    buffered.push((key, value));
                }
                None => break None,
            }
        };
        let (index, tag) = match (found, T::FALLBACK) {
            (Some((i, unknown)), _) => (
                i,
                Some(unknown.map_or(Cow::Borrowed(T::TAGS[i]), Cow::Owned)),
            ),
            (None, Some(i)) => (i, None),
            (None, None) => return Err(de::Error::custom(missing_tag(T::NOUN, T::KEY))),
        };
        let replay = Replay {
            buffered: buffered.into_iter(),
            tag: tag.map(|t| (T::KEY, t)),
            rest: map,
            pending: None,
        };
        T::variant(index, MapAccessDeserializer::new(replay))
            .map_err(|e| de::Error::custom(invalid_variant(T::NAME, T::VARIANTS[index], e)))
    }
}

/// A member name: `None` for the discriminator, the name otherwise (only
/// allocated for members read before the discriminator).
struct KeySeed(&'static str);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok((v != self.0).then(|| v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok((v != self.0).then_some(v))
    }
}

/// The discriminator value, as the index of its variant (and the value
/// itself when an open union does not know it).
struct TagSeed<T>(PhantomData<T>);

impl<'de, T: Tagged> DeserializeSeed<'de> for TagSeed<T> {
    type Value = (usize, Option<String>);
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T: Tagged> Visitor<'_> for TagSeed<T> {
    type Value = (usize, Option<String>);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} `{}`, a string", T::NOUN, T::KEY)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match (T::TAGS.iter().position(|t| *t == v), T::FALLBACK) {
            (Some(i), _) => Ok((i, None)),
            (None, Some(i)) if T::OPEN => Ok((i, Some(v.to_owned()))),
            _ => Err(E::custom(unknown_tag(T::NOUN, T::KEY, v, T::TAGS))),
        }
    }
}

/// The members read so far, then the discriminator, then the rest of the map.
struct Replay<A> {
    buffered: std::vec::IntoIter<(String, Value)>,
    tag: Option<(&'static str, Cow<'static, str>)>,
    rest: A,
    pending: Option<Pending>,
}

/// A replayed discriminator value: a string, also to an `Option<String>`
/// member (an optional discriminator).
struct TagValue<E>(Cow<'static, str>, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for TagValue<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

enum Pending {
    Value(Value),
    Tag(Cow<'static, str>),
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.buffered.next() {
            self.pending = Some(Pending::Value(value));
            return seed
                .deserialize(StringDeserializer::<A::Error>::new(key))
                .map(Some);
        }
        if let Some((key, tag)) = self.tag.take() {
            self.pending = Some(Pending::Tag(tag));
            return seed
                .deserialize(StrDeserializer::<A::Error>::new(key))
                .map(Some);
        }
        self.rest.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.pending.take() {
            Some(Pending::Value(value)) => seed
                .deserialize(value.into_deserializer())
                .map_err(de::Error::custom),
            Some(Pending::Tag(tag)) => seed.deserialize(TagValue::<A::Error>(tag, PhantomData)),
            None => self.rest.next_value_seed(seed),
        }
    }
}

/// The error for a discriminator value no variant has.
pub(crate) fn unknown_tag(noun: &str, key: &str, value: &str, expected: &[&str]) -> String {
    let expected: Vec<String> = expected.iter().map(|e| format!("{e:?}")).collect();
    format!(
        "unknown {noun} {key} {value:?}, expected one of {}",
        expected.join(", ")
    )
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
    /// An object with these members, of which `required` must be present
    /// and each of `tags` must be one of its strings.
    Object {
        known: &'static [&'static str],
        required: &'static [&'static str],
        tags: &'static [(&'static str, &'static [&'static str])],
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
            (
                Shape::Object {
                    known,
                    required,
                    tags,
                },
                Value::Object(map),
            ) => {
                required.iter().all(|r| map.contains_key(*r))
                    && tags.iter().all(|(k, allowed)| {
                        map.get(*k)
                            .and_then(Value::as_str)
                            .is_some_and(|v| allowed.contains(&v))
                    })
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

/// The variants of an untagged union that `value` may be, as a bit mask:
/// those whose known members include all of the value's (with the required
/// ones present and the tags right) or, when there are none, those whose
/// shape it fits at all. The caller tries them in order.
pub(crate) fn candidates(value: &Value, shapes: &[Shape]) -> u64 {
    let mask = |strict: bool| {
        shapes
            .iter()
            .enumerate()
            .take(64)
            .filter(|(_, s)| s.fits(value, strict))
            .fold(0u64, |m, (i, _)| m | 1 << i)
    };
    match mask(true) {
        0 => mask(false),
        m => m,
    }
}

/// The error for a value that fits no variant of an untagged union.
pub(crate) fn no_variant(union: &str, value: &Value, expected: &str) -> String {
    format!(
        "{} is not a valid {union} (expected {expected})",
        kind(value)
    )
}

/// `X | X[]`, read without buffering.
pub(crate) enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

/// Reads `X | X[]`: an object is one `T`, an array many.
pub(crate) fn one_or_many<'de, D, T>(
    deserializer: D,
    union: &'static str,
) -> Result<OneOrMany<T>, D::Error>
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
