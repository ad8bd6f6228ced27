//! What the client puts on the wire, against scripted servers that record
//! every message: `_meta` on 2026-07-28 requests, era probing and fallback,
//! and the exact shape of Multi Round-Trip retries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use mcp_client::{ClientError, ClientSession, VersionChoice, accept_with_defaults};
use mcp_transport::Transport;
use mcp_transport::memory::MemoryTransport;
use mcp_types::{
    ElicitResultContentValue, ErrorCode, ErrorObject, JsonRpcErrorResponse, JsonRpcMessage,
    JsonRpcResultResponse, ProtocolVersion,
};
use serde_json::{Value, json};

/// What a scripted server answers.
enum Reply {
    Result(Value),
    Error(ErrorObject),
    Ignore,
}

type Log = Arc<Mutex<Vec<Value>>>;

/// A server that answers each request with `handler(method, params, n)`
/// (`n` counts the requests of that method so far) and logs what it receives.
fn scripted(
    handler: impl Fn(&str, &Value, usize) -> Reply + Send + 'static,
) -> (MemoryTransport, Log) {
    let (client_end, server_end) = mcp_transport::memory::pair();
    let log: Log = Arc::default();
    let sink = log.clone();
    tokio::spawn(async move {
        let (mut reader, mut writer) = server_end.split();
        let mut counts: HashMap<String, usize> = HashMap::new();
        while let Some(Ok(inbound)) = reader.next().await {
            let json: Value = serde_json::from_str(&inbound.message.to_json()).unwrap();
            sink.lock().unwrap().push(json.clone());
            let JsonRpcMessage::Request(request) = inbound.message else {
                continue;
            };
            let n = counts.entry(request.method.clone()).or_default();
            let reply = handler(&request.method, &json["params"], *n);
            *n += 1;
            let message = match reply {
                Reply::Result(v) => {
                    JsonRpcMessage::Response(JsonRpcResultResponse::new(request.id, &v).unwrap())
                }
                Reply::Error(error) => JsonRpcMessage::Error(JsonRpcErrorResponse {
                    id: Some(request.id),
                    error,
                }),
                Reply::Ignore => continue,
            };
            if writer.send(message.into()).await.is_err() {
                break;
            }
        }
    });
    (client_end, log)
}

fn discovered() -> Value {
    json!({
        "supportedVersions": ["2026-07-28"],
        "capabilities": {"tools": {}},
        "resultType": "complete",
        "ttlMs": 0,
        "cacheScope": "private",
        "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "scripted", "version": "1"}}
    })
}

fn initialized(version: &str) -> Value {
    json!({"protocolVersion": version, "capabilities": {"tools": {}}, "serverInfo": {"name": "legacy", "version": "0.1"}})
}

fn text(t: &str) -> Value {
    json!({"content": [{"type": "text", "text": t}], "resultType": "complete"})
}

fn confirm_request() -> Value {
    json!({"confirm": {"method": "elicitation/create", "params": {
        "message": "Confirm?",
        "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean", "default": true}}}
    }}})
}

const STATE: &str = "opaque \"state\" \\ with/ünïcode\u{2028} and  spaces ";

fn requests<'a>(log: &'a [Value], method: &str) -> Vec<&'a Value> {
    log.iter()
        .filter(|m| m["method"] == method && m.get("id").is_some())
        .collect()
}

