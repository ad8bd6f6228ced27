//! Every feature of the high-level server, driven by a client in both eras,
//! over the in-memory pair and (feature `http`) over Streamable HTTP on a
//! real socket.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_lowlevel::memory::{ConnectedClient, connect};
use mcp_lowlevel::{Peer, PeerError, RequestContext, RequestOptions, Router};
use mcp_server::prompt::{assistant, user};
use mcp_server::{Context, Elicitation, Image, Json, McpServer, ResourceDef, ToolDef, ToolError};
use mcp_types::{
    ClientCapabilities, CompleteResult, CreateMessageRequest, CreateMessageResult, ElicitRequest,
    ElicitResult, ErrorCode, ListRootsRequest, ListRootsResult, ProtocolVersion, meta,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How many `hang` tool calls have gone away (their futures dropped).
static HANGS_DROPPED: AtomicUsize = AtomicUsize::new(0);

struct CountsDrops;

impl Drop for CountsDrops {
    fn drop(&mut self) {
        HANGS_DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

/// Add two numbers
#[derive(Deserialize, schemars::JsonSchema)]
struct Add {
    /// The first number
    a: i64,
    b: i64,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Weather {
    celsius: f64,
    sky: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Review {
    /// The code to review
    code: String,
    language: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Contact {
    email: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Score {
    score: f64,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ItemParams {
    id: u32,
    section: String,
}

fn server() -> McpServer {
    McpServer::new("features")
        .instructions("test server")
        .tool("add", |Add { a, b }: Add| a + b)
        .tool(
            ToolDef::new("weather")
                .description("Current weather")
                .read_only(true),
            || {
                Json(Weather {
                    celsius: 21.5,
                    sky: "clear".into(),
                })
            },
        )
        .tool("fail", || Err::<String, _>("disk full"))
        .tool("explode", || -> String { panic!("boom") })
        .tool("image", || Image::png(vec![1, 2, 3]))
        .tool("progress", |ctx: Context| async move {
            for i in 1..=3 {
                ctx.report_progress(f64::from(i), Some(3.0), Some(format!("step {i}")))
                    .await;
            }
            ctx.info("finished").await;
            "done"
        })
        .tool("hang", |ctx: Context| async move {
            let _guard = CountsDrops;
            ctx.report_progress(1.0, None, Some("started".to_owned()))
                .await;
            std::future::pending::<String>().await
        })
        .tool("ask", |ctx: Context| async move {
            match ctx.elicit::<Contact>("Your email?").await? {
                Elicitation::Accept(c) => Ok::<_, ToolError>(format!("email={}", c.email)),
                Elicitation::Decline => Ok("declined".to_owned()),
                Elicitation::Cancel => Ok("cancelled".to_owned()),
            }
        })
        .tool("ask_score", |ctx: Context| async move {
            match ctx.elicit::<Score>("Your score?").await? {
                Elicitation::Accept(s) => Ok::<_, ToolError>(format!("score={}", s.score)),
                _ => Ok("no score".to_owned()),
            }
        })
        .tool("ask_twice", |ctx: Context| async move {
            let first = ctx.elicit::<Contact>("First email?").await?;
            let text = ctx.sample_text("Say hi", 10).await?;
            let roots = ctx.list_roots().await?;
            let email = match first {
                Elicitation::Accept(c) => c.email,
                _ => "none".into(),
            };
            Ok::<_, ToolError>(format!("{email}|{text}|{}", roots.len()))
        })
        .tool("sample", |ctx: Context| async move {
            ctx.sample_text("Say hi", 10).await
        })
        .tool("read", |ctx: Context| async move {
            let result = ctx.read_resource("config://app").await?;
            Ok::<_, ToolError>(
                serde_json::to_value(&result.contents).unwrap()[0]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .resource(
            ResourceDef::new("config://app", "config").mime_type("application/json"),
            || r#"{"debug":true}"#,
        )
        .resource("bin://blob", || vec![0u8, 159, 146, 150])
        .resource("secret://two-rounds", |ctx: Context| async move {
            // Two input rounds under 2026-07-28: the second retry must still
            // carry the first round's answer, sealed in requestState.
            let email = match ctx.elicit::<Contact>("Email?").await? {
                Elicitation::Accept(c) => c.email,
                _ => "none".to_owned(),
            };
            let text = ctx.sample_text("Say hi", 10).await?;
            Ok::<_, ToolError>(format!("{email}|{text}"))
        })
        .resource_template("greeting://{name}", |name: String| {
            format!("Hello, {name}!")
        })
        .resource_template("items://{section}/{id}", |p: ItemParams| {
            format!("{}#{}", p.section, p.id + 1)
        })
        .prompt("review_code", |r: Review| {
            format!(
                "Please review this {} code:\n\n{}",
                r.language.unwrap_or_else(|| "unknown".into()),
                r.code
            )
        })
        .prompt("debug_error", |e: Review| {
            vec![
                user(format!("I'm seeing this error: {}", e.code)),
                assistant("I'll help debug that."),
            ]
        })
        .completion(
            |_ctx: Context, params: mcp_types::CompleteRequestParams| async move {
                let prefix = params.argument.value.clone();
                let values: Vec<String> = ["python", "pytorch", "rust"]
                    .iter()
                    .filter(|v| v.starts_with(&prefix))
                    .map(|v| v.to_string())
                    .collect();
                Ok::<_, ToolError>(
                    serde_json::from_value::<CompleteResult>(
                        json!({"completion": {"values": values}}),
                    )
                    .unwrap(),
                )
            },
        )
}

/// The client's answer to every elicitation: accept with an email.
fn accept() -> Value {
    json!({"action": "accept", "content": {"email": "a@b.c"}})
}

fn client_callbacks(elicitation: Value) -> Router<()> {
    Router::new()
        .request::<ElicitRequest, _, _>(move |_ctx: RequestContext<()>, _p| {
            let answer = elicitation.clone();
            async move { Ok(serde_json::from_value::<ElicitResult>(answer).unwrap()) }
        })
        .request::<CreateMessageRequest, _, _>(|_ctx: RequestContext<()>, _p| async move {
            Ok(serde_json::from_value::<CreateMessageResult>(json!({"role": "assistant", "content": {"type": "text", "text": "hi!"}, "model": "m"})).unwrap())
        })
        .request::<ListRootsRequest, _, _>(|_ctx: RequestContext<()>, _p| async move {
            Ok(serde_json::from_value::<ListRootsResult>(json!({"roots": [{"uri": "file:///tmp"}]})).unwrap())
        })
}

fn all_caps() -> Value {
    json!({"elicitation": {}, "sampling": {}, "roots": {}})
}

/// How the test client reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    Memory,
    #[cfg(feature = "http")]
    Http,
}

fn wires() -> Vec<Wire> {
    vec![
        Wire::Memory,
        #[cfg(feature = "http")]
        Wire::Http,
    ]
}

/// One era on one wire: the session era at `version`, or stateless when `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Era {
    version: Option<ProtocolVersion>,
    wire: Wire,
}

fn eras() -> Vec<Era> {
    let versions = [
        Some(ProtocolVersion::V2024_11_05),
        Some(ProtocolVersion::V2025_11_25),
        None,
    ];
    wires()
        .into_iter()
        .flat_map(|wire| versions.map(|version| Era { version, wire }))
        .collect()
}

/// The eras in which a server may ask the client for input (not 2024-11-05).
fn eras_with_input() -> Vec<Era> {
    eras()
        .into_iter()
        .filter(|e| e.version != Some(ProtocolVersion::V2024_11_05))
        .collect()
}

/// What keeps a client's connection running.
#[allow(dead_code)]
enum Running {
    Memory(ConnectedClient),
    Http(Vec<tokio::task::JoinHandle<()>>),
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Running::Http(tasks) = self {
            tasks.iter().for_each(|t| t.abort());
        }
    }
}

/// A client of one era.
struct Client {
    peer: Peer,
    _running: Running,
    stateless: Option<Value>,
    elicitation: Value,
}

impl Client {
    async fn new(era: Era, caps: Value) -> Client {
        Client::answering(era, caps, accept()).await
    }

    /// A client that answers every elicitation with `elicitation`.
    async fn answering(era: Era, caps: Value, elicitation: Value) -> Client {
        let callbacks = client_callbacks(elicitation.clone());
        let (peer, running) = match era.wire {
            Wire::Memory => {
                let c = connect(server().into_lowlevel(), callbacks).await.unwrap();
                (c.peer.clone(), Running::Memory(c))
            }
            #[cfg(feature = "http")]
            Wire::Http => over_http(server(), callbacks).await,
        };
        let stateless = match era.version {
            Some(v) => {
                initialize(&peer, v, serde_json::from_value(caps).unwrap()).await;
                None
            }
            None => {
                Some(json!({meta::PROTOCOL_VERSION: "2026-07-28", meta::CLIENT_CAPABILITIES: caps}))
            }
        };
        Client {
            peer,
            _running: running,
            stateless,
            elicitation,
        }
    }

    async fn call(&self, method: &str, mut params: Value) -> Result<Value, PeerError> {
        if let Some(m) = &self.stateless {
            params["_meta"] = m.clone();
        }
        let raw = self
            .peer
            .request_raw(method, &params, RequestOptions::default())
            .await?;
        Ok(serde_json::from_str(raw.get()).unwrap())
    }

    /// Calls a tool, answering input requests like a 2026-07-28 client would.
    async fn tool(&self, name: &str, args: Value) -> Value {
        self.call_answering("tools/call", json!({"name": name, "arguments": args}))
            .await
    }

    /// Sends `method`, answering input requests like a 2026-07-28 client
    /// would, each retry carrying the last `requestState`.
    async fn call_answering(&self, method: &str, mut params: Value) -> Value {
        for _ in 0..5 {
            let result = self.call(method, params.clone()).await.unwrap();
            if result["resultType"] != "input_required" {
                return result;
            }
            let mut responses = serde_json::Map::new();
            for (key, request) in result["inputRequests"].as_object().unwrap() {
                let answer = match request["method"].as_str().unwrap() {
                    "elicitation/create" => self.elicitation.clone(),
                    "sampling/createMessage" => {
                        json!({"role": "assistant", "content": {"type": "text", "text": "hi!"}, "model": "m"})
                    }
                    "roots/list" => json!({"roots": [{"uri": "file:///tmp"}]}),
                    other => panic!("unexpected input request {other}"),
                };
                responses.insert(key.clone(), answer);
            }
            params["inputResponses"] = Value::Object(responses);
            params["requestState"] = result["requestState"].clone();
        }
        panic!("too many rounds");
    }
}

/// The session-era handshake at `version`.
async fn initialize(peer: &Peer, version: ProtocolVersion, capabilities: ClientCapabilities) {
    let params = mcp_types::InitializeRequestParams::new(
        capabilities,
        mcp_types::Implementation::new("features-test", "0"),
        version.as_str(),
    );
    let result = peer
        .request::<mcp_types::InitializeRequest>(params)
        .await
        .unwrap();
    let negotiated = ProtocolVersion::parse(&result.protocol_version).unwrap();
    assert_eq!(negotiated, version);
    peer.session().set_protocol_version(negotiated);
    peer.notify::<mcp_types::InitializedNotification>(Default::default())
        .await
        .unwrap();
    peer.session().set_initialized();
}

/// Serves `server` over Streamable HTTP on a free port and connects a client
/// engine to it with this SDK's HTTP client transport.
#[cfg(feature = "http")]
async fn over_http(server: McpServer, callbacks: Router<()>) -> (Peer, Running) {
    use mcp_lowlevel::{Connection, ConnectionConfig, RouterConfig};
    use mcp_transport::http::HttpServer;
    use mcp_transport::http_client::StreamableHttpClient;

    let http = server.http_service().await.unwrap();
    let listener = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr());
    let serving = tokio::spawn(async move {
        let _ = listener.serve(http.service.clone()).await;
    });
    let transport = StreamableHttpClient::builder(&url).build().unwrap();
    let connection = Connection::new(ConnectionConfig::default());
    let peer = connection.peer().clone();
    let service = callbacks.into_service(std::sync::Arc::new(()), RouterConfig::client());
    let client = tokio::spawn(async move {
        let _ = connection.run(transport, service).await;
    });
    (peer, Running::Http(vec![serving, client]))
}

#[tokio::test]
async fn tools_list_derives_schemas_and_descriptions() {
    for era in eras() {
        let c = Client::new(era, all_caps()).await;
        let list = c.call("tools/list", json!({})).await.unwrap();
        let tools = list["tools"].as_array().unwrap();
        let add = tools.iter().find(|t| t["name"] == "add").unwrap();
        assert_eq!(
            add["description"], "Add two numbers",
            "from the doc comment"
        );
        assert_eq!(add["inputSchema"]["type"], "object");
        assert_eq!(add["inputSchema"]["required"], json!(["a", "b"]));
        assert_eq!(
            add["inputSchema"]["properties"]["a"]["description"],
            "The first number"
        );
        let weather = tools.iter().find(|t| t["name"] == "weather").unwrap();
        if era.version == Some(ProtocolVersion::V2024_11_05) {
            assert!(
                weather.get("outputSchema").is_none(),
                "outputSchema arrived in 2025-06-18"
            );
            assert!(
                weather.get("annotations").is_none(),
                "annotations arrived in 2025-03-26"
            );
        } else {
            assert_eq!(
                weather["outputSchema"]["properties"]["celsius"]["type"],
                "number"
            );
            assert_eq!(weather["annotations"]["readOnlyHint"], true);
        }
        let names: Vec<_> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(
            &names[..3],
            &["add", "weather", "fail"],
            "registration order"
        );
    }
}

#[tokio::test]
async fn tool_results_in_every_shape() {
    for era in eras() {
        let c = Client::new(era, all_caps()).await;
        let r = c.tool("add", json!({"a": 2, "b": 3})).await;
        assert_eq!(r["content"][0]["text"], "5");
        assert!(r.get("isError").is_none() || r["isError"] == false);

        let r = c.tool("add", json!({"a": 2, "b": "three"})).await;
        assert_eq!(r["isError"], true);
        let text = r["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("`b`") && text.contains("invalid type"),
            "{text}"
        );
        let r = c.tool("add", json!({"a": 2})).await;
        assert!(
            r["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("missing field `b`")
        );

        let r = c.tool("weather", json!({})).await;
        if era.version == Some(ProtocolVersion::V2024_11_05) {
            assert!(r.get("structuredContent").is_none());
        } else {
            assert_eq!(r["structuredContent"]["sky"], "clear");
        }
        let text: Value = serde_json::from_str(r["content"][0]["text"].as_str().unwrap()).unwrap();
        assert_eq!(
            text["celsius"], 21.5,
            "structured output is also text for older clients"
        );

        let r = c.tool("fail", json!({})).await;
        assert_eq!(r["isError"], true);
        assert_eq!(r["content"][0]["text"], "disk full");

        let r = c.tool("explode", json!({})).await;
        assert_eq!(r["isError"], true, "a panicking tool is an error result");
        assert!(r["content"][0]["text"].as_str().unwrap().contains("boom"));
        let r = c.tool("add", json!({"a": 1, "b": 1})).await;
        assert_eq!(r["content"][0]["text"], "2", "the server lives on");

        let r = c.tool("image", json!({})).await;
        assert_eq!(r["content"][0]["type"], "image");
        assert_eq!(r["content"][0]["data"], "AQID");

        let err = c
            .call("tools/call", json!({"name": "nope"}))
            .await
            .unwrap_err();
        assert_eq!(err.rpc().unwrap().code, ErrorCode::INVALID_PARAMS);
    }
}

#[tokio::test]
async fn context_input_works_in_both_eras() {
    for era in eras_with_input() {
        let c = Client::new(era, all_caps()).await;
        assert_eq!(
            c.tool("ask", json!({})).await["content"][0]["text"],
            "email=a@b.c"
        );
        assert_eq!(
            c.tool("sample", json!({})).await["content"][0]["text"],
            "hi!"
        );
        assert_eq!(
            c.tool("ask_twice", json!({})).await["content"][0]["text"],
            "a@b.c|hi!|1",
            "{era:?}"
        );
    }
}

#[tokio::test]
async fn elicitation_declined_or_cancelled() {
    for era in eras_with_input() {
        for (action, text) in [("decline", "declined"), ("cancel", "cancelled")] {
            let c = Client::answering(era, all_caps(), json!({ "action": action })).await;
            let r = c.tool("ask", json!({})).await;
            assert_eq!(r["content"][0]["text"], text, "{era:?}");
            assert_eq!(r["isError"], Value::Null);
        }
        // A form's number field may hold any number, not only integers.
        let c = Client::answering(
            era,
            all_caps(),
            json!({"action": "accept", "content": {"score": 95.5}}),
        )
        .await;
        let r = c.tool("ask_score", json!({})).await;
        assert_eq!(r["content"][0]["text"], "score=95.5", "{era:?}: {r}");
        // An accept whose content does not fit the schema is a tool error.
        let c = Client::answering(
            era,
            all_caps(),
            json!({"action": "accept", "content": {"name": 1}}),
        )
        .await;
        let r = c.tool("ask", json!({})).await;
        assert_eq!(r["isError"], true, "{era:?}: {r}");
    }
}

#[tokio::test]
async fn a_resource_asks_for_input_over_several_rounds() {
    for era in eras_with_input() {
        let c = Client::new(era, all_caps()).await;
        let read = c
            .call_answering("resources/read", json!({"uri": "secret://two-rounds"}))
            .await;
        assert_eq!(read["contents"][0]["text"], "a@b.c|hi!", "{era:?}: {read}");
    }
}

#[tokio::test]
async fn a_client_without_sampling() {
    for wire in wires() {
        let session = Era {
            version: Some(ProtocolVersion::V2025_11_25),
            wire,
        };
        let c = Client::new(session, json!({})).await;
        let r = c.tool("sample", json!({})).await;
        assert_eq!(r["isError"], true);
        assert!(
            r["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("does not support sampling")
        );

        let c = Client::new(
            Era {
                version: None,
                wire,
            },
            json!({}),
        )
        .await;
        let err = c
            .call("tools/call", json!({"name": "sample"}))
            .await
            .unwrap_err();
        let rpc = err.rpc().unwrap();
        assert_eq!(rpc.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY);
        assert!(rpc.data.as_ref().unwrap()["requiredCapabilities"]["sampling"].is_object());
    }
}

#[tokio::test]
async fn resources_and_templates() {
    for era in eras() {
        let c = Client::new(era, all_caps()).await;
        let list = c.call("resources/list", json!({})).await.unwrap();
        assert_eq!(list["resources"][0]["uri"], "config://app");
        assert_eq!(list["resources"][0]["mimeType"], "application/json");
        let templates = c.call("resources/templates/list", json!({})).await.unwrap();
        assert_eq!(
            templates["resourceTemplates"][0]["uriTemplate"],
            "greeting://{name}"
        );

        let read = c
            .call("resources/read", json!({"uri": "config://app"}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["text"], r#"{"debug":true}"#);
        let read = c
            .call("resources/read", json!({"uri": "bin://blob"}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["blob"], "AJ+Slg==");
        let read = c
            .call("resources/read", json!({"uri": "greeting://Ada%20L"}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["text"], "Hello, Ada L!");
        assert_eq!(read["contents"][0]["uri"], "greeting://Ada%20L");
        let read = c
            .call("resources/read", json!({"uri": "items://tools/41"}))
            .await
            .unwrap();
        assert_eq!(
            read["contents"][0]["text"], "tools#42",
            "typed template parameters"
        );
        let err = c
            .call("resources/read", json!({"uri": "items://tools/forty"}))
            .await
            .unwrap_err();
        assert_eq!(err.rpc().unwrap().code, ErrorCode::INVALID_PARAMS);

        let err = c
            .call("resources/read", json!({"uri": "missing://x"}))
            .await
            .unwrap_err();
        let rpc = err.rpc().unwrap();
        let expected = if era.version.is_none() {
            -32602
        } else {
            -32002
        };
        assert_eq!(rpc.code.0, expected, "{era:?}");
        assert_eq!(rpc.data.as_ref().unwrap()["uri"], "missing://x");

        assert_eq!(
            c.tool("read", json!({})).await["content"][0]["text"],
            r#"{"debug":true}"#
        );
    }
}

#[tokio::test]
async fn prompts_and_completions() {
    for era in eras() {
        let c = Client::new(era, all_caps()).await;
        let list = c.call("prompts/list", json!({})).await.unwrap();
        let review = &list["prompts"][0];
        assert_eq!(review["name"], "review_code");
        let args = review["arguments"].as_array().unwrap();
        let code = args.iter().find(|a| a["name"] == "code").unwrap();
        assert_eq!(code["required"], true);
        assert_eq!(code["description"], "The code to review");
        assert_eq!(
            args.iter().find(|a| a["name"] == "language").unwrap()["required"],
            false
        );

        let got = c
            .call(
                "prompts/get",
                json!({"name": "review_code", "arguments": {"code": "fn x(){}"}}),
            )
            .await
            .unwrap();
        assert_eq!(got["messages"][0]["role"], "user");
        assert!(
            got["messages"][0]["content"]["text"]
                .as_str()
                .unwrap()
                .contains("fn x(){}")
        );
        let got = c
            .call(
                "prompts/get",
                json!({"name": "debug_error", "arguments": {"code": "E0308"}}),
            )
            .await
            .unwrap();
        assert_eq!(got["messages"][1]["role"], "assistant");
        let err = c
            .call(
                "prompts/get",
                json!({"name": "review_code", "arguments": {}}),
            )
            .await
            .unwrap_err();
        assert!(
            err.rpc().unwrap().message.contains("code"),
            "names the missing argument"
        );
        let err = c
            .call("prompts/get", json!({"name": "nope"}))
            .await
            .unwrap_err();
        assert_eq!(err.rpc().unwrap().code, ErrorCode::INVALID_PARAMS);

        if era.version != Some(ProtocolVersion::V2024_11_05) {
            let done = c
                .call("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "review_code"}, "argument": {"name": "language", "value": "py"}}))
                .await
                .unwrap();
            assert_eq!(done["completion"]["values"], json!(["python", "pytorch"]));
        }
    }
}

#[tokio::test]
async fn progress_and_logging_reach_the_client() {
    for wire in wires() {
        let era = Era {
            version: Some(ProtocolVersion::V2025_11_25),
            wire,
        };
        let c = Client::new(era, all_caps()).await;
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let raw = c
            .peer
            .request_raw(
                "tools/call",
                &json!({"name": "progress"}),
                RequestOptions {
                    progress: Some(tx),
                    timeout: Some(Duration::from_secs(5)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(raw.get().contains("done"));
        let mut steps = Vec::new();
        while let Ok(p) = rx.try_recv() {
            steps.push((p.progress, p.message));
        }
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[2], (3.0, Some("step 3".to_owned())));
    }
}

#[tokio::test]
async fn runtime_changes_notify_and_apply() {
    let server = server();
    let handle = server.handle();
    let (tx, mut changes) = tokio::sync::mpsc::channel(8);
    let client = Router::new().notification::<mcp_types::ToolListChangedNotification, _, _>(
        move |_ctx, _p| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(()).await;
            }
        },
    );
    let c = connect(server.into_lowlevel(), client).await.unwrap();
    c.initialize(ProtocolVersion::V2025_11_25, ClientCapabilities::default())
        .await
        .unwrap();
    handle.add_tool("late", || "added at run time");
    tokio::time::timeout(Duration::from_secs(2), changes.recv())
        .await
        .expect("tools/list_changed sent")
        .unwrap();
    let raw = c
        .peer
        .request_raw(
            "tools/call",
            &json!({"name": "late"}),
            RequestOptions::default(),
        )
        .await
        .unwrap();
    assert!(raw.get().contains("added at run time"));
    assert!(handle.set_tool_enabled("late", false));
    tokio::time::timeout(Duration::from_secs(2), changes.recv())
        .await
        .expect("list_changed on disable")
        .unwrap();
    let err = c
        .peer
        .request_raw(
            "tools/call",
            &json!({"name": "late"}),
            RequestOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.rpc().unwrap().code,
        ErrorCode::INVALID_PARAMS,
        "a disabled tool is not callable"
    );
    assert!(handle.remove_tool("late"));
    assert!(!handle.remove_tool("late"));
}

#[tokio::test]
async fn a_call_the_client_gives_up_on_is_cancelled_in_every_era() {
    for era in eras() {
        let c = Client::new(era, all_caps()).await;
        let before = HANGS_DROPPED.load(Ordering::SeqCst);
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let mut params = json!({"name": "hang"});
        if let Some(m) = &c.stateless {
            params["_meta"] = m.clone();
        }
        let options = RequestOptions {
            progress: Some(tx),
            ..Default::default()
        };
        let call = c.peer.request_raw("tools/call", &params, options);
        tokio::select! {
            outcome = call => panic!("{era:?}: `hang` never answers, got {outcome:?}"),
            step = rx.recv() => {
                // The tool runs and streams: now the client stops waiting.
                assert_eq!(step.map(|p| p.progress), Some(1.0), "{era:?}");
            }
        }
        tokio::time::timeout(Duration::from_secs(5), async {
            while HANGS_DROPPED.load(Ordering::SeqCst) == before {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{era:?}: the tool's future is dropped"));
    }
}
