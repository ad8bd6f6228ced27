//! The legacy client: against this crate's legacy server, and against a
//! hand-written endpoint (relative endpoint URI, `message` events, error
//! statuses, bad endpoints).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::SinkExt;
use http::Method;
use mcp_transport::sse_legacy::SseClient;
use mcp_transport::{Transport, TransportError};
use serde_json::{Value, json};
use tokio::sync::mpsc;

#[path = "../http_client/mock.rs"]
mod mock;
use mock::*;

#[cfg(feature = "sse-server")]
#[tokio::test]
async fn against_the_legacy_server() {
    use futures::StreamExt;
    let (service, addr) =
        super::server::start(mcp_transport::sse_legacy::SseServerConfig::default()).await;
    let client = SseClient::connect(&format!("http://{addr}/sse"))
        .await
        .unwrap();
    assert!(
        client
            .endpoint()
            .starts_with(&format!("http://{addr}/messages?sessionId="))
    );
    let (mut reader, mut writer) = client.split();
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"})))
        .await
        .unwrap();
    assert_eq!(
        to_value(&next_message(&mut reader).await),
        json!({"jsonrpc": "2.0", "id": 1, "result": {"echo": "ping"}})
    );
    writer
        .send(msg(json!({"jsonrpc": "2.0", "method": "poke"})))
        .await
        .unwrap();
    assert_eq!(
        next_message(&mut reader).await.method(),
        Some("notifications/poked")
    );
    assert_eq!(service.session_count(), 1);

    writer.close().await.unwrap();
    within(5.0, async {
        while service.session_count() != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(within(5.0, reader.next()).await.is_none());
}

/// A legacy server written by hand: `GET /events` announces a relative
/// endpoint; each POSTed request is answered on the stream; `fail` gets 500.
async fn hand_written(endpoint: &'static str) -> Mock {
    let stream: Arc<Mutex<Option<mpsc::UnboundedSender<String>>>> = Arc::default();
    Mock::start(move |seen: Seen| {
        let stream = stream.clone();
        async move {
            match seen.method {
                Method::GET if seen.uri.path() == "/mcp" => {
                    let (response, tx) = sse();
                    tx.send(format!(": hi\n\nevent: endpoint\ndata: {endpoint}\n\n"))
                        .unwrap();
                    *stream.lock().unwrap() = Some(tx);
                    response
                }
                Method::POST
                    if seen.uri.path() == "/post" && seen.uri.query() == Some("token=1") =>
                {
                    if seen.rpc_method() == Some("fail") {
                        return text(500, "broken");
                    }
                    if let Some(id) = seen.body.get("id") {
                        let answer = result(id, json!({ "ok": seen.header("x-key") }));
                        let tx = stream.lock().unwrap().clone().unwrap();
                        tx.send(format!("event: message\r\ndata: {answer}\r\n\r\n"))
                            .unwrap();
                    }
                    status(202)
                }
                _ => status(404),
            }
        }
    })
    .await
}

#[tokio::test]
async fn against_a_hand_written_endpoint() {
    let mock = hand_written("post?token=1").await;
    let client = SseClient::builder(&mock.url)
        .header("x-key", "k")
        .connect()
        .await
        .unwrap();
    assert_eq!(
        client.endpoint(),
        format!("http://{}/post?token=1", mock.addr)
    );
    let (mut reader, mut writer) = client.split();
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list"}),
        ))
        .await
        .unwrap();
    assert_eq!(
        to_value(&next_message(&mut reader).await)["result"]["ok"],
        "k"
    );
    writer
        .send(msg(json!({"jsonrpc": "2.0", "id": 8, "method": "fail"})))
        .await
        .unwrap();
    let error: Value = to_value(&next_message(&mut reader).await);
    assert_eq!(error["id"], 8);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("broken")
    );
    let get = &mock.seen_method(Method::GET)[0];
    assert_eq!(get.header("accept"), Some("text/event-stream"));
    let post = mock.wait_for(|s| s.method == Method::POST).await;
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(post.header("x-key"), Some("k"));
}

#[tokio::test]
async fn bad_endpoints_are_refused() {
    let mock = hand_written("http://evil.example/post").await;
    let e = SseClient::connect(&mock.url).await.unwrap_err();
    assert!(e.to_string().contains("origin"), "{e}");

    // No endpoint event in time.
    let silent = Mock::start(|_seen: Seen| async move {
        let (response, tx) = sse();
        tx.send(": nothing\n\n".into()).unwrap();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(tx);
        });
        response
    })
    .await;
    let e = SseClient::builder(&silent.url)
        .endpoint_timeout(Duration::from_millis(200))
        .connect()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no endpoint event"), "{e}");

    // Not an SSE stream at all (a Streamable HTTP server's 405, say).
    let modern = Mock::start(|_seen: Seen| async move { text(405, "use POST") }).await;
    let e = SseClient::connect(&modern.url).await.unwrap_err();
    assert!(
        matches!(&e, TransportError::Closed(m) if m.contains("405")),
        "{e}"
    );

    // Nobody listening.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sse", listener.local_addr().unwrap());
    drop(listener);
    let e = SseClient::connect(&url).await.unwrap_err();
    assert!(
        matches!(&e, TransportError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused),
        "{e}"
    );
}
