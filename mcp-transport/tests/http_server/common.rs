//! Helpers of the Streamable HTTP server tests: an echo engine, a server on a
//! real socket, and a small HTTP client that reads SSE.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use mcp_transport::http::{
    HttpServer, SessionTransport, StreamableHttpConfig, StreamableHttpService,
};
use mcp_transport::{Outbound, Transport};
use mcp_types::{
    ErrorCode, ErrorObject, JsonRpcErrorResponse, JsonRpcMessage, JsonRpcNotification,
    JsonRpcRequest, JsonRpcResultResponse, RequestId,
};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The 2026 `_meta` every stateless request carries.
pub fn meta_2026() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    })
}

/// Fails the test when `fut` takes longer than `secs` seconds.
pub async fn within<F: Future>(secs: f64, fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs_f64(secs), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {secs} s"))
}

/// What the echo engine saw, in order: `reader-ended`, `cancelled:<id>`,
/// `notification:<method>`, `response:<id>`, `slow-done:<id>`.
pub type Events = mpsc::UnboundedReceiver<String>;

/// Waits for an event of the engine that starts with `prefix`.
pub async fn expect_event(events: &mut Events, prefix: &str) -> String {
    within(5.0, async {
        loop {
            let e = events.recv().await.expect("the engine log ended");
            if e.starts_with(prefix) {
                return e;
            }
        }
    })
    .await
}

fn progress(id: &RequestId, n: u32) -> JsonRpcMessage {
    JsonRpcMessage::Notification(
        JsonRpcNotification::new(
            "notifications/progress",
            &json!({ "progressToken": id, "progress": n }),
        )
        .unwrap(),
    )
}

fn related(message: JsonRpcMessage, id: &RequestId) -> Outbound {
    Outbound {
        message,
        related_request: Some(id.clone()),
    }
}

/// What the echo engine does with one request; every message goes to `out`.
async fn answer(
    request: JsonRpcRequest,
    out: mpsc::Sender<Outbound>,
    log: mpsc::UnboundedSender<String>,
) {
    let id = request.id.clone();
    let params: Value = request.params_as().unwrap_or(Value::Null);
    let result = |value: Value| {
        related(
            JsonRpcMessage::Response(JsonRpcResultResponse::new(id.clone(), &value).unwrap()),
            &id,
        )
    };
    match request.method.as_str() {
        "initialize" => {
            let version = params["protocolVersion"]
                .as_str()
                .unwrap_or("2025-11-25")
                .to_owned();
            let _ = out
                .send(result(json!({
                    "protocolVersion": version,
                    "capabilities": {},
                    "serverInfo": {"name": "echo", "version": "1"},
                })))
                .await;
        }
        "quick" => {
            let _ = out.send(result(json!({ "echo": params }))).await;
        }
        "unknown/method" => {
            let error = JsonRpcErrorResponse {
                id: Some(id.clone()),
                error: ErrorObject::new(ErrorCode::METHOD_NOT_FOUND, "Method not found"),
            };
            let _ = out.send(related(JsonRpcMessage::Error(error), &id)).await;
        }
        "notify_unrelated" => {
            let note =
                JsonRpcNotification::new("notifications/tools/list_changed", &json!({})).unwrap();
            let _ = out.send(JsonRpcMessage::Notification(note).into()).await;
            let _ = out.send(result(json!({ "echo": params }))).await;
        }
        "slow" => {
            // progress 1, a pause, progress 2, a pause, the response.
            let _ = out.send(related(progress(&id, 1), &id)).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let _ = out.send(related(progress(&id, 2), &id)).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let _ = out.send(result(json!({ "echo": params }))).await;
            let _ = log.send(format!("slow-done:{id}"));
        }
        "ask" => {
            let ask = JsonRpcRequest::new("s1", "sampling/createMessage", &json!({})).unwrap();
            let _ = out.send(related(JsonRpcMessage::Request(ask), &id)).await;
            let _ = out.send(related(progress(&id, 1), &id)).await;
            let _ = out.send(result(json!({ "echo": params }))).await;
        }
        "forever" => {
            let _ = out.send(related(progress(&id, 1), &id)).await;
            std::future::pending::<()>().await;
        }
        _ => {
            let _ = out.send(related(progress(&id, 1), &id)).await;
            let _ = out.send(result(json!({ "echo": params }))).await;
        }
    }
}

