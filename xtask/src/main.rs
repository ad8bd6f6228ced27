//! Project automation, run as `cargo xtask <command>`.
//!
//! | command | what it does |
//! | --- | --- |
//! | `codegen [--check]` | regenerates `mcp-types/src/generated/` from `../shared/mcp-schema` |
//! | `conformance` | runs the official conformance suite against the everything-server/-client |
//! | `bench` | runs the benchmarks side by side with rmcp and writes `BENCHMARKS.md` |
//! | `test` | the whole test suite: `cargo test --workspace`, then the conformance suite |

mod bench;
mod codegen;
mod conformance;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match command {
        "codegen" => codegen::run(rest),
        "conformance" => conformance::run(rest),
        "bench" => bench::run(rest),
        "test" => test(rest),
        _ => {
            eprintln!("usage: cargo xtask <codegen [--check] | conformance | bench | test>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The error type of every xtask command: a message for the person running it.
pub(crate) type Error = Box<dyn std::error::Error + Send + Sync>;

/// The repository root (the parent of `xtask/`).
pub(crate) fn project_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the root")
        .to_path_buf()
}

/// `cargo xtask test`: every test of the workspace, then the conformance suite.
fn test(args: &[String]) -> Result<(), Error> {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["test", "--workspace", "--all-features"])
        .current_dir(project_root())
        .status()?;
    if !status.success() {
        return Err("cargo test failed".into());
    }
    conformance::run(args)
}
