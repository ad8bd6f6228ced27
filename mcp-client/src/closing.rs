//! A transport whose reader the session can end from outside: the engine then
//! finishes what is in flight, flushes, and closes the writer (which, for a
//! child process, shuts the server down).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use mcp_lowlevel::CancellationToken;
use mcp_transport::{Inbound, Transport, TransportError};

/// `T`, with a reader that ends when `signal` is cancelled.
pub(crate) struct Closeable<T> {
    pub(crate) inner: T,
    pub(crate) signal: CancellationToken,
}

impl<T: Transport> Transport for Closeable<T> {
    type Reader = ClosingReader<T::Reader>;
    type Writer = T::Writer;

    fn split(self) -> (Self::Reader, Self::Writer) {
        let (reader, writer) = self.inner.split();
        let reader = ClosingReader {
            inner: reader,
            closed: Box::pin(self.signal.cancelled_owned()),
            done: false,
        };
        (reader, writer)
    }
}

/// A reader that ends early when the session closes.
pub(crate) struct ClosingReader<R> {
    inner: R,
    closed: Pin<Box<dyn Future<Output = ()> + Send>>,
    done: bool,
}

impl<R> Stream for ClosingReader<R>
where
    R: Stream<Item = Result<Inbound, TransportError>> + Unpin,
{
    type Item = Result<Inbound, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if self.closed.as_mut().poll(cx).is_ready() {
            self.done = true;
            return Poll::Ready(None);
        }
        Pin::new(&mut self.inner).poll_next(cx)
    }
}
