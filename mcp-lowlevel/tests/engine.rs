//! The engine over the in-memory pair: handshake, both eras, errors,
//! cancellation, progress, timeouts, MRTR, panics and layers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mcp_lowlevel::memory::{ConnectedClient, connect};
use mcp_lowlevel::{HandlerError, PeerError, RequestContext, RequestOptions, Router, Server};
use mcp_types::{
    CallToolRequest, CallToolResult, ClientCapabilities, ContentBlock, CreateMessageRequest,
    CreateMessageRequestParams, CreateMessageResult, ErrorCode, Implementation, InputRequest,
    ListToolsRequest, ListToolsResult, LoggingLevel, ProtocolVersion, Tool, meta,
};
use serde_json::{Value, json};

fn stateless_meta(caps: Value) -> Value {
    json!({
        meta::PROTOCOL_VERSION: "2026-07-28",
        meta::CLIENT_CAPABILITIES: caps,
        meta::CLIENT_INFO: {"name": "test", "version": "0"},
    })
}

async fn raw(client: &ConnectedClient, method: &str, params: Value) -> Result<Value, PeerError> {
    let raw = client
        .peer
        .request_raw(method, &params, RequestOptions::default())
        .await?;
    Ok(serde_json::from_str(raw.get()).unwrap())
}

fn echo_server() -> Server {
    Server::new(Implementation::new("test-server", "1.0.0"))
        .instructions("for tests")
        .request::<ListToolsRequest, _, _>(|_ctx: RequestContext<()>, _p| async move {
            let tool: Tool = serde_json::from_value(json!({"name": "echo", "inputSchema": {"type": "object"}})).unwrap();
            Ok::<_, HandlerError>(ListToolsResult::new(vec![tool]))
        })
        .request::<CallToolRequest, _, _>(|ctx: RequestContext<()>, p| async move {
            match p.name.as_str() {
                "echo" => {
                    let text = p
                        .arguments
                        .and_then(|a| a.get("text").and_then(Value::as_str).map(str::to_owned))
                        .unwrap_or_default();
                    Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
                }
                "progress" => {
                    for i in 0..3 {
                        ctx.report_progress(f64::from(i), Some(2.0), None).await.unwrap();
                    }
                    ctx.log(LoggingLevel::Info, None, json!("logged")).await.unwrap();
                    Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
                }
                "sleep" => {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    Ok(CallToolResult::success(vec![]))
                }
                "panic" => panic!("handler exploded"),
                "meta" => {
                    let mut result = CallToolResult::success(vec![]);
                    let mut mine = mcp_types::Meta::new();
                    mine.insert_as("mine", &1);
                    result.meta = Some(mine);
                    Ok(result)
                }
                "sample" => {
                    let params: CreateMessageRequestParams = serde_json::from_value(json!({
                        "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
                        "maxTokens": 10
                    }))
                    .unwrap();
                    let answer = ctx
                        .peer()
                        .request::<CreateMessageRequest>(params)
                        .await
                        .map_err(|e| HandlerError::internal(e.to_string()))?;
                    let text = serde_json::to_value(&answer.content).unwrap()["text"].clone();
                    Ok(CallToolResult::success(vec![ContentBlock::text(text.as_str().unwrap_or_default())]))
                }
                "ask" => {
                    // Two rounds: first ask for a name, then use it.
                    if let Some(responses) = ctx.input_responses()
                        && let Some(answer) = responses.get("name")
                    {
                        let state = ctx.request_state()?;
                        let answer = serde_json::to_value(answer).unwrap();
                        let text = format!("{} {}", state.unwrap()["greeting"].as_str().unwrap(), answer["content"]["name"].as_str().unwrap());
                        return Ok(CallToolResult::success(vec![ContentBlock::text(text)]));
                    }
                    let request: InputRequest = serde_json::from_value(json!({
                        "method": "elicitation/create",
                        "params": {"message": "Name?", "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}}
                    }))
                    .unwrap();
                    Err(ctx.input_required([("name".to_owned(), request)].into_iter().collect(), Some(&json!({"greeting": "Hello"}))))
                }
                other => Err(HandlerError::invalid_params(format!("Unknown tool: {other}"))),
            }
        })
}

fn sampling_client() -> Router<()> {
    Router::new().request::<CreateMessageRequest, _, _>(|_ctx: RequestContext<()>, _p| async move {
        let result: CreateMessageResult = serde_json::from_value(json!({
            "role": "assistant", "content": {"type": "text", "text": "sampled!"}, "model": "m"
        }))
        .unwrap();
        Ok::<_, HandlerError>(result)
    })
}

#[tokio::test]
async fn negotiates_every_session_revision() {
    for version in ProtocolVersion::ALL
        .into_iter()
        .filter(|v| !v.is_stateless())
    {
        let client = connect(echo_server(), Router::new()).await.unwrap();
        let result = client
            .initialize(version, ClientCapabilities::default())
            .await
            .unwrap();
        assert_eq!(result.protocol_version, version.as_str());
        assert_eq!(result.server_info.name, "test-server");
        assert_eq!(result.instructions.as_deref(), Some("for tests"));
        assert!(
            result.capabilities.tools.is_some(),
            "capabilities derive from handlers"
        );
        assert!(result.capabilities.prompts.is_none());
        let encoded = serde_json::to_value(&result).unwrap();
        assert!(
            encoded.get("resultType").is_none(),
            "no resultType before 2026-07-28"
        );
    }
    // An unknown or stateless-era version gets the newest session revision.
    for asked in ["1999-01-01", "2026-07-28"] {
        let client = connect(echo_server(), Router::new()).await.unwrap();
        let answer = raw(&client, "initialize", json!({
            "protocolVersion": asked, "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}
        }))
        .await
        .unwrap();
        assert_eq!(answer["protocolVersion"], "2025-11-25");
    }
}

#[tokio::test]
async fn requests_before_initialize_are_rejected() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    let err = raw(&client, "tools/list", json!({})).await.unwrap_err();
    let rpc = err.rpc().unwrap();
    assert_eq!(rpc.code, ErrorCode::INVALID_PARAMS);
    assert!(rpc.message.contains("initialize"), "{}", rpc.message);
    // ping is allowed before the handshake.
    assert_eq!(raw(&client, "ping", json!({})).await.unwrap(), json!({}));
}

