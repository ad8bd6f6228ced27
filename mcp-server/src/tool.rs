//! Tools: [`ToolDef`] (the definition clients list) and [`ToolHandler`] (the
//! function shapes a tool may have).
//!
//! | handler shape | arguments |
//! | --- | --- |
//! | `Fn(A) -> R` / `Fn(A) -> impl Future<Output = R>` | `A: Deserialize + JsonSchema` |
//! | `Fn(Context<S>, A) -> R` / async | the same, plus the [`Context`] |
//! | `Fn() -> R` / async | none |
//! | `Fn(Context<S>) -> R` / async | none, plus the [`Context`] |
//!
//! `R` is any [`IntoToolResult`]. Sync handlers run on the connection's task:
//! keep them short, or make them async and use `spawn_blocking`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use mcp_types::{CallToolResult, ContentBlock, Icon, JsonObject, Meta, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::call::read_arguments;
use crate::schema::{description_of, input_schema_for};
use crate::{Context, IntoToolResult, ToolError};

/// The definition of a tool: name, description, annotations, schemas.
///
/// `&str` converts into a definition with just the name; the description then
/// comes from the argument type's doc comment.
///
/// ```
/// use mcp_server::ToolDef;
///
/// let def = ToolDef::new("delete_file")
///     .title("Delete a file")
///     .description("Deletes the file at `path`.")
///     .destructive(true)
///     .idempotent(true);
/// # drop(def);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ToolDef {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) annotations: Option<ToolAnnotations>,
    pub(crate) icons: Option<Vec<Icon>>,
    pub(crate) meta: Option<Meta>,
    pub(crate) input_schema: Option<JsonObject>,
    pub(crate) output_schema: Option<JsonObject>,
    pub(crate) task: crate::tasks::TaskMode,
}

impl ToolDef {
    /// A tool named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        ToolDef {
            name: name.into(),
            ..ToolDef::default()
        }
    }

    /// A human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// What the tool does, for the model.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// All annotations at once.
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = Some(annotations);
        self
    }

    fn annotations_mut(&mut self) -> &mut ToolAnnotations {
        self.annotations
            .get_or_insert_with(ToolAnnotations::default)
    }

    /// `readOnlyHint`: the tool does not modify its environment.
    pub fn read_only(mut self, yes: bool) -> Self {
        self.annotations_mut().read_only_hint = Some(yes);
        self
    }

    /// `destructiveHint`: the tool may perform destructive updates.
    pub fn destructive(mut self, yes: bool) -> Self {
        self.annotations_mut().destructive_hint = Some(yes);
        self
    }

    /// `idempotentHint`: calling it twice with the same arguments has no further effect.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.annotations_mut().idempotent_hint = Some(yes);
        self
    }

    /// `openWorldHint`: the tool interacts with an open world of external entities.
    pub fn open_world(mut self, yes: bool) -> Self {
        self.annotations_mut().open_world_hint = Some(yes);
        self
    }

    /// Icons for the tool.
    pub fn icons(mut self, icons: Vec<Icon>) -> Self {
        self.icons = Some(icons);
        self
    }

    /// `_meta` of the tool definition.
    pub fn meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }

    /// Replaces the derived `inputSchema` with this one, sent verbatim.
    pub fn input_schema(mut self, schema: JsonObject) -> Self {
        self.input_schema = Some(schema);
        self
    }

    /// Replaces the derived `outputSchema`.
    pub fn output_schema(mut self, schema: JsonObject) -> Self {
        self.output_schema = Some(schema);
        self
    }

    /// Whether the tool runs as a task (`execution.taskSupport`): `Optional`
    /// when the client may ask for one, `Required` when it must
    /// (`Forbidden`, the default, never). The handler stays the same function;
    /// the crate docs say when a call becomes a task.
    pub fn task_support(mut self, support: crate::TaskSupport) -> Self {
        self.task.support = support;
        self
    }

    /// When a call that runs as a task becomes one: at once (the default), or
    /// only when its handler calls [`Context::start_task`] — so it may first
    /// ask for input the Multi Round-Trip way, before any task exists.
    pub fn task_start(mut self, start: crate::TaskStart) -> Self {
        self.task.start = start;
        self
    }

    /// The wire definition for a handler with arguments `A` and output `R`.
    pub(crate) fn into_tool<A: JsonSchema, R: IntoToolResult>(self) -> Tool {
        let mut input = self.input_schema.unwrap_or_else(input_schema_for::<A>);
        // `inputSchema` must be an object schema; say so when an override forgot.
        input.entry("type").or_insert_with(|| "object".into());
        let description = self.description.or_else(description_of::<A>);
        let output = self.output_schema.or_else(R::output_schema);
        let mut value = serde_json::json!({
            "name": self.name,
            "inputSchema": input,
        });
        let map = value.as_object_mut().expect("a JSON object literal");
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                map.insert(k.into(), v);
            }
        };
        put("title", self.title.map(Value::from));
        put("description", description.map(Value::from));
        put("outputSchema", output.map(Value::Object));
        put(
            "annotations",
            self.annotations.and_then(|a| serde_json::to_value(a).ok()),
        );
        put(
            "icons",
            self.icons.and_then(|i| serde_json::to_value(i).ok()),
        );
        put(
            "_meta",
            self.meta.and_then(|m| serde_json::to_value(m).ok()),
        );
        if self.task.support != crate::TaskSupport::Forbidden {
            put(
                "execution",
                Some(serde_json::json!({ "taskSupport": self.task.support.as_str() })),
            );
        }
        serde_json::from_value(value).expect("a tool definition built from valid parts")
    }
}

