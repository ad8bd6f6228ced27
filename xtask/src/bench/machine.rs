//! What the report says about where and with what it ran: the machine, the
//! toolchain, the crate versions and the date.

use std::path::Path;
use std::process::Command;

/// Facts about the run, for `BENCHMARKS.md`.
#[derive(Debug, Clone)]
pub(crate) struct Machine {
    /// `nproc`.
    pub(crate) cpus: usize,
    /// `model name` of `/proc/cpuinfo`.
    pub(crate) cpu_model: String,
    /// `/proc/sys/kernel/osrelease`.
    pub(crate) kernel: String,
    /// `rustc --version`.
    pub(crate) rustc: String,
    /// UTC date and time.
    pub(crate) date: String,
    /// `git rev-parse --short HEAD`, `+dirty` when the tree has changes.
    pub(crate) commit: String,
    /// `(crate, version)` of the comparison servers' key dependencies.
    pub(crate) versions: Vec<(String, String)>,
}

/// The CPU model named in `/proc/cpuinfo` text.
pub(crate) fn cpu_model(cpuinfo: &str) -> Option<String> {
    ["model name", "Model", "Hardware", "cpu model"]
        .iter()
        .find_map(|key| {
            cpuinfo.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                (name.trim() == *key && !value.trim().is_empty()).then(|| value.trim().to_owned())
            })
        })
}

/// The version `Cargo.lock` text pins for package `name` (the first entry).
pub(crate) fn lock_version(lock: &str, name: &str) -> Option<String> {
    let header = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == header {
            let version = lines.next()?.trim().strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_owned());
        }
    }
    None
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

impl Machine {
    /// Gathers the facts (anything unknown reads `unknown`).
    pub(crate) fn describe(root: &Path) -> Self {
        let unknown = || "unknown".to_owned();
        let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let commit = command_line(
            "git",
            &[
                "-C",
                &root.to_string_lossy(),
                "rev-parse",
                "--short",
                "HEAD",
            ],
        )
        .map(|commit| {
            let dirty = command_line(
                "git",
                &["-C", &root.to_string_lossy(), "status", "--porcelain"],
            )
            .is_some_and(|status| !status.is_empty());
            if dirty {
                format!("{commit}+dirty")
            } else {
                commit
            }
        })
        .unwrap_or_else(unknown);
        let mut versions = Vec::new();
        for (lock, names) in [
            (
                "bench/rmcp-server/Cargo.lock",
                &["rmcp", "axum", "tokio"][..],
            ),
            ("bench/floor/Cargo.lock", &["hyper", "serde_json"][..]),
        ] {
            let text = read(&root.join(lock));
            for name in names {
                let version = lock_version(&text, name).unwrap_or_else(unknown);
                let label = match (*name, lock.contains("floor")) {
                    ("tokio", _) => "tokio (servers)".to_owned(),
                    ("serde_json", true) => "serde_json (floor)".to_owned(),
                    _ => (*name).to_owned(),
                };
                versions.push((label, version));
            }
        }
        Machine {
            cpus,
            cpu_model: cpu_model(&read(Path::new("/proc/cpuinfo"))).unwrap_or_else(unknown),
            kernel: read(Path::new("/proc/sys/kernel/osrelease"))
                .trim()
                .to_owned(),
            rustc: command_line("rustc", &["--version"]).unwrap_or_else(unknown),
            date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(unknown),
            commit,
            versions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_model_from_cpuinfo() {
        let x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n\
                   model name\t: AMD EPYC 9R14\nflags\t: fpu\n";
        assert_eq!(cpu_model(x86).as_deref(), Some("AMD EPYC 9R14"));
        let arm = "processor\t: 0\nBogoMIPS\t: 50.00\nModel\t: Raspberry Pi 4\n";
        assert_eq!(cpu_model(arm).as_deref(), Some("Raspberry Pi 4"));
        assert_eq!(cpu_model(""), None);
    }

    #[test]
    fn versions_from_a_lockfile() {
        let lock = "[[package]]\nname = \"rmcp\"\nversion = \"3.11.0\"\n\
                    source = \"registry\"\n\n[[package]]\nname = \"rmcp-macros\"\n\
                    version = \"3.11.1\"\n";
        assert_eq!(lock_version(lock, "rmcp").as_deref(), Some("3.11.0"));
        assert_eq!(lock_version(lock, "rmcp-macros").as_deref(), Some("3.11.1"));
        assert_eq!(lock_version(lock, "hyper"), None);
    }
}
