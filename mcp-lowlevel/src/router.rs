//! [`Router`]: a table from method to typed handler, and [`RouterService`], the
//! `tower::Service` that runs it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use mcp_types::{
    ClientCapabilities, ErrorCode, ErrorObject, JsonRpcMessage, JsonRpcRequest,
    JsonRpcResultResponse, LoggingLevel, Meta, NotificationMethod, ProtocolVersion, RequestId,
    RequestMethod, Revisioned, Revisions, meta,
};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tracing::Instrument;

use crate::HandlerError;
use crate::context::{LogFilter, NotificationContext, RequestContext};
use crate::head::{KnownMeta, ParamsMeta, may_carry_head, member};
use crate::mrtr::StateKey;
use crate::service::{Incoming, IncomingMessage, error_response};

type Encoded = Result<Box<RawValue>, HandlerError>;
type ErasedRequest<S> = Arc<
    dyn Fn(RequestContext<S>, Option<Box<RawValue>>) -> BoxFuture<'static, Encoded> + Send + Sync,
>;
type ErasedNotification<S> = Arc<
    dyn Fn(NotificationContext<S>, Option<Box<RawValue>>) -> BoxFuture<'static, ()> + Send + Sync,
>;

struct Route<S> {
    revisions: Revisions,
    handler: ErasedRequest<S>,
}

/// Which side of the protocol a router serves; a server gates requests on the
/// handshake, a client does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The router answers a client.
    Server,
    /// The router answers a server.
    Client,
}

/// A table from MCP method to handler.
///
/// ```
/// use mcp_lowlevel::{HandlerError, RequestContext, Router};
/// use mcp_types::{ListToolsRequest, ListToolsResult, PaginatedRequestParams};
///
/// let router: Router<()> = Router::new().request::<ListToolsRequest, _, _>(
///     |_ctx: RequestContext<()>, _params: PaginatedRequestParams| async move {
///         Ok::<_, HandlerError>(ListToolsResult::new(vec![]))
///     },
/// );
/// assert!(router.has_method("tools/list"));
/// ```
pub struct Router<S> {
    requests: HashMap<&'static str, Route<S>>,
    notifications: HashMap<&'static str, ErasedNotification<S>>,
}

impl<S> std::fmt::Debug for Router<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut methods: Vec<_> = self.requests.keys().collect();
        methods.sort();
        f.debug_struct("Router")
            .field("requests", &methods)
            .finish_non_exhaustive()
    }
}

impl<S> Default for Router<S> {
    fn default() -> Self {
        Router {
            requests: HashMap::new(),
            notifications: HashMap::new(),
        }
    }
}

