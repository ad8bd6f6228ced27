//! The bench-server tools served by rmcp 3.11, for `cargo xtask bench`.
//!
//! ```text
//! rmcp-bench-server stdio                     # rmcp::transport::stdio()
//! rmcp-bench-server stdio-pipes               # rmcp::transport::stdio_pipes()
//! rmcp-bench-server http <addr> stateful      # Streamable HTTP, sessions (2025-11-25)
//! rmcp-bench-server http <addr> stateless     # Streamable HTTP, no sessions, JSON responses
//! ```
//!
//! Tools: `echo(text) -> text` and `add(a, b) -> a + b` (as text). The HTTP
//! endpoint is `/mcp`.

use std::sync::Arc;

use axum::serve::ListenerExt;

use rmcp::{
    ServerHandler, ServiceExt,
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{ServerCapabilities, ServerConfig},
    schemars, tool, tool_handler, tool_router,
    transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    },
};

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct AddArgs {
    /// First addend.
    a: f64,
    /// Second addend.
    b: f64,
}

#[derive(Debug, Clone)]
struct BenchServer {
    tool_router: ToolRouter<Self>,
}

impl BenchServer {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }
}

#[tool_router]
impl BenchServer {
    #[tool(description = "Returns its text argument")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> String {
        text
    }

    #[tool(description = "Adds two numbers")]
    fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> String {
        (a + b).to_string()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for BenchServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

fn usage() -> ! {
    eprintln!("usage: rmcp-bench-server stdio | stdio-pipes | http <addr> stateful|stateless");
    std::process::exit(2);
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["stdio"] => {
            let service = BenchServer::new().serve(rmcp::transport::stdio()).await?;
            service.waiting().await?;
        }
        ["stdio-pipes"] => {
            let service = BenchServer::new()
                .serve(rmcp::transport::stdio_pipes())
                .await?;
            service.waiting().await?;
        }
        ["http", addr, mode @ ("stateful" | "stateless")] => {
            let stateful = *mode == "stateful";
            let config = StreamableHttpServerConfig::default()
                .with_sse_keep_alive(None)
                .with_legacy_session_mode(stateful)
                .with_json_response(!stateful);
            let service: StreamableHttpService<BenchServer, LocalSessionManager> =
                StreamableHttpService::new(
                    {
                        let prototype = BenchServer::new();
                        move || Ok(prototype.clone())
                    },
                    Arc::new(LocalSessionManager::default()),
                    config,
                );
            let router = axum::Router::new().nest_service("/mcp", service);
            // TCP_NODELAY, as axum documents: without it Nagle holds back the
            // last small SSE chunk of every stateful response until the
            // client's delayed ACK (~40 ms).
            let listener = tokio::net::TcpListener::bind(addr).await?.tap_io(|stream| {
                let _ = stream.set_nodelay(true);
            });
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
        _ => usage(),
    }
    Ok(())
}
