//! Building a server with cargo and finding the executable it made, from
//! the `compiler-artifact` messages of `--message-format=json`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::{CliError, Result};

/// Whether the target is an example or a binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetKind {
    /// `--example`.
    Example,
    /// `--bin`.
    Bin,
}

impl TargetKind {
    /// The word cargo uses, in flags (`--example`) and in `target.kind`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TargetKind::Example => "example",
            TargetKind::Bin => "bin",
        }
    }
}

/// One executable to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuildRequest {
    /// Example or binary.
    pub(crate) kind: TargetKind,
    /// Its name.
    pub(crate) name: String,
    /// `-p`.
    pub(crate) package: Option<String>,
    /// `--manifest-path`.
    pub(crate) manifest_path: Option<PathBuf>,
}

impl BuildRequest {
    /// "example echo", for messages.
    pub(crate) fn describe(&self) -> String {
        format!("{} `{}`", self.kind.as_str(), self.name)
    }

    /// The arguments of `cargo` that build it.
    pub(crate) fn cargo_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "build".into(),
            "--message-format=json-render-diagnostics".into(),
            format!("--{}", self.kind.as_str()).into(),
            self.name.clone().into(),
        ];
        if let Some(package) = &self.package {
            args.push("--package".into());
            args.push(package.into());
        }
        if let Some(manifest) = &self.manifest_path {
            args.push("--manifest-path".into());
            args.push(manifest.into());
        }
        args
    }
}

/// The parts of a cargo JSON message this needs.
#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    #[serde(default)]
    kind: Vec<String>,
}

/// The executable of `request` among cargo's JSON messages (one a line;
/// lines that are not JSON are skipped). The last matching artifact wins.
pub(crate) fn find_executable(messages: &str, request: &BuildRequest) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Message>(line).ok())
        .filter(|m| m.reason == "compiler-artifact")
        .filter(|m| {
            m.target.as_ref().is_some_and(|t| {
                t.name == request.name && t.kind.iter().any(|k| k == request.kind.as_str())
            })
        })
        .filter_map(|m| m.executable)
        .next_back()
}

/// The cargo to run: `$CARGO` (set when running under cargo) or `cargo`.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Builds `request` (cargo's progress and errors go to stderr) and returns
/// the absolute path of the executable.
pub(crate) fn build(request: &BuildRequest) -> Result<PathBuf> {
    eprintln!("Building {}…", request.describe());
    let cargo = cargo();
    let output = Command::new(&cargo)
        .args(request.cargo_args())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| CliError::CargoMissing {
            cargo: cargo.to_string_lossy().into_owned(),
            source,
        })?;
    if !output.status.success() {
        return Err(CliError::BuildFailed(output.status.to_string()));
    }
    let messages = String::from_utf8_lossy(&output.stdout);
    let exe = find_executable(&messages, request)
        .ok_or_else(|| CliError::NoArtifact(request.describe()))?;
    absolute(&exe)
}

/// `path` made absolute against the current directory.
pub(crate) fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| CliError::io(format!("resolving {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: TargetKind, name: &str) -> BuildRequest {
        BuildRequest {
            kind,
            name: name.into(),
            package: None,
            manifest_path: None,
        }
    }

    const MESSAGES: &str = r#"{"reason":"compiler-artifact","target":{"name":"mcp_server","kind":["lib"]},"executable":null}
not json at all
{"reason":"compiler-artifact","target":{"name":"echo","kind":["example"]},"executable":"/t/debug/examples/echo","fresh":true}
{"reason":"compiler-artifact","target":{"name":"echo","kind":["bin"]},"executable":"/t/debug/echo"}
{"reason":"build-finished","success":true}"#;

    #[test]
    fn the_artifact_is_found_by_name_and_kind() {
        assert_eq!(
            find_executable(MESSAGES, &request(TargetKind::Example, "echo")),
            Some(PathBuf::from("/t/debug/examples/echo"))
        );
        assert_eq!(
            find_executable(MESSAGES, &request(TargetKind::Bin, "echo")),
            Some(PathBuf::from("/t/debug/echo"))
        );
        assert_eq!(
            find_executable(MESSAGES, &request(TargetKind::Bin, "mcp_server")),
            None
        );
        assert_eq!(find_executable("", &request(TargetKind::Bin, "x")), None);
    }

    #[test]
    fn cargo_args_name_the_target() {
        let mut r = request(TargetKind::Example, "echo");
        r.package = Some("mcp-examples".into());
        let args: Vec<String> = r
            .cargo_args()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "build",
                "--message-format=json-render-diagnostics",
                "--example",
                "echo",
                "--package",
                "mcp-examples"
            ]
        );
    }
}
