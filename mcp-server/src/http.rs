//! Serving over Streamable HTTP (feature `http`): the one-line runner, the
//! `tower::Service` to mount in axum, and the check of `Mcp-Param-*` headers
//! against the tools' `x-mcp-header` declarations.

use std::net::SocketAddr;
use std::sync::Arc;

use mcp_lowlevel::RunningServer;
use mcp_transport::http::{
    HeaderValidator, HttpServer, SessionHandler, SessionTransport, StreamableHttpConfig,
    StreamableHttpService, header_matches_value,
};
use mcp_types::{ErrorCode, ErrorObject, JsonRpcRequest};
use serde_json::Value;

use crate::McpServer;
use crate::registry::Core;

/// Serves each HTTP session (or stateless request) with a started server.
pub struct HttpHandler<S> {
    running: Arc<RunningServer<S>>,
}

impl<S> std::fmt::Debug for HttpHandler<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpHandler").finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> SessionHandler for HttpHandler<S> {
    fn serve(&self, transport: SessionTransport) -> impl Future<Output = ()> + Send + 'static {
        let running = self.running.clone();
        async move {
            if let Err(e) = running.serve(transport).await {
                tracing::debug!(error = %e, "HTTP session ended with an error");
            }
        }
    }
}

/// A started server mounted as a Streamable HTTP `tower::Service`.
#[derive(Debug)]
pub struct HttpService<S> {
    /// The service: mount it with `axum::Router::nest_service("/mcp", service)`.
    pub service: StreamableHttpService<HttpHandler<S>>,
    running: Arc<RunningServer<S>>,
}

impl<S: Send + Sync + 'static> HttpService<S> {
    /// Runs the lifespan teardown; call it when the HTTP server has stopped.
    pub async fn shutdown(&self) {
        self.running.shutdown().await;
    }
}

impl<S: Send + Sync + 'static> McpServer<S> {
    /// Starts the server (running its lifespan setup) as a Streamable HTTP
    /// service for both protocol eras, with the default configuration:
    /// DNS-rebinding protection for loopback, 4 MiB bodies, bounded sessions.
    pub async fn http_service(self) -> crate::Result<HttpService<S>> {
        self.http_service_with(StreamableHttpConfig::default())
            .await
    }

    /// [`McpServer::http_service`] with a configuration of your own.
    pub async fn http_service_with(
        self,
        config: StreamableHttpConfig,
    ) -> crate::Result<HttpService<S>> {
        let core = self.core.clone();
        let running = Arc::new(
            self.into_lowlevel()
                .start()
                .await
                .map_err(crate::Error::Lifespan)?,
        );
        let config = config.header_validator(param_header_validator(core));
        let service = StreamableHttpService::with_config(
            HttpHandler {
                running: running.clone(),
            },
            config,
        );
        Ok(HttpService { service, running })
    }

    /// Serves Streamable HTTP on `addr` at the path `/mcp` (and `/`), both
    /// protocol eras, until the process is stopped.
    pub async fn serve_http(self, addr: impl tokio::net::ToSocketAddrs) -> crate::Result<()> {
        let http = self.http_service().await?;
        let server = HttpServer::bind(addr).await?;
        let local: SocketAddr = server.local_addr();
        tracing::info!(%local, "serving MCP over Streamable HTTP at /mcp");
        let result = server.serve(http.service.clone()).await;
        http.shutdown().await;
        result.map_err(Into::into)
    }
}

/// Checks `Mcp-Param-<Name>` headers of a 2026-07-28 `tools/call` against the
/// arguments, for each parameter the tool declares with `x-mcp-header`.
fn param_header_validator<S: Send + Sync + 'static>(core: Arc<Core<S>>) -> HeaderValidator {
    Arc::new(move |parts, request: &JsonRpcRequest| {
        if request.method != "tools/call" {
            return Ok(());
        }
        let params: Value = request.params_as().unwrap_or_default();
        let Some(name) = params.get("name").and_then(Value::as_str) else {
            return Ok(());
        };
        let tools = core.tools.load();
        let Some(entry) = tools.get(name) else {
            return Ok(());
        };
        let schema = serde_json::to_value(&entry.tool.input_schema).unwrap_or_default();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Ok(());
        };
        for (property, declaration) in properties {
            let Some(header) = declaration.get("x-mcp-header").and_then(Value::as_str) else {
                continue;
            };
            let value = &params["arguments"][property];
            let received = parts.headers.get(format!("mcp-param-{header}"));
            let mismatch = |why: String| {
                Err(ErrorObject::new(
                    ErrorCode::HEADER_MISMATCH,
                    format!("Header mismatch: Mcp-Param-{header}: {why}"),
                ))
            };
            match (received, value) {
                (None, Value::Null) => {}
                (None, _) => return mismatch("missing, but the argument is present".into()),
                (Some(_), Value::Null) => {
                    return mismatch("present, but the argument is absent".into());
                }
                (Some(raw), value) => match header_matches_value(raw.as_bytes(), value) {
                    Ok(true) => {}
                    Ok(false) => return mismatch("does not match the argument".into()),
                    Err(e) => return mismatch(e.to_string()),
                },
            }
        }
        Ok(())
    })
}
