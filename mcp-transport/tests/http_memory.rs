//! What an idle session of the Streamable HTTP server costs in memory: sessions
//! are opened through the service itself (no sockets) and the growth of the
//! resident set is divided among them.

#![cfg(all(feature = "http-server", target_os = "linux"))]

use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http::Request;
use http_body_util::Full;
use mcp_transport::http::{SessionTransport, StreamableHttpConfig, StreamableHttpService};
use mcp_transport::{Outbound, Transport};
use mcp_types::{JsonRpcMessage, JsonRpcResultResponse};
use tower::ServiceExt;

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// An engine that answers `initialize` and then waits for the session to end.
async fn idle_engine(transport: SessionTransport) {
    let (mut reader, mut writer) = transport.split();
    while let Some(Ok(inbound)) = reader.next().await {
        if let JsonRpcMessage::Request(r) = inbound.message {
            let result = serde_json::json!({"protocolVersion": "2025-11-25"});
            let response = JsonRpcResultResponse::new(r.id.clone(), &result).unwrap();
            let out = Outbound {
                message: JsonRpcMessage::Response(response),
                related_request: Some(r.id),
            };
            if writer.send(out).await.is_err() {
                break;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_costs_little_memory() {
    let service = StreamableHttpService::with_config(
        idle_engine,
        StreamableHttpConfig::default()
            .json_response(true)
            .max_sessions(100_000),
    );
    let open = |n: usize| {
        let service = service.clone();
        async move {
            for _ in 0..n {
                let request = Request::post("/mcp")
                    .header("host", "localhost")
                    .header("content-type", "application/json")
                    .header("accept", "application/json, text/event-stream")
                    .body(Full::new(Bytes::from_static(
                        br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"m","version":"1"}}}"#,
                    )))
                    .unwrap();
                let response = service.clone().oneshot(request).await.unwrap();
                assert_eq!(response.status(), 200);
                assert!(response.headers().contains_key("mcp-session-id"));
            }
        }
    };
    // Warm up the allocator and the runtime first.
    open(1000).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = resident_bytes();
    let n = 5000;
    open(n).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = resident_bytes();
    assert_eq!(service.session_count(), 1000 + n);
    let per_session = after.saturating_sub(before) / n;
    println!("about {per_session} bytes of resident memory per idle session");
    assert!(per_session < 10 * 1024, "{per_session} bytes per session");
    service.close_sessions();
}
