//! The legacy server on a real socket, driven by raw HTTP requests: the
//! endpoint event, 202 for posted messages, answers as `message` events, the
//! session's end with its stream, and every refusal.

use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use mcp_transport::http::{HttpServer, SessionTransport};
use mcp_transport::sse_legacy::{SseServerConfig, SseServerService};
use mcp_transport::{Outbound, Transport};
use mcp_types::{JsonRpcMessage, JsonRpcNotification, JsonRpcResultResponse};
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// Answers each request with `{"echo": <method>}`; a `poke` notification
/// makes it send a notification of its own. Checks that messages carry the
/// POST's parts.
pub async fn echo_engine(transport: SessionTransport) {
    assert!(transport.session_id().is_some());
    let (mut reader, mut writer) = transport.split();
    while let Some(Ok(inbound)) = reader.next().await {
        assert!(inbound.extensions.get::<http::request::Parts>().is_some());
        let out: Outbound = match inbound.message {
            JsonRpcMessage::Request(r) => {
                let result = json!({ "echo": r.method });
                JsonRpcMessage::Response(JsonRpcResultResponse::new(r.id, &result).unwrap()).into()
            }
            JsonRpcMessage::Notification(n) if n.method == "poke" => JsonRpcMessage::Notification(
                JsonRpcNotification::new("notifications/poked", &json!({})).unwrap(),
            )
            .into(),
            _ => continue,
        };
        if writer.send(out).await.is_err() {
            break;
        }
    }
}

/// The handler type of the test server.
pub type Handler = fn(SessionTransport) -> futures::future::BoxFuture<'static, ()>;

/// Serves the echo engine; the service, to look at its sessions, and the address.
pub async fn start(config: SseServerConfig) -> (SseServerService<Handler>, std::net::SocketAddr) {
    fn handler(t: SessionTransport) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(echo_engine(t))
    }
    let service = SseServerService::with_config(handler as Handler, config);
    let server = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.serve(service.clone()));
    (service, addr)
}

async fn send(
    addr: std::net::SocketAddr,
    request: Request<Full<Bytes>>,
) -> http::Response<Incoming> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender.send_request(request).await.unwrap()
}

fn get(addr: std::net::SocketAddr, path: &str) -> http::request::Builder {
    Request::get(format!("http://{addr}{path}")).header("host", addr.to_string())
}

fn post(addr: std::net::SocketAddr, path: &str) -> http::request::Builder {
    Request::post(format!("http://{addr}{path}"))
        .header("host", addr.to_string())
        .header("content-type", "application/json")
}

fn body(value: Value) -> Full<Bytes> {
    Full::new(Bytes::from(value.to_string()))
}

/// Reads SSE text until it contains `needle`; all read so far.
async fn read_until(body: &mut Incoming, seen: &mut String, needle: &str) {
    tokio::time::timeout(Duration::from_secs(5), async {
        while !seen.contains(needle) {
            let frame = body.frame().await.expect("stream ended").unwrap();
            if let Ok(data) = frame.into_data() {
                seen.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {needle:?} in {seen:?}"));
}

#[tokio::test]
async fn endpoint_messages_and_session_end() {
    let (service, addr) = start(SseServerConfig::default()).await;
    let response = send(addr, get(addr, "/sse").body(Full::default()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.into_body();
    let mut text = String::new();
    read_until(&mut stream, &mut text, "\n\n").await;
    let endpoint = text
        .strip_prefix("event: endpoint\ndata: ")
        .and_then(|t| t.strip_suffix("\n\n"))
        .unwrap_or_else(|| panic!("{text:?}"))
        .to_owned();
    let id = endpoint.strip_prefix("/messages?sessionId=").unwrap();
    assert_eq!(id.len(), 32);
    assert_eq!(service.session_count(), 1);

    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let r = send(addr, post(addr, &endpoint).body(body(request)).unwrap()).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    read_until(&mut stream, &mut text, "\"echo\":\"tools/list\"").await;
    assert!(text.contains("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"echo\":\"tools/list\"}}\n\n"), "{text}");

    let poke = json!({"jsonrpc": "2.0", "method": "poke"});
    let r = send(addr, post(addr, &endpoint).body(body(poke)).unwrap()).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    read_until(&mut stream, &mut text, "notifications/poked").await;

    // Dropping the stream ends the session.
    drop(stream);
    tokio::time::timeout(Duration::from_secs(5), async {
        while service.session_count() != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    let r = send(
        addr,
        post(addr, &endpoint)
            .body(body(json!({"jsonrpc": "2.0", "method": "x"})))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn refusals() {
    let config = SseServerConfig::default()
        .max_sessions(1)
        .max_body_size(64)
        .keep_alive_interval(None);
    let (_service, addr) = start(config).await;
    let status = |r: http::Response<Incoming>| r.status();

    let evil = get(addr, "/sse")
        .header("origin", "http://evil.example")
        .body(Full::default())
        .unwrap();
    assert_eq!(status(send(addr, evil).await), StatusCode::FORBIDDEN);
    let bad_host = Request::get(format!("http://{addr}/sse"))
        .header("host", "evil.example")
        .body(Full::default())
        .unwrap();
    assert_eq!(
        status(send(addr, bad_host).await),
        StatusCode::MISDIRECTED_REQUEST
    );
    let put = Request::put(format!("http://{addr}/sse"))
        .header("host", addr.to_string())
        .body(Full::default())
        .unwrap();
    let r = send(addr, put).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET");
    assert_eq!(
        status(send(addr, get(addr, "/elsewhere").body(Full::default()).unwrap()).await),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(send(addr, get(addr, "/messages").body(Full::default()).unwrap()).await),
        StatusCode::METHOD_NOT_ALLOWED
    );

    let note = || body(json!({"jsonrpc": "2.0", "method": "x"}));
    assert_eq!(
        status(send(addr, post(addr, "/messages").body(note()).unwrap()).await),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status(
            send(
                addr,
                post(addr, "/messages?sessionId=nope").body(note()).unwrap()
            )
            .await
        ),
        StatusCode::NOT_FOUND
    );

    // One session is the most; a second GET gets 503.
    let open = send(addr, get(addr, "/sse").body(Full::default()).unwrap()).await;
    let mut stream = open.into_body();
    let mut text = String::new();
    read_until(&mut stream, &mut text, "\n\n").await;
    let endpoint = text
        .lines()
        .nth(1)
        .unwrap()
        .strip_prefix("data: ")
        .unwrap()
        .to_owned();
    assert_eq!(
        status(send(addr, get(addr, "/sse").body(Full::default()).unwrap()).await),
        StatusCode::SERVICE_UNAVAILABLE
    );

    let text_plain = Request::post(format!("http://{addr}{endpoint}"))
        .header("host", addr.to_string())
        .header("content-type", "text/plain")
        .body(note())
        .unwrap();
    assert_eq!(
        status(send(addr, text_plain).await),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let big = json!({"jsonrpc": "2.0", "method": "x", "params": {"pad": "x".repeat(100)}});
    assert_eq!(
        status(send(addr, post(addr, &endpoint).body(body(big)).unwrap()).await),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let batch = json!([{"jsonrpc": "2.0", "method": "x"}]);
    assert_eq!(
        status(send(addr, post(addr, &endpoint).body(body(batch)).unwrap()).await),
        StatusCode::BAD_REQUEST
    );
    let r = send(
        addr,
        post(addr, &endpoint)
            .body(Full::new(Bytes::from_static(b"{oops")))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let error: Value =
        serde_json::from_slice(&r.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(error["error"]["code"], -32700);
    drop(stream);
}
