//! Where tasks live: [`TaskStore`], the trait a deployment implements to keep
//! tasks elsewhere (a database, a cache shared by replicas), and
//! [`InMemoryTaskStore`], the bounded default with TTL eviction.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use futures::future::{BoxFuture, ready};
use mcp_types::{ErrorObject, JsonObject, ProtocolVersion, TaskStatus};
use serde_json::Value;

/// One task as the store keeps it: its state, and what it produced.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    /// The unguessable task id.
    pub id: String,
    /// Who may see it: the session that created it (session era), or `None`
    /// when the id alone grants access (2026-07-28, which has no sessions).
    pub owner: Option<String>,
    /// The revision of the request that created it; its answers keep that shape.
    pub version: ProtocolVersion,
    /// The current status.
    pub status: TaskStatus,
    /// A human-readable note on the status.
    pub status_message: Option<String>,
    /// When it was created.
    pub created_at: SystemTime,
    /// When its status last changed.
    pub last_updated_at: SystemTime,
    /// How long it is kept after creation.
    pub ttl: Duration,
    /// The result of the underlying request (`completed`).
    pub result: Option<Value>,
    /// The protocol error the underlying request ended in (`failed`).
    pub error: Option<ErrorObject>,
    /// The input requests the task waits on (`input_required`), by key.
    pub input_requests: BTreeMap<String, Value>,
    /// The input responses received so far, by key.
    pub input_responses: JsonObject,
}

impl TaskRecord {
    /// Whether the task is finished (`completed`, `failed` or `cancelled`).
    pub fn is_terminal(&self) -> bool {
        is_terminal(self.status)
    }

    /// Whether its time to live has run out at `now`.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        now.duration_since(self.created_at)
            .is_ok_and(|age| age >= self.ttl)
    }
}

/// Whether `status` is terminal.
pub fn is_terminal(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
    )
}

/// Why a store refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskStoreError {
    /// The store holds as many live tasks as it may.
    #[error("the task store is full ({capacity} tasks)")]
    Full {
        /// The store's capacity.
        capacity: usize,
    },
    /// A task with that id exists already.
    #[error("a task with id `{0}` exists already")]
    Duplicate(String),
    /// The `tasks/list` cursor names no task of the store.
    #[error("invalid cursor")]
    InvalidCursor,
    /// The backing storage failed.
    #[error("the task store failed: {0}")]
    Backend(String),
}

/// One page of [`TaskStore::list`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskPage {
    /// The tasks, oldest first.
    pub tasks: Vec<TaskRecord>,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
}

/// A change applied to one stored task, atomically with respect to other changes.
pub type TaskUpdate = Box<dyn FnOnce(&mut TaskRecord) + Send>;

/// Storage for tasks.
///
/// The engine keeps the running handlers in the process; the store keeps what
/// clients poll. An implementation must bound what it holds (refusing new
/// tasks with [`TaskStoreError::Full`]) and must not hand out a task whose
/// TTL ran out.
pub trait TaskStore: Send + Sync + 'static {
    /// Stores a new task.
    fn create(&self, record: TaskRecord) -> BoxFuture<'_, Result<(), TaskStoreError>>;

    /// The task `id`, unless unknown or expired.
    fn get(&self, id: &str) -> BoxFuture<'_, Result<Option<TaskRecord>, TaskStoreError>>;

    /// Applies `update` to task `id` and returns the task as it is after it,
    /// or `None` when it is unknown or expired.
    fn update(
        &self,
        id: &str,
        update: TaskUpdate,
    ) -> BoxFuture<'_, Result<Option<TaskRecord>, TaskStoreError>>;

    /// Up to `limit` tasks of `owner` in creation order, after the task
    /// `cursor`; and the cursor of the next page, if there is one.
    fn list(
        &self,
        owner: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<'_, Result<TaskPage, TaskStoreError>>;

    /// Removes the tasks whose TTL ran out at `now`; returns their ids.
    fn evict_expired(&self, now: SystemTime) -> BoxFuture<'_, Vec<String>>;
}

/// The default store: a bounded map in memory; expired tasks are dropped
/// whenever the store is touched.
#[derive(Debug)]
pub struct InMemoryTaskStore {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    tasks: HashMap<String, (u64, TaskRecord)>,
    next_seq: u64,
}