impl<S: Send + Sync + 'static> Router<S> {
    /// An empty router: every method answers `-32601`.
    pub fn new() -> Self {
        Router::default()
    }

    /// Routes requests of method `M` to `handler`.
    ///
    /// # Panics
    /// When `M` already has a handler: registering a method twice is a bug.
    pub fn request<M, F, Fut>(mut self, handler: F) -> Self
    where
        M: RequestMethod,
        F: Fn(RequestContext<S>, M::Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<M::Result, HandlerError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let erased: ErasedRequest<S> = Arc::new(move |ctx, raw| {
            let handler = handler.clone();
            Box::pin(async move {
                let params: M::Params = mcp_types::parse_params(raw.as_deref()).map_err(|e| {
                    HandlerError::invalid_params(format!("Invalid params for `{}`: {e}", M::METHOD))
                })?;
                let version = ctx.version;
                let mut result = handler(ctx, params).await?;
                result.conform_to(version);
                serde_json::value::to_raw_value(&result).map_err(|e| {
                    HandlerError::internal(format!("could not encode the result: {e}"))
                })
            })
        });
        let previous = self.requests.insert(
            M::METHOD,
            Route {
                revisions: M::REVISIONS,
                handler: erased,
            },
        );
        assert!(
            previous.is_none(),
            "method `{}` is registered twice",
            M::METHOD
        );
        self
    }

    /// Routes notifications of method `N` to `handler`.
    ///
    /// # Panics
    /// When `N` already has a handler.
    pub fn notification<N, F, Fut>(mut self, handler: F) -> Self
    where
        N: NotificationMethod,
        F: Fn(NotificationContext<S>, N::Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let erased: ErasedNotification<S> = Arc::new(move |ctx, raw| {
            let handler = handler.clone();
            Box::pin(async move {
                match mcp_types::parse_params::<N::Params>(raw.as_deref()) {
                    Ok(params) => handler(ctx, params).await,
                    Err(e) => {
                        tracing::debug!(method = N::METHOD, error = %e, "bad notification params")
                    }
                }
            })
        });
        let previous = self.notifications.insert(N::METHOD, erased);
        assert!(
            previous.is_none(),
            "notification `{}` is registered twice",
            N::METHOD
        );
        self
    }

    /// Whether a request method has a handler.
    pub fn has_method(&self, method: &str) -> bool {
        self.requests.contains_key(method)
    }

    /// Whether a request method has a handler defined in `version`.
    pub fn has_method_in(&self, method: &str, version: ProtocolVersion) -> bool {
        self.requests
            .get(method)
            .is_some_and(|r| r.revisions.contains(version))
    }

    /// Moves every handler of `other` into this router.
    ///
    /// # Panics
    /// When both routers handle the same method.
    pub fn merge(mut self, other: Router<S>) -> Self {
        for (method, route) in other.requests {
            assert!(
                self.requests.insert(method, route).is_none(),
                "method `{method}` is registered twice"
            );
        }
        for (method, handler) in other.notifications {
            assert!(
                self.notifications.insert(method, handler).is_none(),
                "notification `{method}` is registered twice"
            );
        }
        self
    }

    /// Binds the router to its state: the result is the `tower::Service`.
    pub fn into_service(self, state: Arc<S>, config: RouterConfig) -> RouterService<S> {
        let result_meta = config
            .result_meta
            .as_ref()
            .and_then(|m| serde_json::value::to_raw_value(m).ok());
        RouterService {
            inner: Arc::new(Inner {
                router: self,
                state,
                config,
                no_capabilities: Arc::default(),
                no_extensions: Arc::default(),
                result_meta,
            }),
        }
    }
}

/// How a [`RouterService`] treats the protocol around its handlers.
#[derive(Debug, Clone)]
pub struct RouterConfig {
    /// Which side this router serves.
    pub role: Role,
    /// The revisions accepted, oldest first.
    pub supported_versions: Vec<ProtocolVersion>,
    /// The key sealing Multi Round-Trip `requestState`.
    pub state_key: Arc<StateKey>,
    /// Added to every 2026-07-28 result's `_meta` (the server puts its
    /// `io.modelcontextprotocol/serverInfo` here).
    pub result_meta: Option<Meta>,
    /// Caching hints (`ttlMs`, `cacheScope`) added to 2026-07-28 results of
    /// these methods when the handler set none.
    pub cache_hints: Vec<(&'static str, CacheHint)>,
}

/// A default caching hint for one method's 2026-07-28 results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheHint {
    /// `ttlMs`.
    pub ttl_ms: u64,
    /// `cacheScope`: `true` for `"public"`, `false` for `"private"`.
    pub public: bool,
}

impl RouterConfig {
    /// The configuration of a server router.
    pub fn server() -> Self {
        RouterConfig {
            role: Role::Server,
            supported_versions: ProtocolVersion::ALL.to_vec(),
            state_key: Arc::new(StateKey::random()),
            result_meta: None,
            cache_hints: Vec::new(),
        }
    }

    /// The configuration of a client router (answering server requests).
    pub fn client() -> Self {
        RouterConfig {
            role: Role::Client,
            ..RouterConfig::server()
        }
    }
}

