//! stdio load: `tools/call echo` round trips with a fixed number in flight
//! (1 = sequential), the time from spawn to the first `initialize` response,
//! and the idle resident set.
//!
//! The load generator is one blocking thread: it writes every request that a
//! batch of responses frees up in one `write`, and reads as much as the pipe
//! holds in one `read`, so it stays cheap when it shares a core with the
//! server.

use std::io::{self, Read, Write};
use std::ops::Range;
use std::path::Path;
use std::process::{ChildStdin, ChildStdout};
use std::time::{Duration, Instant};

use super::jsonrpc::{self, ECHO_TEXT, FULL_CHECK_EVERY, Style};
use super::procfs::{CpuSnapshot, PinnedToCpu0};
use super::servers::{Running, Target};
use super::stats::{Measurement, Recorder, Startup};
use crate::Error;

/// Least free buffer space offered to one `read`.
const MIN_READ: usize = 4096;

/// How long a throughput run warms up and then measures.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Unmeasured time first.
    pub(crate) warmup: Duration,
    /// Measured time.
    pub(crate) duration: Duration,
}

/// Newline-delimited messages read from a pipe into one reused buffer.
#[derive(Debug)]
struct Lines {
    stdout: ChildStdout,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Lines {
    fn new(stdout: ChildStdout) -> Self {
        Self {
            stdout,
            buf: vec![0; 64 * 1024],
            start: 0,
            end: 0,
        }
    }

    /// The next complete line already read (without its newline), if any.
    fn buffered(&mut self) -> Option<Range<usize>> {
        let pending = &self.buf[self.start..self.end];
        let newline = pending.iter().position(|&b| b == b'\n')?;
        let line = self.start..self.start + newline;
        self.start += newline + 1;
        Some(line)
    }

    fn get(&self, line: Range<usize>) -> &[u8] {
        self.buf[line].trim_ascii()
    }

    /// One `read` of whatever the pipe holds. Invalidates earlier ranges.
    fn fill(&mut self) -> io::Result<()> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        } else if self.buf.len() - self.end < MIN_READ {
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
            if self.buf.len() - self.end < MIN_READ {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        match self.stdout.read(&mut self.buf[self.end..])? {
            0 => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "server closed stdout",
            )),
            n => {
                self.end += n;
                Ok(())
            }
        }
    }

    /// Reads until a whole line is there.
    fn next_line(&mut self) -> io::Result<Range<usize>> {
        loop {
            if let Some(line) = self.buffered() {
                return Ok(line);
            }
            self.fill()?;
        }
    }
}

/// One request/response exchange, for the handshake and the probes.
fn exchange(stdin: &mut ChildStdin, lines: &mut Lines, message: &[u8]) -> Result<Vec<u8>, Error> {
    let mut framed = message.to_vec();
    framed.push(b'\n');
    stdin.write_all(&framed)?;
    let line = lines.next_line()?;
    Ok(lines.get(line).to_vec())
}

/// `initialize` + `notifications/initialized`.
fn initialize(stdin: &mut ChildStdin, lines: &mut Lines) -> Result<(), Error> {
    let response = exchange(stdin, lines, jsonrpc::initialize(0).as_bytes())?;
    jsonrpc::check_initialize(&response, 0)?;
    stdin.write_all(format!("{}\n", jsonrpc::INITIALIZED).as_bytes())?;
    Ok(())
}

/// Calls each tool once and checks the answers.
fn probe(stdin: &mut ChildStdin, lines: &mut Lines) -> Result<(), Error> {
    for (id, (tool, arguments, expected)) in (1..).zip(jsonrpc::probe_calls()) {
        let mut request = Vec::new();
        jsonrpc::tools_call(&mut request, id, tool, &arguments, Style::Session);
        let response = exchange(stdin, lines, &request)?;
        jsonrpc::check_probe(&response, id, tool, expected)?;
    }
    Ok(())
}

/// Slots for the send times of requests in flight, indexed by id.
const RING: usize = 4096;

/// Runs `echo` round trips with `window` requests in flight; `pinned` puts
/// the server and this process on CPU 0.
pub(crate) fn throughput(
    target: &Target,
    window: usize,
    pinned: bool,
    plan: Plan,
    log_dir: &Path,
) -> Result<Measurement, Error> {
    let _pin = if pinned {
        Some(PinnedToCpu0::pin()?)
    } else {
        None
    };
    let mut server = Running::stdio(target, pinned, log_dir)?;
    let (mut stdin, stdout) = server.pipes()?;
    let mut lines = Lines::new(stdout);
    let outcome = initialize(&mut stdin, &mut lines)
        .and_then(|()| probe(&mut stdin, &mut lines))
        .and_then(|()| {
            drive(
                &mut stdin,
                &mut lines,
                server.pid,
                window.clamp(1, RING),
                plan,
            )
        });
    let mut measurement = match outcome {
        Ok(m) => m,
        Err(e) => return Err(server.failure(&e.to_string())),
    };
    measurement.peak_rss_kib = server.rss_kib()?.1;
    server.finish(Some(stdin));
    Ok(measurement)
}

