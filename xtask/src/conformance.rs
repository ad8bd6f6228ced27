//! `cargo xtask conformance`: runs the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`, pinned in [`suite::SUITE_VERSION`])
//! against the SDK's everything-server and everything-client examples and
//! compares the outcome with `conformance/expected-failures.yml`.
//!
//! Steps: install Node 22 and the suite from npm into `<target>/conformance`
//! (once); build the examples in release; start `everything-server --port
//! <free port>` and run the server sets against `http://127.0.0.1:<port>/mcp`;
//! run the client sets with `everything-client` as the client command; then
//! report, per set, the suite's own totals, every regression (a failure the
//! baseline does not list) and every stale entry (a listed failure that
//! passes now). Either fails the run. Child processes run in process groups
//! of their own and are stopped on exit, error, panic, or SIGINT/SIGTERM.
//!
//! The sets, per leg (server, client):
//!
//! | set | suite invocation |
//! | --- | --- |
//! | `requirements-2025-11-25` | `--requirements 2025-11-25` |
//! | `requirements-2026-07-28` | `--requirements 2026-07-28` |
//! | `suite-all` | `--suite all` |
//! | `extensions` | `--scenario <s>` for each scenario `list` tags `[extension]` |
//!
//! With `--scenario NAME` each set that runs NAME runs only it
//! (`--scenario NAME`, plus `--spec-version <rev> --force` for a requirement
//! set: the same wire and selection `--requirements` uses).

mod baseline;
mod process;
mod results;
mod suite;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use self::baseline::{Baseline, Verdict};
use self::process::{Guarded, Reaper};
use self::results::Check;
use self::suite::{Catalog, Suite};
use crate::Error;

/// The baseline, relative to the repository root.
const BASELINE: &str = "conformance/expected-failures.yml";
/// Time limit of one suite run over a whole set.
const SET_LIMIT: Duration = Duration::from_secs(45 * 60);
/// Time limit of one single-scenario suite run.
const SCENARIO_LIMIT: Duration = Duration::from_secs(5 * 60);
/// How long the everything-server gets to accept connections.
const SERVER_START_LIMIT: Duration = Duration::from_secs(60);

const USAGE: &str = "\
usage: cargo xtask conformance [--server-only | --client-only] [--scenario NAME]
                               [--set SET]... [--server-url URL] [--client-command CMD]
                               [--no-build]

Runs the MCP conformance suite against the everything-server / everything-client
examples and compares the result with conformance/expected-failures.yml.

  --server-only         run only the server sets
  --client-only         run only the client sets
  --scenario NAME       run only this scenario, in every set that has it
  --set SET             run only this set (repeatable): requirements-2025-11-25,
                        requirements-2026-07-28, suite-all, extensions
  --server-url URL      test this running server instead of everything-server
  --client-command CMD  test this client command instead of everything-client
  --no-build            use the examples as last built (skip cargo build)
";

/// The two sides the suite tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Leg {
    Server,
    Client,
}

impl Leg {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "server" => Some(Leg::Server),
            "client" => Some(Leg::Client),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Leg::Server => "server",
            Leg::Client => "client",
        }
    }
}

/// A group of scenarios run, and judged, together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum SetName {
    Requirements20251125,
    Requirements20260728,
    SuiteAll,
    Extensions,
}

impl SetName {
    const ALL: [SetName; 4] = [
        SetName::Requirements20251125,
        SetName::Requirements20260728,
        SetName::SuiteAll,
        SetName::Extensions,
    ];

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|set| set.as_str() == name)
    }

    fn as_str(self) -> &'static str {
        match self {
            SetName::Requirements20251125 => "requirements-2025-11-25",
            SetName::Requirements20260728 => "requirements-2026-07-28",
            SetName::SuiteAll => "suite-all",
            SetName::Extensions => "extensions",
        }
    }

    /// The spec revision of a requirement set.
    fn revision(self) -> Option<&'static str> {
        match self {
            SetName::Requirements20251125 => Some(suite::REVISIONS[0]),
            SetName::Requirements20260728 => Some(suite::REVISIONS[1]),
            SetName::SuiteAll | SetName::Extensions => None,
        }
    }
}

/// Command-line options.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Options {
    legs: Vec<Leg>,
    sets: Vec<SetName>,
    scenario: Option<String>,
    server_url: Option<String>,
    client_command: Option<String>,
    build: bool,
}

