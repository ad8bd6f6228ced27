//! Prompts: [`PromptDef`] and what a prompt handler may return
//! ([`IntoPromptResult`]).
//!
//! A prompt's arguments are the fields of its argument type (all strings on
//! the wire): `String` fields are required, `Option<String>` fields optional,
//! and doc comments become the argument descriptions.
//!
//! | return type | messages |
//! | --- | --- |
//! | `String`, `&'static str` | one user message with that text |
//! | `PromptMessage`, `Vec<PromptMessage>` | those messages |
//! | `GetPromptResult` | as is |
//! | `Result<T, E>` (`E: Display`) | `T`'s messages, or a `-32603` error |

use mcp_types::{
    ContentBlock, GetPromptResult, Icon, JsonObject, Meta, Prompt, PromptArgument, PromptMessage,
    Role,
};
use schemars::JsonSchema;
use serde_json::Value;

use crate::ToolError;
use crate::schema::{description_of, schema_object_for};

/// The definition of a prompt.
#[derive(Debug, Clone, Default)]
pub struct PromptDef {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) icons: Option<Vec<Icon>>,
    pub(crate) meta: Option<Meta>,
}

impl PromptDef {
    /// A prompt named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        PromptDef {
            name: name.into(),
            ..PromptDef::default()
        }
    }

    /// A human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// What the prompt is for.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Icons.
    pub fn icons(mut self, icons: Vec<Icon>) -> Self {
        self.icons = Some(icons);
        self
    }

    /// `_meta` of the definition.
    pub fn meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }

    /// The wire definition for a handler with arguments `A`.
    pub(crate) fn into_prompt<A: JsonSchema>(self) -> Prompt {
        let schema = schema_object_for::<A>();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let arguments: Vec<PromptArgument> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .map(|(name, prop)| {
                        let mut arg = PromptArgument::new(name.clone());
                        arg.description = prop
                            .get("description")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                        arg.required = Some(required.contains(&name.as_str()));
                        arg
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut prompt = Prompt::new(self.name);
        prompt.title = self.title;
        prompt.description = self.description.or_else(description_of::<A>);
        prompt.arguments = (!arguments.is_empty()).then_some(arguments);
        prompt.icons = self.icons;
        prompt.meta = self.meta;
        prompt
    }
}

impl From<&str> for PromptDef {
    fn from(name: &str) -> Self {
        PromptDef::new(name)
    }
}

/// A value a prompt handler may return.
pub trait IntoPromptResult: Send + 'static {
    /// The `prompts/get` result.
    fn into_prompt_result(self) -> Result<GetPromptResult, ToolError>;
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        Ok(self)
    }
}

impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        Ok(GetPromptResult::new(self))
    }
}

impl IntoPromptResult for PromptMessage {
    fn into_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        vec![self].into_prompt_result()
    }
}

impl IntoPromptResult for String {
    fn into_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        user(self).into_prompt_result()
    }
}

impl IntoPromptResult for &'static str {
    fn into_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        self.to_owned().into_prompt_result()
    }
}

impl<T: IntoPromptResult, E: std::fmt::Display + Send + 'static> IntoPromptResult for Result<T, E> {
    fn into_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        match self {
            Ok(v) => v.into_prompt_result(),
            Err(e) => Err(crate::output::into_tool_error(e)),
        }
    }
}

/// A user message with `content` (text, or any content block).
///
/// ```
/// use mcp_server::prompt::{assistant, user};
///
/// let conversation = vec![user("Why is the sky blue?"), assistant("Rayleigh scattering.")];
/// assert_eq!(conversation.len(), 2);
/// ```
pub fn user(content: impl Into<ContentBlock>) -> PromptMessage {
    PromptMessage::new(content.into(), Role::User)
}

/// An assistant message with `content`.
pub fn assistant(content: impl Into<ContentBlock>) -> PromptMessage {
    PromptMessage::new(content.into(), Role::Assistant)
}

crate::handler::handler_trait! {
    /// A function that can serve as a prompt; the shapes are those of
    /// [`ToolHandler`](crate::ToolHandler), the output an [`IntoPromptResult`].
    PromptHandler, IntoPromptResult
}

/// The argument object of a prompt, from the wire's string map.
pub(crate) fn prompt_args(arguments: Option<std::collections::BTreeMap<String, String>>) -> Value {
    let map: JsonObject = arguments
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Value::Object(map)
}
