//! [`LineWriter`]: JSON-RPC messages written as newline-delimited JSON to any [`AsyncWrite`].

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::Sink;
use tokio::io::AsyncWrite;

use crate::{Outbound, TransportError};

/// Buffered bytes past which [`poll_ready`](Sink::poll_ready) writes them out
/// before accepting another message.
const HIGH_WATER: usize = 64 * 1024;

/// A buffer larger than this is given back once written, so one big message
/// does not pin its memory for the life of the connection.
const SHRINK_ABOVE: usize = 1024 * 1024;

/// The sending half of a [`LineTransport`](crate::LineTransport): a [`Sink`]
/// that writes each message to `W` as one line of JSON.
///
/// - Each message is serialized straight into one reusable buffer, followed by
///   `\n`; nothing else is allocated per message. Line breaks never appear inside
///   a line: compact JSON escapes them in strings, and any that unparsed
///   `params` or `result` text carried as insignificant whitespace become spaces.
/// - Messages are buffered: [`feed`](futures::SinkExt::feed) several, then
///   [`flush`](futures::SinkExt::flush) writes them with as few writes as `W`
///   allows, in order, and flushes `W`. Past 64 KiB of buffered bytes the writer
///   writes them out before taking another message, so memory stays bounded.
/// - [`close`](futures::SinkExt::close) writes everything buffered, flushes, and
///   shuts `W` down (for a socket, the peer sees end of input); it returns only
///   once all of that is done.
/// - [`Outbound::related_request`] is ignored: a byte stream has one channel.
///
/// ```
/// use futures::SinkExt;
/// use mcp_transport::LineWriter;
/// use mcp_types::{JsonRpcMessage, JsonRpcRequest};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let mut writer = LineWriter::new(Vec::<u8>::new());
/// let ping = JsonRpcRequest::new(1, "ping", &serde_json::json!({})).unwrap();
/// writer.feed(JsonRpcMessage::Request(ping).into()).await.unwrap();
/// writer.flush().await.unwrap();
/// assert_eq!(
///     writer.get_ref().as_slice(),
///     b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{}}\n"
/// );
/// # }
/// ```
pub struct LineWriter<W> {
    inner: W,
    /// Serialized lines; `buf[written..]` is not written to `inner` yet.
    buf: Vec<u8>,
    written: usize,
}

impl<W> LineWriter<W> {
    /// A writer of newline-delimited JSON to `inner`.
    pub fn new(inner: W) -> Self {
        LineWriter {
            inner,
            buf: Vec::new(),
            written: 0,
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The underlying writer, mutably. Writing to it directly may interleave with
    /// buffered messages; flush first.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The underlying writer; messages buffered and not flushed are lost.
    pub fn into_inner(self) -> W {
        self.inner
    }

    /// Bytes accepted and not yet written to the underlying writer.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.written
    }

    /// Serializes one message as a line at the end of the buffer.
    fn encode(&mut self, item: &Outbound) -> Result<(), TransportError> {
        let start = self.buf.len();
        if let Err(e) = serde_json::to_writer(&mut self.buf, &item.message) {
            // Leave no partial line behind.
            self.buf.truncate(start);
            return Err(TransportError::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                e,
            )));
        }
        // Compact JSON has no raw line break except as whitespace inside unparsed
        // (`RawValue`) members, where a space means the same.
        let line = &mut self.buf[start..];
        let mut from = 0;
        while let Some(i) = memchr::memchr2(b'\n', b'\r', &line[from..]) {
            line[from + i] = b' ';
            from += i + 1;
        }
        self.buf.push(b'\n');
        Ok(())
    }
}

impl<W: AsyncWrite + Unpin> LineWriter<W> {
    /// Writes the whole buffer to `inner` (without flushing `inner`).
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.buf.len() {
            match ready!(Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.written..])) {
                Ok(0) => {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the peer accepts no more bytes",
                    )));
                }
                Ok(n) => self.written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        self.written = 0;
        if self.buf.capacity() > SHRINK_ABOVE {
            self.buf = Vec::new();
        } else {
            self.buf.clear();
        }
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> Sink<Outbound> for LineWriter<W> {
    type Error = TransportError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.buffered() >= HIGH_WATER {
            ready!(self.poll_drain(cx))?;
        }
        Poll::Ready(Ok(()))
    }

    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> Result<(), Self::Error> {
        self.encode(&item)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        ready!(self.poll_drain(cx))?;
        ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        ready!(self.as_mut().poll_flush(cx))?;
        ready!(Pin::new(&mut self.inner).poll_shutdown(cx))?;
        Poll::Ready(Ok(()))
    }
}

impl<W> fmt::Debug for LineWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineWriter")
            .field("buffered", &self.buffered())
            .finish_non_exhaustive()
    }
}
