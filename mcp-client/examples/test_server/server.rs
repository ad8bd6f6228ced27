//! A server built with `mcp_lowlevel::Server` that exercises every client
//! feature, in both eras: the same handlers ask for input with real requests
//! in the session era and with `input_required` results under 2026-07-28.
//!
//! Shared by the `test_server` example (served on stdio) and the tests
//! (served over the in-memory pair).

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_lowlevel::{
    CacheHint, ChangeEvent, HandlerError, ListChanged, Notifier, RequestContext, Server,
};
use mcp_types::{
    CallToolRequest, CallToolResult, CancelledNotification, CompleteRequest, CompleteResult,
    ContentBlock, CreateMessageRequest, ElicitRequest, GetPromptRequest, GetPromptResult,
    Implementation, InputRequest, ListPromptsRequest, ListPromptsResult,
    ListResourceTemplatesRequest, ListResourceTemplatesResult, ListResourcesRequest,
    ListResourcesResult, ListRootsRequest, ListToolsRequest, ListToolsResult, LoggingLevel, Prompt,
    ProtocolVersion, ReadResourceRequest, ReadResourceResult, Resource, ResourceTemplate,
    TextOrBlobResourceContents, Tool,
};
use serde_json::{Value, json};

/// How the server is set up.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Restricts the revisions served (all by default).
    pub versions: Option<Vec<ProtocolVersion>>,
    /// Items per page of every list (all on one page when 0).
    pub page_size: usize,
    /// `ttlMs` of the 2026-07-28 list results.
    pub ttl_ms: Option<u64>,
}

impl Options {
    /// Reads `--versions=a,b`, `--page-size=n` and `--ttl-ms=n`.
    pub fn from_args(args: impl Iterator<Item = String>) -> Self {
        let mut options = Options::default();
        for arg in args {
            if let Some(v) = arg.strip_prefix("--versions=") {
                options.versions = Some(v.split(',').filter_map(ProtocolVersion::parse).collect());
            } else if let Some(n) = arg.strip_prefix("--page-size=") {
                options.page_size = n.parse().unwrap_or(0);
            } else if let Some(n) = arg.strip_prefix("--ttl-ms=") {
                options.ttl_ms = n.parse().ok();
            }
        }
        options
    }
}

/// What the handlers share.
#[derive(Debug, Default)]
pub struct State {
    /// How many `notifications/cancelled` arrived.
    pub cancelled: AtomicUsize,
    /// How many `tools/list` requests arrived.
    pub tool_lists: AtomicUsize,
}

fn tools() -> Vec<Tool> {
    let specs = json!([
        {"name": "echo", "description": "Echoes `text`.", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}},
        {"name": "add_numbers", "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}},
        {"name": "weather", "inputSchema": {"type": "object"},
         "outputSchema": {"type": "object", "properties": {"temperature": {"type": "number"}}, "required": ["temperature"]}},
        {"name": "bad_weather", "inputSchema": {"type": "object"},
         "outputSchema": {"type": "object", "properties": {"temperature": {"type": "number"}}, "required": ["temperature"]}},
        {"name": "slow", "inputSchema": {"type": "object", "properties": {"seconds": {"type": "number"}}}},
        {"name": "progress", "inputSchema": {"type": "object"}},
        {"name": "log", "inputSchema": {"type": "object"}},
        {"name": "sample", "inputSchema": {"type": "object"}},
        {"name": "ask_name", "inputSchema": {"type": "object"}},
        {"name": "roots", "inputSchema": {"type": "object"}},
        {"name": "multi", "description": "Elicitation, then sampling, then roots.", "inputSchema": {"type": "object"}},
        {"name": "all_at_once", "inputSchema": {"type": "object"}},
        {"name": "cancelled_count", "inputSchema": {"type": "object"}},
        {"name": "client_caps", "description": "The client's capabilities and info, as this request saw them.", "inputSchema": {"type": "object"}},
        {"name": "change", "inputSchema": {"type": "object", "properties": {"uri": {"type": "string"}}}},
        {"name": "region_tool", "inputSchema": {"type": "object", "properties": {"region": {"type": "string", "x-mcp-header": "Region"}}}},
        {"name": "invalid_empty_header", "inputSchema": {"type": "object", "properties": {"a": {"type": "string", "x-mcp-header": ""}}}},
        {"name": "invalid_object_header", "inputSchema": {"type": "object", "properties": {"a": {"type": "object", "x-mcp-header": "A"}}}},
        {"name": "invalid_duplicate_diff_case", "inputSchema": {"type": "object", "properties": {
            "a": {"type": "string", "x-mcp-header": "Dup"}, "b": {"type": "string", "x-mcp-header": "dup"}}}},
        {"name": "invalid_space_in_name", "inputSchema": {"type": "object", "properties": {"a": {"type": "string", "x-mcp-header": "A B"}}}}
    ]);
    serde_json::from_value(specs).expect("valid tools")
}

