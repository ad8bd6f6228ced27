//! Zero-sized tag types for string constants (`"type": "text"`), used by the
//! generated types; the generated `tags.rs` declares them with [`const_tag!`].

use std::fmt;

use serde::de::{self, Visitor};

/// Declares a zero-sized type that serializes as one string and refuses any
/// other value.
macro_rules! const_tag {
    ($(#[$attr:meta])* $name:ident = $value:literal) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name;

        impl $name {
            /// The string this tag stands for.
            pub const VALUE: &'static str = $value;
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($value)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_str($crate::tag::TagVisitor($value))
                    .map(|()| $name)
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "const": $value })
            }
        }

        impl $crate::Revisioned for $name {
            fn conform_to(&mut self, _: $crate::ProtocolVersion) {}
        }
    };
}

/// Accepts exactly one string.
pub(crate) struct TagVisitor(pub(crate) &'static str);

impl Visitor<'_> for TagVisitor {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the string \"{}\"", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v == self.0 {
            Ok(())
        } else {
            Err(E::custom(format_args!(
                "expected \"{}\", got {v:?}",
                self.0
            )))
        }
    }
}
