//! Revision 2026-07-28: the request metadata headers, `Mcp-Param-*` from
//! `x-mcp-header` (learned from `tools/list` or set by hand), no session.

use futures::SinkExt;
use http::Method;
use mcp_transport::http_client::{StreamableHttpClient, ToolHeaders};
use serde_json::{Value, json};

use super::mock::*;

/// The tools of the conformance suite's `http-custom-headers` scenario, and
/// one tool with an invalid annotation.
fn tools() -> Value {
    let p = |ty: &str, header: &str| json!({ "type": ty, "x-mcp-header": header });
    json!([
        {
            "name": "test_custom_headers",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "region": p("string", "Region"),
                    "priority": p("integer", "Priority"),
                    "verbose": p("boolean", "Verbose"),
                    "debug": p("boolean", "Debug"),
                    "empty_val": p("string", "EmptyVal"),
                    "method_val": p("string", "Method"),
                    "float_val": { "type": "number" },
                    "non_ascii_val": p("string", "NonAscii"),
                    "whitespace_val": p("string", "Whitespace"),
                    "leading_space_val": p("string", "LeadingSpace"),
                    "trailing_space_val": p("string", "TrailingSpace"),
                    "internal_space_val": p("string", "InternalSpace"),
                    "control_char_val": p("string", "ControlChar"),
                    "crlf_val": p("string", "CrLf"),
                    "tab_val": p("string", "Tab"),
                    "query": { "type": "string" }
                }
            }
        },
        {
            "name": "invalid_space_in_name",
            "inputSchema": { "type": "object", "properties": { "v": p("string", "My Region") } }
        },
        { "name": "plain", "inputSchema": { "type": "object" } }
    ])
}

async fn stateless_server(seen: Seen) -> http::Response<Body> {
    let id = seen.body.get("id").cloned().unwrap_or(Value::Null);
    match (&seen.method, seen.rpc_method()) {
        (&Method::POST, Some("tools/list")) => json_response(
            200,
            result(
                &id,
                json!({ "resultType": "complete", "ttlMs": 0, "cacheScope": "private", "tools": tools() }),
            ),
        ),
        (&Method::POST, Some("tools/call")) => {
            // 2026 answers may be SSE streams of related notifications, then the response.
            let (response, tx) = sse();
            let note = json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "x"}});
            tx.send(event(&note)).unwrap();
            tx.send(event(&result(
                &id,
                json!({ "resultType": "complete", "content": [] }),
            )))
            .unwrap();
            response
        }
        (&Method::POST, Some(_)) => {
            json_response(200, result(&id, json!({ "resultType": "complete" })))
        }
        _ => status(405),
    }
}

