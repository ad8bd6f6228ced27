//! `mcp install` against temporary configuration files: a new file, a file
//! with other servers and keys, updating an entry, the backup, and a
//! malformed file left untouched.

mod common;

use std::fs;

use common::{run, stderr, stdout};
use serde_json::{Value, json};

/// A command that exists (the `mcp` binary itself), so no build is needed.
fn server() -> String {
    common::MCP.to_owned()
}

fn read(path: &std::path::Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_new_file_gets_the_entry_with_absolute_paths_and_env() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("Claude").join("claude_desktop_config.json");
    let env_file = dir.path().join(".env");
    fs::write(&env_file, "FROM_FILE=1\nTOKEN=file\n").unwrap();
    let out = run(&[
        "install",
        "--name",
        "my server",
        "--config",
        config.to_str().unwrap(),
        "-f",
        env_file.to_str().unwrap(),
        "-v",
        "TOKEN=cli",
        "--",
        &server(),
        "serve",
        "--stdio",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Added server `my server`"),
        "{}",
        stdout(&out)
    );
    let value = read(&config);
    assert_eq!(
        value,
        json!({"mcpServers": {"my server": {
            "command": server(),
            "args": ["serve", "--stdio"],
            "env": {"FROM_FILE": "1", "TOKEN": "cli"}
        }}})
    );
    assert!(
        !dir.path()
            .join("Claude/claude_desktop_config.json.bak")
            .exists()
    );
}

#[test]
fn other_servers_and_keys_are_kept_and_an_entry_is_updated() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("claude_desktop_config.json");
    let original = r#"{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "weather": {
      "command": "/usr/bin/weather",
      "args": []
    },
    "mine": {
      "command": "/old/path",
      "args": ["--old"],
      "env": {"KEEP": "yes", "TOKEN": "old"},
      "disabled": false
    }
  },
  "another": {"z": 1, "a": 2}
}
"#;
    fs::write(&config, original).unwrap();
    let out = run(&[
        "install",
        "--name",
        "mine",
        "--config",
        config.to_str().unwrap(),
        "-v",
        "TOKEN=new",
        "--",
        &server(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Updated server `mine`"),
        "{}",
        stdout(&out)
    );
    // The backup is the old file, byte for byte.
    let backup = dir.path().join("claude_desktop_config.json.bak");
    assert_eq!(fs::read_to_string(&backup).unwrap(), original);
    let text = fs::read_to_string(&config).unwrap();
    // Untouched parts keep their text and their order.
    assert!(text.starts_with("{\n  \"globalShortcut\": \"Ctrl+Space\",\n  \"mcpServers\": {\n    \"weather\": {\n      \"command\": \"/usr/bin/weather\",\n      \"args\": []\n    },\n    \"mine\": {"), "{text}");
    assert!(
        text.ends_with("  \"another\": {\"z\": 1, \"a\": 2}\n}\n"),
        "{text}"
    );
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["mcpServers"]["mine"],
        json!({"command": server(), "args": [], "env": {"KEEP": "yes", "TOKEN": "new"}, "disabled": false})
    );
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3);

    // A second server is added after the others.
    let out = run(&[
        "install",
        "--config",
        config.to_str().unwrap(),
        "--",
        &server(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let value = read(&config);
    let names: Vec<&str> = value["mcpServers"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names.len(), 3);
    assert_eq!(value["mcpServers"]["mcp"]["command"], server());
    assert_eq!(fs::read_to_string(&backup).unwrap(), text);
}

#[test]
fn a_malformed_file_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("claude_desktop_config.json");
    let broken = b"{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\",}\n  }\n}\n";
    fs::write(&config, broken).unwrap();
    let out = run(&[
        "install",
        "--config",
        config.to_str().unwrap(),
        "--",
        &server(),
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(config.to_str().unwrap()), "{err}");
    assert!(err.contains("line 3 column"), "{err}");
    assert!(err.contains("left untouched"), "{err}");
    assert_eq!(fs::read(&config).unwrap(), broken);
    assert!(!dir.path().join("claude_desktop_config.json.bak").exists());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no stray files"
    );
}

#[test]
fn an_example_is_built_and_installed() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("claude_desktop_config.json");
    let out = run(&[
        "install",
        "--example",
        "echo",
        "-p",
        "mcp-examples",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Building example `echo`"),
        "{}",
        stderr(&out)
    );
    let value = read(&config);
    let command = value["mcpServers"]["echo"]["command"].as_str().unwrap();
    let path = std::path::Path::new(command);
    assert!(path.is_absolute() && path.is_file(), "{command}");
    assert_eq!(path, common::example("echo"));
}

#[test]
fn bad_input_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.json");
    let config = config.to_str().unwrap();
    let out = run(&["install", "--config", config]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--example NAME, --bin NAME or `-- COMMAND"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "install",
        "--config",
        config,
        "-v",
        "NOEQUALS",
        "--",
        &server(),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("KEY=VALUE"), "{}", stderr(&out));
    let out = run(&["install", "--config", config, "--", "./no/such/server"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("was not found"), "{}", stderr(&out));
    let out = run(&[
        "install",
        "--example",
        "no-such-example",
        "-p",
        "mcp-examples",
        "--config",
        config,
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cargo build` failed"),
        "{}",
        stderr(&out)
    );
    assert!(!std::path::Path::new(config).exists());
}

/// Without `--config`, the file is Claude Desktop's (here, on Linux,
/// `$XDG_CONFIG_HOME/Claude/claude_desktop_config.json`), and only once its
/// folder exists.
#[cfg(target_os = "linux")]
#[test]
fn the_default_file_is_claude_desktops() {
    let home = tempfile::tempdir().unwrap();
    let install = || {
        common::mcp(&["install", "--", &server()])
            .env("XDG_CONFIG_HOME", home.path())
            .output()
            .unwrap()
    };
    let out = install();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("install and start Claude Desktop once, or pass --config"),
        "{}",
        stderr(&out)
    );
    fs::create_dir(home.path().join("Claude")).unwrap();
    let out = install();
    assert!(out.status.success(), "{}", stderr(&out));
    let value = read(&home.path().join("Claude/claude_desktop_config.json"));
    assert_eq!(value["mcpServers"]["mcp"]["command"], server());
}
