//! CPU instructions per `tools/call`, counted by valgrind's callgrind: a
//! figure that does not depend on what else the machine is doing.
//!
//! Each stdio server runs under `valgrind --tool=callgrind` and is sent
//! `initialize`, `notifications/initialized`, then `echo` calls through a
//! pipe, all at once; its stdin stays open until every response is back, as
//! a client would keep it. This is done once with [`SMALL`] calls and once
//! with [`LARGE`]; the difference of the two totals divided by the difference
//! of the call counts is the cost of one call, with start-up, the handshake
//! and shutdown cancelled out. Every response is checked afterwards.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::jsonrpc::{self, ECHO_TEXT, Style};
use super::servers::{self, Target};
use crate::Error;

/// `echo` calls in the short run.
pub(crate) const SMALL: u64 = 1_000;
/// `echo` calls in the long run.
pub(crate) const LARGE: u64 = 10_000;
/// How long one run under valgrind may take before it is killed.
const TIMEOUT: Duration = Duration::from_secs(600);

/// The figures of one server.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Instructions {
    /// Instructions per `tools/call`: the growth from the short to the long
    /// run over the extra calls.
    pub(crate) per_request: f64,
    /// Total instructions of the short run.
    pub(crate) small_total: u64,
    /// Total instructions of the long run.
    pub(crate) large_total: u64,
    /// Responses checked over both runs (initialize responses included).
    pub(crate) responses: u64,
}

/// Whether `valgrind` can be run (it is on `PATH`).
pub(crate) fn valgrind_available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The request file of a run: `initialize` (id 0), the `initialized`
/// notification, then `calls` `echo` calls with ids 1 to `calls`, one
/// message per line.
pub(crate) fn request_file(calls: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(200 + calls as usize * 128);
    out.extend_from_slice(jsonrpc::initialize(0).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(jsonrpc::INITIALIZED.as_bytes());
    out.push(b'\n');
    for id in 1..=calls {
        jsonrpc::echo_call(&mut out, id, Style::Session);
        out.push(b'\n');
    }
    out
}

/// The total instruction count from callgrind's stderr: the
/// `Collected : <n>` line, else the `I   refs: <n>` summary (digits may be
/// grouped with commas). Lines may carry a `==pid==` prefix.
pub(crate) fn parse_total(stderr: &str) -> Option<u64> {
    let after = |marker: &str| {
        stderr.lines().find_map(|line| {
            let rest = &line[line.find(marker)? + marker.len()..];
            let rest = rest.trim_start().strip_prefix(':')?.trim();
            let digits: String = rest.chars().filter(|c| *c != ',').collect();
            digits.parse::<u64>().ok()
        })
    };
    after("Collected").or_else(|| after("I   refs"))
}

/// Instructions per call from the totals of two runs, `(calls, total)`.
pub(crate) fn per_request(small: (u64, u64), large: (u64, u64)) -> Result<f64, Error> {
    let (calls, total) = (
        large.0.saturating_sub(small.0),
        large.1.checked_sub(small.1),
    );
    match total {
        Some(extra) if calls > 0 && extra > 0 => Ok(extra as f64 / calls as f64),
        _ => Err(format!(
            "{} calls took {} instructions and {} calls {}: no growth to divide",
            small.0, small.1, large.0, large.1
        )
        .into()),
    }
}

/// Checks a run's stdout: one `initialize` response (id 0), then a success
/// response with the echoed text for every call id 1 to `calls`, each id
/// once. Returns the number of responses.
pub(crate) fn check_output(stdout: &[u8], calls: u64) -> Result<u64, Error> {
    let mut answered = vec![false; calls as usize + 1];
    let mut responses = 0;
    for line in stdout.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let shown = || String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
        let id = jsonrpc::success_id(line)
            .ok_or_else(|| format!("not a success response: {}", shown()))?;
        let slot = answered
            .get_mut(id as usize)
            .ok_or_else(|| format!("unexpected response id {id}"))?;
        if std::mem::replace(slot, true) {
            return Err(format!("response id {id} came twice").into());
        }
        if id == 0 {
            jsonrpc::check_initialize(line, 0)?;
        } else {
            jsonrpc::check_text_result(line, id, ECHO_TEXT)?;
        }
        responses += 1;
    }
    let missing = answered.iter().filter(|&&a| !a).count();
    if missing > 0 {
        let first = answered.iter().position(|&a| !a).unwrap_or_default();
        return Err(format!(
            "{missing} of {} requests unanswered (first missing id {first}): the server \
             closed its stdout first",
            calls + 1
        )
        .into());
    }
    Ok(responses)
}

/// The files of one run, in `dir`.
struct Files {
    requests: PathBuf,
    stdout: PathBuf,
    stderr: PathBuf,
    profile: PathBuf,
}

impl Files {
    fn new(dir: &Path, label: &str, calls: u64) -> Self {
        let stem = format!("{}-{calls}", servers::slug(label));
        Self {
            requests: dir.join(format!("requests-{calls}.jsonl")),
            stdout: dir.join(format!("{stem}.out")),
            stderr: dir.join(format!("{stem}.log")),
            profile: dir.join(format!("{stem}.callgrind")),
        }
    }
}

