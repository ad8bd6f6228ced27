//! What the server tells: logs, progress, list changes, resource updates,
//! `subscriptions/listen` streams, and the catch-all callback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use mcp_client::{CallOptions, ClientSession, ServerNotification, VersionChoice};
use mcp_types::{LoggingLevel, ProtocolVersion, SubscriptionFilter};
use serde_json::json;

use crate::support::{Options, connect, connect_with, eventually, first_text};

#[tokio::test]
async fn logs_reach_the_logging_callback() {
    for choice in [
        VersionChoice::Fixed(ProtocolVersion::V2025_03_26),
        VersionChoice::Auto,
    ] {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let builder = ClientSession::builder()
            .protocol_version(choice)
            .on_logging(move |log| sink.lock().unwrap().push((log.level, log.data)));
        let (session, _server) = connect_with(Options::default(), builder).await;
        if session.protocol_version().is_stateless() {
            // A 2026-07-28 server logs only when the request asks.
            session.call_tool("log", ()).await.unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(logs.lock().unwrap().is_empty());
            session
                .set_logging_level(LoggingLevel::Debug)
                .await
                .unwrap();
        }
        session.call_tool("log", ()).await.unwrap();
        eventually("two logs", || logs.lock().unwrap().len() == 2).await;
        session.set_logging_level(LoggingLevel::Info).await.unwrap();
        session.call_tool("log", ()).await.unwrap();
        eventually("the info log", || logs.lock().unwrap().len() == 3).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let logs = logs.lock().unwrap();
        assert_eq!(
            logs.len(),
            3,
            "debug is filtered after setLevel(info): {logs:?}"
        );
        assert_eq!(logs[0], (LoggingLevel::Info, json!("info message")));
    }
}

#[tokio::test]
async fn progress_arrives_per_request() {
    for choice in [
        VersionChoice::Fixed(ProtocolVersion::V2025_11_25),
        VersionChoice::Auto,
    ] {
        let (session, _server) = connect(choice).await;
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let result = session
            .call_tool_with("progress", (), CallOptions::new().progress(tx))
            .await
            .unwrap();
        assert_eq!(first_text(&result), "progress done");
        let mut seen = Vec::new();
        while let Ok(p) = rx.try_recv() {
            seen.push((p.progress, p.total, p.message));
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert_eq!(seen[2], (3.0, Some(3.0), Some("step 3".to_owned())));
        // Without a progress channel the server sends none.
        session.call_tool("progress", ()).await.unwrap();
    }
}

#[tokio::test]
async fn list_changes_reach_their_callbacks_in_both_eras() {
    for choice in [
        VersionChoice::Fixed(ProtocolVersion::V2025_06_18),
        VersionChoice::Auto,
    ] {
        let events = Arc::new(Mutex::new(Vec::new()));
        let (e1, e2, e3, e4) = (
            events.clone(),
            events.clone(),
            events.clone(),
            events.clone(),
        );
        let any = Arc::new(Mutex::new(Vec::new()));
        let any_sink = any.clone();
        let builder = ClientSession::builder()
            .protocol_version(choice)
            .on_tools_list_changed(move || e1.lock().unwrap().push("tools".to_owned()))
            .on_prompts_list_changed(move || e2.lock().unwrap().push("prompts".to_owned()))
            .on_resources_list_changed(move || e3.lock().unwrap().push("resources".to_owned()))
            .on_resource_updated(move |p| e4.lock().unwrap().push(p.uri))
            .on_message(move |n| any_sink.lock().unwrap().push(n.method.clone()));
        let (session, _server) = connect_with(Options::default(), builder).await;
        let stateless = session.protocol_version().is_stateless();
        if stateless {
            // The session's own listen stream must be acknowledged first.
            eventually("the listen ack", || {
                any.lock()
                    .unwrap()
                    .iter()
                    .any(|m| m == "notifications/subscriptions/acknowledged")
            })
            .await;
        } else {
            session
                .subscribe_resource("test://static-text")
                .await
                .unwrap();
        }
        session.call_tool("change", ()).await.unwrap();
        eventually("three list changes", || events.lock().unwrap().len() >= 3).await;
        let mut got = events.lock().unwrap().clone();
        got.sort();
        assert_eq!(got, ["prompts", "resources", "tools"], "{choice:?}");
        if !stateless {
            session
                .call_tool("change", json!({"uri": "test://static-text"}))
                .await
                .unwrap();
            session
                .call_tool("change", json!({"uri": "test://other"}))
                .await
                .unwrap();
            eventually("the resource update", || events.lock().unwrap().len() == 4).await;
            assert_eq!(events.lock().unwrap()[3], "test://static-text");
        }
        assert!(
            any.lock()
                .unwrap()
                .iter()
                .any(|m| m == "notifications/tools/list_changed")
        );
    }
}

#[tokio::test]
async fn listen_streams_tagged_notifications_and_cancels_on_drop() {
    let (session, server) = connect(VersionChoice::Auto).await;
    let filter = SubscriptionFilter {
        tools_list_changed: Some(true),
        resource_subscriptions: Some(vec!["test://static-text".into()]),
        ..Default::default()
    };
    let mut stream = session.listen(filter).await.unwrap();
    assert_eq!(stream.accepted().tools_list_changed, Some(true));
    session.call_tool("change", ()).await.unwrap();
    session
        .call_tool("change", json!({"uri": "test://static-text"}))
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(first, ServerNotification::ToolsListChanged),
        "{first:?}"
    );
    let second = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .unwrap()
        .unwrap();
    match second {
        ServerNotification::ResourceUpdated(p) => assert_eq!(p.uri, "test://static-text"),
        other => panic!("{other:?}"),
    }
    let before = server
        .state()
        .cancelled
        .load(std::sync::atomic::Ordering::SeqCst);
    drop(stream);
    eventually("the server to see the listen cancelled", || {
        server
            .state()
            .cancelled
            .load(std::sync::atomic::Ordering::SeqCst)
            == before + 1
    })
    .await;

    // The stream ends when the connection does.
    let mut stream = session
        .listen(SubscriptionFilter {
            prompts_list_changed: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    server.kill();
    let end = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .unwrap();
    assert!(end.is_none());
    assert!(stream.end_reason().is_some_and(|e| e.is_closed()));
}
