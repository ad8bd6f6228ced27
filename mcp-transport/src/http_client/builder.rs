//! [`StreamableHttpClientBuilder`]: the options of the Streamable HTTP client.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use mcp_types::ProtocolVersion;

use super::client::StreamableHttpClient;
use super::error::HttpClientError;

/// The options of a [`StreamableHttpClient`], with defaults fit for a local or
/// well-behaved remote server.
///
/// ```no_run
/// use std::time::Duration;
/// use mcp_transport::http_client::StreamableHttpClient;
///
/// # fn f() -> Result<(), mcp_transport::http_client::HttpClientError> {
/// let client = StreamableHttpClient::builder("http://127.0.0.1:8000/mcp")
///     .header("authorization", "Bearer secret")
///     .max_message_size(8 << 20)
///     .connect_timeout(Duration::from_secs(5))
///     .build()?;
/// # drop(client); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct StreamableHttpClientBuilder {
    url: String,
    error: Option<HttpClientError>,
    pub(crate) config: Config,
}

/// The resolved options, shared by the client's tasks.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) uri: Uri,
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
    pub(crate) protocol_version: Option<HeaderValue>,
    pub(crate) session_id: Option<HeaderValue>,
    pub(crate) max_message_size: usize,
    pub(crate) channel_capacity: usize,
    pub(crate) max_in_flight: usize,
    pub(crate) default_retry: Duration,
    pub(crate) max_retry: Duration,
    pub(crate) max_reconnect_attempts: u32,
    pub(crate) connect_timeout: Duration,
    pub(crate) get_stream: bool,
    pub(crate) learn_tool_headers: bool,
    pub(crate) renew_sessions: bool,
}

impl StreamableHttpClientBuilder {
    pub(crate) fn new(url: impl Into<String>) -> Self {
        StreamableHttpClientBuilder {
            url: url.into(),
            error: None,
            config: Config {
                uri: Uri::default(),
                url: String::new(),
                headers: HeaderMap::new(),
                protocol_version: None,
                session_id: None,
                max_message_size: 16 * 1024 * 1024,
                channel_capacity: 64,
                max_in_flight: 64,
                default_retry: Duration::from_secs(1),
                max_retry: Duration::from_secs(60),
                max_reconnect_attempts: 5,
                connect_timeout: Duration::from_secs(10),
                get_stream: true,
                learn_tool_headers: true,
                renew_sessions: true,
            },
        }
    }

    /// Adds a header to every request (e.g. `Authorization`). An invalid name or
    /// value makes [`build`](Self::build) fail.
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
    {
        let name = HeaderName::try_from(name);
        let value = HeaderValue::try_from(value);
        match (name, value) {
            (Ok(name), Ok(value)) => {
                self.config.headers.append(name, value);
            }
            (Ok(name), Err(_)) => {
                self.error
                    .get_or_insert(HttpClientError::InvalidHeader(name.to_string()));
            }
            (Err(_), _) => {
                self.error
                    .get_or_insert(HttpClientError::InvalidHeader("(invalid name)".into()));
            }
        }
        self
    }

    /// The `MCP-Protocol-Version` to send on session-era requests before an
    /// `initialize` response names the negotiated one (e.g. when resuming a
    /// session with [`session_id`](Self::session_id)). Fails for a string that
    /// is not a known revision.
    pub fn protocol_version_header(mut self, version: &str) -> Result<Self, HttpClientError> {
        let known = ProtocolVersion::parse(version)
            .ok_or_else(|| HttpClientError::UnknownProtocolVersion(version.to_owned()))?;
        self.config.protocol_version = Some(HeaderValue::from_static(known.as_str()));
        Ok(self)
    }

    /// Resumes an existing session: `Mcp-Session-Id` is sent from the first
    /// request on. An invalid value makes [`build`](Self::build) fail.
    pub fn session_id(mut self, id: &str) -> Self {
        match HeaderValue::from_str(id) {
            Ok(v) => self.config.session_id = Some(v),
            Err(_) => {
                self.error
                    .get_or_insert(HttpClientError::InvalidHeader("mcp-session-id".into()));
            }
        }
        self
    }

