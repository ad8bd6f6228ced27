//! The quickstart server of the README: an `add` tool and a greeting resource
//! template, served on stdio (or Streamable HTTP with `--port N`).

use mcp_server::McpServer;

/// Add two numbers
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Add {
    a: i64,
    b: i64,
}

#[tokio::main]
async fn main() -> mcp_server::Result<()> {
    McpServer::new("Demo")
        .tool("add", |Add { a, b }: Add| a + b)
        .resource_template("greeting://{name}", |name: String| {
            format!("Hello, {name}!")
        })
        .run()
        .await
}
