//! `cargo xtask bench`: builds our `bench-server` example, the same tools on
//! rmcp (`bench/rmcp-server/`) and the raw floors (`bench/floor/`), drives
//! each with the same raw JSON-RPC load, prints the tables and writes
//! `BENCHMARKS.md`. `cargo xtask bench --help` lists the options.
//!
//! | module | one idea |
//! | --- | --- |
//! | [`options`] | the command line |
//! | [`build`] | building the servers |
//! | [`servers`] | the servers under test: binaries, modes, start and stop |
//! | [`jsonrpc`] | the requests sent and the checks on the responses |
//! | [`load_stdio`] | stdio round trips, startup time, idle RSS |
//! | [`http`] | the minimal HTTP/1.1 client |
//! | [`load_http`] | Streamable HTTP round trips and session memory |
//! | [`instructions`] | CPU instructions per stdio call under callgrind |
//! | [`procfs`] | CPU time, RSS and affinity from `/proc` |
//! | [`stats`] | percentiles and the figures of a run |
//! | [`report`] | the result tables and ratios |
//! | [`machine`], [`document`] | `BENCHMARKS.md` |

mod build;
mod document;
mod http;
mod instructions;
mod jsonrpc;
mod load_http;
mod load_stdio;
mod machine;
mod options;
mod procfs;
mod report;
mod servers;
mod stats;

use std::path::Path;

use build::Ours;
use load_stdio::Plan;
use options::{Options, USAGE};
use report::{Outcome, Results, Row, Section};
use servers::{Catalogue, HttpMode, Role, Target, Unavailable};

use crate::Error;

/// Requests in flight in the pipelined stdio scenarios.
const PIPELINE_WINDOW: usize = 64;
/// Keep-alive connection counts of the HTTP scenarios.
const HTTP_CONNECTIONS: [usize; 2] = [1, 16];

pub(crate) fn run(args: &[String]) -> Result<(), Error> {
    let options = Options::parse(args)?;
    if options.help {
        print!("{USAGE}");
        return Ok(());
    }
    let root = crate::project_root();
    let target_dir = build::target_dir(&root);
    if cfg!(debug_assertions) && !options.build_only {
        // `cargo xtask` is a debug build; the load generator must not be.
        return build::rerun_in_release(&root, &target_dir, args);
    }
    let ours = if options.no_build {
        None
    } else {
        Some(build::build_all(&root, &target_dir)?)
    };
    if options.build_only {
        return match ours {
            Some(Ours::Failed(e)) => Err(e.into()),
            _ => {
                eprintln!("bench: everything built; nothing measured (--build-only)");
                Ok(())
            }
        };
    }
    let mut catalogue = servers::catalogue(&target_dir);
    let ours_unavailable = match ours {
        Some(Ours::Absent) => Some(Unavailable::NotBuilt),
        Some(Ours::Failed(e)) => {
            eprintln!("bench: {e}; its rows are marked failed, the others still run");
            Some(Unavailable::BuildFailed(e))
        }
        Some(Ours::Built) | None => None,
    };
    for target in catalogue.stdio.iter_mut().chain(&mut catalogue.http) {
        if target.role == Role::Ours {
            target.unavailable.clone_from(&ours_unavailable);
        }
    }
    if let Some(name) = &options.server {
        catalogue.stdio.retain(|t| t.label.contains(name.as_str()));
        catalogue.http.retain(|t| t.label.contains(name.as_str()));
    }
    if let Some(missing) = catalogue
        .stdio
        .iter()
        .chain(&catalogue.http)
        .find(|t| t.role != Role::Ours && t.unavailable().is_some())
    {
        return Err(format!(
            "{} is missing; run without --no-build",
            missing.program.display()
        )
        .into());
    }
    let log_dir = target_dir.join("bench-logs");
    let plan = Plan {
        warmup: options.warmup,
        duration: options.duration,
    };
    let mut results = Results::default();
    if options.stdio {
        stdio_group(&catalogue, plan, &options, &log_dir, &mut results);
    }
    if options.http {
        http_group(&catalogue, plan, options.rounds, &log_dir, &mut results);
    }
    if options.memory {
        memory_group(&catalogue, options.sessions, &log_dir, &mut results);
    }
    if options.instructions {
        instructions_group(&catalogue, &log_dir, &mut results);
    }
    println!("\n{}", report::results_markdown(&results));
    if let Some(out) = &options.out {
        let path = root.join(out);
        let machine = machine::Machine::describe(&root);
        std::fs::write(&path, document::render(&results, &machine, &options))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("bench: wrote {}", path.display());
    }
    match results.failures() {
        0 => Ok(()),
        n => Err(format!(
            "{n} run(s) failed; server stderr is in {}",
            log_dir.display()
        )
        .into()),
    }
}