    /// The largest JSON response body and the largest SSE event accepted.
    /// A larger JSON body fails its request; a larger event is skipped.
    /// Default: 16 MiB.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes.max(1);
        self
    }

    /// How many received messages wait for the reader before the HTTP streams
    /// stop reading. Default: 64.
    pub fn channel_capacity(mut self, n: usize) -> Self {
        self.config.channel_capacity = n.max(1);
        self
    }

    /// How many `POST`s may be in flight at once (a request's SSE stream counts
    /// until it ends); the writer waits beyond. Default: 64.
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.config.max_in_flight = n.max(1);
        self
    }

    /// The delay before reconnecting an SSE stream when the server sent no
    /// `retry` field. Default: 1 s.
    pub fn default_retry(mut self, delay: Duration) -> Self {
        self.config.default_retry = delay;
        self
    }

    /// The longest reconnection delay honoured, whatever `retry` says.
    /// Default: 60 s.
    pub fn max_retry(mut self, delay: Duration) -> Self {
        self.config.max_retry = delay;
        self
    }

    /// How many reconnections in a row may fail (error status, network error,
    /// or a stream that ended with nothing new) before a stream is given up.
    /// Default: 5.
    pub fn max_reconnect_attempts(mut self, n: u32) -> Self {
        self.config.max_reconnect_attempts = n;
        self
    }

    /// How long connecting to the server may take. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Whether to open the session's standalone `GET` stream once
    /// `notifications/initialized` is accepted. Default: `true`.
    pub fn get_stream(mut self, enabled: bool) -> Self {
        self.config.get_stream = enabled;
        self
    }

    /// Whether a session the server ended (HTTP 404 to a request carrying
    /// `Mcp-Session-Id`) is replaced by a new one: the transport repeats the
    /// last `initialize` without a session id, sends
    /// `notifications/initialized`, and sends the requests that met the 404
    /// again, once. When off, or when that handshake fails, the reader yields
    /// [`SessionExpired`](super::SessionExpired) instead. Default: `true`.
    pub fn renew_sessions(mut self, enabled: bool) -> Self {
        self.config.renew_sessions = enabled;
        self
    }

    /// Whether the transport learns the `Mcp-Param-{Name}` headers of each tool
    /// from the `tools/list` results of 2026-07-28 requests, and drops from
    /// those results the tools whose `x-mcp-header` annotations are invalid (as
    /// the specification requires of Streamable HTTP clients). Turn it off when
    /// the client layer calls
    /// [`HttpClientHandle::set_tool_headers`](super::HttpClientHandle::set_tool_headers)
    /// itself. Default: `true`.
    pub fn learn_tool_headers(mut self, enabled: bool) -> Self {
        self.config.learn_tool_headers = enabled;
        self
    }

    /// Checks the options and builds the client. Nothing is sent until the
    /// first message.
    pub fn build(mut self) -> Result<StreamableHttpClient, HttpClientError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.config.uri = parse_url(&self.url)?;
        self.config.url = self.url;
        Ok(StreamableHttpClient::from_config(self.config))
    }
}

/// Parses an `http://` URL with a host.
pub(crate) fn parse_url(url: &str) -> Result<Uri, HttpClientError> {
    let uri: Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| HttpClientError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    match uri.scheme_str() {
        Some("http") => {}
        Some(other) => return Err(HttpClientError::UnsupportedScheme(other.to_owned())),
        None => {
            return Err(HttpClientError::InvalidUrl {
                url: url.to_owned(),
                reason: "an absolute `http://` URL is required".into(),
            });
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(HttpClientError::InvalidUrl {
            url: url.to_owned(),
            reason: "the URL has no host".into(),
        });
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(parse_url("http://127.0.0.1:3000/mcp").is_ok());
        assert_eq!(
            parse_url("https://example.com/mcp"),
            Err(HttpClientError::UnsupportedScheme("https".into()))
        );
        assert!(matches!(
            parse_url("/mcp"),
            Err(HttpClientError::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse_url("not a url"),
            Err(HttpClientError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn builder_errors() {
        let b = StreamableHttpClientBuilder::new("http://localhost/");
        assert!(matches!(
            b.clone().protocol_version_header("1999-01-01"),
            Err(HttpClientError::UnknownProtocolVersion(_))
        ));
        let b = b.header("x-ok", "1").header("bad name", "v");
        assert!(matches!(b.error, Some(HttpClientError::InvalidHeader(_))));
        let b = StreamableHttpClientBuilder::new("http://localhost/").header("x-a", "bad\nvalue");
        assert_eq!(b.error, Some(HttpClientError::InvalidHeader("x-a".into())));
    }
}
