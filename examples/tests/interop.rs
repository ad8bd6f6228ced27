//! Interoperability, not mocked: the Python SDK's client (`mcp` from PyPI)
//! and the TypeScript SDK's clients (`@modelcontextprotocol/sdk` 1.x and
//! `@modelcontextprotocol/client` 2.x from npm) drive `everything-server` over
//! stdio and Streamable HTTP, in the session era and in 2026-07-28.
//!
//! Each run is a script under `tests/interop/` that lists and calls every
//! tool, reads every resource and a template, gets every prompt and asks for a
//! completion, answering sampling, elicitation and roots from its callbacks,
//! and prints a JSON summary; the checks here are on that summary. The SDKs
//! are installed under `target/tmp/interop-clients` on first use (see
//! `interop/install.rs`); without Python 3 or npm these tests fail.

#![cfg(unix)]

mod common;
#[path = "interop/install.rs"]
mod install;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use install::{Reaped, run_bounded};
use serde_json::{Value, json};

/// The longest one client run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(150);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sdk {
    Python,
    /// `@modelcontextprotocol/sdk` (1.x).
    TsV1,
    /// `@modelcontextprotocol/client` (2.x).
    TsV2,
}

impl Sdk {
    /// The name the script's sampling answer starts with.
    fn label(self) -> &'static str {
        match self {
            Sdk::Python => "python",
            Sdk::TsV1 | Sdk::TsV2 => "typescript",
        }
    }

    /// What the script's elicitation callback answers for free-text fields.
    fn user(self) -> (&'static str, &'static str) {
        match self {
            Sdk::Python => ("py-user", "py@example.com"),
            Sdk::TsV1 | Sdk::TsV2 => ("ts-user", "ts@example.com"),
        }
    }

    /// Whether the client declares the elicitation capability at `revision`:
    /// the Python SDK declares only what the revision defines.
    fn elicits(self, revision: &str) -> bool {
        self != Sdk::Python || revision >= "2025-06-18"
    }
}

#[derive(Debug, Clone, Copy)]
enum Transport {
    Stdio,
    Http,
}

/// Starts `everything-server --port N` and waits until it listens.
fn http_server(server: &Path) -> (Reaped, String) {
    let port = common::free_port();
    let running = Reaped::spawn(
        Command::new(server)
            .args(["--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .expect("spawn everything-server");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (running, format!("http://127.0.0.1:{port}/mcp"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("everything-server did not listen on {port}");
}

/// Runs one client script against the everything-server and returns its summary.
fn run(sdk: Sdk, transport: Transport, revision: &str) -> Value {
    let server = common::example("everything-server");
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    let _http;
    let (kind, target) = match transport {
        Transport::Stdio => ("stdio", server.display().to_string()),
        Transport::Http => {
            let (running, url) = http_server(&server);
            _http = running;
            ("http", url)
        }
    };
    let mut command = match sdk {
        Sdk::Python => {
            let mut c = Command::new(install::python());
            c.arg(scripts.join("interop_client.py"));
            c
        }
        Sdk::TsV1 | Sdk::TsV2 => {
            let node = install::node();
            // ESM resolves packages from the script's folder, so the script
            // runs from the prefix that holds them. Tests run at once: each
            // writes its own copy and renames it into place, so no run reads
            // a half-written file.
            static COPIES: AtomicUsize = AtomicUsize::new(0);
            let script = node.prefix.join("interop_client.mjs");
            let n = COPIES.fetch_add(1, Ordering::Relaxed);
            let copy = node
                .prefix
                .join(format!("interop_client.mjs.{}.{n}", std::process::id()));
            std::fs::write(&copy, include_str!("interop/interop_client.mjs"))
                .and_then(|()| std::fs::rename(&copy, &script))
                .expect("write the script");
            let mut c = Command::new(&node.node);
            c.current_dir(&node.prefix).arg(script);
            c.arg(if sdk == Sdk::TsV1 { "v1" } else { "v2" });
            c
        }
    };
    command.args([kind, revision, &target]);
    let out = run_bounded(&mut command, RUN_TIMEOUT);
    assert!(
        out.status.success(),
        "{sdk:?} over {kind} at {revision} failed ({}):\n{}\n{}",
        out.status,
        out.stdout,
        out.stderr
    );
    let line = out.stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "{sdk:?} printed no summary ({e}):\n{}\n{}",
            out.stdout, out.stderr
        )
    })
}

