//! The stateless era (2026-07-28) over a real socket.

use std::sync::Arc;

use http::{Method, StatusCode};
use mcp_transport::http::{StreamableHttpConfig, header_matches_value};
use mcp_types::{ErrorCode, ErrorObject};
use serde_json::{Value, json};

use crate::common::*;

fn call(id: i64, method: &str, mut params: Value) -> String {
    params["_meta"] = meta_2026();
    rpc(id, method, params)
}

#[tokio::test]
async fn request_with_progress_streams_then_ends() {
    let mut server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let mut reply = send(
        post_2026(addr, "tools/call", Some("echo")).header("mcp-session-id", "ignored"),
        call(1, "tools/call", json!({"name": "echo"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), "text/event-stream");
    assert_eq!(reply.header("x-accel-buffering").as_deref(), Some("no"));
    assert!(reply.header("mcp-session-id").is_none());
    let events = reply.events().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events.iter().all(|e| e.id.is_none()),
        "no resumability in 2026"
    );
    assert_eq!(events[0].json()["method"], "notifications/progress");
    let response = events[1].json();
    assert_eq!(response["id"], 1);
    assert_eq!(response["result"]["echo"]["name"], "echo");
    // The per-request engine ends once the request is answered.
    expect_event(&mut server.events, "reader-ended").await;
    assert_eq!(server.service.session_count(), 0);
}

#[tokio::test]
async fn immediate_response_is_json() {
    let server = start(StreamableHttpConfig::default()).await;
    let mut reply = send(
        post_2026(server.addr, "quick", None),
        call(2, "quick", json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), "application/json");
    assert_eq!(reply.json().await["id"], 2);
}

#[tokio::test]
async fn json_response_option_drops_notifications() {
    let server = start(StreamableHttpConfig::default().json_response(true)).await;
    let mut reply = send(
        post_2026(server.addr, "tools/list", None),
        call(3, "tools/list", json!({})),
    )
    .await;
    assert_eq!(reply.content_type(), "application/json");
    assert_eq!(reply.json().await["id"], 3);
}

#[tokio::test]
async fn method_not_found_is_404() {
    let server = start(StreamableHttpConfig::default()).await;
    let mut reply = send(
        post_2026(server.addr, "unknown/method", None),
        call(601, "unknown/method", json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let body = reply.json().await;
    assert_eq!(body["id"], 601);
    assert_eq!(body["error"]["code"], -32601);
}

async fn expect_mismatch(builder: http::request::Builder, body: String, id: i64) {
    let mut reply = send(builder, body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let body = reply.json().await;
    assert_eq!(body["id"], id, "{body}");
    assert_eq!(body["error"]["code"], -32020, "{body}");
}

#[tokio::test]
async fn headers_must_match_the_body() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let list = || call(100, "tools/list", json!({}));
    // Mcp-Method: wrong, missing, wrong case.
    expect_mismatch(post_2026(addr, "prompts/list", None), list(), 100).await;
    expect_mismatch(
        post(addr).header("mcp-protocol-version", "2026-07-28"),
        list(),
        100,
    )
    .await;
    expect_mismatch(post_2026(addr, "TOOLS/LIST", None), list(), 100).await;
    // Mcp-Name: wrong, missing, badly encoded.
    let tool = || call(101, "tools/call", json!({"name": "echo", "arguments": {}}));
    expect_mismatch(
        post_2026(addr, "tools/call", Some("wrong_tool_name")),
        tool(),
        101,
    )
    .await;
    expect_mismatch(post_2026(addr, "tools/call", None), tool(), 101).await;
    expect_mismatch(
        post_2026(addr, "tools/call", Some("=?base64?ZWNobw?=")),
        tool(),
        101,
    )
    .await;
    let read = call(102, "resources/read", json!({"uri": "file:///a"}));
    expect_mismatch(
        post_2026(addr, "resources/read", Some("file:///b")),
        read,
        102,
    )
    .await;
    // The protocol version header must equal _meta, and this is checked first.
    let mut body: Value = serde_json::from_str(&list()).unwrap();
    body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("v999.0.0");
    expect_mismatch(post_2026(addr, "tools/list", None), body.to_string(), 100).await;
    expect_mismatch(post(addr).header("mcp-method", "tools/list"), list(), 100).await;

    // Accepted: trimmed and base64 names, any case of header names.
    for name in ["  echo  ", "=?base64?ZWNobw==?="] {
        let reply = send(post_2026(addr, "tools/call", Some(name)), tool()).await;
        assert_eq!(reply.status, StatusCode::OK, "{name:?}");
    }
    for header in ["mcp-method", "MCP-METHOD"] {
        let reply = send(
            post(addr)
                .header("MCP-Protocol-Version", "2026-07-28")
                .header(header, "tools/list"),
            list(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{header}");
    }
    let reply = send(
        post_2026(addr, "resources/read", Some("file:///a")),
        call(103, "resources/read", json!({"uri": "file:///a"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn unsupported_version_lists_the_supported_ones() {
    let server = start(StreamableHttpConfig::default()).await;
    let mut body: Value = serde_json::from_str(&call(301, "server/discover", json!({}))).unwrap();
    body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("v999.0.0");
    let mut reply = send(
        post(server.addr)
            .header("mcp-protocol-version", "v999.0.0")
            .header("mcp-method", "server/discover"),
        body.to_string(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let body = reply.json().await;
    assert_eq!(body["id"], 301);
    assert_eq!(body["error"]["code"], -32022);
    assert_eq!(body["error"]["data"]["supported"], json!(["2026-07-28"]));
    assert_eq!(body["error"]["data"]["requested"], "v999.0.0");
}

#[tokio::test]
async fn missing_meta_is_left_to_the_engine() {
    // With a valid header and no `_meta`, the engine answers (here: an echo).
    let server = start(StreamableHttpConfig::default()).await;
    let mut reply = send(
        post_2026(server.addr, "quick", None),
        rpc(104, "quick", json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json().await["id"], 104);
}

#[tokio::test]
async fn get_and_delete_are_not_allowed() {
    let server = start(StreamableHttpConfig::default()).await;
    for method in [Method::GET, Method::DELETE] {
        let reply = send(
            request(method.clone(), server.addr)
                .header("accept", "text/event-stream")
                .header("mcp-protocol-version", "2026-07-28"),
            "",
        )
        .await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(reply.header("allow").as_deref(), Some("POST"));
    }
}

#[tokio::test]
async fn closing_the_stream_cancels_the_request() {
    let mut server = start(StreamableHttpConfig::default()).await;
    let mut reply = send(
        post_2026(server.addr, "forever", None),
        call(7, "forever", json!({})),
    )
    .await;
    let first = reply.event().await.unwrap();
    assert_eq!(first.json()["method"], "notifications/progress");
    drop(reply);
    assert_eq!(
        expect_event(&mut server.events, "cancelled:").await,
        "cancelled:7"
    );
    expect_event(&mut server.events, "reader-ended").await;
}

#[tokio::test]
async fn server_requests_are_dropped_from_2026_streams() {
    let server = start(StreamableHttpConfig::default()).await;
    let mut reply = send(
        post_2026(server.addr, "ask", None),
        call(8, "ask", json!({})),
    )
    .await;
    let events = reply.events().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].json()["method"], "notifications/progress");
    assert_eq!(events[1].json()["id"], 8);
}

#[tokio::test]
async fn notifications_get_202_and_responses_400() {
    let mut server = start(StreamableHttpConfig::default()).await;
    let mut n: Value = serde_json::from_str(&note("notifications/cancelled")).unwrap();
    n["params"] = json!({"requestId": 1, "_meta": meta_2026()});
    let reply = send(
        post_2026(server.addr, "notifications/cancelled", None),
        n.to_string(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    expect_event(&mut server.events, "cancelled:1").await;
    let reply = send(
        post_2026(server.addr, "x", None),
        json!({"jsonrpc": "2.0", "id": 1, "result": {}}).to_string(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn custom_header_validator_runs_before_the_engine() {
    let config = StreamableHttpConfig::default().header_validator(Arc::new(|parts, request| {
        let params: Value = request.params_as().unwrap_or_default();
        let body = &params["arguments"]["region"];
        match parts.headers.get("mcp-param-region") {
            None if body.is_null() => Ok(()),
            Some(h) if header_matches_value(h.as_bytes(), body) == Ok(true) => Ok(()),
            _ => Err(ErrorObject::new(
                ErrorCode::HEADER_MISMATCH,
                "Mcp-Param-Region mismatch",
            )),
        }
    }));
    let server = start(config).await;
    let addr = server.addr;
    let body = || {
        call(
            9,
            "tools/call",
            json!({"name": "echo", "arguments": {"region": "Hello"}}),
        )
    };
    let ok = send(
        post_2026(addr, "tools/call", Some("echo"))
            .header("mcp-param-region", "=?base64?SGVsbG8=?="),
        body(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    for bad in [
        Some("=?base64?SGVsbG8?="),
        Some("=?base64?SGVs!!!bG8=?="),
        Some("World"),
        None,
    ] {
        let mut b = post_2026(addr, "tools/call", Some("echo"));
        if let Some(bad) = bad {
            b = b.header("mcp-param-region", bad);
        }
        expect_mismatch(b, body(), 9).await;
    }
}

#[tokio::test]
async fn batches_are_refused() {
    let server = start(StreamableHttpConfig::default()).await;
    let batch = format!("[{}]", call(1, "quick", json!({})));
    let reply = send(post_2026(server.addr, "quick", None), batch).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}