/// The echo engine: answers each request (concurrently) after a related
/// `notifications/progress`; logs what it sees to `log`.
pub async fn echo_engine(transport: SessionTransport, log: mpsc::UnboundedSender<String>) {
    let (mut reader, mut writer) = transport.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Outbound>(16);
    let writing = tokio::spawn(async move {
        while let Some(out) = out_rx.recv().await {
            if writer.send(out).await.is_err() {
                break;
            }
        }
    });
    let mut tasks = Vec::new();
    while let Some(item) = reader.next().await {
        let Ok(inbound) = item else { continue };
        // Every message carries the request's parts, but the cancellation the
        // server makes up when a 2026 client leaves.
        assert!(
            inbound.extensions.get::<http::request::Parts>().is_some()
                || inbound.message.method() == Some("notifications/cancelled"),
            "inbound messages carry the request parts"
        );
        match inbound.message {
            JsonRpcMessage::Request(r) => {
                if r.method == "stall_reader" {
                    // The engine stops reading for a while: its queue fills.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                tasks.push(tokio::spawn(answer(r, out_tx.clone(), log.clone())));
            }
            JsonRpcMessage::Notification(n) => {
                if n.method == "notifications/cancelled" {
                    let p: Value = n.params_as().unwrap();
                    let _ = log.send(format!("cancelled:{}", p["requestId"]));
                    for t in &tasks {
                        t.abort();
                    }
                } else {
                    let _ = log.send(format!("notification:{}", n.method));
                }
            }
            JsonRpcMessage::Response(r) => {
                let _ = log.send(format!("response:{}", r.id));
            }
            JsonRpcMessage::Error(_) => {}
        }
    }
    let _ = log.send("reader-ended".to_owned());
    for t in tasks {
        let _ = t.await;
    }
    drop(out_tx);
    let _ = writing.await;
}

/// A server running the echo engine on a real socket.
pub struct TestServer {
    pub addr: SocketAddr,
    pub events: Events,
    pub service: StreamableHttpService<
        Box<dyn Fn(SessionTransport) -> futures::future::BoxFuture<'static, ()> + Send + Sync>,
    >,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the echo server with `config` on 127.0.0.1, port 0.
pub async fn start(config: StreamableHttpConfig) -> TestServer {
    let (log_tx, events) = mpsc::unbounded_channel();
    let handler: Box<
        dyn Fn(SessionTransport) -> futures::future::BoxFuture<'static, ()> + Send + Sync,
    > = Box::new(move |t| Box::pin(echo_engine(t, log_tx.clone())));
    let service = StreamableHttpService::with_config(handler, config);
    let server = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    let svc = service.clone();
    let task = tokio::spawn(async move {
        server.serve(svc).await.unwrap();
    });
    TestServer {
        addr,
        events,
        service,
        task,
    }
}

/// A request to the server with the `Host` it expects.
pub fn request(method: Method, addr: SocketAddr) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri("/mcp")
        .header("host", format!("localhost:{}", addr.port()))
}

/// A `POST` with JSON body and the `Accept` of a conforming client.
pub fn post(addr: SocketAddr) -> http::request::Builder {
    request(Method::POST, addr)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
}

/// The headers of a 2026-07-28 request for `method` (and `Mcp-Name`).
pub fn post_2026(addr: SocketAddr, method: &str, name: Option<&str>) -> http::request::Builder {
    let mut b = post(addr)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method);
    if let Some(name) = name {
        b = b.header("mcp-name", name);
    }
    b
}

