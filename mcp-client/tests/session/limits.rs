//! Timeouts, cancellation, a server that goes away, and closing.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use mcp_client::{CallOptions, ClientSession, VersionChoice};
use mcp_types::ProtocolVersion;
use serde_json::json;

use crate::support::{Options, connect, connect_with, eventually, first_text};

const ERAS: [VersionChoice; 2] = [
    VersionChoice::Fixed(ProtocolVersion::V2025_11_25),
    VersionChoice::Auto,
];

#[tokio::test]
async fn a_call_times_out_and_is_cancelled() {
    for choice in ERAS {
        let (session, server) = connect(choice).await;
        let started = Instant::now();
        let options = CallOptions::new().timeout(Duration::from_millis(100));
        let err = session
            .call_tool_with("slow", json!({"seconds": 30}), options)
            .await
            .unwrap_err();
        assert!(err.is_timeout(), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
        eventually("notifications/cancelled", || {
            server.state().cancelled.load(Ordering::SeqCst) == 1
        })
        .await;
        // The session is still usable.
        assert_eq!(
            first_text(
                &session
                    .call_tool("echo", json!({"text": "still here"}))
                    .await
                    .unwrap()
            ),
            "still here"
        );
    }
    // The session-wide timeout applies when a call sets none.
    let builder = ClientSession::builder().request_timeout(Duration::from_millis(150));
    let (session, _server) = connect_with(Options::default(), builder).await;
    let err = session
        .call_tool("slow", json!({"seconds": 30}))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn dropping_a_call_cancels_it() {
    for choice in ERAS {
        let (session, server) = connect(choice).await;
        let call = session.call_tool("slow", json!({"seconds": 30}));
        let dropped = tokio::time::timeout(Duration::from_millis(100), call).await;
        assert!(dropped.is_err(), "the call was still running");
        eventually("notifications/cancelled", || {
            server.state().cancelled.load(Ordering::SeqCst) == 1
        })
        .await;
        let count = session.call_tool("cancelled_count", ()).await.unwrap();
        assert_eq!(first_text(&count), "1");
    }
}

#[tokio::test]
async fn a_server_that_goes_away_fails_calls_promptly() {
    for choice in ERAS {
        let (session, server) = connect(choice).await;
        let pending = {
            let session = session.clone();
            tokio::spawn(async move { session.call_tool("slow", json!({"seconds": 30})).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let killed = Instant::now();
        server.kill();
        let err = tokio::time::timeout(Duration::from_secs(2), pending)
            .await
            .unwrap()
            .unwrap()
            .unwrap_err();
        assert!(err.is_closed(), "{err}");
        assert!(killed.elapsed() < Duration::from_secs(1));
        tokio::time::timeout(Duration::from_secs(2), session.closed())
            .await
            .unwrap();
        let later = session.list_tools(None).await.unwrap_err();
        assert!(later.is_closed(), "{later}");
    }
}

#[tokio::test]
async fn dropping_the_last_clone_closes_the_transport() {
    for choice in ERAS {
        let running = crate::support::server::start(&Options::default()).await;
        let (client_end, server_end) = mcp_transport::memory::pair();
        let served = {
            let running = running.clone();
            tokio::spawn(async move { running.serve(server_end).await })
        };
        let session = ClientSession::builder()
            .protocol_version(choice)
            .connect(client_end)
            .await
            .unwrap();
        let clone = session.clone();
        drop(session);
        clone.ping().await.unwrap();
        drop(clone);
        let ended = tokio::time::timeout(Duration::from_secs(5), served).await;
        assert!(ended.is_ok(), "the server saw its connection end");
    }
}

#[tokio::test]
async fn weak_handles_do_not_keep_the_session_open() {
    let (session, _server) = connect(VersionChoice::Auto).await;
    let weak = session.downgrade();
    assert!(weak.upgrade().is_some());
    let peer = session.peer().clone();
    drop(session);
    assert!(weak.upgrade().is_none());
    tokio::time::timeout(Duration::from_secs(5), peer.closed())
        .await
        .unwrap();
}
