//! Server-side tasks in both eras, in memory and over real Streamable HTTP:
//! creation, polling, results, cancellation, listing, input rounds, TTL
//! expiry, the store's bound and the required-task errors.

mod common;

use std::sync::Arc;
use std::time::Duration;

use mcp_lowlevel::memory::{ConnectedClient, connect};
use mcp_lowlevel::{Connection, ConnectionConfig, Peer, PeerError, Router, RouterConfig};
use mcp_server::types::{
    ClientCapabilities, ErrorCode, ErrorObject, InitializeRequest, InitializeRequestParams,
    InitializedNotification, ProtocolVersion, meta,
};
use mcp_server::{Context, McpServer, TaskConfig, TaskStart, TaskSupport, ToolDef, ToolError};
use mcp_transport::http_client::StreamableHttpClient;
use serde_json::{Value, json};

/// `seconds`: how long `sleep` works.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Sleep {
    seconds: f64,
}

fn server(config: TaskConfig) -> McpServer {
    McpServer::new("tasks-test")
        .tasks(config)
        .tool("plain", || "plain answer")
        .tool(
            ToolDef::new("sleep").task_support(TaskSupport::Optional),
            |a: Sleep| async move {
                tokio::time::sleep(Duration::from_secs_f64(a.seconds)).await;
                format!("slept {}", a.seconds)
            },
        )
        .tool(
            ToolDef::new("must_task").task_support(TaskSupport::Required),
            || "ran as a task",
        )
        .tool(
            ToolDef::new("tool_error").task_support(TaskSupport::Optional),
            || Err::<String, _>("it went wrong"),
        )
        .tool(
            ToolDef::new("protocol_error").task_support(TaskSupport::Optional),
            || {
                Err::<String, _>(ToolError::protocol(ErrorObject::new(
                    ErrorCode::INTERNAL_ERROR,
                    "broken",
                )))
            },
        )
        .tool(
            ToolDef::new("two_questions").task_support(TaskSupport::Optional),
            |ctx: Context| match (ctx.input_response("a"), ctx.input_response("b")) {
                (Some(a), Some(b)) => Ok(format!(
                    "a={} b={}",
                    a["content"]["v"], b["content"]["v"]
                )),
                _ => Err(ctx.input_required(vec![
                    ("a".into(), question("A?")),
                    ("b".into(), question("B?")),
                ])),
            },
        )
        .tool(
            ToolDef::new("ask_then_task")
                .task_support(TaskSupport::Required)
                .task_start(TaskStart::WhenAsked),
            |ctx: Context| async move {
                let Some(answer) = ctx.input_response("who") else {
                    return Err(ctx.input_required(vec![("who".into(), question("Who?"))]));
                };
                let started = ctx.start_task().await;
                Ok(format!("hello {} (task: {started})", answer["content"]["v"]))
            },
        )
        .tool(
            ToolDef::new("elicit_in_task").task_support(TaskSupport::Optional),
            |ctx: Context| async move {
                let answer = ctx
                    .elicit_raw(json!({"message": "Sure?", "requestedSchema": {"type": "object", "properties": {"v": {"type": "string"}}}}))
                    .await?;
                let answer = serde_json::to_value(answer).unwrap_or_default();
                Ok::<_, ToolError>(format!("answered {}", answer["content"]["v"]))
            },
        )
}

fn question(message: &str) -> mcp_server::types::InputRequest {
    serde_json::from_value(json!({"method": "elicitation/create", "params": {"message": message, "requestedSchema": {"type": "object", "properties": {"v": {"type": "string"}}}}}))
        .unwrap()
}

