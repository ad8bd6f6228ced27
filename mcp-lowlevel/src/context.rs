//! [`RequestContext`]: everything a request handler may ask about its request.

use std::sync::{Arc, OnceLock};

use mcp_types::{
    ClientCapabilities, Implementation, InputRequests, InputRequiredResult, InputResponses,
    LoggingLevel, LoggingMessageNotification, LoggingMessageNotificationParams, Meta,
    ProgressNotification, ProgressNotificationParams, ProtocolVersion, RequestId, meta,
};
use serde_json::Value;
use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

use crate::mrtr::StateKey;
use crate::{HandlerError, Peer, PeerError};

/// The context of one incoming request, handed to its handler with the params.
///
/// In the session era the version, client info and capabilities come from the
/// `initialize` handshake; in 2026-07-28 they come from the request's own `_meta`.
#[derive(Debug)]
pub struct RequestContext<S> {
    pub(crate) id: RequestId,
    pub(crate) method: &'static str,
    pub(crate) meta: RequestMeta,
    pub(crate) version: ProtocolVersion,
    pub(crate) client_info: Option<Arc<Implementation>>,
    pub(crate) client_capabilities: Arc<ClientCapabilities>,
    pub(crate) log_level: LogFilter,
    pub(crate) peer: Peer,
    pub(crate) cancellation: CancellationToken,
    pub(crate) state: Arc<S>,
    pub(crate) extensions: Arc<http::Extensions>,
    pub(crate) input_responses: Option<InputResponses>,
    pub(crate) request_state: Option<String>,
    pub(crate) state_key: Arc<StateKey>,
    pub(crate) task: Option<Arc<crate::tasks::TaskScope>>,
}

impl<S> Clone for RequestContext<S> {
    fn clone(&self) -> Self {
        RequestContext {
            id: self.id.clone(),
            method: self.method,
            meta: self.meta.clone(),
            version: self.version,
            client_info: self.client_info.clone(),
            client_capabilities: self.client_capabilities.clone(),
            log_level: self.log_level,
            peer: self.peer.clone(),
            cancellation: self.cancellation.clone(),
            state: self.state.clone(),
            extensions: self.extensions.clone(),
            input_responses: self.input_responses.clone(),
            request_state: self.request_state.clone(),
            state_key: self.state_key.clone(),
            task: self.task.clone(),
        }
    }
}

/// A request's `_meta`, kept as the request's text and read into a [`Meta`]
/// only when a handler asks: the router reads the members it needs straight
/// from the text, and most handlers never look at the rest.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestMeta {
    /// The `_meta` object's text, checked to be an object.
    raw: Option<Box<RawValue>>,
    parsed: OnceLock<Meta>,
}

impl RequestMeta {
    /// `_meta` from its text, which must be a JSON object.
    pub(crate) fn from_object(raw: Box<RawValue>) -> Self {
        debug_assert!(raw.get().starts_with('{'));
        RequestMeta {
            raw: Some(raw),
            parsed: OnceLock::new(),
        }
    }

    /// The `_meta` as a map.
    pub(crate) fn get(&self) -> &Meta {
        self.parsed.get_or_init(|| {
            // The text is a JSON object, so it reads as a map.
            self.raw
                .as_ref()
                .and_then(|raw| serde_json::from_str(raw.get()).ok())
                .unwrap_or_default()
        })
    }
}

/// Which `notifications/message` levels reach the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogFilter {
    /// Every level (the session era before `logging/setLevel`).
    All,
    /// This level and above.
    AtLeast(LoggingLevel),
    /// None (2026-07-28 without `logLevel`).
    Off,
}

impl<S> RequestContext<S> {
    /// The request's id.
    pub fn request_id(&self) -> &RequestId {
        &self.id
    }

    /// The method being handled.
    pub fn method(&self) -> &str {
        self.method
    }

    /// The request's `_meta`.
    pub fn meta(&self) -> &Meta {
        self.meta.get()
    }

    /// The progress token the client asked progress notifications to carry.
    pub fn progress_token(&self) -> Option<RequestId> {
        self.meta.get().progress_token()
    }

