//! Resources: static URIs ([`ResourceDef`]) and URI templates
//! ([`ResourceTemplateDef`]), and what their handlers may return
//! ([`IntoContents`]).
//!
//! | return type | contents |
//! | --- | --- |
//! | `String`, `&'static str` | text (MIME type from the definition, else `text/plain`) |
//! | `Vec<u8>` | a base64 blob (MIME type from the definition, else `application/octet-stream`) |
//! | [`Contents`] | text or blob with its own MIME type |
//! | `ReadResourceResult` | as is |
//! | `Result<T, E>` (`E: Display`) | `T`'s contents, or a `-32603` error |
//!
//! Template parameters are typed: the handler's argument is any `Deserialize`
//! type whose fields are the template's variables (numbers are parsed), or a
//! `String` when the template has one variable.

use base64::Engine as _;
use mcp_types::{
    Annotations, Icon, JsonObject, Meta, ReadResourceResult, Resource, ResourceTemplate,
};
use serde_json::{Value, json};

use crate::ToolError;

/// The definition of a resource at a fixed URI.
///
/// ```
/// use mcp_server::ResourceDef;
///
/// let def = ResourceDef::new("config://app", "app-config")
///     .description("The application's configuration")
///     .mime_type("application/json");
/// # drop(def);
/// ```
#[derive(Debug, Clone)]
pub struct ResourceDef {
    pub(crate) uri: String,
    pub(crate) fields: Fields,
}

/// The definition of a family of resources matching a URI template (RFC 6570).
#[derive(Debug, Clone)]
pub struct ResourceTemplateDef {
    pub(crate) uri_template: String,
    pub(crate) fields: Fields,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Fields {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) mime_type: Option<String>,
    pub(crate) size: Option<i64>,
    pub(crate) annotations: Option<Annotations>,
    pub(crate) icons: Option<Vec<Icon>>,
    pub(crate) meta: Option<Meta>,
}

macro_rules! shared_setters {
    ($ty:ident) => {
        impl $ty {
            /// A human-readable title.
            pub fn title(mut self, title: impl Into<String>) -> Self {
                self.fields.title = Some(title.into());
                self
            }

            /// What the resource holds.
            pub fn description(mut self, description: impl Into<String>) -> Self {
                self.fields.description = Some(description.into());
                self
            }

            /// The MIME type of the contents.
            pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
                self.fields.mime_type = Some(mime_type.into());
                self
            }

            /// Annotations (audience, priority, last modified).
            pub fn annotations(mut self, annotations: Annotations) -> Self {
                self.fields.annotations = Some(annotations);
                self
            }

            /// Icons.
            pub fn icons(mut self, icons: Vec<Icon>) -> Self {
                self.fields.icons = Some(icons);
                self
            }

            /// `_meta` of the definition.
            pub fn meta(mut self, meta: Meta) -> Self {
                self.fields.meta = Some(meta);
                self
            }
        }
    };
}

shared_setters!(ResourceDef);
shared_setters!(ResourceTemplateDef);

impl ResourceDef {
    /// A resource at `uri` named `name`.
    pub fn new(uri: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceDef {
            uri: uri.into(),
            fields: Fields {
                name: name.into(),
                ..Fields::default()
            },
        }
    }

    /// The size of the contents in bytes, if known.
    pub fn size(mut self, size: i64) -> Self {
        self.fields.size = Some(size);
        self
    }

    pub(crate) fn to_resource(&self) -> Resource {
        let mut v = self.fields.to_json();
        v.insert("uri".into(), self.uri.clone().into());
        if let Some(size) = self.fields.size {
            v.insert("size".into(), size.into());
        }
        serde_json::from_value(Value::Object(v)).expect("a resource built from valid parts")
    }
}

impl From<&str> for ResourceDef {
    fn from(uri: &str) -> Self {
        ResourceDef::new(uri, uri)
    }
}

impl ResourceTemplateDef {
    /// A template such as `users://{id}/profile`, named `name`.
    pub fn new(uri_template: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceTemplateDef {
            uri_template: uri_template.into(),
            fields: Fields {
                name: name.into(),
                ..Fields::default()
            },
        }
    }

    pub(crate) fn to_template(&self) -> ResourceTemplate {
        let mut v = self.fields.to_json();
        v.insert("uriTemplate".into(), self.uri_template.clone().into());
        serde_json::from_value(Value::Object(v)).expect("a template built from valid parts")
    }
}

impl From<&str> for ResourceTemplateDef {
    fn from(uri_template: &str) -> Self {
        ResourceTemplateDef::new(uri_template, uri_template)
    }
}

