//! A test MCP server on stdio, built with `mcp_lowlevel::Server`: tools for
//! every client feature (sampling, elicitation, roots, multi-round input,
//! progress, logging, structured output, list changes), prompts, resources,
//! templates and completions, in every protocol revision.
//!
//! ```text
//! cargo run -p mcp-client --example test_server -- [--versions=2025-06-18,2025-11-25] [--page-size=2] [--ttl-ms=60000]
//! ```

mod server;

#[tokio::main]
async fn main() -> Result<(), mcp_lowlevel::BoxError> {
    let options = server::Options::from_args(std::env::args().skip(1));
    server::build(&options).serve(mcp_transport::stdio()).await
}