impl Options {
    /// `None` for `--help`.
    fn parse(args: &[String]) -> Result<Option<Self>, String> {
        let mut options = Options {
            legs: vec![Leg::Server, Leg::Client],
            sets: Vec::new(),
            scenario: None,
            server_url: None,
            client_command: None,
            build: true,
        };
        let mut only: Option<Leg> = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next().cloned())
                    .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))
            };
            match flag {
                "-h" | "--help" => return Ok(None),
                "--server-only" | "--client-only" => {
                    let leg = if flag == "--server-only" {
                        Leg::Server
                    } else {
                        Leg::Client
                    };
                    if only.is_some_and(|other| other != leg) {
                        return Err("--server-only and --client-only exclude each other".into());
                    }
                    only = Some(leg);
                }
                "--scenario" => options.scenario = Some(value()?),
                "--set" => {
                    for name in value()?.split(',') {
                        let set = SetName::parse(name.trim()).ok_or_else(|| {
                            format!(
                                "unknown set `{name}`; the sets are {}",
                                SetName::ALL.map(SetName::as_str).join(", ")
                            )
                        })?;
                        if !options.sets.contains(&set) {
                            options.sets.push(set);
                        }
                    }
                }
                "--server-url" => options.server_url = Some(value()?),
                "--client-command" => options.client_command = Some(value()?),
                "--no-build" => options.build = false,
                _ => return Err(format!("unknown argument `{arg}`\n\n{USAGE}")),
            }
        }
        if let Some(leg) = only {
            options.legs = vec![leg];
        }
        if options.sets.is_empty() {
            options.sets = SetName::ALL.to_vec();
        }
        options.sets.sort();
        Ok(Some(options))
    }
}

/// One suite invocation of a set.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Invocation {
    /// The single scenario it runs, if it runs one.
    scenario: Option<String>,
    /// Arguments after `server --url U` / `client --command C`.
    args: Vec<String>,
}

/// The invocations that run `set` (restricted to `only`, if given), or none
/// when the set does not have that scenario.
fn invocations(set: SetName, members: &[String], only: Option<&str>) -> Vec<Invocation> {
    let single = |scenario: &str| {
        let mut args = vec!["--scenario".to_owned(), scenario.to_owned()];
        if let Some(revision) = set.revision() {
            args.extend([
                "--spec-version".to_owned(),
                revision.to_owned(),
                "--force".to_owned(),
            ]);
        }
        Invocation {
            scenario: Some(scenario.to_owned()),
            args,
        }
    };
    if let Some(scenario) = only {
        return if members.iter().any(|m| m == scenario) {
            vec![single(scenario)]
        } else {
            Vec::new()
        };
    }
    match (set, set.revision()) {
        (_, Some(revision)) => vec![Invocation {
            scenario: None,
            args: vec!["--requirements".to_owned(), revision.to_owned()],
        }],
        (SetName::SuiteAll, None) => vec![Invocation {
            scenario: None,
            args: vec!["--suite".to_owned(), "all".to_owned()],
        }],
        (_, None) => members.iter().map(|m| single(m)).collect(),
    }
}

/// A planned set: what it runs and what it must produce.
#[derive(Debug)]
struct PlannedSet {
    leg: Leg,
    set: SetName,
    /// The scenarios that must have a result.
    scenarios: Vec<String>,
    invocations: Vec<Invocation>,
}

/// What running a set produced.
#[derive(Debug)]
struct SetRun {
    leg: Leg,
    set: SetName,
    scenarios: Vec<String>,
    results: BTreeMap<String, Vec<Check>>,
    /// The suite's totals, as it printed them.
    printed: Vec<String>,
    /// Problems running the suite (time-outs, crashes).
    errors: Vec<String>,
}

