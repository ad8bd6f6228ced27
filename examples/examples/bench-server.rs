//! The benchmark server: `echo(text)` and `add(a, b)`, on stdio or HTTP.
//!
//! ```text
//! bench-server stdio
//! bench-server http 127.0.0.1:8080 stateful    # sessions, SSE responses
//! bench-server http 127.0.0.1:8080 stateless   # JSON responses
//! ```

use mcp_server::McpServer;
use mcp_transport::http::{HttpServer, StreamableHttpConfig};

/// Echo the text back.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Echo {
    text: String,
}

/// Add two numbers.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Add {
    a: f64,
    b: f64,
}

fn server() -> McpServer {
    McpServer::new("bench-server")
        .tool("echo", |Echo { text }: Echo| text)
        .tool("add", |Add { a, b }: Add| a + b)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // stdio is one connection: a single-threaded runtime avoids cross-thread
    // wake-ups; HTTP spreads connections over the cores.
    let runtime = if args.first().map(String::as_str) == Some("http") {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    };
    runtime.block_on(run(args))
}

async fn run(args: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    match args.first().map(String::as_str) {
        Some("stdio") | None => server().serve_stdio().await?,
        Some("http") => {
            let addr = args
                .get(1)
                .ok_or("usage: bench-server http <addr> stateful|stateless")?;
            let json = match args.get(2).map(String::as_str) {
                Some("stateless") => true,
                Some("stateful") | None => false,
                Some(other) => return Err(format!("unknown mode `{other}`").into()),
            };
            let config = StreamableHttpConfig::default()
                .json_response(json)
                .dns_rebinding_protection(false)
                .max_sessions(100_000);
            let http = server().http_service_with(config).await?;
            HttpServer::bind(addr.as_str())
                .await?
                .serve(http.service.clone())
                .await?;
        }
        Some(other) => return Err(format!("unknown mode `{other}`").into()),
    }
    Ok(())
}
