//! [`LineReader`]: newline-delimited JSON-RPC messages read from any [`AsyncRead`].

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::Stream;
use mcp_types::{JsonRpcMessage, JsonRpcPayload};
use tokio::io::{AsyncRead, ReadBuf};

use crate::line::DEFAULT_MAX_LINE_LENGTH;
use crate::{BatchPosition, Inbound, TransportError};

/// How many bytes one read asks for at least.
const READ_CHUNK: usize = 8 * 1024;

/// A buffer larger than this is given back once it is empty again, so one big
/// message does not pin its memory for the life of the connection.
const SHRINK_ABOVE: usize = 1024 * 1024;

/// The receiving half of a [`LineTransport`](crate::LineTransport): a
/// [`Stream`] of the messages read from `R`, one JSON-RPC payload per line.
///
/// - Lines end with `\n`; a `\r` before it is dropped, so `\r\n` works too.
/// - Lines that are empty or hold only whitespace are skipped.
/// - Each line is parsed once, with [`JsonRpcPayload::from_slice`]. A line that is
///   not a valid message yields [`TransportError::Parse`] and reading goes on with
///   the next line.
/// - A batch line (a JSON array, allowed by revision 2025-03-26) yields each of its
///   members as its own [`Inbound`], in order, each carrying a [`BatchPosition`] in
///   its extensions; an invalid member fails the whole line with one
///   [`TransportError::Parse`]. Whether batches are acceptable at all is for the
///   protocol engine to decide, which knows the negotiated revision.
/// - A line longer than the limit (see [`with_max_line_length`](Self::with_max_line_length),
///   counted without its line ending) yields [`TransportError::TooLarge`] as soon
///   as the limit is passed; the rest of that line is discarded as it arrives,
///   without being buffered, and reading goes on with the next line. The reader
///   never holds more than about the limit plus 16 KiB.
/// - At end of input the stream ends. A last line without a newline is still
///   read; if it is not a complete message (the peer closed in the middle of one)
///   it yields [`TransportError::Parse`] before the end.
/// - An I/O error is yielded as [`TransportError::Io`], and the stream ends.
///
/// ```
/// use futures::StreamExt;
/// use mcp_transport::{LineReader, TransportError};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let input: &[u8] = b"{\"jsonrpc\":\"2.0\",\"method\":\"a\"}\r\n\nnot json\n{\"jsonrpc\":\"2.0\",\"method\":\"b\"}";
/// let mut reader = LineReader::new(input);
/// assert_eq!(reader.next().await.unwrap().unwrap().message.method(), Some("a"));
/// assert!(matches!(reader.next().await, Some(Err(TransportError::Parse(_)))));
/// assert_eq!(reader.next().await.unwrap().unwrap().message.method(), Some("b"));
/// assert!(reader.next().await.is_none());
/// # }
/// ```
pub struct LineReader<R> {
    inner: R,
    /// Bytes read: `buf[start..filled]` is not consumed yet. Always initialized, so
    /// reads need no `unsafe`.
    buf: Vec<u8>,
    start: usize,
    filled: usize,
    /// `buf[start..scanned]` is known to hold no newline.
    scanned: usize,
    max_line_length: usize,
    /// `Some(n)` while discarding the rest of an oversized line, `n` bytes so far.
    discarding: Option<usize>,
    /// Members of a batch line not yielded yet.
    batch: Option<Batch>,
    state: State,
}

struct Batch {
    members: std::vec::IntoIter<JsonRpcMessage>,
    next_index: usize,
    len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Reading,
    /// End of input seen; what is left in the buffer is the last line.
    Eof,
    Done,
}

impl<R> LineReader<R> {
    /// A reader of `inner` with the default line limit, [`DEFAULT_MAX_LINE_LENGTH`].
    pub fn new(inner: R) -> Self {
        LineReader {
            inner,
            buf: Vec::new(),
            start: 0,
            filled: 0,
            scanned: 0,
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
            discarding: None,
            batch: None,
            state: State::Reading,
        }
    }

    /// Sets the longest line accepted, in bytes, without its line ending.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use mcp_transport::{LineReader, TransportError};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let long = format!("{{\"jsonrpc\":\"2.0\",\"method\":\"{}\"}}\n", "x".repeat(100));
    /// let input = format!("{long}{{\"jsonrpc\":\"2.0\",\"method\":\"ok\"}}\n");
    /// let mut reader = LineReader::new(input.as_bytes()).with_max_line_length(64);
    /// assert!(matches!(
    ///     reader.next().await,
    ///     Some(Err(TransportError::TooLarge { limit: 64, .. }))
    /// ));
    /// assert_eq!(reader.next().await.unwrap().unwrap().message.method(), Some("ok"));
    /// # }
    /// ```
    pub fn with_max_line_length(mut self, max: usize) -> Self {
        self.max_line_length = max;
        self
    }

