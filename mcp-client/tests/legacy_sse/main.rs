//! `ClientSession::connect_url` against this SDK's own legacy HTTP+SSE server
//! (revision 2024-11-05's transport): the Streamable HTTP `POST` is refused
//! with 405, the client falls back to the SSE stream and its `endpoint`, and
//! the session works; a Streamable HTTP server is still reached directly, and
//! a URL that is neither fails with both reasons.

use std::net::SocketAddr;
use std::sync::Arc;

use mcp_client::{ClientError, ClientSession, VersionChoice};
use mcp_server::McpServer;
use mcp_transport::http::{HttpServer, SessionTransport};
use mcp_transport::sse_legacy::{SseClient, SseServerConfig, SseServerService};
use mcp_types::ProtocolVersion;
use serde_json::json;

/// Add two numbers.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Add {
    a: i64,
    b: i64,
}

fn server() -> McpServer {
    McpServer::new("legacy-sse-test").tool("add", |Add { a, b }: Add| a + b)
}

/// Serves `server()` over legacy HTTP+SSE at `/sse` (messages at `/messages`).
async fn start_sse() -> SocketAddr {
    let running = Arc::new(server().into_lowlevel().start().await.unwrap());
    let handler = move |transport: SessionTransport| {
        let running = running.clone();
        async move {
            let _ = running.serve(transport).await;
        }
    };
    let service = SseServerService::with_config(
        handler,
        SseServerConfig::default()
            .sse_path("/sse")
            .messages_path("/messages"),
    );
    let http = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let addr = http.local_addr();
    tokio::spawn(http.serve(service));
    addr
}

fn text(result: &mcp_types::CallToolResult) -> String {
    serde_json::to_value(&result.content).unwrap()[0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn connect_url_falls_back_to_legacy_sse() {
    let addr = start_sse().await;
    let session = ClientSession::connect_url(format!("http://{addr}/sse"))
        .await
        .unwrap();
    assert!(!session.protocol_version().is_stateless());
    assert_eq!(session.server_info().unwrap().name, "legacy-sse-test");
    let result = session
        .call_tool("add", json!({"a": 2, "b": 3}))
        .await
        .unwrap();
    assert_eq!(text(&result), "5");
    session.close().await.unwrap();
}

#[tokio::test]
async fn fallback_keeps_a_fixed_session_revision() {
    let addr = start_sse().await;
    let session = ClientSession::builder()
        .protocol_version(VersionChoice::Fixed(ProtocolVersion::V2024_11_05))
        .connect_url(format!("http://{addr}/sse"))
        .await
        .unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2024_11_05);
    assert_eq!(session.list_all_tools().await.unwrap()[0].name, "add");
    session.close().await.unwrap();
}

#[tokio::test]
async fn a_2026_only_session_does_not_fall_back() {
    let addr = start_sse().await;
    let err = ClientSession::builder()
        .protocol_version(VersionChoice::Fixed(ProtocolVersion::V2026_07_28))
        .connect_url(format!("http://{addr}/sse"))
        .await
        .unwrap_err();
    assert!(
        !err.to_string().contains("legacy HTTP+SSE"),
        "no SSE attempt for a 2026-07-28 session: {err}"
    );
}

#[tokio::test]
async fn connect_sse_speaks_only_legacy() {
    let addr = start_sse().await;
    let session = ClientSession::builder()
        .connect_sse(SseClient::builder(format!("http://{addr}/sse")))
        .await
        .unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::LATEST_SESSION);
    session.close().await.unwrap();
}

#[tokio::test]
async fn streamable_http_is_still_reached_directly() {
    let http = server().http_service().await.unwrap();
    let listener = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr();
    tokio::spawn(listener.serve(http.service.clone()));
    let session = ClientSession::connect_url(format!("http://{addr}/mcp"))
        .await
        .unwrap();
    // Only Streamable HTTP serves 2026-07-28, which `Auto` prefers.
    assert_eq!(session.protocol_version(), ProtocolVersion::V2026_07_28);
    session.close().await.unwrap();
}

#[tokio::test]
async fn neither_transport_names_both_failures() {
    let addr = start_sse().await;
    // The messages path refuses both a POST without a session and a GET.
    let err = ClientSession::connect_url(format!("http://{addr}/messages"))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Handshake(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("Streamable HTTP") && text.contains("legacy HTTP+SSE"),
        "{text}"
    );
}

/// A server that answers every request with `status` and an empty body,
/// recording each request's method.
async fn refusing(status: u16) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let methods = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = methods.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                let mut line = String::new();
                if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                seen.lock()
                    .unwrap()
                    .push(line.split(' ').next().unwrap_or_default().to_owned());
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if stream.read_line(&mut header).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end().to_ascii_lowercase();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(v) = header.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = stream.read_exact(&mut body).await;
                let answer = format!(
                    "HTTP/1.1 {status} Refused\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = stream.get_mut().write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, methods)
}

#[tokio::test]
async fn a_404_is_followed_by_the_legacy_get() {
    let (url, methods) = refusing(404).await;
    let err = ClientSession::connect_url(url).await.unwrap_err();
    assert!(err.to_string().contains("legacy HTTP+SSE"), "{err}");
    let methods = methods.lock().unwrap().clone();
    assert!(methods.contains(&"POST".to_owned()), "{methods:?}");
    assert_eq!(
        methods.last().map(String::as_str),
        Some("GET"),
        "{methods:?}"
    );
}

#[tokio::test]
async fn a_401_is_not_a_legacy_server() {
    let (url, methods) = refusing(401).await;
    let err = ClientSession::connect_url(url).await.unwrap_err();
    assert!(!err.to_string().contains("legacy HTTP+SSE"), "{err}");
    let methods = methods.lock().unwrap().clone();
    assert!(
        !methods.is_empty() && methods.iter().all(|m| m == "POST"),
        "{methods:?}"
    );
}