/// The client side answering a session-era server's elicitation.
fn client_router() -> Router<()> {
    Router::new().request::<mcp_server::types::ElicitRequest, _, _>(
        |ctx: mcp_lowlevel::RequestContext<()>, _params| async move {
            // Slow enough for the test to see the task wait on the answer.
            tokio::time::sleep(Duration::from_millis(200)).await;
            let tagged = ctx.meta().get(meta::RELATED_TASK).is_some();
            let v = if tagged { "yes" } else { "untagged" };
            Ok(serde_json::from_value(json!({"action": "accept", "content": {"v": v}})).unwrap())
        },
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Wire {
    Memory,
    Http,
}

/// A client in one era over one wire; `stateless` is the 2026 `_meta`.
struct Client {
    peer: Peer,
    stateless: Option<Value>,
    _memory: Option<ConnectedClient>,
    _tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Client {
    fn drop(&mut self) {
        for t in &self._tasks {
            t.abort();
        }
    }
}

impl Client {
    /// A client of `server`; `era` `None` is 2026-07-28 with `caps`.
    async fn new(
        server: McpServer,
        wire: Wire,
        era: Option<ProtocolVersion>,
        caps: Value,
    ) -> Client {
        let (peer, memory, tasks) = match wire {
            Wire::Memory => {
                let c = connect(server.into_lowlevel(), client_router())
                    .await
                    .unwrap();
                (c.peer.clone(), Some(c), Vec::new())
            }
            Wire::Http => {
                let port = common::free_port();
                let serving = tokio::spawn(async move {
                    let _ = server.serve_http(("127.0.0.1", port)).await;
                });
                common::wait_for_port("the task server", port).await;
                let transport =
                    StreamableHttpClient::builder(format!("http://127.0.0.1:{port}/mcp"))
                        .build()
                        .unwrap();
                let connection = Connection::new(ConnectionConfig::default());
                let peer = connection.peer().clone();
                let service = client_router().into_service(Arc::new(()), RouterConfig::client());
                let engine = tokio::spawn(async move {
                    let _ = connection.run(transport, service).await;
                });
                (peer, None, vec![serving, engine])
            }
        };
        let stateless = match era {
            Some(version) => {
                let caps: ClientCapabilities = serde_json::from_value(caps).unwrap();
                let params = InitializeRequestParams::new(
                    caps,
                    mcp_server::types::Implementation::new("tasks-test-client", "0"),
                    version.as_str(),
                );
                let result = peer.request::<InitializeRequest>(params).await.unwrap();
                assert_eq!(result.protocol_version, version.as_str());
                peer.session().set_protocol_version(version);
                peer.notify::<InitializedNotification>(Default::default())
                    .await
                    .unwrap();
                peer.session().set_initialized();
                None
            }
            None => Some(json!({
                meta::PROTOCOL_VERSION: "2026-07-28",
                meta::CLIENT_CAPABILITIES: caps,
            })),
        };
        Client {
            peer,
            stateless,
            _memory: memory,
            _tasks: tasks,
        }
    }

    async fn call(&self, method: &str, mut params: Value) -> Result<Value, PeerError> {
        if let Some(m) = &self.stateless {
            params["_meta"] = m.clone();
        }
        let raw = self
            .peer
            .request_raw(method, &params, Default::default())
            .await?;
        Ok(serde_json::from_str(raw.get()).unwrap())
    }

    async fn ok(&self, method: &str, params: Value) -> Value {
        self.call(method, params)
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    async fn err(&self, method: &str, params: Value) -> ErrorObject {
        match self.call(method, params).await {
            Err(PeerError::Rpc(e)) => e,
            other => panic!("{method}: expected an error, got {other:?}"),
        }
    }

    async fn get(&self, id: &str) -> Value {
        self.ok("tasks/get", json!({"taskId": id})).await
    }

    /// Polls `tasks/get` until the task is terminal (or `status`).
    async fn wait(&self, id: &str, status: &str) -> Value {
        for _ in 0..200 {
            let task = self.get(id).await;
            let now = task["status"].as_str().unwrap().to_owned();
            if now == status || ["completed", "failed", "cancelled"].contains(&now.as_str()) {
                return task;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("task {id} never reached {status}");
    }
}

fn ext() -> Value {
    json!({"elicitation": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}})
}

const WIRES: [Wire; 2] = [Wire::Memory, Wire::Http];

#[tokio::test]
async fn extension_lifecycle() {
    for wire in WIRES {
        let c = Client::new(server(TaskConfig::default()), wire, None, ext()).await;
        let discover = c.ok("server/discover", json!({})).await;
        let caps = &discover["capabilities"];
        assert!(
            caps["extensions"]["io.modelcontextprotocol/tasks"].is_object(),
            "{caps}"
        );
        assert!(
            caps.get("tasks").is_none(),
            "no v1 tasks slot in 2026: {caps}"
        );

        let plain = c
            .ok("tools/call", json!({"name": "plain", "arguments": {}}))
            .await;
        assert_eq!(plain["resultType"], "complete");
        assert!(plain.get("taskId").is_none());

        let created = c
            .ok(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 0.3}}),
            )
            .await;
        assert_eq!(created["resultType"], "task", "{created}");
        assert_eq!(created["status"], "working");
        assert!(created.get("task").is_none() && created.get("ttl").is_none());
        assert!(created["ttlMs"].as_u64().unwrap() > 0);
        assert!(created["pollIntervalMs"].as_u64().unwrap() > 0);
        let id = created["taskId"].as_str().unwrap().to_owned();
        assert_eq!(id.len(), 32, "128 random bits");
        let working = c.get(&id).await;
        assert_eq!(working["resultType"], "complete");
        assert_eq!(working["status"], "working");
        assert!(working.get("result").is_none());
        let done = c.wait(&id, "completed").await;
        assert_eq!(done["status"], "completed");
        assert_eq!(done["result"]["content"][0]["text"], "slept 0.3", "{done}");
        assert!(done["result"]["_meta"].get(meta::RELATED_TASK).is_none());

        let tool_error = c
            .ok("tools/call", json!({"name": "tool_error", "arguments": {}}))
            .await;
        let finished = c
            .wait(tool_error["taskId"].as_str().unwrap(), "completed")
            .await;
        assert_eq!(finished["status"], "completed");
        assert_eq!(finished["result"]["isError"], true);

        let failing = c
            .ok(
                "tools/call",
                json!({"name": "protocol_error", "arguments": {}}),
            )
            .await;
        let failed = c.wait(failing["taskId"].as_str().unwrap(), "failed").await;
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["error"]["code"], -32603);
        assert!(failed.get("result").is_none());

        let long = c
            .ok(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 60}}),
            )
            .await;
        let long_id = long["taskId"].as_str().unwrap();
        let ack = c.ok("tasks/cancel", json!({"taskId": long_id})).await;
        assert_eq!(ack["resultType"], "complete");
        assert!(
            ack.get("taskId").is_none() && ack.get("status").is_none(),
            "{ack}"
        );
        assert_eq!(c.get(long_id).await["status"], "cancelled");
        let again = c.ok("tasks/cancel", json!({"taskId": &id})).await;
        assert_eq!(
            again["resultType"], "complete",
            "cancelling a finished task is acknowledged"
        );
        assert_eq!(
            c.get(&id).await["status"],
            "completed",
            "and changes nothing"
        );

        let unknown = c.err("tasks/get", json!({"taskId": "no-such-task"})).await;
        assert_eq!(unknown.code, ErrorCode::INVALID_PARAMS);
        let unknown = c
            .err("tasks/cancel", json!({"taskId": "no-such-task"}))
            .await;
        assert_eq!(unknown.code, ErrorCode::INVALID_PARAMS);
        for removed in ["tasks/result", "tasks/list"] {
            let e = c.err(removed, json!({"taskId": &id})).await;
            assert_eq!(e.code, ErrorCode::METHOD_NOT_FOUND, "{removed}");
        }
    }
}

