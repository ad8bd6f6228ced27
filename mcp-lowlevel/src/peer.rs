//! [`Peer`]: the handle through which either side sends requests and
//! notifications to the other, and the table of requests awaiting an answer.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_transport::Outbound;
use mcp_types::{
    CancelledNotification, CancelledNotificationParams, ErrorObject, JsonRpcMessage,
    JsonRpcNotification, JsonRpcRequest, Meta, NotificationMethod, ProgressNotificationParams,
    ProgressToken, RequestId, RequestMethod, Revisioned, meta,
};
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};

use crate::PeerError;
use crate::session::Session;
use crate::signal::Signal;

type Answer = Result<Box<RawValue>, ErrorObject>;

/// Limits of one connection's peer handle.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    /// How long a request waits for its answer unless told otherwise.
    pub request_timeout: Duration,
    /// How many of our requests may await an answer at once.
    pub max_pending: usize,
    /// How many outgoing messages may be queued for the writer.
    pub outbound_capacity: usize,
}

impl Default for PeerConfig {
    fn default() -> Self {
        PeerConfig {
            request_timeout: Duration::from_secs(60),
            max_pending: 1024,
            outbound_capacity: 256,
        }
    }
}

/// Options of one outgoing request.
#[derive(Debug, Default)]
pub struct RequestOptions {
    /// Overrides the connection's request timeout.
    pub timeout: Option<Duration>,
    /// Receives the `notifications/progress` the peer sends for this request;
    /// setting it adds a `progressToken` to the request's `_meta`.
    pub progress: Option<mpsc::Sender<ProgressNotificationParams>>,
    /// Extra `_meta` entries for this request.
    pub meta: Option<Meta>,
}

pub(crate) struct PeerShared {
    tx: mpsc::Sender<Box<Outbound>>,
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Answer>>>,
    progress: Mutex<HashMap<ProgressToken, mpsc::Sender<ProgressNotificationParams>>>,
    next_id: AtomicI64,
    config: PeerConfig,
    session: Session,
    request_meta: Mutex<Option<Meta>>,
    closed: Mutex<Option<Cow<'static, str>>>,
    closed_signal: Signal,
}

/// A handle to the other side of a connection: send it requests and
/// notifications. Cheap to clone.
///
/// Inside a request handler the peer is *related* to that request, so what it
/// sends travels on that request's stream (Streamable HTTP) and is tagged for it.
#[derive(Clone)]
pub struct Peer {
    shared: Arc<PeerShared>,
    related: Option<RequestId>,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("related", &self.related)
            .field("version", &self.shared.session.protocol_version())
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// A new peer handle and the receiver of everything it sends, which the
    /// connection's writer drains.
    ///
    /// Messages are queued boxed: a Tokio channel allocates its slots 32 at a
    /// time, so a connection's idle queue costs 256 bytes, not 32 messages'
    /// worth (3.5 KiB), which matters for many sessions and for stateless
    /// requests, each of which has its own.
    pub fn new(config: PeerConfig) -> (Peer, mpsc::Receiver<Box<Outbound>>) {
        let (tx, rx) = mpsc::channel(config.outbound_capacity.max(1));
        let shared = PeerShared {
            tx,
            pending: Mutex::default(),
            progress: Mutex::default(),
            next_id: AtomicI64::new(0),
            config,
            session: Session::new(),
            request_meta: Mutex::default(),
            closed: Mutex::default(),
            closed_signal: Signal::default(),
        };
        (
            Peer {
                shared: Arc::new(shared),
                related: None,
            },
            rx,
        )
    }

    /// The session state of this connection.
    pub fn session(&self) -> &Session {
        &self.shared.session
    }

    /// The same peer, tagging what it sends as related to `request`.
    pub fn related_to(&self, request: RequestId) -> Peer {
        Peer {
            shared: self.shared.clone(),
            related: Some(request),
        }
    }

    /// The same peer, not related to any request (for messages of the
    /// connection as a whole, such as change notifications).
    pub fn unrelated(&self) -> Peer {
        Peer {
            shared: self.shared.clone(),
            related: None,
        }
    }

    /// The request this handle is related to.
    pub fn related_request(&self) -> Option<&RequestId> {
        self.related.as_ref()
    }

