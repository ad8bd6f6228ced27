//! The main demo: a client spawns the quickstart server as a child process
//! and talks to it over stdio, in the newest protocol revision the two share.
//!
//! `cargo run --example demo` runs both halves: the program spawns itself
//! with `--serve` to be the server.

use mcp_client::ClientSession;
use mcp_server::McpServer;

/// Add two numbers
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Add {
    a: i64,
    b: i64,
}

fn quickstart() -> McpServer {
    McpServer::new("Demo")
        .tool("add", |Add { a, b }: Add| a + b)
        .resource_template("greeting://{name}", |name: String| {
            format!("Hello, {name}!")
        })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--serve") {
        quickstart().serve_stdio().await?;
        return Ok(());
    }
    let me = std::env::current_exe()?;
    let session = ClientSession::spawn(me, ["--serve"]).await?;
    let info = session.server_info();
    println!(
        "connected to {} over stdio, protocol {}",
        info.map(|i| i.name).unwrap_or_default(),
        session.protocol_version()
    );
    for tool in session.list_all_tools().await? {
        println!(
            "tool {}: {}",
            tool.name,
            tool.description.unwrap_or_default()
        );
    }
    let sum = session
        .call_tool("add", serde_json::json!({"a": 2, "b": 3}))
        .await?;
    println!("add(2, 3) = {}", text_of(&sum.content));
    let greeting = session.read_resource("greeting://World").await?;
    let contents = serde_json::to_value(&greeting.contents)?;
    println!(
        "greeting://World = {}",
        contents[0]["text"].as_str().unwrap_or_default()
    );
    let bad = session
        .call_tool("add", serde_json::json!({"a": 2, "b": "three"}))
        .await?;
    println!(
        "add(2, \"three\") is an error result: {}",
        text_of(&bad.content)
    );
    session.close().await?;
    Ok(())
}

fn text_of(content: &[mcp_server::types::ContentBlock]) -> String {
    serde_json::to_value(content)
        .ok()
        .and_then(|v| v[0]["text"].as_str().map(str::to_owned))
        .unwrap_or_default()
}