pub(crate) fn run(args: &[String]) -> Result<(), Error> {
    let Some(options) = Options::parse(args)? else {
        print!("{USAGE}");
        return Ok(());
    };
    let root = crate::project_root();
    let baseline_path = root.join(BASELINE);
    let baseline_text = fs::read_to_string(&baseline_path)
        .map_err(|e| format!("cannot read {}: {e}", baseline_path.display()))?;
    let baseline =
        Baseline::parse(&baseline_text).map_err(|e| format!("{}: {e}", baseline_path.display()))?;

    let reaper = Reaper::install()?;
    let target = target_dir(&root)?;
    let work = target.join("conformance");
    let suite = Suite::install(&work, &reaper)?;
    let catalog = Catalog::load(&suite)?;
    check_baseline(&baseline, &catalog)?;

    let plan = plan(&options, &catalog)?;
    let needs_server = plan.iter().any(|p| p.leg == Leg::Server) && options.server_url.is_none();
    let needs_client =
        plan.iter().any(|p| p.leg == Leg::Client) && options.client_command.is_none();
    if (needs_server || needs_client) && options.build {
        build_examples(&root, &reaper)?;
    }
    let examples = target.join("release").join("examples");
    let results_dir = work.join("results");
    fs::create_dir_all(&results_dir)?;

    let mut runs = Vec::new();
    let server_sets: Vec<&PlannedSet> = plan.iter().filter(|p| p.leg == Leg::Server).collect();
    if !server_sets.is_empty() {
        let mut server = None;
        let url = match &options.server_url {
            Some(url) => url.clone(),
            None => {
                let (child, url) = start_server(&examples, &results_dir, &reaper)?;
                server = Some(child);
                url
            }
        };
        let target = vec!["server".to_owned(), "--url".to_owned(), url];
        for planned in server_sets {
            let mut run = run_set(&suite, &reaper, planned, &target, &results_dir)?;
            let exited = match server.as_mut() {
                Some(child) => child.try_wait()?,
                None => None,
            };
            if let Some(status) = exited {
                run.errors.push(format!(
                    "everything-server exited ({status}) during server {}; the remaining server sets did not run; see {}",
                    planned.set.as_str(),
                    results_dir.join("everything-server.log").display()
                ));
            }
            runs.push(run);
            if exited.is_some() {
                break;
            }
        }
        drop(server);
    }
    let client_sets: Vec<&PlannedSet> = plan.iter().filter(|p| p.leg == Leg::Client).collect();
    if !client_sets.is_empty() {
        let command = match &options.client_command {
            Some(command) => command.clone(),
            None => {
                let client = examples.join("everything-client");
                if !client.is_file() {
                    return Err(format!(
                        "{} does not exist: mcp-examples has no `everything-client` example yet",
                        client.display()
                    )
                    .into());
                }
                shell_quote(&client.to_string_lossy())
            }
        };
        let target = vec!["client".to_owned(), "--command".to_owned(), command];
        for planned in client_sets {
            runs.push(run_set(&suite, &reaper, planned, &target, &results_dir)?);
        }
    }
    report(&runs, &baseline, &results_dir)
}

/// The sets to run, with their scenarios and invocations.
fn plan(options: &Options, catalog: &Catalog) -> Result<Vec<PlannedSet>, Error> {
    let mut plan = Vec::new();
    for &leg in &options.legs {
        for &set in &options.sets {
            let members = catalog.members(leg, set);
            let invocations = invocations(set, &members, options.scenario.as_deref());
            if invocations.is_empty() {
                continue;
            }
            let scenarios = match &options.scenario {
                Some(scenario) => vec![scenario.clone()],
                None => members,
            };
            plan.push(PlannedSet {
                leg,
                set,
                scenarios,
                invocations,
            });
        }
    }
    if plan.is_empty() {
        let legs: Vec<&str> = options.legs.iter().map(|l| l.as_str()).collect();
        let sets: Vec<&str> = options.sets.iter().map(|s| s.as_str()).collect();
        let mut message = format!(
            "nothing to run: no {} scenario {} in {}",
            legs.join("/"),
            options.scenario.as_deref().unwrap_or("at all"),
            sets.join(", ")
        );
        if let Some(wanted) = &options.scenario {
            let similar: Vec<String> = options
                .legs
                .iter()
                .flat_map(|&leg| catalog.all(leg).map(move |name| (leg, name)))
                .filter(|(_, name)| name.contains(wanted.as_str()) || wanted.contains(*name))
                .map(|(leg, name)| format!("{name} ({})", leg.as_str()))
                .take(8)
                .collect();
            if !similar.is_empty() {
                message.push_str(&format!("; similar: {}", similar.join(", ")));
            }
        }
        return Err(message.into());
    }
    Ok(plan)
}

/// Every baseline entry must name a scenario its set runs.
fn check_baseline(baseline: &Baseline, catalog: &Catalog) -> Result<(), Error> {
    let unknown: Vec<String> = baseline
        .all()
        .filter(|(leg, set, entry)| !catalog.members(*leg, *set).contains(&entry.scenario))
        .map(|(leg, set, entry)| {
            format!(
                "  line {}: {} {} does not run `{}`",
                entry.line,
                leg.as_str(),
                set.as_str(),
                entry.scenario
            )
        })
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{BASELINE} lists scenarios that suite {} does not run there:\n{}",
        suite::SUITE_VERSION,
        unknown.join("\n")
    )
    .into())
}

