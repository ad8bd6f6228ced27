//! Prompts: a single-message prompt and a conversation.

use mcp_server::McpServer;
use mcp_server::prompt::{assistant, user};

/// Review a piece of code.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct ReviewCode {
    /// The code to review.
    code: String,
}

/// Help debug an error.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct DebugError {
    /// The error message.
    error: String,
}

#[tokio::main]
async fn main() -> mcp_server::Result<()> {
    McpServer::new("Prompts")
        .prompt("review_code", |ReviewCode { code }: ReviewCode| {
            format!("Please review this code:\n\n{code}")
        })
        .prompt("debug_error", |DebugError { error }: DebugError| {
            vec![
                user("I'm seeing this error:"),
                user(error),
                assistant("I'll help debug that. What have you tried so far?"),
            ]
        })
        .run()
        .await
}
