//! [`Server`]: a router plus what every MCP server does the same way: the
//! handshake and version negotiation, `ping`, `logging/setLevel`,
//! `server/discover`, capability advertisement, change notifications and the
//! typed lifespan.

use std::future::Future;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use mcp_transport::{Transport, TransportError};
use mcp_types::{
    DiscoverRequest, DiscoverResult, EmptyResult, Implementation, InitializeRequest,
    InitializeResult, InitializedNotification, JsonObject, Meta, NotificationMethod, PingRequest,
    ProtocolVersion, RequestMethod, ServerCapabilities, SetLevelRequest, meta,
};
use serde_json::json;

use crate::HandlerError;
use crate::connection::{Connection, ConnectionConfig};
use crate::context::{NotificationContext, RequestContext};
use crate::mrtr::StateKey;
use crate::notify::{self, Notifier};
use crate::router::{CacheHint, Router, RouterConfig, RouterService};
use crate::service::BoxError;
use crate::session::ClientHello;

type Setup<S> = Box<dyn FnOnce() -> BoxFuture<'static, Result<S, BoxError>> + Send>;
type Teardown<S> = Box<dyn FnOnce(Arc<S>) -> BoxFuture<'static, ()> + Send>;

/// Which change notifications a server promises to send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListChanged {
    /// `notifications/tools/list_changed`.
    pub tools: bool,
    /// `notifications/prompts/list_changed`.
    pub prompts: bool,
    /// `notifications/resources/list_changed`.
    pub resources: bool,
    /// `resources/subscribe` and `notifications/resources/updated`.
    pub resource_subscriptions: bool,
}

/// An MCP server at the low level: handlers for methods, plus the protocol's
/// fixed parts.
///
/// ```
/// use mcp_lowlevel::{HandlerError, RequestContext, Server};
/// use mcp_types::{Implementation, ListToolsRequest, ListToolsResult};
///
/// let server = Server::new(Implementation::new("demo", "1.0.0"))
///     .instructions("Lists no tools.")
///     .request::<ListToolsRequest, _, _>(|_ctx: RequestContext<()>, _params| async move {
///         Ok::<_, HandlerError>(ListToolsResult::new(vec![]))
///     });
/// assert!(server.capabilities().tools.is_some());
/// ```
pub struct Server<S = ()> {
    info: Implementation,
    instructions: Option<String>,
    router: Router<S>,
    setup: Setup<S>,
    teardown: Option<Teardown<S>>,
    list_changed: ListChanged,
    extra_capabilities: ServerCapabilities,
    supported_versions: Vec<ProtocolVersion>,
    state_key: Option<StateKey>,
    cache_hints: Vec<(&'static str, CacheHint)>,
    connection: ConnectionConfig,
    notifier: Notifier,
    tasks: Option<crate::tasks::Tasks>,
}

impl<S> std::fmt::Debug for Server<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("info", &self.info)
            .field("router", &self.router)
            .finish_non_exhaustive()
    }
}

impl Server<()> {
    /// A server without application state.
    pub fn new(info: Implementation) -> Self {
        Server::with_lifespan(info, || async { Ok::<_, BoxError>(()) })
    }
}