#[tokio::test]
async fn extension_gating_without_opt_in() {
    for wire in WIRES {
        let c = Client::new(server(TaskConfig::default()), wire, None, json!({})).await;
        for method in ["tasks/get", "tasks/cancel", "tasks/update"] {
            let e = c
                .err(method, json!({"taskId": "x", "inputResponses": {}}))
                .await;
            assert_eq!(
                e.code,
                ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
                "{method}"
            );
        }
        let sync = c
            .ok(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 0}, "task": {"ttl": 1000}}),
            )
            .await;
        assert_eq!(
            sync["resultType"], "complete",
            "no task without the extension: {sync}"
        );
        assert_eq!(sync["content"][0]["text"], "slept 0");
        let e = c
            .err("tools/call", json!({"name": "must_task", "arguments": {}}))
            .await;
        assert_eq!(e.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY);
        assert!(
            e.data.unwrap()["requiredCapabilities"]["extensions"]["io.modelcontextprotocol/tasks"]
                .is_object()
        );
    }
}

#[tokio::test]
async fn extension_input_rounds() {
    for wire in WIRES {
        let c = Client::new(server(TaskConfig::default()), wire, None, ext()).await;
        let created = c
            .ok(
                "tools/call",
                json!({"name": "two_questions", "arguments": {}}),
            )
            .await;
        let id = created["taskId"].as_str().unwrap().to_owned();
        let parked = c.wait(&id, "input_required").await;
        assert_eq!(parked["status"], "input_required");
        let keys: Vec<&String> = parked["inputRequests"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(parked["inputRequests"]["a"]["method"], "elicitation/create");

        let bad = c
            .err(
                "tasks/update",
                json!({"taskId": &id, "inputResponses": "nope"}),
            )
            .await;
        assert_eq!(bad.code, ErrorCode::INVALID_PARAMS);
        let ack = c
            .ok("tasks/update", json!({"taskId": &id, "inputResponses": {"a": {"action": "accept", "content": {"v": "1"}}, "unknown": {"x": 1}}}))
            .await;
        assert_eq!(ack["resultType"], "complete");
        assert!(ack.get("status").is_none());
        let partial = c.get(&id).await;
        assert_eq!(partial["status"], "input_required");
        let keys: Vec<&String> = partial["inputRequests"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["b"], "the answered key is gone");
        c.ok("tasks/update", json!({"taskId": &id, "inputResponses": {"b": {"action": "accept", "content": {"v": "2"}}}}))
            .await;
        let done = c.wait(&id, "completed").await;
        assert_eq!(
            done["result"]["content"][0]["text"], r#"a="1" b="2""#,
            "{done}"
        );

        // Input first (no task yet), then a task.
        let r1 = c
            .ok(
                "tools/call",
                json!({"name": "ask_then_task", "arguments": {}}),
            )
            .await;
        assert_eq!(r1["resultType"], "input_required");
        assert!(r1.get("taskId").is_none());
        let r2 = c
            .ok("tools/call", json!({"name": "ask_then_task", "arguments": {}, "requestState": r1["requestState"], "inputResponses": {"who": {"action": "accept", "content": {"v": "Ada"}}}}))
            .await;
        assert_eq!(r2["resultType"], "task", "{r2}");
        assert!(r2.get("requestState").is_none() && r2.get("inputRequests").is_none());
        let done = c.wait(r2["taskId"].as_str().unwrap(), "completed").await;
        assert_eq!(
            done["result"]["content"][0]["text"],
            r#"hello "Ada" (task: true)"#
        );

        // A parked task can be cancelled.
        let parked = c
            .ok(
                "tools/call",
                json!({"name": "two_questions", "arguments": {}}),
            )
            .await;
        let parked_id = parked["taskId"].as_str().unwrap();
        c.wait(parked_id, "input_required").await;
        c.ok("tasks/cancel", json!({"taskId": parked_id})).await;
        assert_eq!(c.get(parked_id).await["status"], "cancelled");
    }
}

#[tokio::test]
async fn session_era_lifecycle() {
    for wire in WIRES {
        let v = ProtocolVersion::V2025_11_25;
        let c = Client::new(
            server(TaskConfig::default()),
            wire,
            Some(v),
            json!({"elicitation": {}}),
        )
        .await;
        let created = c
            .ok(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 0.2}, "task": {"ttl": 60000}}),
            )
            .await;
        let task = &created["task"];
        assert_eq!(task["status"], "working", "{created}");
        assert_eq!(task["ttl"], 60000);
        assert!(task["pollInterval"].as_u64().is_some() && task.get("ttlMs").is_none());
        assert!(created.get("resultType").is_none());
        let id = task["taskId"].as_str().unwrap().to_owned();

        let listed = c.ok("tasks/list", json!({})).await;
        assert!(
            listed["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["taskId"] == id.as_str())
        );
        // tasks/result waits for the end, then answers with the tool's result.
        let result = c.ok("tasks/result", json!({"taskId": &id})).await;
        assert_eq!(result["content"][0]["text"], "slept 0.2");
        assert_eq!(result["_meta"][meta::RELATED_TASK]["taskId"], id.as_str());
        let got = c.get(&id).await;
        assert_eq!(got["status"], "completed");
        assert!(
            got.get("result").is_none(),
            "2025-11-25 has tasks/result instead"
        );

        let e = c.err("tasks/cancel", json!({"taskId": &id})).await;
        assert_eq!(
            e.code,
            ErrorCode::INVALID_PARAMS,
            "a finished task cannot be cancelled"
        );
        let long = c
            .ok(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 60}, "task": {}}),
            )
            .await;
        let long_id = long["task"]["taskId"].as_str().unwrap();
        let cancelled = c.ok("tasks/cancel", json!({"taskId": long_id})).await;
        assert_eq!(cancelled["status"], "cancelled");
        let e = c.err("tasks/result", json!({"taskId": long_id})).await;
        assert_eq!(e.code, ErrorCode::INVALID_PARAMS);

        let failing = c
            .ok(
                "tools/call",
                json!({"name": "protocol_error", "arguments": {}, "task": {}}),
            )
            .await;
        let e = c
            .err("tasks/result", json!({"taskId": failing["task"]["taskId"]}))
            .await;
        assert_eq!(
            e.code,
            ErrorCode::INTERNAL_ERROR,
            "a failed task's result is its error"
        );

        // The handler's requests to the client work from a task, tagged with
        // the task (related-task `_meta`), which is `input_required` meanwhile.
        let asking = c
            .ok(
                "tools/call",
                json!({"name": "elicit_in_task", "arguments": {}, "task": {}}),
            )
            .await;
        let asking_id = asking["task"]["taskId"].as_str().unwrap();
        let waiting = c.wait(asking_id, "input_required").await;
        assert_eq!(waiting["status"], "input_required", "waiting on the client");
        let answer = c.ok("tasks/result", json!({"taskId": asking_id})).await;
        assert_eq!(answer["content"][0]["text"], r#"answered "yes""#);

        let e = c
            .err("tools/call", json!({"name": "must_task", "arguments": {}}))
            .await;
        assert_eq!(e.code, ErrorCode::METHOD_NOT_FOUND, "required needs `task`");
        let e = c
            .err(
                "tools/call",
                json!({"name": "plain", "arguments": {}, "task": {}}),
            )
            .await;
        assert_eq!(
            e.code,
            ErrorCode::METHOD_NOT_FOUND,
            "forbidden refuses `task`"
        );
        let plain = c
            .ok("tools/call", json!({"name": "plain", "arguments": {}}))
            .await;
        assert_eq!(plain["content"][0]["text"], "plain answer");
        let unknown = c.err("tasks/get", json!({"taskId": "nope"})).await;
        assert_eq!(unknown.code, ErrorCode::INVALID_PARAMS);
    }
}