const TOOLS: &[&str] = &[
    "test_simple_text",
    "test_image_content",
    "test_audio_content",
    "test_embedded_resource",
    "test_multiple_content_types",
    "test_tool_with_logging",
    "test_tool_with_progress",
    "test_error_handling",
    "test_sampling",
    "test_elicitation",
    "test_elicitation_sep1034_defaults",
    "test_elicitation_sep1330_enums",
    "json_schema_2020_12_tool",
    "test_custom_header",
    "test_reconnection",
    "test_missing_capability",
    "test_streaming_elicitation",
    "test_logging_tool",
    "test_trigger_tool_change",
    "test_trigger_prompt_change",
];

/// The 2026-07-28 tools (input required, then a retry) and what each returns
/// once the client's callbacks have answered; `{user}` and `{sdk}` stand for
/// the script's answers.
const MRTR_TOOLS: &[(&str, &str)] = &[
    ("test_input_required_result_elicitation", "Hello, Alice!"),
    (
        "test_input_required_result_sampling",
        "The model said: {sdk} sampled [What is the capital of France?]",
    ),
    ("test_input_required_result_list_roots", "Roots: {roots}"),
    ("test_input_required_result_request_state", "Confirmed"),
    (
        "test_input_required_result_multiple_inputs",
        "All inputs received",
    ),
    ("test_input_required_result_multi_round", "Alice likes blue"),
    (
        "test_input_required_result_tampered_state",
        "State verified",
    ),
    ("test_input_required_result_capabilities", "Done"),
];

