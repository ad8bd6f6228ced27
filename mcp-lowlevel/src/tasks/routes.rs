//! The task methods on a [`Router`]: `tasks/get` and `tasks/cancel` (both
//! eras), `tasks/result` and `tasks/list` (2025-11-25), `tasks/update` (2026-07-28).

use mcp_types::ListTasksRequest;

use crate::tasks::wire::{TasksCancel, TasksGet, TasksResult, TasksUpdate};
use crate::tasks::{Tasks, client_opted_in, missing_extension};
use crate::{HandlerError, RequestContext, Router};

/// Under 2026-07-28 the task methods need the extension in the request's
/// client capabilities.
fn gate<S>(ctx: &RequestContext<S>) -> Result<(), HandlerError> {
    if ctx.version.is_stateless() && !client_opted_in(&ctx.client_capabilities) {
        return Err(missing_extension(ctx.method));
    }
    Ok(())
}

/// Adds the task methods to `router`, each unless it has one already.
pub(crate) fn routes<S: Send + Sync + 'static>(mut router: Router<S>, tasks: Tasks) -> Router<S> {
    if !router.has_method("tasks/get") {
        let t = tasks.clone();
        router = router.request::<TasksGet, _, _>(move |ctx: RequestContext<S>, params| {
            let t = t.clone();
            async move {
                gate(&ctx)?;
                t.get(&ctx, &params.task_id).await
            }
        });
    }
    if !router.has_method("tasks/cancel") {
        let t = tasks.clone();
        router = router.request::<TasksCancel, _, _>(move |ctx: RequestContext<S>, params| {
            let t = t.clone();
            async move {
                gate(&ctx)?;
                t.cancel(&ctx, &params.task_id).await
            }
        });
    }
    if !router.has_method("tasks/update") {
        let t = tasks.clone();
        router = router.request::<TasksUpdate, _, _>(move |ctx: RequestContext<S>, params| {
            let t = t.clone();
            async move {
                gate(&ctx)?;
                t.update(&ctx, &params.task_id, params.input_responses)
                    .await
            }
        });
    }
    if !router.has_method("tasks/result") {
        let t = tasks.clone();
        router = router.request::<TasksResult, _, _>(move |ctx: RequestContext<S>, params| {
            let t = t.clone();
            async move { t.result(&ctx, &params.task_id).await }
        });
    }
    if !router.has_method("tasks/list") {
        let t = tasks;
        router = router.request::<ListTasksRequest, _, _>(move |ctx: RequestContext<S>, params| {
            let t = t.clone();
            async move {
                let map = t.list(&ctx, params.cursor.as_deref()).await?;
                serde_json::from_value(serde_json::Value::Object(map))
                    .map_err(|e| HandlerError::internal(e.to_string()))
            }
        });
    }
    router
}
