//! `BENCHMARKS.md`: the machine, the versions, the method, the commands and
//! the result tables.

use super::instructions::{LARGE, SMALL};
use super::machine::Machine;
use super::options::Options;
use super::report::{self, Results, results_markdown, text_table};

/// The commands a reader needs to reproduce the figures.
const COMMANDS: &str = "\
cargo xtask bench                       # builds everything below, runs, writes this file
cargo xtask bench --quick               # smoke run
cargo xtask bench --only stdio|http|memory|instructions
cargo xtask bench --server rmcp          # only servers whose name contains \"rmcp\"
cargo xtask bench --build-only          # what CI runs

# what it builds (profile `benchmark`: release + fat LTO, one target directory):
cargo build --profile benchmark --manifest-path bench/rmcp-server/Cargo.toml
cargo build --profile benchmark --manifest-path bench/floor/Cargo.toml
cargo build --profile benchmark -p <member> --example bench-server

# how it starts each server (HTTP on a free 127.0.0.1 port, endpoint /mcp):
target/benchmark/examples/bench-server stdio | http <addr> stateful | http <addr> stateless
target/benchmark/rmcp-bench-server stdio | stdio-pipes | http <addr> stateful | http <addr> stateless
target/benchmark/floor-stdio
target/benchmark/floor-http <addr> stateful|stateless
taskset -c 0 <server> ...               # pinned runs (the load generator pins itself too)
valgrind --tool=callgrind --callgrind-out-file=<file> <stdio server>   # requests piped in, stdin open until all answered";

