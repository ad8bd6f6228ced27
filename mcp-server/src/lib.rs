//! Model Context Protocol servers in a few lines: the FastMCP of Rust.
//!
//! ```no_run
//! use mcp_server::McpServer;
//!
//! /// Add two numbers
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Add { a: i64, b: i64 }
//!
//! #[tokio::main]
//! async fn main() -> mcp_server::Result<()> {
//!     McpServer::new("Demo")
//!         .tool("add", |Add { a, b }: Add| a + b)
//!         .resource_template("greeting://{name}", |name: String| format!("Hello, {name}!"))
//!         .serve_stdio()
//!         .await
//! }
//! ```
//!
//! Tools take a `Deserialize + JsonSchema` argument type, so their
//! `inputSchema` is derived and their arguments are checked (a bad argument is
//! an `isError` result naming the field); what they return is any
//! [`IntoToolResult`]. Resources, resource templates and prompts work the
//! same way. Any handler may also take a [`Context`] first, to log, report
//! progress, read resources, ask the user ([`Context::elicit`]), sample the
//! client's model or list its roots — the same code in both protocol eras.
//!
//! A tool runs as a task when registered with [`ToolDef::task_support`]; its
//! handler stays the same function:
//!
//! | revision | a call becomes a task when | `TaskSupport::Required` without it |
//! | --- | --- | --- |
//! | 2026-07-28 | the request's client capabilities declare `io.modelcontextprotocol/tasks` | `-32021`, naming the extension |
//! | 2025-11-25 | the request has `params.task` (on a `Forbidden` tool: `-32601`) | `-32601` |
//! | older | never (those revisions have no tasks) | the call runs as an ordinary one |
//!
//! [`McpServer::tasks`] sets the engine's limits ([`TaskConfig`]).
//!
//! | feature | what it adds |
//! | --- | --- |
//! | `http` | `serve_http` and `http_service` (Streamable HTTP, both eras) |

mod call;
mod context;
mod error;
mod handler;
#[cfg(feature = "http")]
mod http;
mod output;
pub mod prompt;
mod registry;
mod resource;
mod run;
mod schema;
mod server;
mod tasks;
mod tool;
mod uri_template;

pub use context::{Context, Elicitation};
pub use error::{Error, Result, ToolError};
pub use handler::Shape;
#[cfg(feature = "http")]
pub use http::{HttpHandler, HttpService};
pub use mcp_lowlevel::tasks::{TaskConfig, TaskStart, TaskSupport};
pub use output::{Audio, Image, IntoToolResult, Json};
pub use prompt::{IntoPromptResult, PromptDef, PromptHandler};
pub use resource::{Contents, IntoContents, ResourceDef, ResourceHandler, ResourceTemplateDef};
pub use schema::NoArgs;
pub use server::{McpServer, ServerHandle};
pub use tool::{ToolDef, ToolHandler};
pub use uri_template::{UriTemplate, UriTemplateError};

/// The protocol types, for building results by hand.
pub use mcp_types as types;

/// The text of a panic payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}
