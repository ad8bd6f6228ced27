//! Tools as tasks: which `tools/call` requests become tasks, and how a tool's
//! handler runs inside one. The engine is `mcp_lowlevel::tasks`; a tool opts in
//! with [`ToolDef::task_support`](crate::ToolDef::task_support) and keeps its
//! ordinary handler.
//!
//! | revision | a call becomes a task when | `taskSupport: "required"` without it |
//! | --- | --- | --- |
//! | 2026-07-28 | the request's client capabilities declare `io.modelcontextprotocol/tasks` and the tool supports tasks | `-32021`, naming the extension |
//! | 2025-11-25 | the request has `params.task` and the tool supports tasks (`params.task` on a tool that does not: `-32601`) | `-32601` |
//! | older | never (the revisions have no tasks) | the call runs as an ordinary one |

use std::sync::Arc;
use std::time::Duration;

use mcp_lowlevel::tasks::{
    TaskJob, TaskOr, TaskStart, TaskSupport, client_opted_in, missing_extension,
};
use mcp_lowlevel::{HandlerError, RequestContext};
use mcp_types::{CallToolResult, ErrorCode, ProtocolVersion, Revisioned};

use crate::call::CallToolParams;
use crate::registry::Core;

/// How a tool runs as a task: its support, and when the task starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TaskMode {
    pub(crate) support: TaskSupport,
    pub(crate) start: TaskStart,
}

impl Default for TaskMode {
    fn default() -> Self {
        TaskMode {
            support: TaskSupport::Forbidden,
            start: TaskStart::Immediately,
        }
    }
}

/// Serves `tools/call`: as a task when the tool and the request ask for one,
/// as an ordinary call otherwise.
pub(crate) async fn call_tool<S: Send + Sync + 'static>(
    core: Arc<Core<S>>,
    ctx: RequestContext<S>,
    params: CallToolParams,
) -> Result<TaskOr<CallToolResult>, HandlerError> {
    let CallToolParams {
        name,
        arguments,
        task,
    } = params;
    let entry = core.tool(&name);
    let mode = entry.as_ref().map(|e| e.task);
    let version = ctx.protocol_version();
    let supported = mode.is_some_and(|m| m.support != TaskSupport::Forbidden);
    let required = mode.is_some_and(|m| m.support == TaskSupport::Required);
    let as_task = if version.is_stateless() {
        let opted_in = client_opted_in(ctx.client_capabilities());
        if required && !opted_in {
            return Err(missing_extension(&format!("tool `{name}`")));
        }
        opted_in && supported
    } else if version == ProtocolVersion::V2025_11_25 && mode.is_some() {
        match (task.is_some(), supported, required) {
            (false, _, true) => {
                return Err(HandlerError::new(
                    ErrorCode::METHOD_NOT_FOUND,
                    format!(
                        "Tool `{name}` must be called as a task (its taskSupport is \"required\")"
                    ),
                ));
            }
            (true, false, _) => {
                return Err(HandlerError::new(
                    ErrorCode::METHOD_NOT_FOUND,
                    format!(
                        "Tool `{name}` cannot be called as a task (its taskSupport is \"forbidden\")"
                    ),
                ));
            }
            (asked, _, _) => asked,
        }
    } else {
        false
    };
    let Some(mode) = mode.filter(|_| as_task) else {
        let entry = entry.ok_or_else(|| crate::registry::unknown_tool(&name))?;
        return core
            .call_entry(ctx, &entry, arguments)
            .await
            .map(TaskOr::Complete);
    };
    // Only 2025-11-25 clients ask for a TTL; the extension leaves it to the server.
    let ttl = task
        .filter(|_| !version.is_stateless())
        .and_then(|t| t.ttl)
        .and_then(|ms| u64::try_from(ms).ok())
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis);
    let tasks = core.tasks.load_full();
    let job_core = core.clone();
    let name: Arc<str> = Arc::from(name);
    let job: TaskJob<S> = Arc::new(move |ctx: RequestContext<S>| {
        let core = job_core.clone();
        let name = name.clone();
        let arguments = arguments.clone();
        Box::pin(async move {
            let mut result = core.call_tool(ctx, &name, arguments).await?;
            result.conform_to(version);
            serde_json::to_value(result)
                .map_err(|e| HandlerError::internal(format!("could not encode the result: {e}")))
        })
    });
    // Boxed: the task engine's future is large, and ordinary calls should not
    // carry its size.
    match Box::pin(tasks.run(ctx, ttl, mode.start, job)).await? {
        TaskOr::Task(created) => Ok(TaskOr::Task(created)),
        TaskOr::Complete(value) => serde_json::from_value(value)
            .map(TaskOr::Complete)
            .map_err(|e| HandlerError::internal(format!("could not decode the result: {e}"))),
    }
}
