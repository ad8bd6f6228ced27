//! The wire shapes of tasks in each era, and the method types that route them.
//!
//! | | 2025-11-25 (`capabilities.tasks`) | 2026-07-28 (extension `io.modelcontextprotocol/tasks`) |
//! | --- | --- | --- |
//! | created | `{task: {taskId, status, ttl, pollInterval, createdAt, lastUpdatedAt}}` | flat `{resultType: "task", taskId, status, ttlMs, pollIntervalMs, ...}` |
//! | `tasks/get` | the `Task` fields | the same, plus `result` / `error` / `inputRequests` inlined |
//! | result | `tasks/result` (blocks; `_meta` related-task) | inlined in `tasks/get` |
//! | `tasks/cancel` | the `Task`, `-32602` when already terminal | `{resultType: "complete"}`, idempotent |
//! | input | server requests while `input_required` | `inputRequests` answered with `tasks/update` |

use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcp_types::{JsonObject, ProtocolVersion, RequestMethod, Revisioned, Revisions, TaskStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::tasks::store::TaskRecord;

/// The result of a request that may have become a task: the ordinary result,
/// or the era-shaped `CreateTaskResult`.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskOr<R> {
    /// The request completed without a task.
    Complete(R),
    /// A task was created; the object is its `CreateTaskResult`.
    Task(JsonObject),
}

impl<R: Serialize> Serialize for TaskOr<R> {
    fn serialize<Se: serde::Serializer>(&self, serializer: Se) -> Result<Se::Ok, Se::Error> {
        match self {
            TaskOr::Complete(r) => r.serialize(serializer),
            TaskOr::Task(created) => created.serialize(serializer),
        }
    }
}

impl<'de, R: serde::de::DeserializeOwned> Deserialize<'de> for TaskOr<R> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = JsonObject::deserialize(deserializer)?;
        if map.contains_key("taskId") || map.get("task").is_some_and(Value::is_object) {
            return Ok(TaskOr::Task(map));
        }
        serde_json::from_value(Value::Object(map))
            .map(TaskOr::Complete)
            .map_err(serde::de::Error::custom)
    }
}

impl<R: Revisioned> Revisioned for TaskOr<R> {
    fn conform_to(&mut self, version: ProtocolVersion) {
        if let TaskOr::Complete(r) = self {
            r.conform_to(version);
        }
    }
}

/// Method `M`, whose handler may answer with a task ([`TaskOr`]).
///
/// Register it in place of `M`: `server.request::<TaskAugmented<CallToolRequest>, _, _>(..)`.
#[derive(Debug)]
pub struct TaskAugmented<M>(PhantomData<fn() -> M>);

impl<M: RequestMethod> RequestMethod for TaskAugmented<M> {
    const METHOD: &'static str = M::METHOD;
    const REVISIONS: Revisions = M::REVISIONS;
    type Params = M::Params;
    type Result = TaskOr<M::Result>;
}

/// The revisions with server-side task methods: 2025-11-25 and 2026-07-28.
pub(crate) const TASK_REVISIONS: Revisions = Revisions::since(ProtocolVersion::V2025_11_25);

/// The params of `tasks/get`, `tasks/cancel`, `tasks/result` and `tasks/update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskIdParams {
    /// The task.
    #[serde(rename = "taskId")]
    pub task_id: String,
    /// `tasks/update`: the answers to the task's input requests, by key.
    #[serde(
        rename = "inputResponses",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub input_responses: Option<Value>,
    /// Everything else (`_meta`).
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Revisioned for TaskIdParams {
    fn conform_to(&mut self, _: ProtocolVersion) {}
}

macro_rules! task_method {
    ($(#[$doc:meta])* $name:ident, $method:literal, $revisions:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl RequestMethod for $name {
            const METHOD: &'static str = $method;
            const REVISIONS: Revisions = $revisions;
            type Params = TaskIdParams;
            type Result = JsonObject;
        }
    };
}

task_method!(
    /// `tasks/get`, in both eras.
    TasksGet, "tasks/get", TASK_REVISIONS
);
task_method!(
    /// `tasks/cancel`, in both eras.
    TasksCancel, "tasks/cancel", TASK_REVISIONS
);
task_method!(
    /// `tasks/result` (2025-11-25; the extension inlines results in `tasks/get`).
    TasksResult, "tasks/result", Revisions::from_bits(1u8 << ProtocolVersion::V2025_11_25.index())
);
task_method!(
    /// `tasks/update` (the extension's answer to `input_required`).
    TasksUpdate, "tasks/update", Revisions::from_bits(1u8 << ProtocolVersion::V2026_07_28.index())
);

/// An ISO 8601 UTC timestamp with milliseconds, as `toISOString` writes it.
pub(crate) fn iso8601(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = since.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// The task's metadata in its era's field names.
pub(crate) fn task_fields(record: &TaskRecord, poll: Duration) -> JsonObject {
    let mut map = JsonObject::new();
    map.insert("taskId".into(), record.id.clone().into());
    map.insert("status".into(), record.status.as_str().into());
    if let Some(message) = &record.status_message {
        map.insert("statusMessage".into(), message.clone().into());
    }
    map.insert("createdAt".into(), iso8601(record.created_at).into());
    map.insert(
        "lastUpdatedAt".into(),
        iso8601(record.last_updated_at).into(),
    );
    if record.version.is_stateless() {
        map.insert("ttlMs".into(), millis(record.ttl).into());
        map.insert("pollIntervalMs".into(), millis(poll).into());
    } else {
        map.insert("ttl".into(), millis(record.ttl).into());
        map.insert("pollInterval".into(), millis(poll).into());
    }
    map
}

/// The `CreateTaskResult` of a new task.
pub(crate) fn created(record: &TaskRecord, poll: Duration) -> JsonObject {
    let fields = task_fields(record, poll);
    if record.version.is_stateless() {
        let mut map = fields;
        map.insert("resultType".into(), "task".into());
        map
    } else {
        let mut map = JsonObject::new();
        map.insert("task".into(), Value::Object(fields));
        map
    }
}

/// The answer to `tasks/get`: for the extension, with the outcome inlined.
pub(crate) fn detailed(record: &TaskRecord, poll: Duration) -> JsonObject {
    let mut map = task_fields(record, poll);
    if !record.version.is_stateless() {
        return map;
    }
    match record.status {
        TaskStatus::Completed => {
            if let Some(result) = &record.result {
                map.insert("result".into(), result.clone());
            }
        }
        TaskStatus::Failed => {
            if let Some(error) = &record.error {
                map.insert("error".into(), json!(error));
            }
        }
        TaskStatus::InputRequired => {
            let requests: JsonObject = record
                .input_requests
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            map.insert("inputRequests".into(), Value::Object(requests));
        }
        TaskStatus::Working | TaskStatus::Cancelled => {}
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_iso8601() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_709_251_199_123);
        assert_eq!(iso8601(t), "2024-02-29T23:59:59.123Z");
        let t = UNIX_EPOCH + Duration::from_secs(4_102_444_800);
        assert_eq!(iso8601(t), "2100-01-01T00:00:00.000Z");
    }
}
