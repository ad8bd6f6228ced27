//! The state the client's tasks share: the HTTP connection pool, the session,
//! the requests still waiting for their response, the tools' headers, and the
//! channel to the reader.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use mcp_types::{JsonRpcMessage, RequestId};
use tokio::sync::{mpsc, oneshot, watch};

use super::builder::Config;
use super::error::{SessionExpired, connect_error};
use super::headers::ToolHeaders;
use super::renew::Renewals;
use crate::{Inbound, TransportError};

/// The connector of the pool. TLS goes here: a future `http-client-rustls`
/// feature swaps in `hyper_rustls::HttpsConnector<HttpConnector>` (and lets
/// `https` through [`parse_url`](super::builder::parse_url)).
pub(crate) type Connector = HttpConnector;

/// The pooled HTTP/1.1 client (keep-alive connections are reused).
pub(crate) type HttpClient = Client<Connector, Full<Bytes>>;

/// Builds the pool.
pub(crate) fn http_client(connect_timeout: std::time::Duration) -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(connect_timeout));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(std::time::Duration::from_secs(90))
        .build(connector)
}

/// The session of the session era.
#[derive(Debug, Default)]
pub(crate) struct Session {
    /// `Mcp-Session-Id`, once the initialize response assigned one.
    pub(crate) id: Option<HeaderValue>,
    /// `MCP-Protocol-Version` for session-era requests.
    pub(crate) version: Option<HeaderValue>,
}

/// What the client's tasks share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) http: HttpClient,
    inbound: mpsc::Sender<Result<Inbound, TransportError>>,
    pub(crate) session: Mutex<Session>,
    tools: RwLock<HashMap<String, Arc<ToolHeaders>>>,
    /// Requests whose response has not arrived, each with a flag that turns
    /// `true` when it does (on whichever stream) or when it is cancelled.
    /// Each also says whether the request is of 2026-07-28.
    pending: Mutex<HashMap<RequestId, (watch::Sender<bool>, bool)>>,
    shutdown: watch::Sender<bool>,
    reader_end: Mutex<Option<oneshot::Sender<()>>>,
    get_stream_started: AtomicBool,
    /// `false` from the moment `notifications/initialized` is written until
    /// the session's `GET` stream has its response head (or could not get
    /// one): messages written meanwhile wait, so that a server which sends
    /// unsolicited requests only on that stream finds it open.
    get_stream_open: watch::Sender<bool>,
    /// The last `initialize` sent, repeated to start a new session.
    last_initialize: Mutex<Option<serde_json::Value>>,
    pub(crate) renewals: tokio::sync::Mutex<Renewals>,
    closed: AtomicBool,
}

/// Opens [`Shared::hold_for_get_stream`]'s gate when dropped.
pub(crate) struct GetStreamGate(Arc<Shared>);

