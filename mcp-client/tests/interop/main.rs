//! Interoperability with the other SDKs' servers over stdio: the Python SDK
//! (`mcp`, installed with pip into a virtual environment under the target
//! directory) and the TypeScript `@modelcontextprotocol/server-everything`
//! (installed with npm there too).
//!
//! Each test installs what it needs on first use. When the tool or the
//! package registry is not available, the test says so on stderr and passes
//! without checking anything: the rest of the suite does not depend on them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use mcp_client::{ClientSession, VersionChoice, accept_with_defaults, sampled_text};
use mcp_transport::{ChildProcess, Stderr};
use mcp_types::{ElicitResultContentValue, ProtocolVersion, TextOrBlobResourceContents};
use serde_json::json;

/// Installs are not run twice at once.
static INSTALL: Mutex<()> = Mutex::new(());

fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop");
    std::fs::create_dir_all(&dir).expect("the interop directory");
    dir
}

fn run(command: &mut Command) -> bool {
    match command.output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!(
                "{command:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("{command:?} could not run: {e}");
            false
        }
    }
}

/// A Python with the `mcp` package, or `None` when it cannot be installed.
fn python_with_mcp() -> Option<PathBuf> {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = interop_dir().join("py");
    let python = venv.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });
    let has_mcp = |p: &Path| {
        Command::new(p)
            .args(["-c", "import mcp.server.mcpserver"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if python.exists() && has_mcp(&python) {
        return Some(python);
    }
    if !run(Command::new("python3").args(["-m", "venv"]).arg(&venv)) {
        return None;
    }
    if !run(Command::new(&python).args(["-m", "pip", "install", "--quiet", "mcp>=2"])) {
        return None;
    }
    has_mcp(&python).then_some(python)
}

/// The entry point of `@modelcontextprotocol/server-everything`, or `None`.
fn server_everything() -> Option<PathBuf> {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let prefix = interop_dir().join("ts");
    let entry = prefix.join("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    if !entry.exists() {
        let installed = run(Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg("@modelcontextprotocol/server-everything"));
        if !installed {
            return None;
        }
    }
    (entry.exists() && Command::new("node").arg("--version").output().is_ok()).then_some(entry)
}

const PYTHON_SERVER: &str = r#"
from typing import Annotated

from mcp_types import CreateMessageResult, ListRootsResult, SamplingMessage, TextContent
from pydantic import BaseModel
from mcp.server.mcpserver import MCPServer, Elicit, ListRoots, Resolve, Sample

server = MCPServer("py-interop", instructions="A Python server.")

@server.tool()
def add(a: int, b: int) -> int:
    """Adds two numbers."""
    return a + b

class Person(BaseModel):
    name: str = "nobody"

def ask_person() -> Elicit[Person]:
    return Elicit("What is your name?", Person)

def ask_model() -> Sample:
    return Sample([SamplingMessage(role="user", content=TextContent(type="text", text="hi"))], max_tokens=10)

def ask_roots() -> ListRoots:
    return ListRoots()

@server.tool()
async def ask_name(person: Annotated[Person, Resolve(ask_person)]) -> str:
    """Asks the user for a name."""
    return f"accept:{person.name}"

@server.tool()
async def ask_all(
    person: Annotated[Person, Resolve(ask_person)],
    sampled: Annotated[CreateMessageResult, Resolve(ask_model)],
    roots: Annotated[ListRootsResult, Resolve(ask_roots)],
) -> str:
    """Asks for a name, a sample and the roots."""
    return f"{person.name}|{sampled.content.text}|{len(roots.roots)}"

@server.resource("test://hello")
def hello() -> str:
    return "hello from python"

@server.prompt()
def greet(name: str) -> str:
    return f"Hello, {name}!"

server.run()
"#;

fn first_text(result: &mcp_types::CallToolResult) -> String {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn python_sdk_server() {
    let Some(python) = tokio::task::spawn_blocking(python_with_mcp).await.unwrap() else {
        eprintln!("SKIPPED: python3 with the `mcp` package could not be installed");
        return;
    };
    let script = interop_dir().join("py_server.py");
    std::fs::write(&script, PYTHON_SERVER).unwrap();
    for choice in [
        VersionChoice::Auto,
        VersionChoice::Fixed(ProtocolVersion::V2025_11_25),
        VersionChoice::Fixed(ProtocolVersion::V2025_03_26),
    ] {
        let session = ClientSession::builder()
            .protocol_version(choice)
            .request_timeout(Duration::from_secs(30))
            .elicitation(|request| async move {
                Ok(accept_with_defaults(
                    &request,
                    [(
                        "name".to_owned(),
                        ElicitResultContentValue::String("Ada".into()),
                    )],
                ))
            })
            .sampling(|_request| async { Ok(sampled_text("rust-model", "sampled by rust")) })
            .roots(|| async {
                Ok(vec![
                    serde_json::from_value(json!({"uri": "file:///tmp"})).unwrap(),
                ])
            })
            .spawn_with(
                ChildProcess::builder(&python)
                    .arg(&script)
                    .stderr(Stderr::Null),
            )
            .await
            .unwrap_or_else(|e| panic!("{choice:?}: {e}"));
        let v = session.protocol_version();
        if let VersionChoice::Fixed(fixed) = choice {
            assert_eq!(v, fixed);
        }
        assert_eq!(
            session.server_info().map(|i| i.name).as_deref(),
            Some("py-interop"),
            "{v}"
        );
        let tools = session.list_all_tools().await.unwrap();
        assert!(tools.iter().any(|t| t.name == "add"), "{v}: {tools:?}");
        let sum = session
            .call_tool("add", json!({"a": 2, "b": 40}))
            .await
            .unwrap();
        assert_eq!(first_text(&sum), "42", "{v}");
        if v >= ProtocolVersion::V2025_06_18 {
            let asked = session.call_tool("ask_name", ()).await.unwrap();
            assert_eq!(first_text(&asked), "accept:Ada", "{v}");
            let all = session.call_tool("ask_all", ()).await.unwrap();
            assert_eq!(first_text(&all), "Ada|sampled by rust|1", "{v}");
        }
        let read = session.read_resource("test://hello").await.unwrap();
        match &read.contents[0] {
            TextOrBlobResourceContents::Text(t) => assert_eq!(t.text, "hello from python"),
            other => panic!("{v}: {other:?}"),
        }
        let prompts = session.list_all_prompts().await.unwrap();
        assert_eq!(prompts[0].name, "greet");
        let prompt = session
            .get_prompt("greet", json!({"name": "Bo"}))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&prompt.messages[0]).unwrap()["content"]["text"],
            "Hello, Bo!",
            "{v}"
        );
        session.close().await.unwrap();
        eprintln!("python interop ok at {v}");
    }
}

#[tokio::test]
async fn typescript_server_everything() {
    let Some(entry) = tokio::task::spawn_blocking(server_everything)
        .await
        .unwrap()
    else {
        eprintln!("SKIPPED: @modelcontextprotocol/server-everything could not be installed");
        return;
    };
    for choice in [
        VersionChoice::Auto,
        VersionChoice::Fixed(ProtocolVersion::V2025_06_18),
    ] {
        let session = ClientSession::builder()
            .protocol_version(choice)
            .request_timeout(Duration::from_secs(30))
            .sampling(|_request| async { Ok(sampled_text("rust-test-model", "sampled by rust")) })
            .spawn_with(
                ChildProcess::builder("node")
                    .arg(&entry)
                    .arg("stdio")
                    .stderr(Stderr::Null),
            )
            .await
            .unwrap_or_else(|e| panic!("{choice:?}: {e}"));
        let v = session.protocol_version();
        let tools = session.list_all_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
        assert!(names.contains(&"echo"), "{v}: {names:?}");
        let echoed = session
            .call_tool("echo", json!({"message": "hi from rust"}))
            .await
            .unwrap();
        assert!(
            first_text(&echoed).contains("hi from rust"),
            "{v}: {echoed:?}"
        );
        let resources = session.list_resources(None).await.unwrap();
        assert!(!resources.resources.is_empty(), "{v}");
        session
            .read_resource(&resources.resources[0].uri)
            .await
            .unwrap();
        let prompts = session.list_all_prompts().await.unwrap();
        assert!(!prompts.is_empty(), "{v}");
        session.ping().await.unwrap();
        session.close().await.unwrap();
        eprintln!("typescript interop ok at {v} ({} tools)", names.len());
    }
}