    /// `_meta` entries added to every request this peer sends (the 2026-07-28
    /// client puts the protocol version, capabilities and client info here).
    pub fn set_request_meta(&self, meta: Option<Meta>) {
        *lock(&self.shared.request_meta) = meta;
    }

    /// Whether the connection has ended.
    pub fn is_closed(&self) -> bool {
        lock(&self.shared.closed).is_some() || self.shared.tx.is_closed()
    }

    /// Resolves when the connection has ended.
    pub async fn closed(&self) {
        self.shared.closed_signal.wait().await;
    }

    /// Sends a typed notification.
    pub async fn notify<N: NotificationMethod>(
        &self,
        mut params: N::Params,
    ) -> Result<(), PeerError> {
        if let Some(v) = self.session().protocol_version() {
            params.conform_to(v);
        }
        let n = JsonRpcNotification::new(N::METHOD, &params)
            .map_err(|e| PeerError::Encode(e.to_string()))?;
        self.send(JsonRpcMessage::Notification(n)).await
    }

    /// Sends any message, tagged with this handle's related request.
    pub async fn send(&self, message: JsonRpcMessage) -> Result<(), PeerError> {
        let out = Box::new(Outbound {
            message,
            related_request: self.related.clone(),
        });
        self.shared
            .tx
            .send(out)
            .await
            .map_err(|_| PeerError::Closed(self.close_reason()))
    }

    /// Sends a typed request and waits for its typed result.
    pub async fn request<M: RequestMethod>(
        &self,
        params: M::Params,
    ) -> Result<M::Result, PeerError> {
        self.request_with::<M>(params, RequestOptions::default())
            .await
    }

    /// Sends a typed request with options and waits for its typed result.
    pub async fn request_with<M: RequestMethod>(
        &self,
        mut params: M::Params,
        options: RequestOptions,
    ) -> Result<M::Result, PeerError> {
        if let Some(v) = self.session().protocol_version() {
            params.conform_to(v);
        }
        let raw = self.request_raw(M::METHOD, &params, options).await?;
        serde_json::from_str(raw.get())
            .map_err(|e| PeerError::InvalidResponse(format!("`{}` result: {e}", M::METHOD)))
    }

    /// Sends a request with any params and waits for the raw result.
    pub async fn request_raw(
        &self,
        method: &str,
        params: &impl serde::Serialize,
        options: RequestOptions,
    ) -> Result<Box<RawValue>, PeerError> {
        let id = self.next_request_id();
        self.request_raw_with_id(id, method, params, options).await
    }

