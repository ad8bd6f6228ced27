//! The halves of a [`ChildTransport`](super::ChildTransport): messages from the
//! server's stdout, messages to its stdin.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::{Sink, Stream};
use tokio::io::AsyncWrite;
use tokio::process::ChildStdout;
use tokio::sync::oneshot;
use tokio::time::Sleep;

use super::process::{ChildProcess, Exit, Shared, describe_exit};
use crate::{Inbound, LineReader, LineWriter, Outbound, TransportError};

/// How long the reader waits, after the server closed its stdout, for the
/// process to exit so that it can say how.
const EXIT_AFTER_EOF: Duration = Duration::from_millis(500);

/// How long the reader keeps reading after the process exited while its stdout
/// stays open (held by a process it started), so nothing it wrote is lost.
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(100);

/// The receiving half of a [`ChildTransport`](super::ChildTransport): messages
/// the server writes to its stdout, framed as by [`LineReader`].
///
/// When the server exits, or closes its stdout, the reader yields the messages
/// already written and then one [`TransportError::Closed`] that says so (for
/// example `server process 4242 exited with status 1`), and ends; this holds
/// even when a process the server started keeps its stdout open.
pub struct ChildReader {
    pub(super) lines: LineReader<ChildStdout>,
    pub(super) pid: u32,
    pub(super) exit: Option<oneshot::Receiver<Exit>>,
    pub(super) exited: Option<String>,
    pub(super) eof_wait: Option<Pin<Box<Sleep>>>,
    pub(super) drain_wait: Option<Pin<Box<Sleep>>>,
    pub(super) done: bool,
}

impl ChildReader {
    /// Learns, without waiting, whether the process has exited.
    fn poll_exit(&mut self, cx: &mut Context<'_>) {
        if self.exited.is_some() {
            return;
        }
        let Some(rx) = &mut self.exit else { return };
        match Pin::new(rx).poll(cx) {
            Poll::Ready(Ok(exit)) => {
                self.exited = Some(describe_exit(self.pid, &exit));
                self.exit = None;
            }
            Poll::Ready(Err(_)) => {
                // The supervisor is gone: the runtime is shutting down.
                self.exited = Some(format!("server process {} was killed", self.pid));
                self.exit = None;
            }
            Poll::Pending => {}
        }
    }

    fn finish(&mut self, why: String) -> Poll<Option<Result<Inbound, TransportError>>> {
        self.done = true;
        Poll::Ready(Some(Err(TransportError::Closed(why))))
    }
}

impl Stream for ChildReader {
    type Item = Result<Inbound, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        this.poll_exit(cx);
        match Pin::new(&mut this.lines).poll_next(cx) {
            Poll::Ready(Some(Err(e))) if !e.is_recoverable() => {
                this.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(Some(item)) => Poll::Ready(Some(item)),
            Poll::Ready(None) => {
                if let Some(why) = this.exited.take() {
                    return this.finish(why);
                }
                // End of stdout: give the exit status a moment to arrive.
                let wait = this
                    .eof_wait
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(EXIT_AFTER_EOF)));
                ready!(wait.as_mut().poll(cx));
                let why = format!("server process {} closed its stdout", this.pid);
                this.finish(why)
            }
            Poll::Pending => {
                if this.exited.is_none() {
                    return Poll::Pending;
                }
                // The process is gone but its stdout is still open: read what
                // is left for a moment, then stop.
                let wait = this
                    .drain_wait
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(DRAIN_AFTER_EXIT)));
                ready!(wait.as_mut().poll(cx));
                let why = this.exited.take().unwrap_or_default();
                this.finish(why)
            }
        }
    }
}

impl fmt::Debug for ChildReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildReader")
            .field("pid", &self.pid)
            .field("lines", &self.lines)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// The child's stdin as the writer sees it: shared with the supervisor, which
/// closes it at shutdown even while the writer lives.
pub(super) struct StdinPipe {
    pub(super) shared: Arc<Shared>,
}

impl StdinPipe {
    fn poll_with<T>(
        &self,
        f: impl FnOnce(Pin<&mut tokio::process::ChildStdin>) -> Poll<io::Result<T>>,
        closed: impl FnOnce() -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        let mut stdin = self
            .shared
            .stdin
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match stdin.as_mut() {
            Some(stdin) => f(Pin::new(stdin)),
            None => Poll::Ready(closed()),
        }
    }
}

fn stdin_closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the server's stdin is closed")
}

impl AsyncWrite for StdinPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_with(|s| s.poll_write(cx, buf), || Err(stdin_closed()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_with(|s| s.poll_flush(cx), || Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Closing the pipe is how the server learns that no more input comes.
        drop(self.shared.take_stdin());
        Poll::Ready(Ok(()))
    }
}

/// The sending half of a [`ChildTransport`](super::ChildTransport): messages to
/// the server's stdin, framed as by [`LineWriter`].
///
/// Closing it ([`close`](futures::SinkExt::close)) writes and flushes everything
/// buffered, closes the server's stdin and starts the shutdown described at
/// [`ChildProcess`]; dropping it starts the same shutdown (dropping what was not
/// flushed). Once the server is gone, sending fails with
/// [`TransportError::Closed`] saying how it ended.
pub struct ChildWriter {
    pub(super) lines: LineWriter<StdinPipe>,
    pub(super) process: ChildProcess,
}

impl ChildWriter {
    /// Turns "broken pipe" into a sentence about the server.
    fn explain(&self, e: TransportError) -> TransportError {
        match e {
            TransportError::Io(io) if io.kind() == io::ErrorKind::BrokenPipe => {
                TransportError::Closed(self.process.describe_exit().unwrap_or_else(|| {
                    format!(
                        "server process {} stopped reading its stdin",
                        self.process.pid()
                    )
                }))
            }
            e => e,
        }
    }
}

impl Sink<Outbound> for ChildWriter {
    type Error = TransportError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let r = ready!(Pin::new(&mut self.lines).poll_ready(cx));
        Poll::Ready(r.map_err(|e| self.explain(e)))
    }

    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> Result<(), Self::Error> {
        Pin::new(&mut self.lines).start_send(item)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let r = ready!(Pin::new(&mut self.lines).poll_flush(cx));
        Poll::Ready(r.map_err(|e| self.explain(e)))
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let r = ready!(Pin::new(&mut self.lines).poll_close(cx));
        self.process.start_shutdown();
        Poll::Ready(r.map_err(|e| self.explain(e)))
    }
}

impl Drop for ChildWriter {
    fn drop(&mut self) {
        self.process.start_shutdown();
    }
}

impl fmt::Debug for ChildWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildWriter")
            .field("pid", &self.process.pid())
            .field("lines", &self.lines)
            .finish()
    }
}
