//! `answer`: one message handled without a connection, as a 2026-07-28
//! HTTP `POST` is.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use mcp_lowlevel::{HandlerError, PeerConfig, RequestContext, RunningServer, Server, answer};
use mcp_transport::Inbound;
use mcp_types::{
    CallToolRequest, CallToolResult, ContentBlock, CreateMessageRequest,
    CreateMessageRequestParams, ErrorCode, Implementation, JsonRpcMessage, LoggingLevel,
    RootsListChangedNotification, meta,
};
use serde_json::{Value, json};

/// Sets its flag when dropped: proof that a handler's future went away.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[derive(Default)]
struct Flags {
    dropped: Arc<AtomicBool>,
    cancelled: Arc<AtomicBool>,
    notified: Arc<AtomicBool>,
}

async fn server(flags: &Flags) -> RunningServer<()> {
    let (dropped, cancelled) = (flags.dropped.clone(), flags.cancelled.clone());
    let notified = flags.notified.clone();
    Server::new(Implementation::new("answer-test", "1.0.0"))
        .request::<CallToolRequest, _, _>(move |ctx: RequestContext<()>, p| {
            let (dropped, cancelled) = (dropped.clone(), cancelled.clone());
            async move {
                match p.name.as_str() {
                    "progress" => {
                        for i in 0..3 {
                            ctx.report_progress(f64::from(i), Some(2.0), None)
                                .await
                                .map_err(|e| HandlerError::internal(e.to_string()))?;
                        }
                        ctx.log(LoggingLevel::Info, None, json!("logged"))
                            .await
                            .map_err(|e| HandlerError::internal(e.to_string()))?;
                        Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
                    }
                    "wait" => {
                        let token = ctx.cancellation().clone();
                        tokio::spawn(async move {
                            token.cancelled().await;
                            cancelled.store(true, Ordering::SeqCst);
                        });
                        let _guard = DropFlag(dropped);
                        std::future::pending::<()>().await;
                        Ok(CallToolResult::success(vec![]))
                    }
                    "sample" => {
                        let params: CreateMessageRequestParams = serde_json::from_value(json!({
                            "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
                            "maxTokens": 10
                        }))
                        .expect("sampling params");
                        match ctx.peer().request::<CreateMessageRequest>(params).await {
                            Ok(_) => Ok(CallToolResult::success(vec![ContentBlock::text("sampled")])),
                            Err(e) => Err(HandlerError::internal(e.to_string())),
                        }
                    }
                    "elsewhere" => {
                        // Progress from another task, later; the handler
                        // itself never finishes.
                        let ctx = ctx.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            let _ = ctx.report_progress(1.0, None, None).await;
                        });
                        std::future::pending::<()>().await;
                        Ok(CallToolResult::success(vec![]))
                    }
                    "panic" => panic!("handler exploded"),
                    "meta" => {
                        let custom = ctx.meta().get("example.com/custom").cloned();
                        let text = serde_json::to_string(&json!({
                            "custom": custom,
                            "traceparent": ctx.traceparent(),
                            "progressToken": ctx.progress_token(),
                            "client": ctx.client_info().map(|i| i.name.clone()),
                        }))
                        .expect("serializable");
                        Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
                    }
                    other => Ok(CallToolResult::success(vec![ContentBlock::text(other)])),
                }
            }
        })
        .notification::<RootsListChangedNotification, _, _>(move |_ctx, _p| {
            let notified = notified.clone();
            async move { notified.store(true, Ordering::SeqCst) }
        })
        .start()
        .await
        .expect("server starts")
}

fn call(name: &str) -> Inbound {
    call_with_meta(name, |_| {})
}

fn call_with_meta(name: &str, edit: impl FnOnce(&mut Value)) -> Inbound {
    let mut message = json!({
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {
            "name": name,
            "_meta": {
                meta::PROTOCOL_VERSION: "2026-07-28",
                meta::CLIENT_CAPABILITIES: {},
                meta::CLIENT_INFO: {"name": "test", "version": "0"},
                meta::LOG_LEVEL: "debug",
                meta::PROGRESS_TOKEN: "p1",
            },
        },
    });
    edit(&mut message["params"]["_meta"]);
    Inbound::from(serde_json::from_value::<JsonRpcMessage>(message).expect("a request"))
}

async fn all(running: &RunningServer<()>, inbound: Inbound) -> Vec<Value> {
    let answers = running.answer(inbound).collect::<Vec<_>>();
    let answers = tokio::time::timeout(Duration::from_secs(5), answers)
        .await
        .expect("the answer ends");
    answers
        .iter()
        .map(|m| serde_json::to_value(m).expect("serializable"))
        .collect()
}

#[tokio::test]
async fn a_request_gets_its_response_and_the_stream_ends() {
    let running = server(&Flags::default()).await;
    let answers = all(&running, call("echo")).await;
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["id"], 7);
    assert_eq!(answers[0]["result"]["content"][0]["text"], "echo");
    assert_eq!(answers[0]["result"]["resultType"], "complete");
}

