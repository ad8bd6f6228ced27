//! The newline-delimited JSON codec over real sockets and pipes.

#![cfg(unix)]

#[path = "../support/mod.rs"]
mod support;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use mcp_transport::{
    BatchPosition, LineReader, LineTransport, LineWriter, Transport, TransportError,
};
use mcp_types::{JsonRpcMessage, JsonRpcRequest, ParseError, RequestId};
use serde_json::value::RawValue;
use support::{message, notification, request, within};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, ReadBuf};
use tokio::net::UnixStream;

/// A reader over the receiving end of a real socket, and the sending end.
fn socket_reader(max: usize) -> (LineReader<UnixStream>, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    (LineReader::new(a).with_max_line_length(max), b)
}

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

#[tokio::test]
async fn malformed_lines_are_reported_and_reading_goes_on() {
    let (mut reader, mut peer) = socket_reader(1024);
    let input = format!(
        "{PING}\nnot json at all\n{{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"x\"}}\n[1,2]\n{{\"jsonrpc\":\"2.0\",\"method\":\"done\"}}\n"
    );
    peer.write_all(input.as_bytes()).await.unwrap();
    drop(peer);

    assert_eq!(message(reader.next().await).method(), Some("ping"));
    assert!(matches!(
        reader.next().await,
        Some(Err(TransportError::Parse(ParseError::Json(_))))
    ));
    match reader.next().await {
        Some(Err(e @ TransportError::Parse(ParseError::Invalid { .. }))) => {
            assert!(e.is_recoverable());
            let TransportError::Parse(p) = e else {
                unreachable!()
            };
            assert_eq!(p.to_response().id, Some(RequestId::Number(7)));
        }
        other => panic!("expected an invalid message, got {other:?}"),
    }
    assert!(matches!(
        reader.next().await,
        Some(Err(TransportError::Parse(_)))
    ));
    assert_eq!(message(reader.next().await).method(), Some("done"));
    assert!(reader.next().await.is_none());
    assert!(reader.next().await.is_none(), "the reader stays ended");
}

