//! JSON Schemas of Rust types, shaped the way MCP wants them (2020-12, no
//! `$schema`/`title` noise, subschemas inlined so every client can read them).

use mcp_types::JsonObject;
use schemars::JsonSchema;
use serde_json::Value;

/// The schema of `T` as a JSON object.
pub(crate) fn schema_object_for<T: JsonSchema>() -> JsonObject {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings.meta_schema = None;
    settings.inline_subschemas = true;
    let schema = settings.into_generator().into_root_schema_for::<T>();
    let mut object = match schema.to_value() {
        Value::Object(map) => map,
        // `true`/`false` schemas: an unconstrained object.
        _ => JsonObject::new(),
    };
    object.remove("title");
    object
}

/// The `inputSchema` of a tool whose arguments are `T`: always an object schema.
pub(crate) fn input_schema_for<T: JsonSchema>() -> JsonObject {
    let mut object = schema_object_for::<T>();
    object.remove("description");
    if object.get("type").and_then(Value::as_str) != Some("object") {
        object.insert("type".into(), "object".into());
    }
    object
}

/// The doc comment of `T`, which schemars puts in the schema's `description`.
pub(crate) fn description_of<T: JsonSchema>() -> Option<String> {
    schema_object_for::<T>()
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// An argument type for tools and prompts that take no arguments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
pub struct NoArgs {}

/// The `requestedSchema` of a form elicitation for `T`: a flat object schema
/// of primitive properties.
pub(crate) fn elicitation_schema_for<T: JsonSchema>() -> JsonObject {
    let full = schema_object_for::<T>();
    let mut schema = JsonObject::new();
    schema.insert("type".into(), "object".into());
    schema.insert(
        "properties".into(),
        full.get("properties")
            .cloned()
            .unwrap_or_else(|| Value::Object(JsonObject::new())),
    );
    if let Some(required) = full.get("required") {
        schema.insert("required".into(), required.clone());
    }
    schema
}