/// The Cargo target directory (honours `CARGO_TARGET_DIR` and config).
fn target_dir(root: &Path) -> Result<PathBuf, Error> {
    let output = Command::new(cargo())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let dir = metadata["target_directory"]
        .as_str()
        .ok_or("cargo metadata has no target_directory")?;
    Ok(PathBuf::from(dir))
}

fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn build_examples(root: &Path, reaper: &Reaper) -> Result<(), Error> {
    // Only the two programs the suite runs: building every example in release
    // would double the time of a CI run.
    let args = [
        "build",
        "--release",
        "-p",
        "mcp-examples",
        "--example",
        "everything-server",
        "--example",
        "everything-client",
    ];
    eprintln!("conformance: cargo {}", args.join(" "));
    let mut build = Command::new(cargo());
    build.args(args).current_dir(root);
    let mut child = reaper.spawn(&mut build)?;
    let status = child
        .wait_for(Duration::from_secs(60 * 60))?
        .ok_or("building the examples took over an hour")?;
    if !status.success() {
        return Err(format!("building the examples failed ({status})").into());
    }
    Ok(())
}

/// Starts everything-server on a free port; returns it and its MCP URL.
fn start_server(
    examples: &Path,
    results_dir: &Path,
    reaper: &Reaper,
) -> Result<(Guarded, String), Error> {
    let binary = examples.join("everything-server");
    if !binary.is_file() {
        return Err(format!(
            "{} does not exist: mcp-examples has no `everything-server` example yet",
            binary.display()
        )
        .into());
    }
    let port = process::free_port()?;
    let log_path = results_dir.join("everything-server.log");
    let log = File::create(&log_path)?;
    let mut command = Command::new(&binary);
    command
        .arg("--port")
        .arg(port.to_string())
        .stdout(log.try_clone()?)
        .stderr(log);
    eprintln!("conformance: starting {} --port {port}", binary.display());
    let mut child = reaper.spawn(&mut command)?;
    process::wait_for_port(&mut child, port, SERVER_START_LIMIT).map_err(|e| {
        format!(
            "everything-server {e}; its output:\n{}",
            tail(&fs::read_to_string(&log_path).unwrap_or_default(), 20)
        )
    })?;
    Ok((child, format!("http://127.0.0.1:{port}/mcp")))
}

