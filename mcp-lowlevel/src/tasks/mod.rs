//! Server-side tasks: a request (today `tools/call`) that runs detached from
//! its JSON-RPC exchange, polled and cancelled by id.
//!
//! One engine serves both shapes of tasks:
//!
//! - **2025-11-25** (experimental in that schema): the client asks for a task
//!   with `params.task`, the server declares `capabilities.tasks`, and the
//!   client uses `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel`.
//! - **2026-07-28**: the extension `io.modelcontextprotocol/tasks` (SEP-2663).
//!   The server declares it under `capabilities.extensions`, the client opts in
//!   per request in its `clientCapabilities`, and the server decides which calls
//!   become tasks. `tasks/get` inlines the result, `tasks/update` answers a
//!   task's input requests, `tasks/cancel` acknowledges.
//!
//! | piece | what it is |
//! | --- | --- |
//! | [`Tasks`] | the engine: creates tasks, runs their handlers (at most [`TaskConfig::max_running`] at once), answers the task methods |
//! | [`TaskStore`], [`InMemoryTaskStore`] | where tasks live; the default is bounded ([`TaskConfig::capacity`]) and drops tasks whose TTL ran out |
//! | [`TaskScope`] | what a handler running as a task sees ([`crate::RequestContext::task`]) |
//! | [`TaskAugmented`], [`TaskOr`] | a method whose result may be a `CreateTaskResult` |
//!
//! A full store answers new tasks with [`TASK_STORE_FULL`]; an unknown,
//! expired or foreign task id is `-32602`.

mod engine;
mod routes;
mod store;
mod wire;

use std::time::Duration;

use mcp_types::ErrorCode;

pub use engine::{TaskJob, TaskScope, TaskStart, Tasks};
pub(crate) use routes::routes;
pub use store::{
    InMemoryTaskStore, TaskRecord, TaskStore, TaskStoreError, TaskUpdate, is_terminal,
};
pub use wire::{
    TaskAugmented, TaskIdParams, TaskOr, TasksCancel, TasksGet, TasksResult, TasksUpdate,
};

/// Whether a tool runs as a task (`execution.taskSupport`).
pub use mcp_types::ToolExecutionTaskSupport as TaskSupport;

/// The id of the tasks extension (2026-07-28).
pub const EXTENSION_ID: &str = "io.modelcontextprotocol/tasks";

/// The error code of a task refused because the store is full (an
/// implementation-defined server error).
pub const TASK_STORE_FULL: ErrorCode = ErrorCode(-32000);

/// The limits and defaults of the task engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskConfig {
    /// How many tasks the in-memory store keeps (finished ones included, until
    /// their TTL runs out).
    pub capacity: usize,
    /// How many task handlers run at once; more wait, `working`.
    pub max_running: usize,
    /// How long a task is kept when the client asks for no TTL.
    pub default_ttl: Duration,
    /// The longest TTL granted.
    pub max_ttl: Duration,
    /// The polling interval suggested to clients.
    pub poll_interval: Duration,
    /// Tasks per `tasks/list` page.
    pub page_size: usize,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            capacity: 1024,
            max_running: 64,
            default_ttl: Duration::from_secs(10 * 60),
            max_ttl: Duration::from_secs(24 * 60 * 60),
            poll_interval: Duration::from_millis(500),
            page_size: 100,
        }
    }
}

impl TaskConfig {
    /// Sets [`TaskConfig::capacity`].
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// Sets [`TaskConfig::max_running`].
    pub fn max_running(mut self, max_running: usize) -> Self {
        self.max_running = max_running.max(1);
        self
    }

    /// Sets [`TaskConfig::default_ttl`].
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = ttl;
        self
    }

    /// Sets [`TaskConfig::max_ttl`].
    pub fn max_ttl(mut self, ttl: Duration) -> Self {
        self.max_ttl = ttl;
        self
    }

    /// Sets [`TaskConfig::poll_interval`].
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Sets [`TaskConfig::page_size`].
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }
}

/// Whether the client of a 2026-07-28 request opted into the tasks extension.
pub fn client_opted_in(capabilities: &mcp_types::ClientCapabilities) -> bool {
    capabilities
        .extensions
        .as_ref()
        .is_some_and(|e| e.contains_key(EXTENSION_ID))
}

/// `-32021`: the request needs the tasks extension, which the client did not declare.
pub fn missing_extension(what: &str) -> crate::HandlerError {
    crate::HandlerError::Rpc(
        mcp_types::ErrorObject::new(
            ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
            format!(
                "Missing required client capability: {what} needs the {EXTENSION_ID} extension"
            ),
        )
        .with_data(serde_json::json!({
            "requiredCapabilities": { "extensions": { EXTENSION_ID: {} } }
        })),
    )
}
