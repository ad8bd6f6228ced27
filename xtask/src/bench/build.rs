//! Builds the servers under test, all with the `benchmark` profile (release
//! with fat LTO, declared the same in each manifest) into one target
//! directory: the rmcp server and the floors from their own workspaces under
//! `bench/`, and our `bench-server` example when some workspace member has it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// The target directory: `CARGO_TARGET_DIR` (relative to the repository root
/// when relative), else `<root>/target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn run(mut command: Command, what: &str) -> Result<(), Error> {
    eprintln!("bench: building {what}");
    let status = command
        .status()
        .map_err(|e| format!("running cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("building {what} failed ({status})").into())
    }
}

/// The Cargo profile every server under test is built with; its binaries
/// land in `<target>/benchmark/`.
pub(crate) const PROFILE: &str = "benchmark";

/// The external benchmark crates: `(manifest, what)`.
pub(crate) const EXTERNAL: [(&str, &str); 2] = [
    ("bench/rmcp-server/Cargo.toml", "the rmcp server"),
    ("bench/floor/Cargo.toml", "the floors"),
];

/// Builds xtask itself in release mode and runs `xtask bench <args>` from
/// there: the load generator measures servers and must not be the bottleneck.
pub(crate) fn rerun_in_release(
    root: &Path,
    target_dir: &Path,
    args: &[String],
) -> Result<(), Error> {
    let mut command = cargo();
    command
        .current_dir(root)
        .args(["build", "--quiet", "--release", "-p", "xtask"])
        .arg("--target-dir")
        .arg(target_dir);
    run(command, "the load generator (xtask, release)")?;
    let status = Command::new(target_dir.join("release").join("xtask"))
        .current_dir(root)
        .arg("bench")
        .args(args)
        .status()
        .map_err(|e| format!("running the release xtask: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the benchmark run failed ({status})").into())
    }
}

/// The package of the workspace that has an example target named
/// `bench-server`, from `cargo metadata` output.
pub(crate) fn bench_server_package(metadata: &serde_json::Value) -> Option<String> {
    metadata["packages"].as_array()?.iter().find_map(|package| {
        let has_it = package["targets"].as_array()?.iter().any(|target| {
            target["name"] == "bench-server"
                && target["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k == "example"))
        });
        has_it.then(|| package["name"].as_str().map(str::to_owned))?
    })
}

/// What became of our `bench-server` example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ours {
    /// Built.
    Built,
    /// No workspace member has it (yet).
    Absent,
    /// Its build failed (the workspace may be mid-edit); the message says so.
    Failed(String),
}

/// Builds everything. The comparison servers must build; our example may be
/// absent or fail to build, which the caller decides about.
pub(crate) fn build_all(root: &Path, target_dir: &Path) -> Result<Ours, Error> {
    for (manifest, what) in EXTERNAL {
        let mut command = cargo();
        command
            .current_dir(root)
            .args(["build", "--profile", PROFILE, "--manifest-path", manifest])
            .arg("--target-dir")
            .arg(target_dir);
        run(command, what)?;
    }
    let metadata = cargo()
        .current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !metadata.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&metadata.stderr)
        )
        .into());
    }
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout)?;
    let Some(package) = bench_server_package(&metadata) else {
        eprintln!("bench: no workspace member has a `bench-server` example yet; skipping it");
        return Ok(Ours::Absent);
    };
    let mut command = cargo();
    command
        .current_dir(root)
        .args([
            "build",
            "--profile",
            PROFILE,
            "-p",
            &package,
            "--example",
            "bench-server",
        ])
        .arg("--target-dir")
        .arg(target_dir);
    Ok(
        match run(command, &format!("{package}'s bench-server example")) {
            Ok(()) => Ours::Built,
            Err(e) => Ours::Failed(e.to_string()),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_package_with_the_example() {
        let metadata = serde_json::json!({"packages": [
            {"name": "a", "targets": [{"name": "bench-server", "kind": ["bin"]}]},
            {"name": "b", "targets": [{"name": "x", "kind": ["example"]},
                                      {"name": "bench-server", "kind": ["example"]}]}
        ]});
        assert_eq!(bench_server_package(&metadata).as_deref(), Some("b"));
        assert_eq!(
            bench_server_package(&serde_json::json!({"packages": []})),
            None
        );
    }
}
