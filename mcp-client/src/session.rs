//! [`ClientSession`]: a connection to one server, its engine task, and what
//! the session learned about the server.

use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Instant;

use futures::StreamExt;
use mcp_lowlevel::{CancellationToken, Connection, ConnectionConfig, Peer, PeerConfig};
use mcp_transport::Transport;
use mcp_types::{
    Implementation, LoggingLevel, ProtocolVersion, RequestMethod, Revisioned, ServerCapabilities,
    SubscriptionFilter,
};
use tokio::task::JoinHandle;

use crate::builder::{ClientSessionBuilder, SessionConfig};
use crate::closing::Closeable;
use crate::error::{ClientError, Result};
use crate::handshake::{self, Identity};
use crate::listen::Subscription;
use crate::mrtr::{Answer, CallOptions, Round};
use crate::service::{ClientService, Shared, lock};

/// A session with one MCP server: typed methods for every request a client
/// sends, answered callbacks for what the server asks, in either protocol era.
///
/// The connection's engine runs in a task of its own; the session is a cheap
/// handle to it (clone it freely). Closing it, with [`close`](Self::close) or
/// by dropping the last clone, closes the transport; a spawned server process
/// is then shut down (stdin closed, then `SIGTERM`, then `SIGKILL`).
///
/// ```
/// use mcp_client::ClientSession;
/// use mcp_lowlevel::{HandlerError, RequestContext, Server};
/// use mcp_types::{CallToolRequest, CallToolResult, ContentBlock, Implementation, ListToolsRequest, ListToolsResult, Tool};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> mcp_client::Result<()> {
/// let server = Server::new(Implementation::new("echo", "1.0.0"))
///     .request::<ListToolsRequest, _, _>(|_ctx: RequestContext<()>, _p| async move {
///         let tool: Tool = serde_json::from_value(serde_json::json!({"name": "echo", "inputSchema": {"type": "object"}})).unwrap();
///         Ok::<_, HandlerError>(ListToolsResult::new(vec![tool]))
///     })
///     .request::<CallToolRequest, _, _>(|_ctx: RequestContext<()>, p| async move {
///         let text = p.arguments.and_then(|a| a.get("text").cloned()).unwrap_or_default();
///         Ok::<_, HandlerError>(CallToolResult::success([ContentBlock::text(text.to_string())]))
///     });
/// let (client_end, server_end) = mcp_transport::memory::pair();
/// tokio::spawn(server.serve(server_end));
///
/// let session = ClientSession::connect(client_end).await?;
/// assert_eq!(session.protocol_version(), mcp_types::ProtocolVersion::V2026_07_28);
/// let tools = session.list_all_tools().await?;
/// assert_eq!(tools[0].name, "echo");
/// let result = session.call_tool("echo", serde_json::json!({"text": "hi"})).await?;
/// assert_eq!(result.content[0].as_text(), Some("\"hi\""));
/// session.close().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientSession {
    pub(crate) inner: Arc<Inner>,
}

/// A handle to a session that does not keep it open; for callbacks that need
/// to call back into their own session.
#[derive(Debug, Clone)]
pub struct WeakClientSession(Weak<Inner>);

impl WeakClientSession {
    /// The session, while some [`ClientSession`] still holds it.
    pub fn upgrade(&self) -> Option<ClientSession> {
        self.0.upgrade().map(|inner| ClientSession { inner })
    }
}

pub(crate) struct Inner {
    pub(crate) peer: Peer,
    pub(crate) shared: Arc<Shared>,
    pub(crate) config: SessionConfig,
    pub(crate) version: ProtocolVersion,
    pub(crate) identity: RwLock<Identity>,
    pub(crate) log_level: Mutex<Option<LoggingLevel>>,
    close: CancellationToken,
    engine: Mutex<Option<JoinHandle<()>>>,
    background: Mutex<Option<JoinHandle<()>>>,
    #[cfg(feature = "child-process")]
    process: Option<mcp_transport::ChildProcess>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.close.cancel();
        if let Some(task) = lock(&self.background).take() {
            task.abort();
        }
    }
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let identity = self
            .inner
            .identity
            .read()
            .unwrap_or_else(|e| e.into_inner());
        f.debug_struct("ClientSession")
            .field("version", &self.inner.version)
            .field("server", &identity.server_info.as_ref().map(|i| &i.name))
            .finish_non_exhaustive()
    }
}

#[cfg(not(feature = "child-process"))]
type ProcessHandle = Option<std::convert::Infallible>;
#[cfg(feature = "child-process")]
type ProcessHandle = Option<mcp_transport::ChildProcess>;

impl ClientSession {
    /// Starts describing a session: identity, callbacks, limits.
    pub fn builder() -> ClientSessionBuilder {
        ClientSessionBuilder::default()
    }

    /// Connects over `transport` with the default settings (no callbacks,
    /// [`VersionChoice::Auto`](crate::VersionChoice::Auto)).
    pub async fn connect<T: Transport>(transport: T) -> Result<ClientSession> {
        ClientSession::builder().connect(transport).await
    }