fn prompts() -> Vec<Prompt> {
    serde_json::from_value(json!([
        {"name": "greeting", "description": "Greets someone.", "arguments": [{"name": "name", "required": true}]},
        {"name": "farewell", "arguments": [{"name": "name"}]},
        {"name": "plain"}
    ]))
    .expect("valid prompts")
}

fn resources() -> Vec<Resource> {
    serde_json::from_value(json!([
        {"uri": "test://static-text", "name": "static-text", "mimeType": "text/plain"},
        {"uri": "test://second", "name": "second", "mimeType": "text/plain"},
        {"uri": "test://third", "name": "third"}
    ]))
    .expect("valid resources")
}

/// One page of `items` after `cursor`, with the next cursor.
fn page<T: Clone>(
    items: &[T],
    cursor: Option<&str>,
    size: usize,
) -> Result<(Vec<T>, Option<String>), HandlerError> {
    let start: usize = match cursor {
        None => 0,
        Some(c) => c
            .parse()
            .map_err(|_| HandlerError::invalid_params(format!("Invalid cursor: {c}")))?,
    };
    if size == 0 {
        return Ok((items.get(start..).unwrap_or_default().to_vec(), None));
    }
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((items.get(start..end).unwrap_or_default().to_vec(), next))
}

fn input(value: Value) -> InputRequest {
    serde_json::from_value(value).expect("valid input request")
}

fn elicit_name() -> InputRequest {
    input(json!({"method": "elicitation/create", "params": {
        "message": "What is your name?",
        "requestedSchema": {"type": "object", "properties": {"name": {"type": "string", "default": "Anonymous"}}}
    }}))
}

fn sampling() -> InputRequest {
    input(json!({"method": "sampling/createMessage", "params": {
        "messages": [{"role": "user", "content": {"type": "text", "text": "Say something"}}],
        "maxTokens": 20
    }}))
}

fn list_roots() -> InputRequest {
    input(json!({"method": "roots/list", "params": {}}))
}

/// Asks the client for input: a request in the session era, an
/// `input_required` result (carrying `state`) under 2026-07-28.
async fn ask(
    ctx: &RequestContext<State>,
    key: &str,
    request: InputRequest,
    state: &Value,
) -> Result<Value, HandlerError> {
    if ctx.protocol_version().is_stateless() {
        if let Some(answer) = ctx.input_responses().and_then(|r| r.get(key)) {
            return serde_json::to_value(answer).map_err(|e| HandlerError::internal(e.to_string()));
        }
        return Err(ctx.input_required(BTreeMap::from([(key.to_owned(), request)]), Some(state)));
    }
    let failed = |e: mcp_lowlevel::PeerError| {
        HandlerError::internal(format!("asking the client failed: {e}"))
    };
    let answer = match request {
        InputRequest::CreateMessage(r) => json!(
            ctx.peer()
                .request::<CreateMessageRequest>(r.params)
                .await
                .map_err(failed)?
        ),
        InputRequest::Elicit(r) => json!(
            ctx.peer()
                .request::<ElicitRequest>(r.params)
                .await
                .map_err(failed)?
        ),
        InputRequest::ListRoots(r) => json!(
            ctx.peer()
                .request::<ListRootsRequest>(r.params.unwrap_or_default())
                .await
                .map_err(failed)?
        ),
    };
    Ok(answer)
}

fn text(t: impl Into<String>) -> CallToolResult {
    CallToolResult::success([ContentBlock::text(t)])
}