#[tokio::test]
async fn unknown_methods_and_bad_params() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    client
        .initialize(ProtocolVersion::V2025_06_18, ClientCapabilities::default())
        .await
        .unwrap();
    let err = raw(&client, "no/such", json!({})).await.unwrap_err();
    assert_eq!(err.rpc().unwrap().code, ErrorCode::METHOD_NOT_FOUND);
    // A method of another revision is unknown in this one.
    let err = raw(&client, "server/discover", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.rpc().unwrap().code, ErrorCode::METHOD_NOT_FOUND);
    let err = raw(&client, "tools/call", json!({"arguments": {}}))
        .await
        .unwrap_err();
    let rpc = err.rpc().unwrap();
    assert_eq!(rpc.code, ErrorCode::INVALID_PARAMS);
    assert!(
        rpc.message.contains("`name`"),
        "names the missing field: {}",
        rpc.message
    );
    let err = raw(&client, "tools/call", json!({"name": 5}))
        .await
        .unwrap_err();
    assert!(err.rpc().unwrap().message.contains("invalid type"));
    assert_eq!(
        raw(&client, "logging/setLevel", json!({"level": "warning"}))
            .await
            .unwrap(),
        json!({})
    );
    let err = raw(&client, "logging/setLevel", json!({"level": "loud"}))
        .await
        .unwrap_err();
    assert_eq!(err.rpc().unwrap().code, ErrorCode::INVALID_PARAMS);
}

