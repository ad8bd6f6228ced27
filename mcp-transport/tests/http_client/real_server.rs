//! The client against this crate's own Streamable HTTP server (features
//! `http-client` and `http-server`): a session, its GET stream, a request
//! answered on an SSE stream, a 2026-07-28 request, and DELETE on close.

#![cfg(feature = "http-server")]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use mcp_transport::http::{HttpServer, SessionTransport, StreamableHttpService};
use mcp_transport::http_client::StreamableHttpClient;
use mcp_transport::{Outbound, Transport};
use mcp_types::{JsonRpcMessage, JsonRpcNotification, JsonRpcResultResponse};
use serde_json::{Value, json};

use super::mock::*;

/// Answers `initialize` with the requested version, every other request with
/// a related progress notification and `{"echo": params}`; after
/// `notifications/initialized` it sends a notification to the GET stream.
async fn engine(transport: SessionTransport) {
    let (mut reader, mut writer) = transport.split();
    while let Some(Ok(inbound)) = reader.next().await {
        match inbound.message {
            JsonRpcMessage::Request(r) => {
                let params: Value = r.params_as().unwrap_or(Value::Null);
                let result = if r.method == "initialize" {
                    json!({"protocolVersion": params["protocolVersion"], "capabilities": {}, "serverInfo": {"name": "e", "version": "1"}})
                } else {
                    let progress = JsonRpcNotification::new(
                        "notifications/progress",
                        &json!({"progressToken": 1, "progress": 1}),
                    )
                    .unwrap();
                    let out = Outbound {
                        message: JsonRpcMessage::Notification(progress),
                        related_request: Some(r.id.clone()),
                    };
                    let _ = writer.send(out).await;
                    json!({"echo": params, "resultType": "complete"})
                };
                let response = JsonRpcResultResponse::new(r.id.clone(), &result).unwrap();
                let out = Outbound {
                    message: JsonRpcMessage::Response(response),
                    related_request: Some(r.id),
                };
                let _ = writer.send(out).await;
            }
            JsonRpcMessage::Notification(n) if n.method == "notifications/initialized" => {
                // Give the client a moment to open its GET stream.
                tokio::time::sleep(Duration::from_millis(200)).await;
                let note = JsonRpcNotification::new("notifications/tools/list_changed", &json!({}))
                    .unwrap();
                let _ = writer.send(JsonRpcMessage::Notification(note).into()).await;
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn against_the_streamable_http_server() {
    let service = StreamableHttpService::new(engine);
    let server = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", server.local_addr());
    tokio::spawn(server.serve(service.clone()));

    let (handle, mut reader, mut writer) = client(StreamableHttpClient::builder(&url));
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}})))
        .await
        .unwrap();
    assert_eq!(
        to_value(&next_message(&mut reader).await)["result"]["protocolVersion"],
        "2025-11-25"
    );
    assert!(handle.session_id().is_some());
    assert_eq!(handle.protocol_version().as_deref(), Some("2025-11-25"));
    assert_eq!(service.session_count(), 1);

    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        ))
        .await
        .unwrap();
    let note = next_message(&mut reader).await;
    assert_eq!(
        note.method(),
        Some("notifications/tools/list_changed"),
        "from the GET stream"
    );

    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "t"}}),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/progress")
    );
    assert_eq!(
        to_value(&next_message(&mut reader).await)["result"]["echo"]["name"],
        "t"
    );

    writer.close().await.unwrap();
    assert!(within(5.0, reader.next()).await.is_none());
    within(5.0, async {
        while service.session_count() != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;

    // 2026-07-28: no session, every header checked by the server.
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&url));
    let meta = meta_2026();
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "名前", "arguments": {}, "_meta": meta}})))
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/progress")
    );
    let answer = to_value(&next_message(&mut reader).await);
    assert_eq!(answer["result"]["echo"]["name"], "名前", "{answer}");
    assert_eq!(service.session_count(), 0);
}

/// With SSE polling the server closes every POST stream after its priming
/// event: the client resumes each with GET + Last-Event-ID after `retry`.
#[tokio::test]
async fn resumes_against_a_polling_server() {
    let config = mcp_transport::http::StreamableHttpConfig::default()
        .sse_polling(true)
        .sse_retry(Duration::from_millis(100));
    let service = StreamableHttpService::with_config(engine, config);
    let server = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", server.local_addr());
    tokio::spawn(server.serve(service.clone()));

    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&url).get_stream(false));
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}})))
        .await
        .unwrap();
    assert_eq!(to_value(&next_message(&mut reader).await)["id"], 1);
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        ))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "t"}}),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/progress")
    );
    assert_eq!(to_value(&next_message(&mut reader).await)["id"], 2);
    assert!(
        started.elapsed() >= Duration::from_millis(90),
        "the retry delay was honoured"
    );
}

/// The server ends the session (here: another client deletes it); the next
/// request meets HTTP 404, and the client starts a new session and sends
/// the request again, without the reader noticing.
#[tokio::test]
async fn a_deleted_session_is_renewed() {
    let service = StreamableHttpService::new(engine);
    let server = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", server.local_addr());
    tokio::spawn(server.serve(service.clone()));

    let (handle, mut reader, mut writer) = client(StreamableHttpClient::builder(&url));
    open_session(
        &mut writer,
        &mut reader,
        json!({"protocolVersion": "2025-11-25"}),
    )
    .await;
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/tools/list_changed")
    );
    let first = handle.session_id().unwrap();

    let (_, _, mut other) = client(StreamableHttpClient::builder(&url).session_id(&first));
    other.close().await.unwrap();
    assert_eq!(service.session_count(), 0);

    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "again"}}),
        ))
        .await
        .unwrap();
    let mut answer = None;
    while answer.is_none() {
        let m = next_message(&mut reader).await;
        if m.id().is_some() {
            answer = Some(to_value(&m));
        }
    }
    let answer = answer.unwrap();
    assert_eq!(answer["id"], 2);
    assert_eq!(answer["result"]["echo"]["name"], "again", "{answer}");
    let second = handle.session_id().unwrap();
    assert_ne!(first, second);
    assert_eq!(service.session_count(), 1);
}
