//! [`Tasks`]: the engine that turns a request into a task, runs its handler
//! detached from the request (a bounded number at a time), and answers the
//! task methods from the [`TaskStore`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use mcp_types::{ErrorCode, ErrorObject, InputResponse, InputResponses, JsonObject, TaskStatus};
use serde_json::{Value, json};
use tokio::sync::{Notify, Semaphore, oneshot};
use tokio_util::sync::CancellationToken;

use crate::tasks::store::{InMemoryTaskStore, TaskRecord, TaskStore, TaskStoreError};
use crate::tasks::wire::{self, TaskOr};
use crate::tasks::{TASK_STORE_FULL, TaskConfig};
use crate::{HandlerError, RequestContext};

/// A task's handler: run once, and again with the gathered input responses
/// each time it stopped for input.
pub type TaskJob<S> =
    Arc<dyn Fn(RequestContext<S>) -> BoxFuture<'static, Result<Value, HandlerError>> + Send + Sync>;

/// When a task-capable request becomes a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskStart {
    /// At once: the client gets the `CreateTaskResult` before the handler runs.
    #[default]
    Immediately,
    /// When the handler asks for it ([`TaskScope::start`]); until then the
    /// request is an ordinary one (it may ask for input through Multi
    /// Round-Trip rounds, or answer directly).
    WhenAsked,
}

/// The engine of server-side tasks. Cheap to clone.
#[derive(Clone)]
pub struct Tasks {
    inner: Arc<Engine>,
}

impl std::fmt::Debug for Tasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tasks")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

struct Engine {
    store: Arc<dyn TaskStore>,
    config: TaskConfig,
    running: Arc<Semaphore>,
    live: Mutex<HashMap<String, Live>>,
}

/// What the process keeps of a task it runs: how to stop it, and how to wake
/// it when its input arrives or wake those waiting for its end.
#[derive(Clone)]
struct Live {
    cancel: CancellationToken,
    input: Arc<Notify>,
    settled: Arc<Notify>,
}

/// The task side of a request that runs as (or may become) a task; the
/// handler reaches it through [`RequestContext::task`].
#[derive(Debug)]
pub struct TaskScope {
    id: String,
    started: AtomicBool,
    first: Mutex<Option<oneshot::Sender<First>>>,
    engine: std::sync::Weak<Engine>,
}

enum First {
    Start(oneshot::Sender<bool>),
    Finished(Result<Value, HandlerError>),
}

impl std::fmt::Debug for First {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            First::Start(_) => "Start",
            First::Finished(_) => "Finished",
        })
    }
}

impl TaskScope {
    /// The id the task has (or will have once started).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the request is a task now.
    pub fn is_started(&self) -> bool {
        self.started.load(Ordering::Acquire)
    }

    /// Turns the request into a task ([`TaskStart::WhenAsked`]): the client gets
    /// the `CreateTaskResult` and the handler goes on detached. `false` when
    /// the task could not be created (the client then gets the error).
    pub async fn start(&self) -> bool {
        if self.is_started() {
            return true;
        }
        let sender = lock(&self.first).take();
        let Some(sender) = sender else {
            return false;
        };
        let (ack, acked) = oneshot::channel();
        if sender.send(First::Start(ack)).is_err() {
            return false;
        }
        let started = acked.await.unwrap_or(false);
        self.started.store(started, Ordering::Release);
        started
    }

    /// Runs `wait` with the task marked `input_required`: for a session-era
    /// handler waiting on the client's answer to one of its requests.
    pub async fn waiting_for_input<F: std::future::Future>(&self, wait: F) -> F::Output {
        let engine = self.is_started().then(|| self.engine.upgrade()).flatten();
        if let Some(engine) = &engine {
            engine.set_status(&self.id, TaskStatus::InputRequired).await;
        }
        let output = wait.await;
        if let Some(engine) = &engine {
            engine.set_status(&self.id, TaskStatus::Working).await;
        }
        output
    }

    fn finish(&self, outcome: Result<Value, HandlerError>) {
        if let Some(sender) = lock(&self.first).take() {
            let _ = sender.send(First::Finished(outcome));
        }
    }
}

impl Tasks {
    /// An engine with the in-memory store of `config.capacity` tasks.
    pub fn new(config: TaskConfig) -> Self {
        let store = Arc::new(InMemoryTaskStore::new(config.capacity));
        Tasks::with_store(config, store)
    }

