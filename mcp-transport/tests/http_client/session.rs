//! The session era: JSON and SSE answers, 202s, the session id and protocol
//! version headers, the GET stream, DELETE on close, HTTP 404.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use http::Method;
use mcp_transport::http_client::{StreamableHttpClient, is_session_expired};
use mcp_types::JsonRpcMessage;
use serde_json::{Value, json};

use super::mock::*;

const SESSION: &str = "sess-1";

fn with_session(mut r: http::Response<Body>) -> http::Response<Body> {
    r.headers_mut()
        .insert("mcp-session-id", SESSION.parse().unwrap());
    r
}

/// A session-era server: initialize assigns a session; `tools/call` answers
/// with an SSE stream (progress, a server request, the response); the GET
/// stream sends one notification and stays open.
async fn session_server(seen: Seen) -> http::Response<Body> {
    let id = seen.body.get("id").cloned().unwrap_or(Value::Null);
    match (&seen.method, seen.rpc_method()) {
        (&Method::POST, Some("initialize")) => with_session(json_response(
            200,
            result(
                &id,
                json!({ "protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": "m", "version": "1"} }),
            ),
        )),
        (&Method::POST, Some("tools/call")) => {
            let (response, tx) = sse();
            let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}});
            let ask = json!({"jsonrpc": "2.0", "id": "s1", "method": "sampling/createMessage", "params": {}});
            tx.send(event(&progress)).unwrap();
            tx.send(event(&ask)).unwrap();
            tx.send(event(&result(&id, json!({ "content": [] }))))
                .unwrap();
            response
        }
        (&Method::POST, Some(_)) if id.is_null() => status(202),
        (&Method::POST, None) => status(202),
        (&Method::POST, Some(_)) => json_response(200, result(&id, json!({}))),
        (&Method::GET, _) => {
            let (response, tx) = sse();
            tokio::spawn(async move {
                let note = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
                let _ = tx.send(format!(": hello\n\nevent: message\n{}", event(&note)));
                tokio::time::sleep(Duration::from_secs(30)).await;
                drop(tx);
            });
            response
        }
        (&Method::DELETE, _) => status(204),
        _ => status(405),
    }
}