impl Drop for GetStreamGate {
    fn drop(&mut self) {
        self.0.get_stream_open.send_replace(true);
    }
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        inbound: mpsc::Sender<Result<Inbound, TransportError>>,
        reader_end: oneshot::Sender<()>,
    ) -> Self {
        let session = Session {
            id: config.session_id.clone(),
            version: config.protocol_version.clone(),
        };
        Shared {
            http: http_client(config.connect_timeout),
            config,
            inbound,
            session: Mutex::new(session),
            tools: RwLock::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            shutdown: watch::channel(false).0,
            reader_end: Mutex::new(Some(reader_end)),
            get_stream_started: AtomicBool::new(false),
            get_stream_open: watch::channel(true).0,
            last_initialize: Mutex::new(None),
            renewals: tokio::sync::Mutex::new(Renewals::default()),
            closed: AtomicBool::new(false),
        }
    }

    /// Sends `request`, mapping a connection failure to a transport error naming the URL.
    pub(crate) async fn request(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<Response<Incoming>, TransportError> {
        let method = request.method().clone();
        self.http
            .request(request)
            .await
            .map_err(|e| connect_error(&method, &self.config.url, &e))
    }

    /// A request to the MCP endpoint with the configured extra headers.
    pub(crate) fn endpoint_request(&self, method: Method) -> http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(self.config.uri.clone());
        if let Some(h) = b.headers_mut() {
            h.extend(
                self.config
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
        }
        b
    }

    /// The session headers: `Mcp-Session-Id` and `MCP-Protocol-Version`, when known.
    pub(crate) fn session_headers(&self) -> (Option<HeaderValue>, Option<HeaderValue>) {
        let s = self.session.lock().unwrap_or_else(|e| e.into_inner());
        (s.id.clone(), s.version.clone())
    }

    /// Records the session a new `initialize` started; a new session gets its
    /// own `GET` stream.
    pub(crate) fn set_session_id(&self, id: HeaderValue) {
        let mut s = self.session.lock().unwrap_or_else(|e| e.into_inner());
        if s.id.as_ref() != Some(&id) {
            self.get_stream_started.store(false, Ordering::Release);
        }
        s.id = Some(id);
    }

    pub(crate) fn set_protocol_version(&self, version: HeaderValue) {
        self.session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .version = Some(version);
    }

    /// A new session came without `Mcp-Session-Id`: the server keeps none.
    pub(crate) fn clear_session_id(&self) {
        self.session.lock().unwrap_or_else(|e| e.into_inner()).id = None;
        self.get_stream_started.store(false, Ordering::Release);
    }

    /// Keeps `initialize` (a whole JSON-RPC request) to repeat it for a new session.
    pub(crate) fn remember_initialize(&self, message: serde_json::Value) {
        *self
            .last_initialize
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(message);
    }

    /// The last `initialize` sent.
    pub(crate) fn last_initialize(&self) -> Option<serde_json::Value> {
        self.last_initialize
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Forgets the session, if it is still `id`; whether it was.
    pub(crate) fn forget_session(&self, id: &HeaderValue) -> bool {
        let mut s = self.session.lock().unwrap_or_else(|e| e.into_inner());
        if s.id.as_ref() == Some(id) {
            s.id = None;
            true
        } else {
            false
        }
    }

    /// The headers of tool `name`, if known.
    pub(crate) fn tool_headers(&self, name: &str) -> Option<Arc<ToolHeaders>> {
        self.tools
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    pub(crate) fn set_tool_headers(&self, name: String, headers: Option<ToolHeaders>) {
        let mut tools = self.tools.write().unwrap_or_else(|e| e.into_inner());
        match headers {
            Some(h) => {
                tools.insert(name, Arc::new(h));
            }
            None => {
                tools.remove(&name);
            }
        }
    }

    pub(crate) fn clear_tool_headers(&self) {
        self.tools
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Registers a request that waits for its response.
    pub(crate) fn register(&self, id: RequestId, stateless: bool) -> watch::Receiver<bool> {
        let (tx, rx) = watch::channel(false);
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, (tx, stateless));
        rx
    }

    /// Marks request `id` as done (answered, cancelled or failed); whether it
    /// was a pending 2026-07-28 request, if it was pending.
    pub(crate) fn settle(&self, id: &RequestId) -> Option<bool> {
        let (tx, stateless) = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)?;
        let _ = tx.send(true);
        Some(stateless)
    }

    /// Hands a received message to the reader (waiting while it is full).
    pub(crate) async fn deliver(&self, message: JsonRpcMessage) {
        if let JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_) = &message
            && let Some(id) = message.id()
        {
            self.settle(id);
        }
        let _ = self.inbound.send(Ok(Inbound::from(message))).await;
    }

    /// Hands a transport failure to the reader.
    pub(crate) async fn fail(&self, error: TransportError) {
        let _ = self.inbound.send(Err(error)).await;
    }

    /// Handles HTTP 404 to a request carrying session `id`: the session is
    /// forgotten and the reader told, once.
    pub(crate) async fn session_expired(&self, id: &HeaderValue) {
        if self.forget_session(id) {
            let error = SessionExpired {
                session_id: id.to_str().unwrap_or("?").to_owned(),
                url: self.config.url.clone(),
            };
            tracing::warn!(%error, "session expired");
            self.fail(error.into_transport_error()).await;
        }
    }

    /// A receiver that turns `true` when the client closes.
    pub(crate) fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Whether [`close`](Self::close) has begun.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Closes the gate later messages wait at until the standalone `GET`
    /// stream has connected; it opens when the returned guard drops.
    pub(crate) fn hold_for_get_stream(self: &Arc<Self>) -> GetStreamGate {
        self.get_stream_open.send_replace(false);
        GetStreamGate(self.clone())
    }

    /// Waits, at most `limit`, until the `GET` stream gate is open.
    pub(crate) async fn wait_for_get_stream(&self, limit: std::time::Duration) {
        let mut open = self.get_stream_open.subscribe();
        if *open.borrow() {
            return;
        }
        if tokio::time::timeout(limit, open.wait_for(|o| *o))
            .await
            .is_err()
        {
            tracing::debug!("the GET stream is slow to connect; sending without it");
        }
    }

    /// Whether the standalone `GET` stream should start now (true once).
    pub(crate) fn claim_get_stream(&self) -> bool {
        self.config.get_stream && !self.get_stream_started.swap(true, Ordering::AcqRel)
    }

    /// Closes the client: its tasks stop, the session is deleted (`DELETE`,
    /// where the server allows it), then the reader ends once drained.
    pub(crate) async fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let _ = self.shutdown.send(true);
        let (id, version) = self.session_headers();
        if let Some(id) = id {
            let mut b = self
                .endpoint_request(Method::DELETE)
                .header(super::message::MCP_SESSION_ID, id);
            if let Some(v) = version {
                b = b.header(super::message::MCP_PROTOCOL_VERSION, v);
            }
            if let Ok(request) = b.body(Full::new(Bytes::new())) {
                let sent =
                    tokio::time::timeout(std::time::Duration::from_secs(5), self.request(request))
                        .await;
                match sent {
                    Ok(Ok(r)) => tracing::debug!(status = %r.status(), "session deleted"),
                    Ok(Err(e)) => tracing::debug!(error = %e, "DELETE of the session failed"),
                    Err(_) => tracing::debug!("DELETE of the session timed out"),
                }
            }
        }
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        drop(
            self.reader_end
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
    }
}
