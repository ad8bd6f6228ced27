//! [`StreamableHttpConfig`]: the options of the Streamable HTTP server.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mcp_types::{ErrorObject, JsonRpcRequest, ProtocolVersion};

use super::event_store::{EventStore, InMemoryEventStore};

/// A check of a 2026-07-28 request's headers that this crate cannot make alone,
/// typically the `Mcp-Param-{Name}` headers that tools declare with
/// `x-mcp-header`. It runs after the standard header checks and before the
/// request reaches the engine; an error is answered with HTTP 400 and that
/// JSON-RPC error (normally code -32020, `HeaderMismatch`).
///
/// ```
/// use std::sync::Arc;
/// use mcp_transport::http::{HeaderValidator, header_matches_value};
/// use mcp_types::{ErrorCode, ErrorObject};
///
/// let check: HeaderValidator = Arc::new(|parts, request| {
///     if request.method != "tools/call" {
///         return Ok(());
///     }
///     let args: serde_json::Value = request.params_as().unwrap_or_default();
///     let body = &args["arguments"]["region"];
///     match parts.headers.get("mcp-param-region") {
///         None if body.is_null() => Ok(()),
///         Some(h) if header_matches_value(h.as_bytes(), body) == Ok(true) => Ok(()),
///         _ => Err(ErrorObject::new(ErrorCode::HEADER_MISMATCH, "Mcp-Param-Region mismatch")),
///     }
/// });
/// # drop(check);
/// ```
pub type HeaderValidator =
    Arc<dyn Fn(&http::request::Parts, &JsonRpcRequest) -> Result<(), ErrorObject> + Send + Sync>;

/// The options of a [`StreamableHttpService`](super::StreamableHttpService).
///
/// Every option has a default fit for a local server; change them with the
/// builder methods:
///
/// ```
/// use std::time::Duration;
/// use mcp_transport::http::StreamableHttpConfig;
///
/// let config = StreamableHttpConfig::default()
///     .json_response(true)
///     .max_body_size(1 << 20)
///     .allowed_hosts(["mcp.example.com"])
///     .session_idle_timeout(Some(Duration::from_secs(600)));
/// # drop(config);
/// ```
#[derive(Clone)]
pub struct StreamableHttpConfig {
    pub(crate) json_response: bool,
    pub(crate) sse_polling: bool,
    pub(crate) sse_retry: Duration,
    pub(crate) max_body_size: usize,
    pub(crate) dns_rebinding_protection: bool,
    pub(crate) allowed_hosts: Vec<String>,
    pub(crate) allowed_origins: Option<Vec<String>>,
    pub(crate) max_sessions: usize,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) keep_alive: Option<Duration>,
    pub(crate) channel_capacity: usize,
    pub(crate) event_store: Option<Arc<dyn EventStore>>,
    pub(crate) header_validator: Option<HeaderValidator>,
    pub(crate) versions: Vec<ProtocolVersion>,
}

impl Default for StreamableHttpConfig {
    fn default() -> Self {
        StreamableHttpConfig {
            json_response: false,
            sse_polling: false,
            sse_retry: Duration::from_secs(1),
            max_body_size: 4 * 1024 * 1024,
            dns_rebinding_protection: true,
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()],
            allowed_origins: None,
            max_sessions: 10_000,
            idle_timeout: Some(Duration::from_secs(30 * 60)),
            keep_alive: Some(Duration::from_secs(15)),
            channel_capacity: 32,
            event_store: Some(Arc::new(InMemoryEventStore::default())),
            header_validator: None,
            versions: ProtocolVersion::ALL.to_vec(),
        }
    }
}

impl StreamableHttpConfig {
    /// Session era: answer each request with one `application/json` body
    /// instead of an SSE stream (notifications related to the request are then
    /// dropped, and server-to-client requests go to the `GET` stream). In
    /// 2026-07-28, always wait for the final response. Default: `false`.
    pub fn json_response(mut self, enabled: bool) -> Self {
        self.json_response = enabled;
        self
    }