struct Inner<S> {
    router: Router<S>,
    state: Arc<S>,
    config: RouterConfig,
    /// What a request's context holds before the client said anything.
    no_capabilities: Arc<ClientCapabilities>,
    /// The extensions of a request whose transport attached none.
    no_extensions: Arc<http::Extensions>,
    /// `config.result_meta`, serialized once.
    result_meta: Option<Box<RawValue>>,
}

/// A [`Router`] bound to its state: the `tower::Service` the engine calls.
pub struct RouterService<S> {
    inner: Arc<Inner<S>>,
}

impl<S> Clone for RouterService<S> {
    fn clone(&self) -> Self {
        RouterService {
            inner: self.inner.clone(),
        }
    }
}

impl<S> std::fmt::Debug for RouterService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterService")
            .field("router", &self.inner.router)
            .finish_non_exhaustive()
    }
}

impl<S> RouterService<S> {
    /// The configuration in use.
    pub fn config(&self) -> &RouterConfig {
        &self.inner.config
    }

    /// The application state.
    pub fn state(&self) -> &Arc<S> {
        &self.inner.state
    }
}

impl<S: Send + Sync + 'static> tower::Service<Incoming> for RouterService<S> {
    type Response = Option<JsonRpcMessage>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<'static, Result<Option<JsonRpcMessage>, std::convert::Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, incoming: Incoming) -> Self::Future {
        let inner = self.inner.clone();
        let Incoming {
            message,
            peer,
            cancellation,
            extensions,
        } = incoming;
        // stdio requests carry none: share one empty set rather than allocate.
        let extensions = if extensions.is_empty() {
            inner.no_extensions.clone()
        } else {
            Arc::new(extensions)
        };
        match message {
            IncomingMessage::Notification(n) => {
                let handler = inner.router.notifications.get(n.method.as_str()).cloned();
                let ctx = NotificationContext {
                    peer,
                    state: inner.state.clone(),
                    extensions,
                };
                Box::pin(async move {
                    if let Some(handler) = handler {
                        handler(ctx, n.params).await;
                    }
                    Ok(None)
                })
            }
            IncomingMessage::Request(request) => {
                let span = tracing::debug_span!(
                    "mcp.request",
                    method = %request.method,
                    id = %request.id,
                    name = tracing::field::Empty,
                    traceparent = tracing::field::Empty,
                    outcome = tracing::field::Empty,
                );
                if !span.is_disabled() {
                    record_name(&span, &request);
                }
                let future = async move {
                    let id = request.id.clone();
                    let reply = match prepare(&inner, request, peer, cancellation, extensions) {
                        Ok((route, ctx, params)) => {
                            let version = ctx.version;
                            let method = ctx.method;
                            let outcome = (route.handler)(ctx, params).await;
                            encode(&inner, method, id, version, outcome)
                        }
                        Err(error) => error_response(id, error),
                    };
                    let outcome = if matches!(reply, JsonRpcMessage::Error(_)) {
                        "error"
                    } else {
                        "ok"
                    };
                    tracing::Span::current().record("outcome", outcome);
                    Ok(Some(reply))
                };
                Box::pin(future.instrument(span))
            }
        }
    }
}

fn record_name(span: &tracing::Span, request: &JsonRpcRequest) {
    #[derive(Deserialize)]
    struct Named<'a> {
        #[serde(borrow, default)]
        name: Option<std::borrow::Cow<'a, str>>,
        #[serde(borrow, default)]
        uri: Option<std::borrow::Cow<'a, str>>,
    }
    if let Some(p) = &request.params
        && let Ok(named) = serde_json::from_str::<Named<'_>>(p.get())
        && let Some(name) = named.name.or(named.uri)
    {
        span.record("name", &*name);
    }
}

type Prepared<S> = (Route<S>, RequestContext<S>, Option<Box<RawValue>>);

impl<S> Clone for Route<S> {
    fn clone(&self) -> Self {
        Route {
            revisions: self.revisions,
            handler: self.handler.clone(),
        }
    }
}

