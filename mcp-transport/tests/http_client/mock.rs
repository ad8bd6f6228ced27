//! A hand-written HTTP server for the client tests: each test gives a closure
//! that answers each request (its body already read), and every request is
//! recorded with the time it arrived.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderMap, Method, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcp_transport::{Inbound, Transport, TransportError};
use mcp_types::JsonRpcMessage;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A response body.
pub type Body = BoxBody<Bytes, Infallible>;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub uri: http::Uri,
    pub headers: HeaderMap,
    pub body: Value,
    pub at: Instant,
}

impl Seen {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The JSON-RPC method of the body.
    pub fn rpc_method(&self) -> Option<&str> {
        self.body.get("method").and_then(Value::as_str)
    }
}

type Handler =
    Arc<dyn Fn(Seen) -> Pin<Box<dyn Future<Output = Response<Body>> + Send>> + Send + Sync>;

/// The running server.
#[derive(Clone)]
pub struct Mock {
    pub addr: SocketAddr,
    pub url: String,
    pub log: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    /// Serves `handler` on a fresh port until the test ends.
    pub async fn start<F, Fut>(handler: F) -> Mock
    where
        F: Fn(Seen) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Response<Body>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |seen| Box::pin(handler(seen)));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let mock = Mock {
            addr,
            url: format!("http://{addr}/mcp"),
            log: log.clone(),
        };
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let handler = handler.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: http::Request<Incoming>| {
                        let handler = handler.clone();
                        let log = log.clone();
                        async move {
                            let at = Instant::now();
                            let (parts, body) = req.into_parts();
                            let bytes = body
                                .collect()
                                .await
                                .map(|c| c.to_bytes())
                                .unwrap_or_default();
                            let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                            let seen = Seen {
                                method: parts.method,
                                uri: parts.uri,
                                headers: parts.headers,
                                body,
                                at,
                            };
                            log.lock().unwrap().push(seen.clone());
                            Ok::<_, Infallible>(handler(seen).await)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        mock
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// The requests of one HTTP method seen so far.
    pub fn seen_method(&self, method: Method) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == method)
            .collect()
    }

    /// Waits until a request matching `pred` arrived.
    pub async fn wait_for(&self, pred: impl Fn(&Seen) -> bool) -> Seen {
        within(5.0, async {
            loop {
                if let Some(s) = self.seen().into_iter().find(|s| pred(s)) {
                    return s;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
    }
}

/// Fails the test when `fut` takes longer than `secs` seconds.
pub async fn within<F: Future>(secs: f64, fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs_f64(secs), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {secs} s"))
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

/// A JSON body.
pub fn json_response(status: u16, value: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(full(value.to_string()))
        .unwrap()
}

/// A status without a body.
pub fn status(status: u16) -> Response<Body> {
    Response::builder()
        .status(status)
        .body(full(Bytes::new()))
        .unwrap()
}

/// A text body with an error status.
pub fn text(status_code: u16, text: &'static str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(status_code).unwrap())
        .header("content-type", "text/plain")
        .body(full(text))
        .unwrap()
}

/// The result of request `id`.
pub fn result(id: &Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

/// An SSE response whose chunks the test writes through the returned sender;
/// dropping the sender ends the stream.
pub fn sse() -> (Response<Body>, mpsc::UnboundedSender<String>) {
    let (tx, rx) = mpsc::unbounded_channel::<String>();
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, Infallible>(Frame::data(Bytes::from(chunk))), rx))
    });
    let body = BodyExt::boxed(StreamBody::new(stream));
    let response = Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(body)
        .unwrap();
    (response, tx)
}

/// One SSE event carrying `message`.
pub fn event(message: &Value) -> String {
    format!("data: {message}\n\n")
}

/// The next message of the reader.
pub async fn next_message<R>(reader: &mut R) -> JsonRpcMessage
where
    R: futures::Stream<Item = Result<Inbound, TransportError>> + Unpin,
{
    match within(5.0, reader.next()).await {
        Some(Ok(inbound)) => inbound.message,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// A message as JSON.
pub fn to_value(message: &JsonRpcMessage) -> Value {
    serde_json::from_str(&message.to_json()).unwrap()
}

/// A JSON message to send.
pub fn msg(value: Value) -> mcp_transport::Outbound {
    JsonRpcMessage::from_slice(value.to_string().as_bytes())
        .unwrap()
        .into()
}

/// A split client of `url`.
pub fn client(
    builder: mcp_transport::http_client::StreamableHttpClientBuilder,
) -> (
    mcp_transport::http_client::HttpClientHandle,
    mcp_transport::http_client::HttpClientReader,
    mcp_transport::http_client::HttpClientWriter,
) {
    let client = builder.build().unwrap();
    let handle = client.handle();
    let (r, w) = client.split();
    (handle, r, w)
}

/// Sends `initialize` (id 1, with `params`), waits for its answer and
/// returns it, then sends `notifications/initialized`.
pub async fn open_session<R>(
    writer: &mut mcp_transport::http_client::HttpClientWriter,
    reader: &mut R,
    params: Value,
) -> Value
where
    R: futures::Stream<Item = Result<mcp_transport::Inbound, mcp_transport::TransportError>>
        + Unpin,
{
    use futures::SinkExt;
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}),
        ))
        .await
        .unwrap();
    let answer = to_value(&next_message(reader).await);
    writer
        .send(msg(
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        ))
        .await
        .unwrap();
    answer
}

/// The 2026 `_meta` of a request.
pub fn meta_2026() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    })
}