async fn call_tool(
    ctx: RequestContext<State>,
    name: &str,
    args: Value,
    notifier: &Notifier,
) -> Result<CallToolResult, HandlerError> {
    match name {
        "echo" => Ok(text(args["text"].as_str().unwrap_or_default())),
        "add_numbers" => {
            let (a, b) = (
                args["a"].as_f64().unwrap_or(0.0),
                args["b"].as_f64().unwrap_or(0.0),
            );
            Ok(text(format!("The sum of {a} and {b} is {}", a + b)))
        }
        "weather" => Ok(CallToolResult::structured(json!({"temperature": 21.5}))),
        "bad_weather" => Ok(CallToolResult::structured(json!({"temperature": "hot"}))),
        "slow" => {
            let seconds = args["seconds"].as_f64().unwrap_or(30.0);
            tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            Ok(text("done sleeping"))
        }
        "progress" => {
            for i in 1..=3 {
                ctx.report_progress(f64::from(i), Some(3.0), Some(format!("step {i}")))
                    .await
                    .ok();
            }
            Ok(text("progress done"))
        }
        "log" => {
            ctx.log(LoggingLevel::Info, Some("test"), json!("info message"))
                .await
                .ok();
            ctx.log(LoggingLevel::Debug, Some("test"), json!("debug message"))
                .await
                .ok();
            Ok(text("logged"))
        }
        "sample" => {
            let answer = ask(&ctx, "sample", sampling(), &json!({})).await?;
            Ok(text(format!(
                "sampled: {}",
                answer["content"]["text"].as_str().unwrap_or("?")
            )))
        }
        "ask_name" => {
            let answer = ask(&ctx, "name", elicit_name(), &json!({})).await?;
            let action = answer["action"].as_str().unwrap_or("?").to_owned();
            Ok(text(format!(
                "action={action} name={}",
                answer["content"]["name"].as_str().unwrap_or("-")
            )))
        }
        "roots" => {
            let answer = ask(&ctx, "roots", list_roots(), &json!({})).await?;
            let uris: Vec<&str> = answer["roots"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["uri"].as_str())
                .collect();
            Ok(text(uris.join(",")))
        }
        "multi" => {
            let mut acc = ctx.request_state()?.unwrap_or_else(|| json!({}));
            if acc.get("name").is_none() {
                let v = ask(&ctx, "name", elicit_name(), &acc).await?;
                acc["name"] = v["content"]["name"].clone();
            }
            if acc.get("sample").is_none() {
                let v = ask(&ctx, "sample", sampling(), &acc).await?;
                acc["sample"] = v["content"]["text"].clone();
            }
            let v = ask(&ctx, "roots", list_roots(), &acc).await?;
            let roots = v["roots"].as_array().map_or(0, Vec::len);
            Ok(text(format!(
                "name={} sample={} roots={roots}",
                acc["name"].as_str().unwrap_or("?"),
                acc["sample"].as_str().unwrap_or("?")
            )))
        }
        "all_at_once" => {
            let wanted = [
                ("name", elicit_name()),
                ("sample", sampling()),
                ("roots", list_roots()),
            ];
            let mut answers = BTreeMap::new();
            if ctx.protocol_version().is_stateless() {
                let responses = ctx.input_responses();
                let missing: BTreeMap<String, InputRequest> = wanted
                    .iter()
                    .filter(|(k, _)| responses.and_then(|r| r.get(*k)).is_none())
                    .map(|(k, r)| ((*k).to_owned(), r.clone()))
                    .collect();
                if !missing.is_empty() {
                    return Err(ctx.input_required(missing, None));
                }
                for (k, _) in &wanted {
                    answers.insert(*k, json!(responses.and_then(|r| r.get(*k))));
                }
            } else {
                for (k, r) in wanted {
                    answers.insert(k, ask(&ctx, k, r, &json!({})).await?);
                }
            }
            Ok(text(format!(
                "name={} sample={} roots={}",
                answers["name"]["content"]["name"].as_str().unwrap_or("?"),
                answers["sample"]["content"]["text"].as_str().unwrap_or("?"),
                answers["roots"]["roots"].as_array().map_or(0, Vec::len)
            )))
        }
        "cancelled_count" => Ok(text(
            ctx.state().cancelled.load(Ordering::SeqCst).to_string(),
        )),
        "client_caps" => Ok(CallToolResult::structured(json!({
            "capabilities": ctx.client_capabilities(),
            "clientInfo": ctx.client_info(),
            "protocolVersion": ctx.protocol_version(),
        }))),
        "change" => {
            match args["uri"].as_str() {
                Some(uri) => notifier.notify(ChangeEvent::ResourceUpdated(uri.to_owned())),
                None => {
                    notifier.notify(ChangeEvent::ToolsListChanged);
                    notifier.notify(ChangeEvent::PromptsListChanged);
                    notifier.notify(ChangeEvent::ResourcesListChanged);
                }
            }
            Ok(text("changed"))
        }
        "region_tool" => Ok(text(format!(
            "region={}",
            args["region"].as_str().unwrap_or("-")
        ))),
        other => Err(HandlerError::invalid_params(format!(
            "Unknown tool: {other}"
        ))),
    }
}

