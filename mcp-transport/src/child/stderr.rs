//! Capturing a server process's stderr: a bounded queue of its most recent lines.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures::Stream;
use futures::task::AtomicWaker;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// Lines kept for a reader that is slower than the process, oldest dropped first.
pub const STDERR_MAX_LINES: usize = 256;

/// Bytes kept of one stderr line; the rest of a longer line is dropped and the
/// kept part ends with `…`.
pub const STDERR_MAX_LINE_LENGTH: usize = 8 * 1024;

/// The stderr of a server process spawned with [`Stderr::Capture`](crate::Stderr::Capture):
/// a [`Stream`] of its lines (without line endings, invalid UTF-8 replaced), ending
/// when the process closes stderr.
///
/// stderr is read as it comes whether or not this stream is polled, so a chatty
/// server never blocks on a full pipe. At most [`STDERR_MAX_LINES`] lines of at
/// most [`STDERR_MAX_LINE_LENGTH`] bytes wait here; past that the oldest are
/// dropped (see [`dropped`](Self::dropped)), so what is kept is the most recent
/// output, the part that tells why a server failed.
///
/// ```no_run
/// use futures::StreamExt;
/// use mcp_transport::{ChildProcess, Stderr};
///
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut transport = ChildProcess::builder("my-server").stderr(Stderr::Capture).spawn()?;
/// let mut stderr = transport.take_stderr().expect("captured");
/// tokio::spawn(async move {
///     while let Some(line) = stderr.next().await {
///         eprintln!("[server] {line}");
///     }
/// });
/// # Ok(()) }
/// ```
pub struct StderrLines {
    queue: Arc<Queue>,
}

struct Queue {
    lines: Mutex<VecDeque<String>>,
    waker: AtomicWaker,
    closed: AtomicBool,
    dropped: AtomicU64,
}

impl Queue {
    fn push(&self, line: String) {
        {
            let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
            if lines.len() >= STDERR_MAX_LINES {
                lines.pop_front();
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            lines.push_back(line);
        }
        self.waker.wake();
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.waker.wake();
    }

    fn pop(&self) -> Option<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }
}

impl StderrLines {
    /// How many lines were dropped so far because they were not read in time.
    pub fn dropped(&self) -> u64 {
        self.queue.dropped.load(Ordering::Relaxed)
    }
}

impl Stream for StderrLines {
    type Item = String;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<String>> {
        if let Some(line) = self.queue.pop() {
            return Poll::Ready(Some(line));
        }
        if self.queue.closed.load(Ordering::Acquire) {
            // A line may have been pushed just before closing.
            return Poll::Ready(self.queue.pop());
        }
        self.queue.waker.register(cx.waker());
        // Check again, in case a line came between the first check and registering.
        if let Some(line) = self.queue.pop() {
            return Poll::Ready(Some(line));
        }
        if self.queue.closed.load(Ordering::Acquire) {
            return Poll::Ready(self.queue.pop());
        }
        Poll::Pending
    }
}

impl fmt::Debug for StderrLines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StderrLines")
            .field("dropped", &self.dropped())
            .field("closed", &self.queue.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Starts reading `stderr` into a queue; returns its consuming end.
pub(super) fn capture(stderr: impl AsyncRead + Send + Unpin + 'static) -> StderrLines {
    let queue = Arc::new(Queue {
        lines: Mutex::new(VecDeque::new()),
        waker: AtomicWaker::new(),
        closed: AtomicBool::new(false),
        dropped: AtomicU64::new(0),
    });
    let producer = Arc::clone(&queue);
    tokio::spawn(async move {
        read_lines(stderr, |line| producer.push(line)).await;
        producer.close();
    });
    StderrLines { queue }
}

/// Reads lines of at most [`STDERR_MAX_LINE_LENGTH`] bytes until end of input or
/// an error.
async fn read_lines(stderr: impl AsyncRead + Unpin, mut each: impl FnMut(String)) {
    let mut reader = BufReader::with_capacity(8 * 1024, stderr);
    let mut line = Vec::new();
    let mut truncated = false;
    let emit = |line: &mut Vec<u8>, truncated: &mut bool, each: &mut dyn FnMut(String)| {
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let mut text = String::from_utf8_lossy(line).into_owned();
        if *truncated {
            text.push('…');
        }
        each(text);
        line.clear();
        *truncated = false;
    };
    loop {
        let available = match reader.fill_buf().await {
            Ok([]) | Err(_) => break,
            Ok(available) => available,
        };
        let (chunk, consumed, complete) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        let room = STDERR_MAX_LINE_LENGTH - line.len();
        if chunk.len() > room {
            truncated = true;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        reader.consume(consumed);
        if complete {
            emit(&mut line, &mut truncated, &mut each);
        }
    }
    if !line.is_empty() || truncated {
        emit(&mut line, &mut truncated, &mut each);
    }
}
