//! Spawns an MCP server as a child process and walks through what a client
//! does: list and get prompts, list and read resources, list and call tools,
//! answering the server's sampling requests with a callback.
//!
//! ```text
//! cargo build -p mcp-client --example test_server
//! cargo run -p mcp-client --example spawn_client [-- <server command> [args...]]
//! ```
//!
//! Without a command it runs the `test_server` example next to this binary.

use std::path::PathBuf;

use mcp_client::{ClientSession, sampled_text};
use mcp_transport::{ChildProcess, Stderr};
use serde_json::json;

/// The server to run: the command line given, or the `test_server` example.
fn server_command() -> (PathBuf, Vec<String>) {
    let mut args = std::env::args().skip(1);
    if let Some(command) = args.next() {
        return (command.into(), args.collect());
    }
    let exe = std::env::current_exe().expect("the example's own path");
    let sibling = exe.with_file_name(format!("test_server{}", std::env::consts::EXE_SUFFIX));
    (sibling, Vec::new())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (command, args) = server_command();
    let session = ClientSession::builder()
        .sampling(|request| async move {
            // A real client would ask a model (after asking the user).
            let asked = request.messages.len();
            Ok(sampled_text("example-model", format!("an answer to {asked} message(s)")))
        })
        .on_logging(|log| eprintln!("[server log] {:?}: {}", log.level, log.data))
        .spawn_with(ChildProcess::builder(&command).args(&args).stderr(Stderr::Inherit))
        .await
        .map_err(|e| format!("could not start {}: {e} (build it with `cargo build -p mcp-client --example test_server`)", command.display()))?;
    let server = session
        .server_info()
        .map(|i| format!("{} {}", i.name, i.version))
        .unwrap_or_default();
    println!(
        "connected to {server} speaking {}",
        session.protocol_version()
    );

    for prompt in session.list_all_prompts().await? {
        println!("prompt: {}", prompt.name);
    }
    let prompt = session
        .get_prompt("greeting", json!({"name": "Ada"}))
        .await?;
    println!(
        "greeting prompt: {}",
        serde_json::to_string(&prompt.messages)?
    );

    for resource in session.list_all_resources().await? {
        println!("resource: {} ({})", resource.name, resource.uri);
    }
    let read = session.read_resource("test://static-text").await?;
    println!("read: {}", serde_json::to_string(&read.contents)?);

    for tool in session.list_all_tools().await? {
        println!("tool: {}", tool.name);
    }
    let sum = session
        .call_tool("add_numbers", json!({"a": 2, "b": 40}))
        .await?;
    println!(
        "add_numbers: {}",
        sum.content[0].as_text().unwrap_or_default()
    );
    let sampled = session.call_tool("sample", ()).await?;
    println!(
        "sample: {}",
        sampled.content[0].as_text().unwrap_or_default()
    );

    session.close().await?;
    Ok(())
}