fn modern_tools(method: &str, params: &Value, _n: usize) -> Reply {
    match method {
        "server/discover" => Reply::Result(discovered()),
        "tools/list" => Reply::Result(json!({"tools": [], "resultType": "complete"})),
        "tools/call" => {
            let retry = params.get("inputResponses").is_some();
            match (params["name"].as_str().unwrap_or_default(), retry) {
                ("test_mrtr_echo_state", false) => Reply::Result(json!({
                    "resultType": "input_required", "inputRequests": confirm_request(), "requestState": STATE
                })),
                ("state_b", false) => Reply::Result(json!({
                    "resultType": "input_required", "inputRequests": confirm_request(), "requestState": "B"
                })),
                ("test_mrtr_no_state", false) => Reply::Result(
                    json!({"resultType": "input_required", "inputRequests": confirm_request()}),
                ),
                ("test_mrtr_no_result_type", _) => {
                    Reply::Result(json!({"content": [{"type": "text", "text": "plain"}]}))
                }
                ("unknown_input", false) => Reply::Result(json!({
                    "resultType": "input_required", "inputRequests": {"x": {"method": "tasks/whatever", "params": {}}}
                })),
                (name, _) => Reply::Result(text(name)),
            }
        }
        _ => Reply::Error(ErrorObject::new(
            ErrorCode::METHOD_NOT_FOUND,
            "Method not found",
        )),
    }
}

fn confirming() -> mcp_client::ClientSessionBuilder {
    ClientSession::builder().elicitation(|request| async move {
        Ok(accept_with_defaults(
            &request,
            [("ok".to_owned(), ElicitResultContentValue::Boolean(true))],
        ))
    })
}

#[tokio::test]
async fn stateless_requests_carry_meta_and_retries_echo_state_exactly() {
    let (transport, log) = scripted(modern_tools);
    let session = confirming().connect(transport).await.unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2026_07_28);
    assert_eq!(session.server_info().unwrap().name, "scripted");
    session.list_tools(None).await.unwrap();
    session.call_tool("test_mrtr_echo_state", ()).await.unwrap();
    session.call_tool("test_mrtr_unrelated", ()).await.unwrap();
    session.call_tool("test_mrtr_no_state", ()).await.unwrap();
    let plain = session
        .call_tool("test_mrtr_no_result_type", ())
        .await
        .unwrap();
    assert_eq!(plain.content[0].as_text(), Some("plain"));

    let log = log.lock().unwrap().clone();
    for request in log.iter().filter(|m| m.get("id").is_some()) {
        let meta = &request["params"]["_meta"];
        assert_eq!(
            meta["io.modelcontextprotocol/protocolVersion"], "2026-07-28",
            "{request}"
        );
        assert!(
            meta["io.modelcontextprotocol/clientCapabilities"].is_object(),
            "{request}"
        );
        assert_eq!(
            meta["io.modelcontextprotocol/clientCapabilities"]["elicitation"],
            json!({"form": {}, "url": {}})
        );
        assert_eq!(
            meta["io.modelcontextprotocol/clientInfo"]["name"], "mcp-rs-client",
            "{request}"
        );
    }
    let calls = requests(&log, "tools/call");
    let by_name = |name: &str| -> Vec<&Value> {
        calls
            .iter()
            .copied()
            .filter(|c| c["params"]["name"] == name)
            .collect()
    };
    let echo = by_name("test_mrtr_echo_state");
    assert_eq!(echo.len(), 2);
    assert_ne!(echo[0]["id"], echo[1]["id"], "a retry has a new id");
    assert!(echo[0]["params"].get("requestState").is_none());
    assert_eq!(
        echo[1]["params"]["requestState"].as_str(),
        Some(STATE),
        "echoed exactly"
    );
    assert_eq!(
        echo[1]["params"]["inputResponses"]["confirm"],
        json!({"action": "accept", "content": {"ok": true}})
    );
    let unrelated = by_name("test_mrtr_unrelated");
    assert_eq!(unrelated.len(), 1);
    assert!(
        unrelated[0]["params"].get("inputResponses").is_none()
            && unrelated[0]["params"].get("requestState").is_none()
    );
    let no_state = by_name("test_mrtr_no_state");
    assert_eq!(no_state.len(), 2);
    assert!(
        no_state[1]["params"].get("requestState").is_none(),
        "absent state is omitted"
    );
    assert!(no_state[1]["params"]["inputResponses"]["confirm"].is_object());
    assert_eq!(
        by_name("test_mrtr_no_result_type").len(),
        1,
        "no resultType means complete"
    );
}

