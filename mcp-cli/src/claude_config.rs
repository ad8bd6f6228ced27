//! Claude Desktop's `claude_desktop_config.json`: where it lives, and adding
//! or updating one entry under `mcpServers` while keeping everything else as
//! it was.
//!
//! The file is read as maps of raw JSON text, so entries and top-level keys
//! this does not touch keep their order and their exact text; only the
//! installed entry is written anew. The old file is copied to
//! `claude_desktop_config.json.bak` and the new one is written to a temporary
//! file that is then renamed over it, so a crash leaves one or the other. A
//! file that is not valid JSON is never overwritten.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{CliError, Result};

/// The file's name.
pub(crate) const FILE_NAME: &str = "claude_desktop_config.json";

/// Where Claude Desktop keeps its configuration: `~/Library/Application
/// Support/Claude` on macOS, `%APPDATA%\Claude` on Windows,
/// `$XDG_CONFIG_HOME/Claude` (or `~/.config/Claude`) on Linux.
pub(crate) fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("Claude").join(FILE_NAME))
}

/// What to write for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerEntry {
    /// The program, an absolute path.
    pub(crate) command: String,
    /// Its arguments.
    pub(crate) args: Vec<String>,
    /// Environment variables, merged into an existing entry's.
    pub(crate) env: IndexMap<String, String>,
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Whether an entry of that name was replaced.
    pub(crate) updated: bool,
    /// The copy of the previous file, if there was one.
    pub(crate) backup: Option<PathBuf>,
}

/// A JSON tree whose untouched parts stay raw text.
enum Node {
    /// Text from the old file, written back verbatim.
    Raw(Box<RawValue>),
    /// A new value, pretty-printed.
    Value(Value),
    /// An object, key order kept.
    Object(IndexMap<String, Node>),
}

type RawMap = IndexMap<String, Box<RawValue>>;

fn raw_object(map: RawMap) -> IndexMap<String, Node> {
    map.into_iter().map(|(k, v)| (k, Node::Raw(v))).collect()
}

/// The new text of the configuration `old` (none: a new file) with `entry`
/// installed as `name`, and whether an entry of that name existed. Errors
/// are messages about the file's content.
pub(crate) fn updated_text(
    old: Option<&str>,
    name: &str,
    entry: &ServerEntry,
) -> std::result::Result<(String, bool), String> {
    let mut top: IndexMap<String, Node> = match old {
        Some(text) if !text.trim().is_empty() => {
            let map: RawMap = serde_json::from_str(text).map_err(|e| {
                format!("not valid JSON ({e}); fix or move the file, it was left untouched")
            })?;
            raw_object(map)
        }
        _ => IndexMap::new(),
    };
    let (servers_index, mut servers) = match top.shift_remove_full("mcpServers") {
        Some((index, _, Node::Raw(raw))) => {
            let map: RawMap = serde_json::from_str(raw.get()).map_err(|_| {
                "`mcpServers` is not a JSON object; fix it, the file was left untouched".to_owned()
            })?;
            (Some(index), raw_object(map))
        }
        _ => (None, IndexMap::new()),
    };
    let existing = servers.shift_remove_full(name);
    let updated = existing.is_some();
    let (entry_index, mut fields) = match existing {
        Some((index, _, Node::Raw(raw))) => (
            Some(index),
            serde_json::from_str::<RawMap>(raw.get())
                .map(raw_object)
                .unwrap_or_default(),
        ),
        Some((index, _, _)) => (Some(index), IndexMap::new()),
        None => (None, IndexMap::new()),
    };
    fields.insert(
        "command".into(),
        Node::Value(Value::String(entry.command.clone())),
    );
    fields.insert(
        "args".into(),
        Node::Value(Value::Array(
            entry.args.iter().cloned().map(Value::String).collect(),
        )),
    );
    let mut env = match fields.get("env") {
        Some(Node::Raw(raw)) => serde_json::from_str::<RawMap>(raw.get())
            .map(raw_object)
            .unwrap_or_default(),
        _ => IndexMap::new(),
    };
    for (key, value) in &entry.env {
        env.insert(key.clone(), Node::Value(Value::String(value.clone())));
    }
    if !env.is_empty() {
        fields.insert("env".into(), Node::Object(env));
    }
    insert_at(&mut servers, entry_index, name, Node::Object(fields));
    insert_at(&mut top, servers_index, "mcpServers", Node::Object(servers));
    let mut out = String::new();
    write_node(&Node::Object(top), 0, &mut out);
    out.push('\n');
    Ok((out, updated))
}

