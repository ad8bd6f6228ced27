//! [`SseClient`]: the legacy HTTP+SSE client. It opens the SSE stream, waits
//! for the `endpoint` event, then `POST`s each message there; server messages
//! arrive as `message` events.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{Sink, Stream};
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use mcp_types::{JsonRpcMessage, JsonRpcPayload};
use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot, watch};

use crate::http_client::sse::{SseItem, SseParser};
use crate::http_client::{
    HttpClient, Slots, connect_error, http_client, is_event_stream, parse_url, read_limited,
    status_error,
};
use crate::{Inbound, Outbound, Transport, TransportError};

/// The options of an [`SseClient`].
#[derive(Debug, Clone)]
pub struct SseClientBuilder {
    url: String,
    headers: HeaderMap,
    error: Option<String>,
    endpoint_timeout: Duration,
    connect_timeout: Duration,
    max_message_size: usize,
    channel_capacity: usize,
    max_in_flight: usize,
}

/// The legacy HTTP+SSE client transport (revision 2024-11-05).
///
/// [`connect`](SseClient::connect) opens the SSE stream and waits for the
/// `endpoint` event (the URI must have the SSE URL's scheme, host and port;
/// a relative one is resolved against the SSE URL). Each message written is a
/// `POST` there; every `message` event of the stream comes out of the reader,
/// which ends when the stream ends. An error status to a request's `POST`
/// answers that request with an error response (a JSON-RPC error body is
/// passed on as it is); a connection failure is a [`TransportError::Io`].
/// Closing the writer closes the stream, which ends the session.
pub struct SseClient {
    endpoint: Uri,
    reader: SseClientReader,
    writer: SseClientWriter,
}

/// The receiving half of an [`SseClient`].
pub struct SseClientReader {
    rx: mpsc::Receiver<Result<Inbound, TransportError>>,
    /// Resolves when the stream's task ends.
    end: Option<oneshot::Receiver<()>>,
}

/// The sending half of an [`SseClient`].
pub struct SseClientWriter {
    shared: Arc<Shared>,
    slots: Slots,
}

struct Shared {
    http: HttpClient,
    endpoint: Uri,
    headers: HeaderMap,
    inbound: mpsc::Sender<Result<Inbound, TransportError>>,
    shutdown: watch::Sender<bool>,
}

fn invalid(text: String) -> TransportError {
    TransportError::Io(io::Error::new(io::ErrorKind::InvalidInput, text))
}

impl SseClient {
    /// Connects to the SSE endpoint at `url` with the default options.
    pub async fn connect(url: &str) -> Result<SseClient, TransportError> {
        Self::builder(url).connect().await
    }

    /// Starts building a client of the SSE endpoint at `url`.
    pub fn builder(url: impl Into<String>) -> SseClientBuilder {
        SseClientBuilder {
            url: url.into(),
            headers: HeaderMap::new(),
            error: None,
            endpoint_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            max_message_size: 16 * 1024 * 1024,
            channel_capacity: 64,
            max_in_flight: 64,
        }
    }

    /// The URI messages are posted to, from the `endpoint` event.
    pub fn endpoint(&self) -> String {
        self.endpoint.to_string()
    }
}

