//! [`StreamableHttpClient`]: the transport, its reader and writer halves, and
//! [`HttpClientHandle`], which reaches the client after it was split.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::{Sink, Stream};
use tokio::sync::{mpsc, oneshot};

use super::builder::{Config, StreamableHttpClientBuilder};
use super::headers::ToolHeaders;
use super::post;
use super::shared::Shared;
use super::slots::Slots;
use crate::{Inbound, Outbound, Transport, TransportError};

/// The Streamable HTTP client transport, for both protocol eras: every
/// outgoing message is a `POST` to the MCP endpoint, and what the server sends
/// back (JSON bodies, SSE streams, the session's `GET` stream) comes out of the
/// reader. See the [module documentation](super) for the details.
///
/// Its tasks run on the Tokio runtime of the code that splits and uses it.
///
/// ```no_run
/// use futures::{SinkExt, StreamExt};
/// use mcp_transport::Transport;
/// use mcp_transport::http_client::StreamableHttpClient;
/// use mcp_types::{JsonRpcMessage, JsonRpcRequest};
///
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// let client = StreamableHttpClient::builder("http://127.0.0.1:8000/mcp").build()?;
/// let (mut reader, mut writer) = client.split();
/// let ping = JsonRpcRequest::new(1, "ping", &serde_json::json!({}))?;
/// writer.send(JsonRpcMessage::Request(ping).into()).await?;
/// let answer = reader.next().await;
/// # drop(answer); Ok(()) }
/// ```
pub struct StreamableHttpClient {
    shared: Arc<Shared>,
    reader: HttpClientReader,
    writer: HttpClientWriter,
}

/// The receiving half of a [`StreamableHttpClient`]: messages from every
/// response body and SSE stream, in the order each stream delivers them.
///
/// It yields an error when a request cannot be sent at all (connection
/// refused, with the URL) or when the server ends the session and no new one
/// could be started in its place ([`is_session_expired`](super::is_session_expired);
/// see [`renew_sessions`](super::StreamableHttpClientBuilder::renew_sessions)), and ends once the
/// writer is closed and what was received has been read.
pub struct HttpClientReader {
    rx: mpsc::Receiver<Result<Inbound, TransportError>>,
    end: Option<oneshot::Receiver<()>>,
}

/// The sending half of a [`StreamableHttpClient`]: each message becomes its
/// own `POST`, sent at once; answers arrive on the reader. Closing it deletes
/// the session (`DELETE`) and ends the reader.
pub struct HttpClientWriter {
    shared: Arc<Shared>,
    slots: Slots,
    closing: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

/// A handle on a [`StreamableHttpClient`] that stays usable after
/// [`split`](Transport::split): the session, and the tools' `Mcp-Param-*` headers.
#[derive(Clone)]
pub struct HttpClientHandle {
    shared: Arc<Shared>,
}

impl StreamableHttpClient {
    /// Starts building a client of the MCP endpoint at `url` (`http://host[:port]/path`).
    pub fn builder(url: impl Into<String>) -> StreamableHttpClientBuilder {
        StreamableHttpClientBuilder::new(url)
    }

    pub(crate) fn from_config(config: Config) -> Self {
        let (tx, rx) = mpsc::channel(config.channel_capacity);
        let (end_tx, end_rx) = oneshot::channel();
        let slots = Slots::new(config.max_in_flight);
        let shared = Arc::new(Shared::new(config, tx, end_tx));
        StreamableHttpClient {
            reader: HttpClientReader {
                rx,
                end: Some(end_rx),
            },
            writer: HttpClientWriter {
                shared: shared.clone(),
                slots,
                closing: None,
            },
            shared,
        }
    }

    /// A handle that outlives [`split`](Transport::split).
    pub fn handle(&self) -> HttpClientHandle {
        HttpClientHandle {
            shared: self.shared.clone(),
        }
    }

    /// Sets the `Mcp-Param-*` headers of tool `name` (see [`HttpClientHandle::set_tool_headers`]).
    pub fn set_tool_headers(&self, name: impl Into<String>, headers: ToolHeaders) {
        self.handle().set_tool_headers(name, headers);
    }
}

impl HttpClientHandle {
    /// The `Mcp-Session-Id` the server assigned, while the session lives.
    pub fn session_id(&self) -> Option<String> {
        let (id, _) = self.shared.session_headers();
        id.and_then(|v| v.to_str().ok().map(str::to_owned))
    }