/// The texts of a call's text blocks and the types of all its blocks.
fn outcome(summary: &Value, tool: &str) -> (Vec<String>, Vec<String>, bool) {
    let call = &summary["calls"][tool];
    assert!(call["error"].is_null(), "{tool} failed: {call}");
    let content = call["content"].as_array().cloned().unwrap_or_default();
    let texts = content
        .iter()
        .filter_map(|c| c["text"].as_str().map(str::to_owned))
        .collect();
    let types = content
        .iter()
        .map(|c| c["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    (texts, types, call["isError"] == true)
}

/// The single text a call returned, checking it did not fail.
fn text_of(summary: &Value, tool: &str) -> String {
    let (texts, types, is_error) = outcome(summary, tool);
    assert!(
        !is_error,
        "{tool} returned isError: {}",
        summary["calls"][tool]
    );
    assert_eq!(types, ["text"], "{tool}");
    texts.into_iter().next().unwrap_or_default()
}

fn check_tools(s: &Value, sdk: Sdk, revision: &str) {
    let listed: BTreeSet<&str> = s["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let called: BTreeSet<&str> = s["calls"]
        .as_object()
        .expect("calls")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(listed, called, "every listed tool is called");
    for tool in TOOLS.iter().chain(MRTR_TOOLS.iter().map(|(t, _)| t)) {
        assert!(listed.contains(tool), "{tool} is not listed: {listed:?}");
    }
    let calls = &s["calls"];
    let label = sdk.label();
    let (user, email) = sdk.user();
    let fixed = [
        (
            "test_simple_text",
            "This is a simple text response for testing.",
        ),
        (
            "test_tool_with_logging",
            "Tool with logging executed successfully",
        ),
        ("test_tool_with_progress", "Progress tool completed"),
        (
            "test_sampling",
            &format!("LLM response: {label} sampled [What is 2+2?]"),
        ),
        ("json_schema_2020_12_tool", "ok"),
        ("test_custom_header", "region=eu-west-1"),
        ("test_reconnection", "Reconnection test completed"),
        ("test_missing_capability", "Success"),
        ("test_streaming_elicitation", "Streaming complete"),
        ("test_logging_tool", "Logging tool completed"),
        ("test_trigger_tool_change", "Tool list change triggered"),
        ("test_trigger_prompt_change", "Prompt list change triggered"),
    ];
    for (tool, expected) in fixed {
        assert_eq!(text_of(s, tool), expected, "{tool}");
    }

    let image = &calls["test_image_content"]["content"][0];
    assert_eq!(
        (image["type"].as_str(), image["mimeType"].as_str()),
        (Some("image"), Some("image/png"))
    );
    assert_eq!(image["dataLength"], 96);
    let audio = &calls["test_audio_content"]["content"][0];
    assert_eq!(
        (audio["type"].as_str(), audio["mimeType"].as_str()),
        (Some("audio"), Some("audio/wav"))
    );
    let embedded = &calls["test_embedded_resource"]["content"][0];
    assert_eq!(embedded["uri"], "test://embedded-resource");
    assert_eq!(embedded["text"], "This is an embedded resource content.");
    let (texts, types, _) = outcome(s, "test_multiple_content_types");
    assert_eq!(types, ["text", "image", "resource"]);
    assert_eq!(
        texts,
        [
            "Multiple content types test:",
            r#"{"test":"data","value":123}"#
        ]
    );

    let (texts, _, is_error) = outcome(s, "test_error_handling");
    assert!(is_error, "test_error_handling is an isError result");
    assert_eq!(
        texts,
        ["This tool intentionally returns an error for testing"]
    );

    assert_eq!(
        calls["test_tool_with_logging"]["logs"],
        json!([
            "Tool execution started",
            "Tool processing data",
            "Tool execution completed"
        ])
    );
    assert_eq!(calls["test_logging_tool"]["logs"], json!(["a log message"]));
    let progress: Vec<f64> = calls["test_tool_with_progress"]["progress"]
        .as_array()
        .expect("progress")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    if sdk == Sdk::Python {
        assert_eq!(progress, [0.0, 50.0, 100.0]);
    } else {
        // The TypeScript SDK drops its progress handler as soon as the
        // response is read, so a last notification that comes right before
        // the response (in the same read) is lost: the first two must arrive.
        assert_eq!(progress.get(..2), Some(&[0.0, 50.0][..]), "{progress:?}");
    }

    check_elicitation(s, sdk, revision, user, email);
    check_mrtr(s, sdk, revision);
}

fn check_elicitation(s: &Value, sdk: Sdk, revision: &str, user: &str, email: &str) {
    // The form's `age` default goes out as `30.0` (`NumberSchema.default` is
    // an f64); the Python SDK answers with that float, JavaScript has no
    // difference between the two.
    let age = if sdk == Sdk::Python { "30.0" } else { "30" };
    let elicitation = [
        ("test_elicitation", format!(r#"User response: action=accept, content={{"email":"{email}","username":"{user}"}}"#)),
        (
            "test_elicitation_sep1034_defaults",
            format!(r#"Elicitation completed: action=accept, content={{"age":{age},"name":"John Doe","score":95.5,"status":"active","verified":true}}"#),
        ),
        (
            "test_elicitation_sep1330_enums",
            r#"Elicitation completed: action=accept, content={"legacyEnum":"opt1","titledMulti":["value1"],"titledSingle":"value1","untitledMulti":["option1"],"untitledSingle":"option1"}"#.to_owned(),
        ),
    ];
    for (tool, expected) in elicitation {
        if sdk.elicits(revision) {
            assert_eq!(text_of(s, tool), expected, "{tool}");
        } else {
            // No elicitation capability: the tool reports the failed request.
            let (texts, _, is_error) = outcome(s, tool);
            assert!(
                is_error && texts[0].contains("elicitation/create failed"),
                "{tool}: {texts:?}"
            );
        }
    }
}

fn check_mrtr(s: &Value, sdk: Sdk, revision: &str) {
    let roots = match sdk {
        Sdk::Python => r#"[{"name":"py-root","uri":"file:///tmp/py-root"}]"#,
        _ => r#"[{"name":"ts-root","uri":"file:///tmp/ts-root"}]"#,
    };
    for (tool, expected) in MRTR_TOOLS {
        if revision >= "2026-07-28" {
            let expected = expected
                .replace("{sdk}", sdk.label())
                .replace("{roots}", roots);
            assert_eq!(text_of(s, tool), expected, "{tool}");
        } else {
            // Input-required results exist only in 2026-07-28: in a session
            // the fixture's handler fails with an internal error.
            assert_eq!(
                s["calls"][tool]["error"]["code"], -32603,
                "{tool}: {}",
                s["calls"][tool]
            );
        }
    }
    if sdk == Sdk::Python && revision >= "2026-07-28" {
        assert_eq!(
            s["calls"]["test_input_required_result_multi_round"]["rounds"],
            2
        );
        assert_eq!(
            s["calls"]["test_input_required_result_elicitation"]["rounds"],
            1
        );
    }
}

fn check_resources_and_prompts(s: &Value, sdk: Sdk, revision: &str) {
    for uri in [
        "test://static-text",
        "test://static-binary",
        "test://watched-resource",
    ] {
        assert!(
            s["resources"]
                .as_array()
                .expect("resources")
                .contains(&json!(uri)),
            "{uri}"
        );
    }
    assert!(
        s["templates"]
            .as_array()
            .expect("templates")
            .contains(&json!("test://template/{id}/data"))
    );
    let reads = &s["reads"];
    assert_eq!(
        reads["test://static-text"],
        json!([{"mimeType": "text/plain", "text": "This is the content of the static text resource.", "blobLength": 0}])
    );
    assert_eq!(
        reads["test://static-binary"],
        json!([{"mimeType": "image/png", "text": null, "blobLength": 96}])
    );
    assert_eq!(
        reads["test://watched-resource"][0]["text"],
        "Watched resource content"
    );
    let templated: Value = serde_json::from_str(
        reads["test://template/42/data"][0]["text"]
            .as_str()
            .expect("template text"),
    )
    .expect("JSON");
    assert_eq!(
        templated,
        json!({"id": "42", "templateTest": true, "data": "Data for ID: 42"})
    );
    assert_eq!(
        reads["test://template/42/data"][0]["mimeType"],
        "application/json"
    );

    let got = &s["got"];
    let prompts: BTreeSet<&str> = s["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let called: BTreeSet<&str> = got
        .as_object()
        .expect("got")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(prompts, called, "every listed prompt is got");
    assert_eq!(
        got["test_simple_prompt"],
        json!([{"role": "user", "type": "text", "text": "This is a simple prompt for testing."}])
    );
    assert_eq!(
        got["test_prompt_with_arguments"],
        json!([{"role": "user", "type": "text", "text": "Prompt with arguments: arg1='one', arg2='two'"}])
    );
    assert_eq!(
        got["test_prompt_with_embedded_resource"],
        json!([
            {"role": "user", "type": "resource", "uri": "test://example", "text": "Embedded resource content for testing."},
            {"role": "user", "type": "text", "text": "Please process the embedded resource above."}
        ])
    );
    assert_eq!(
        got["test_prompt_with_image"],
        json!([
            {"role": "user", "type": "image", "mimeType": "image/png", "dataLength": 96},
            {"role": "user", "type": "text", "text": "Please analyze the image above."}
        ])
    );
    let mrtr_prompt = &got["test_input_required_result_prompt"];
    if revision >= "2026-07-28" {
        let context = if sdk == Sdk::Python {
            "py-context"
        } else {
            "ts-context"
        };
        assert_eq!(
            *mrtr_prompt,
            json!([{"role": "user", "type": "text", "text": format!("Context: {context}")}])
        );
    } else {
        assert_eq!(mrtr_prompt["error"]["code"], -32603, "{mrtr_prompt}");
    }
    assert_eq!(s["completion"], json!(["test", "testing", "tested"]));
}

/// Runs one client and checks everything it reports.
fn interop(sdk: Sdk, transport: Transport, revision: &str) {
    let s = run(sdk, transport, revision);
    assert_eq!(
        s["protocolVersion"], revision,
        "{sdk:?} negotiated {}",
        s["protocolVersion"]
    );
    let version = match sdk {
        Sdk::Python => install::PYTHON_MCP,
        Sdk::TsV1 => install::TS_SDK_V1,
        Sdk::TsV2 => install::TS_CLIENT_V2,
    };
    assert_eq!(s["sdkVersion"], version);
    check_tools(&s, sdk, revision);
    check_resources_and_prompts(&s, sdk, revision);
    eprintln!(
        "interop ok: {sdk:?} {transport:?} {revision} ({} tools)",
        s["tools"].as_array().map_or(0, Vec::len)
    );
}

#[test]
fn python_stdio_2025_11_25() {
    interop(Sdk::Python, Transport::Stdio, "2025-11-25");
}

#[test]
fn python_stdio_2025_03_26() {
    interop(Sdk::Python, Transport::Stdio, "2025-03-26");
}

#[test]
fn python_stdio_2026_07_28() {
    interop(Sdk::Python, Transport::Stdio, "2026-07-28");
}

#[test]
fn python_http_2025_11_25() {
    interop(Sdk::Python, Transport::Http, "2025-11-25");
}

#[test]
fn python_http_2025_03_26() {
    interop(Sdk::Python, Transport::Http, "2025-03-26");
}

#[test]
fn python_http_2026_07_28() {
    interop(Sdk::Python, Transport::Http, "2026-07-28");
}

#[test]
fn typescript_v1_stdio_2025_11_25() {
    interop(Sdk::TsV1, Transport::Stdio, "2025-11-25");
}

#[test]
fn typescript_v1_http_2025_11_25() {
    interop(Sdk::TsV1, Transport::Http, "2025-11-25");
}

#[test]
fn typescript_v2_stdio_2024_11_05() {
    interop(Sdk::TsV2, Transport::Stdio, "2024-11-05");
}

#[test]
fn typescript_v2_stdio_2026_07_28() {
    interop(Sdk::TsV2, Transport::Stdio, "2026-07-28");
}

#[test]
fn typescript_v2_http_2024_11_05() {
    interop(Sdk::TsV2, Transport::Http, "2024-11-05");
}

#[test]
fn typescript_v2_http_2026_07_28() {
    interop(Sdk::TsV2, Transport::Http, "2026-07-28");
}