    /// The longest line accepted, in bytes.
    pub fn max_line_length(&self) -> usize {
        self.max_line_length
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The underlying reader, mutably. Reading from it directly loses the framing.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The underlying reader; bytes already buffered are lost.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The next complete line in the buffer, consuming it (without its `\n`).
    fn take_line(&mut self) -> Option<(usize, usize)> {
        let found = memchr::memchr(b'\n', &self.buf[self.scanned..self.filled])?;
        let end = self.scanned + found;
        let line = (self.start, end);
        self.start = end + 1;
        self.scanned = self.start;
        Some(line)
    }

    /// Turns one line into the next item, or `None` for a blank line.
    fn decode(
        &mut self,
        (start, mut end): (usize, usize),
    ) -> Option<Result<Inbound, TransportError>> {
        if self.discarding.take().is_some() {
            // The tail of an oversized line, already reported.
            return None;
        }
        if end > start && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        let line = &self.buf[start..end];
        if line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        if line.len() > self.max_line_length {
            return Some(Err(TransportError::TooLarge {
                size: line.len(),
                limit: self.max_line_length,
            }));
        }
        match JsonRpcPayload::from_slice(line) {
            Ok(JsonRpcPayload::Single(message)) => Some(Ok(Inbound::from(message))),
            Ok(JsonRpcPayload::Batch(members)) => {
                let len = members.len();
                self.batch = Some(Batch {
                    members: members.into_iter(),
                    next_index: 0,
                    len,
                });
                self.next_batch_member().map(Ok)
            }
            Err(e) => Some(Err(TransportError::Parse(e))),
        }
    }

    fn next_batch_member(&mut self) -> Option<Inbound> {
        let batch = self.batch.as_mut()?;
        let Some(message) = batch.members.next() else {
            self.batch = None;
            return None;
        };
        let mut inbound = Inbound::from(message);
        inbound.extensions.insert(BatchPosition {
            index: batch.next_index,
            len: batch.len,
        });
        batch.next_index += 1;
        Some(inbound)
    }

    /// Checks the partial line against the limit once no newline is buffered.
    fn check_partial_line(&mut self) -> Option<TransportError> {
        let pending = self.filled - self.start;
        if let Some(discarded) = &mut self.discarding {
            *discarded += pending;
            self.start = 0;
            self.filled = 0;
            self.scanned = 0;
            return None;
        }
        // One byte of slack for the `\r` of a `\r\n` that may follow.
        if pending > self.max_line_length.saturating_add(1) {
            self.discarding = Some(pending);
            self.start = 0;
            self.filled = 0;
            self.scanned = 0;
            return Some(TransportError::TooLarge {
                size: pending,
                limit: self.max_line_length,
            });
        }
        None
    }

    /// Makes room for at least [`READ_CHUNK`] more bytes after `filled`.
    fn reserve(&mut self) {
        if self.start == self.filled {
            self.start = 0;
            self.filled = 0;
            self.scanned = 0;
            if self.buf.len() > SHRINK_ABOVE {
                self.buf = Vec::new();
            }
        }
        if self.buf.len() - self.filled >= READ_CHUNK {
            return;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.filled, 0);
            self.filled -= self.start;
            self.scanned -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.filled < READ_CHUNK {
            let wanted = (self.buf.len() * 2).max(self.filled + READ_CHUNK);
            // Never grow past what one line of the maximum length can need.
            let cap = self
                .max_line_length
                .saturating_add(2 * READ_CHUNK)
                .max(self.filled + READ_CHUNK);
            self.buf.resize(wanted.min(cap), 0);
        }
    }
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    /// Reads more bytes; `Ok(0)` at end of input.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        self.reserve();
        loop {
            let mut read_buf = ReadBuf::new(&mut self.buf[self.filled..]);
            match ready!(Pin::new(&mut self.inner).poll_read(cx, &mut read_buf)) {
                Ok(()) => {
                    let n = read_buf.filled().len();
                    self.filled += n;
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl<R: AsyncRead + Unpin> Stream for LineReader<R> {
    type Item = Result<Inbound, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(inbound) = this.next_batch_member() {
                return Poll::Ready(Some(Ok(inbound)));
            }
            match this.state {
                State::Done => return Poll::Ready(None),
                State::Eof => {
                    // Whatever is left is a last line without a newline.
                    this.state = State::Done;
                    if this.start < this.filled {
                        let line = (this.start, this.filled);
                        this.start = this.filled;
                        if let Some(item) = this.decode(line) {
                            return Poll::Ready(Some(item));
                        }
                    }
                    continue;
                }
                State::Reading => {}
            }
            if let Some(line) = this.take_line() {
                if let Some(item) = this.decode(line) {
                    return Poll::Ready(Some(item));
                }
                continue;
            }
            this.scanned = this.filled;
            if let Some(e) = this.check_partial_line() {
                return Poll::Ready(Some(Err(e)));
            }
            match ready!(this.poll_fill(cx)) {
                Ok(0) => {
                    this.state = State::Eof;
                    if this.discarding.take().is_some() {
                        this.start = this.filled;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    this.state = State::Done;
                    return Poll::Ready(Some(Err(TransportError::Io(e))));
                }
            }
        }
    }
}

impl<R> fmt::Debug for LineReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineReader")
            .field("buffered", &(self.filled - self.start))
            .field("max_line_length", &self.max_line_length)
            .field("discarding", &self.discarding.is_some())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn an_endless_line_never_grows_the_buffer_past_the_limit() {
        let (mut tx, rx) = tokio::io::duplex(64 * 1024);
        let limit = 100_000;
        let mut reader = LineReader::new(rx).with_max_line_length(limit);
        tokio::spawn(async move {
            let chunk = vec![b'{'; 64 * 1024];
            for _ in 0..160 {
                tx.write_all(&chunk).await.unwrap();
            }
            tx.write_all(b"\n{\"jsonrpc\":\"2.0\",\"method\":\"ok\"}\n")
                .await
                .unwrap();
        });
        let mut largest = 0;
        let mut too_large = 0;
        while let Some(item) = reader.next().await {
            largest = largest.max(reader.buf.len());
            match item {
                Err(TransportError::TooLarge { .. }) => too_large += 1,
                Ok(inbound) => assert_eq!(inbound.message.method(), Some("ok")),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(too_large, 1);
        assert!(largest <= limit + 2 * READ_CHUNK, "{largest}");
    }
}
