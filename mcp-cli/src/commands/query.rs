//! The shell client: `inspect`, `tools`, `resources` and `prompts` talk to a
//! server of any revision through `mcp-client`'s `ClientSession` (version
//! `Auto`), over Streamable HTTP (falling back to legacy HTTP+SSE) or a
//! spawned process's stdio.

use std::process::ExitCode;
use std::time::Duration;

use mcp_client::{ClientError, ClientSession};
use mcp_transport::ChildProcess;
use mcp_types::Implementation;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::cli::{PromptsCommand, ResourcesCommand, ServerArgs, ToolsCommand};
use crate::env;
use crate::error::{CliError, Result};
use crate::output;
use crate::target::{Server, resolve_program};

/// One request of the shell client.
#[derive(Debug, Clone)]
pub(crate) enum Query {
    /// `mcp inspect`.
    Inspect,
    /// `mcp tools list`.
    ListTools,
    /// `mcp tools call NAME [ARGS]`.
    CallTool(String, Value),
    /// `mcp resources list`.
    ListResources,
    /// `mcp resources read URI`.
    ReadResource(String),
    /// `mcp resources templates`.
    ListTemplates,
    /// `mcp prompts list`.
    ListPrompts,
    /// `mcp prompts get NAME [ARGS]`.
    GetPrompt(String, Value),
}

/// Runs `mcp tools ...`.
pub(crate) fn tools(command: ToolsCommand) -> Result<ExitCode> {
    match command {
        ToolsCommand::List(server) => run(Query::ListTools, server),
        ToolsCommand::Call {
            name,
            arguments,
            server,
        } => run(
            Query::CallTool(name, json_object(arguments.as_deref())?),
            server,
        ),
    }
}

/// Runs `mcp resources ...`.
pub(crate) fn resources(command: ResourcesCommand) -> Result<ExitCode> {
    match command {
        ResourcesCommand::List(server) => run(Query::ListResources, server),
        ResourcesCommand::Read { uri, server } => run(Query::ReadResource(uri), server),
        ResourcesCommand::Templates(server) => run(Query::ListTemplates, server),
    }
}

/// Runs `mcp prompts ...`.
pub(crate) fn prompts(command: PromptsCommand) -> Result<ExitCode> {
    match command {
        PromptsCommand::List(server) => run(Query::ListPrompts, server),
        PromptsCommand::Get {
            name,
            arguments,
            server,
        } => run(
            Query::GetPrompt(name, json_object(arguments.as_deref())?),
            server,
        ),
    }
}

/// The JSON-ARGS argument: a JSON object, `{}` when absent.
pub(crate) fn json_object(text: Option<&str>) -> Result<Value> {
    let Some(text) = text else {
        return Ok(Value::Object(Map::new()));
    };
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(CliError::Usage(format!(
            "the arguments must be a JSON object such as '{{\"a\": 1}}', not `{text}`"
        ))),
        Err(e) => Err(CliError::Usage(format!(
            "the arguments are not valid JSON ({e}); quote them for the shell: '{{\"a\": 1}}'"
        ))),
    }
}

/// Connects to the server `args` name, runs `query`, prints the answer and
/// closes the session.
pub(crate) fn run(query: Query, args: ServerArgs) -> Result<ExitCode> {
    let server = Server::from_args(&args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io("starting the async runtime", e))?;
    runtime.block_on(async move {
        let session = connect(&server, &args).await?;
        let outcome = answer(&session, &query, args.json).await;
        // The answer matters more than a clean goodbye.
        let _ = session.close().await;
        outcome
    })
}

async fn connect(server: &Server, args: &ServerArgs) -> Result<ClientSession> {
    let builder = ClientSession::builder()
        .client_info(Implementation::new("mcp-cli", env!("CARGO_PKG_VERSION")))
        .request_timeout(Duration::from_secs(args.timeout.max(1)))
        .listen_for_changes(false);
    let session = match server {
        Server::Url(url) => builder
            .connect_url(url.clone())
            .await
            .map_err(|e| match e {
                // A URL the HTTP client cannot use: the message says why.
                ClientError::Http(_) => CliError::Usage(format!("could not connect to {url}: {e}")),
                e => CliError::Usage(format!(
                    "could not connect to {url}: {e}\n(is the server running, and is this its MCP endpoint, e.g. http://127.0.0.1:3000/mcp?)"
                )),
            })?,
        Server::Command { program, args: argv } => {
            let program = resolve_program(program)?;
            let vars = env::collect(&args.env)?;
            let process = ChildProcess::builder(&program).args(argv).envs(vars);
            builder.spawn_with(process).await.map_err(|e| {
                CliError::Usage(format!(
                    "could not start an MCP session with {}: {e}\n(does it serve MCP on stdio? its own errors, if any, are above)",
                    program.display()
                ))
            })?
        }
    };
    Ok(session)
}

fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Prints `value` as JSON (with `--json`) or as `text`.
fn print(json: bool, value: &Value, text: impl FnOnce(&Value) -> String) {
    if json {
        println!("{}", output::pretty(value));
    } else {
        println!("{}", text(value));
    }
}