#[tokio::test]
async fn session_lifecycle() {
    let mock = Mock::start(session_server).await;
    let (handle, mut reader, mut writer) =
        client(StreamableHttpClient::builder(&mock.url).header("x-api-key", "k"));

    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18"}})))
        .await
        .unwrap();
    let init = next_message(&mut reader).await;
    assert_eq!(to_value(&init)["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(handle.session_id().as_deref(), Some(SESSION));
    assert_eq!(handle.protocol_version().as_deref(), Some("2025-06-18"));

    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        ))
        .await
        .unwrap();
    let get = mock.wait_for(|s| s.method == Method::GET).await;
    assert_eq!(get.header("mcp-session-id"), Some(SESSION));
    assert_eq!(get.header("mcp-protocol-version"), Some("2025-06-18"));
    assert_eq!(get.header("accept"), Some("text/event-stream"));
    let note = next_message(&mut reader).await;
    assert_eq!(note.method(), Some("notifications/tools/list_changed"));

    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"})))
        .await
        .unwrap();
    let pong = next_message(&mut reader).await;
    assert_eq!(
        to_value(&pong),
        json!({"jsonrpc": "2.0", "id": 2, "result": {}})
    );

    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "t"}}),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/progress")
    );
    let ask = next_message(&mut reader).await;
    assert!(matches!(&ask, JsonRpcMessage::Request(r) if r.method == "sampling/createMessage"));
    let done = next_message(&mut reader).await;
    assert_eq!(to_value(&done)["id"], 3);

    // The answer to the server's request is a POST too, accepted with 202.
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": "s1", "result": {"role": "assistant"}}),
        ))
        .await
        .unwrap();
    mock.wait_for(|s| s.body.get("result").is_some()).await;

    for post in mock.seen_method(Method::POST) {
        assert_eq!(post.header("content-type"), Some("application/json"));
        assert_eq!(
            post.header("accept"),
            Some("application/json, text/event-stream")
        );
        assert_eq!(post.header("x-api-key"), Some("k"));
        if post.rpc_method() == Some("initialize") {
            assert_eq!(post.header("mcp-session-id"), None);
            assert_eq!(post.header("mcp-protocol-version"), None);
        } else {
            assert_eq!(
                post.header("mcp-session-id"),
                Some(SESSION),
                "{:?}",
                post.body
            );
            assert_eq!(post.header("mcp-protocol-version"), Some("2025-06-18"));
            assert_eq!(
                post.header("mcp-method"),
                None,
                "no 2026 headers in the session era"
            );
        }
    }

    // Closing deletes the session and ends the reader.
    writer.close().await.unwrap();
    let delete = mock.wait_for(|s| s.method == Method::DELETE).await;
    assert_eq!(delete.header("mcp-session-id"), Some(SESSION));
    assert!(within(5.0, reader.next()).await.is_none());
    assert!(
        writer
            .send(msg(json!({"jsonrpc": "2.0", "id": 9, "method": "ping"})))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn get_stream_405_is_not_retried() {
    let mock = Mock::start(|seen: Seen| async move {
        match seen.method {
            Method::GET => status(405),
            _ => session_server(seen).await,
        }
    })
    .await;
    let (_, mut reader, mut writer) =
        client(StreamableHttpClient::builder(&mock.url).default_retry(Duration::from_millis(10)));
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
    mock.wait_for(|s| s.method == Method::GET).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(mock.seen_method(Method::GET).len(), 1);
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"})))
        .await
        .unwrap();
    assert_eq!(to_value(&next_message(&mut reader).await)["id"], 2);
}

#[tokio::test]
async fn session_404_expires_the_session() {
    let mock = Mock::start(|seen: Seen| async move {
        if seen.rpc_method() == Some("ping") && seen.header("mcp-session-id").is_some() {
            return json_response(
                404,
                json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32001, "message": "Session not found"}}),
            );
        }
        session_server(seen).await
    })
    .await;
    let (handle, mut reader, mut writer) = client(
        StreamableHttpClient::builder(&mock.url)
            .get_stream(false)
            .renew_sessions(false),
    );
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}),
        ))
        .await
        .unwrap();
    next_message(&mut reader).await;
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"})))
        .await
        .unwrap();

    // First the request's own error, then the session's end.
    let error = next_message(&mut reader).await;
    let error = to_value(&error);
    assert_eq!(error["id"], 2);
    assert_eq!(error["error"]["code"], -32001);
    match within(5.0, reader.next()).await {
        Some(Err(e)) => {
            assert!(is_session_expired(&e), "{e}");
            assert!(
                e.to_string().contains(SESSION) && e.to_string().contains(&mock.url),
                "{e}"
            );
        }
        other => panic!("expected the session's end, got {other:?}"),
    }
    assert_eq!(handle.session_id(), None);

    // A new initialize goes without the dead session id.
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {}}),
        ))
        .await
        .unwrap();
    next_message(&mut reader).await;
    let inits: Vec<_> = mock
        .seen()
        .into_iter()
        .filter(|s| s.rpc_method() == Some("initialize"))
        .collect();
    assert_eq!(inits.len(), 2);
    assert!(inits.iter().all(|s| s.header("mcp-session-id").is_none()));
    assert_eq!(handle.session_id().as_deref(), Some(SESSION));
}

#[tokio::test]
async fn json_batch_answers_and_configured_headers() {
    let mock = Mock::start(|seen: Seen| async move {
        let id = seen.body.get("id").cloned().unwrap_or(Value::Null);
        json_response(
            200,
            json!([
                {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "x"}},
                result(&id, json!({"ok": true})),
            ]),
        )
    })
    .await;
    let builder = StreamableHttpClient::builder(&mock.url)
        .session_id("resumed")
        .protocol_version_header("2025-03-26")
        .unwrap();
    let (_, mut reader, mut writer) = client(builder);
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list"}),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/message")
    );
    assert_eq!(
        to_value(&next_message(&mut reader).await)["result"]["ok"],
        true
    );
    let post = &mock.seen()[0];
    assert_eq!(post.header("mcp-session-id"), Some("resumed"));
    assert_eq!(post.header("mcp-protocol-version"), Some("2025-03-26"));
}