/// Runs one scenario on one server, printing a progress line.
fn measure<T>(
    target: &Target,
    scenario: &str,
    run: impl FnOnce() -> Result<T, Error>,
    show: impl Fn(&T) -> String,
) -> Row<T> {
    let outcome = if let Some(why) = target.unavailable() {
        let text = match &why {
            Unavailable::NotBuilt => "not built".to_owned(),
            Unavailable::BuildFailed(e) => format!("not run: {e}"),
        };
        eprintln!("  {scenario:<44} {:<18} {text}", target.label);
        match why {
            Unavailable::NotBuilt => Outcome::NotBuilt,
            Unavailable::BuildFailed(e) => Outcome::Failed(e),
        }
    } else {
        match run() {
            Ok(value) => {
                eprintln!("  {scenario:<44} {:<18} {}", target.label, show(&value));
                Outcome::Done(value)
            }
            Err(e) => {
                eprintln!("  {scenario:<44} {:<18} FAILED: {e}", target.label);
                Outcome::Failed(e.to_string())
            }
        }
    };
    Row {
        label: target.label,
        role: target.role,
        outcome,
    }
}

/// Runs one scenario on each of `targets`.
fn measure_all<T>(
    targets: &[Target],
    scenario: &str,
    run: impl Fn(&Target) -> Result<T, Error>,
    show: impl Fn(&T) -> String,
) -> Vec<Row<T>> {
    targets
        .iter()
        .map(|target| measure(target, scenario, || run(target), &show))
        .collect()
}

/// Runs a throughput scenario `rounds` times on each of `targets`, the
/// servers taking turns round by round (so a slow spell of the machine falls
/// on all of them alike), and keeps each server's median round. A server
/// whose round fails is not run again and its row says why.
fn measure_rounds(
    targets: &[Target],
    scenario: &str,
    rounds: usize,
    run: impl Fn(&Target) -> Result<stats::Measurement, Error>,
) -> Vec<Row<stats::Measurement>> {
    let mut done: Vec<Vec<stats::Measurement>> = vec![Vec::new(); targets.len()];
    let mut failed: Vec<Option<Outcome<stats::Measurement>>> = vec![None; targets.len()];
    for round in 1..=rounds {
        let title = if rounds > 1 {
            format!("{scenario} [{round}/{rounds}]")
        } else {
            scenario.to_owned()
        };
        for (i, target) in targets.iter().enumerate() {
            if failed[i].is_some() {
                continue;
            }
            match measure(target, &title, || run(target), show_rps).outcome {
                Outcome::Done(m) => done[i].push(m),
                other => failed[i] = Some(other),
            }
        }
    }
    targets
        .iter()
        .zip(done)
        .zip(failed)
        .map(|((target, runs), failed)| Row {
            label: target.label,
            role: target.role,
            outcome: failed.unwrap_or_else(|| match stats::median_round(runs) {
                Some(m) => Outcome::Done(m),
                None => Outcome::Failed("no round ran".to_owned()),
            }),
        })
        .collect()
}

/// Other load (percent of one core) above which a run is flagged as noisy.
pub(crate) const NOISY_PERCENT: f64 = 20.0;

