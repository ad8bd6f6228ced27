//! The session era (2025-03-26 to 2025-11-25) over a real socket.

use std::time::Duration;

use http::{Method, StatusCode};
use mcp_transport::http::StreamableHttpConfig;
use serde_json::json;

use crate::common::*;

const V: &str = "2025-11-25";

#[tokio::test]
async fn initialize_then_request_streams_progress_then_response() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    assert_eq!(session.len(), 32);
    assert!(session.bytes().all(|b| (0x21..=0x7e).contains(&b)));

    let mut reply = send(
        in_session(addr, &session, V),
        rpc(2, "tools/call", json!({"name": "x"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), "text/event-stream");
    assert_eq!(reply.header("x-accel-buffering").as_deref(), Some("no"));
    assert!(reply.header("mcp-session-id").is_none());
    let events = reply.events().await;
    assert_eq!(events.len(), 3, "{events:?}");
    // The priming event: an id, the retry delay, empty data.
    assert_eq!(events[0].data, "");
    assert_eq!(events[0].retry, Some(1000));
    let prime = events[0].id.clone().unwrap();
    assert!(prime.ends_with("-0"), "{prime}");
    let progress = events[1].json();
    assert_eq!(progress["method"], "notifications/progress");
    assert_eq!(progress["params"]["progressToken"], 2);
    let response = events[2].json();
    assert_eq!(response["id"], 2);
    assert_eq!(response["result"]["echo"]["name"], "x");
    // Ids are unique and name the stream.
    let stream = prime.split('-').next().unwrap();
    assert_eq!(events[1].id.as_deref(), Some(&*format!("{stream}-1")));
    assert_eq!(events[2].id.as_deref(), Some(&*format!("{stream}-2")));
}

#[tokio::test]
async fn json_response_mode_answers_one_json_body() {
    let server = start(StreamableHttpConfig::default().json_response(true)).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let mut reply = send(
        in_session(addr, &session, V),
        rpc(7, "tools/list", json!({"cursor": "c"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), "application/json");
    let body = reply.json().await;
    assert_eq!(body["id"], 7);
    assert_eq!(body["result"]["echo"]["cursor"], "c");
}

#[tokio::test]
async fn client_accepting_only_json_gets_json() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let mut reply = send(
        request(Method::POST, addr)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("mcp-session-id", &session),
        rpc(3, "quick", json!({})),
    )
    .await;
    assert_eq!(reply.content_type(), "application/json");
    assert_eq!(reply.json().await["id"], 3);
}

#[tokio::test]
async fn missing_unknown_and_deleted_sessions() {
    let mut server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let reply = send(post(addr), rpc(2, "tools/list", json!({}))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let mut reply = send(
        in_session(addr, "0123456789abcdef0123456789abcdef", V),
        rpc(2, "tools/list", json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json().await["id"], 2);

    let session = initialize(addr, V).await;
    assert_eq!(server.service.session_count(), 1);
    let reply = send(
        request(Method::DELETE, addr)
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", V),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    expect_event(&mut server.events, "reader-ended").await;
    let reply = send(
        in_session(addr, &session, V),
        rpc(2, "tools/list", json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = send(
        request(Method::DELETE, addr).header("mcp-session-id", &session),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    within(2.0, async {
        while server.service.session_count() != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn notifications_and_responses_get_202() {
    let mut server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    expect_event(&mut server.events, "notification:notifications/initialized").await;
    let reply = send(
        in_session(addr, &session, V),
        json!({"jsonrpc": "2.0", "id": "s1", "result": {}}).to_string(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    expect_event(&mut server.events, "response:\"s1\"").await;
}

#[tokio::test]
async fn get_stream_carries_unrelated_messages_and_is_unique() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let get = || {
        request(Method::GET, addr)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", V)
    };
    let mut stream = send(get(), "").await;
    assert_eq!(stream.status, StatusCode::OK);
    assert_eq!(stream.content_type(), "text/event-stream");
    let prime = stream.event().await.unwrap();
    assert_eq!(prime.id.as_deref(), Some("0-0"));
    assert_eq!(prime.data, "");

    let second = send(get(), "").await;
    assert_eq!(second.status, StatusCode::CONFLICT);

    let mut reply = send(
        in_session(addr, &session, V),
        rpc(4, "notify_unrelated", json!({})),
    )
    .await;
    let events = reply.events().await;
    assert_eq!(events.last().unwrap().json()["id"], 4);
    assert!(events.iter().all(|e| !e.data.contains("list_changed")));

    let unrelated = stream.event().await.unwrap();
    assert_eq!(
        unrelated.json()["method"],
        "notifications/tools/list_changed"
    );
    assert_eq!(unrelated.id.as_deref(), Some("0-1"));

    // Once the first GET is gone, another may open.
    drop(stream);
    within(2.0, async {
        loop {
            let r = send(get(), "").await;
            if r.status == StatusCode::OK {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn server_requests_travel_on_the_post_stream() {
    let mut server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let mut reply = send(in_session(addr, &session, V), rpc(5, "ask", json!({}))).await;
    let events = reply.events().await;
    let methods: Vec<_> = events
        .iter()
        .skip(1)
        .map(|e| e.json()["method"].as_str().unwrap_or("response").to_owned())
        .collect();
    assert_eq!(
        methods,
        [
            "sampling/createMessage",
            "notifications/progress",
            "response"
        ]
    );
    // The client answers the server's request with a POST.
    let reply = send(
        in_session(addr, &session, V),
        json!({"jsonrpc": "2.0", "id": "s1", "result": {"role": "assistant"}}).to_string(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    expect_event(&mut server.events, "response:\"s1\"").await;
}

#[tokio::test]
async fn protocol_version_header_is_checked() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    for bad in ["2025-06-18", "1999-01-01", "v999.0.0"] {
        let mut reply = send(
            in_session(addr, &session, bad),
            rpc(9, "tools/list", json!({})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.json().await["id"], 9);
    }
    // Without the header the negotiated version is assumed.
    let reply = send(
        post(addr).header("mcp-session-id", &session),
        rpc(9, "quick", json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    // An unknown version on initialize is refused too, listing the supported ones.
    let mut reply = send(
        post(addr).header("mcp-protocol-version", "2099-01-01"),
        rpc(1, "initialize", json!({"protocolVersion": "2099-01-01"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let body = reply.json().await;
    assert_eq!(body["error"]["code"], -32022);
    assert!(
        body["error"]["data"]["supported"]
            .as_array()
            .unwrap()
            .contains(&json!(V))
    );
}

#[tokio::test]
async fn old_versions_get_no_priming_and_may_batch() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let old = "2025-03-26";
    let session = initialize(addr, old).await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 10, "method": "quick", "params": {"a": 1}},
        {"jsonrpc": "2.0", "method": "notifications/whatever"},
        {"jsonrpc": "2.0", "id": 11, "method": "tools/list", "params": {"b": 2}},
    ]);
    let mut reply = send(
        post(addr).header("mcp-session-id", &session),
        batch.to_string(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let events = reply.events().await;
    // No priming below 2025-11-25; both answers arrive, then the stream ends.
    assert!(events.iter().all(|e| !e.data.is_empty()), "{events:?}");
    let mut ids: Vec<_> = events
        .iter()
        .map(|e| e.json())
        .filter(|m| m.get("result").is_some())
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, [10, 11]);

    // A session of 2025-11-25 may not batch.
    let session = initialize(addr, V).await;
    let reply = send(in_session(addr, &session, V), batch.to_string()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn batches_in_json_mode_answer_an_array() {
    let server = start(StreamableHttpConfig::default().json_response(true)).await;
    let addr = server.addr;
    let session = initialize(addr, "2025-03-26").await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "quick", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "quick", "params": {}},
    ]);
    let mut reply = send(
        post(addr).header("mcp-session-id", &session),
        batch.to_string(),
    )
    .await;
    assert_eq!(reply.content_type(), "application/json");
    let body = reply.json().await;
    let mut ids: Vec<_> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, [1, 2]);
}

#[tokio::test]
async fn dropped_stream_resumes_with_exactly_the_missed_events() {
    let mut server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let mut reply = send(in_session(addr, &session, V), rpc(20, "slow", json!({}))).await;
    let prime = reply.event().await.unwrap();
    let first = reply.event().await.unwrap();
    assert_eq!(first.json()["params"]["progress"], 1);
    let last_id = first.id.clone().unwrap();
    // The client goes away; the request goes on.
    drop(reply);
    expect_event(&mut server.events, "slow-done:20").await;

    let mut resumed = send(
        request(Method::GET, addr)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", V)
            .header("last-event-id", &last_id),
        "",
    )
    .await;
    assert_eq!(resumed.status, StatusCode::OK);
    let events = resumed.events().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].json()["params"]["progress"], 2);
    assert_eq!(events[1].json()["id"], 20);
    let stream = prime.id.unwrap().split('-').next().unwrap().to_owned();
    assert_eq!(events[1].id.as_deref(), Some(&*format!("{stream}-3")));

    // A stream of another request is not replayed; an id of no stream is refused.
    let reply = send(
        request(Method::GET, addr)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session)
            .header("last-event-id", "999-1"),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn resumed_stream_continues_live() {
    let server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let mut reply = send(in_session(addr, &session, V), rpc(21, "slow", json!({}))).await;
    let _prime = reply.event().await.unwrap();
    let first = reply.event().await.unwrap();
    drop(reply);
    let mut resumed = send(
        request(Method::GET, addr)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session)
            .header("last-event-id", first.id.unwrap()),
        "",
    )
    .await;
    let events = resumed.events().await;
    let kinds: Vec<_> = events
        .iter()
        .map(|e| e.json())
        .map(|m| {
            m["params"]["progress"]
                .as_i64()
                .map_or("response".to_owned(), |p| p.to_string())
        })
        .collect();
    assert_eq!(kinds, ["2", "response"]);
}

#[tokio::test]
async fn sse_polling_closes_post_streams_after_priming() {
    let server = start(
        StreamableHttpConfig::default()
            .sse_polling(true)
            .sse_retry(Duration::from_millis(50)),
    )
    .await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let mut reply = send(
        in_session(addr, &session, V),
        rpc(30, "tools/call", json!({})),
    )
    .await;
    let events = reply.events().await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].retry, Some(50));
    let mut polled = send(
        request(Method::GET, addr)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session)
            .header("last-event-id", events[0].id.clone().unwrap()),
        "",
    )
    .await;
    let events = polled.events().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].json()["method"], "notifications/progress");
    assert_eq!(events[1].json()["id"], 30);
}

#[tokio::test]
async fn session_table_is_bounded_and_idle_sessions_expire() {
    let mut server = start(
        StreamableHttpConfig::default()
            .max_sessions(2)
            .session_idle_timeout(Some(Duration::from_millis(300))),
    )
    .await;
    let addr = server.addr;
    let a = initialize(addr, V).await;
    let _b = initialize(addr, V).await;
    let reply = send(
        post(addr),
        rpc(1, "initialize", json!({"protocolVersion": V})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);

    tokio::time::sleep(Duration::from_millis(800)).await;
    expect_event(&mut server.events, "reader-ended").await;
    expect_event(&mut server.events, "reader-ended").await;
    let reply = send(in_session(addr, &a, V), rpc(2, "quick", json!({}))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let _c = initialize(addr, V).await;
    assert_eq!(server.service.session_count(), 1);
}

#[tokio::test]
async fn open_streams_keep_a_session_alive() {
    let server = start(
        StreamableHttpConfig::default().session_idle_timeout(Some(Duration::from_millis(200))),
    )
    .await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let mut stream = send(
        request(Method::GET, addr)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session),
        "",
    )
    .await;
    let _prime = stream.event().await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let reply = send(in_session(addr, &session, V), rpc(2, "quick", json!({}))).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn a_cancelled_request_ends_its_stream_and_frees_its_id() {
    let mut server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let mut reply = send(in_session(addr, &session, V), rpc(7, "forever", json!({}))).await;
    assert_eq!(reply.status, StatusCode::OK);
    // The priming event, then the request's progress: it is running.
    let _prime = reply.event().await.unwrap();
    let progress = reply.event().await.unwrap();
    assert_eq!(progress.json()["method"], "notifications/progress");

    let cancel = json!({
        "jsonrpc": "2.0",
        "method": "notifications/cancelled",
        "params": {"requestId": 7, "reason": "enough"},
    });
    let accepted = send(in_session(addr, &session, V), cancel.to_string()).await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    expect_event(&mut server.events, "cancelled:").await;
    // No response will come: the stream ends without one.
    let rest = within(5.0, reply.events()).await;
    assert!(rest.is_empty(), "{rest:?}");

    // The id is no longer in flight.
    let mut again = send(
        in_session(addr, &session, V),
        rpc(7, "quick", json!({"n": 2})),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    let events = again.events().await;
    let last = events.last().unwrap().json();
    assert_eq!(last["id"], 7);
    assert_eq!(last["result"]["echo"]["n"], 2);
}

#[tokio::test]
async fn a_batch_that_cancels_a_request_ends_that_requests_stream() {
    // 2025-03-26 may batch: a POST that makes a request and cancels an
    // earlier one. The earlier request's stream must end, not wait forever.
    let mut server = start(StreamableHttpConfig::default()).await;
    let addr = server.addr;
    let session = initialize(addr, "2025-03-26").await;
    let old = || post(addr).header("mcp-session-id", &session);
    let mut forever = send(old(), rpc(7, "forever", json!({}))).await;
    let progress = forever.event().await.unwrap();
    assert_eq!(progress.json()["method"], "notifications/progress");

    // The cancellation first: the echo engine aborts every task it runs when
    // it reads one.
    let batch = json!([
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}},
        {"jsonrpc": "2.0", "id": 8, "method": "quick", "params": {"n": 8}},
    ]);
    let mut reply = send(old(), batch.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let answers: Vec<serde_json::Value> = reply
        .events()
        .await
        .iter()
        .map(|e| e.json())
        .filter(|m| m.get("result").is_some())
        .collect();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["id"], 8);
    expect_event(&mut server.events, "cancelled:7").await;
    let rest = within(5.0, forever.events()).await;
    assert!(
        rest.is_empty(),
        "no answer comes for the cancelled request: {rest:?}"
    );
}

#[tokio::test]
async fn requests_sent_while_the_engine_is_not_reading_all_get_answers() {
    // A queue of 2 to the engine, which stops reading for 300 ms: the
    // session's router cannot hand the later requests over at once, so the
    // POSTs that carry them do, once there is room.
    let server = start(StreamableHttpConfig::default().channel_capacity(2)).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    let stall = send(
        in_session(addr, &session, V),
        rpc(1, "stall_reader", json!({})),
    );
    let quick = (2..12).map(|id| {
        let session = session.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut reply = send(
                in_session(addr, &session, V),
                rpc(id, "quick", json!({ "n": id })),
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK);
            (id, reply.events().await)
        }
    });
    let (mut stalled, answers) = within(
        10.0,
        futures::future::join(stall, futures::future::join_all(quick)),
    )
    .await;
    assert_eq!(stalled.status, StatusCode::OK);
    let last = stalled.events().await.last().unwrap().json();
    assert_eq!(last["id"], 1);
    for (id, events) in answers {
        let last = events.last().unwrap().json();
        assert_eq!(last["id"], id);
        assert_eq!(last["result"]["echo"]["n"], id);
    }
}

#[tokio::test]
async fn a_quiet_stream_sends_keep_alive_comments_and_a_busy_one_does_not() {
    let config =
        StreamableHttpConfig::default().keep_alive_interval(Some(Duration::from_millis(100)));
    let server = start(config).await;
    let addr = server.addr;
    let session = initialize(addr, V).await;
    // "slow": progress, 300 ms of silence, progress, 300 ms, the response.
    let mut reply = send(in_session(addr, &session, V), rpc(2, "slow", json!({}))).await;
    let body = String::from_utf8(reply.bytes().await).unwrap();
    let comments = body.matches(": keep-alive\n\n").count();
    assert!(
        (2..=10).contains(&comments),
        "{comments} comments in {body:?}"
    );
    assert!(
        body.trim_end().ends_with('}'),
        "the response comes last: {body:?}"
    );

    // A quick answer has nothing to wait for.
    let mut reply = send(in_session(addr, &session, V), rpc(3, "quick", json!({}))).await;
    let body = String::from_utf8(reply.bytes().await).unwrap();
    assert!(!body.contains(": keep-alive"), "{body:?}");
}