#[tokio::test]
async fn notifications_come_before_the_response_in_order() {
    let running = server(&Flags::default()).await;
    let answers = all(&running, call("progress")).await;
    let methods: Vec<&str> = answers
        .iter()
        .map(|m| m["method"].as_str().unwrap_or("(response)"))
        .collect();
    assert_eq!(
        methods,
        [
            "notifications/progress",
            "notifications/progress",
            "notifications/progress",
            "notifications/message",
            "(response)"
        ]
    );
    let progress: Vec<&Value> = answers[..3]
        .iter()
        .map(|m| &m["params"]["progress"])
        .collect();
    assert_eq!(progress, [&json!(0.0), &json!(1.0), &json!(2.0)]);
    assert_eq!(answers[4]["result"]["content"][0]["text"], "done");
}

#[tokio::test]
async fn a_panicking_handler_is_an_internal_error() {
    let running = server(&Flags::default()).await;
    let answers = all(&running, call("panic")).await;
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["id"], 7);
    assert_eq!(answers[0]["error"]["code"], ErrorCode::INTERNAL_ERROR.0);
}

#[tokio::test]
async fn a_request_to_the_client_fails_at_once() {
    let running = server(&Flags::default()).await;
    // The peer's own timeout is far longer than the five seconds `all` waits.
    let answers = all(&running, call("sample")).await;
    assert_eq!(answers.len(), 1, "{answers:?}");
    let message = answers[0]["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("input_required"), "{message}");
}

#[tokio::test]
async fn dropping_the_answer_cancels_the_request() {
    let flags = Flags::default();
    let running = server(&flags).await;
    let mut answers = running.answer(call("wait"));
    // The handler starts and waits.
    let first = tokio::time::timeout(Duration::from_millis(100), answers.next()).await;
    assert!(first.is_err(), "the handler never answers: {first:?}");
    assert!(!flags.dropped.load(Ordering::SeqCst));
    drop(answers);
    assert!(
        flags.dropped.load(Ordering::SeqCst),
        "the handler's future is dropped"
    );
    tokio::time::timeout(Duration::from_secs(5), async {
        while !flags.cancelled.load(Ordering::SeqCst) {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the request's cancellation token fires");
}

#[tokio::test]
async fn a_notification_is_handled_and_answers_nothing() {
    let flags = Flags::default();
    let running = server(&flags).await;
    let message: JsonRpcMessage = serde_json::from_value(
        json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"}),
    )
    .expect("a notification");
    let answers = all(&running, Inbound::from(message)).await;
    assert!(answers.is_empty(), "{answers:?}");
    assert!(flags.notified.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_response_answers_nothing() {
    let running = server(&Flags::default()).await;
    let message: JsonRpcMessage =
        serde_json::from_value(json!({"jsonrpc": "2.0", "id": 3, "result": {}}))
            .expect("a response");
    let answers = answer(
        running.service(),
        Inbound::from(message),
        PeerConfig::default(),
    )
    .collect::<Vec<_>>()
    .await;
    assert!(answers.is_empty());
}

#[tokio::test]
async fn the_handler_sees_every_member_of_meta() {
    let running = server(&Flags::default()).await;
    let inbound = call_with_meta("meta", |meta| {
        meta["example.com/custom"] = json!({"deep": [1, 2]});
        meta["traceparent"] = json!("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    });
    let answers = all(&running, inbound).await;
    let text = answers[0]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    let seen: Value = serde_json::from_str(text).expect("the tool's JSON");
    assert_eq!(seen["custom"], json!({"deep": [1, 2]}));
    assert_eq!(
        seen["traceparent"],
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    );
    assert_eq!(seen["progressToken"], "p1");
    assert_eq!(seen["client"], "test");
}

#[tokio::test]
async fn meta_that_is_not_an_object_is_invalid_params() {
    let running = server(&Flags::default()).await;
    let answers = all(&running, call_with_meta("echo", |meta| *meta = json!(5))).await;
    assert_eq!(
        answers[0]["error"]["code"],
        ErrorCode::INVALID_PARAMS.0,
        "{answers:?}"
    );
    let answers = all(
        &running,
        call_with_meta("echo", |meta| {
            meta[meta::CLIENT_CAPABILITIES] = json!("none");
        }),
    )
    .await;
    assert_eq!(
        answers[0]["error"]["code"],
        ErrorCode::INVALID_PARAMS.0,
        "{answers:?}"
    );
}

#[tokio::test]
async fn a_message_from_another_task_wakes_a_waiting_answer() {
    let running = server(&Flags::default()).await;
    let mut answer = running.answer(call("elsewhere"));
    let started = std::time::Instant::now();
    let first = tokio::time::timeout(Duration::from_secs(5), answer.next())
        .await
        .expect("the progress arrives while the handler waits")
        .expect("a message");
    let first = serde_json::to_value(&first).expect("serializable");
    assert_eq!(first["method"], "notifications/progress", "{first}");
    // Woken by the message itself, not by the timeout's last poll.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