impl<S: Send + Sync + 'static> Server<S> {
    /// A server whose state is built by `setup` before the first request
    /// (connect to a database, load a model, ...).
    pub fn with_lifespan<F, Fut>(info: Implementation, setup: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<S, BoxError>> + Send + 'static,
    {
        Server {
            info,
            instructions: None,
            router: Router::new(),
            setup: Box::new(move || Box::pin(setup())),
            teardown: None,
            list_changed: ListChanged::default(),
            extra_capabilities: ServerCapabilities::default(),
            supported_versions: ProtocolVersion::ALL.to_vec(),
            state_key: None,
            cache_hints: default_cache_hints(),
            connection: ConnectionConfig::default(),
            notifier: Notifier::new(),
            tasks: None,
        }
    }

    /// Runs `teardown` with the state when the server shuts down.
    pub fn teardown<F, Fut>(mut self, teardown: F) -> Self
    where
        F: FnOnce(Arc<S>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.teardown = Some(Box::new(move |s| Box::pin(teardown(s))));
        self
    }

    /// Instructions for the model, sent in `initialize` / `server/discover`.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Handles requests of method `M` (see [`Router::request`]).
    pub fn request<M, F, Fut>(mut self, handler: F) -> Self
    where
        M: RequestMethod,
        F: Fn(RequestContext<S>, M::Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<M::Result, HandlerError>> + Send + 'static,
    {
        self.router = self.router.request::<M, F, Fut>(handler);
        self
    }

    /// Handles notifications of method `N` (see [`Router::notification`]).
    pub fn notification<N, F, Fut>(mut self, handler: F) -> Self
    where
        N: NotificationMethod,
        F: Fn(NotificationContext<S>, N::Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.router = self.router.notification::<N, F, Fut>(handler);
        self
    }

    /// Declares the change notifications this server sends through its [`Notifier`].
    pub fn list_changed(mut self, list_changed: ListChanged) -> Self {
        self.list_changed = list_changed;
        self
    }

    /// Capabilities beyond those derived from the handlers (`experimental`,
    /// `extensions`); merged into what is advertised.
    pub fn extra_capabilities(mut self, capabilities: ServerCapabilities) -> Self {
        self.extra_capabilities = capabilities;
        self
    }

    /// Restricts the revisions served (all five by default).
    pub fn supported_versions(
        mut self,
        versions: impl IntoIterator<Item = ProtocolVersion>,
    ) -> Self {
        let mut v: Vec<_> = versions.into_iter().collect();
        v.sort();
        v.dedup();
        self.supported_versions = v;
        self
    }

    /// The key sealing `requestState` (random per process by default; share one
    /// between replicas behind a load balancer).
    pub fn state_key(mut self, key: StateKey) -> Self {
        self.state_key = Some(key);
        self
    }

    /// The caching hint of `method`'s 2026-07-28 results when handlers set none.
    pub fn cache_hint(mut self, method: &'static str, hint: CacheHint) -> Self {
        self.cache_hints.retain(|(m, _)| *m != method);
        self.cache_hints.push((method, hint));
        self
    }

    /// Limits of each connection.
    pub fn connection_config(mut self, config: ConnectionConfig) -> Self {
        self.connection = config;
        self
    }

    /// The handle that sends change notifications to every connected client.
    pub fn notifier(&self) -> Notifier {
        self.notifier.clone()
    }

    /// Serves the task methods from `tasks` and declares task support
    /// (`capabilities.tasks` for 2025-11-25, the `io.modelcontextprotocol/tasks`
    /// extension for 2026-07-28). Handlers create tasks with [`Tasks::run`](crate::tasks::Tasks::run).
    pub fn tasks(mut self, tasks: crate::tasks::Tasks) -> Self {
        self.tasks = Some(tasks);
        self
    }

    /// Uses `notifier` (created elsewhere, e.g. by a higher-level server) for
    /// change notifications.
    pub fn notifier_handle(mut self, notifier: Notifier) -> Self {
        self.notifier = notifier;
        self
    }

    /// The capabilities this server advertises, derived from its handlers.
    pub fn capabilities(&self) -> ServerCapabilities {
        derive_capabilities(
            &self.router,
            self.list_changed,
            &self.extra_capabilities,
            self.tasks.is_some(),
        )
    }

    /// Runs the lifespan setup and returns the running server.
    pub async fn start(self) -> Result<RunningServer<S>, BoxError> {
        let state = Arc::new((self.setup)().await?);
        let capabilities = derive_capabilities(
            &self.router,
            self.list_changed,
            &self.extra_capabilities,
            self.tasks.is_some(),
        );
        let shared = Arc::new(Shared {
            info: self.info.clone(),
            instructions: self.instructions,
            capabilities,
            supported: self.supported_versions.clone(),
            notifier: self.notifier.clone(),
            list_changed: self.list_changed,
        });
        let mut router = builtins(self.router, shared.clone());
        if let Some(tasks) = self.tasks {
            router = crate::tasks::routes(router, tasks);
        }
        let mut result_meta = Meta::new();
        result_meta.insert_as(meta::SERVER_INFO, &self.info);
        let config = RouterConfig {
            supported_versions: self.supported_versions,
            state_key: Arc::new(self.state_key.unwrap_or_else(StateKey::random)),
            result_meta: Some(result_meta),
            cache_hints: self.cache_hints,
            ..RouterConfig::server()
        };
        Ok(RunningServer {
            service: router.into_service(state.clone(), config),
            state,
            teardown: Mutex::new(self.teardown),
            connection: self.connection,
            notifier: self.notifier,
        })
    }

    /// Serves one connection on `transport` from start to teardown: the
    /// one-line way to run a stdio server.
    pub async fn serve<T: Transport>(self, transport: T) -> Result<(), BoxError> {
        let running = self.start().await?;
        let result = running.serve(transport).await;
        running.shutdown().await;
        result.map_err(Into::into)
    }
}

/// A started server: its lifespan state exists and it can serve connections.
pub struct RunningServer<S> {
    service: RouterService<S>,
    state: Arc<S>,
    teardown: Mutex<Option<Teardown<S>>>,
    connection: ConnectionConfig,
    notifier: Notifier,
}

impl<S> std::fmt::Debug for RunningServer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningServer")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> RunningServer<S> {
    /// The `tower::Service` answering one connection's messages; clone it for
    /// each connection (it shares the state and handlers).
    pub fn service(&self) -> RouterService<S> {
        self.service.clone()
    }

    /// The application state.
    pub fn state(&self) -> &Arc<S> {
        &self.state
    }

    /// The handle that sends change notifications to every connected client.
    pub fn notifier(&self) -> Notifier {
        self.notifier.clone()
    }

    /// The limits connections use.
    pub fn connection_config(&self) -> &ConnectionConfig {
        &self.connection
    }

    /// Serves one connection until the client goes away.
    pub async fn serve<T: Transport>(&self, transport: T) -> Result<(), TransportError> {
        Connection::new(self.connection.clone())
            .run(transport, self.service())
            .await
    }

    /// Answers one message without a connection, as a 2026-07-28 HTTP `POST`
    /// needs: see [`answer`](crate::answer).
    pub fn answer(&self, inbound: mcp_transport::Inbound) -> crate::AnswerStream {
        crate::answer(self.service(), inbound, self.connection.peer.clone())
    }

    /// Serves one connection through a tower layer stack around the router.
    pub async fn serve_with<T, L>(&self, transport: T, layer: L) -> Result<(), TransportError>
    where
        T: Transport,
        L: tower::Layer<RouterService<S>>,
        L::Service: crate::McpService,
    {
        Connection::new(self.connection.clone())
            .run(transport, layer.layer(self.service()))
            .await
    }

    /// Runs the lifespan teardown (once).
    pub async fn shutdown(&self) {
        let teardown = crate::peer::lock(&self.teardown).take();
        if let Some(teardown) = teardown {
            teardown(self.state.clone()).await;
        }
    }
}

