//! The conformance everything-server: every fixture the official suite's
//! server scenarios need, written as a user of `mcp-server` would.
//!
//! `everything-server --port N` serves Streamable HTTP on
//! `http://127.0.0.1:N/mcp` for both protocol eras at once; `--stdio` serves stdio.

use std::time::Duration;

use mcp_server::prompt::user;
use mcp_server::types::{
    AudioContent, CallToolResult, CompleteRequestParams, CompleteResult, ContentBlock,
    EmbeddedResource, ErrorCode, ErrorObject, GetPromptResult, ImageContent, InputRequest,
    JsonObject, PromptMessage, Role,
};
use mcp_server::{
    Context, McpServer, PromptDef, ResourceDef, ResourceTemplateDef, ServerHandle, TaskStart,
    TaskSupport, ToolDef, ToolError,
};
use serde_json::{Value, json};

/// A 1×1 red PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A tiny WAV file.
const WAV: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

fn image() -> ContentBlock {
    ContentBlock::Image(ImageContent::new(PNG, "image/png"))
}

fn embedded(uri: &str, mime: &str, text: &str) -> ContentBlock {
    let resource: EmbeddedResource = serde_json::from_value(json!({
        "type": "resource",
        "resource": {"uri": uri, "mimeType": mime, "text": text},
    }))
    .expect("a valid embedded resource");
    ContentBlock::Resource(resource)
}

fn input(method: &str, params: Value) -> InputRequest {
    serde_json::from_value(json!({"method": method, "params": params}))
        .expect("a valid input request")
}

fn elicit_name() -> InputRequest {
    input(
        "elicitation/create",
        json!({"message": "What is your name?", "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}),
    )
}

fn sample_capital() -> InputRequest {
    input(
        "sampling/createMessage",
        json!({"messages": [{"role": "user", "content": {"type": "text", "text": "What is the capital of France?"}}], "maxTokens": 100}),
    )
}

fn text(s: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(s)])
}

/// The `content.name` of an accepted elicitation answer.
fn accepted(answer: &Value, field: &str) -> Option<String> {
    (answer["action"] == "accept").then(|| {
        answer["content"][field]
            .to_string()
            .trim_matches('"')
            .to_owned()
    })
}

/// `prompt`: what to ask the client's model.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct SamplingArgs {
    /// The prompt to send.
    prompt: String,
}

/// `message`: what to ask the user.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct ElicitationArgs {
    /// The message to show.
    message: String,
}

/// The arguments of `test_prompt_with_arguments`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct PromptArgs {
    /// First test argument
    arg1: String,
    /// Second test argument
    arg2: String,
}

/// The argument of `test_prompt_with_embedded_resource`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct ResourceUriArg {
    /// The URI to embed
    #[serde(rename = "resourceUri")]
    resource_uri: String,
}

/// The id of `test://template/{id}/data`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct TemplateId {
    id: String,
}

