//! Errors: JSON-RPC error bodies with error statuses, other error statuses,
//! streams that break, bodies too large, connection refused.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use mcp_transport::TransportError;
use mcp_transport::http_client::{HTTP_TRANSPORT_ERROR, StreamableHttpClient};
use serde_json::{Value, json};

use super::mock::*;

fn request_2026(id: i64, method: &str) -> mcp_transport::Outbound {
    msg(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": { "_meta": meta_2026() }}))
}

/// The `request-metadata` scenario's first answer: HTTP 400 with -32022; it
/// reaches the reader as the request's error response.
#[tokio::test]
async fn json_rpc_error_body_is_the_answer() {
    let mock = Mock::start(|seen: Seen| async move {
        json_response(
            400,
            json!({"jsonrpc": "2.0", "id": seen.body["id"], "error": {
                "code": -32022, "message": "Unsupported protocol version",
                "data": {"supported": ["2026-07-28"], "requested": "2099-01-01"}
            }}),
        )
    })
    .await;
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    writer
        .send(request_2026(1, "server/discover"))
        .await
        .unwrap();
    let error = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 1);
    assert_eq!(error["error"]["code"], -32022);
    assert_eq!(error["error"]["data"]["supported"], json!(["2026-07-28"]));
}

#[tokio::test]
async fn other_error_statuses_become_error_responses() {
    let mock = Mock::start(|seen: Seen| async move {
        match seen.body.get("id") {
            Some(_) => text(500, "database on fire"),
            None => text(400, "no notifications here"),
        }
    })
    .await;
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    // A refused notification is only logged.
    writer
        .send(msg(json!({"jsonrpc": "2.0", "method": "notifications/x"})))
        .await
        .unwrap();
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": "a", "method": "ping"})))
        .await
        .unwrap();
    let error = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], "a");
    assert_eq!(error["error"]["code"], HTTP_TRANSPORT_ERROR.0);
    let text = error["error"]["message"].as_str().unwrap();
    assert!(
        text.contains("500") && text.contains("database on fire") && text.contains(&mock.url),
        "{text}"
    );
    assert_eq!(error["error"]["data"]["httpStatus"], 500);
}

/// A 2026 stream is not resumable: when the server closes it before the
/// response, the request fails at once.
#[tokio::test]
async fn server_closing_mid_stream() {
    let mock = Mock::start(|seen: Seen| async move {
        let (response, tx) = sse();
        let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}});
        tx.send(format!("id: 1\nretry: 10\n{}", event(&progress))).unwrap();
        // Half an event, then the connection ends.
        tx.send("data: {\"jsonrpc\":".into()).unwrap();
        drop((tx, seen));
        response
    })
    .await;
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    writer.send(request_2026(9, "tools/call")).await.unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/progress")
    );
    let error = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 9);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ended the stream")
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(mock.seen().len(), 1, "no resumption in 2026-07-28");
}

#[tokio::test]
async fn bodies_and_events_are_bounded() {
    let mock = Mock::start(|seen: Seen| async move {
        let id = seen.body["id"].clone();
        let big = "x".repeat(4096);
        if id == 1 {
            json_response(200, result(&id, json!({ "big": big })))
        } else {
            let (response, tx) = sse();
            tx.send(event(&result(&id, json!({ "big": big })))).unwrap();
            tx.send(event(
                &json!({"jsonrpc": "2.0", "method": "notifications/small"}),
            ))
            .unwrap();
            response
        }
    })
    .await;
    let (_, mut reader, mut writer) =
        client(StreamableHttpClient::builder(&mock.url).max_message_size(1024));
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "big"})))
        .await
        .unwrap();
    let error = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 1);
    assert!(
        error["error"]["message"].as_str().unwrap().contains("1024"),
        "{error}"
    );

    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 2, "method": "big"})))
        .await
        .unwrap();
    // The oversized event is skipped; the stream goes on, then fails the request.
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/small")
    );
    let error = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 2);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("skipped an SSE event"),
        "{error}"
    );
}

#[tokio::test]
async fn connection_refused_names_the_url() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    drop(listener);
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&url));
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"})))
        .await
        .unwrap();
    match within(5.0, reader.next()).await {
        Some(Err(TransportError::Io(e))) => {
            assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}");
            assert!(e.to_string().contains(&url), "{e}");
            assert!(e.to_string().starts_with("POST "), "{e}");
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_json_answer_fails_the_request() {
    let mock = Mock::start(|_seen: Seen| async move {
        http::Response::builder()
            .header("content-type", "application/json")
            .body(http_body_util::BodyExt::boxed(http_body_util::Full::new(
                bytes::Bytes::from_static(b"{nope"),
            )))
            .unwrap()
    })
    .await;
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"})))
        .await
        .unwrap();
    let error: Value = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 1);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not JSON-RPC")
    );
}