impl InMemoryTaskStore {
    /// A store that holds at most `capacity` tasks (at least one).
    pub fn new(capacity: usize) -> Self {
        InMemoryTaskStore {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// How many tasks it holds now, expired ones included until the next sweep.
    pub fn len(&self) -> usize {
        self.lock().tasks.len()
    }

    /// Whether it holds no task.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    fn sweep(&mut self, now: SystemTime) -> Vec<String> {
        let expired: Vec<String> = self
            .tasks
            .iter()
            .filter(|(_, (_, r))| r.is_expired(now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &expired {
            self.tasks.remove(id);
        }
        expired
    }

    fn live(&self, id: &str, now: SystemTime) -> Option<&TaskRecord> {
        self.tasks
            .get(id)
            .map(|(_, r)| r)
            .filter(|r| !r.is_expired(now))
    }
}

impl TaskStore for InMemoryTaskStore {
    fn create(&self, record: TaskRecord) -> BoxFuture<'_, Result<(), TaskStoreError>> {
        let mut inner = self.lock();
        let outcome = if inner.tasks.contains_key(&record.id) {
            Err(TaskStoreError::Duplicate(record.id))
        } else {
            if inner.tasks.len() >= self.capacity {
                inner.sweep(SystemTime::now());
            }
            if inner.tasks.len() >= self.capacity {
                Err(TaskStoreError::Full {
                    capacity: self.capacity,
                })
            } else {
                let seq = inner.next_seq;
                inner.next_seq += 1;
                inner.tasks.insert(record.id.clone(), (seq, record));
                Ok(())
            }
        };
        Box::pin(ready(outcome))
    }

    fn get(&self, id: &str) -> BoxFuture<'_, Result<Option<TaskRecord>, TaskStoreError>> {
        let found = self.lock().live(id, SystemTime::now()).cloned();
        Box::pin(ready(Ok(found)))
    }

    fn update(
        &self,
        id: &str,
        update: TaskUpdate,
    ) -> BoxFuture<'_, Result<Option<TaskRecord>, TaskStoreError>> {
        let now = SystemTime::now();
        let mut inner = self.lock();
        let updated = match inner.tasks.get_mut(id) {
            Some((_, record)) if !record.is_expired(now) => {
                update(record);
                Some(record.clone())
            }
            _ => None,
        };
        Box::pin(ready(Ok(updated)))
    }

    fn list(
        &self,
        owner: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<'_, Result<TaskPage, TaskStoreError>> {
        let now = SystemTime::now();
        let inner = self.lock();
        let after = cursor.and_then(|c| inner.tasks.get(c)).map(|(seq, _)| *seq);
        let outcome = match (cursor, after) {
            (Some(_), None) => Err(TaskStoreError::InvalidCursor),
            _ => {
                let mut tasks: Vec<&(u64, TaskRecord)> = inner
                    .tasks
                    .values()
                    .filter(|(seq, r)| {
                        r.owner.as_deref() == owner
                            && !r.is_expired(now)
                            && after.is_none_or(|a| *seq > a)
                    })
                    .collect();
                tasks.sort_by_key(|(seq, _)| *seq);
                let limit = limit.max(1);
                let more = tasks.len() > limit;
                let page: Vec<TaskRecord> = tasks
                    .into_iter()
                    .take(limit)
                    .map(|(_, r)| r.clone())
                    .collect();
                let next = more.then(|| page.last().map(|r| r.id.clone())).flatten();
                Ok(TaskPage {
                    tasks: page,
                    next_cursor: next,
                })
            }
        };
        Box::pin(ready(outcome))
    }

    fn evict_expired(&self, now: SystemTime) -> BoxFuture<'_, Vec<String>> {
        let expired = self.lock().sweep(now);
        Box::pin(ready(expired))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, ttl: Duration) -> TaskRecord {
        let now = SystemTime::now();
        TaskRecord {
            id: id.to_owned(),
            owner: None,
            version: ProtocolVersion::V2026_07_28,
            status: TaskStatus::Working,
            status_message: None,
            created_at: now,
            last_updated_at: now,
            ttl,
            result: None,
            error: None,
            input_requests: BTreeMap::new(),
            input_responses: JsonObject::new(),
        }
    }

    #[tokio::test]
    async fn bounded_and_evicts_expired_tasks() {
        let store = InMemoryTaskStore::new(2);
        store
            .create(record("a", Duration::from_millis(20)))
            .await
            .unwrap();
        store
            .create(record("b", Duration::from_secs(60)))
            .await
            .unwrap();
        assert_eq!(
            store.create(record("c", Duration::from_secs(60))).await,
            Err(TaskStoreError::Full { capacity: 2 })
        );
        assert_eq!(
            store.create(record("b", Duration::from_secs(60))).await,
            Err(TaskStoreError::Duplicate("b".into()))
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(
            store.get("a").await.unwrap(),
            None,
            "expired tasks are gone"
        );
        store
            .create(record("c", Duration::from_secs(60)))
            .await
            .unwrap();
        assert_eq!(store.len(), 2, "the expired task made room");
    }

    #[tokio::test]
    async fn lists_by_owner_in_pages() {
        let store = InMemoryTaskStore::new(10);
        for id in ["a", "b", "c"] {
            let mut r = record(id, Duration::from_secs(60));
            r.owner = Some("me".into());
            store.create(r).await.unwrap();
        }
        store
            .create(record("other", Duration::from_secs(60)))
            .await
            .unwrap();
        let page = store.list(Some("me"), None, 2).await.unwrap();
        let ids: Vec<&str> = page.tasks.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let page = store
            .list(Some("me"), page.next_cursor.as_deref(), 2)
            .await
            .unwrap();
        let ids: Vec<&str> = page.tasks.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["c"]);
        assert_eq!(page.next_cursor, None);
        assert_eq!(
            store.list(Some("me"), Some("nope"), 2).await,
            Err(TaskStoreError::InvalidCursor)
        );
    }
}