fn tools(server: McpServer, handle: ServerHandle<()>) -> McpServer {
    let tool_handle = handle.clone();
    let prompt_handle = handle;
    server
        .tool(ToolDef::new("test_simple_text").description("Returns a simple text response"), || {
            "This is a simple text response for testing."
        })
        .tool(ToolDef::new("test_image_content").description("Returns an image"), image)
        .tool(ToolDef::new("test_audio_content").description("Returns audio"), || {
            ContentBlock::Audio(AudioContent::new(WAV, "audio/wav"))
        })
        .tool(ToolDef::new("test_embedded_resource").description("Returns an embedded resource"), || {
            embedded("test://embedded-resource", "text/plain", "This is an embedded resource content.")
        })
        .tool(ToolDef::new("test_multiple_content_types").description("Returns text, image and resource"), || {
            vec![
                ContentBlock::text("Multiple content types test:"),
                image(),
                embedded("test://mixed-content-resource", "application/json", r#"{"test":"data","value":123}"#),
            ]
        })
        .tool(ToolDef::new("test_tool_with_logging").description("Logs while it runs"), |ctx: Context| async move {
            ctx.info("Tool execution started").await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            ctx.info("Tool processing data").await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            ctx.info("Tool execution completed").await;
            "Tool with logging executed successfully"
        })
        .tool(ToolDef::new("test_tool_with_progress").description("Reports progress"), |ctx: Context| async move {
            for (i, step) in [0.0, 50.0, 100.0].into_iter().enumerate() {
                ctx.report_progress(step, Some(100.0), Some(format!("Completed step {} of 3", i + 1))).await;
                if i < 2 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            "Progress tool completed"
        })
        .tool(ToolDef::new("test_error_handling").description("Always fails"), || {
            Err::<String, _>("This tool intentionally returns an error for testing")
        })
        .tool(ToolDef::new("test_sampling").description("Asks the client's model"), |ctx: Context, a: SamplingArgs| async move {
            let answer = ctx.sample_text(a.prompt, 100).await?;
            Ok::<_, ToolError>(format!("LLM response: {answer}"))
        })
        .tool(ToolDef::new("test_elicitation").description("Asks the user"), |ctx: Context, a: ElicitationArgs| async move {
            let schema = json!({"type": "object", "properties": {
                "username": {"type": "string", "description": "User's response"},
                "email": {"type": "string", "description": "User's email address"}
            }, "required": ["username", "email"]});
            let r = ctx.elicit_raw(json!({"message": a.message, "requestedSchema": schema})).await?;
            let r = serde_json::to_value(r).unwrap_or_default();
            Ok::<_, ToolError>(format!("User response: action={}, content={}", r["action"].as_str().unwrap_or(""), r["content"]))
        })
        .tool(ToolDef::new("test_elicitation_sep1034_defaults").description("Elicitation with defaults"), |ctx: Context| async move {
            let schema = json!({"type": "object", "properties": {
                "name": {"type": "string", "description": "User name", "default": "John Doe"},
                "age": {"type": "integer", "description": "User age", "default": 30},
                "score": {"type": "number", "description": "User score", "default": 95.5},
                "status": {"type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active"},
                "verified": {"type": "boolean", "description": "Verification status", "default": true}
            }, "required": []});
            let r = ctx.elicit_raw(json!({"message": "Please review and update the form fields with defaults", "requestedSchema": schema})).await?;
            let r = serde_json::to_value(r).unwrap_or_default();
            Ok::<_, ToolError>(format!("Elicitation completed: action={}, content={}", r["action"].as_str().unwrap_or(""), r["content"]))
        })
        .tool(ToolDef::new("test_elicitation_sep1330_enums").description("Elicitation with enum schemas"), |ctx: Context| async move {
            let schema = json!({"type": "object", "properties": {
                "untitledSingle": {"type": "string", "description": "Untitled single select", "enum": ["option1", "option2", "option3"]},
                "titledSingle": {"type": "string", "description": "Titled single select", "oneOf": [
                    {"const": "value1", "title": "First Option"}, {"const": "value2", "title": "Second Option"}, {"const": "value3", "title": "Third Option"}]},
                "legacyEnum": {"type": "string", "description": "Legacy titled enum", "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]},
                "untitledMulti": {"type": "array", "description": "Untitled multi select", "minItems": 1, "maxItems": 3, "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
                "titledMulti": {"type": "array", "description": "Titled multi select", "minItems": 1, "maxItems": 3, "items": {"anyOf": [
                    {"const": "value1", "title": "First Choice"}, {"const": "value2", "title": "Second Choice"}, {"const": "value3", "title": "Third Choice"}]}}
            }, "required": []});
            let r = ctx.elicit_raw(json!({"message": "Please select options from the enum fields", "requestedSchema": schema})).await?;
            let r = serde_json::to_value(r).unwrap_or_default();
            Ok::<_, ToolError>(format!("Elicitation completed: action={}, content={}", r["action"].as_str().unwrap_or(""), r["content"]))
        })
        .tool(
            ToolDef::new("json_schema_2020_12_tool")
                .description("A tool whose input schema uses JSON Schema 2020-12 keywords")
                .input_schema(json_schema_2020_12()),
            |_args: JsonObject| "ok",
        )
        .tool(
            ToolDef::new("test_custom_header")
                .description("Mirrors its `region` argument into the Mcp-Param-Region header")
                .input_schema(object(json!({
                    "type": "object",
                    "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
                }))),
            |args: JsonObject| format!("region={}", args.get("region").and_then(Value::as_str).unwrap_or("none")),
        )
        .tool(ToolDef::new("test_reconnection").description("Answers after the client reconnects"), || async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            "Reconnection test completed"
        })
        .tool(ToolDef::new("test_missing_capability").description("Needs the sampling capability"), |ctx: Context| {
            if ctx.client_capabilities().sampling.is_some() {
                Ok("Success")
            } else {
                Err(ToolError::protocol(
                    ErrorObject::new(ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY, "This tool requires the sampling capability")
                        .with_data(json!({"requiredCapabilities": {"sampling": {}}})),
                ))
            }
        })
        .tool(ToolDef::new("test_streaming_elicitation").description("Streams only notifications and its result"), |ctx: Context| async move {
            ctx.report_progress(1.0, Some(1.0), Some("streaming".into())).await;
            "Streaming complete"
        })
        .tool(ToolDef::new("test_logging_tool").description("Logs only when asked to"), |ctx: Context| async move {
            ctx.info("a log message").await;
            "Logging tool completed"
        })
        .tool(ToolDef::new("test_trigger_tool_change").description("Announces a tool list change"), move || {
            tool_handle.notify_tools_list_changed();
            "Tool list change triggered"
        })
        .tool(ToolDef::new("test_trigger_prompt_change").description("Announces a prompt list change"), move || {
            prompt_handle.notify_prompts_list_changed();
            "Prompt list change triggered"
        })
}

fn mrtr_tools(server: McpServer) -> McpServer {
    server
        .tool(ToolDef::new("test_input_required_result_elicitation").description("MRTR: asks for a name"), |ctx: Context| {
            match ctx.input_response("user_name").and_then(|a| accepted(&a, "name")) {
                Some(name) => Ok(text(format!("Hello, {name}!"))),
                None => Err(ctx.input_required(vec![("user_name".into(), elicit_name())])),
            }
        })
        .tool(ToolDef::new("test_input_required_result_sampling").description("MRTR: asks the model"), |ctx: Context| {
            match ctx.input_response("capital") {
                Some(answer) => Ok(text(format!("The model said: {}", answer["content"]["text"].as_str().unwrap_or("")))),
                None => Err(ctx.input_required(vec![("capital".into(), sample_capital())])),
            }
        })
        .tool(ToolDef::new("test_input_required_result_list_roots").description("MRTR: asks for roots"), |ctx: Context| {
            match ctx.input_response("roots") {
                Some(answer) => Ok(text(format!("Roots: {}", answer["roots"]))),
                None => Err(ctx.input_required(vec![("roots".into(), input("roots/list", json!({})))])),
            }
        })
        .tool(ToolDef::new("test_input_required_result_request_state").description("MRTR: confirms with state"), |ctx: Context| {
            match ctx.input_response("confirm") {
                Some(answer) if answer["content"]["ok"] == true => Ok(text("Confirmed")),
                Some(_) => Ok(text("Not confirmed")),
                None => Err(ctx.input_required(vec![(
                    "confirm".into(),
                    input("elicitation/create", json!({"message": "Please confirm", "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}})),
                )])),
            }
        })
        .tool(ToolDef::new("test_input_required_result_multiple_inputs").description("MRTR: three inputs at once"), |ctx: Context| {
            let keys = ["user_name", "capital", "roots"];
            if keys.iter().all(|k| ctx.input_response(k).is_some()) {
                return Ok(text("All inputs received"));
            }
            Err(ctx.input_required(vec![
                ("user_name".into(), elicit_name()),
                ("capital".into(), sample_capital()),
                ("roots".into(), input("roots/list", json!({}))),
            ]))
        })
        .tool(ToolDef::new("test_input_required_result_multi_round").description("MRTR: two rounds"), |ctx: Context| {
            let Some(name) = ctx.input_response("step1").and_then(|a| accepted(&a, "name")) else {
                return Err(ctx.input_required(vec![("step1".into(), elicit_name())]));
            };
            match ctx.input_response("step2").and_then(|a| accepted(&a, "color")) {
                Some(color) => Ok(text(format!("{name} likes {color}"))),
                None => Err(ctx.input_required(vec![(
                    "step2".into(),
                    input("elicitation/create", json!({"message": "What is your favourite color?", "requestedSchema": {"type": "object", "properties": {"color": {"type": "string"}}, "required": ["color"]}})),
                )])),
            }
        })
        .tool(ToolDef::new("test_input_required_result_tampered_state").description("MRTR: integrity-protected state"), |ctx: Context| {
            match ctx.input_response("user_name") {
                Some(_) => Ok(text("State verified")),
                None => Err(ctx.input_required(vec![("user_name".into(), elicit_name())])),
            }
        })
        .tool(ToolDef::new("test_input_required_result_capabilities").description("MRTR: asks only for what the client supports"), |ctx: Context| {
            if ctx.input_response("capital").is_some() || ctx.input_response("user_name").is_some() {
                return Ok(text("Done"));
            }
            let caps = ctx.client_capabilities();
            let mut requests = Vec::new();
            if caps.elicitation.is_some() {
                requests.push(("user_name".into(), elicit_name()));
            }
            if caps.sampling.is_some() {
                requests.push(("capital".into(), sample_capital()));
            }
            if requests.is_empty() {
                return Ok(text("The client supports no input"));
            }
            Err(ctx.input_required(requests))
        })
}

/// `name`: whom to greet.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct GreetArgs {
    /// The name.
    name: String,
}

/// How long `slow_compute` works.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct ComputeArgs {
    /// Seconds to work (0 answers at once).
    seconds: f64,
    /// A label echoed in the result.
    #[serde(default)]
    label: Option<String>,
}

/// `filename`: the file `confirm_delete` asks about.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct DeleteArgs {
    /// The file.
    filename: String,
}

fn confirm(message: String) -> InputRequest {
    input(
        "elicitation/create",
        json!({"message": message, "requestedSchema": {"type": "object", "properties": {"confirm": {"type": "boolean"}}, "required": ["confirm"]}}),
    )
}

/// The fixtures of the tasks extension scenarios (`tasks-*`).
fn task_tools(server: McpServer) -> McpServer {
    server
        .tool(
            ToolDef::new("greet").description("Greets synchronously"),
            |a: GreetArgs| format!("Hello, {}!", a.name),
        )
        .tool(
            ToolDef::new("slow_compute")
                .description(
                    "Works for `seconds` seconds, as a task when the client supports tasks",
                )
                .task_support(TaskSupport::Optional),
            |a: ComputeArgs| async move {
                let seconds = a.seconds.clamp(0.0, 3600.0);
                tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
                format!(
                    "Computed {} in {seconds} s",
                    a.label.as_deref().unwrap_or("result")
                )
            },
        )
        .tool(
            ToolDef::new("failing_job")
                .description("Fails after a second (a tool error)")
                .task_support(TaskSupport::Required),
            || async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Err::<String, _>(ToolError::msg("failing_job failed, as it always does"))
            },
        )
        .tool(
            ToolDef::new("protocol_error_job")
                .description("Ends in a protocol error")
                .task_support(TaskSupport::Optional),
            || async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Err::<String, _>(ToolError::protocol(ErrorObject::new(
                    ErrorCode::INTERNAL_ERROR,
                    "protocol_error_job hit an internal error",
                )))
            },
        )
        .tool(
            ToolDef::new("confirm_delete")
                .description("Asks before deleting a file")
                .task_support(TaskSupport::Optional),
            |ctx: Context, a: DeleteArgs| match ctx.input_response("confirm") {
                Some(answer)
                    if answer["action"] == "accept" && answer["content"]["confirm"] == true =>
                {
                    Ok(text(format!("Deleted {}", a.filename)))
                }
                Some(_) => Ok(text(format!("Kept {}", a.filename))),
                None => Err(ctx.input_required(vec![(
                    "confirm".into(),
                    confirm(format!("Delete {}?", a.filename)),
                )])),
            },
        )
        .tool(
            ToolDef::new("multi_input")
                .description("Asks two questions at once")
                .task_support(TaskSupport::Optional),
            |ctx: Context| match (ctx.input_response("name"), ctx.input_response("confirm")) {
                (Some(name), Some(confirmed)) => Ok(text(format!(
                    "name={}, confirm={}",
                    name["content"]["name"], confirmed["content"]["confirm"]
                ))),
                _ => Err(ctx.input_required(vec![
                    ("name".into(), elicit_name()),
                    ("confirm".into(), confirm("Proceed?".into())),
                ])),
            },
        )
        .tool(
            ToolDef::new("test_tool_with_task")
                .description("Asks for a name, then finishes as a task")
                .task_support(TaskSupport::Required)
                .task_start(TaskStart::WhenAsked),
            |ctx: Context| async move {
                let Some(name) = ctx
                    .input_response("user_name")
                    .and_then(|a| accepted(&a, "name"))
                else {
                    return Err(ctx.input_required(vec![("user_name".into(), elicit_name())]));
                };
                ctx.start_task().await;
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok(text(format!("Hello, {name}! (finished as a task)")))
            },
        )
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

fn json_schema_2020_12() -> JsonObject {
    object(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {"address": {"$anchor": "addressDef", "type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
        "properties": {
            "name": {"type": "string"},
            "address": {"$ref": "#/$defs/address"},
            "contactMethod": {"type": "string", "enum": ["phone", "email"]},
            "phone": {"type": "string"},
            "email": {"type": "string"}
        },
        "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
        "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
        "then": {"required": ["phone"]},
        "else": {"required": ["email"]},
        "additionalProperties": false
    }))
}

fn resources_and_prompts(server: McpServer) -> McpServer {
    server
        .resource(
            ResourceDef::new("test://static-text", "static-text")
                .title("Static Text Resource")
                .description("A static text resource for testing")
                .mime_type("text/plain"),
            || "This is the content of the static text resource.",
        )
        .resource(
            ResourceDef::new("test://static-binary", "static-binary")
                .description("A static binary resource for testing")
                .mime_type("image/png"),
            || {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.decode(PNG).unwrap_or_default()
            },
        )
        .resource(
            ResourceDef::new("test://watched-resource", "watched-resource")
                .description("A resource to subscribe to")
                .mime_type("text/plain"),
            || "Watched resource content",
        )
        .resource_template(
            ResourceTemplateDef::new("test://template/{id}/data", "template")
                .description("A templated resource")
                .mime_type("application/json"),
            |TemplateId { id }: TemplateId| json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")}).to_string(),
        )
        .prompt(PromptDef::new("test_simple_prompt").description("A simple prompt"), || "This is a simple prompt for testing.")
        .prompt(PromptDef::new("test_prompt_with_arguments").description("A prompt with arguments"), |a: PromptArgs| {
            format!("Prompt with arguments: arg1='{}', arg2='{}'", a.arg1, a.arg2)
        })
        .prompt(PromptDef::new("test_prompt_with_embedded_resource").description("A prompt with an embedded resource"), |a: ResourceUriArg| {
            vec![
                user(embedded(&a.resource_uri, "text/plain", "Embedded resource content for testing.")),
                user("Please process the embedded resource above."),
            ]
        })
        .prompt(PromptDef::new("test_prompt_with_image").description("A prompt with an image"), || {
            vec![user(image()), user("Please analyze the image above.")]
        })
        .prompt(PromptDef::new("test_input_required_result_prompt").description("MRTR in a prompt"), |ctx: Context| {
            match ctx.input_response("user_context").and_then(|a| accepted(&a, "context")) {
                Some(context) => Ok(GetPromptResult::new(vec![PromptMessage::new(ContentBlock::text(format!("Context: {context}")), Role::User)])),
                None => Err(ctx.input_required(vec![(
                    "user_context".into(),
                    input("elicitation/create", json!({"message": "What context should the prompt use?", "requestedSchema": {"type": "object", "properties": {"context": {"type": "string"}}, "required": ["context"]}})),
                )])),
            }
        })
        .completion(|_ctx: Context, params: CompleteRequestParams| async move {
            let options = ["test", "testing", "tested", "other"];
            let values: Vec<&str> = options.into_iter().filter(|o| o.starts_with(params.argument.value.as_str())).collect();
            serde_json::from_value::<CompleteResult>(json!({"completion": {"values": values, "total": values.len(), "hasMore": false}}))
                .map_err(ToolError::msg)
        })
}

fn server() -> McpServer {
    let server = McpServer::new("mcp-rs-everything-server").version(env!("CARGO_PKG_VERSION"));
    let handle = server.handle();
    resources_and_prompts(task_tools(mrtr_tools(tools(server, handle))))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--stdio") {
        server().serve_stdio().await?;
        return Ok(());
    }
    let port: u16 = match args.iter().position(|a| a == "--port") {
        Some(i) => args.get(i + 1).ok_or("--port needs a value")?.parse()?,
        None => 3000,
    };
    server().serve_http(("127.0.0.1", port)).await?;
    Ok(())
}
