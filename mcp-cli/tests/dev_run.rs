//! `mcp dev` up to the Inspector's command line (without Node or a browser),
//! `mcp run` over stdio and HTTP, and `mcp version`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use common::{Running, example, free_port, mcp, run, stderr, stdout};

#[test]
fn dev_builds_and_prints_the_inspector_command() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join(".env");
    std::fs::write(&env_file, "FROM_FILE=yes\n").unwrap();
    let out = run(&[
        "dev",
        "--print",
        "--example",
        "echo",
        "-p",
        "mcp-examples",
        "-f",
        env_file.to_str().unwrap(),
        "-v",
        "API_KEY=a b",
        "--",
        "--verbose",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Building example `echo`…"),
        "{}",
        stderr(&out)
    );
    let line = stdout(&out);
    let echo = example("echo");
    let expected = format!(
        "@modelcontextprotocol/inspector -e FROM_FILE=yes -e 'API_KEY=a b' -- {} --verbose\n",
        echo.display()
    );
    assert!(line.ends_with(&expected), "{line}");
    assert!(
        line.starts_with("npx ") || line.split(' ').next().unwrap().ends_with("npx"),
        "{line}"
    );
}

#[test]
fn dev_with_a_command_needs_no_build() {
    let out = run(&["dev", "--print", "--", common::MCP, "serve"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with(&format!("-- {} serve\n", common::MCP)),
        "{}",
        stdout(&out)
    );
    assert!(!stderr(&out).contains("Building"));
}

#[test]
fn dev_without_npx_says_to_install_node() {
    let empty = tempfile::tempdir().unwrap();
    let out = mcp(&["dev", "--", common::MCP])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("install Node.js 22 from https://nodejs.org"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn run_serves_stdio_in_this_terminal() {
    let mut child = mcp(&["run", "--example", "echo", "-p", "mcp-examples"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"t","version":"0"}}}}}}"#
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(answer["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(answer["result"]["serverInfo"]["name"], "Echo");
    assert!(status.success());
}

#[test]
fn run_passes_the_http_port_the_way_the_examples_take_it() {
    // Built first, so that waiting for the port does not wait for cargo.
    example("everything-server");
    let port = free_port();
    let mut server = Running(
        mcp(&[
            "run",
            "--example",
            "everything-server",
            "-p",
            "mcp-examples",
            "--transport",
            "http",
            "--port",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap(),
    );
    server.wait_for_port(port);
    let out = run(&[
        "tools",
        "call",
        "test_simple_text",
        "--url",
        &format!("http://127.0.0.1:{port}/mcp"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("simple text response"));
}

#[test]
fn version_names_the_revisions() {
    for args in [&["version"][..], &["--version"][..]] {
        let out = run(args);
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(
            text.starts_with(concat!("mcp ", env!("CARGO_PKG_VERSION"), "\n")),
            "{text}"
        );
        assert!(
            text.contains("2024-11-05") && text.contains("2026-07-28"),
            "{text}"
        );
    }
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
}

/// Without `--print`, `mcp dev` runs the line with the `npx` on the PATH
/// (here a stand-in script that records its arguments and exits 7).
#[cfg(unix)]
#[test]
fn dev_runs_npx_from_the_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("args.txt");
    let npx = dir.path().join("npx");
    std::fs::write(
        &npx,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nexit 7\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&npx, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(std::iter::once(dir.path().to_owned()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let out = mcp(&["dev", "-v", "K=V", "--", common::MCP, "serve"])
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "the Inspector's exit code is passed on"
    );
    assert!(
        stderr(&out).contains("Starting the MCP Inspector"),
        "{}",
        stderr(&out)
    );
    let args = std::fs::read_to_string(&record).unwrap();
    assert_eq!(
        args,
        format!(
            "@modelcontextprotocol/inspector\n-e\nK=V\n--\n{}\nserve\n",
            common::MCP
        )
    );
}