/// Runs one set and gathers its results.
fn run_set(
    suite: &Suite,
    reaper: &Reaper,
    planned: &PlannedSet,
    target: &[String],
    results_dir: &Path,
) -> Result<SetRun, Error> {
    let name = format!("{} {}", planned.leg.as_str(), planned.set.as_str());
    let dir = results_dir.join(format!("{}-{}", planned.leg.as_str(), planned.set.as_str()));
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    let out = dir.join("out");
    fs::create_dir_all(&out)?;
    eprintln!("\n== {name}");

    let mut run = SetRun {
        leg: planned.leg,
        set: planned.set,
        scenarios: planned.scenarios.clone(),
        results: BTreeMap::new(),
        printed: Vec::new(),
        errors: Vec::new(),
    };
    let mut reported: BTreeMap<String, results::SummaryLine> = BTreeMap::new();
    let mut exits: BTreeMap<String, String> = BTreeMap::new();
    for invocation in &planned.invocations {
        let mut args: Vec<OsString> = target.iter().map(OsString::from).collect();
        args.extend(invocation.args.iter().map(OsString::from));
        args.push("-o".into());
        args.push(out.clone().into());
        let (log, limit) = match &invocation.scenario {
            Some(scenario) => (
                dir.join(format!("{}.log", scenario.replace('/', "_"))),
                SCENARIO_LIMIT,
            ),
            None => (dir.join("suite.log"), SET_LIMIT),
        };
        eprintln!("   {}", suite.describe(&args));
        let outcome = suite.run(reaper, &args, &log, limit)?;
        let status = match outcome.status {
            Some(status) => status.to_string(),
            None => {
                run.errors.push(format!(
                    "{name}: the suite did not finish within {limit:?} and was stopped; see {}",
                    log.display()
                ));
                "stopped after the time limit".to_owned()
            }
        };
        match &invocation.scenario {
            Some(scenario) => {
                let line = results::parse_single_result(&outcome.output)
                    .unwrap_or_else(|| format!("no result printed ({status})"));
                eprintln!("   {scenario}: {line}");
                run.printed.push(format!("{scenario}: {line}"));
                exits.insert(scenario.clone(), format!("{status}; see {}", log.display()));
            }
            None => {
                let summary = results::parse_summary(&outcome.output);
                if summary.lines.is_empty() {
                    run.errors.push(format!(
                        "{name}: the suite printed no summary ({status}); last lines of {}:\n{}",
                        log.display(),
                        tail(&results::strip_ansi(&outcome.output), 15)
                    ));
                }
                for line in &summary.totals {
                    eprintln!("   {line}");
                }
                run.printed.extend(summary.totals);
                for line in summary.lines {
                    exits.insert(
                        line.scenario.clone(),
                        format!("{status}; see {}", log.display()),
                    );
                    reported.insert(line.scenario.clone(), line);
                }
            }
        }
    }

    run.results = results::collect_checks(&out, planned.leg)?;
    // A scenario that threw wrote no checks.json; the summary still has it.
    for (scenario, line) in &reported {
        if line.skipped {
            // Not applicable at the set's version: nothing to judge.
            run.scenarios.retain(|s| s != scenario);
            run.printed
                .push(format!("{scenario}: skipped by the suite"));
            continue;
        }
        if !run.results.contains_key(scenario) && (line.failed > 0 || line.warnings > 0) {
            let message = format!(
                "the suite reported {} passed, {} failed, {} warnings but wrote no checks.json (see the log)",
                line.passed, line.failed, line.warnings
            );
            run.results
                .insert(scenario.clone(), vec![Check::synthetic(scenario, message)]);
        }
    }
    // A single-scenario run that wrote nothing failed to run.
    for invocation in &planned.invocations {
        if let Some(scenario) = &invocation.scenario {
            if !run.results.contains_key(scenario) {
                let exit = exits.get(scenario).cloned().unwrap_or_default();
                let message = format!("the suite wrote no checks.json ({exit})");
                run.results
                    .insert(scenario.clone(), vec![Check::synthetic(scenario, message)]);
            }
        }
    }
    Ok(run)
}

/// Prints the verdict of every set; fails on regressions, stale entries,
/// missing results and suite errors.
fn report(runs: &[SetRun], baseline: &Baseline, results_dir: &Path) -> Result<(), Error> {
    let mut regressions = Vec::new();
    let mut stale = Vec::new();
    let mut missing = Vec::new();
    let mut errors = Vec::new();
    println!(
        "\n== Conformance ({} {})",
        suite::SUITE_PACKAGE,
        suite::SUITE_VERSION
    );
    for run in runs {
        let name = format!("{} {}", run.leg.as_str(), run.set.as_str());
        let entries = baseline.entries(run.leg, run.set);
        let verdict: Verdict = baseline::evaluate(&run.scenarios, &run.results, entries);
        println!(
            "{} {name}: {} scenario(s): {} passing, {} expected failure(s), {} regression(s), {} stale, {} missing",
            if verdict.is_clean() && run.errors.is_empty() {
                "ok  "
            } else {
                "FAIL"
            },
            run.scenarios.len(),
            verdict.passing.len(),
            verdict.expected.len(),
            verdict.regressions.len(),
            verdict.stale.len(),
            verdict.missing.len()
        );
        let single = run.printed.iter().all(|line| !line.starts_with("Total: "));
        if single && run.printed.len() > 1 {
            println!("    suite, per scenario:");
            for line in &run.printed {
                println!("      {line}");
            }
        } else {
            for line in &run.printed {
                println!("    suite: {line}");
            }
        }
        for regression in verdict.regressions {
            regressions.push((name.clone(), regression));
        }
        for key in verdict.stale {
            let line = entries
                .iter()
                .find(|e| e.key() == key)
                .map(|e| format!("{BASELINE}:{}", e.line))
                .unwrap_or_default();
            stale.push(format!("{name}: {key}    ({line})"));
        }
        for scenario in verdict.missing {
            missing.push(format!("{name}: {scenario}"));
        }
        errors.extend(run.errors.iter().cloned());
    }

    if !regressions.is_empty() {
        println!(
            "\nREGRESSIONS: failing, and not in {BASELINE} ({}):",
            regressions.len()
        );
        for (name, regression) in &regressions {
            println!("  {name}: {}", regression.key);
            for detail in regression.details.iter().take(6) {
                println!("      {detail}");
            }
            if regression.details.len() > 6 {
                println!(
                    "      ... {} more failing check(s)",
                    regression.details.len() - 6
                );
            }
        }
    }
    if !stale.is_empty() {
        println!(
            "\nSTALE baseline entries: listed as failing but passing now; remove them ({}):",
            stale.len()
        );
        for line in &stale {
            println!("  {line}");
        }
    }
    if !missing.is_empty() {
        println!(
            "\nMISSING results: the set runs these but the suite reported nothing ({}):",
            missing.len()
        );
        for line in &missing {
            println!("  {line}");
        }
    }
    if !errors.is_empty() {
        println!("\nERRORS running the suite:");
        for error in &errors {
            println!("  {error}");
        }
    }
    println!("\nLogs and checks.json files: {}", results_dir.display());

    if regressions.is_empty() && stale.is_empty() && missing.is_empty() && errors.is_empty() {
        println!("Conformance matches the baseline.");
        return Ok(());
    }
    Err(format!(
        "{} regression(s), {} stale baseline entr{}, {} missing result(s), {} suite error(s)",
        regressions.len(),
        stale.len(),
        if stale.len() == 1 { "y" } else { "ies" },
        missing.len(),
        errors.len()
    )
    .into())
}

