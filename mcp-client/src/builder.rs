//! [`ClientSessionBuilder`]: who the client is, what it answers, and how it
//! connects.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use mcp_transport::Transport;
use mcp_types::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    Implementation, JsonRpcNotification, LoggingMessageNotificationParams, ProtocolVersion,
    ResourceUpdatedNotificationParams, Root,
};

use crate::ClientSession;
use crate::callbacks::{CallbackResult, Callbacks, boxed_async};
use crate::error::Result;

/// Which protocol revision a session speaks.
///
/// ```
/// use mcp_client::{ClientSession, VersionChoice};
/// use mcp_types::ProtocolVersion;
///
/// let builder = ClientSession::builder()
///     .protocol_version(VersionChoice::Fixed(ProtocolVersion::V2025_06_18));
/// # drop(builder);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VersionChoice {
    /// Probe `server/discover` (2026-07-28) and fall back to the `initialize`
    /// handshake (newest session-era revision) when the server does not answer
    /// as a 2026-07-28 server.
    #[default]
    Auto,
    /// Speak this revision: `initialize` with it for a session-era revision
    /// (the server's answer must name a revision this client supports, as
    /// the spec's negotiation allows), `server/discover` for 2026-07-28.
    Fixed(ProtocolVersion),
}

/// Limits and choices of one session, fixed when it connects.
#[derive(Debug, Clone)]
pub(crate) struct SessionConfig {
    pub(crate) info: Implementation,
    pub(crate) version: VersionChoice,
    pub(crate) request_timeout: Duration,
    pub(crate) discover_timeout: Duration,
    pub(crate) max_input_rounds: usize,
    pub(crate) max_list_pages: usize,
    pub(crate) listen_for_changes: bool,
}

/// Describes a [`ClientSession`] before it connects: the client's identity,
/// its callbacks (which also decide the capabilities it advertises) and its
/// limits. Made by [`ClientSession::builder`].
///
/// | callback | answers / receives | advertises |
/// | --- | --- | --- |
/// | [`sampling`](Self::sampling) | `sampling/createMessage` | `sampling: {}` |
/// | [`elicitation`](Self::elicitation) | `elicitation/create` | `elicitation: {form: {}, url: {}}` (`{}` in 2025-06-18) |
/// | [`roots`](Self::roots) | `roots/list` | `roots: {listChanged: true}` (`{}` in 2026-07-28) |
/// | [`on_logging`](Self::on_logging) | `notifications/message` | |
/// | [`on_tools_list_changed`](Self::on_tools_list_changed) and the others | `notifications/*/list_changed` | |
/// | [`on_resource_updated`](Self::on_resource_updated) | `notifications/resources/updated` | |
/// | [`on_message`](Self::on_message) | every notification, before the others | |
///
/// In the session era the server sends its requests directly; under
/// 2026-07-28 they arrive as `inputRequests` of an `input_required` result,
/// and the session answers them with the same callbacks and retries the call.
///
/// Notification callbacks run on the connection's task: they must return
/// quickly (spawn a task for real work). A callback that holds a clone of the
/// session keeps it open until [`ClientSession::close`] is called.
///
/// ```
/// use mcp_client::{ClientSession, sampled_text};
/// use mcp_types::Implementation;
///
/// # async fn run(transport: mcp_transport::memory::MemoryTransport) -> mcp_client::Result<()> {
/// let session = ClientSession::builder()
///     .client_info(Implementation::new("my-app", "1.0.0"))
///     .sampling(|params| async move {
///         let _ = params.messages; // A real client asks a model here.
///         Ok(sampled_text("my-model", "hello from the model"))
///     })
///     .on_logging(|log| eprintln!("server log: {:?}", log.data))
///     .connect(transport)
///     .await?;
/// # drop(session); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ClientSessionBuilder {
    pub(crate) config: SessionConfig,
    pub(crate) callbacks: Callbacks,
}

