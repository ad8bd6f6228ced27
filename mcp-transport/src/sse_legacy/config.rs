//! [`SseServerConfig`]: the options of the legacy HTTP+SSE server.

use std::time::Duration;

/// The options of an [`SseServerService`](super::SseServerService), with
/// defaults fit for a local server.
///
/// ```
/// use std::time::Duration;
/// use mcp_transport::sse_legacy::SseServerConfig;
///
/// // Mounted under `/legacy` by a router that strips the prefix:
/// let config = SseServerConfig::default()
///     .endpoint_url("/legacy/messages")
///     .max_sessions(100)
///     .keep_alive_interval(Some(Duration::from_secs(10)));
/// # drop(config);
/// ```
#[derive(Debug, Clone)]
pub struct SseServerConfig {
    pub(crate) sse_path: String,
    pub(crate) messages_path: String,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) max_sessions: usize,
    pub(crate) max_body_size: usize,
    pub(crate) keep_alive: Option<Duration>,
    pub(crate) channel_capacity: usize,
    pub(crate) dns_rebinding_protection: bool,
    pub(crate) allowed_hosts: Vec<String>,
    pub(crate) allowed_origins: Option<Vec<String>>,
}

impl Default for SseServerConfig {
    fn default() -> Self {
        SseServerConfig {
            sse_path: "/sse".into(),
            messages_path: "/messages".into(),
            endpoint_url: None,
            max_sessions: 1000,
            max_body_size: 4 * 1024 * 1024,
            keep_alive: Some(Duration::from_secs(15)),
            channel_capacity: 32,
            dns_rebinding_protection: true,
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()],
            allowed_origins: None,
        }
    }
}

impl SseServerConfig {
    /// The path of the SSE endpoint (`GET`). Default: `/sse`.
    pub fn sse_path(mut self, path: impl Into<String>) -> Self {
        self.sse_path = path.into();
        self
    }

    /// The path of the message endpoint (`POST ?sessionId=…`). Default: `/messages`.
    pub fn messages_path(mut self, path: impl Into<String>) -> Self {
        self.messages_path = path.into();
        self
    }

    /// The URI announced in the `endpoint` event, before `?sessionId=…`, when
    /// it differs from [`messages_path`](Self::messages_path) (behind a proxy,
    /// or mounted under a prefix that the router strips). Default: the messages path.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// The most SSE connections (sessions) at once; beyond, `GET` gets 503.
    /// Default: 1000.
    pub fn max_sessions(mut self, n: usize) -> Self {
        self.max_sessions = n;
        self
    }

    /// The largest message body accepted; larger ones get 413. Default: 4 MiB.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// How often a quiet SSE stream sends a comment line; `None` sends none.
    /// Default: 15 s.
    pub fn keep_alive_interval(mut self, interval: Option<Duration>) -> Self {
        self.keep_alive = interval;
        self
    }

    /// How many messages each direction of a session queues (at least 2).
    /// Default: 32.
    pub fn channel_capacity(mut self, n: usize) -> Self {
        self.channel_capacity = n.max(2);
        self
    }

    /// Whether `Host` and `Origin` are checked (421 and 403 otherwise), as the
    /// specification requires of this transport. Default: on.
    pub fn dns_rebinding_protection(mut self, enabled: bool) -> Self {
        self.dns_rebinding_protection = enabled;
        self
    }

    /// The `Host` values accepted: an entry without a port matches any port,
    /// one with a port matches exactly. Default: `localhost`, `127.0.0.1`, `[::1]`.
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// The `Origin` values accepted (`scheme://host[:port]`); by default an
    /// origin whose host is an allowed host. Requests without `Origin` pass.
    pub fn allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_origins = Some(origins.into_iter().map(Into::into).collect());
        self
    }
}