/// Quotes `word` for `sh` when it needs it. The suite splits the client
/// command on spaces and hands it, rejoined, to `sh -c`, so quoting survives.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+=:,@%".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_options() {
        let all = Options::parse(&[]).unwrap().unwrap();
        assert_eq!(all.legs, [Leg::Server, Leg::Client]);
        assert_eq!(all.sets, SetName::ALL);
        assert_eq!(all.scenario, None);
        assert!(all.build);
        assert!(
            !Options::parse(&args(&["--no-build"]))
                .unwrap()
                .unwrap()
                .build
        );

        let some = Options::parse(&args(&[
            "--client-only",
            "--scenario=tools_call",
            "--set",
            "suite-all,requirements-2026-07-28",
            "--client-command",
            "node client.js",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(some.legs, [Leg::Client]);
        assert_eq!(
            some.sets,
            [SetName::Requirements20260728, SetName::SuiteAll]
        );
        assert_eq!(some.scenario.as_deref(), Some("tools_call"));
        assert_eq!(some.client_command.as_deref(), Some("node client.js"));

        assert_eq!(Options::parse(&args(&["--help"])).unwrap(), None);
        for bad in [
            &["--server-only", "--client-only"][..],
            &["--scenario"],
            &["--set", "everything"],
            &["--bogus"],
        ] {
            assert!(Options::parse(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn invocations_per_set() {
        let members = args(&["a", "auth/b"]);
        assert_eq!(
            invocations(SetName::Requirements20251125, &members, None),
            [Invocation {
                scenario: None,
                args: args(&["--requirements", "2025-11-25"]),
            }]
        );
        assert_eq!(
            invocations(SetName::SuiteAll, &members, None)[0].args,
            args(&["--suite", "all"])
        );
        let extensions = invocations(SetName::Extensions, &members, None);
        assert_eq!(extensions.len(), 2);
        assert_eq!(extensions[1].scenario.as_deref(), Some("auth/b"));
        assert_eq!(extensions[1].args, args(&["--scenario", "auth/b"]));
        // One scenario: the requirement set's wire and selection, by hand.
        assert_eq!(
            invocations(SetName::Requirements20260728, &members, Some("a"))[0].args,
            args(&["--scenario", "a", "--spec-version", "2026-07-28", "--force"])
        );
        assert!(invocations(SetName::SuiteAll, &members, Some("c")).is_empty());
    }

    #[test]
    fn set_and_leg_names_round_trip() {
        for set in SetName::ALL {
            assert_eq!(SetName::parse(set.as_str()), Some(set));
        }
        for leg in [Leg::Server, Leg::Client] {
            assert_eq!(Leg::parse(leg.as_str()), Some(leg));
        }
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(
            shell_quote("/work/target/release/examples/everything-client"),
            "/work/target/release/examples/everything-client"
        );
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_checked_in_baseline_parses() {
        let path = crate::project_root().join(BASELINE);
        let text = fs::read_to_string(&path).unwrap();
        let baseline = Baseline::parse(&text).unwrap();
        assert!(baseline.all().count() > 0);
    }
}