impl Default for ClientSessionBuilder {
    fn default() -> Self {
        ClientSessionBuilder {
            config: SessionConfig {
                info: Implementation::new("mcp-rs-client", env!("CARGO_PKG_VERSION")),
                version: VersionChoice::Auto,
                request_timeout: Duration::from_secs(60),
                discover_timeout: Duration::from_secs(5),
                max_input_rounds: 8,
                max_list_pages: 100,
                listen_for_changes: true,
            },
            callbacks: Callbacks::default(),
        }
    }
}

impl ClientSessionBuilder {
    /// The client's name and version, sent as `clientInfo`.
    pub fn client_info(mut self, info: Implementation) -> Self {
        self.config.info = info;
        self
    }

    /// Answers `sampling/createMessage`: run the messages through a model.
    pub fn sampling<F, Fut>(mut self, callback: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CallbackResult<CreateMessageResult>> + Send + 'static,
    {
        self.callbacks.sampling = Some(boxed_async(callback));
        self
    }

    /// Answers `elicitation/create`: ask the user (a form, or from 2025-11-25
    /// a URL to open). See [`accept_with_defaults`](crate::accept_with_defaults)
    /// for filling a form's defaults.
    pub fn elicitation<F, Fut>(mut self, callback: F) -> Self
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CallbackResult<ElicitResult>> + Send + 'static,
    {
        self.callbacks.elicitation = Some(boxed_async(callback));
        self
    }

    /// Answers `roots/list`: the directories or files the server may work in.
    /// Call [`ClientSession::notify_roots_changed`] when they change.
    pub fn roots<F, Fut>(mut self, callback: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CallbackResult<Vec<Root>>> + Send + 'static,
    {
        self.callbacks.roots = Some(boxed_async(move |()| callback()));
        self
    }

    /// Receives `notifications/message` (server logs). Under 2026-07-28 the
    /// server sends logs only when asked: see [`ClientSession::set_logging_level`].
    pub fn on_logging(
        mut self,
        callback: impl Fn(LoggingMessageNotificationParams) + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.logging = Some(Arc::new(callback));
        self
    }

    /// Called on `notifications/tools/list_changed` (after the cached tool
    /// list is dropped).
    pub fn on_tools_list_changed(mut self, callback: impl Fn() + Send + Sync + 'static) -> Self {
        self.callbacks.tools_list_changed = Some(Arc::new(move |()| callback()));
        self
    }

    /// Called on `notifications/prompts/list_changed`.
    pub fn on_prompts_list_changed(mut self, callback: impl Fn() + Send + Sync + 'static) -> Self {
        self.callbacks.prompts_list_changed = Some(Arc::new(move |()| callback()));
        self
    }

    /// Called on `notifications/resources/list_changed`.
    pub fn on_resources_list_changed(
        mut self,
        callback: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.resources_list_changed = Some(Arc::new(move |()| callback()));
        self
    }

    /// Called on `notifications/resources/updated` for a resource subscribed
    /// with [`ClientSession::subscribe_resource`].
    pub fn on_resource_updated(
        mut self,
        callback: impl Fn(ResourceUpdatedNotificationParams) + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.resource_updated = Some(Arc::new(callback));
        self
    }

    /// Sees every notification the server sends, before the typed callbacks
    /// (including those a [`Subscription`](crate::Subscription) receives).
    pub fn on_message(
        mut self,
        callback: impl Fn(&JsonRpcNotification) + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.any_message = Some(Arc::new(callback));
        self
    }

    /// Which revision to speak ([`VersionChoice::Auto`] by default).
    pub fn protocol_version(mut self, choice: VersionChoice) -> Self {
        self.config.version = choice;
        self
    }

    /// How long each request waits for its answer unless told otherwise
    /// (60 s by default); see [`CallOptions::timeout`](crate::CallOptions::timeout).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// How long [`VersionChoice::Auto`] waits for `server/discover` before
    /// assuming a session-era server (5 s by default).
    pub fn discover_timeout(mut self, timeout: Duration) -> Self {
        self.config.discover_timeout = timeout;
        self
    }

    /// How many times one call may be answered `input_required` and retried
    /// (8 by default); beyond it the call fails with
    /// [`ClientError::TooManyInputRounds`](crate::ClientError::TooManyInputRounds).
    pub fn max_input_rounds(mut self, rounds: usize) -> Self {
        self.config.max_input_rounds = rounds;
        self
    }

    /// How many pages the `list_all_*` methods follow at most (100 by default).
    pub fn max_list_pages(mut self, pages: usize) -> Self {
        self.config.max_list_pages = pages.max(1);
        self
    }

    /// Under 2026-07-28, whether the session opens a `subscriptions/listen`
    /// stream of its own for the list-changed callbacks that are set and that
    /// the server's capabilities promise (on by default). The session era
    /// needs no stream: the server sends the notifications directly.
    pub fn listen_for_changes(mut self, on: bool) -> Self {
        self.config.listen_for_changes = on;
        self
    }

    /// Connects over `transport`: starts the engine, settles the protocol
    /// revision, and returns the session.
    pub async fn connect<T: Transport>(self, transport: T) -> Result<ClientSession> {
        ClientSession::start(self, transport, None).await
    }

    /// Spawns `command` with `args` as a server process and connects to it
    /// over its stdio.
    #[cfg(feature = "child-process")]
    pub async fn spawn<I, S>(
        self,
        command: impl Into<std::ffi::OsString>,
        args: I,
    ) -> Result<ClientSession>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.spawn_with(mcp_transport::ChildProcess::builder(command).args(args))
            .await
    }

    /// Spawns the server process `process` describes (environment, working
    /// directory, stderr handling) and connects to it. The process is shut
    /// down when the session closes.
    #[cfg(feature = "child-process")]
    pub async fn spawn_with(
        self,
        process: mcp_transport::ChildProcessBuilder,
    ) -> Result<ClientSession> {
        let transport = process.spawn()?;
        let handle = transport.process().clone();
        ClientSession::start(self, transport, Some(handle)).await
    }

    /// Connects to the Streamable HTTP endpoint at `url` (`http://host:port/mcp`).
    ///
    /// The transport sends what each era needs: under 2026-07-28 the
    /// `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*`
    /// headers; in the session era `Mcp-Session-Id` and the negotiated
    /// version, with the standalone `GET` stream and SSE resumption.
    ///
    /// When the server refuses the Streamable HTTP handshake (e.g. HTTP 400,
    /// 404 or 405), the session falls back to the deprecated HTTP+SSE
    /// transport of 2024-11-05: a `GET` of `url` whose first SSE event is
    /// `endpoint`, as the specification's backwards-compatibility rules
    /// describe (see [`connect_sse`](Self::connect_sse)).
    #[cfg(feature = "http")]
    pub async fn connect_url(self, url: impl Into<String>) -> Result<ClientSession> {
        crate::legacy_sse::connect_url(self, url.into()).await
    }

    /// Connects over the deprecated HTTP+SSE transport of 2024-11-05 only:
    /// `client` opens the SSE stream and posts to the `endpoint` it names.
    /// The transport belongs to the session era, so [`VersionChoice::Auto`]
    /// means the `initialize` handshake here.
    #[cfg(feature = "http")]
    pub async fn connect_sse(
        self,
        client: mcp_transport::sse_legacy::SseClientBuilder,
    ) -> Result<ClientSession> {
        crate::legacy_sse::connect_sse(self, client).await
    }

    /// Connects with an HTTP client set up beforehand (extra headers such as
    /// `Authorization`, timeouts, limits).
    #[cfg(feature = "http")]
    pub async fn connect_http(
        self,
        client: mcp_transport::http_client::StreamableHttpClientBuilder,
    ) -> Result<ClientSession> {
        self.connect(client.build()?).await
    }
}