pub(crate) struct Shared {
    pub(crate) info: Implementation,
    pub(crate) instructions: Option<String>,
    pub(crate) capabilities: ServerCapabilities,
    pub(crate) supported: Vec<ProtocolVersion>,
    pub(crate) notifier: Notifier,
    pub(crate) list_changed: ListChanged,
}

fn default_cache_hints() -> Vec<(&'static str, CacheHint)> {
    let private = CacheHint {
        ttl_ms: 0,
        public: false,
    };
    [
        "server/discover",
        "tools/list",
        "prompts/list",
        "resources/list",
        "resources/templates/list",
        "resources/read",
    ]
    .into_iter()
    .map(|m| (m, private))
    .collect()
}

fn derive_capabilities<S: Send + Sync + 'static>(
    router: &Router<S>,
    list_changed: ListChanged,
    extra: &ServerCapabilities,
    tasks: bool,
) -> ServerCapabilities {
    let flag = |on: bool| on.then_some(true);
    let mut caps: ServerCapabilities = serde_json::from_value(json!({
        "logging": {},
    }))
    .unwrap_or_default();
    if router.has_method("tools/list") || router.has_method("tools/call") {
        caps.tools =
            serde_json::from_value(json!({ "listChanged": flag(list_changed.tools) })).ok();
    }
    if router.has_method("prompts/list") || router.has_method("prompts/get") {
        caps.prompts =
            serde_json::from_value(json!({ "listChanged": flag(list_changed.prompts) })).ok();
    }
    if router.has_method("resources/list")
        || router.has_method("resources/read")
        || router.has_method("resources/templates/list")
    {
        caps.resources = serde_json::from_value(json!({
            "listChanged": flag(list_changed.resources),
            "subscribe": flag(list_changed.resource_subscriptions || router.has_method("resources/subscribe")),
        }))
        .ok();
    }
    if router.has_method("completion/complete") {
        caps.completions = Some(JsonObject::new());
    }
    caps.experimental = extra.experimental.clone();
    caps.extensions = extra.extensions.clone();
    if tasks {
        caps.tasks = serde_json::from_value(json!({
            "list": {},
            "cancel": {},
            "requests": { "tools": { "call": {} } },
        }))
        .ok();
        caps.extensions
            .get_or_insert_with(Default::default)
            .entry(crate::tasks::EXTENSION_ID.to_owned())
            .or_default();
    }
    strip_nulls(caps)
}

