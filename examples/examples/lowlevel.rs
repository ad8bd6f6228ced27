//! A server written against `mcp-lowlevel` directly, without the builder:
//! typed handlers per method, and a lifespan.

use mcp_lowlevel::{BoxError, HandlerError, RequestContext, Server};
use mcp_types::{
    CallToolRequest, CallToolResult, ContentBlock, GetPromptRequest, GetPromptResult,
    Implementation, ListPromptsRequest, ListPromptsResult, ListToolsRequest, ListToolsResult,
    Prompt, PromptMessage, Role, Tool,
};

/// What the lifespan builds: here, a greeting prefix.
struct State {
    prefix: String,
}

fn tools() -> Vec<Tool> {
    let tool = serde_json::json!({
        "name": "greet",
        "description": "Greet someone",
        "inputSchema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    });
    vec![serde_json::from_value(tool).expect("a valid tool")]
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let info = Implementation::new("lowlevel-example", "1.0.0");
    Server::with_lifespan(info, || async {
        Ok(State {
            prefix: "Hello".into(),
        })
    })
    .request::<ListToolsRequest, _, _>(|_ctx: RequestContext<State>, _params| async {
        Ok(ListToolsResult::new(tools()))
    })
    .request::<CallToolRequest, _, _>(|ctx: RequestContext<State>, params| async move {
        if params.name != "greet" {
            return Err(HandlerError::invalid_params(format!(
                "Unknown tool: {}",
                params.name
            )));
        }
        let name = params
            .arguments
            .as_ref()
            .and_then(|a| a.get("name"))
            .and_then(|n| n.as_str())
            .ok_or_else(|| HandlerError::invalid_params("`name` must be a string"))?;
        let text = format!("{}, {name}!", ctx.state().prefix);
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
    })
    .request::<ListPromptsRequest, _, _>(|_ctx: RequestContext<State>, _params| async {
        Ok(ListPromptsResult::new(vec![Prompt::new("welcome")]))
    })
    .request::<GetPromptRequest, _, _>(|_ctx: RequestContext<State>, _params| async {
        Ok(GetPromptResult::new(vec![PromptMessage::new(
            ContentBlock::text("Welcome!"),
            Role::User,
        )]))
    })
    .serve(mcp_transport::stdio())
    .await
}