/// A received response, its connection kept open while it lives.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Incoming,
    buf: Vec<u8>,
    conn: JoinHandle<()>,
}

impl Drop for Reply {
    fn drop(&mut self) {
        // Closes the TCP connection, like a client that goes away.
        self.conn.abort();
    }
}

/// One SSE event as received.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    pub id: Option<String>,
    pub retry: Option<u64>,
    pub data: String,
}

impl Event {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("{e}: {:?}", self.data))
    }
}

/// Sends `body` with the request built by `builder` on a new connection.
pub async fn send(builder: http::request::Builder, body: impl Into<Bytes>) -> Reply {
    let request = builder.body(Full::new(body.into())).unwrap();
    let addr: SocketAddr = {
        let host = request.headers()["host"].to_str().unwrap().to_owned();
        let port = host.rsplit(':').next().unwrap().parse::<u16>().unwrap();
        SocketAddr::from(([127, 0, 0, 1], port))
    };
    send_to(addr, request).await
}

/// Sends a request to `addr` on a new connection.
pub async fn send_to(addr: SocketAddr, request: Request<Full<Bytes>>) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let conn = tokio::spawn(async move {
        let _ = conn.await;
    });
    let response = within(5.0, sender.send_request(request)).await.unwrap();
    let (parts, body) = response.into_parts();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
        buf: Vec::new(),
        conn,
    }
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }

    /// The whole body.
    pub async fn bytes(&mut self) -> Vec<u8> {
        let mut all = std::mem::take(&mut self.buf);
        while let Some(frame) = within(5.0, self.body.frame()).await {
            if let Ok(data) = frame.unwrap().into_data() {
                all.extend_from_slice(&data);
            }
        }
        all
    }

    /// The whole body as JSON.
    pub async fn json(&mut self) -> Value {
        let bytes = self.bytes().await;
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&bytes)))
    }

    /// The next SSE event (comments skipped); `None` at the end of the stream.
    pub async fn event(&mut self) -> Option<Event> {
        within(5.0, self.next_event()).await
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buf.drain(..end + 2).collect();
                let text = String::from_utf8(block).unwrap();
                let mut event = Event::default();
                let mut any = false;
                for line in text.lines() {
                    if line.starts_with(':') || line.is_empty() {
                        continue;
                    }
                    any = true;
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "id" => event.id = Some(value.to_owned()),
                        "retry" => event.retry = value.parse().ok(),
                        "data" => event.data.push_str(value),
                        _ => {}
                    }
                }
                if any {
                    return Some(event);
                }
                continue;
            }
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
                _ => return None,
            }
        }
    }

    /// Every remaining SSE event.
    pub async fn events(&mut self) -> Vec<Event> {
        let mut all = Vec::new();
        while let Some(e) = self.event().await {
            all.push(e);
        }
        all
    }
}

/// A JSON-RPC request body.
pub fn rpc(id: i64, method: &str, params: Value) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string()
}

/// A JSON-RPC notification body.
pub fn note(method: &str) -> String {
    json!({ "jsonrpc": "2.0", "method": method }).to_string()
}

/// Initializes a session at `version` and sends `notifications/initialized`;
/// returns the session id.
pub async fn initialize(addr: SocketAddr, version: &str) -> String {
    let mut reply = send(
        post(addr),
        rpc(
            1,
            "initialize",
            json!({ "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"} }),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let session = reply.header("mcp-session-id").expect("a session id");
    let answer = if reply.content_type().starts_with("text/event-stream") {
        reply.event().await.unwrap().json()
    } else {
        reply.json().await
    };
    assert_eq!(answer["result"]["protocolVersion"], version);
    let reply = send(
        post(addr)
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", version),
        note("notifications/initialized"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    session
}

/// A `POST` within a session.
pub fn in_session(addr: SocketAddr, session: &str, version: &str) -> http::request::Builder {
    post(addr)
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", version)
}