/// The server, set up as `options` says.
pub fn build(options: &Options) -> Server<State> {
    let mut server = Server::with_lifespan(Implementation::new("test-server", "1.0.0"), || async {
        Ok::<_, mcp_lowlevel::BoxError>(State::default())
    })
    .instructions("A server for testing clients.")
    .list_changed(ListChanged {
        tools: true,
        prompts: true,
        resources: true,
        resource_subscriptions: true,
    });
    if let Some(versions) = &options.versions {
        server = server.supported_versions(versions.iter().copied());
    }
    if let Some(ttl_ms) = options.ttl_ms {
        for method in [
            "tools/list",
            "prompts/list",
            "resources/list",
            "resources/templates/list",
        ] {
            server = server.cache_hint(
                method,
                CacheHint {
                    ttl_ms,
                    public: false,
                },
            );
        }
    }
    let notifier = server.notifier();
    let size = options.page_size;
    server
        .notification::<CancelledNotification, _, _>(|ctx, _params| async move {
            ctx.state().cancelled.fetch_add(1, Ordering::SeqCst);
        })
        .request::<ListToolsRequest, _, _>(move |ctx: RequestContext<State>, p| async move {
            ctx.state().tool_lists.fetch_add(1, Ordering::SeqCst);
            let (items, next) = page(&tools(), p.cursor.as_deref(), size)?;
            let mut result = ListToolsResult::new(items);
            result.next_cursor = next;
            Ok(result)
        })
        .request::<CallToolRequest, _, _>(move |ctx: RequestContext<State>, p| {
            let notifier = notifier.clone();
            async move {
                let args = Value::Object(p.arguments.unwrap_or_default());
                call_tool(ctx, &p.name, args, &notifier).await
            }
        })
        .request::<ListPromptsRequest, _, _>(move |_ctx: RequestContext<State>, p| async move {
            let (items, next) = page(&prompts(), p.cursor.as_deref(), size)?;
            let mut result = ListPromptsResult::new(items);
            result.next_cursor = next;
            Ok(result)
        })
        .request::<GetPromptRequest, _, _>(|_ctx: RequestContext<State>, p| async move {
            let name = p
                .arguments
                .as_ref()
                .and_then(|a| a.get("name"))
                .cloned()
                .unwrap_or_else(|| "stranger".into());
            let text = match p.name.as_str() {
                "greeting" => format!("Hello, {name}!"),
                "farewell" => format!("Goodbye, {name}!"),
                "plain" => "Plain.".to_owned(),
                other => {
                    return Err(HandlerError::invalid_params(format!(
                        "Unknown prompt: {other}"
                    )));
                }
            };
            let result: GetPromptResult = serde_json::from_value(json!({
                "description": "A prompt",
                "messages": [{"role": "user", "content": {"type": "text", "text": text}}]
            }))
            .map_err(|e| HandlerError::internal(e.to_string()))?;
            Ok(result)
        })
        .request::<ListResourcesRequest, _, _>(move |_ctx: RequestContext<State>, p| async move {
            let (items, next) = page(&resources(), p.cursor.as_deref(), size)?;
            let mut result = ListResourcesResult::new(items);
            result.next_cursor = next;
            Ok(result)
        })
        .request::<ListResourceTemplatesRequest, _, _>(
            |_ctx: RequestContext<State>, _p| async move {
                let template: ResourceTemplate = serde_json::from_value(
                    json!({"uriTemplate": "test://items/{id}", "name": "item"}),
                )
                .expect("valid template");
                Ok(ListResourceTemplatesResult::new(vec![template]))
            },
        )
        .request::<ReadResourceRequest, _, _>(|ctx: RequestContext<State>, p| async move {
            let text = if p.uri == "test://static-text" {
                "This is the static text.".to_owned()
            } else if let Some(id) = p.uri.strip_prefix("test://items/") {
                format!("item {id}")
            } else if resources().iter().any(|r| r.uri == p.uri) {
                format!("contents of {}", p.uri)
            } else {
                return Err(HandlerError::new(
                    mcp_types::ErrorCode::resource_not_found(ctx.protocol_version()),
                    format!("Resource not found: {}", p.uri),
                ));
            };
            let contents =
                TextOrBlobResourceContents::text(p.uri, text).with_mime_type("text/plain");
            Ok(ReadResourceResult::new(vec![contents]))
        })
        .request::<CompleteRequest, _, _>(|_ctx: RequestContext<State>, p| async move {
            let values: Vec<String> = ["Alice", "Alan", "Bob"]
                .into_iter()
                .filter(|v| v.starts_with(p.argument.value.as_str()))
                .map(str::to_owned)
                .collect();
            let result: CompleteResult = serde_json::from_value(
                json!({"completion": {"values": values, "total": values.len()}}),
            )
            .map_err(|e| HandlerError::internal(e.to_string()))?;
            Ok(result)
        })
}

/// Starts the server and keeps its state reachable (for tests).
pub async fn start(options: &Options) -> Arc<mcp_lowlevel::RunningServer<State>> {
    Arc::new(build(options).start().await.expect("the server starts"))
}