fn request(id: i64, method: &str, params: Value) -> mcp_transport::Outbound {
    let mut params = params;
    params["_meta"] = meta_2026();
    msg(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
}

#[tokio::test]
async fn request_metadata_and_custom_headers() {
    let mock = Mock::start(stateless_server).await;
    let (handle, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));

    writer
        .send(request(1, "tools/list", json!({})))
        .await
        .unwrap();
    let listed = to_value(&next_message(&mut reader).await);
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["test_custom_headers", "plain"],
        "the invalid tool is dropped"
    );
    assert_eq!(
        listed["result"]["ttlMs"], 0,
        "the rest of the result is kept"
    );
    assert!(handle.tool_headers("test_custom_headers").is_some());

    let args = json!({
        "region": "us-west1", "priority": 42, "verbose": false, "debug": true, "empty_val": "",
        "method_val": "test-method", "float_val": 2.5, "non_ascii_val": "Hello, 世界",
        "whitespace_val": " padded ", "leading_space_val": " us-west1", "trailing_space_val": "us-west1 ",
        "internal_space_val": "us west 1", "control_char_val": "line1\nline2", "crlf_val": "line1\r\nline2",
        "tab_val": "\tindented", "query": "SELECT * FROM users"
    });
    writer
        .send(request(
            2,
            "tools/call",
            json!({ "name": "test_custom_headers", "arguments": args }),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/message")
    );
    assert_eq!(to_value(&next_message(&mut reader).await)["id"], 2);

    let call = mock
        .wait_for(|s| s.rpc_method() == Some("tools/call"))
        .await;
    let expected = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "test_custom_headers"),
        ("mcp-param-region", "us-west1"),
        ("mcp-param-priority", "42"),
        ("mcp-param-verbose", "false"),
        ("mcp-param-debug", "true"),
        ("mcp-param-emptyval", ""),
        ("mcp-param-method", "test-method"),
        ("mcp-param-nonascii", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        ("mcp-param-whitespace", "=?base64?IHBhZGRlZCA=?="),
        ("mcp-param-leadingspace", "=?base64?IHVzLXdlc3Qx?="),
        ("mcp-param-trailingspace", "=?base64?dXMtd2VzdDEg?="),
        ("mcp-param-internalspace", "us west 1"),
        ("mcp-param-controlchar", "=?base64?bGluZTEKbGluZTI=?="),
        ("mcp-param-crlf", "=?base64?bGluZTENCmxpbmUy?="),
        ("mcp-param-tab", "=?base64?CWluZGVudGVk?="),
    ];
    for (name, value) in expected {
        assert_eq!(call.header(name), Some(value), "{name}");
    }
    assert_eq!(call.header("mcp-param-floatval"), None);
    assert_eq!(call.header("mcp-param-query"), None);
    assert_eq!(call.header("mcp-session-id"), None);

    // null and absent arguments send no header.
    writer
        .send(request(3, "tools/call", json!({ "name": "test_custom_headers", "arguments": { "region": "us-east1", "verbose": null } })))
        .await
        .unwrap();
    next_message(&mut reader).await;
    next_message(&mut reader).await;
    let call = mock.wait_for(|s| s.body["id"] == 3).await;
    assert_eq!(call.header("mcp-param-region"), Some("us-east1"));
    assert_eq!(call.header("mcp-param-verbose"), None);
    assert_eq!(call.header("mcp-param-priority"), None);

    writer
        .send(request(
            4,
            "resources/read",
            json!({ "uri": "file:///path/to/file%20name.txt" }),
        ))
        .await
        .unwrap();
    writer
        .send(request(5, "prompts/get", json!({ "name": "test_prompt" })))
        .await
        .unwrap();
    writer
        .send(request(6, "server/discover", json!({})))
        .await
        .unwrap();
    for _ in 0..3 {
        next_message(&mut reader).await;
    }
    let read = mock.wait_for(|s| s.body["id"] == 4).await;
    assert_eq!(
        read.header("mcp-name"),
        Some("file:///path/to/file%20name.txt")
    );
    assert_eq!(read.header("mcp-method"), Some("resources/read"));
    let prompt = mock.wait_for(|s| s.body["id"] == 5).await;
    assert_eq!(prompt.header("mcp-name"), Some("test_prompt"));
    let discover = mock.wait_for(|s| s.body["id"] == 6).await;
    assert_eq!(discover.header("mcp-method"), Some("server/discover"));
    assert_eq!(discover.header("mcp-name"), None);
    assert_eq!(discover.header("mcp-protocol-version"), Some("2026-07-28"));

    // No session, no GET stream, no DELETE.
    writer.close().await.unwrap();
    assert!(mock.seen().iter().all(|s| s.method == Method::POST));
}

#[tokio::test]
async fn tool_headers_set_by_hand() {
    let mock = Mock::start(stateless_server).await;
    let (handle, mut reader, mut writer) =
        client(StreamableHttpClient::builder(&mock.url).learn_tool_headers(false));
    writer
        .send(request(1, "tools/list", json!({})))
        .await
        .unwrap();
    let listed = to_value(&next_message(&mut reader).await);
    assert_eq!(
        listed["result"]["tools"].as_array().unwrap().len(),
        3,
        "nothing dropped"
    );
    assert!(handle.tool_headers("test_custom_headers").is_none());

    let schema = json!({ "type": "object", "properties": { "nested": { "type": "object", "properties": {
        "zone": { "type": "string", "x-mcp-header": "Zone" }
    }}}});
    handle.set_tool_headers("mine", ToolHeaders::from_input_schema(&schema).unwrap());
    writer
        .send(request(
            2,
            "tools/call",
            json!({ "name": "mine", "arguments": { "nested": { "zone": "eu" } } }),
        ))
        .await
        .unwrap();
    next_message(&mut reader).await;
    next_message(&mut reader).await;
    let call = mock.wait_for(|s| s.body["id"] == 2).await;
    assert_eq!(call.header("mcp-param-zone"), Some("eu"));
    handle.clear_tool_headers();
    assert!(handle.tool_headers("mine").is_none());
}