/// A message written right after `notifications/initialized` waits until the
/// session's GET stream is connected: servers that send their own requests
/// only on that stream (the TypeScript SDK's, for one) would lose them.
#[tokio::test]
async fn messages_after_initialized_wait_for_the_get_stream() {
    const GET_DELAY: Duration = Duration::from_millis(300);
    let mock = Mock::start(|seen: Seen| async move {
        if seen.method == Method::GET {
            tokio::time::sleep(GET_DELAY).await;
        }
        session_server(seen).await
    })
    .await;
    let (_, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    open_session(&mut writer, &mut reader, json!({})).await;
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"})))
        .await
        .unwrap();
    let mut pong = next_message(&mut reader).await;
    if pong.method().is_some() {
        // The GET stream's notification may come first.
        pong = next_message(&mut reader).await;
    }
    assert_eq!(to_value(&pong)["id"], 2);
    let get = mock.wait_for(|s| s.method == Method::GET).await;
    let ping = mock.wait_for(|s| s.rpc_method() == Some("ping")).await;
    assert!(
        ping.at >= get.at + GET_DELAY,
        "ping was sent {:?} after the GET, before its answer",
        ping.at - get.at
    );
}

/// A server that ends every session it starts after `initialize` number
/// `ends_before` (answering 404 to it); initialize number `fail_from` and
/// later fail with HTTP 500. Session ids are `s1`, `s2`, ...
fn ending_server(
    ends_before: usize,
    fail_from: usize,
) -> impl Fn(Seen) -> std::pin::Pin<Box<dyn Future<Output = http::Response<Body>> + Send>>
+ Send
+ Sync
+ 'static {
    let started = Arc::new(AtomicUsize::new(0));
    move |seen: Seen| {
        let started = started.clone();
        Box::pin(async move {
            let id = seen.body.get("id").cloned().unwrap_or(Value::Null);
            let current = started.load(Ordering::SeqCst);
            if seen.rpc_method() == Some("initialize") {
                let n = started.fetch_add(1, Ordering::SeqCst) + 1;
                if n >= fail_from {
                    return status(500);
                }
                let mut r = json_response(
                    200,
                    result(
                        &id,
                        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": "m", "version": "1"}}),
                    ),
                );
                r.headers_mut()
                    .insert("mcp-session-id", format!("s{n}").parse().unwrap());
                return r;
            }
            let live = format!("s{current}");
            match seen.header("mcp-session-id") {
                Some(s) if s == live && current >= ends_before => {}
                _ => return status(404),
            }
            match (&seen.method, id.is_null()) {
                (&Method::GET, _) => sse().0,
                (_, true) => status(202),
                (_, false) => json_response(200, result(&id, json!({}))),
            }
        })
    }
}

#[tokio::test]
async fn an_ended_session_is_renewed_and_the_request_sent_again() {
    let mock = Mock::start(ending_server(2, usize::MAX)).await;
    let (handle, mut reader, mut writer) = client(StreamableHttpClient::builder(&mock.url));
    let params = json!({"protocolVersion": "2025-06-18", "capabilities": {"roots": {}}, "clientInfo": {"name": "c", "version": "1"}});
    open_session(&mut writer, &mut reader, params.clone()).await;
    assert_eq!(handle.session_id().as_deref(), Some("s1"));
    // Two requests meet the 404 at once: one new session serves both.
    for id in [2, 3] {
        writer
            .send(msg(json!({"jsonrpc": "2.0", "id": id, "method": "ping"})))
            .await
            .unwrap();
    }
    let mut ids = Vec::new();
    for _ in 0..2 {
        let m = to_value(&next_message(&mut reader).await);
        assert_eq!(m["result"], json!({}), "{m}");
        ids.push(m["id"].as_i64().unwrap());
    }
    ids.sort();
    assert_eq!(ids, [2, 3]);
    assert_eq!(handle.session_id().as_deref(), Some("s2"));

    let inits: Vec<_> = mock
        .seen()
        .into_iter()
        .filter(|s| s.rpc_method() == Some("initialize"))
        .collect();
    assert_eq!(inits.len(), 2, "one new session, not one per request");
    let again = &inits[1];
    assert_eq!(again.header("mcp-session-id"), None);
    assert_eq!(
        again.body["params"], params,
        "the same initialize, repeated"
    );
    assert_ne!(again.body["id"], json!(1), "with an id of its own");
    let initialized = mock
        .wait_for(|s| {
            s.rpc_method() == Some("notifications/initialized")
                && s.header("mcp-session-id") == Some("s2")
        })
        .await;
    assert_eq!(
        initialized.header("mcp-protocol-version"),
        Some("2025-06-18")
    );
    mock.wait_for(|s| s.method == Method::GET && s.header("mcp-session-id") == Some("s2"))
        .await;
    // The reader saw no second handshake and no error.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), reader.next())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_failed_renewal_reports_the_ended_session() {
    let mock = Mock::start(ending_server(2, 2)).await;
    let (handle, mut reader, mut writer) =
        client(StreamableHttpClient::builder(&mock.url).get_stream(false));
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}),
        ))
        .await
        .unwrap();
    next_message(&mut reader).await;
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"})))
        .await
        .unwrap();
    let error = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 2);
    assert!(error["error"].is_object(), "{error}");
    match within(5.0, reader.next()).await {
        Some(Err(e)) => assert!(is_session_expired(&e), "{e}"),
        other => panic!("expected the session's end, got {other:?}"),
    }
    assert_eq!(handle.session_id(), None);
}