/// Resolves the era, version and client of a request and finds its route.
fn prepare<S>(
    inner: &Inner<S>,
    request: JsonRpcRequest,
    peer: crate::Peer,
    cancellation: tokio_util::sync::CancellationToken,
    extensions: Arc<http::Extensions>,
) -> Result<Prepared<S>, ErrorObject> {
    let JsonRpcRequest { id, method, params } = request;
    let invalid = |e: serde_json::Error| {
        ErrorObject::new(
            ErrorCode::INVALID_PARAMS,
            format!("Invalid params for `{method}`: {e}"),
        )
    };
    let head: ParamsMeta<'_> = match &params {
        Some(p) if may_carry_head(p.get()) => serde_json::from_str(p.get()).map_err(invalid)?,
        _ => ParamsMeta::default(),
    };
    let known: KnownMeta<'_> = match head.meta {
        Some(raw) if raw.get().starts_with('{') => {
            serde_json::from_str(raw.get()).map_err(invalid)?
        }
        Some(raw) => {
            return Err(ErrorObject::new(
                ErrorCode::INVALID_PARAMS,
                format!(
                    "Invalid params for `{method}`: `_meta` must be an object, not `{}`",
                    raw.get()
                ),
            ));
        }
        None => KnownMeta::default(),
    };
    let config = &inner.config;
    let session = peer.session();

    let (version, client_info, client_capabilities, log_level) = match known.protocol_version() {
        Some(requested) => {
            let version = ProtocolVersion::parse(&requested)
                .filter(|v| v.is_stateless() && config.supported_versions.contains(v))
                .ok_or_else(|| unsupported_version(config, &requested))?;
            let capabilities = known
                .client_capabilities
                .ok_or_else(|| {
                    ErrorObject::new(
                        ErrorCode::INVALID_PARAMS,
                        format!(
                            "Invalid params: `_meta` lacks `{}`",
                            meta::CLIENT_CAPABILITIES
                        ),
                    )
                })
                .and_then(|raw| {
                    serde_json::from_str::<ClientCapabilities>(raw.get())
                        .map(Arc::new)
                        .map_err(|e| {
                            ErrorObject::new(
                                ErrorCode::INVALID_PARAMS,
                                format!(
                                    "Invalid params: `_meta` `{}`: {e}",
                                    meta::CLIENT_CAPABILITIES
                                ),
                            )
                        })
                })?;
            let log = match member::<LoggingLevel>(known.log_level) {
                Some(level) => LogFilter::AtLeast(level),
                None => LogFilter::Off,
            };
            (
                version,
                member::<mcp_types::Implementation>(known.client_info).map(Arc::new),
                capabilities,
                log,
            )
        }
        None => {
            let version = match session.protocol_version() {
                Some(v) => v,
                None if config.role == Role::Client => ProtocolVersion::LATEST_SESSION,
                None if method == "initialize" || method == "ping" => {
                    ProtocolVersion::LATEST_SESSION
                }
                None if method == "server/discover" => {
                    return Err(ErrorObject::new(
                        ErrorCode::INVALID_PARAMS,
                        format!(
                            "Invalid params: `server/discover` needs `_meta` with `{}` and `{}`",
                            meta::PROTOCOL_VERSION,
                            meta::CLIENT_CAPABILITIES
                        ),
                    ));
                }
                None => {
                    return Err(ErrorObject::new(
                        ErrorCode::INVALID_PARAMS,
                        format!(
                            "Invalid params: `{method}` before initialization: send `initialize` first, \
                             or (2026-07-28) `_meta` with `{}`",
                            meta::PROTOCOL_VERSION
                        ),
                    ));
                }
            };
            let (info, caps) = match session.client() {
                Some(hello) => (Some(hello.info.clone()), hello.capabilities.clone()),
                None => (None, inner.no_capabilities.clone()),
            };
            let log = match session.log_level() {
                Some(level) => LogFilter::AtLeast(level),
                None => LogFilter::All,
            };
            (version, info, caps, log)
        }
    };

    let (method, route) = inner
        .router
        .requests
        .get_key_value(method.as_str())
        .filter(|(_, r)| r.revisions.contains(version))
        .map(|(&method, route)| (method, route.clone()))
        .ok_or_else(|| {
            ErrorObject::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("Method not found: {method}"),
            )
        })?;

    // `tasks/update` carries a task's input responses, not this request's: the
    // task engine checks them (and ignores keys the task did not ask for).
    let (input_responses, request_state) = if version.is_stateless() && method != "tasks/update" {
        let responses = match head.input_responses {
            None => None,
            Some(v) => Some(serde_json::from_value(v).map_err(|e| {
                ErrorObject::new(
                    ErrorCode::INVALID_PARAMS,
                    format!("Invalid params: `inputResponses`: {e}"),
                )
            })?),
        };
        let state = match head.request_state {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                return Err(ErrorObject::new(
                    ErrorCode::INVALID_PARAMS,
                    "Invalid params: `requestState` must be a string",
                ));
            }
        };
        (responses, state)
    } else {
        (None, None)
    };

    let meta = head
        .meta
        .map(|raw| crate::context::RequestMeta::from_object(raw.to_owned()))
        .unwrap_or_default();
    let ctx = RequestContext {
        id,
        method,
        meta,
        version,
        client_info,
        client_capabilities,
        log_level,
        peer,
        cancellation,
        state: inner.state.clone(),
        extensions,
        input_responses,
        request_state,
        state_key: config.state_key.clone(),
        task: None,
    };
    Ok((route, ctx, params))
}