    /// Spawns `command` with `args` as a server process, with the default
    /// settings, and connects to it over its stdio.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> mcp_client::Result<()> {
    /// let session = mcp_client::ClientSession::spawn("uvx", ["mcp-server-time"]).await?;
    /// println!("{:?}", session.list_all_tools().await?);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "child-process")]
    pub async fn spawn<I, S>(
        command: impl Into<std::ffi::OsString>,
        args: I,
    ) -> Result<ClientSession>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        ClientSession::builder().spawn(command, args).await
    }

    /// Spawns the server process `process` describes, with the default
    /// settings, and connects to it.
    #[cfg(feature = "child-process")]
    pub async fn spawn_with(process: mcp_transport::ChildProcessBuilder) -> Result<ClientSession> {
        ClientSession::builder().spawn_with(process).await
    }

    /// Connects to the MCP endpoint at `url` with the default settings:
    /// Streamable HTTP, falling back to the legacy HTTP+SSE transport for
    /// servers that refuse it (see [`ClientSessionBuilder::connect_url`]).
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> mcp_client::Result<()> {
    /// let session = mcp_client::ClientSession::connect_url("http://127.0.0.1:8000/mcp").await?;
    /// println!("{}", session.protocol_version());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "http")]
    pub async fn connect_url(url: impl Into<String>) -> Result<ClientSession> {
        ClientSession::builder().connect_url(url).await
    }

    pub(crate) async fn start<T: Transport>(
        builder: ClientSessionBuilder,
        transport: T,
        process: ProcessHandle,
    ) -> Result<ClientSession> {
        let ClientSessionBuilder { config, callbacks } = builder;
        let connection = Connection::new(ConnectionConfig {
            peer: PeerConfig {
                request_timeout: config.request_timeout,
                ..PeerConfig::default()
            },
            ..ConnectionConfig::default()
        });
        let peer = connection.peer().clone();
        let shared = Arc::new(Shared::new(callbacks));
        let close = CancellationToken::new();
        let transport = Closeable {
            inner: transport,
            signal: close.clone(),
        };
        let service = ClientService::new(shared.clone());
        let engine = tokio::spawn(async move {
            if let Err(e) = connection.run(transport, service).await {
                tracing::debug!(error = %e, "client connection ended with an error");
            }
        });
        let identity = match handshake::negotiate(&peer, &config, &shared.callbacks).await {
            Ok(identity) => identity,
            Err(e) => {
                close.cancel();
                return Err(e);
            }
        };
        let version = identity.version;
        if version.is_stateless() {
            peer.session().set_protocol_version(version);
        }
        let filter = change_filter(&config, &shared, &identity);
        let inner = Arc::new(Inner {
            peer,
            shared,
            config,
            version,
            identity: RwLock::new(identity),
            log_level: Mutex::new(None),
            close,
            engine: Mutex::new(Some(engine)),
            background: Mutex::new(None),
            #[cfg(feature = "child-process")]
            process,
        });
        #[cfg(not(feature = "child-process"))]
        let _ = process;
        if let Some(filter) = filter {
            let peer = inner.peer.clone();
            let shared = inner.shared.clone();
            let task = tokio::spawn(async move {
                match Subscription::open(&peer, shared.clone(), filter).await {
                    Ok(mut changes) => {
                        while let Some(event) = changes.next().await {
                            shared.run_callbacks(event);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not open `subscriptions/listen` for change callbacks")
                    }
                }
            });
            *lock(&inner.background) = Some(task);
        }
        Ok(ClientSession { inner })
    }

    /// A handle that does not keep the session open.
    pub fn downgrade(&self) -> WeakClientSession {
        WeakClientSession(Arc::downgrade(&self.inner))
    }

    /// Closes the session: ends the transport after what is in flight is
    /// done, and waits for the engine (and a spawned server process) to stop.
    /// Calls still waiting fail with [`ClientError::Closed`].
    pub async fn close(&self) -> Result<()> {
        self.inner.close.cancel();
        if let Some(task) = lock(&self.inner.background).take() {
            task.abort();
        }
        let engine = lock(&self.inner.engine).take();
        match engine {
            Some(engine) => {
                let _ = engine.await;
            }
            None => self.inner.peer.closed().await,
        }
        #[cfg(feature = "child-process")]
        if let Some(process) = &self.inner.process {
            let _ = process.wait().await;
        }
        Ok(())
    }

    /// Whether the connection has ended.
    pub fn is_closed(&self) -> bool {
        self.inner.peer.is_closed()
    }

    /// Resolves when the connection has ended (the server went away or the
    /// session was closed).
    pub async fn closed(&self) {
        self.inner.peer.closed().await;
    }

    /// The revision the session speaks.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.inner.version
    }

    /// The server's name and version: from `initialize`, or under 2026-07-28
    /// from the `serverInfo` of `server/discover`'s `_meta` (`None` when the
    /// server did not say).
    pub fn server_info(&self) -> Option<Implementation> {
        self.identity().server_info
    }

    /// What the server said it can do.
    pub fn server_capabilities(&self) -> ServerCapabilities {
        self.identity().capabilities
    }

    /// The server's instructions for the model, if any.
    pub fn instructions(&self) -> Option<String> {
        self.identity().instructions
    }

    /// The spawned server process, for sessions made by `spawn`.
    #[cfg(feature = "child-process")]
    pub fn process(&self) -> Option<&mcp_transport::ChildProcess> {
        self.inner.process.as_ref()
    }

    /// The connection's peer handle, for requests this crate has no method for.
    /// (Requests sent through it get the session's `_meta`, but no
    /// Multi Round-Trip handling; prefer [`request`](Self::request).)
    pub fn peer(&self) -> &Peer {
        &self.inner.peer
    }

    /// Drops every cached list result.
    pub fn clear_cache(&self) {
        self.inner.shared.cache.clear();
    }

    /// Sends any typed request, with Multi Round-Trip handling, and returns its result.
    ///
    /// Fails with [`ClientError::NotInRevision`] when `M` does not exist in
    /// the session's revision.
    pub async fn request<M: RequestMethod>(
        &self,
        params: M::Params,
        options: CallOptions,
    ) -> Result<M::Result> {
        self.inner
            .send::<M>(params, &options)
            .await?
            .parse(M::METHOD)
    }

    /// Opens a 2026-07-28 `subscriptions/listen` stream for the notifications
    /// `filter` asks for, once the server has acknowledged it.
    ///
    /// The session era has no such request: there the server sends change
    /// notifications directly (see the `on_*` callbacks of the builder).
    pub async fn listen(&self, filter: SubscriptionFilter) -> Result<Subscription> {
        self.inner.require_stateless("subscriptions/listen", "")?;
        Subscription::open(&self.inner.peer, self.inner.shared.clone(), filter).await
    }

    fn identity(&self) -> Identity {
        self.inner
            .identity
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The server's `server/discover` answer (2026-07-28), read again when the
    /// previous one's `ttlMs` has passed; refreshes
    /// [`server_capabilities`](Self::server_capabilities) and
    /// [`instructions`](Self::instructions).
    pub async fn discover(&self) -> Result<ServerCapabilities> {
        self.inner.require_stateless("server/discover", "")?;
        let fresh = self
            .identity()
            .fresh_until
            .is_some_and(|t| t > Instant::now());
        if !fresh {
            let identity = self.inner.rediscover().await?;
            *self
                .inner
                .identity
                .write()
                .unwrap_or_else(|e| e.into_inner()) = identity;
        }
        Ok(self.server_capabilities())
    }
}

impl Inner {
    /// Sends `M` conformed to the session's revision, running MRTR rounds.
    pub(crate) async fn send<M: RequestMethod>(
        &self,
        mut params: M::Params,
        options: &CallOptions,
    ) -> Result<Answer> {
        if !M::REVISIONS.contains(self.version) {
            return Err(ClientError::NotInRevision {
                method: M::METHOD,
                version: self.version,
                hint: "",
            });
        }
        params.conform_to(self.version);
        let value =
            serde_json::to_value(&params).map_err(|e| ClientError::Encode(e.to_string()))?;
        let round = Round {
            peer: &self.peer,
            shared: &self.shared,
            version: self.version,
            max_rounds: self.config.max_input_rounds,
        };
        round.run(M::METHOD, value, options).await
    }

    pub(crate) fn require_stateless(&self, method: &'static str, hint: &'static str) -> Result<()> {
        if self.version.is_stateless() {
            Ok(())
        } else {
            Err(ClientError::NotInRevision {
                method,
                version: self.version,
                hint,
            })
        }
    }

    pub(crate) async fn rediscover(&self) -> Result<Identity> {
        let level = *lock(&self.log_level);
        handshake::rediscover(
            &self.peer,
            &self.config,
            &self.shared.callbacks,
            self.version,
            level,
        )
        .await
    }
}

/// The change kinds a 2026-07-28 session listens for on behalf of its callbacks.
fn change_filter(
    config: &SessionConfig,
    shared: &Shared,
    identity: &Identity,
) -> Option<SubscriptionFilter> {
    if !config.listen_for_changes || !identity.version.is_stateless() {
        return None;
    }
    let caps = &identity.capabilities;
    let (tools, prompts, resources) = shared.callbacks.list_changed_wanted();
    let tools = tools && handshake::promises_list_changed(caps.tools.as_ref());
    let prompts = prompts && handshake::promises_list_changed(caps.prompts.as_ref());
    let resources = resources && handshake::promises_list_changed(caps.resources.as_ref());
    if !(tools || prompts || resources) {
        return None;
    }
    Some(SubscriptionFilter {
        tools_list_changed: tools.then_some(true),
        prompts_list_changed: prompts.then_some(true),
        resources_list_changed: resources.then_some(true),
        ..Default::default()
    })
}