    /// The revision this request is served under.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// The client's name and version, when it said.
    pub fn client_info(&self) -> Option<&Implementation> {
        self.client_info.as_deref()
    }

    /// What the client declared it can do.
    pub fn client_capabilities(&self) -> &ClientCapabilities {
        &self.client_capabilities
    }

    /// The handle for sending to the client; what it sends is related to this request.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// Cancelled when the client cancels this request.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancellation
    }

    /// The application state built by the lifespan.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The application state, shared.
    pub fn state_arc(&self) -> Arc<S> {
        self.state.clone()
    }

    /// Transport facts: HTTP request parts, authentication info.
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }

    /// The `traceparent` of the request's `_meta`, for distributed tracing.
    pub fn traceparent(&self) -> Option<&str> {
        self.meta
            .get()
            .get(meta::TRACEPARENT)
            .and_then(Value::as_str)
    }

    /// Whether a `notifications/message` at `level` would reach the client.
    pub fn should_log(&self, level: LoggingLevel) -> bool {
        match self.log_level {
            LogFilter::All => true,
            LogFilter::AtLeast(min) => level >= min,
            LogFilter::Off => false,
        }
    }

    /// Sends a log message to the client, if its level is wanted.
    pub async fn log(
        &self,
        level: LoggingLevel,
        logger: Option<&str>,
        data: Value,
    ) -> Result<(), PeerError> {
        if !self.should_log(level) {
            return Ok(());
        }
        let mut params = LoggingMessageNotificationParams::new(data, level);
        params.logger = logger.map(str::to_owned);
        self.peer.notify::<LoggingMessageNotification>(params).await
    }

    /// Sends a progress notification, if the client asked for progress.
    pub async fn report_progress(
        &self,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> Result<(), PeerError> {
        let Some(token) = self.progress_token() else {
            return Ok(());
        };
        let mut params = ProgressNotificationParams::new(progress, token);
        params.total = total;
        params.message = message;
        self.peer.notify::<ProgressNotification>(params).await
    }

    /// The task this request runs as (or may become), when it is task-augmented.
    pub fn task(&self) -> Option<&crate::tasks::TaskScope> {
        self.task.as_deref()
    }

    /// The `inputResponses` of a 2026-07-28 retry.
    pub fn input_responses(&self) -> Option<&InputResponses> {
        self.input_responses.as_ref()
    }

    /// The verified `requestState` of a 2026-07-28 retry: the value the handler
    /// sealed in its previous [`RequestContext::input_required`].
    ///
    /// A state that was altered on its way through the client is an error
    /// (`-32602`), never silently accepted.
    pub fn request_state(&self) -> Result<Option<Value>, HandlerError> {
        match &self.request_state {
            None => Ok(None),
            Some(sealed) => self.state_key.open(sealed).map(Some),
        }
    }

    /// Stops the handler to ask the client for input (2026-07-28): returns the
    /// error a handler propagates with `?`. `state` is sealed with the server's
    /// key so that the retry can trust it.
    pub fn input_required(&self, requests: InputRequests, state: Option<&Value>) -> HandlerError {
        let mut result = InputRequiredResult::new("input_required");
        if !requests.is_empty() {
            result.input_requests = Some(requests);
        }
        result.request_state = state.map(|s| self.state_key.seal(s));
        HandlerError::InputRequired(Box::new(result))
    }
}

/// The context of one incoming notification.
#[derive(Debug)]
pub struct NotificationContext<S> {
    pub(crate) peer: Peer,
    pub(crate) state: Arc<S>,
    pub(crate) extensions: Arc<http::Extensions>,
}

impl<S> Clone for NotificationContext<S> {
    fn clone(&self) -> Self {
        NotificationContext {
            peer: self.peer.clone(),
            state: self.state.clone(),
            extensions: self.extensions.clone(),
        }
    }
}

impl<S> NotificationContext<S> {
    /// The handle for sending to the peer.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// The application state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// Transport facts.
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }
}