#[tokio::test]
async fn parallel_calls_keep_their_own_rounds() {
    let (transport, log) = scripted(modern_tools);
    let session = confirming().connect(transport).await.unwrap();
    let (a, b) = tokio::join!(
        session.call_tool("test_mrtr_echo_state", ()),
        session.call_tool("state_b", ())
    );
    a.unwrap();
    b.unwrap();
    let log = log.lock().unwrap().clone();
    let retries: Vec<_> = requests(&log, "tools/call")
        .into_iter()
        .filter(|c| c["params"].get("inputResponses").is_some())
        .collect();
    assert_eq!(retries.len(), 2);
    for retry in retries {
        let expected = if retry["params"]["name"] == "state_b" {
            "B"
        } else {
            STATE
        };
        assert_eq!(retry["params"]["requestState"].as_str(), Some(expected));
    }
}

#[tokio::test]
async fn unknown_input_requests_fail_the_call() {
    let (transport, _log) = scripted(modern_tools);
    let session = confirming().connect(transport).await.unwrap();
    let err = session.call_tool("unknown_input", ()).await.unwrap_err();
    assert!(
        matches!(err, ClientError::UnsupportedInputRequest { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("tasks/whatever"), "{err}");
}

fn legacy(method: &str, params: &Value, _n: usize) -> Reply {
    match method {
        "initialize" => Reply::Result(initialized(
            params["protocolVersion"].as_str().unwrap_or("2025-11-25"),
        )),
        "tools/list" => Reply::Result(json!({"tools": []})),
        _ => Reply::Error(ErrorObject::new(
            ErrorCode::METHOD_NOT_FOUND,
            "Method not found",
        )),
    }
}

fn assert_fell_back(log: &[Value]) {
    let init = requests(log, "initialize");
    assert_eq!(init.len(), 1);
    assert_eq!(init[0]["params"]["protocolVersion"], "2025-11-25");
    assert_eq!(init[0]["params"]["clientInfo"]["name"], "mcp-rs-client");
    assert!(
        init[0]["params"].get("_meta").is_none(),
        "no stateless _meta after the fallback: {}",
        init[0]
    );
    assert!(
        log.iter()
            .any(|m| m["method"] == "notifications/initialized")
    );
    for later in requests(log, "tools/list") {
        assert!(later["params"].get("_meta").is_none(), "{later}");
    }
}

#[tokio::test]
async fn auto_falls_back_on_method_not_found() {
    let (transport, log) = scripted(legacy);
    let session = ClientSession::connect(transport).await.unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(session.server_info().unwrap().name, "legacy");
    session.list_tools(None).await.unwrap();
    let log = log.lock().unwrap().clone();
    let discover = requests(&log, "server/discover");
    assert_eq!(discover.len(), 1);
    assert_eq!(
        discover[0]["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    assert_fell_back(&log);
}

#[tokio::test]
async fn auto_falls_back_when_discover_is_not_answered() {
    let (transport, log) = scripted(|method, params, n| match method {
        "server/discover" => Reply::Ignore,
        _ => legacy(method, params, n),
    });
    let session = ClientSession::builder()
        .discover_timeout(Duration::from_millis(200))
        .connect(transport)
        .await
        .unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2025_11_25);
    session.list_tools(None).await.unwrap();
    let log = log.lock().unwrap().clone();
    assert!(
        log.iter().any(|m| m["method"] == "notifications/cancelled"),
        "the probe is cancelled"
    );
    assert_fell_back(&log);
}

#[tokio::test]
async fn auto_falls_back_on_answers_that_are_not_modern() {
    for answer in [
        json!({}),
        json!({"supportedVersions": ["2025-11-25"]}),
        json!("nonsense"),
    ] {
        let (transport, log) = scripted(move |method, params, n| match method {
            "server/discover" => Reply::Result(answer.clone()),
            _ => legacy(method, params, n),
        });
        let session = ClientSession::connect(transport).await.unwrap();
        assert_eq!(session.protocol_version(), ProtocolVersion::V2025_11_25);
        session.list_tools(None).await.unwrap();
        assert_fell_back(&log.lock().unwrap());
    }
}

fn unsupported(supported: Value) -> Reply {
    Reply::Error(
        ErrorObject::new(
            ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
            "Unsupported protocol version",
        )
        .with_data(json!({"supported": supported, "requested": "2026-07-28"})),
    )
}

#[tokio::test]
async fn unsupported_version_is_retried_with_a_listed_one() {
    let (transport, log) = scripted(|method, params, n| match (method, n) {
        ("server/discover", 0) => unsupported(json!(["2026-07-28"])),
        _ => modern_tools(method, params, n),
    });
    let session = ClientSession::connect(transport).await.unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2026_07_28);
    session.list_tools(None).await.unwrap();
    let log = log.lock().unwrap().clone();
    assert_eq!(requests(&log, "server/discover").len(), 2);
    assert!(requests(&log, "initialize").is_empty());
    let list = requests(&log, "tools/list");
    assert_eq!(
        list[0]["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
}

#[tokio::test]
async fn unsupported_version_listing_only_session_revisions_falls_back() {
    let (transport, log) = scripted(|method, params, n| match method {
        "server/discover" => unsupported(json!(["2025-06-18", "2025-11-25"])),
        _ => legacy(method, params, n),
    });
    let session = ClientSession::connect(transport).await.unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(requests(&log.lock().unwrap(), "server/discover").len(), 1);
}

#[tokio::test]
async fn an_unknown_negotiated_version_fails_clearly() {
    let (transport, _log) = scripted(|method, _params, _n| match method {
        "initialize" => Reply::Result(initialized("1999-01-01")),
        _ => Reply::Error(ErrorObject::new(
            ErrorCode::METHOD_NOT_FOUND,
            "Method not found",
        )),
    });
    let err = ClientSession::builder()
        .protocol_version(VersionChoice::Fixed(ProtocolVersion::V2025_06_18))
        .connect(transport)
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Handshake(_)), "{err}");
    assert!(err.to_string().contains("1999-01-01"), "{err}");
}

#[tokio::test]
async fn fixed_session_revisions_send_that_version() {
    for version in ProtocolVersion::ALL
        .into_iter()
        .filter(|v| !v.is_stateless())
    {
        let (transport, log) = scripted(legacy);
        let session = ClientSession::builder()
            .protocol_version(VersionChoice::Fixed(version))
            .connect(transport)
            .await
            .unwrap();
        assert_eq!(session.protocol_version(), version);
        let log = log.lock().unwrap().clone();
        assert!(requests(&log, "server/discover").is_empty());
        assert_eq!(
            requests(&log, "initialize")[0]["params"]["protocolVersion"],
            version.as_str()
        );
    }
}

#[tokio::test]
async fn a_slow_modern_server_is_probed_again() {
    // The first probe is answered too late; the server then refuses
    // `initialize` because it serves 2026-07-28 on this connection.
    let (transport, log) = scripted(|method, params, n| match (method, n) {
        ("server/discover", 0) => Reply::Ignore,
        ("initialize", _) => unsupported(json!(["2026-07-28"])),
        _ => modern_tools(method, params, n),
    });
    let session = ClientSession::builder()
        .discover_timeout(Duration::from_millis(200))
        .connect(transport)
        .await
        .unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2026_07_28);
    session.list_tools(None).await.unwrap();
    let log = log.lock().unwrap().clone();
    assert_eq!(requests(&log, "server/discover").len(), 2);
    let list = requests(&log, "tools/list");
    assert_eq!(
        list[0]["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
}
