//! Resumability: a request's SSE stream that ends before its response is
//! resumed with GET + Last-Event-ID after the server's `retry` delay.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::SinkExt;
use http::Method;
use mcp_transport::http_client::{HTTP_TRANSPORT_ERROR, StreamableHttpClient};
use serde_json::{Value, json};

use super::mock::*;

/// The `sse-retry` scenario of the conformance suite: the `tools/call` stream
/// sends a priming event (`id`, `retry: 500`) and closes 50 ms later; a GET
/// with `Last-Event-ID` gets a new priming event and the pending response.
#[tokio::test]
async fn reconnects_after_retry_with_last_event_id() {
    let closed_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let pending: Arc<Mutex<Option<Value>>> = Arc::default();
    let (c, p) = (closed_at.clone(), pending.clone());
    let mock = Mock::start(move |seen: Seen| {
        let (closed_at, pending) = (c.clone(), p.clone());
        async move {
            let id = seen.body.get("id").cloned().unwrap_or(Value::Null);
            let mut response = match (&seen.method, seen.rpc_method()) {
                (&Method::POST, Some("initialize")) => {
                    json_response(200, result(&id, json!({"protocolVersion": "2025-03-26"})))
                }
                (&Method::POST, Some("tools/call")) => {
                    *pending.lock().unwrap() = Some(id);
                    let (response, tx) = sse();
                    tx.send("id: event-1\nretry: 500\ndata: \n\n".into())
                        .unwrap();
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        *closed_at.lock().unwrap() = Some(Instant::now());
                        drop(tx);
                    });
                    response
                }
                (&Method::POST, _) => status(202),
                (&Method::GET, _) if seen.header("last-event-id").is_some() => {
                    let (response, tx) = sse();
                    tx.send("id: event-2\nretry: 500\ndata: \n\n".into())
                        .unwrap();
                    if let Some(id) = pending.lock().unwrap().take() {
                        let answer =
                            result(&id, json!({"content": [{"type": "text", "text": "done"}]}));
                        tx.send(format!("event: message\nid: event-3\ndata: {answer}\n\n"))
                            .unwrap();
                    }
                    response
                }
                _ => status(405),
            };
            response
                .headers_mut()
                .insert("mcp-session-id", "s".parse().unwrap());
            response
        }
    })
    .await;
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}),
        ))
        .await
        .unwrap();
    next_message(&mut reader).await;
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        ))
        .await
        .unwrap();
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "test_reconnection"}})))
        .await
        .unwrap();
    let answer = next_message(&mut reader).await;
    assert_eq!(to_value(&answer)["result"]["content"][0]["text"], "done");

    let resumed = mock
        .seen_method(Method::GET)
        .into_iter()
        .find(|s| s.header("last-event-id").is_some())
        .expect("a resumption GET");
    assert_eq!(resumed.header("last-event-id"), Some("event-1"));
    assert_eq!(resumed.header("mcp-session-id"), Some("s"));
    let closed = closed_at.lock().unwrap().expect("the stream was closed");
    let delay = resumed.at.duration_since(closed);
    assert!(
        delay >= Duration::from_millis(450) && delay <= Duration::from_millis(1000),
        "reconnected after {delay:?}, retry was 500 ms"
    );
}

/// A stream that ends without an event id cannot be resumed: the request
/// gets an error response.
#[tokio::test]
async fn stream_without_event_id_fails_its_request() {
    let mock = Mock::start(|seen: Seen| async move {
        let (response, tx) = sse();
        let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}});
        tx.send(event(&progress)).unwrap();
        drop((tx, seen));
        response
    })
    .await;
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "x"}}),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/progress")
    );
    let error = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 5);
    assert_eq!(error["error"]["code"], HTTP_TRANSPORT_ERROR.0);
    let text = error["error"]["message"].as_str().unwrap();
    assert!(
        text.contains("tools/call") && text.contains("no event id"),
        "{text}"
    );
    assert!(mock.seen_method(Method::GET).is_empty());
}

/// Resumption gives up after the configured number of failed attempts, each
/// after the server's delay.
#[tokio::test]
async fn resumption_gives_up_after_bounded_attempts() {
    let mock = Mock::start(|seen: Seen| async move {
        match seen.method {
            Method::POST => {
                let (response, tx) = sse();
                tx.send("id: a-1\nretry: 20\ndata: \n\n".into()).unwrap();
                drop(tx);
                response
            }
            _ => text(503, "busy"),
        }
    })
    .await;
    let (_, mut reader, mut writer) =
        client(StreamableHttpClient::builder(&mock.url).max_reconnect_attempts(3));
    let started = Instant::now();
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "slow"})))
        .await
        .unwrap();
    let error = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 1);
    let text = error["error"]["message"].as_str().unwrap();
    assert!(
        text.contains("3 reconnection attempts") && text.contains("503"),
        "{text}"
    );
    let gets = mock.seen_method(Method::GET);
    assert_eq!(gets.len(), 3);
    assert!(
        gets.iter()
            .all(|g| g.header("last-event-id") == Some("a-1"))
    );
    assert!(started.elapsed() >= Duration::from_millis(60));
}

/// A response that arrives on another stream ends the wait for it; a
/// cancelled request is not resumed.
#[tokio::test]
async fn cancelled_request_is_not_resumed() {
    let mock = Mock::start(|seen: Seen| async move {
        match (seen.method, seen.body.get("id").is_some()) {
            (Method::POST, true) => {
                let (response, tx) = sse();
                tx.send("id: c-1\nretry: 300\ndata: \n\n".into()).unwrap();
                drop(tx);
                response
            }
            (Method::POST, false) => status(202),
            _ => status(500),
        }
    })
    .await;
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "slow"})))
        .await
        .unwrap();
    writer
        .send(msg(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}})))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(mock.seen_method(Method::GET).is_empty());
    assert!(
        tokio::time::timeout(
            Duration::from_millis(50),
            futures::StreamExt::next(&mut reader)
        )
        .await
        .is_err()
    );
}
