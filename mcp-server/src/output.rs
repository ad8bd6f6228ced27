//! What a tool may return: [`IntoToolResult`] and the wrappers [`Json`],
//! [`Image`] and [`Audio`].
//!
//! | return type | result |
//! | --- | --- |
//! | `String`, `&'static str`, numbers, `bool` | one text block |
//! | `()` | no content |
//! | `ContentBlock`, `Vec<ContentBlock>` | those blocks |
//! | [`Image`], [`Audio`] | one image / audio block |
//! | [`Json<T>`] (`T: Serialize + JsonSchema`) | `structuredContent` plus its JSON as text; `outputSchema` from `T` |
//! | `CallToolResult` | as is |
//! | `Result<T, E>` (`E: Display`) | `T`'s result, or an `isError` result with the error's text |

use std::fmt::Display;

use base64::Engine as _;
use mcp_types::{AudioContent, CallToolResult, ContentBlock, ImageContent, JsonObject};
use schemars::JsonSchema;
use serde::Serialize;

use crate::ToolError;
use crate::schema::schema_object_for;

/// A value a tool handler may return.
pub trait IntoToolResult: Send + 'static {
    /// Converts the value into the call's result; an `Err` is a handler
    /// failure the server turns into an `isError` result or a protocol error.
    fn into_tool_result(self) -> Result<CallToolResult, ToolError>;

    /// The tool's `outputSchema`, for structured results.
    fn output_schema() -> Option<JsonObject> {
        None
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(self)
    }
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(vec![ContentBlock::text(self)]))
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        self.to_owned().into_tool_result()
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(vec![]))
    }
}

macro_rules! as_text {
    ($($t:ty),*) => {$(
        impl IntoToolResult for $t {
            fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
                self.to_string().into_tool_result()
            }
        }
    )*};
}

as_text!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, bool, char
);

impl IntoToolResult for ContentBlock {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(vec![self]))
    }
}

impl IntoToolResult for Vec<ContentBlock> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::success(self))
    }
}

impl<T: IntoToolResult, E: Display + Send + 'static> IntoToolResult for Result<T, E> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        match self {
            Ok(v) => v.into_tool_result(),
            Err(e) => Err(into_tool_error(e)),
        }
    }

    fn output_schema() -> Option<JsonObject> {
        T::output_schema()
    }
}

/// Keeps a [`ToolError`] as it is (its protocol and input-required kinds must
/// survive), and turns any other error into an execution error.
pub(crate) fn into_tool_error<E: Display + 'static>(e: E) -> ToolError {
    let boxed: Box<dyn std::any::Any> = Box::new(e);
    match boxed.downcast::<ToolError>() {
        Ok(tool_error) => *tool_error,
        Err(other) => match other.downcast::<E>() {
            Ok(e) => ToolError::msg(e),
            Err(_) => ToolError::msg("tool failed"),
        },
    }
}

/// A structured tool result: serialized into `structuredContent` (and, for
/// older clients, as JSON text), with `outputSchema` derived from `T`.
///
/// ```
/// use mcp_server::{IntoToolResult, Json};
///
/// #[derive(serde::Serialize, schemars::JsonSchema)]
/// struct Weather { celsius: f64 }
///
/// let result = Json(Weather { celsius: 21.5 }).into_tool_result().unwrap();
/// assert_eq!(result.structured_content.unwrap()["celsius"], 21.5);
/// assert!(<Json<Weather> as IntoToolResult>::output_schema().is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize + JsonSchema + Send + 'static> IntoToolResult for Json<T> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        let value = serde_json::to_value(&self.0)
            .map_err(|e| ToolError::msg(format!("could not encode the structured result: {e}")))?;
        let value = if schema_is_object::<T>() {
            value
        } else {
            serde_json::json!({ "result": value })
        };
        Ok(CallToolResult::structured(value))
    }

    fn output_schema() -> Option<JsonObject> {
        let schema = schema_object_for::<T>();
        if schema.get("type").and_then(|t| t.as_str()) == Some("object") {
            Some(schema)
        } else {
            // `outputSchema` must describe an object: wrap other types.
            let mut wrapped = JsonObject::new();
            wrapped.insert("type".into(), "object".into());
            wrapped.insert(
                "properties".into(),
                serde_json::json!({ "result": serde_json::Value::Object(schema) }),
            );
            wrapped.insert("required".into(), serde_json::json!(["result"]));
            Some(wrapped)
        }
    }
}

fn schema_is_object<T: JsonSchema>() -> bool {
    schema_object_for::<T>()
        .get("type")
        .and_then(|t| t.as_str())
        == Some("object")
}

/// An image result from raw bytes.
///
/// ```
/// use mcp_server::{Image, IntoToolResult};
///
/// let result = Image::png(vec![0x89, b'P', b'N', b'G']).into_tool_result().unwrap();
/// assert_eq!(result.content.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The image bytes.
    pub data: Vec<u8>,
    /// The MIME type, e.g. `image/png`.
    pub mime_type: String,
}

impl Image {
    /// An image of any type.
    pub fn new(data: Vec<u8>, mime_type: impl Into<String>) -> Self {
        Image {
            data,
            mime_type: mime_type.into(),
        }
    }

    /// A PNG image.
    pub fn png(data: Vec<u8>) -> Self {
        Image::new(data, "image/png")
    }

    /// A JPEG image.
    pub fn jpeg(data: Vec<u8>) -> Self {
        Image::new(data, "image/jpeg")
    }

    /// The image as a content block (base64-encoded).
    pub fn to_content(&self) -> ContentBlock {
        ContentBlock::Image(ImageContent::new(
            base64::engine::general_purpose::STANDARD.encode(&self.data),
            self.mime_type.clone(),
        ))
    }
}

impl IntoToolResult for Image {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        self.to_content().into_tool_result()
    }
}

/// An audio result from raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audio {
    /// The audio bytes.
    pub data: Vec<u8>,
    /// The MIME type, e.g. `audio/wav`.
    pub mime_type: String,
}

impl Audio {
    /// Audio of any type.
    pub fn new(data: Vec<u8>, mime_type: impl Into<String>) -> Self {
        Audio {
            data,
            mime_type: mime_type.into(),
        }
    }

    /// The audio as a content block (base64-encoded).
    pub fn to_content(&self) -> ContentBlock {
        ContentBlock::Audio(AudioContent::new(
            base64::engine::general_purpose::STANDARD.encode(&self.data),
            self.mime_type.clone(),
        ))
    }
}

impl IntoToolResult for Audio {
    fn into_tool_result(self) -> Result<CallToolResult, ToolError> {
        self.to_content().into_tool_result()
    }
}