#[tokio::test]
async fn an_oversized_line_is_skipped_and_reading_goes_on() {
    let (mut reader, mut peer) = socket_reader(1024);
    let writer = tokio::spawn(async move {
        peer.write_all(format!("{PING}\n").as_bytes())
            .await
            .unwrap();
        // 1 MiB without a newline, in pieces, then the end of that line.
        let chunk = vec![b'x'; 16 * 1024];
        for _ in 0..64 {
            peer.write_all(&chunk).await.unwrap();
        }
        peer.write_all(b"\n").await.unwrap();
        peer.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"after\"}\n")
            .await
            .unwrap();
    });
    assert_eq!(
        message(within(5.0, reader.next()).await).method(),
        Some("ping")
    );
    match within(5.0, reader.next()).await {
        Some(Err(e @ TransportError::TooLarge { size, limit: 1024 })) => {
            assert!(size > 1024, "{size}");
            assert!(e.is_recoverable());
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(
        message(within(5.0, reader.next()).await).method(),
        Some("after")
    );
    writer.await.unwrap();
    assert!(within(5.0, reader.next()).await.is_none());
}

#[tokio::test]
async fn the_limit_counts_the_line_without_its_ending() {
    // A message of exactly 64 bytes.
    let exact = format!(r#"{{"jsonrpc":"2.0","method":"{}"}}"#, "m".repeat(64 - 29));
    assert_eq!(exact.len(), 64);
    let long = format!(r#"{{"jsonrpc":"2.0","method":"{}"}}"#, "m".repeat(65 - 29));
    let input = format!("{exact}\r\n{exact}\n{long}\n{long}\r\n{exact}");
    let mut reader = LineReader::new(input.as_bytes()).with_max_line_length(64);
    assert!(reader.next().await.unwrap().is_ok());
    assert!(reader.next().await.unwrap().is_ok());
    for _ in 0..2 {
        assert!(matches!(
            reader.next().await,
            Some(Err(TransportError::TooLarge {
                size: 65,
                limit: 64
            }))
        ));
    }
    assert!(
        reader.next().await.unwrap().is_ok(),
        "last line without newline"
    );
    assert!(reader.next().await.is_none());
}

#[tokio::test]
async fn an_oversized_line_at_the_end_of_input_ends_quietly() {
    let (mut reader, mut peer) = socket_reader(100);
    peer.write_all(&[b'y'; 5000]).await.unwrap();
    drop(peer);
    assert!(matches!(
        reader.next().await,
        Some(Err(TransportError::TooLarge { .. }))
    ));
    assert!(reader.next().await.is_none());
}

#[tokio::test]
async fn crlf_and_blank_lines() {
    let (mut reader, mut peer) = socket_reader(1024);
    let input =
        format!("\r\n\n   \n\t\r\n{PING}\r\n\r\n\r\n{{\"jsonrpc\":\"2.0\",\"method\":\"n\"}}\n\n");
    peer.write_all(input.as_bytes()).await.unwrap();
    drop(peer);
    assert_eq!(message(reader.next().await).method(), Some("ping"));
    assert_eq!(message(reader.next().await).method(), Some("n"));
    assert!(reader.next().await.is_none());
}

#[tokio::test]
async fn a_batch_line_yields_each_member() {
    let (mut reader, mut peer) = socket_reader(1024);
    let input = format!(
        "[{PING},{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}}]\n[]\n[{PING},{{\"bad\":1}}]\n{PING}\n"
    );
    peer.write_all(input.as_bytes()).await.unwrap();
    drop(peer);

    for index in 0..2 {
        let inbound = reader.next().await.unwrap().unwrap();
        assert_eq!(
            inbound.extensions.get::<BatchPosition>(),
            Some(&BatchPosition { index, len: 2 })
        );
    }
    // An empty batch, and a batch with an invalid member, are one error each.
    assert!(matches!(
        reader.next().await,
        Some(Err(TransportError::Parse(_)))
    ));
    assert!(matches!(
        reader.next().await,
        Some(Err(TransportError::Parse(_)))
    ));
    let single = reader.next().await.unwrap().unwrap();
    assert!(single.extensions.get::<BatchPosition>().is_none());
    assert!(reader.next().await.is_none());
}

#[tokio::test]
async fn a_peer_that_closes_mid_message() {
    let (mut reader, mut peer) = socket_reader(1024);
    peer.write_all(format!("{PING}\n{{\"jsonrpc\":\"2.0\",\"id\":2,\"met").as_bytes())
        .await
        .unwrap();
    drop(peer);
    assert_eq!(message(reader.next().await).method(), Some("ping"));
    match reader.next().await {
        Some(Err(TransportError::Parse(ParseError::Json(m)))) => assert!(m.contains("EOF"), "{m}"),
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert!(reader.next().await.is_none());
}

#[tokio::test]
async fn messages_split_across_many_small_reads() {
    // A pipe that holds 7 bytes at a time forces every message across reads.
    let (mut tx, rx) = tokio::io::duplex(7);
    let mut reader = LineReader::new(rx).with_max_line_length(200);
    let writer = tokio::spawn(async move {
        for i in 0..50 {
            let line = format!("{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"m{i}\"}}\r\n");
            tx.write_all(line.as_bytes()).await.unwrap();
        }
    });
    for i in 0..50 {
        let msg = message(within(5.0, reader.next()).await);
        assert_eq!(msg.method(), Some(format!("m{i}").as_str()));
    }
    writer.await.unwrap();
    assert!(reader.next().await.is_none());
}

#[tokio::test]
async fn an_io_error_ends_the_reader() {
    struct Failing;
    impl AsyncRead for Failing {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset")))
        }
    }
    let mut reader = LineReader::new(Failing);
    match reader.next().await {
        Some(Err(e @ TransportError::Io(_))) => assert!(!e.is_recoverable()),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert!(reader.next().await.is_none());
}

#[tokio::test]
async fn writes_are_buffered_until_flushed_and_keep_their_order() {
    let (a, mut peer) = UnixStream::pair().unwrap();
    let mut writer = LineWriter::new(a);
    for i in 1..=3 {
        writer.feed(request(i, "tools/list").into()).await.unwrap();
    }
    writer
        .feed(notification("notifications/progress").into())
        .await
        .unwrap();
    assert!(writer.buffered() > 0);

    let mut buf = vec![0u8; 4096];
    let early = tokio::time::timeout(Duration::from_millis(50), peer.read(&mut buf)).await;
    assert!(early.is_err(), "nothing is written before the flush");

    writer.flush().await.unwrap();
    assert_eq!(writer.buffered(), 0);
    writer.close().await.unwrap();
    let mut text = String::new();
    within(5.0, peer.read_to_string(&mut text)).await.unwrap();
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    assert_eq!(
        lines,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"n":1}}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"n":2}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"n":3}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/progress"}"#,
        ]
    );
}