impl SseClientBuilder {
    /// Adds a header to every request (the `GET` and each `POST`).
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
    {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
            }
            _ => {
                self.error
                    .get_or_insert_with(|| "invalid header".to_owned());
            }
        }
        self
    }

    /// How long to wait for the `endpoint` event. Default: 10 s.
    pub fn endpoint_timeout(mut self, timeout: Duration) -> Self {
        self.endpoint_timeout = timeout;
        self
    }

    /// How long connecting may take. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest SSE event accepted (larger ones are skipped). Default: 16 MiB.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes.max(1);
        self
    }

    /// How many received messages wait for the reader. Default: 64.
    pub fn channel_capacity(mut self, n: usize) -> Self {
        self.channel_capacity = n.max(1);
        self
    }

    /// How many `POST`s may be in flight at once. Default: 64.
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n.max(1);
        self
    }

    /// Opens the SSE stream and waits for the `endpoint` event.
    pub async fn connect(self) -> Result<SseClient, TransportError> {
        if let Some(e) = self.error {
            return Err(invalid(e));
        }
        let uri = parse_url(&self.url).map_err(|e| invalid(e.to_string()))?;
        let http = http_client(self.connect_timeout);
        let mut b = Request::builder()
            .method(Method::GET)
            .uri(uri.clone())
            .header(ACCEPT, "text/event-stream");
        if let Some(h) = b.headers_mut() {
            h.extend(self.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let request = b
            .body(Full::new(Bytes::new()))
            .map_err(|e| invalid(e.to_string()))?;
        let response = http
            .request(request)
            .await
            .map_err(|e| connect_error(&Method::GET, &self.url, &e))?;
        let status = response.status();
        if !status.is_success() || !is_event_stream(response.headers()) {
            let body = read_limited(response.into_body(), 4096)
                .await
                .unwrap_or_default();
            return Err(TransportError::Closed(format!(
                "GET {}: HTTP {status}, not an SSE stream: {}",
                self.url,
                crate::http_client::excerpt(&body)
            )));
        }
        let mut body = response.into_body();
        let mut parser = SseParser::new(self.max_message_size);
        let mut events: VecDeque<SseItem> = VecDeque::new();
        let found = tokio::time::timeout(self.endpoint_timeout, async {
            loop {
                while let Some(item) = events.pop_front() {
                    if let Ok(event) = item
                        && event.event == "endpoint"
                    {
                        return Ok(event.data);
                    }
                }
                match body.frame().await {
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            parser.feed(&data, &mut events);
                        }
                    }
                    Some(Err(e)) => {
                        return Err(TransportError::Closed(format!("GET {}: {e}", self.url)));
                    }
                    None => {
                        return Err(TransportError::Closed(format!(
                            "GET {}: the stream ended before the endpoint event",
                            self.url
                        )));
                    }
                }
            }
        })
        .await
        .map_err(|_| {
            TransportError::Closed(format!(
                "GET {}: no endpoint event within {:?}",
                self.url, self.endpoint_timeout
            ))
        })??;
        let endpoint = resolve(&uri, found.trim()).map_err(invalid)?;
        let (tx, rx) = mpsc::channel(self.channel_capacity);
        let shared = Arc::new(Shared {
            http,
            endpoint: endpoint.clone(),
            headers: self.headers,
            inbound: tx,
            shutdown: watch::channel(false).0,
        });
        let (end_tx, end_rx) = oneshot::channel();
        tokio::spawn(read_stream(shared.clone(), body, parser, events, end_tx));
        Ok(SseClient {
            endpoint,
            reader: SseClientReader {
                rx,
                end: Some(end_rx),
            },
            writer: SseClientWriter {
                shared,
                slots: Slots::new(self.max_in_flight),
            },
        })
    }
}

/// Resolves the `endpoint` event's URI against the SSE URL; it must stay on
/// the same origin.
fn resolve(base: &Uri, reference: &str) -> Result<Uri, String> {
    if reference.is_empty() {
        return Err("the endpoint event is empty".into());
    }
    if let Ok(absolute) = reference.parse::<Uri>()
        && absolute.scheme().is_some()
    {
        if absolute.scheme() != base.scheme() || absolute.authority() != base.authority() {
            return Err(format!(
                "the endpoint `{reference}` is not on the origin of {base}"
            ));
        }
        return Ok(absolute);
    }
    let path = if reference.starts_with('/') {
        reference.to_owned()
    } else {
        let dir = base.path().rsplit_once('/').map_or("", |(d, _)| d);
        format!("{dir}/{reference}")
    };
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map_or("", |a| a.as_str());
    format!("{scheme}://{authority}{path}")
        .parse()
        .map_err(|e| format!("the endpoint `{reference}` is not a valid URI: {e}"))
}

/// Reads `message` events until the stream ends or the client closes; then
/// `_end` is dropped, which ends the reader.
async fn read_stream(
    shared: Arc<Shared>,
    mut body: Incoming,
    mut parser: SseParser,
    mut events: VecDeque<SseItem>,
    _end: oneshot::Sender<()>,
) {
    let mut shutdown = shared.shutdown.subscribe();
    loop {
        while let Some(item) = events.pop_front() {
            let event = match item {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(
                        size = e.size,
                        limit = e.limit,
                        "skipped an oversized SSE event"
                    );
                    continue;
                }
            };
            if event.event != "message" || event.data.trim().is_empty() {
                continue;
            }
            let messages = match JsonRpcPayload::from_slice(event.data.as_bytes()) {
                Ok(JsonRpcPayload::Single(m)) => vec![m],
                Ok(JsonRpcPayload::Batch(ms)) => ms,
                Err(e) => {
                    tracing::warn!(error = %e, "skipped an SSE event that is not JSON-RPC");
                    continue;
                }
            };
            for m in messages {
                tokio::select! {
                    biased;
                    _ = shutdown.wait_for(|s| *s) => return,
                    sent = shared.inbound.send(Ok(Inbound::from(m))) => if sent.is_err() { return },
                }
            }
        }
        let frame = tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => return,
            f = body.frame() => f,
        };
        match frame {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    parser.feed(&data, &mut events);
                }
            }
            Some(Err(e)) => {
                let _ = shared
                    .inbound
                    .send(Err(TransportError::Closed(format!(
                        "the SSE stream broke: {e}"
                    ))))
                    .await;
                return;
            }
            None => return,
        }
    }
}