/// Runs the server under callgrind with `calls` calls; returns `(total
/// instructions, responses checked)`.
fn run_once(target: &Target, calls: u64, dir: &Path) -> Result<(u64, u64), Error> {
    let files = Files::new(dir, target.label, calls);
    let requests = request_file(calls);
    std::fs::write(&files.requests, &requests)?;
    let mut profile_arg = std::ffi::OsString::from("--callgrind-out-file=");
    profile_arg.push(&files.profile);
    let mut child = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(profile_arg)
        .arg(&target.program)
        .args(&target.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(File::create(&files.stderr)?)
        .spawn()
        .map_err(|e| format!("starting valgrind: {e}"))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("valgrind's stdin or stdout is not a pipe".into());
    };
    // stdin stays open until the reader has every response (or the server
    // closed its stdout): a server may stop at end of input with calls in flight.
    let (all_answered, answered) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        let written = stdin.write_all(&requests);
        let _ = answered.recv_timeout(TIMEOUT);
        written
    });
    let expected = calls + 1;
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut output = Vec::new();
        let mut lines = 0;
        loop {
            match stdout.read_until(b'\n', &mut output) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    lines += 1;
                    if lines == expected {
                        let _ = all_answered.send(());
                    }
                }
            }
        }
        output
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "still running after {} s ({calls}-call run); killed",
                TIMEOUT.as_secs()
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = reader.join().map_err(|_| "the stdout reader panicked")?;
    std::fs::write(&files.stdout, &output)?;
    let written = writer.join().map_err(|_| "the stdin writer panicked")?;
    let stderr = std::fs::read_to_string(&files.stderr).unwrap_or_default();
    let fail = |what: String| -> Error {
        let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "{what} ({calls}-call run); stderr in {}:\n  {}",
            files.stderr.display(),
            tail.join("\n  ")
        )
        .into()
    };
    if !status.success() {
        return Err(fail(format!("exited with {status}")));
    }
    if let Err(e) = written {
        return Err(fail(format!("writing the requests failed: {e}")));
    }
    let total = parse_total(&stderr)
        .ok_or_else(|| fail("no `Collected :` line from callgrind".to_owned()))?;
    let responses = check_output(&output, calls).map_err(|e| format!("{e} ({calls}-call run)"))?;
    Ok((total, responses))
}

/// Measures one stdio server: a short and a long run under callgrind. The
/// files of both runs stay in `<log_dir>/callgrind/` (the `.callgrind`
/// profiles open in `callgrind_annotate`).
pub(crate) fn measure(target: &Target, log_dir: &Path) -> Result<Instructions, Error> {
    let dir = log_dir.join("callgrind");
    std::fs::create_dir_all(&dir)?;
    let (small_total, small_responses) = run_once(target, SMALL, &dir)?;
    let (large_total, large_responses) = run_once(target, LARGE, &dir)?;
    Ok(Instructions {
        per_request: per_request((SMALL, small_total), (LARGE, large_total))?,
        small_total,
        large_total,
        responses: small_responses + large_responses,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn parses_callgrind_totals() {
        let stderr = "\
==3135== Callgrind, a call-graph generating cache profiler
==3135== Events    : Ir
==3135== Collected : 6069200
==3135==
==3135== I   refs:      6,069,200
";
        assert_eq!(parse_total(stderr), Some(6_069_200));
        assert_eq!(
            parse_total("==7== I   refs:      80,503,654\n"),
            Some(80_503_654)
        );
        assert_eq!(parse_total("server log line\n==7== Events : Ir\n"), None);
        assert_eq!(parse_total("==7== Collected : lots\n"), None);
    }

    #[test]
    fn per_request_cancels_the_fixed_cost() {
        // 5M to start and stop, 20k per call.
        let total = |calls: u64| 5_000_000 + calls * 20_000;
        let per = per_request((1_000, total(1_000)), (10_000, total(10_000))).unwrap();
        assert_eq!(per, 20_000.0);
        assert!(per_request((1_000, 9), (10_000, 9)).is_err());
        assert!(per_request((1_000, 10), (10_000, 9)).is_err());
        assert!(per_request((1_000, 9), (1_000, 10)).is_err());
    }

    #[test]
    fn request_file_shape() {
        let file = request_file(3);
        let lines: Vec<Value> = file
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 5);
        assert!(file.ends_with(b"\n"));
        assert_eq!(lines[0]["method"], "initialize");
        assert_eq!(lines[0]["id"], 0);
        assert_eq!(
            lines[0]["params"]["protocolVersion"],
            jsonrpc::LEGACY_VERSION
        );
        assert_eq!(lines[1]["method"], "notifications/initialized");
        assert!(lines[1].get("id").is_none());
        for (call, id) in lines[2..].iter().zip(1..) {
            assert_eq!(call["id"], id);
            assert_eq!(call["method"], "tools/call");
            assert_eq!(call["params"]["name"], "echo");
            assert_eq!(call["params"]["arguments"]["text"], ECHO_TEXT);
        }
        assert_eq!(ECHO_TEXT.len(), 43);
    }

    fn echo_response(id: u64) -> String {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"result":{{"content":[{{"type":"text","text":"{ECHO_TEXT}"}}]}}}}"#
        )
    }

    #[test]
    fn checks_every_response() {
        let init = r#"{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-11-25"}}"#;
        let good = format!("{init}\n{}\n{}\n", echo_response(2), echo_response(1));
        assert_eq!(check_output(good.as_bytes(), 2).unwrap(), 3);
        let short = format!("{init}\n{}\n", echo_response(1));
        let e = check_output(short.as_bytes(), 2).unwrap_err().to_string();
        assert!(e.starts_with("1 of 3 requests unanswered"), "{e}");
        assert!(e.contains("missing id 2"), "{e}");
        let twice = format!("{init}\n{}\n{}\n", echo_response(1), echo_response(1));
        assert!(check_output(twice.as_bytes(), 2).is_err());
        let stray = format!("{init}\n{}\n", echo_response(7));
        assert!(check_output(stray.as_bytes(), 1).is_err());
        let error = format!("{init}\n{{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{{}}}}\n");
        assert!(check_output(error.as_bytes(), 1).is_err());
    }
}