fn unsupported_version(config: &RouterConfig, requested: &str) -> ErrorObject {
    let supported: Vec<&str> = config
        .supported_versions
        .iter()
        .filter(|v| v.is_stateless())
        .map(|v| v.as_str())
        .collect();
    ErrorObject::new(
        ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
        format!("Unsupported protocol version: {requested}"),
    )
    .with_data(serde_json::json!({ "supported": supported, "requested": requested }))
}

/// Turns a handler's outcome into the response for `version`.
fn encode<S>(
    inner: &Inner<S>,
    method: &str,
    id: RequestId,
    version: ProtocolVersion,
    outcome: Encoded,
) -> JsonRpcMessage {
    let (raw, result_type) = match outcome {
        Ok(raw) => (raw, "complete"),
        Err(HandlerError::Rpc(mut error)) => {
            error.code = error.code.for_version(version);
            return error_response(id, error);
        }
        Err(HandlerError::InputRequired(mut input)) if version.is_stateless() => {
            input.conform_to(version);
            match serde_json::value::to_raw_value(&input) {
                Ok(raw) => (raw, "input_required"),
                Err(e) => {
                    return error_response(
                        id,
                        ErrorObject::new(ErrorCode::INTERNAL_ERROR, e.to_string()),
                    );
                }
            }
        }
        Err(HandlerError::InputRequired(_)) => {
            return error_response(
                id,
                ErrorObject::new(
                    ErrorCode::INTERNAL_ERROR,
                    format!(
                        "Internal error: the handler asked for input, which needs 2026-07-28 (the session uses {version})"
                    ),
                ),
            );
        }
    };
    let raw = if version.is_stateless() {
        let hint = inner
            .config
            .cache_hints
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, hint)| *hint);
        let meta = inner
            .config
            .result_meta
            .as_ref()
            .zip(inner.result_meta.as_deref());
        match crate::finish::finish(&raw, result_type, meta, hint) {
            Ok(raw) => raw,
            Err(e) => {
                return error_response(
                    id,
                    ErrorObject::new(ErrorCode::INTERNAL_ERROR, e.to_string()),
                );
            }
        }
    } else {
        raw
    };
    JsonRpcMessage::Response(JsonRpcResultResponse { id, result: raw })
}
