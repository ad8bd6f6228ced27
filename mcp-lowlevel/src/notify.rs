//! Change notifications: the [`Notifier`] a server uses to announce that its
//! tools, prompts or resources changed, delivered to session-era clients
//! directly and to 2026-07-28 clients over `subscriptions/listen` streams.

use mcp_types::{
    EmptyResult, JsonObject, JsonRpcMessage, JsonRpcNotification, Meta, NotificationMethod,
    PromptListChangedNotification, RequestId, ResourceListChangedNotification,
    ResourceUpdatedNotification, SubscribeRequest, SubscriptionsAcknowledgedNotification,
    SubscriptionsAcknowledgedNotificationParams, SubscriptionsListenRequest,
    SubscriptionsListenResult, ToolListChangedNotification, UnsubscribeRequest, meta,
};
use serde_json::json;
use tokio::sync::broadcast;

use crate::context::RequestContext;
use crate::router::Router;
use crate::{HandlerError, Peer};

/// Something about the server changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeEvent {
    /// The tool list changed.
    ToolsListChanged,
    /// The prompt list changed.
    PromptsListChanged,
    /// The resource list changed.
    ResourcesListChanged,
    /// The resource at this URI changed.
    ResourceUpdated(String),
}

/// Sends change notifications to every connected client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Notifier {
    tx: broadcast::Sender<ChangeEvent>,
}

impl Default for Notifier {
    fn default() -> Self {
        Notifier::new()
    }
}

impl Notifier {
    /// How many events a slow connection may lag behind before it skips some.
    pub const CAPACITY: usize = 64;

    /// A notifier nobody listens to yet.
    pub fn new() -> Self {
        Notifier {
            tx: broadcast::channel(Self::CAPACITY).0,
        }
    }

    /// Announces a change; connections that are not interested ignore it.
    pub fn notify(&self, event: ChangeEvent) {
        // No receiver simply means no client is connected.
        let _ = self.tx.send(event);
    }

    /// Receives every later event.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.tx.subscribe()
    }
}

/// Which events one `subscriptions/listen` stream asked for.
#[derive(Debug, Default)]
struct Filter {
    tools: bool,
    prompts: bool,
    resources: bool,
    uris: Vec<String>,
}

impl Filter {
    fn wants(&self, event: &ChangeEvent) -> bool {
        match event {
            ChangeEvent::ToolsListChanged => self.tools,
            ChangeEvent::PromptsListChanged => self.prompts,
            ChangeEvent::ResourcesListChanged => self.resources,
            ChangeEvent::ResourceUpdated(uri) => self.uris.iter().any(|u| u == uri),
        }
    }
}

/// Sends `event` to `peer` as its notification, tagged with `subscription`
/// when it travels on a listen stream; `false` when the connection is gone.
async fn deliver(peer: &Peer, event: &ChangeEvent, subscription: Option<&RequestId>) -> bool {
    let mut params = JsonObject::new();
    if let Some(id) = subscription {
        params.insert("_meta".into(), json!({ meta::SUBSCRIPTION_ID: id }));
    }
    let method = match event {
        ChangeEvent::ToolsListChanged => {
            <ToolListChangedNotification as NotificationMethod>::METHOD
        }
        ChangeEvent::PromptsListChanged => {
            <PromptListChangedNotification as NotificationMethod>::METHOD
        }
        ChangeEvent::ResourcesListChanged => {
            <ResourceListChangedNotification as NotificationMethod>::METHOD
        }
        ChangeEvent::ResourceUpdated(uri) => {
            params.insert("uri".into(), uri.clone().into());
            <ResourceUpdatedNotification as NotificationMethod>::METHOD
        }
    };
    match JsonRpcNotification::new(method, &params) {
        Ok(n) => peer.send(JsonRpcMessage::Notification(n)).await.is_ok(),
        Err(_) => false,
    }
}

/// Forwards events to a session-era connection until it closes.
/// Events that happen between the `initialize` answer and
/// `notifications/initialized` wait for the latter.
pub(crate) async fn forward_to_session(mut rx: broadcast::Receiver<ChangeEvent>, peer: Peer) {
    tokio::select! {
        _ = peer.closed() => return,
        _ = peer.session().initialized() => {}
    }
    loop {
        let event = tokio::select! {
            _ = peer.closed() => return,
            event = rx.recv() => event,
        };
        match event {
            Ok(ChangeEvent::ResourceUpdated(uri)) if !peer.session().is_subscribed(&uri) => {}
            Ok(event) => {
                if !deliver(&peer, &event, None).await {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Adds the 2026-07-28 `subscriptions/listen` handler: acknowledge, then
/// stream the wanted events until the client closes the stream.
pub(crate) fn listen_route<S: Send + Sync + 'static>(
    router: Router<S>,
    notifier: Notifier,
) -> Router<S> {
    router.request::<SubscriptionsListenRequest, _, _>(move |ctx: RequestContext<S>, params| {
        let mut rx = notifier.subscribe();
        async move {
            let requested = serde_json::to_value(&params.notifications).unwrap_or_default();
            let filter = Filter {
                tools: requested["toolsListChanged"] == true,
                prompts: requested["promptsListChanged"] == true,
                resources: requested["resourcesListChanged"] == true,
                uris: requested["resourceSubscriptions"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|u| u.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let id = ctx.request_id().clone();
            let mut ack =
                SubscriptionsAcknowledgedNotificationParams::new(params.notifications.clone());
            let mut ack_meta = Meta::new();
            ack_meta.insert_as(meta::SUBSCRIPTION_ID, &id);
            ack.meta = Some(ack_meta);
            ctx.peer()
                .notify::<SubscriptionsAcknowledgedNotification>(ack)
                .await
                .map_err(|e| HandlerError::internal(e.to_string()))?;
            loop {
                let event = tokio::select! {
                    _ = ctx.cancellation().cancelled() => break,
                    _ = ctx.peer().closed() => break,
                    event = rx.recv() => event,
                };
                match event {
                    Ok(event) if filter.wants(&event) => {
                        if !deliver(ctx.peer(), &event, Some(&id)).await {
                            break;
                        }
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
            let mut result_meta = Meta::new();
            result_meta.insert_as(meta::SUBSCRIPTION_ID, &id);
            Ok(SubscriptionsListenResult::new(result_meta, "complete"))
        }
    })
}

/// Adds session-era `resources/subscribe` and `resources/unsubscribe`.
pub(crate) fn subscribe_routes<S: Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .request::<SubscribeRequest, _, _>(|ctx: RequestContext<S>, params| async move {
            if ctx.peer().session().subscribe(params.uri) {
                Ok(EmptyResult::default())
            } else {
                Err(HandlerError::invalid_params(
                    "too many resource subscriptions",
                ))
            }
        })
        .request::<UnsubscribeRequest, _, _>(|ctx: RequestContext<S>, params| async move {
            ctx.peer().session().unsubscribe(&params.uri);
            Ok(EmptyResult::default())
        })
}