impl From<&str> for ToolDef {
    fn from(name: &str) -> Self {
        ToolDef::new(name)
    }
}

impl From<String> for ToolDef {
    fn from(name: String) -> Self {
        ToolDef::new(name)
    }
}

crate::handler::handler_trait! {
    /// A function that can serve as a tool. `M` is an inference marker.
    ///
    /// | handler shape | arguments |
    /// | --- | --- |
    /// | `Fn(A) -> R` / `Fn(A) -> impl Future<Output = R>` | `A: Deserialize + JsonSchema` |
    /// | `Fn(Context<S>, A) -> R` / async | the same, plus the [`Context`] |
    /// | `Fn() -> R` / async | none |
    /// | `Fn(Context<S>) -> R` / async | none, plus the [`Context`] |
    ///
    /// `R` is any [`IntoToolResult`]. Sync handlers run on the connection's
    /// task: keep them short, or make them async and use `spawn_blocking`.
    ToolHandler, IntoToolResult
}

pub(crate) type ErasedTool<S> = Arc<
    dyn Fn(
            Context<S>,
            Option<Box<RawValue>>,
        ) -> BoxFuture<'static, Result<CallToolResult, ToolError>>
        + Send
        + Sync,
>;

/// Erases a typed handler: parse the arguments (naming the bad field), run it
/// (a panic becomes an error result), convert its output.
pub(crate) fn erase<S, M, H>(name: &str, handler: H) -> ErasedTool<S>
where
    S: Send + Sync + 'static,
    H: ToolHandler<S, M>,
{
    let handler = Arc::new(handler);
    let name: Arc<str> = Arc::from(name);
    Arc::new(move |ctx, arguments| {
        let handler = handler.clone();
        let name = name.clone();
        Box::pin(async move {
            let args: H::Args = match read_arguments(arguments.as_deref()) {
                Ok(args) => args,
                Err((path, error)) => {
                    let message = if path == "." {
                        format!("Invalid arguments for tool `{name}`: {error}")
                    } else {
                        format!("Invalid arguments for tool `{name}`: `{path}`: {error}")
                    };
                    return Ok(CallToolResult::error(vec![ContentBlock::text(message)]));
                }
            };
            // Sync handlers run inside `call`, async ones when polled: guard both.
            let outcome =
                match std::panic::catch_unwind(AssertUnwindSafe(|| handler.call(ctx, args))) {
                    Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
                    Err(panic) => Err(panic),
                };
            match outcome {
                Ok(output) => output.into_tool_result(),
                Err(panic) => {
                    let what = crate::panic_message(&*panic);
                    tracing::error!(tool = %name, panic = %what, "tool panicked");
                    Err(ToolError::msg(format!(
                        "Tool `{name}` failed unexpectedly: {what}"
                    )))
                }
            }
        })
    })
}