#[tokio::test]
async fn stateless_requests_carry_their_own_version() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    let discover = raw(
        &client,
        "server/discover",
        json!({"_meta": stateless_meta(json!({}))}),
    )
    .await
    .unwrap();
    assert_eq!(discover["resultType"], "complete");
    assert!(
        discover["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-07-28"))
    );
    assert!(discover["capabilities"]["tools"].is_object());
    assert_eq!(discover["_meta"][meta::SERVER_INFO]["name"], "test-server");
    assert!(discover["ttlMs"].is_number() && discover["cacheScope"].is_string());

    let list = raw(
        &client,
        "tools/list",
        json!({"_meta": stateless_meta(json!({}))}),
    )
    .await
    .unwrap();
    assert_eq!(list["resultType"], "complete");
    assert_eq!(list["cacheScope"], "private");

    let err = raw(
        &client,
        "tools/list",
        json!({"_meta": {meta::PROTOCOL_VERSION: "v999", meta::CLIENT_CAPABILITIES: {}}}),
    )
    .await
    .unwrap_err();
    let rpc = err.rpc().unwrap();
    assert_eq!(rpc.code, ErrorCode::UNSUPPORTED_PROTOCOL_VERSION);
    assert_eq!(rpc.data.as_ref().unwrap()["requested"], "v999");
    assert_eq!(
        rpc.data.as_ref().unwrap()["supported"],
        json!(["2026-07-28"])
    );

    let err = raw(
        &client,
        "tools/list",
        json!({"_meta": {meta::PROTOCOL_VERSION: "2026-07-28"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.rpc().unwrap().code, ErrorCode::INVALID_PARAMS);
    let err = raw(&client, "server/discover", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.rpc().unwrap().code, ErrorCode::INVALID_PARAMS);

    for removed in ["initialize", "ping", "logging/setLevel"] {
        let err = raw(
            &client,
            removed,
            json!({"_meta": stateless_meta(json!({}))}),
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.rpc().unwrap().code,
            ErrorCode::METHOD_NOT_FOUND,
            "{removed}"
        );
    }
}

#[tokio::test]
async fn stateless_results_merge_the_handlers_meta_with_the_servers() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    for (tool, mine) in [("meta", json!(1)), ("echo", Value::Null)] {
        let params =
            json!({"_meta": stateless_meta(json!({})), "name": tool, "arguments": {"text": "x"}});
        let result = raw(&client, "tools/call", params).await.unwrap();
        assert_eq!(result["resultType"], "complete", "{result}");
        assert_eq!(result["_meta"]["mine"], mine, "{result}");
        assert_eq!(
            result["_meta"][meta::SERVER_INFO]["name"],
            "test-server",
            "{result}"
        );
    }
}

#[tokio::test]
async fn a_meta_key_spelled_with_escapes_is_still_read() {
    // The router skips parsing `_meta` when the params cannot hold it; a key
    // written as `"\u005fmeta"` must not slip past that check.
    let client = connect(echo_server(), Router::new()).await.unwrap();
    let meta = serde_json::to_string(&stateless_meta(json!({}))).unwrap();
    let params = format!(r#"{{"\u005fmeta":{meta},"name":"echo","arguments":{{"text":"hi"}}}}"#);
    let params = serde_json::value::RawValue::from_string(params).unwrap();
    let result = client
        .peer
        .request_raw("tools/call", &params, RequestOptions::default())
        .await
        .unwrap();
    let result: Value = serde_json::from_str(result.get()).unwrap();
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["content"][0]["text"], "hi");
}

#[tokio::test]
async fn stateless_logging_needs_a_level_and_progress_flows() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let params = json!({"name": "progress", "_meta": stateless_meta(json!({}))});
    let result = client
        .peer
        .request_raw(
            "tools/call",
            &params,
            RequestOptions {
                progress: Some(tx),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let result: Value = serde_json::from_str(result.get()).unwrap();
    assert_eq!(result["content"][0]["text"], "done");
    let mut seen = Vec::new();
    while let Ok(p) = rx.try_recv() {
        seen.push(p.progress);
    }
    assert_eq!(
        seen,
        vec![0.0, 1.0, 2.0],
        "progress reaches the request that asked for it"
    );
}

#[tokio::test]
async fn cancellation_drops_the_handler_and_sends_no_response() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    client
        .initialize(ProtocolVersion::V2025_11_25, ClientCapabilities::default())
        .await
        .unwrap();
    let params = json!({"name": "sleep"});
    let call = client.peer.request_raw(
        "tools/call",
        &params,
        RequestOptions {
            timeout: Some(Duration::from_millis(100)),
            ..Default::default()
        },
    );
    let err = call.await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // The server saw notifications/cancelled and dropped the handler; the
    // connection still answers.
    let answer = raw(
        &client,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "alive"}}),
    )
    .await
    .unwrap();
    assert_eq!(answer["content"][0]["text"], "alive");
}

#[tokio::test]
async fn a_panicking_handler_yields_internal_error_and_the_connection_lives() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    client
        .initialize(ProtocolVersion::V2025_11_25, ClientCapabilities::default())
        .await
        .unwrap();
    let err = raw(&client, "tools/call", json!({"name": "panic"}))
        .await
        .unwrap_err();
    assert_eq!(err.rpc().unwrap().code, ErrorCode::INTERNAL_ERROR);
    let answer = raw(
        &client,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "still here"}}),
    )
    .await
    .unwrap();
    assert_eq!(answer["content"][0]["text"], "still here");
}