    /// An engine keeping its tasks in `store`.
    pub fn with_store(config: TaskConfig, store: Arc<dyn TaskStore>) -> Self {
        Tasks {
            inner: Arc::new(Engine {
                store,
                running: Arc::new(Semaphore::new(config.max_running.max(1))),
                config,
                live: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TaskConfig {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn TaskStore> {
        &self.inner.store
    }

    /// Runs `job` for the request of `ctx` as a task kept for `ttl` (the
    /// configured default when `None`, capped at the maximum).
    ///
    /// With [`TaskStart::Immediately`] the answer is the `CreateTaskResult`;
    /// with [`TaskStart::WhenAsked`] it is the handler's own outcome unless it
    /// asked to become a task first.
    pub async fn run<S: Send + Sync + 'static>(
        &self,
        ctx: RequestContext<S>,
        ttl: Option<Duration>,
        start: TaskStart,
        job: TaskJob<S>,
    ) -> Result<TaskOr<Value>, HandlerError> {
        let engine = self.inner.clone();
        engine.sweep().await;
        let config = &engine.config;
        let ttl = ttl.unwrap_or(config.default_ttl).min(config.max_ttl);
        let now = SystemTime::now();
        let record = TaskRecord {
            id: new_id(),
            owner: owner_of(&ctx),
            version: ctx.version,
            status: TaskStatus::Working,
            status_message: None,
            created_at: now,
            last_updated_at: now,
            ttl: ttl.max(Duration::from_millis(1)),
            result: None,
            error: None,
            input_requests: Default::default(),
            input_responses: JsonObject::new(),
        };
        let (first_tx, first_rx) = oneshot::channel();
        let scope = Arc::new(TaskScope {
            id: record.id.clone(),
            started: AtomicBool::new(start == TaskStart::Immediately),
            first: Mutex::new((start == TaskStart::WhenAsked).then_some(first_tx)),
            engine: Arc::downgrade(&engine),
        });
        let live = Live {
            cancel: CancellationToken::new(),
            input: Arc::new(Notify::new()),
            settled: Arc::new(Notify::new()),
        };
        let request_cancel = ctx.cancellation.clone();
        let mut detached = ctx;
        detached.peer = detached.peer.unrelated();
        detached.cancellation = live.cancel.clone();
        detached.task = Some(scope.clone());
        let created = wire::created(&record, config.poll_interval);

        if start == TaskStart::Immediately {
            engine.create(record, live.clone()).await?;
            tokio::spawn(drive(engine, detached, job, scope, live));
            return Ok(TaskOr::Task(created));
        }

        tokio::spawn(drive(engine.clone(), detached, job, scope, live.clone()));
        let first = tokio::select! {
            first = first_rx => first,
            _ = request_cancel.cancelled() => {
                live.cancel.cancel();
                return Err(HandlerError::internal("the request was cancelled"));
            }
        };
        match first {
            Ok(First::Finished(outcome)) => outcome.map(TaskOr::Complete),
            Ok(First::Start(ack)) => match engine.create(record, live.clone()).await {
                Ok(()) => {
                    let _ = ack.send(true);
                    Ok(TaskOr::Task(created))
                }
                Err(e) => {
                    let _ = ack.send(false);
                    live.cancel.cancel();
                    Err(e)
                }
            },
            Err(_) => Err(HandlerError::internal(
                "the task's handler ended without an answer",
            )),
        }
    }

    /// The task `id` as `ctx`'s client may see it: `-32602` when unknown,
    /// expired or someone else's.
    pub async fn find<S>(
        &self,
        ctx: &RequestContext<S>,
        id: &str,
    ) -> Result<TaskRecord, HandlerError> {
        let record = self.inner.store.get(id).await.map_err(store_error)?;
        let owner = owner_of(ctx);
        record
            .filter(|r| r.owner == owner)
            .ok_or_else(|| unknown_task(id))
    }

    /// `tasks/get`.
    pub(crate) async fn get<S>(
        &self,
        ctx: &RequestContext<S>,
        id: &str,
    ) -> Result<JsonObject, HandlerError> {
        let record = self.find(ctx, id).await?;
        Ok(wire::detailed(&record, self.inner.config.poll_interval))
    }

    /// `tasks/cancel`: the extension acknowledges (also for a finished task);
    /// 2025-11-25 answers with the task, and `-32602` when it had finished.
    pub(crate) async fn cancel<S>(
        &self,
        ctx: &RequestContext<S>,
        id: &str,
    ) -> Result<JsonObject, HandlerError> {
        let record = self.find(ctx, id).await?;
        let stateless = ctx.version.is_stateless();
        if record.is_terminal() {
            if stateless {
                return Ok(JsonObject::new());
            }
            return Err(HandlerError::invalid_params(format!(
                "Cannot cancel task {id}: it is already {}",
                record.status.as_str()
            )));
        }
        let updated = self
            .inner
            .settle(
                id,
                TaskStatus::Cancelled,
                None,
                None,
                Some("Cancelled by the client".into()),
            )
            .await;
        if stateless {
            return Ok(JsonObject::new());
        }
        let record = updated.unwrap_or(record);
        Ok(wire::task_fields(&record, self.inner.config.poll_interval))
    }

    /// `tasks/update`: records the answers to pending input requests (unknown
    /// keys are ignored) and resumes the task once none is pending.
    pub(crate) async fn update<S>(
        &self,
        ctx: &RequestContext<S>,
        id: &str,
        responses: Option<Value>,
    ) -> Result<JsonObject, HandlerError> {
        let responses = match responses {
            Some(Value::Object(map)) => map,
            None => JsonObject::new(),
            Some(_) => {
                return Err(HandlerError::invalid_params(
                    "Invalid params: `inputResponses` must be an object",
                ));
            }
        };
        let record = self.find(ctx, id).await?;
        let mut answered = JsonObject::new();
        for (key, value) in responses {
            if !record.input_requests.contains_key(&key) {
                continue;
            }
            serde_json::from_value::<InputResponse>(value.clone()).map_err(|e| {
                HandlerError::invalid_params(format!("Invalid params: input response `{key}`: {e}"))
            })?;
            answered.insert(key, value);
        }
        if answered.is_empty() {
            return Ok(JsonObject::new());
        }
        let updated = self
            .inner
            .store
            .update(
                id,
                Box::new(move |r| {
                    if r.status != TaskStatus::InputRequired {
                        return;
                    }
                    for (key, value) in answered {
                        if r.input_requests.remove(&key).is_some() {
                            r.input_responses.insert(key, value);
                        }
                    }
                    if r.input_requests.is_empty() {
                        r.status = TaskStatus::Working;
                        r.status_message = None;
                        r.last_updated_at = SystemTime::now();
                    }
                }),
            )
            .await
            .map_err(store_error)?;
        if updated.is_some_and(|r| r.status == TaskStatus::Working)
            && let Some(live) = self.inner.live(id)
        {
            live.input.notify_one();
        }
        Ok(JsonObject::new())
    }

    /// `tasks/result` (2025-11-25): waits for the task to finish, then answers
    /// with the request's own result (or error).
    pub(crate) async fn result<S>(
        &self,
        ctx: &RequestContext<S>,
        id: &str,
    ) -> Result<JsonObject, HandlerError> {
        loop {
            let settled = self.inner.live(id).map(|l| l.settled);
            let notified = settled.as_ref().map(|n| n.notified());
            let record = self.find(ctx, id).await?;
            match record.status {
                TaskStatus::Completed => {
                    let mut result = match record.result {
                        Some(Value::Object(map)) => map,
                        _ => JsonObject::new(),
                    };
                    let meta = result.entry("_meta").or_insert_with(|| json!({}));
                    if let Value::Object(meta) = meta {
                        meta.insert(
                            mcp_types::meta::RELATED_TASK.into(),
                            json!({ "taskId": id }),
                        );
                    }
                    return Ok(result);
                }
                TaskStatus::Failed => {
                    let error = record.error.unwrap_or_else(|| {
                        ErrorObject::new(ErrorCode::INTERNAL_ERROR, "the task failed")
                    });
                    return Err(HandlerError::Rpc(error));
                }
                TaskStatus::Cancelled => {
                    return Err(HandlerError::invalid_params(format!(
                        "Task {id} was cancelled; it has no result"
                    )));
                }
                TaskStatus::Working | TaskStatus::InputRequired => {}
            }
            let poll = self.inner.config.poll_interval;
            match notified {
                Some(notified) => {
                    let _ = tokio::time::timeout(poll, notified).await;
                }
                None => tokio::time::sleep(poll).await,
            }
        }
    }

    /// `tasks/list` (2025-11-25): the tasks of the caller's session.
    pub(crate) async fn list<S>(
        &self,
        ctx: &RequestContext<S>,
        cursor: Option<&str>,
    ) -> Result<JsonObject, HandlerError> {
        let owner = owner_of(ctx);
        let page = self
            .inner
            .store
            .list(owner.as_deref(), cursor, self.inner.config.page_size)
            .await
            .map_err(|e| match e {
                TaskStoreError::InvalidCursor => {
                    HandlerError::invalid_params(format!("Invalid cursor: {cursor:?}"))
                }
                e => store_error(e),
            })?;
        let poll = self.inner.config.poll_interval;
        let tasks: Vec<Value> = page
            .tasks
            .iter()
            .map(|r| Value::Object(wire::task_fields(r, poll)))
            .collect();
        let mut map = JsonObject::new();
        map.insert("tasks".into(), Value::Array(tasks));
        if let Some(next) = page.next_cursor {
            map.insert("nextCursor".into(), next.into());
        }
        Ok(map)
    }
}

impl Engine {
    async fn create(&self, record: TaskRecord, live: Live) -> Result<(), HandlerError> {
        let id = record.id.clone();
        lock(&self.live).insert(id.clone(), live);
        if let Err(e) = self.store.create(record).await {
            lock(&self.live).remove(&id);
            return Err(store_error(e));
        }
        Ok(())
    }

    fn live(&self, id: &str) -> Option<Live> {
        lock(&self.live).get(id).cloned()
    }

    /// Drops expired tasks, stopping those still running.
    async fn sweep(&self) {
        for id in self.store.evict_expired(SystemTime::now()).await {
            if let Some(live) = lock(&self.live).remove(&id) {
                live.cancel.cancel();
                live.settled.notify_waiters();
            }
        }
    }

    /// Moves a task to a terminal status, unless it is terminal already.
    async fn settle(
        &self,
        id: &str,
        status: TaskStatus,
        result: Option<Value>,
        error: Option<ErrorObject>,
        message: Option<String>,
    ) -> Option<TaskRecord> {
        let updated = self
            .store
            .update(
                id,
                Box::new(move |r| {
                    if r.is_terminal() {
                        return;
                    }
                    r.status = status;
                    r.result = result;
                    r.error = error;
                    r.status_message = message;
                    r.input_requests.clear();
                    r.last_updated_at = SystemTime::now();
                }),
            )
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(task = id, error = %e, "could not record the end of a task");
                None
            });
        if let Some(live) = lock(&self.live).remove(id) {
            live.cancel.cancel();
            live.settled.notify_waiters();
        }
        updated
    }

    /// Sets a live task's status (`working` / `input_required`).
    async fn set_status(&self, id: &str, status: TaskStatus) {
        let outcome = self
            .store
            .update(
                id,
                Box::new(move |r| {
                    if !r.is_terminal() && r.status != status {
                        r.status = status;
                        r.last_updated_at = SystemTime::now();
                    }
                }),
            )
            .await;
        if let Err(e) = outcome {
            tracing::warn!(task = id, error = %e, "could not record a task's status");
        }
    }

    async fn park(&self, id: &str, requests: JsonObject) -> bool {
        let updated = self
            .store
            .update(
                id,
                Box::new(move |r| {
                    if r.is_terminal() {
                        return;
                    }
                    r.status = TaskStatus::InputRequired;
                    r.input_requests = requests.into_iter().collect();
                    r.last_updated_at = SystemTime::now();
                }),
            )
            .await;
        matches!(updated, Ok(Some(r)) if r.status == TaskStatus::InputRequired)
    }
}

/// Runs a task's handler to its end: again after each round of input, until
/// it completes, fails or is cancelled.
async fn drive<S: Send + Sync + 'static>(
    engine: Arc<Engine>,
    mut ctx: RequestContext<S>,
    job: TaskJob<S>,
    scope: Arc<TaskScope>,
    live: Live,
) {
    let id = scope.id.clone();
    loop {
        let permit = tokio::select! {
            permit = engine.running.clone().acquire_owned() => permit.ok(),
            _ = live.cancel.cancelled() => None,
        };
        if permit.is_none() {
            if !scope.is_started() {
                scope.finish(Err(HandlerError::internal("the request was cancelled")));
            }
            engine
                .settle(&id, TaskStatus::Cancelled, None, None, None)
                .await;
            return;
        }
        let outcome = tokio::select! {
            outcome = job(ctx.clone()) => Some(outcome),
            _ = live.cancel.cancelled() => None,
        };
        drop(permit);
        let Some(outcome) = outcome else {
            if !scope.is_started() {
                scope.finish(Err(HandlerError::internal("the request was cancelled")));
            }
            engine
                .settle(&id, TaskStatus::Cancelled, None, None, None)
                .await;
            return;
        };
        if !scope.is_started() {
            scope.finish(outcome);
            return;
        }
        let input = match outcome {
            Ok(result) => {
                engine
                    .settle(&id, TaskStatus::Completed, Some(result), None, None)
                    .await;
                return;
            }
            Err(HandlerError::Rpc(error)) => {
                let message = error.message.clone();
                engine
                    .settle(&id, TaskStatus::Failed, None, Some(error), Some(message))
                    .await;
                return;
            }
            Err(HandlerError::InputRequired(input)) => input,
        };
        if !ctx.version.is_stateless() {
            let error = ErrorObject::new(
                ErrorCode::INTERNAL_ERROR,
                "the task asked for input the 2026-07-28 way in a session-era task",
            );
            engine
                .settle(&id, TaskStatus::Failed, None, Some(error), None)
                .await;
            return;
        }
        let requests: JsonObject = input
            .input_requests
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| serde_json::to_value(v).ok().map(|v| (k, v)))
            .collect();
        ctx.request_state = input.request_state;
        if !requests.is_empty() {
            if !engine.park(&id, requests).await {
                engine
                    .settle(&id, TaskStatus::Cancelled, None, None, None)
                    .await;
                return;
            }
            tokio::select! {
                _ = live.input.notified() => {}
                _ = live.cancel.cancelled() => {
                    engine.settle(&id, TaskStatus::Cancelled, None, None, None).await;
                    return;
                }
            }
        }
        let record = match engine.store.get(&id).await {
            Ok(Some(record)) if !record.is_terminal() => record,
            _ => {
                engine
                    .settle(&id, TaskStatus::Cancelled, None, None, None)
                    .await;
                return;
            }
        };
        let responses: Result<InputResponses, _> =
            serde_json::from_value(Value::Object(record.input_responses));
        match responses {
            Ok(responses) => ctx.input_responses = Some(responses),
            Err(e) => {
                let error = ErrorObject::new(
                    ErrorCode::INVALID_PARAMS,
                    format!("Invalid params: input responses: {e}"),
                );
                engine
                    .settle(&id, TaskStatus::Failed, None, Some(error), None)
                    .await;
                return;
            }
        }
    }
}

/// Whose task a request may see: its session's (session era), or anyone
/// holding the id (2026-07-28).
fn owner_of<S>(ctx: &RequestContext<S>) -> Option<String> {
    (!ctx.version.is_stateless()).then(|| ctx.peer.session().task_owner().to_owned())
}

/// A task id: 128 random bits, hex.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: derive bits from a fresh random HMAC key instead.
        let key = crate::StateKey::random();
        let sealed = key.seal(&json!(format!("{:?}", SystemTime::now())));
        for (i, b) in sealed.bytes().rev().take(16).enumerate() {
            bytes[i] ^= b;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unknown_task(id: &str) -> HandlerError {
    HandlerError::Rpc(
        ErrorObject::new(ErrorCode::INVALID_PARAMS, format!("Unknown task: {id}"))
            .with_data(json!({ "taskId": id })),
    )
}

fn store_error(e: TaskStoreError) -> HandlerError {
    match e {
        TaskStoreError::Full { capacity } => HandlerError::Rpc(
            ErrorObject::new(
                TASK_STORE_FULL,
                format!("Server busy: the task store is full ({capacity} tasks); retry later"),
            )
            .with_data(json!({ "capacity": capacity })),
        ),
        e => HandlerError::internal(e.to_string()),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