    /// The `MCP-Protocol-Version` sent on session-era requests: the
    /// `protocolVersion` of the initialize result once it passed.
    pub fn protocol_version(&self) -> Option<String> {
        let (_, version) = self.shared.session_headers();
        version.and_then(|v| v.to_str().ok().map(str::to_owned))
    }

    /// Sets the `Mcp-Param-*` headers sent with 2026-07-28 `tools/call`
    /// requests of tool `name`, replacing learned ones. Build them with
    /// [`ToolHeaders::from_input_schema`]; setting empty headers removes them.
    pub fn set_tool_headers(&self, name: impl Into<String>, headers: ToolHeaders) {
        let headers = (!headers.is_empty()).then_some(headers);
        self.shared.set_tool_headers(name.into(), headers);
    }

    /// The `Mcp-Param-*` headers known for tool `name`.
    pub fn tool_headers(&self, name: &str) -> Option<ToolHeaders> {
        self.shared.tool_headers(name).map(|h| (*h).clone())
    }

    /// Forgets the headers of every tool (e.g. after `notifications/tools/list_changed`).
    pub fn clear_tool_headers(&self) {
        self.shared.clear_tool_headers();
    }

    /// Closes the client as closing its writer does: streams stop, the session
    /// is deleted, the reader ends.
    pub async fn close(&self) {
        self.shared.close().await;
    }
}

impl Transport for StreamableHttpClient {
    type Reader = HttpClientReader;
    type Writer = HttpClientWriter;

    fn split(self) -> (HttpClientReader, HttpClientWriter) {
        (self.reader, self.writer)
    }
}

impl Stream for HttpClientReader {
    type Item = Result<Inbound, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = self.rx.poll_recv(cx) {
            return Poll::Ready(item);
        }
        match &mut self.end {
            Some(end) => match Pin::new(end).poll(cx) {
                Poll::Ready(_) => {
                    self.end = None;
                    // What arrived meanwhile still goes out first.
                    match self.rx.try_recv() {
                        Ok(item) => Poll::Ready(Some(item)),
                        Err(_) => Poll::Ready(None),
                    }
                }
                Poll::Pending => Poll::Pending,
            },
            None => Poll::Ready(self.rx.try_recv().ok()),
        }
    }
}

fn closed() -> TransportError {
    TransportError::Closed("the HTTP client is closed".into())
}

impl Sink<Outbound> for HttpClientWriter {
    type Error = TransportError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.shared.is_closed() {
            return Poll::Ready(Err(closed()));
        }
        self.slots
            .poll_ready(cx)
            .map(|ok| if ok { Ok(()) } else { Err(closed()) })
    }

    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> Result<(), Self::Error> {
        if self.shared.is_closed() {
            return Err(closed());
        }
        let permit = self.slots.take().ok_or_else(|| {
            TransportError::Closed("start_send without poll_ready on a full HTTP client".into())
        })?;
        let prepared = post::prepare(&self.shared, item.message);
        tokio::spawn(post::send(self.shared.clone(), prepared, permit));
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Each message is on its way as soon as it is sent.
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.closing.is_none() {
            let shared = self.shared.clone();
            self.closing = Some(Box::pin(async move { shared.close().await }));
        }
        match self.closing.as_mut() {
            Some(closing) => closing.as_mut().poll(cx).map(Ok),
            None => Poll::Ready(Ok(())),
        }
    }
}

impl Drop for HttpClientWriter {
    fn drop(&mut self) {
        if self.shared.is_closed() {
            return;
        }
        // Dropped without closing: close in the background, where possible.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let shared = self.shared.clone();
            runtime.spawn(async move { shared.close().await });
        }
    }
}

impl fmt::Debug for StreamableHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamableHttpClient")
            .field("url", &self.shared.config.url)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for HttpClientHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientHandle")
            .field("url", &self.shared.config.url)
            .field("session_id", &self.session_id())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for HttpClientReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientReader").finish_non_exhaustive()
    }
}

impl fmt::Debug for HttpClientWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientWriter")
            .field("url", &self.shared.config.url)
            .finish_non_exhaustive()
    }
}
