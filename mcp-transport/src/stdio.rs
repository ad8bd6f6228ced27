//! The stdio server transport: MCP messages on the process's own stdin and stdout.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::LineTransport;

/// The transport [`stdio()`] returns.
pub type StdioTransport = LineTransport<Stdin, Stdout>;

/// Serves MCP on this process's stdin and stdout, as a server launched by a
/// client does: newline-delimited JSON-RPC, one message per line.
///
/// When stdin and stdout are pipes or FIFOs (as when a client spawns the
/// server) or Unix sockets (as some clients' process launchers use), they are
/// read and written through Tokio's reactor, with no thread hop per message:
/// the transport works on duplicates of file descriptors 0 and 1, set to
/// non-blocking mode, and puts them back in blocking mode when dropped.
/// Otherwise (a terminal, a regular file, or on a platform without this path)
/// it falls back to [`tokio::io::stdin`] and [`tokio::io::stdout`], which do
/// blocking I/O on Tokio's blocking thread pool.
///
/// The reader ends at end of stdin; the engine then finishes the requests in
/// flight and closes the writer, which returns only once everything it was
/// given is written and flushed.
///
/// **stdout belongs to the protocol.** Nothing else may write to it: no
/// `println!`, and no logs. Send logs to stderr (with `tracing`, for example
/// `tracing_subscriber::fmt().with_writer(std::io::stderr)`); MCP clients show
/// or record stderr and do not treat it as an error. While the transport lives,
/// stdout may be in non-blocking mode, in which case a stray `println!` could
/// even fail with `WouldBlock` and panic.
///
/// # Panics
///
/// Outside a Tokio runtime with I/O enabled.
///
/// # Example
///
/// ```no_run
/// use mcp_transport::Transport;
///
/// # #[tokio::main] async fn main() {
/// let (reader, writer) = mcp_transport::stdio().split();
/// // Hand the halves (or the transport itself) to the protocol engine.
/// # drop((reader, writer));
/// # }
/// ```
pub fn stdio() -> StdioTransport {
    LineTransport::new(Stdin::new(), Stdout::new())
}

/// The process's stdin, as the reading side of [`stdio()`].
pub struct Stdin {
    kind: StdinKind,
}

/// The process's stdout, as the writing side of [`stdio()`].
pub struct Stdout {
    kind: StdoutKind,
}

enum StdinKind {
    #[cfg(unix)]
    Pipe(tokio::net::unix::pipe::Receiver),
    #[cfg(unix)]
    Socket(tokio::net::UnixStream),
    Std(tokio::io::Stdin),
    /// Only while being dropped.
    Gone,
}

enum StdoutKind {
    #[cfg(unix)]
    Pipe(tokio::net::unix::pipe::Sender),
    #[cfg(unix)]
    Socket(tokio::net::UnixStream),
    Std(tokio::io::Stdout),
    /// Only while being dropped.
    Gone,
}

impl Stdin {
    fn new() -> Self {
        #[cfg(unix)]
        {
            match unix::open(io::stdin()) {
                Ok(Some(unix::Fd::Pipe(fd))) => {
                    match tokio::net::unix::pipe::Receiver::from_owned_fd(fd) {
                        Ok(pipe) => {
                            tracing::debug!("stdio: reading stdin as a pipe");
                            return Stdin {
                                kind: StdinKind::Pipe(pipe),
                            };
                        }
                        Err(e) => tracing::debug!("stdio: stdin pipe not usable: {e}"),
                    }
                }
                Ok(Some(unix::Fd::Socket(socket))) => match unix::socket(socket) {
                    Ok(socket) => {
                        tracing::debug!("stdio: reading stdin as a Unix socket");
                        return Stdin {
                            kind: StdinKind::Socket(socket),
                        };
                    }
                    Err(e) => tracing::debug!("stdio: stdin socket not usable: {e}"),
                },
                Ok(None) => {}
                Err(e) => tracing::debug!("stdio: cannot inspect stdin: {e}"),
            }
        }
        tracing::debug!("stdio: reading stdin on the blocking thread pool");
        Stdin {
            kind: StdinKind::Std(tokio::io::stdin()),
        }
    }
}

impl Stdout {
    fn new() -> Self {
        #[cfg(unix)]
        {
            match unix::open(io::stdout()) {
                Ok(Some(unix::Fd::Pipe(fd))) => {
                    match tokio::net::unix::pipe::Sender::from_owned_fd(fd) {
                        Ok(pipe) => {
                            tracing::debug!("stdio: writing stdout as a pipe");
                            return Stdout {
                                kind: StdoutKind::Pipe(pipe),
                            };
                        }
                        Err(e) => tracing::debug!("stdio: stdout pipe not usable: {e}"),
                    }
                }
                Ok(Some(unix::Fd::Socket(socket))) => match unix::socket(socket) {
                    Ok(socket) => {
                        tracing::debug!("stdio: writing stdout as a Unix socket");
                        return Stdout {
                            kind: StdoutKind::Socket(socket),
                        };
                    }
                    Err(e) => tracing::debug!("stdio: stdout socket not usable: {e}"),
                },
                Ok(None) => {}
                Err(e) => tracing::debug!("stdio: cannot inspect stdout: {e}"),
            }
        }
        tracing::debug!("stdio: writing stdout on the blocking thread pool");
        Stdout {
            kind: StdoutKind::Std(tokio::io::stdout()),
        }
    }
}

