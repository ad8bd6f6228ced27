//! The client's side of the connection: the `tower::Service` that answers the
//! server's requests (through a `Router` of the callbacks) and dispatches its
//! notifications (callbacks, caches, `subscriptions/listen` streams).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use mcp_lowlevel::{
    HandlerError, Incoming, IncomingMessage, RequestContext, Router, RouterConfig, RouterService,
};
use mcp_types::{
    CreateMessageRequest, ElicitRequest, EmptyResult, JsonRpcMessage, JsonRpcNotification,
    ListRootsRequest, ListRootsResult, LoggingMessageNotificationParams, PingRequest, RequestId,
    ResourceUpdatedNotificationParams, meta,
};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::cache::ListCache;
use crate::callbacks::Callbacks;
use crate::listen::ServerNotification;
use crate::tools::ToolRegistry;

/// What the session and its connection share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) callbacks: Callbacks,
    /// Open `subscriptions/listen` streams, by the listen request's id.
    pub(crate) routes: Mutex<HashMap<RequestId, mpsc::Sender<ServerNotification>>>,
    pub(crate) cache: ListCache,
    pub(crate) tools: ToolRegistry,
}

impl Shared {
    pub(crate) fn new(callbacks: Callbacks) -> Self {
        Shared {
            callbacks,
            routes: Mutex::default(),
            cache: ListCache::default(),
            tools: ToolRegistry::default(),
        }
    }

    /// Dispatches one notification from the server.
    pub(crate) fn on_notification(&self, n: &JsonRpcNotification) {
        if let Some(cb) = &self.callbacks.any_message {
            cb(n);
        }
        let event = ServerNotification::from_notification(n);
        self.invalidate(&event);
        if let Some(id) = subscription_id(n) {
            let route = lock(&self.routes).get(&id).cloned();
            if let Some(route) = route {
                if route.try_send(event).is_err() {
                    tracing::warn!(subscription = %id, method = %n.method, "listen stream is full or gone; notification dropped");
                }
                return;
            }
        }
        self.run_callbacks(event);
    }

    /// Drops what a change notification makes stale.
    pub(crate) fn invalidate(&self, event: &ServerNotification) {
        match event {
            ServerNotification::ToolsListChanged => {
                self.cache.invalidate("tools/list");
                self.tools.clear();
            }
            ServerNotification::PromptsListChanged => self.cache.invalidate("prompts/list"),
            ServerNotification::ResourcesListChanged => {
                self.cache.invalidate("resources/list");
                self.cache.invalidate("resources/templates/list");
            }
            _ => {}
        }
    }

    /// Hands an event to the callback registered for its kind.
    pub(crate) fn run_callbacks(&self, event: ServerNotification) {
        let cbs = &self.callbacks;
        match event {
            ServerNotification::ToolsListChanged => {
                cbs.tools_list_changed.as_ref().map(|cb| cb(()))
            }
            ServerNotification::PromptsListChanged => {
                cbs.prompts_list_changed.as_ref().map(|cb| cb(()))
            }
            ServerNotification::ResourcesListChanged => {
                cbs.resources_list_changed.as_ref().map(|cb| cb(()))
            }
            ServerNotification::ResourceUpdated(p) => cbs.resource_updated.as_ref().map(|cb| cb(p)),
            ServerNotification::Logging(p) => cbs.logging.as_ref().map(|cb| cb(p)),
            _ => None,
        };
    }
}

/// The `_meta` subscription id of a notification, read without the rest.
fn subscription_id(n: &JsonRpcNotification) -> Option<RequestId> {
    #[derive(Deserialize)]
    struct Params {
        #[serde(rename = "_meta", default)]
        meta: Option<HashMap<String, serde_json::Value>>,
    }
    let params: Params = serde_json::from_str(n.params.as_ref()?.get()).ok()?;
    let id = params.meta?.remove(meta::SUBSCRIPTION_ID)?;
    RequestId::deserialize(id).ok()
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The service the connection engine calls for each message from the server.
#[derive(Debug, Clone)]
pub(crate) struct ClientService {
    router: RouterService<Shared>,
    shared: Arc<Shared>,
}

impl ClientService {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        let router = requests_router(&shared.callbacks);
        ClientService {
            router: router.into_service(shared.clone(), RouterConfig::client()),
            shared,
        }
    }
}

impl tower::Service<Incoming> for ClientService {
    type Response = Option<JsonRpcMessage>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Option<JsonRpcMessage>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, incoming: Incoming) -> Self::Future {
        match &incoming.message {
            IncomingMessage::Notification(n) => {
                self.shared.on_notification(n);
                Box::pin(std::future::ready(Ok(None)))
            }
            IncomingMessage::Request(_) => self.router.call(incoming),
        }
    }
}

fn callback_error(e: mcp_types::ErrorObject) -> HandlerError {
    HandlerError::Rpc(e)
}

/// The requests a session-era server may send, each answered by its callback;
/// a request without a callback answers `-32601`.
fn requests_router(callbacks: &Callbacks) -> Router<Shared> {
    let mut router =
        Router::new().request::<PingRequest, _, _>(|_ctx: RequestContext<Shared>, _p| async {
            Ok(EmptyResult::default())
        });
    if callbacks.sampling.is_some() {
        router =
            router.request::<CreateMessageRequest, _, _>(|ctx: RequestContext<Shared>, params| {
                let cb = ctx.state().callbacks.sampling.clone();
                async move {
                    match cb {
                        Some(cb) => cb(params).await.map_err(callback_error),
                        None => Err(HandlerError::method_not_found(
                            <CreateMessageRequest as mcp_types::RequestMethod>::METHOD,
                        )),
                    }
                }
            });
    }
    if callbacks.elicitation.is_some() {
        router = router.request::<ElicitRequest, _, _>(|ctx: RequestContext<Shared>, params| {
            let cb = ctx.state().callbacks.elicitation.clone();
            async move {
                match cb {
                    Some(cb) => cb(params).await.map_err(callback_error),
                    None => Err(HandlerError::method_not_found(
                        <ElicitRequest as mcp_types::RequestMethod>::METHOD,
                    )),
                }
            }
        });
    }
    if callbacks.roots.is_some() {
        router =
            router.request::<ListRootsRequest, _, _>(|ctx: RequestContext<Shared>, _params| {
                let cb = ctx.state().callbacks.roots.clone();
                async move {
                    match cb {
                        Some(cb) => cb(())
                            .await
                            .map(ListRootsResult::new)
                            .map_err(callback_error),
                        None => Err(HandlerError::method_not_found(
                            <ListRootsRequest as mcp_types::RequestMethod>::METHOD,
                        )),
                    }
                }
            });
    }
    router
}

/// Typed views used by [`ServerNotification::from_notification`].
pub(crate) fn parse_logging(n: &JsonRpcNotification) -> Option<LoggingMessageNotificationParams> {
    n.params_as().ok()
}

pub(crate) fn parse_updated(n: &JsonRpcNotification) -> Option<ResourceUpdatedNotificationParams> {
    n.params_as().ok()
}