#[tokio::test]
async fn a_line_never_contains_a_line_break() {
    // Unparsed params keep the peer's whitespace, line breaks included.
    let params = RawValue::from_string("{\r\n  \"text\": \"two\\nlines\"\n}".to_owned()).unwrap();
    let msg = JsonRpcMessage::Request(JsonRpcRequest {
        id: 1.into(),
        method: "echo".into(),
        params: Some(params),
    });
    let mut writer = LineWriter::new(Vec::new());
    writer.send(msg.into()).await.unwrap();
    let out = writer.into_inner();
    assert_eq!(out.iter().filter(|&&b| b == b'\n' || b == b'\r').count(), 1);
    assert_eq!(out.last(), Some(&b'\n'));

    let back = message(LineReader::new(out.as_slice()).next().await);
    let JsonRpcMessage::Request(r) = back else {
        panic!("not a request")
    };
    let value: serde_json::Value = serde_json::from_str(r.params.unwrap().get()).unwrap();
    assert_eq!(value["text"], "two\nlines");
}

#[tokio::test]
async fn many_messages_through_a_slow_reader_without_flushing() {
    // More than the write buffer holds, so the writer must write as it goes.
    let (a, b) = UnixStream::pair().unwrap();
    let (r, w) = a.into_split();
    let (_, mut writer) = LineTransport::new(r, w).split();
    let mut reader = LineReader::new(b);
    let count = 5_000;
    let send = tokio::spawn(async move {
        for i in 0..count {
            writer.feed(request(i, "x").into()).await.unwrap();
        }
        writer.close().await.unwrap();
    });
    for i in 0..count {
        let msg = message(within(10.0, reader.next()).await);
        assert_eq!(msg.id(), Some(&RequestId::Number(i)));
    }
    assert!(within(5.0, reader.next()).await.is_none());
    send.await.unwrap();
}

#[tokio::test]
async fn tcp_round_trip() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (r, w) = socket.into_split();
        let (mut reader, mut writer) = LineTransport::new(r, w).split();
        while let Some(item) = reader.next().await {
            writer.send(item.unwrap().message.into()).await.unwrap();
        }
        writer.close().await.unwrap();
    });
    let (r, w) = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap()
        .into_split();
    let (mut reader, mut writer) = LineTransport::new(r, w).split();
    for i in 0..3 {
        writer.feed(request(i, "ping").into()).await.unwrap();
    }
    writer.flush().await.unwrap();
    for i in 0..3 {
        assert_eq!(
            message(within(5.0, reader.next()).await).id(),
            Some(&RequestId::Number(i))
        );
    }
    writer.close().await.unwrap();
    assert!(within(5.0, reader.next()).await.is_none());
    server.await.unwrap();
}