#[tokio::test]
async fn session_era_capabilities_and_isolation() {
    let shared = server(TaskConfig::default());
    let running = Arc::new(shared.into_lowlevel().start().await.unwrap());
    let mut peers = Vec::new();
    for _ in 0..2 {
        let (client_end, server_end) = mcp_transport::memory::pair();
        let r = running.clone();
        tokio::spawn(async move {
            let _ = r.serve(server_end).await;
        });
        let connection = Connection::new(ConnectionConfig::default());
        let peer = connection.peer().clone();
        let service = client_router().into_service(Arc::new(()), RouterConfig::client());
        tokio::spawn(connection.run(client_end, service));
        let params = InitializeRequestParams::new(
            ClientCapabilities::default(),
            mcp_server::types::Implementation::new("c", "0"),
            "2025-11-25",
        );
        let init = peer.request::<InitializeRequest>(params).await.unwrap();
        let caps = serde_json::to_value(&init.capabilities).unwrap();
        assert!(
            caps["tasks"]["requests"]["tools"]["call"].is_object(),
            "{caps}"
        );
        assert!(caps["tasks"]["list"].is_object() && caps["tasks"]["cancel"].is_object());
        assert!(
            caps.get("extensions").is_none(),
            "extensions are 2026-07-28: {caps}"
        );
        peer.session()
            .set_protocol_version(ProtocolVersion::V2025_11_25);
        peers.push(peer);
    }
    let raw = |peer: &Peer, method: &str, params: Value| {
        let peer = peer.clone();
        let method = method.to_owned();
        async move {
            peer.request_raw(&method, &params, Default::default())
                .await
                .map(|r| serde_json::from_str::<Value>(r.get()).unwrap())
        }
    };
    let created = raw(
        &peers[0],
        "tools/call",
        json!({"name": "sleep", "arguments": {"seconds": 0}, "task": {}}),
    )
    .await
    .unwrap();
    let id = created["task"]["taskId"].clone();
    assert!(
        raw(&peers[0], "tasks/get", json!({"taskId": id}))
            .await
            .is_ok()
    );
    let foreign = raw(&peers[1], "tasks/get", json!({"taskId": id})).await;
    assert!(
        matches!(&foreign, Err(PeerError::Rpc(e)) if e.code == ErrorCode::INVALID_PARAMS),
        "another session cannot see the task: {foreign:?}"
    );
    let listed = raw(&peers[1], "tasks/list", json!({})).await.unwrap();
    assert_eq!(listed["tasks"], json!([]));
    // Older revisions have no tasks: `task` is not theirs, tools run as calls.
    let old = Client::new(
        server(TaskConfig::default()),
        Wire::Memory,
        Some(ProtocolVersion::V2025_06_18),
        json!({}),
    )
    .await;
    let r = old
        .ok("tools/call", json!({"name": "must_task", "arguments": {}}))
        .await;
    assert_eq!(r["content"][0]["text"], "ran as a task");
}

