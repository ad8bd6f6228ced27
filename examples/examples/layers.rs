//! Tower layers around a server: a timeout for every request and a
//! hand-written logging layer, stacked with `ServiceBuilder`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use mcp_lowlevel::Incoming;
use mcp_server::McpServer;
use tower::{Layer, Service, ServiceBuilder};

/// Logs each message's method and how long it took, to stderr.
#[derive(Clone, Debug)]
struct LogLayer;

impl<S> Layer<S> for LogLayer {
    type Service = Log<S>;
    fn layer(&self, inner: S) -> Log<S> {
        Log { inner }
    }
}

/// The service [`LogLayer`] produces.
#[derive(Clone, Debug)]
struct Log<S> {
    inner: S,
}

impl<S> Service<Incoming> for Log<S>
where
    S: Service<Incoming>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Incoming) -> Self::Future {
        let method = req.method().to_owned();
        let start = Instant::now();
        let future = self.inner.call(req);
        Box::pin(async move {
            let result = future.await;
            eprintln!("{method} took {:?}", start.elapsed());
            result
        })
    }
}

/// Sleep for a number of milliseconds.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Sleep {
    ms: u64,
}

#[tokio::main]
async fn main() -> Result<(), mcp_lowlevel::BoxError> {
    let server = McpServer::new("layers")
        .tool("sleep", |Sleep { ms }: Sleep| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            format!("slept {ms} ms")
        })
        .into_lowlevel()
        .start()
        .await?;
    let layers = ServiceBuilder::new()
        .layer(LogLayer)
        .layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(1)));
    server.serve_with(mcp_transport::stdio(), layers).await?;
    server.shutdown().await;
    Ok(())
}