async fn answer(session: &ClientSession, query: &Query, json: bool) -> Result<ExitCode> {
    match query {
        Query::Inspect => inspect(session, json).await,
        Query::ListTools => {
            let tools = to_json(&session.list_all_tools().await?);
            print(json, &json!({ "tools": tools }), |_| list(&tools, "name"));
            Ok(ExitCode::SUCCESS)
        }
        Query::CallTool(name, arguments) => {
            let result = to_json(&session.call_tool(name, arguments).await?);
            let failed = output::is_tool_error(&result);
            if json {
                println!("{}", output::pretty(&result));
            } else if failed {
                eprintln!(
                    "error: tool `{name}` failed:\n{}",
                    output::tool_result(&result)
                );
            } else {
                println!("{}", output::tool_result(&result));
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Query::ListResources => {
            let resources = to_json(&session.list_all_resources().await?);
            print(json, &json!({ "resources": resources }), |_| {
                list(&resources, "uri")
            });
            Ok(ExitCode::SUCCESS)
        }
        Query::ReadResource(uri) => {
            let result = to_json(&session.read_resource(uri).await?);
            print(json, &result, output::read_result);
            Ok(ExitCode::SUCCESS)
        }
        Query::ListTemplates => {
            let templates = to_json(&session.list_all_resource_templates().await?);
            print(json, &json!({ "resourceTemplates": templates }), |_| {
                list(&templates, "uriTemplate")
            });
            Ok(ExitCode::SUCCESS)
        }
        Query::ListPrompts => {
            let prompts = to_json(&session.list_all_prompts().await?);
            print(json, &json!({ "prompts": prompts }), |_| {
                list(&prompts, "name")
            });
            Ok(ExitCode::SUCCESS)
        }
        Query::GetPrompt(name, arguments) => {
            let result = to_json(&session.get_prompt(name, arguments).await?);
            print(json, &result, output::prompt_result);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(items: &Value, key: &str) -> String {
    output::list(items.as_array().map(Vec::as_slice).unwrap_or_default(), key)
}

/// `mcp inspect`: who the server is, the revision, capabilities,
/// instructions, and what it offers (for each capability it declares).
async fn inspect(session: &ClientSession, json: bool) -> Result<ExitCode> {
    let capabilities = to_json(&session.server_capabilities());
    let declares = |name: &str| capabilities.get(name).is_some_and(|v| !v.is_null());
    let mut report = json!({
        "serverInfo": to_json(&session.server_info()),
        "protocolVersion": session.protocol_version().as_str(),
        "capabilities": capabilities,
        "instructions": session.instructions(),
    });
    if declares("tools") {
        report["tools"] = to_json(&session.list_all_tools().await?);
    }
    if declares("resources") {
        report["resources"] = to_json(&session.list_all_resources().await?);
        report["resourceTemplates"] = to_json(&session.list_all_resource_templates().await?);
    }
    if declares("prompts") {
        report["prompts"] = to_json(&session.list_all_prompts().await?);
    }
    if json {
        println!("{}", output::pretty(&report));
    } else {
        println!("{}", inspect_text(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// The readable form of `mcp inspect`'s report.
pub(crate) fn inspect_text(report: &Value) -> String {
    let info = &report["serverInfo"];
    let name = info["name"].as_str().unwrap_or("(unnamed)");
    let mut lines = vec![format!(
        "Server: {name} {}",
        info["version"].as_str().unwrap_or_default()
    )];
    if let Some(title) = info["title"].as_str() {
        lines.push(format!("Title: {title}"));
    }
    lines.push(format!(
        "Protocol revision: {}",
        report["protocolVersion"].as_str().unwrap_or("?")
    ));
    lines.push(format!(
        "Capabilities: {}",
        output::capabilities(&report["capabilities"])
    ));
    if let Some(instructions) = report["instructions"].as_str() {
        lines.push(format!("Instructions: {instructions}"));
    }
    for (key, title, id) in [
        ("tools", "Tools", "name"),
        ("resources", "Resources", "uri"),
        ("resourceTemplates", "Resource templates", "uriTemplate"),
        ("prompts", "Prompts", "name"),
    ] {
        if let Some(items) = report[key].as_array() {
            let names: Vec<&str> = items.iter().filter_map(|i| i[id].as_str()).collect();
            lines.push(format!("{title} ({}): {}", names.len(), names.join(", ")));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_must_be_an_object() {
        assert_eq!(json_object(None).unwrap(), json!({}));
        assert_eq!(json_object(Some(r#"{"a":2}"#)).unwrap(), json!({"a": 2}));
        assert!(json_object(Some("[1]")).is_err());
        assert!(
            json_object(Some("{a:"))
                .unwrap_err()
                .to_string()
                .contains("not valid JSON")
        );
    }

    #[test]
    fn the_inspect_report_reads_well() {
        let report = json!({
            "serverInfo": {"name": "Echo", "version": "1.0"},
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}},
            "instructions": "Be nice",
            "tools": [{"name": "echo"}, {"name": "add"}],
        });
        assert_eq!(
            inspect_text(&report),
            "Server: Echo 1.0\nProtocol revision: 2025-11-25\nCapabilities: tools\nInstructions: Be nice\nTools (2): echo, add"
        );
    }
}
