//! The callbacks a client registers: what it answers when the server asks
//! (sampling, elicitation, roots) and what it does when the server tells
//! (logging, list changes, resource updates, any notification).

use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use mcp_types::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ErrorObject, JsonRpcNotification, LoggingMessageNotificationParams,
    ResourceUpdatedNotificationParams, Root,
};

/// What a request callback returns: the answer, or the JSON-RPC error to
/// answer with (in the session era) / to fail the call with (2026-07-28).
pub type CallbackResult<T> = Result<T, ErrorObject>;

type AsyncFn<P, R> = Arc<dyn Fn(P) -> BoxFuture<'static, CallbackResult<R>> + Send + Sync>;
type SyncFn<P> = Arc<dyn Fn(P) + Send + Sync>;
type MessageFn = Arc<dyn Fn(&JsonRpcNotification) + Send + Sync>;

/// The callbacks of one session; set through [`ClientSessionBuilder`](crate::ClientSessionBuilder).
#[derive(Clone, Default)]
pub(crate) struct Callbacks {
    pub(crate) sampling: Option<AsyncFn<CreateMessageRequestParams, CreateMessageResult>>,
    pub(crate) elicitation: Option<AsyncFn<ElicitRequestParams, ElicitResult>>,
    pub(crate) roots: Option<AsyncFn<(), Vec<Root>>>,
    pub(crate) logging: Option<SyncFn<LoggingMessageNotificationParams>>,
    pub(crate) tools_list_changed: Option<SyncFn<()>>,
    pub(crate) prompts_list_changed: Option<SyncFn<()>>,
    pub(crate) resources_list_changed: Option<SyncFn<()>>,
    pub(crate) resource_updated: Option<SyncFn<ResourceUpdatedNotificationParams>>,
    pub(crate) any_message: Option<MessageFn>,
}

impl std::fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callbacks")
            .field("sampling", &self.sampling.is_some())
            .field("elicitation", &self.elicitation.is_some())
            .field("roots", &self.roots.is_some())
            .field("logging", &self.logging.is_some())
            .finish_non_exhaustive()
    }
}

pub(crate) fn boxed_async<P, R, F, Fut>(f: F) -> AsyncFn<P, R>
where
    P: Send + 'static,
    F: Fn(P) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CallbackResult<R>> + Send + 'static,
{
    Arc::new(move |p| Box::pin(f(p)))
}

impl Callbacks {
    pub(crate) fn list_changed_wanted(&self) -> (bool, bool, bool) {
        (
            self.tools_list_changed.is_some(),
            self.prompts_list_changed.is_some(),
            self.resources_list_changed.is_some(),
        )
    }
}
