//! What every request is checked for before its body is used.

use std::time::Duration;

use http::{Method, Request, StatusCode};
use http_body_util::Full;
use mcp_transport::http::{HttpServer, StreamableHttpConfig, StreamableHttpService};
use serde_json::json;

use crate::common::*;

fn initialize_body() -> String {
    rpc(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}}),
    )
}

#[tokio::test]
async fn dns_rebinding_protection() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let evil = || {
        Request::builder()
            .method(Method::POST)
            .uri("/mcp")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
    };
    let reply = send_to(
        addr,
        evil()
            .header("host", "evil.example.com")
            .header("origin", "http://evil.example.com")
            .body(Full::new(initialize_body().into()))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::MISDIRECTED_REQUEST);
    let reply = send(
        post(addr).header("origin", "http://evil.example.com"),
        initialize_body(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = send(
        post(addr).header("origin", format!("http://localhost:{}", addr.port())),
        initialize_body(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);

    let open = start(StreamableHttpConfig::default().dns_rebinding_protection(false)).await;
    let reply = send_to(
        open.addr,
        evil()
            .header("host", "evil.example.com")
            .header("origin", "http://evil.example.com")
            .body(Full::new(initialize_body().into()))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn media_types_and_methods() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let reply = send(
        request(Method::POST, addr)
            .header("content-type", "text/plain")
            .header("accept", "application/json, text/event-stream"),
        initialize_body(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let reply = send(
        request(Method::POST, addr)
            .header("content-type", "application/json")
            .header("accept", "text/html"),
        initialize_body(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    let reply = send(request(Method::PUT, addr), "").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    let reply = send(
        request(Method::GET, addr).header("accept", "application/json"),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn malformed_bodies() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let mut reply = send(post(addr), "{not json").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let body = reply.json().await;
    assert_eq!(body["error"]["code"], -32700);
    assert_eq!(body["id"], serde_json::Value::Null);
    let mut reply = send(post(addr), r#"{"jsonrpc":"1.0","id":5,"method":"x"}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let body = reply.json().await;
    assert_eq!(body["error"]["code"], -32600);
    assert_eq!(body["id"], 5);
}

#[tokio::test]
async fn body_size_is_bounded() {
    let server = start(StreamableHttpConfig::default().max_body_size(1024)).await;
    let addr = server.addr;
    let big = rpc(1, "initialize", json!({"pad": "x".repeat(2048)}));
    let reply = send(post(addr), big.clone()).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A body without a declared length is cut off at the limit too.
    let (tx, body) = futures::channel::mpsc::channel::<
        Result<http_body::Frame<bytes::Bytes>, std::convert::Infallible>,
    >(4);
    let request = post(addr)
        .body(http_body_util::StreamBody::new(body))
        .unwrap();
    let sending = tokio::spawn(async move {
        use futures::SinkExt;
        let mut tx = tx;
        for _ in 0..4 {
            if tx
                .send(Ok(http_body::Frame::data(bytes::Bytes::from(vec![
                    b' ';
                    512
                ]))))
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let response = within(5.0, sender.send_request(request)).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    sending.abort();
}

#[tokio::test]
async fn graceful_shutdown_returns() {
    let server = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);
    let service =
        StreamableHttpService::new(|t: mcp_transport::http::SessionTransport| async move {
            drop(t);
        });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(
        server
            .shutdown_timeout(Duration::from_secs(1))
            .serve_with_shutdown(service, async {
                let _ = stopped.await;
            }),
    );
    let reply = send(request(Method::PUT, addr), "").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    drop(reply);
    stop.send(()).unwrap();
    within(3.0, running).await.unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