/// `listChanged: null` is not valid on the wire; drop what `json!` left unset.
fn strip_nulls(caps: ServerCapabilities) -> ServerCapabilities {
    let mut v = serde_json::to_value(&caps).unwrap_or_default();
    fn walk(v: &mut serde_json::Value) {
        if let serde_json::Value::Object(m) = v {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(walk);
        }
    }
    walk(&mut v);
    serde_json::from_value(v).unwrap_or(caps)
}

/// Adds the protocol's fixed handlers, unless the application brought its own.
fn builtins<S: Send + Sync + 'static>(mut router: Router<S>, shared: Arc<Shared>) -> Router<S> {
    if !router.has_method(InitializeRequest::METHOD) {
        let shared = shared.clone();
        router =
            router.request::<InitializeRequest, _, _>(move |ctx: RequestContext<S>, params| {
                let shared = shared.clone();
                async move {
                    let session_versions: Vec<_> = shared
                        .supported
                        .iter()
                        .copied()
                        .filter(|v| !v.is_stateless())
                        .collect();
                    let version = ProtocolVersion::parse(&params.protocol_version)
                        .filter(|v| session_versions.contains(v))
                        .or_else(|| session_versions.last().copied())
                        .ok_or_else(|| {
                            HandlerError::invalid_params(
                                "this server serves no session-era revision",
                            )
                        })?;
                    let session = ctx.peer().session();
                    session.set_client(ClientHello {
                        info: Arc::new(params.client_info),
                        capabilities: Arc::new(params.capabilities),
                    });
                    if session.protocol_version().is_none() {
                        // Subscribe now so no change between this answer and
                        // `notifications/initialized` is missed.
                        tokio::spawn(notify::forward_to_session(
                            shared.notifier.subscribe(),
                            ctx.peer().unrelated(),
                        ));
                    }
                    session.set_protocol_version(version);
                    let mut result = InitializeResult::new(
                        shared.capabilities.clone(),
                        version.as_str(),
                        shared.info.clone(),
                    );
                    result.instructions = shared.instructions.clone();
                    Ok(result)
                }
            });
    }
    if !router.has_method(PingRequest::METHOD) {
        router = router.request::<PingRequest, _, _>(|_ctx: RequestContext<S>, _params| async {
            Ok(EmptyResult::default())
        });
    }
    if !router.has_method(SetLevelRequest::METHOD) {
        router =
            router.request::<SetLevelRequest, _, _>(|ctx: RequestContext<S>, params| async move {
                ctx.peer().session().set_log_level(params.level);
                Ok(EmptyResult::default())
            });
    }
    if !router.has_method(DiscoverRequest::METHOD) {
        let shared = shared.clone();
        router =
            router.request::<DiscoverRequest, _, _>(move |_ctx: RequestContext<S>, _params| {
                let shared = shared.clone();
                async move {
                    let supported: Vec<&str> =
                        shared.supported.iter().map(|v| v.as_str()).collect();
                    let result: DiscoverResult = serde_json::from_value(json!({
                        "supportedVersions": supported,
                        "capabilities": shared.capabilities,
                        "instructions": shared.instructions,
                        "ttlMs": 0,
                        "cacheScope": "private",
                        "resultType": "complete",
                    }))
                    .map_err(|e| HandlerError::internal(e.to_string()))?;
                    Ok(result)
                }
            });
    }
    let listed = shared.list_changed;
    if (listed.tools || listed.prompts || listed.resources || listed.resource_subscriptions)
        && !router.has_method("subscriptions/listen")
    {
        router = notify::listen_route(router, shared.notifier.clone());
    }
    if listed.resource_subscriptions && !router.has_method("resources/subscribe") {
        router = notify::subscribe_routes(router);
    }
    router.notification::<InitializedNotification, _, _>(
        |ctx: NotificationContext<S>, _params| async move {
            ctx.peer().session().set_initialized();
        },
    )
}