impl Fields {
    fn to_json(&self) -> JsonObject {
        let mut v = JsonObject::new();
        v.insert("name".into(), self.name.clone().into());
        let mut put = |k: &str, value: Option<Value>| {
            if let Some(value) = value {
                v.insert(k.into(), value);
            }
        };
        put("title", self.title.clone().map(Value::from));
        put("description", self.description.clone().map(Value::from));
        put("mimeType", self.mime_type.clone().map(Value::from));
        put(
            "annotations",
            self.annotations
                .as_ref()
                .and_then(|a| serde_json::to_value(a).ok()),
        );
        put(
            "icons",
            self.icons
                .as_ref()
                .and_then(|a| serde_json::to_value(a).ok()),
        );
        put(
            "_meta",
            self.meta
                .as_ref()
                .and_then(|a| serde_json::to_value(a).ok()),
        );
        v
    }
}

/// Resource contents with their own MIME type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// Text.
    Text {
        /// The text.
        text: String,
        /// Its MIME type.
        mime_type: String,
    },
    /// Binary data, sent base64-encoded.
    Blob {
        /// The bytes.
        data: Vec<u8>,
        /// Their MIME type.
        mime_type: String,
    },
}

/// A value a resource handler may return.
pub trait IntoContents: Send + 'static {
    /// The `resources/read` result for `uri`; `mime_type` is the definition's.
    fn into_read_result(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError>;
}

fn read_result(item: Value) -> Result<ReadResourceResult, ToolError> {
    serde_json::from_value(json!({ "contents": [item] })).map_err(ToolError::msg)
}

impl IntoContents for ReadResourceResult {
    fn into_read_result(
        self,
        _uri: &str,
        _mime: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        Ok(self)
    }
}

impl IntoContents for String {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        read_result(json!({ "uri": uri, "mimeType": mime.unwrap_or("text/plain"), "text": self }))
    }
}

impl IntoContents for &'static str {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        self.to_owned().into_read_result(uri, mime)
    }
}

impl IntoContents for Vec<u8> {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        let blob = base64::engine::general_purpose::STANDARD.encode(self);
        read_result(
            json!({ "uri": uri, "mimeType": mime.unwrap_or("application/octet-stream"), "blob": blob }),
        )
    }
}

impl IntoContents for Contents {
    fn into_read_result(
        self,
        uri: &str,
        _mime: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        match self {
            Contents::Text { text, mime_type } => text.into_read_result(uri, Some(&mime_type)),
            Contents::Blob { data, mime_type } => data.into_read_result(uri, Some(&mime_type)),
        }
    }
}

impl<T: IntoContents, E: std::fmt::Display + Send + 'static> IntoContents for Result<T, E> {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        match self {
            Ok(v) => v.into_read_result(uri, mime),
            Err(e) => Err(crate::output::into_tool_error(e)),
        }
    }
}

crate::handler::handler_trait! {
    /// A function that can serve a resource or a resource template; the
    /// shapes are those of [`ToolHandler`](crate::ToolHandler), the output an
    /// [`IntoContents`].
    ResourceHandler, IntoContents
}

/// Builds the argument value of a template handler from the matched variables:
/// an object of strings (numbers and booleans are read from their text by the
/// handler's type), or the one value itself for single-variable templates.
pub(crate) fn template_args<A: serde::de::DeserializeOwned>(
    vars: &[(String, String)],
) -> Result<A, String> {
    let object: JsonObject = vars
        .iter()
        .map(|(k, v)| (k.clone(), typed_guess(v)))
        .collect();
    let as_object = serde_json::from_value::<A>(Value::Object(object.clone()));
    match as_object {
        Ok(a) => Ok(a),
        Err(first) => {
            // Retry with every value as a string (for `String` fields holding digits).
            let strings: JsonObject = vars
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect();
            if let Ok(a) = serde_json::from_value::<A>(Value::Object(strings)) {
                return Ok(a);
            }
            if let [(_, only)] = vars {
                if let Ok(a) = serde_json::from_value::<A>(Value::from(only.clone())) {
                    return Ok(a);
                }
                if let Ok(a) = serde_json::from_value::<A>(typed_guess(only)) {
                    return Ok(a);
                }
            }
            Err(first.to_string())
        }
    }
}

/// A template variable read as the JSON value it spells, when it spells one.
fn typed_guess(text: &str) -> Value {
    if let Ok(n) = text.parse::<i64>() {
        return n.into();
    }
    if let Ok(x) = text.parse::<f64>()
        && x.is_finite()
    {
        return x.into();
    }
    match text {
        "true" => true.into(),
        "false" => false.into(),
        _ => text.into(),
    }
}