fn method(options: &Options) -> String {
    format!(
        "\
- **Tools.** Every server exposes `echo(text)` (a text content block holding
  `text`) and `add(a, b)`. Each run first checks both answers in full, then
  times `tools/call echo` with a {text_len}-byte text. During the run every
  response is checked for its id and a `result`, and one in {every} is parsed
  and checked in full.
- **Load generator** (`xtask/src/bench/`): raw JSON-RPC, the same for every
  server. stdio: one blocking thread; it writes all requests a batch of
  responses frees up in one `write` and reads whatever the pipe holds in one
  `read`. HTTP: a hand-rolled HTTP/1.1 keep-alive client, all connections on
  one current-thread tokio runtime; each connection has one request in flight.
- **Rounds.** Each throughput scenario runs {rounds} round(s) per server,
  the servers taking turns, each round against a freshly started server:
  {warmup:.1} s warm-up, then {duration:.1} s measured. req/s counts round
  trips in the measured window; p50/p99 are their latencies (send to full
  response). The tables show each server's median round (by req/s) and, in
  the last column, every round's req/s: on this small virtual machine the
  one-connection figures jump between a few levels from one server start to
  the next (where the scheduler puts the threads), and the median is steadier
  than any one run.
- **CPU** is user + system time from `/proc/<pid>/stat` (all threads) over the
  measured window, divided by the round trips; *client CPU* is the load
  generator's, so a reader can see it is not the bottleneck.
- **Other load %** is the CPU that everything else on the machine used
  during the window (from `/proc/stat`, in % of one core): above ~20 the
  figures of that row were disturbed by other work.
- **Peak RSS** is the server's `VmHWM` at the end of the run.
- **Pinned** runs start the server under `taskset -c 0` and pin the load
  generator to CPU 0 as well: both share one core.
- **Stateless HTTP** (2026-07-28): no `initialize`; every POST carries
  `params._meta` with `io.modelcontextprotocol/protocolVersion: \"2026-07-28\"`,
  `clientInfo` and `clientCapabilities`, and the headers
  `MCP-Protocol-Version`, `Mcp-Method: tools/call`, `Mcp-Name: echo`.
- **Stateful HTTP** (2025-11-25): each connection `initialize`s its own
  session, sends `notifications/initialized`, then calls with
  `Mcp-Session-Id`. Servers may answer with JSON or an SSE stream.
- **Sessions.** A fresh stateful server's RSS is read once idle; 16 warm-up
  sessions are opened and the RSS read again (the baseline); then
  {sessions} sessions are opened (`initialize` + `notifications/initialized`,
  over 4 keep-alive connections, none closed) and the RSS is read after
  300 ms. KiB/session = growth over the baseline / {sessions}.
- **Startup** is the time from spawning the stdio server (with `initialize`
  written to its stdin at once) to reading the `initialize` response,
  median over {spawns} cold starts.
- **Instructions** (needs `valgrind` on `PATH`, else the group is skipped):
  each stdio server runs under `valgrind --tool=callgrind` and is sent,
  through a pipe and all at once, `initialize`, `notifications/initialized`
  and then N `tools/call echo` requests (the same {text_len}-byte text,
  distinct ids); its stdin stays open until every response is back, then
  closes, and the server exits. Its total instruction count
  (callgrind's `Collected`, all threads) is read for N = {small} and
  N = {large}. Instructions/request = (total at {large} − total at {small}) /
  {extra}, which cancels start-up, the handshake and shutdown. Every
  response is then checked (each id answered once, with the echoed text);
  a server that does not answer every request is reported as failed, not
  measured. Counts do not
  depend on machine load, but they are not time: cache misses, the kernel's
  side of syscalls and waiting are not counted. Single-threaded servers
  repeat their count exactly; multi-threaded ones vary by a percent or two
  between runs (scheduling decides how often worker threads park and wake).
  The profiles
  stay in `target/bench-logs/callgrind/` for `callgrind_annotate`.
- **Ratios.** `× rmcp` divides by rmcp's best variant in the same table
  (e.g. `stdio_pipes` over `stdio`); `× floor` by the floor. For req/s higher
  is better; for times, memory and instructions lower is better.
- **Build.** Every server is built with the same Cargo profile,
  `benchmark` (release with `lto = \"fat\"` and `codegen-units = 1`),
  declared alike in the three manifests.
- **Floors** (`bench/floor/`): `floor-stdio` parses each line with
  serde_json and writes a canned-shape result on one blocking thread;
  `floor-http` is bare hyper 1.x on a multi-threaded tokio runtime doing the
  same per POST (JSON responses, a session id on `initialize`).
- **rmcp server** (`bench/rmcp-server/`): the documented pattern —
  `#[tool_router]`/`#[tool_handler]`, `serve(stdio())` or
  `serve(stdio_pipes())`, and `StreamableHttpService` with a
  `LocalSessionManager` under `axum::serve` (the service factory clones one
  prebuilt server instead of rebuilding the tool router per session or
  stateless request); stateful = legacy session mode,
  stateless = `with_legacy_session_mode(false).with_json_response(true)`.
  Accepted sockets get `TCP_NODELAY` (axum's documented `tap_io`); without
  it every stateful call stalls ~40 ms on Nagle vs. delayed ACK.",
        text_len = super::jsonrpc::ECHO_TEXT.len(),
        every = super::jsonrpc::FULL_CHECK_EVERY,
        warmup = options.warmup.as_secs_f64(),
        duration = options.duration.as_secs_f64(),
        rounds = options.rounds,
        sessions = options.sessions,
        spawns = options.spawns,
        small = report::thousands(SMALL as f64),
        large = report::thousands(LARGE as f64),
        extra = report::thousands((LARGE - SMALL) as f64),
    )
}

/// The whole file.
pub(crate) fn render(results: &Results, machine: &Machine, options: &Options) -> String {
    let mut out = String::from("# Benchmarks\n\n");
    out.push_str(&format!(
        "Written by `cargo xtask bench` on {} at commit `{}`.{}\n\n",
        machine.date,
        machine.commit,
        if options.quick {
            " **Quick smoke run (`--quick`): too short for the figures to be trusted.**"
        } else {
            ""
        }
    ));
    let noisy = results.noisy_runs(super::NOISY_PERCENT);
    if noisy > 0 {
        out.push_str(&format!(
            "**{noisy} run(s) shared the machine with other work** (other load above \
             {:.0}% of a core, see the last column): treat those figures with care.\n\n",
            super::NOISY_PERCENT
        ));
    }
    out.push_str("## Machine\n\n");
    out.push_str(&text_table(
        &["what", "value"],
        &[
            vec!["CPUs (`nproc`)".into(), machine.cpus.to_string()],
            vec!["CPU".into(), machine.cpu_model.clone()],
            vec!["kernel".into(), machine.kernel.clone()],
            vec!["rustc".into(), machine.rustc.clone()],
        ],
    ));
    out.push_str("\n## Versions\n\n");
    let mut versions = vec![vec![
        "this SDK (bench-server)".to_owned(),
        env!("CARGO_PKG_VERSION").to_owned(),
    ]];
    versions.extend(
        machine
            .versions
            .iter()
            .map(|(name, version)| vec![name.clone(), version.clone()]),
    );
    out.push_str(&text_table(&["crate", "version"], &versions));
    out.push_str("\n## Method\n\n");
    out.push_str(&method(options));
    out.push_str("\n\n## Commands\n\n```sh\n");
    out.push_str(COMMANDS);
    out.push_str("\n```\n\n## Results\n\n");
    out.push_str(&results_markdown(results));
    out
}
