//! 2026-07-28 `subscriptions/listen`: one long request whose related
//! notifications arrive on a [`Subscription`] stream.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{FutureExt, Stream};
use mcp_lowlevel::{Peer, PeerError, RequestOptions};
use mcp_types::{
    JsonRpcNotification, LoggingMessageNotificationParams, Meta, RequestId,
    ResourceUpdatedNotificationParams, SubscriptionFilter,
    SubscriptionsAcknowledgedNotificationParams, SubscriptionsListenRequestParams,
};
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use crate::error::{ClientError, Result};
use crate::service::{Shared, lock, parse_logging, parse_updated};

/// A notification from the server, as a [`Subscription`] yields it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ServerNotification {
    /// `notifications/tools/list_changed`.
    ToolsListChanged,
    /// `notifications/prompts/list_changed`.
    PromptsListChanged,
    /// `notifications/resources/list_changed`.
    ResourcesListChanged,
    /// `notifications/resources/updated`.
    ResourceUpdated(ResourceUpdatedNotificationParams),
    /// `notifications/message`.
    Logging(LoggingMessageNotificationParams),
    /// `notifications/subscriptions/acknowledged`: the kinds the server accepted.
    Acknowledged(SubscriptionsAcknowledgedNotificationParams),
    /// Any other notification.
    Other(JsonRpcNotification),
}

impl ServerNotification {
    pub(crate) fn from_notification(n: &JsonRpcNotification) -> Self {
        let parsed = match n.method.as_str() {
            "notifications/tools/list_changed" => Some(ServerNotification::ToolsListChanged),
            "notifications/prompts/list_changed" => Some(ServerNotification::PromptsListChanged),
            "notifications/resources/list_changed" => {
                Some(ServerNotification::ResourcesListChanged)
            }
            "notifications/resources/updated" => {
                parse_updated(n).map(ServerNotification::ResourceUpdated)
            }
            "notifications/message" => parse_logging(n).map(ServerNotification::Logging),
            "notifications/subscriptions/acknowledged" => {
                n.params_as().ok().map(ServerNotification::Acknowledged)
            }
            _ => None,
        };
        parsed.unwrap_or_else(|| ServerNotification::Other(n.clone()))
    }
}

/// How many notifications a subscription buffers; beyond it new ones are dropped (with a warning).
const SUBSCRIPTION_CAPACITY: usize = 64;

/// How long `listen` waits for the server to acknowledge a subscription.
const ACK_TIMEOUT: Duration = Duration::from_secs(30);

/// A listen request runs until the server or the client ends it.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// An open `subscriptions/listen` stream (2026-07-28), made by
/// [`ClientSession::listen`](crate::ClientSession::listen).
///
/// It yields the notifications the server tags with this subscription, and
/// ends when the server ends the stream or the connection closes. Dropping it
/// cancels the listen request (`notifications/cancelled`).
pub struct Subscription {
    id: RequestId,
    accepted: SubscriptionFilter,
    rx: mpsc::Receiver<ServerNotification>,
    request: Option<BoxFuture<'static, std::result::Result<Box<RawValue>, PeerError>>>,
    shared: Arc<Shared>,
    outcome: Option<ClientError>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("accepted", &self.accepted)
            .finish_non_exhaustive()
    }
}

impl Subscription {
    /// Sends the listen request and waits for its acknowledgement.
    pub(crate) async fn open(
        peer: &Peer,
        shared: Arc<Shared>,
        filter: SubscriptionFilter,
    ) -> Result<Self> {
        let id = peer.next_request_id();
        let (tx, mut rx) = mpsc::channel(SUBSCRIPTION_CAPACITY);
        lock(&shared.routes).insert(id.clone(), tx);
        let mut request: BoxFuture<'static, _> = {
            let peer = peer.clone();
            let id = id.clone();
            let params = SubscriptionsListenRequestParams::new(Meta::new(), filter);
            Box::pin(async move {
                let options = RequestOptions {
                    timeout: Some(FOREVER),
                    ..Default::default()
                };
                peer.request_raw_with_id(id, "subscriptions/listen", &params, options)
                    .await
            })
        };
        let unroute = |shared: &Shared, id: &RequestId| {
            lock(&shared.routes).remove(id);
        };
        let ack = tokio::time::timeout(ACK_TIMEOUT, async {
            loop {
                tokio::select! {
                    event = rx.recv() => match event {
                        Some(ServerNotification::Acknowledged(ack)) => return Ok(Some(ack.notifications)),
                        Some(_) => continue,
                        None => return Err(ClientError::Closed("the listen stream closed".into())),
                    },
                    outcome = &mut request => {
                        return match outcome {
                            Ok(_) => Ok(None),
                            Err(e) => Err(e.into()),
                        };
                    }
                }
            }
        })
        .await;
        match ack {
            Ok(Ok(Some(accepted))) => Ok(Subscription {
                id,
                accepted,
                rx,
                request: Some(request),
                shared,
                outcome: None,
            }),
            Ok(Ok(None)) => {
                unroute(&shared, &id);
                Err(ClientError::InvalidResponse(
                    "the server ended `subscriptions/listen` before acknowledging it".into(),
                ))
            }
            Ok(Err(e)) => {
                unroute(&shared, &id);
                Err(e)
            }
            Err(_) => {
                unroute(&shared, &id);
                Err(ClientError::Timeout(ACK_TIMEOUT))
            }
        }
    }

    /// The listen request's id, which tags this subscription's notifications.
    pub fn id(&self) -> &RequestId {
        &self.id
    }

    /// What the server acknowledged it will send.
    pub fn accepted(&self) -> &SubscriptionFilter {
        &self.accepted
    }

    /// Why the stream ended, once it has: `None` when the server completed
    /// the listen request normally.
    pub fn end_reason(&self) -> Option<&ClientError> {
        self.outcome.as_ref()
    }
}

impl Stream for Subscription {
    type Item = ServerNotification;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<ServerNotification>> {
        let this = &mut *self;
        if let Poll::Ready(Some(event)) = this.rx.poll_recv(cx) {
            return Poll::Ready(Some(event));
        }
        if let Some(request) = &mut this.request {
            match request.poll_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(outcome) => {
                    this.request = None;
                    this.outcome = outcome.err().map(Into::into);
                    lock(&this.shared.routes).remove(&this.id);
                }
            }
        }
        // The request has ended; hand out what arrived before its answer.
        match this.rx.try_recv() {
            Ok(event) => Poll::Ready(Some(event)),
            Err(_) => Poll::Ready(None),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        lock(&self.shared.routes).remove(&self.id);
    }
}
