//! The echo server: the same text back as a tool, a resource and a prompt.

use mcp_server::McpServer;

/// Echo a message back.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Message {
    /// The text to echo.
    message: String,
}

#[tokio::main]
async fn main() -> mcp_server::Result<()> {
    McpServer::new("Echo")
        .tool("echo", |m: Message| format!("Tool echo: {}", m.message))
        .resource_template("echo://{message}", |message: String| {
            format!("Resource echo: {message}")
        })
        .prompt("echo", |m: Message| {
            format!("Please process this message: {}", m.message)
        })
        .run()
        .await
}
