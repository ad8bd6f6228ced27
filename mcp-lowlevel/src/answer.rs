//! One message answered on its own, without a connection: what a 2026-07-28
//! HTTP `POST` needs, since it carries exactly one request or notification.
//!
//! A [`Connection`](crate::Connection) reads a transport, keeps a table of
//! requests in flight and a writer; for a single message all of that is
//! overhead. [`answer`] runs the message through the service directly and
//! hands back a stream of what the server sends about it.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::{FutureExt, Stream};
use mcp_transport::Inbound;
use mcp_types::{ErrorCode, ErrorObject, JsonRpcMessage};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::connection::{answer_request, handle_notification};
use crate::peer::{Peer, PeerConfig};
use crate::service::{Incoming, IncomingMessage, McpService};

/// What the server sends about one message, as [`answer`] returns it: the
/// notifications its handler sends (progress, logs) in order, then, for a
/// request, the response; then the stream ends.
///
/// Dropping it before the end cancels the request: its cancellation token
/// fires and the handler's future is dropped.
#[must_use = "the message is handled only while the stream is polled"]
pub struct AnswerStream {
    peer: Peer,
    outbound: mpsc::Receiver<Box<mcp_transport::Outbound>>,
    handler: Option<BoxFuture<'static, Option<JsonRpcMessage>>>,
    reply: Option<JsonRpcMessage>,
    cancellation: CancellationToken,
}

impl std::fmt::Debug for AnswerStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerStream")
            .field("running", &self.handler.is_some())
            .finish_non_exhaustive()
    }
}

/// Answers one message with `service`, as a one-message connection would, but
/// with no engine, channel or task of its own: the handler runs while the
/// returned stream is polled.
///
/// The handler's peer can send notifications, which the stream yields. It
/// cannot send requests (a 2026-07-28 server asks the client for input with
/// an `input_required` result instead): such a request fails at once with
/// `-32601`. Responses and errors in `inbound` answer nothing here, so the
/// stream ends at once for them.
///
/// # Example
///
/// ```
/// use futures::StreamExt;
/// use mcp_lowlevel::{PeerConfig, Server, answer};
/// use mcp_transport::Inbound;
/// use mcp_types::{Implementation, JsonRpcMessage};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let running = Server::new(Implementation::new("s", "1")).start().await.unwrap();
/// let ping: JsonRpcMessage = serde_json::from_str(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap();
/// let mut answers = answer(running.service(), Inbound::from(ping), PeerConfig::default());
/// let response = answers.next().await.unwrap();
/// assert!(matches!(response, JsonRpcMessage::Response(_)));
/// assert!(answers.next().await.is_none());
/// # }
/// ```
pub fn answer<S: McpService>(service: S, inbound: Inbound, config: PeerConfig) -> AnswerStream {
    let (peer, outbound) = Peer::new(config);
    let cancellation = CancellationToken::new();
    let Inbound {
        message,
        extensions,
    } = inbound;
    let handler: Option<BoxFuture<'static, Option<JsonRpcMessage>>> = match message {
        JsonRpcMessage::Request(request) => {
            let id = request.id.clone();
            let incoming = Incoming {
                peer: peer.related_to(id.clone()),
                message: IncomingMessage::Request(request),
                cancellation: cancellation.clone(),
                extensions,
            };
            Some(answer_request(service, incoming, id, cancellation.clone()).boxed())
        }
        JsonRpcMessage::Notification(notification) => {
            let incoming = Incoming {
                peer: peer.clone(),
                message: IncomingMessage::Notification(notification),
                cancellation: cancellation.clone(),
                extensions,
            };
            Some(
                handle_notification(service, incoming)
                    .map(|()| None)
                    .boxed(),
            )
        }
        JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_) => {
            tracing::debug!("a response answers no request of a one-message exchange");
            None
        }
    };
    AnswerStream {
        peer,
        outbound,
        handler,
        reply: None,
        cancellation,
    }
}

impl AnswerStream {
    /// The next message the handler queued, failing its requests at once.
    /// The next message the server queued, without waiting (and without
    /// leaving a waker behind: dropping the stream's last sender would wake
    /// it, and a task woken while it runs is sent to the back of the queue,
    /// with another worker thread woken to steal it).
    fn next_queued(&mut self) -> Option<JsonRpcMessage> {
        while let Ok(out) = self.outbound.try_recv() {
            if let Some(message) = self.refuse_requests(out.message) {
                return Some(message);
            }
        }
        None
    }

    /// The next message the server queues, waking `cx` when one comes (from
    /// a task the handler started, say).
    fn poll_queued(&mut self, cx: &mut Context<'_>) -> Poll<Option<JsonRpcMessage>> {
        while let Poll::Ready(Some(out)) = self.outbound.poll_recv(cx) {
            if let Some(message) = self.refuse_requests(out.message) {
                return Poll::Ready(Some(message));
            }
        }
        Poll::Pending
    }

    /// A request to the client fails at once: there is no stream for its
    /// answer to come back on. Anything else passes.
    fn refuse_requests(&self, message: JsonRpcMessage) -> Option<JsonRpcMessage> {
        let JsonRpcMessage::Request(r) = message else {
            return Some(message);
        };
        tracing::debug!(method = %r.method, "a one-message exchange carries no server-to-client requests");
        let error = ErrorObject::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!(
                "`{}` cannot be sent here: a 2026-07-28 server asks for input with an `input_required` result",
                r.method
            ),
        );
        self.peer.resolve(&r.id, Err(error));
        None
    }
}

impl Stream for AnswerStream {
    type Item = JsonRpcMessage;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(message) = this.next_queued() {
            return Poll::Ready(Some(message));
        }
        if let Some(handler) = &mut this.handler {
            let Poll::Ready(reply) = handler.as_mut().poll(cx) else {
                // The handler waits: so does the stream, for it or for a
                // message from elsewhere.
                return this.poll_queued(cx);
            };
            this.handler = None;
            this.reply = reply;
            this.peer.close("the request was answered");
            // What the handler queued just before it finished goes first.
            if let Some(message) = this.next_queued() {
                return Poll::Ready(Some(message));
            }
        }
        Poll::Ready(this.reply.take())
    }
}

impl Drop for AnswerStream {
    fn drop(&mut self) {
        if self.handler.is_some() {
            tracing::debug!("the answer was dropped: cancelling the request");
            self.cancellation.cancel();
            self.peer.close("the request was cancelled");
        }
    }
}