fn show_rps(m: &stats::Measurement) -> String {
    let other = m.other_load_percent();
    format!(
        "{} req/s, p50 {:.1} µs, server {:.1} µs/req{}",
        report::thousands(m.rps()),
        m.p50.as_secs_f64() * 1e6,
        m.server_us_per_request(),
        if other > NOISY_PERCENT {
            format!("  (noisy: other processes used {other:.0}% of a core)")
        } else {
            String::new()
        }
    )
}

fn stdio_group(
    catalogue: &Catalogue,
    plan: Plan,
    options: &Options,
    log_dir: &Path,
    results: &mut Results,
) {
    let scenarios = [
        ("stdio, sequential", 1, false),
        ("stdio, sequential, pinned to one core", 1, true),
        ("stdio, pipelined (64 in flight)", PIPELINE_WINDOW, false),
        (
            "stdio, pipelined (64 in flight), pinned to one core",
            PIPELINE_WINDOW,
            true,
        ),
    ];
    for (title, window, pinned) in scenarios {
        let rows = measure_rounds(&catalogue.stdio, title, options.rounds, |target| {
            load_stdio::throughput(target, window, pinned, plan, log_dir)
        });
        results.throughput.push(Section {
            title: title.to_owned(),
            rows,
        });
    }
    let title = "stdio, spawn to first initialize response";
    let rows = measure_all(
        &catalogue.stdio,
        title,
        |target| load_stdio::startup(target, options.spawns, log_dir),
        |s| format!("{:.2} ms median", s.median.as_secs_f64() * 1e3),
    );
    results.startup.push(Section {
        title: title.to_owned(),
        rows,
    });
}

fn http_group(
    catalogue: &Catalogue,
    plan: Plan,
    rounds: usize,
    log_dir: &Path,
    results: &mut Results,
) {
    let modes = [
        (
            HttpMode::Stateless,
            "Streamable HTTP, stateless (2026-07-28)",
        ),
        (HttpMode::Stateful, "Streamable HTTP, stateful (2025-11-25)"),
    ];
    for (mode, name) in modes {
        for connections in HTTP_CONNECTIONS {
            let title = format!(
                "{name}, {connections} keep-alive connection{}",
                if connections == 1 { "" } else { "s" }
            );
            let rows = measure_rounds(&catalogue.http, &title, rounds, |target| {
                load_http::throughput(target, mode, connections, plan, log_dir)
            });
            results.throughput.push(Section { title, rows });
        }
    }
}

fn memory_group(catalogue: &Catalogue, sessions: usize, log_dir: &Path, results: &mut Results) {
    let title = "Idle RSS, stdio (initialized, each tool called once)";
    let rows = measure_all(
        &catalogue.stdio,
        title,
        |target| load_stdio::idle_rss(target, log_dir),
        |kib| format!("{:.1} MiB", *kib as f64 / 1024.0),
    );
    results.idle.push(Section {
        title: title.to_owned(),
        rows,
    });
    let title = format!("Streamable HTTP, memory of {sessions} stateful sessions");
    let rows = measure_all(
        &catalogue.http,
        &title,
        |target| load_http::sessions(target, sessions, log_dir),
        |s| format!("{:.1} KiB/session", s.bytes_per_session() / 1024.0),
    );
    results.sessions.push(Section { title, rows });
}

fn instructions_group(catalogue: &Catalogue, log_dir: &Path, results: &mut Results) {
    if !instructions::valgrind_available() {
        eprintln!("bench: valgrind is not on PATH; skipping the instructions group");
        return;
    }
    let title = "stdio, CPU instructions per `tools/call`, under callgrind";
    let rows = measure_all(
        &catalogue.stdio,
        title,
        |target| instructions::measure(target, log_dir),
        |i| {
            format!(
                "{} instructions/request (totals {} and {}; {} responses checked)",
                report::thousands(i.per_request),
                report::thousands(i.small_total as f64),
                report::thousands(i.large_total as f64),
                report::thousands(i.responses as f64),
            )
        },
    );
    results.instructions.push(Section {
        title: title.to_owned(),
        rows,
    });
}