/// `POST`s one message to the endpoint.
async fn post(shared: Arc<Shared>, message: JsonRpcMessage, _permit: OwnedSemaphorePermit) {
    let id = match &message {
        JsonRpcMessage::Request(r) => Some((r.id.clone(), r.method.clone())),
        _ => None,
    };
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(shared.endpoint.clone())
        .header(CONTENT_TYPE, "application/json");
    if let Some(h) = b.headers_mut() {
        h.extend(shared.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let Ok(request) = b.body(Full::new(Bytes::from(message.to_json()))) else {
        return;
    };
    drop(message);
    let mut shutdown = shared.shutdown.subscribe();
    let url = shared.endpoint.to_string();
    let response = tokio::select! {
        biased;
        _ = shutdown.wait_for(|s| *s) => return,
        r = shared.http.request(request) => r,
    };
    let response = match response {
        Ok(r) => r,
        Err(e) => {
            let _ = shared
                .inbound
                .send(Err(connect_error(&Method::POST, &url, &e)))
                .await;
            return;
        }
    };
    let status = response.status();
    let body = read_limited(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    if status.is_success() {
        return;
    }
    match id {
        Some((id, method)) => {
            let answer = status_error(id, &method, &url, status, &body);
            let _ = shared.inbound.send(Ok(Inbound::from(answer))).await;
        }
        None => tracing::warn!(%status, "the server refused a message"),
    }
}

impl Transport for SseClient {
    type Reader = SseClientReader;
    type Writer = SseClientWriter;

    fn split(self) -> (SseClientReader, SseClientWriter) {
        (self.reader, self.writer)
    }
}

impl Stream for SseClientReader {
    type Item = Result<Inbound, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = self.rx.poll_recv(cx) {
            return Poll::Ready(item);
        }
        let Some(end) = &mut self.end else {
            return Poll::Ready(self.rx.try_recv().ok());
        };
        match Pin::new(end).poll(cx) {
            Poll::Ready(_) => {
                self.end = None;
                Poll::Ready(self.rx.try_recv().ok())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

fn closed() -> TransportError {
    TransportError::Closed("the SSE client is closed".into())
}

impl Sink<Outbound> for SseClientWriter {
    type Error = TransportError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if *self.shared.shutdown.borrow() {
            return Poll::Ready(Err(closed()));
        }
        self.slots
            .poll_ready(cx)
            .map(|ok| if ok { Ok(()) } else { Err(closed()) })
    }

    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> Result<(), Self::Error> {
        if *self.shared.shutdown.borrow() {
            return Err(closed());
        }
        let permit = self.slots.take().ok_or_else(closed)?;
        tokio::spawn(post(self.shared.clone(), item.message, permit));
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Dropping the stream ends the session on the server.
        let _ = self.shared.shutdown.send(true);
        Poll::Ready(Ok(()))
    }
}

impl Drop for SseClientWriter {
    fn drop(&mut self) {
        let _ = self.shared.shutdown.send(true);
    }
}

impl fmt::Debug for SseClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseClient")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SseClientReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseClientReader").finish_non_exhaustive()
    }
}

impl fmt::Debug for SseClientWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseClientWriter")
            .field("endpoint", &self.shared.endpoint)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_resolve_on_the_same_origin() {
        let base: Uri = "http://127.0.0.1:8000/mcp/sse".parse().unwrap();
        assert_eq!(
            resolve(&base, "/messages?sessionId=1").unwrap(),
            "http://127.0.0.1:8000/messages?sessionId=1"
        );
        assert_eq!(
            resolve(&base, "messages?sessionId=1").unwrap(),
            "http://127.0.0.1:8000/mcp/messages?sessionId=1"
        );
        assert_eq!(
            resolve(&base, "http://127.0.0.1:8000/m?sessionId=1").unwrap(),
            "http://127.0.0.1:8000/m?sessionId=1"
        );
        assert!(resolve(&base, "http://evil.example/m").is_err());
        assert!(resolve(&base, "http://127.0.0.1:9/m").is_err());
        assert!(resolve(&base, "").is_err());
    }
}
