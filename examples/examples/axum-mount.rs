//! A Streamable HTTP MCP server mounted in an axum app, next to ordinary
//! routes, with `tower_http::trace::TraceLayer` around everything.
//!
//! `axum-mount [ADDR]` (default `127.0.0.1:3000`): MCP at `/mcp`, a health
//! check at `/health`.

use axum::Router;
use axum::routing::get;
use mcp_server::McpServer;
use tower_http::trace::TraceLayer;

/// Say hello to someone.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Hello {
    name: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let mcp = McpServer::new("axum-mounted")
        .tool("hello", |Hello { name }: Hello| format!("Hello, {name}!"))
        .http_service()
        .await?;
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .nest_service("/mcp", mcp.service.clone())
        .layer(TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}/mcp", listener.local_addr()?);
    axum::serve(listener, app).await?;
    mcp.shutdown().await;
    Ok(())
}