/// Inserts `key` at `index` (where it was before), or at the end.
fn insert_at(map: &mut IndexMap<String, Node>, index: Option<usize>, key: &str, node: Node) {
    match index {
        Some(index) if index <= map.len() => {
            map.shift_insert(index, key.to_owned(), node);
        }
        _ => {
            map.insert(key.to_owned(), node);
        }
    }
}

/// Writes `node` at nesting `depth` (two spaces a level).
fn write_node(node: &Node, depth: usize, out: &mut String) {
    match node {
        Node::Raw(raw) => out.push_str(raw.get()),
        Node::Value(value) => {
            let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
            out.push_str(&indent_after_first_line(&text, depth));
        }
        Node::Object(map) if map.is_empty() => out.push_str("{}"),
        Node::Object(map) => {
            out.push_str("{\n");
            for (i, (key, child)) in map.iter().enumerate() {
                out.push_str(&"  ".repeat(depth + 1));
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_node(child, depth + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&"  ".repeat(depth));
            out.push('}');
        }
    }
}

fn indent_after_first_line(text: &str, depth: usize) -> String {
    let pad = "  ".repeat(depth);
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or_default().to_owned();
    for line in lines {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(line);
    }
    out
}

/// Installs `entry` as `name` in the file at `path` (created, with its
/// folder, if missing).
pub(crate) fn install(path: &Path, name: &str, entry: &ServerEntry) -> Result<Outcome> {
    let config_error = |message: String| CliError::Config {
        path: path.to_owned(),
        message,
    };
    let old = match fs::read(path) {
        Ok(bytes) => Some(
            String::from_utf8(bytes)
                .map_err(|_| config_error("not UTF-8 text; the file was left untouched".into()))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(CliError::io(format!("reading {}", path.display()), e)),
    };
    let (text, updated) = updated_text(old.as_deref(), name, entry).map_err(config_error)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| CliError::io(format!("creating {}", dir.display()), e))?;
    let backup = match old {
        Some(_) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".bak");
            let backup = PathBuf::from(name);
            fs::copy(path, &backup)
                .map_err(|e| CliError::io(format!("backing up to {}", backup.display()), e))?;
            Some(backup)
        }
        None => None,
    };
    write_atomically(path, &dir, text.as_bytes())?;
    Ok(Outcome { updated, backup })
}

/// Writes `bytes` to a temporary file in `dir` and renames it to `path`.
fn write_atomically(path: &Path, dir: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| FILE_NAME.to_owned());
    let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&temp, meta.permissions())?;
        }
        fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&temp);
        CliError::io(format!("writing {}", path.display()), e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(command: &str, env: &[(&str, &str)]) -> ServerEntry {
        ServerEntry {
            command: command.into(),
            args: vec!["--stdio".into()],
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_new_file_gets_one_entry() {
        let (text, updated) =
            updated_text(None, "echo", &entry("/bin/echo", &[("A", "1")])).unwrap();
        assert!(!updated);
        assert_eq!(
            text,
            "{\n  \"mcpServers\": {\n    \"echo\": {\n      \"command\": \"/bin/echo\",\n      \"args\": [\n        \"--stdio\"\n      ],\n      \"env\": {\n        \"A\": \"1\"\n      }\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn other_keys_and_entries_keep_their_text_and_order() {
        let old = "{\n  \"zeta\": {\"b\": 1, \"a\": 2},\n  \"mcpServers\": {\n    \"other\": {\"command\": \"x\"},\n    \"echo\": {\"command\": \"old\", \"disabled\": true, \"env\": {\"KEEP\": \"k\", \"A\": \"0\"}}\n  },\n  \"alpha\": []\n}\n";
        let (text, updated) =
            updated_text(Some(old), "echo", &entry("/new", &[("A", "1")])).unwrap();
        assert!(updated);
        assert!(text.starts_with("{\n  \"zeta\": {\"b\": 1, \"a\": 2},\n  \"mcpServers\": {\n    \"other\": {\"command\": \"x\"},\n"), "{text}");
        assert!(text.ends_with("  },\n  \"alpha\": []\n}\n"), "{text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        let echo = &value["mcpServers"]["echo"];
        assert_eq!(echo["command"], "/new");
        assert_eq!(echo["disabled"], true);
        assert_eq!(echo["env"], serde_json::json!({"KEEP": "k", "A": "1"}));
    }

    #[test]
    fn malformed_files_are_refused_with_the_position() {
        let err =
            updated_text(Some("{\n  \"mcpServers\": {,\n}"), "x", &entry("/x", &[])).unwrap_err();
        assert!(err.contains("line 2 column"), "{err}");
        assert!(updated_text(Some("[1, 2]"), "x", &entry("/x", &[])).is_err());
        assert!(updated_text(Some("{\"mcpServers\": 3}"), "x", &entry("/x", &[])).is_err());
    }
}