    /// Session era, clients of 2025-11-25 on: close each `POST` response
    /// stream right after its priming event, so the client polls for the
    /// result with `GET` + `Last-Event-ID` (needs an event store). Default: `false`.
    pub fn sse_polling(mut self, enabled: bool) -> Self {
        self.sse_polling = enabled;
        self
    }

    /// The `retry` the priming event tells clients to wait before they
    /// reconnect. Default: 1 s.
    pub fn sse_retry(mut self, retry: Duration) -> Self {
        self.sse_retry = retry;
        self
    }

    /// The largest request body accepted; larger ones get HTTP 413. Default: 4 MiB.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Whether `Host` and `Origin` are checked against the allowed lists
    /// (HTTP 421 and 403 otherwise). Turn it off only behind a proxy that does
    /// the same, or on a public server with its own authentication. Default: on.
    pub fn dns_rebinding_protection(mut self, enabled: bool) -> Self {
        self.dns_rebinding_protection = enabled;
        self
    }

    /// The `Host` values accepted: an entry without a port matches any port,
    /// one with a port matches exactly; case-insensitive. Default:
    /// `localhost`, `127.0.0.1`, `[::1]`.
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// The `Origin` values accepted (`scheme://host[:port]`, case-insensitive).
    /// By default an origin is accepted when its host is an allowed host, with
    /// any scheme and port. Requests without `Origin` are always accepted.
    pub fn allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_origins = Some(origins.into_iter().map(Into::into).collect());
        self
    }

    /// The most sessions alive at once; an `initialize` beyond gets HTTP 503.
    /// Default: 10 000.
    pub fn max_sessions(mut self, n: usize) -> Self {
        self.max_sessions = n;
        self
    }

    /// How long a session may go without requests (and without an open
    /// stream) before it is closed; later requests to it get HTTP 404. `None`
    /// keeps sessions until `DELETE`. Default: 30 minutes.
    pub fn session_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// How often an SSE stream with nothing to say sends a comment line, to
    /// keep proxies from closing it and to notice clients that left. `None`
    /// sends none. Default: 15 s.
    pub fn keep_alive_interval(mut self, interval: Option<Duration>) -> Self {
        self.keep_alive = interval;
        self
    }

    /// How many messages each internal queue holds (HTTP side to engine,
    /// engine to HTTP side, per SSE stream) before the sender waits (at least 2).
    /// Default: 32.
    pub fn channel_capacity(mut self, n: usize) -> Self {
        self.channel_capacity = n.max(2);
        self
    }

    /// Where session-era SSE events are kept for resumption; `None` turns
    /// resumability off (no event ids, no priming events, `Last-Event-ID`
    /// ignored). Default: an [`InMemoryEventStore`].
    pub fn event_store(mut self, store: Option<Arc<dyn EventStore>>) -> Self {
        self.event_store = store;
        self
    }

    /// A check of 2026-07-28 request headers run before the request is
    /// forwarded; see [`HeaderValidator`].
    pub fn header_validator(mut self, validator: HeaderValidator) -> Self {
        self.header_validator = Some(validator);
        self
    }

    /// The protocol revisions accepted in `MCP-Protocol-Version` and in 2026
    /// `_meta`; others get HTTP 400. Default: all of them.
    pub fn protocol_versions<I>(mut self, versions: I) -> Self
    where
        I: IntoIterator<Item = ProtocolVersion>,
    {
        self.versions = versions.into_iter().collect();
        self
    }

    pub(crate) fn supports(&self, version: ProtocolVersion) -> bool {
        self.versions.contains(&version)
    }
}

impl fmt::Debug for StreamableHttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamableHttpConfig")
            .field("json_response", &self.json_response)
            .field("sse_polling", &self.sse_polling)
            .field("sse_retry", &self.sse_retry)
            .field("max_body_size", &self.max_body_size)
            .field("dns_rebinding_protection", &self.dns_rebinding_protection)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .field("max_sessions", &self.max_sessions)
            .field("idle_timeout", &self.idle_timeout)
            .field("keep_alive", &self.keep_alive)
            .field("channel_capacity", &self.channel_capacity)
            .field("event_store", &self.event_store.is_some())
            .field("header_validator", &self.header_validator.is_some())
            .field("versions", &self.versions)
            .finish()
    }
}
