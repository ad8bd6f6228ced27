//! The conformance everything-client: `everything-client <server-url>` does
//! what the official suite's client scenario named by
//! `MCP_CONFORMANCE_SCENARIO` expects, written with `mcp-client` as a user
//! would (no scenario is special-cased inside the SDK).

use mcp_client::{ClientSession, VersionChoice, accept_with_defaults, sampled_text};
use mcp_server::types::{ElicitRequestParams, ProtocolVersion, Root};
use serde_json::{Value, json};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run().await {
        eprintln!("everything-client: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Error> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: everything-client <server-url>")?;
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    let context: Value = std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or(Value::Null);
    let version = match std::env::var("MCP_CONFORMANCE_PROTOCOL_VERSION")
        .ok()
        .as_deref()
        .and_then(ProtocolVersion::parse)
    {
        Some(v) => VersionChoice::Fixed(v),
        None => VersionChoice::Auto,
    };
    let session = ClientSession::builder()
        .protocol_version(version)
        .sampling(|_params| async {
            Ok(sampled_text(
                "test-model",
                "This is a test response from the client",
            ))
        })
        .elicitation(|params: ElicitRequestParams| async move {
            let fill = placeholders(&params);
            Ok(accept_with_defaults(&params, fill))
        })
        .roots(|| async {
            let root: Root =
                serde_json::from_value(json!({"uri": "file:///test/root", "name": "Test Root"}))
                    .expect("a valid root");
            Ok(vec![root])
        })
        .connect_url(url)
        .await?;

    let tools = session.list_all_tools().await?;
    let names: Vec<String> = tools.iter().map(|t| t.name.clone()).collect();
    match scenario.as_str() {
        "tools_call" => {
            session
                .call_tool("add_numbers", json!({"a": 5, "b": 3}))
                .await?;
        }
        "elicitation-sep1034-client-defaults" => {
            session
                .call_tool("test_client_elicitation_defaults", json!({}))
                .await?;
        }
        "sse-retry" => {
            session.call_tool("test_reconnection", json!({})).await?;
        }
        "sep-2322-client-request-state" => {
            for name in names.iter().filter(|n| n.starts_with("test_mrtr")) {
                session.call_tool(name, json!({})).await?;
            }
        }
        "http-standard-headers" => {
            for name in &names {
                session.call_tool(name, json!({})).await?;
            }
            for resource in session.list_all_resources().await? {
                session.read_resource(&resource.uri).await?;
            }
            for prompt in session.list_all_prompts().await? {
                session
                    .get_prompt(&prompt.name, serde_json::Map::new())
                    .await?;
            }
        }
        "http-custom-headers" => {
            let calls = context["toolCalls"].as_array().cloned().unwrap_or_default();
            for call in calls {
                let name = call["name"].as_str().unwrap_or_default();
                session.call_tool(name, call["arguments"].clone()).await?;
            }
        }
        "http-invalid-tool-headers" if names.iter().any(|n| n == "valid_tool") => {
            session.call_tool("valid_tool", json!({})).await?;
        }
        "json-schema-2020-12-preservation" => {
            if let Some(tool) = tools.iter().find(|t| t.name == "json_schema_2020_12_tool") {
                let schema = serde_json::to_value(&tool.input_schema)?;
                session
                    .call_tool("json_schema_echo", json!({"schema": schema}))
                    .await?;
            }
        }
        _ => {}
    }
    session.close().await?;
    Ok(())
}

/// Values for the form fields that have no default: the first enum member,
/// or a value of the field's type.
fn placeholders(
    params: &ElicitRequestParams,
) -> Vec<(String, mcp_server::types::ElicitResultContentValue)> {
    let value = serde_json::to_value(params).unwrap_or_default();
    let Some(properties) = value["requestedSchema"]["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .filter(|(_, p)| p.get("default").is_none())
        .filter_map(|(name, p)| {
            let v = match p["type"].as_str() {
                _ if p["enum"].is_array() => p["enum"][0].clone(),
                Some("boolean") => json!(true),
                Some("integer") | Some("number") => json!(1),
                Some("array") => json!([]),
                _ if name == "email" => json!("test@example.com"),
                _ => json!("test"),
            };
            serde_json::from_value(v).ok().map(|v| (name.clone(), v))
        })
        .collect()
}