#[tokio::test]
async fn ttl_expiry_and_store_bound() {
    let config = TaskConfig::default()
        .capacity(2)
        .default_ttl(Duration::from_millis(300))
        .max_ttl(Duration::from_millis(300));
    for wire in WIRES {
        let c = Client::new(server(config.clone()), wire, None, ext()).await;
        let a = c
            .ok(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 0}}),
            )
            .await;
        assert_eq!(a["ttlMs"], 300);
        let b = c
            .ok(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 30}}),
            )
            .await;
        let full = c
            .err(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 0}}),
            )
            .await;
        assert_eq!(full.code, mcp_lowlevel::tasks::TASK_STORE_FULL);
        assert!(
            full.message.contains("task store is full"),
            "{}",
            full.message
        );
        let a_id = a["taskId"].as_str().unwrap();
        assert_eq!(c.wait(a_id, "completed").await["status"], "completed");
        tokio::time::sleep(Duration::from_millis(350)).await;
        let gone = c.err("tasks/get", json!({"taskId": a_id})).await;
        assert_eq!(
            gone.code,
            ErrorCode::INVALID_PARAMS,
            "expired tasks are forgotten"
        );
        let gone = c.err("tasks/get", json!({"taskId": b["taskId"]})).await;
        assert_eq!(
            gone.code,
            ErrorCode::INVALID_PARAMS,
            "a running task expires too"
        );
        let again = c
            .ok(
                "tools/call",
                json!({"name": "sleep", "arguments": {"seconds": 0}}),
            )
            .await;
        assert_eq!(again["resultType"], "task", "expiry made room: {again}");
    }
    // 2025-11-25: the client's TTL is honoured up to the maximum.
    let c = Client::new(
        server(config),
        Wire::Memory,
        Some(ProtocolVersion::V2025_11_25),
        json!({}),
    )
    .await;
    let short = c
        .ok(
            "tools/call",
            json!({"name": "sleep", "arguments": {"seconds": 0}, "task": {"ttl": 100}}),
        )
        .await;
    assert_eq!(short["task"]["ttl"], 100);
    let capped = c
        .ok(
            "tools/call",
            json!({"name": "sleep", "arguments": {"seconds": 0}, "task": {"ttl": 999999}}),
        )
        .await;
    assert_eq!(capped["task"]["ttl"], 300);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let gone = c
        .err("tasks/get", json!({"taskId": short["task"]["taskId"]}))
        .await;
    assert_eq!(gone.code, ErrorCode::INVALID_PARAMS);
}

#[tokio::test]
async fn running_tasks_are_bounded() {
    let config = TaskConfig::default().max_running(1);
    let c = Client::new(server(config), Wire::Memory, None, ext()).await;
    let first = c
        .ok(
            "tools/call",
            json!({"name": "sleep", "arguments": {"seconds": 0.4}}),
        )
        .await;
    let second = c
        .ok(
            "tools/call",
            json!({"name": "sleep", "arguments": {"seconds": 0}}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        c.get(second["taskId"].as_str().unwrap()).await["status"],
        "working",
        "it waits for a slot"
    );
    c.wait(first["taskId"].as_str().unwrap(), "completed").await;
    let done = c
        .wait(second["taskId"].as_str().unwrap(), "completed")
        .await;
    assert_eq!(done["status"], "completed");
}