    /// Reserves a fresh id from this connection's request counter, for a
    /// request sent later with [`Peer::request_raw_with_id`]: for a caller
    /// that must know the id before the answer arrives (a 2026-07-28
    /// `subscriptions/listen` stream tags its notifications with it).
    pub fn next_request_id(&self) -> RequestId {
        RequestId::Number(self.shared.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Like [`Peer::request_raw`], with the id given (one from
    /// [`Peer::next_request_id`]); an id already awaiting an answer is refused.
    pub async fn request_raw_with_id(
        &self,
        id: RequestId,
        method: &str,
        params: &impl serde::Serialize,
        options: RequestOptions,
    ) -> Result<Box<RawValue>, PeerError> {
        let extra_meta = {
            let base = lock(&self.shared.request_meta).clone();
            match (base, options.meta) {
                (None, m) => m,
                (Some(b), None) => Some(b),
                (Some(mut b), Some(m)) => {
                    b.0.extend(m.0);
                    Some(b)
                }
            }
        };
        let params = encode_params(params, extra_meta, options.progress.as_ref().map(|_| &id))?;

        let (answer_tx, answer_rx) = oneshot::channel();
        {
            let mut pending = lock(&self.shared.pending);
            if pending.len() >= self.shared.config.max_pending {
                return Err(PeerError::Encode(format!(
                    "too many requests awaiting an answer (limit {})",
                    self.shared.config.max_pending
                )));
            }
            if pending.contains_key(&id) {
                return Err(PeerError::Encode(format!(
                    "a request with id {id} is already awaiting an answer"
                )));
            }
            pending.insert(id.clone(), answer_tx);
        }
        if let Some(progress) = options.progress {
            lock(&self.shared.progress).insert(id.clone(), progress);
        }
        let guard = PendingGuard {
            peer: self,
            id: id.clone(),
            armed: true,
        };
        let request = JsonRpcRequest {
            id: id.clone(),
            method: method.to_owned(),
            params: Some(params),
        };
        self.send(JsonRpcMessage::Request(request)).await?;

        let timeout = options
            .timeout
            .unwrap_or(self.shared.config.request_timeout);
        let outcome = tokio::time::timeout(timeout, answer_rx).await;
        let mut guard = guard;
        match outcome {
            Ok(Ok(Ok(result))) => {
                guard.disarm();
                Ok(result)
            }
            Ok(Ok(Err(error))) => {
                guard.disarm();
                Err(PeerError::Rpc(error))
            }
            Ok(Err(_)) => {
                guard.disarm();
                Err(PeerError::Closed(self.close_reason()))
            }
            Err(_) => {
                guard.cancel("request timed out");
                Err(PeerError::Timeout(timeout))
            }
        }
    }

    /// Delivers an answer to the request it belongs to; `false` when nothing awaits it.
    pub(crate) fn resolve(&self, id: &RequestId, answer: Answer) -> bool {
        lock(&self.shared.progress).remove(id);
        match lock(&self.shared.pending).remove(id) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }

    /// Routes a progress notification to the request that asked for it.
    pub(crate) fn route_progress(&self, params: ProgressNotificationParams) {
        let tx = lock(&self.shared.progress)
            .get(&params.progress_token)
            .cloned();
        if let Some(tx) = tx {
            // A full or closed progress channel drops the update rather than stalling.
            let _ = tx.try_send(params);
        }
    }

    /// Fails every request awaiting an answer: the connection ended.
    pub(crate) fn close(&self, reason: impl Into<Cow<'static, str>>) {
        lock(&self.shared.closed).get_or_insert_with(|| reason.into());
        self.shared.closed_signal.fire();
        let pending: Vec<_> = lock(&self.shared.pending).drain().collect();
        lock(&self.shared.progress).clear();
        // Dropping the senders wakes every waiter with `Closed`.
        drop(pending);
    }

    fn close_reason(&self) -> String {
        lock(&self.shared.closed)
            .as_deref()
            .unwrap_or("the connection ended")
            .to_owned()
    }
}

/// Removes a request from the pending table when its waiter goes away, and
/// tells the peer it is cancelled unless it was answered.
struct PendingGuard<'a> {
    peer: &'a Peer,
    id: RequestId,
    armed: bool,
}

impl PendingGuard<'_> {
    fn disarm(&mut self) {
        self.armed = false;
    }

    fn cancel(&mut self, reason: &str) {
        self.armed = false;
        let removed = lock(&self.peer.shared.pending).remove(&self.id).is_some();
        lock(&self.peer.shared.progress).remove(&self.id);
        if removed {
            let params = CancelledNotificationParams {
                request_id: Some(self.id.clone()),
                reason: Some(reason.to_owned()),
                ..Default::default()
            };
            if let Ok(n) = JsonRpcNotification::new(CancelledNotification::METHOD, &params) {
                // Best effort: a full queue must not block a dropped future.
                let _ = self.peer.shared.tx.try_send(Box::new(Outbound {
                    message: JsonRpcMessage::Notification(n),
                    related_request: self.peer.related.clone(),
                }));
            }
        }
    }
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.cancel("the requester stopped waiting");
        }
    }
}

fn encode_params(
    params: &impl serde::Serialize,
    extra_meta: Option<Meta>,
    progress_token: Option<&RequestId>,
) -> Result<Box<RawValue>, PeerError> {
    let encode = |e: serde_json::Error| PeerError::Encode(e.to_string());
    if extra_meta.is_none() && progress_token.is_none() {
        return serde_json::value::to_raw_value(params).map_err(encode);
    }
    let mut value = serde_json::to_value(params).map_err(encode)?;
    let Value::Object(map) = &mut value else {
        return Err(PeerError::Encode("request params must be an object".into()));
    };
    let meta_value = map
        .entry("_meta")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Value::Object(meta_map) = meta_value {
        if let Some(extra) = extra_meta {
            for (k, v) in extra.0 {
                meta_map.entry(k).or_insert(v);
            }
        }
        if let Some(token) = progress_token {
            meta_map.insert(
                meta::PROGRESS_TOKEN.into(),
                serde_json::to_value(token).map_err(encode)?,
            );
        }
    }
    serde_json::value::to_raw_value(&value).map_err(encode)
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: every
/// table here stays consistent between statements.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
