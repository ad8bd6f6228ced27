//! The shell client against the SDK's example servers: over stdio (a
//! spawned example), over Streamable HTTP (`everything-server --port N`),
//! and over legacy HTTP+SSE (this SDK's own legacy server, in this process).

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;

use common::{Running, example, free_port, run, stderr, stdout};
use serde_json::Value;

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "mcp {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out)
}

fn json(args: &[&str]) -> Value {
    let text = ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn stdio_tools_resources_prompts() {
    let echo = example("echo");
    let echo = echo.to_str().unwrap();
    assert_eq!(
        ok(&["tools", "call", "echo", r#"{"message":"hi"}"#, "--", echo]).trim(),
        "Tool echo: hi"
    );
    let listed = ok(&["tools", "list", "--", echo]);
    assert!(
        listed.starts_with("echo — Echo a message back."),
        "{listed}"
    );
    assert_eq!(
        ok(&["resources", "read", "echo://abc", "--", echo]).trim(),
        "Resource echo: abc"
    );
    assert_eq!(
        ok(&["resources", "templates", "--", echo]).trim(),
        "echo://{message}"
    );
    assert_eq!(ok(&["resources", "list", "--", echo]).trim(), "(none)");
    assert_eq!(
        ok(&["prompts", "get", "echo", r#"{"message":"x"}"#, "--", echo]).trim(),
        "user: Please process this message: x"
    );
    assert!(ok(&["prompts", "list", "--", echo]).starts_with("echo"));
}

#[test]
fn stdio_json_output_parses() {
    let echo = example("echo");
    let echo = echo.to_str().unwrap();
    let result = json(&[
        "tools",
        "call",
        "echo",
        r#"{"message":"hi"}"#,
        "--json",
        "--",
        echo,
    ]);
    assert_eq!(result["content"][0]["text"], "Tool echo: hi");
    let tools = json(&["tools", "list", "--json", "--", echo]);
    assert_eq!(tools["tools"][0]["name"], "echo");
    assert!(tools["tools"][0]["inputSchema"]["properties"]["message"].is_object());
    let read = json(&["resources", "read", "echo://x", "--json", "--", echo]);
    assert_eq!(read["contents"][0]["text"], "Resource echo: x");
    let prompt = json(&[
        "prompts",
        "get",
        "echo",
        r#"{"message":"m"}"#,
        "--json",
        "--",
        echo,
    ]);
    assert_eq!(prompt["messages"][0]["role"], "user");
    let report = json(&["inspect", "--json", "--", echo]);
    assert_eq!(report["serverInfo"]["name"], "Echo");
    assert_eq!(
        report["resourceTemplates"][0]["uriTemplate"],
        "echo://{message}"
    );
}

#[test]
fn stdio_inspect_reports_the_server() {
    let echo = example("echo");
    let text = ok(&["inspect", "--", echo.to_str().unwrap()]);
    assert!(text.starts_with("Server: Echo "), "{text}");
    assert!(text.contains("Protocol revision: 2026-07-28"), "{text}");
    assert!(text.contains("Capabilities: "), "{text}");
    assert!(text.contains("Tools (1): echo"), "{text}");
    assert!(
        text.contains("Resource templates (1): echo://{message}"),
        "{text}"
    );
    assert!(text.contains("Prompts (1): echo"), "{text}");
}

#[test]
fn errors_exit_non_zero_with_the_error_on_stderr() {
    let echo = example("echo");
    let echo = echo.to_str().unwrap();
    // A tool error result (bad arguments).
    let out = run(&["tools", "call", "echo", "{}", "--", echo]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("missing field `message`"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    // Still JSON with --json, and still a failure.
    let out = run(&["tools", "call", "echo", "{}", "--json", "--", echo]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["isError"], true);
    // A protocol error.
    let out = run(&["tools", "call", "nope", "--", echo]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Unknown tool: nope"),
        "{}",
        stderr(&out)
    );
    // Bad arguments never reach the server.
    let out = run(&["tools", "call", "echo", "not json", "--", echo]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not valid JSON"), "{}", stderr(&out));
    // No server, or one that does not exist.
    let out = run(&["tools", "list"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--url URL"), "{}", stderr(&out));
    let out = run(&["tools", "list", "--", "./no/such/server"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("was not found"), "{}", stderr(&out));
    // A program that is not an MCP server.
    let out = run(&[
        "tools",
        "list",
        "--timeout",
        "5",
        "--",
        "/bin/sh",
        "-c",
        "exit 3",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("could not start an MCP session"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn streamable_http_everything_server() {
    let port = free_port();
    let mut server = Running(
        Command::new(example("everything-server"))
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    server.wait_for_port(port);
    let url = format!("http://127.0.0.1:{port}/mcp");
    assert_eq!(
        ok(&["tools", "call", "test_simple_text", "--url", &url]).trim(),
        "This is a simple text response for testing."
    );
    let mixed = ok(&[
        "tools",
        "call",
        "test_multiple_content_types",
        "--url",
        &url,
    ]);
    assert!(
        mixed.starts_with("Multiple content types test:\n[image: image/png, "),
        "{mixed}"
    );
    let out = run(&["tools", "call", "test_error_handling", "--url", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("intentionally returns an error"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        ok(&["resources", "read", "test://static-text", "--url", &url]).trim(),
        "This is the content of the static text resource."
    );
    let binary = ok(&["resources", "read", "test://static-binary", "--url", &url]);
    assert!(
        binary.starts_with("[resource test://static-binary: image/png, "),
        "{binary}"
    );
    assert!(
        ok(&["prompts", "get", "test_simple_prompt", "--url", &url])
            .contains("This is a simple prompt")
    );
    let report = json(&["inspect", "--json", "--url", &url]);
    assert_eq!(report["protocolVersion"], "2026-07-28");
    assert!(report["tools"].as_array().unwrap().len() > 5);
    let text = ok(&["inspect", "--url", &url]);
    assert!(
        text.contains("test_simple_text") && text.contains("Resources (3)"),
        "{text}"
    );
}

#[test]
fn an_unreachable_url_fails_clearly() {
    let port = free_port();
    let out = run(&[
        "tools",
        "list",
        "--url",
        &format!("http://127.0.0.1:{port}/mcp"),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("could not connect to"),
        "{}",
        stderr(&out)
    );
}

/// Add two numbers.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Add {
    a: i64,
    b: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_sse_fallback() {
    use mcp_transport::http::{HttpServer, SessionTransport};
    use mcp_transport::sse_legacy::{SseServerConfig, SseServerService};

    let server = mcp_server::McpServer::new("legacy")
        .tool("add", |Add { a, b }: Add| a + b)
        .into_lowlevel();
    let running = Arc::new(server.start().await.unwrap());
    let handler = move |transport: SessionTransport| {
        let running = running.clone();
        async move {
            let _ = running.serve(transport).await;
        }
    };
    let service =
        SseServerService::with_config(handler, SseServerConfig::default().sse_path("/sse"));
    let http = HttpServer::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sse", http.local_addr());
    tokio::spawn(http.serve(service));

    let run = |args: Vec<String>| async move {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            common::run(&args)
        })
        .await
        .unwrap()
    };
    let out = run(vec![
        "tools".into(),
        "call".into(),
        "add".into(),
        r#"{"a":2,"b":3}"#.into(),
        "--url".into(),
        url.clone(),
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "5");
    let out = run(vec![
        "inspect".into(),
        "--json".into(),
        "--url".into(),
        url.clone(),
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["serverInfo"]["name"], "legacy");
    assert_eq!(
        report["protocolVersion"], "2025-11-25",
        "HTTP+SSE is session era"
    );
    assert_eq!(report["tools"][0]["name"], "add");
}