#[cfg(unix)]
mod unix {
    //! Telling pipes and sockets from other file descriptors, without `unsafe`.

    use std::fs::File;
    use std::io;
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::FileTypeExt;
    use std::os::unix::net::UnixStream;

    pub(super) enum Fd {
        Pipe(OwnedFd),
        Socket(UnixStream),
    }

    /// A duplicate of `stdio`'s descriptor when it is a pipe or a Unix socket.
    pub(super) fn open(stdio: impl AsFd) -> io::Result<Option<Fd>> {
        let file = File::from(stdio.as_fd().try_clone_to_owned()?);
        let kind = file.metadata()?.file_type();
        if kind.is_fifo() {
            Ok(Some(Fd::Pipe(OwnedFd::from(file))))
        } else if kind.is_socket() {
            let socket = UnixStream::from(OwnedFd::from(file));
            // Only a Unix socket has a Unix address; others keep the fallback.
            Ok(socket.local_addr().is_ok().then_some(Fd::Socket(socket)))
        } else {
            Ok(None)
        }
    }

    pub(super) fn socket(socket: UnixStream) -> io::Result<tokio::net::UnixStream> {
        socket.set_nonblocking(true)?;
        tokio::net::UnixStream::from_std(socket)
    }

    /// Puts a descriptor shared with the process's own stdio back in blocking
    /// mode, as the rest of the process expects it.
    pub(super) fn restore_pipe_rx(pipe: tokio::net::unix::pipe::Receiver) {
        let _ = pipe.into_blocking_fd();
    }

    pub(super) fn restore_pipe_tx(pipe: tokio::net::unix::pipe::Sender) {
        let _ = pipe.into_blocking_fd();
    }

    pub(super) fn restore_socket(socket: tokio::net::UnixStream) {
        if let Ok(socket) = socket.into_std() {
            let _ = socket.set_nonblocking(false);
        }
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.kind {
            #[cfg(unix)]
            StdinKind::Pipe(p) => Pin::new(p).poll_read(cx, buf),
            #[cfg(unix)]
            StdinKind::Socket(s) => Pin::new(s).poll_read(cx, buf),
            StdinKind::Std(s) => Pin::new(s).poll_read(cx, buf),
            StdinKind::Gone => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for Stdout {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.kind {
            #[cfg(unix)]
            StdoutKind::Pipe(p) => Pin::new(p).poll_write(cx, buf),
            #[cfg(unix)]
            StdoutKind::Socket(s) => Pin::new(s).poll_write(cx, buf),
            StdoutKind::Std(s) => Pin::new(s).poll_write(cx, buf),
            StdoutKind::Gone => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.kind {
            #[cfg(unix)]
            StdoutKind::Pipe(p) => Pin::new(p).poll_flush(cx),
            #[cfg(unix)]
            StdoutKind::Socket(s) => Pin::new(s).poll_flush(cx),
            StdoutKind::Std(s) => Pin::new(s).poll_flush(cx),
            StdoutKind::Gone => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.kind {
            // Dropping our duplicate would not close fd 1, so the peer sees end
            // of input when the process exits; flushing is all there is to do.
            #[cfg(unix)]
            StdoutKind::Pipe(p) => Pin::new(p).poll_flush(cx),
            // A socket can say "no more" while the process lives.
            #[cfg(unix)]
            StdoutKind::Socket(s) => Pin::new(s).poll_shutdown(cx),
            StdoutKind::Std(s) => Pin::new(s).poll_shutdown(cx),
            StdoutKind::Gone => Poll::Ready(Ok(())),
        }
    }
}

impl Drop for Stdin {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.kind, StdinKind::Gone) {
            #[cfg(unix)]
            StdinKind::Pipe(p) => unix::restore_pipe_rx(p),
            #[cfg(unix)]
            StdinKind::Socket(s) => unix::restore_socket(s),
            StdinKind::Std(_) | StdinKind::Gone => {}
        }
    }
}

impl Drop for Stdout {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.kind, StdoutKind::Gone) {
            #[cfg(unix)]
            StdoutKind::Pipe(p) => unix::restore_pipe_tx(p),
            #[cfg(unix)]
            StdoutKind::Socket(s) => unix::restore_socket(s),
            StdoutKind::Std(_) | StdoutKind::Gone => {}
        }
    }
}

impl StdinKind {
    fn name(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            StdinKind::Pipe(_) => "pipe",
            #[cfg(unix)]
            StdinKind::Socket(_) => "socket",
            StdinKind::Std(_) => "blocking",
            StdinKind::Gone => "gone",
        }
    }
}

impl StdoutKind {
    fn name(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            StdoutKind::Pipe(_) => "pipe",
            #[cfg(unix)]
            StdoutKind::Socket(_) => "socket",
            StdoutKind::Std(_) => "blocking",
            StdoutKind::Gone => "gone",
        }
    }
}

impl fmt::Debug for Stdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stdin")
            .field("kind", &self.kind.name())
            .finish()
    }
}

impl fmt::Debug for Stdout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stdout")
            .field("kind", &self.kind.name())
            .finish()
    }
}
