//! [`HttpServer`]: a small runner serving any tower service over HTTP/1.1 and
//! HTTP/2 with hyper, and [`serve_http`], the one-line way to serve MCP.

use std::convert::Infallible;
use std::future::{Future, pending};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, ToSocketAddrs};

use super::handler::SessionHandler;
use super::service::StreamableHttpService;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A bound TCP listener that serves a tower service with hyper (HTTP/1.1 and
/// HTTP/2, `TCP_NODELAY` on every connection).
///
/// ```no_run
/// use mcp_transport::http::{HttpServer, SessionTransport, StreamableHttpService};
///
/// # async fn f() -> std::io::Result<()> {
/// let server = HttpServer::bind("127.0.0.1:0").await?;
/// println!("listening on http://{}/", server.local_addr());
/// let service = StreamableHttpService::new(|t: SessionTransport| async move { drop(t) });
/// server
///     .serve_with_shutdown(service, async { let _ = tokio::signal::ctrl_c().await; })
///     .await
/// # }
/// ```
#[derive(Debug)]
pub struct HttpServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    shutdown_timeout: Duration,
}

impl HttpServer {
    /// Binds a listener; port 0 picks a free port (see [`local_addr`](Self::local_addr)).
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<Self> {
        Self::from_listener(TcpListener::bind(addr).await?)
    }

    /// Serves on a listener bound elsewhere.
    pub fn from_listener(listener: TcpListener) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        Ok(HttpServer {
            listener,
            local_addr,
            shutdown_timeout: Duration::from_secs(10),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// How long a graceful shutdown waits for open connections (long SSE
    /// streams, say) before it returns anyway. Default: 10 s.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Serves `service` until the process ends.
    pub async fn serve<S, B>(self, service: S) -> io::Result<()>
    where
        S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        self.serve_with_shutdown(service, pending()).await
    }

    /// Serves `service` until `signal` resolves, then stops accepting, lets
    /// open connections finish (up to the shutdown timeout) and returns.
    pub async fn serve_with_shutdown<S, B, F>(self, service: S, signal: F) -> io::Result<()>
    where
        S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
        F: Future<Output = ()> + Send,
    {
        let builder = auto::Builder::new(TokioExecutor::new());
        let graceful = GracefulShutdown::new();
        tokio::pin!(signal);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        if let Err(e) = stream.set_nodelay(true) {
                            tracing::debug!(error = %e, "could not set TCP_NODELAY");
                        }
                        let service = TowerToHyperService::new(service.clone());
                        let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                        let conn = graceful.watch(conn);
                        tokio::spawn(async move {
                            if let Err(e) = conn.await {
                                tracing::debug!(error = %e, "HTTP connection ended with an error");
                            }
                        });
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: wait, then go on.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut signal => break,
            }
        }
        drop(self.listener);
        if tokio::time::timeout(self.shutdown_timeout, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::debug!("shutdown timeout: connections still open");
        }
        Ok(())
    }
}

/// Serves MCP over Streamable HTTP on `addr` with the default options until
/// the process ends: the one-line server. Every path is the MCP endpoint;
/// mount [`StreamableHttpService`] in a router to choose one. Use [`HttpServer`] to learn the
/// bound port or to stop gracefully, and [`StreamableHttpService::with_config`]
/// for options.
///
/// ```no_run
/// use mcp_transport::http::{SessionTransport, serve_http};
///
/// # async fn f() -> std::io::Result<()> {
/// serve_http("127.0.0.1:8000", |transport: SessionTransport| async move {
///     // Run the protocol engine on `transport` here.
///     drop(transport);
/// })
/// .await
/// # }
/// ```
pub async fn serve_http<H: SessionHandler>(addr: impl ToSocketAddrs, handler: H) -> io::Result<()> {
    HttpServer::bind(addr)
        .await?
        .serve(StreamableHttpService::new(handler))
        .await
}