/// The timed loop of [`throughput`].
fn drive(
    stdin: &mut ChildStdin,
    lines: &mut Lines,
    pid: u32,
    window: usize,
    plan: Plan,
) -> Result<Measurement, Error> {
    let mut sent_at = vec![(u64::MAX, Instant::now()); RING];
    let mut recorder = Recorder::with_capacity(1 << 20);
    let mut out = Vec::with_capacity(window * 256);
    let mut next_id: u64 = 100;
    let mut in_flight = 0;
    let mut seen: u64 = 0;
    let mut measured: u64 = 0;
    let mut measuring: Option<(Instant, CpuSnapshot)> = None;
    let mut finished: Option<(Instant, CpuSnapshot)> = None;

    let mut now = Instant::now();
    let warm_until = now + plan.warmup;
    let stop_at = warm_until + plan.duration;
    let mut send = |out: &mut Vec<u8>, sent_at: &mut [(u64, Instant)], now| {
        jsonrpc::echo_call(out, next_id, Style::Session);
        out.push(b'\n');
        sent_at[next_id as usize % RING] = (next_id, now);
        next_id += 1;
    };
    for _ in 0..window {
        send(&mut out, &mut sent_at, now);
        in_flight += 1;
    }
    stdin.write_all(&out)?;
    loop {
        out.clear();
        while let Some(range) = lines.buffered() {
            let line = lines.get(range);
            let id = jsonrpc::success_id(line).ok_or_else(|| {
                format!("not a success response: {}", String::from_utf8_lossy(line))
            })?;
            let slot = &mut sent_at[id as usize % RING];
            if slot.0 != id {
                return Err(format!("unexpected response id {id}").into());
            }
            slot.0 = u64::MAX;
            if seen % FULL_CHECK_EVERY == 0 {
                jsonrpc::check_text_result(line, id, ECHO_TEXT)?;
            }
            seen += 1;
            if measuring.is_some() && finished.is_none() {
                recorder.record(now - slot.1);
                measured += 1;
            }
            in_flight -= 1;
            if finished.is_none() {
                send(&mut out, &mut sent_at, now);
                in_flight += 1;
            }
        }
        if !out.is_empty() {
            stdin.write_all(&out)?;
        }
        if measuring.is_none() && now >= warm_until {
            measuring = Some((now, CpuSnapshot::take(pid)?));
        } else if measuring.is_some() && finished.is_none() && now >= stop_at {
            finished = Some((now, CpuSnapshot::take(pid)?));
        }
        if finished.is_some() && in_flight == 0 {
            break;
        }
        lines.fill()?;
        now = Instant::now();
    }
    let (Some((t0, cpu0)), Some((t1, cpu1))) = (measuring, finished) else {
        unreachable!("the loop ends only after both phases began");
    };
    let cpu = cpu1.since(&cpu0);
    let (p50, p99) = recorder.p50_p99();
    Ok(Measurement {
        requests: measured,
        elapsed: t1 - t0,
        p50,
        p99,
        server_cpu: cpu.server,
        client_cpu: cpu.client,
        other_cpu: cpu.other,
        peak_rss_kib: 0,
        rounds: Vec::new(),
    })
}

/// Times `spawns` cold starts: spawn, write `initialize` at once, read the
/// response.
pub(crate) fn startup(target: &Target, spawns: usize, log_dir: &Path) -> Result<Startup, Error> {
    let mut samples = Vec::with_capacity(spawns);
    for _ in 0..spawns {
        let started = Instant::now();
        let mut server = Running::stdio(target, false, log_dir)?;
        let (mut stdin, stdout) = server.pipes()?;
        let mut lines = Lines::new(stdout);
        let response = exchange(&mut stdin, &mut lines, jsonrpc::initialize(0).as_bytes());
        let elapsed = started.elapsed();
        match response.and_then(|r| jsonrpc::check_initialize(&r, 0)) {
            Ok(()) => samples.push(elapsed),
            Err(e) => return Err(server.failure(&e.to_string())),
        }
        server.finish(Some(stdin));
    }
    Ok(Startup::from_samples(&samples))
}

/// Resident set (KiB) of an initialized stdio server that has answered one
/// call of each tool and then sat idle for a moment.
pub(crate) fn idle_rss(target: &Target, log_dir: &Path) -> Result<u64, Error> {
    let mut server = Running::stdio(target, false, log_dir)?;
    let (mut stdin, stdout) = server.pipes()?;
    let mut lines = Lines::new(stdout);
    if let Err(e) = initialize(&mut stdin, &mut lines).and_then(|()| probe(&mut stdin, &mut lines))
    {
        return Err(server.failure(&e.to_string()));
    }
    std::thread::sleep(Duration::from_millis(300));
    let rss = server.rss_kib()?.0;
    server.finish(Some(stdin));
    Ok(rss)
}