#[tokio::test]
async fn server_to_client_requests_in_the_session_era() {
    let client = connect(echo_server(), sampling_client()).await.unwrap();
    client
        .initialize(ProtocolVersion::V2025_11_25, ClientCapabilities::default())
        .await
        .unwrap();
    let answer = raw(&client, "tools/call", json!({"name": "sample"}))
        .await
        .unwrap();
    assert_eq!(answer["content"][0]["text"], "sampled!");
}

#[tokio::test]
async fn multi_round_trip_with_sealed_state() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    let meta = stateless_meta(json!({"elicitation": {}}));
    let first = raw(&client, "tools/call", json!({"name": "ask", "_meta": meta}))
        .await
        .unwrap();
    assert_eq!(first["resultType"], "input_required");
    assert_eq!(
        first["inputRequests"]["name"]["method"],
        "elicitation/create"
    );
    let state = first["requestState"].as_str().unwrap().to_owned();
    let responses = json!({"name": {"action": "accept", "content": {"name": "Alice"}}});
    let second = raw(
        &client,
        "tools/call",
        json!({"name": "ask", "_meta": meta, "inputResponses": responses, "requestState": state}),
    )
    .await
    .unwrap();
    assert_eq!(second["resultType"], "complete");
    assert_eq!(second["content"][0]["text"], "Hello Alice");

    let tampered = format!("{state}-TAMPERED");
    let err = raw(&client, "tools/call", json!({"name": "ask", "_meta": meta, "inputResponses": responses, "requestState": tampered}))
        .await
        .unwrap_err();
    assert_eq!(err.rpc().unwrap().code, ErrorCode::INVALID_PARAMS);
    assert!(err.rpc().unwrap().message.contains("integrity"));

    let err = raw(
        &client,
        "tools/call",
        json!({"name": "ask", "_meta": meta, "inputResponses": {"name": 12345}}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.rpc().unwrap().code,
        ErrorCode::INVALID_PARAMS,
        "malformed input responses are refused"
    );
}

#[tokio::test]
async fn a_layer_stack_wraps_the_router() {
    use tower::ServiceBuilder;

    let seen = Arc::new(AtomicBool::new(false));
    let running = echo_server().start().await.unwrap();
    let (client_end, server_end) = mcp_transport::memory::pair();
    let layer = ServiceBuilder::new()
        .layer(tower::timeout::TimeoutLayer::new(Duration::from_millis(
            200,
        )))
        .layer(tower::layer::layer_fn({
            let seen = seen.clone();
            move |inner| Spy {
                inner,
                seen: seen.clone(),
            }
        }));
    let server = tokio::spawn(async move { running.serve_with(server_end, layer).await });
    let connection = mcp_lowlevel::Connection::new(Default::default());
    let peer = connection.peer().clone();
    let service =
        Router::<()>::new().into_service(Arc::new(()), mcp_lowlevel::RouterConfig::client());
    tokio::spawn(connection.run(client_end, service));

    let err = peer
        .request_raw(
            "tools/call",
            &json!({"name": "sleep", "_meta": stateless_meta(json!({}))}),
            RequestOptions::default(),
        )
        .await
        .unwrap_err();
    let rpc = err.rpc().unwrap();
    assert_eq!(rpc.code, ErrorCode::INTERNAL_ERROR);
    assert!(rpc.message.contains("timed out"), "{}", rpc.message);
    assert!(seen.load(Ordering::SeqCst), "the hand-written layer ran");
    drop(peer);
    server.abort();
}

/// A hand-written layer: records that a request went through.
#[derive(Clone)]
struct Spy<S> {
    inner: S,
    seen: Arc<AtomicBool>,
}

impl<S: tower::Service<mcp_lowlevel::Incoming>> tower::Service<mcp_lowlevel::Incoming> for Spy<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: mcp_lowlevel::Incoming) -> Self::Future {
        self.seen.store(true, Ordering::SeqCst);
        self.inner.call(req)
    }
}

#[tokio::test]
async fn the_peer_going_away_fails_pending_requests_at_once() {
    let client = connect(echo_server(), Router::new()).await.unwrap();
    client
        .initialize(ProtocolVersion::V2025_11_25, ClientCapabilities::default())
        .await
        .unwrap();
    let peer = client.peer.clone();
    let call = tokio::spawn(async move {
        peer.request_raw(
            "tools/call",
            &json!({"name": "sleep"}),
            RequestOptions::default(),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    client.stop_server();
    let outcome = tokio::time::timeout(Duration::from_secs(2), call)
        .await
        .expect("no hang")
        .unwrap();
    assert!(outcome.unwrap_err().is_closed());
}
