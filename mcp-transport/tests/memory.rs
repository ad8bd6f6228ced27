//! The in-memory transport pair.

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use futures::{FutureExt, SinkExt, StreamExt};
use mcp_transport::{Outbound, Transport, TransportError, memory};
use mcp_types::{JsonRpcMessage, RequestId};
use support::{message, notification, request, within};

#[tokio::test]
async fn both_directions_in_order() {
    let (client, server) = memory::pair();
    let (mut client_rx, mut client_tx) = client.split();
    let (mut server_rx, mut server_tx) = server.split();
    for i in 0..5 {
        client_tx.feed(request(i, "ping").into()).await.unwrap();
    }
    client_tx.flush().await.unwrap();
    for i in 0..5 {
        let msg = message(server_rx.next().await);
        assert_eq!(msg.id(), Some(&RequestId::Number(i)));
        server_tx.send(msg.into()).await.unwrap();
    }
    for i in 0..5 {
        assert_eq!(
            message(client_rx.next().await).id(),
            Some(&RequestId::Number(i))
        );
    }
}

#[tokio::test]
async fn a_full_channel_makes_the_sender_wait() {
    let (a, b) = memory::pair_with_capacity(2);
    let (_, mut tx) = a.split();
    let (mut rx, _) = b.split();
    tx.send(notification("one").into()).await.unwrap();
    tx.send(notification("two").into()).await.unwrap();
    let third = Outbound::from(notification("three"));
    let blocked = tokio::time::timeout(Duration::from_millis(50), tx.send(third.clone())).await;
    assert!(blocked.is_err(), "the third message waits for room");
    assert_eq!(message(rx.next().await).method(), Some("one"));
    within(5.0, tx.send(third)).await.unwrap();
    assert_eq!(message(rx.next().await).method(), Some("two"));
    assert_eq!(message(rx.next().await).method(), Some("three"));
}

#[tokio::test]
async fn closing_or_dropping_a_writer_ends_the_other_reader() {
    let (a, b) = memory::pair();
    let (mut a_rx, mut a_tx) = a.split();
    let (mut b_rx, b_tx) = b.split();
    a_tx.send(notification("last").into()).await.unwrap();
    a_tx.close().await.unwrap();
    assert_eq!(message(b_rx.next().await).method(), Some("last"));
    assert!(b_rx.next().await.is_none());
    drop(b_tx);
    assert!(a_rx.next().await.is_none());
}

#[tokio::test]
async fn sending_to_a_dropped_reader_fails_with_closed() {
    let (a, b) = memory::pair();
    let (_, mut tx) = a.split();
    drop(b);
    let err = tx.send(notification("lost").into()).await.unwrap_err();
    assert!(matches!(err, TransportError::Closed(_)), "{err}");
}

#[tokio::test]
async fn the_serialized_pair_goes_through_json_text() {
    let (a, b) = memory::pair_serialized();
    let (_, mut tx) = a.split();
    let (mut rx, _) = b.split();
    let sent = request(9, "tools/call");
    tx.send(sent.clone().into()).await.unwrap();
    let got = message(rx.next().await);
    assert_eq!(got.to_json(), sent.to_json());
    assert!(matches!(got, JsonRpcMessage::Request(_)));
    assert!(
        rx.next().now_or_never().is_none(),
        "nothing else is pending"
    );
}
