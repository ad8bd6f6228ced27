//! Streamable HTTP load: N keep-alive connections, each one client doing
//! sequential `tools/call echo` round trips (stateless 2026-07-28 requests,
//! or one 2025-11-25 session per connection), and the resident-set growth
//! of many initialized stateful sessions.
//!
//! All connections run on one current-thread tokio runtime on the calling
//! thread, so the load generator takes at most one core.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use super::http::Connection;
use super::jsonrpc::{self, ECHO_TEXT, FULL_CHECK_EVERY, LEGACY_VERSION, STATELESS_VERSION, Style};
use super::load_stdio::Plan;
use super::procfs::CpuSnapshot;
use super::servers::{HttpMode, Running, Target};
use super::stats::{Measurement, Recorder, Sessions};
use crate::Error;

const WARMING: u8 = 0;
const MEASURING: u8 = 1;
const STOPPED: u8 = 2;

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// One client: a connection and, when stateful, its session.
#[derive(Debug)]
struct Client {
    connection: Connection,
    mode: HttpMode,
    session: String,
}

impl Client {
    /// Connects; when stateful, initializes a session.
    async fn open(addr: SocketAddr, mode: HttpMode) -> Result<Self, Error> {
        let mut client = Client {
            connection: Connection::open(addr).await?,
            mode,
            session: String::new(),
        };
        if mode == HttpMode::Stateful {
            client.initialize().await?;
        }
        Ok(client)
    }

    /// `initialize` (its response must carry `Mcp-Session-Id`), then
    /// `notifications/initialized` on the session.
    async fn initialize(&mut self) -> Result<(), Error> {
        let init = jsonrpc::initialize(0);
        let response = self.connection.post(&[], init.as_bytes()).await?;
        expect_status(response.head.status, 200, response.message)?;
        jsonrpc::check_initialize(response.message, 0)?;
        self.session = response
            .head
            .session_id
            .ok_or("the initialize response has no Mcp-Session-Id header")?;
        let headers = [
            ("Mcp-Session-Id", self.session.as_str()),
            ("MCP-Protocol-Version", LEGACY_VERSION),
        ];
        let response = self
            .connection
            .post(&headers, jsonrpc::INITIALIZED.as_bytes())
            .await?;
        if !(200..300).contains(&response.head.status) {
            return Err(format!("notifications/initialized: HTTP {}", response.head.status).into());
        }
        Ok(())
    }

    /// Sends one `tools/call` body for `tool`; returns the JSON-RPC message.
    async fn call(&mut self, tool: &str, body: &[u8]) -> Result<&[u8], Error> {
        let stateless;
        let stateful;
        let headers: &[(&str, &str)] = match self.mode {
            HttpMode::Stateless => {
                stateless = [
                    ("MCP-Protocol-Version", STATELESS_VERSION),
                    ("Mcp-Method", "tools/call"),
                    ("Mcp-Name", tool),
                ];
                &stateless
            }
            HttpMode::Stateful => {
                stateful = [
                    ("Mcp-Session-Id", self.session.as_str()),
                    ("MCP-Protocol-Version", LEGACY_VERSION),
                ];
                &stateful
            }
        };
        let response = self.connection.post(headers, body).await?;
        expect_status(response.head.status, 200, response.message)?;
        Ok(response.message)
    }

    fn style(&self) -> Style {
        match self.mode {
            HttpMode::Stateless => Style::Stateless,
            HttpMode::Stateful => Style::Session,
        }
    }

    /// Calls each tool once and checks the answers.
    async fn probe(&mut self) -> Result<(), Error> {
        for (id, (tool, arguments, expected)) in (1..).zip(jsonrpc::probe_calls()) {
            let mut body = Vec::new();
            jsonrpc::tools_call(&mut body, id, tool, &arguments, self.style());
            let message = self.call(tool, &body).await?;
            jsonrpc::check_probe(message, id, tool, expected)?;
        }
        Ok(())
    }
}

fn expect_status(status: u16, expected: u16, message: &[u8]) -> Result<(), Error> {
    if status == expected {
        Ok(())
    } else {
        Err(format!(
            "HTTP {status} (expected {expected}): {}",
            String::from_utf8_lossy(&message[..message.len().min(300)])
        )
        .into())
    }
}

/// Sequential echo calls until the phase says stop; records the round trips
/// sent while measuring.
async fn worker(mut client: Client, phase: Arc<AtomicU8>) -> Result<Recorder, Error> {
    let mut recorder = Recorder::with_capacity(1 << 18);
    let mut body = Vec::with_capacity(1024);
    let style = client.style();
    for id in 100.. {
        let now = phase.load(Ordering::Relaxed);
        if now == STOPPED {
            break;
        }
        body.clear();
        jsonrpc::echo_call(&mut body, id, style);
        let sent = Instant::now();
        let message = client.call("echo", &body).await?;
        let latency = sent.elapsed();
        if jsonrpc::success_id(message) != Some(id) {
            return Err(format!(
                "expected a success response to {id}: {}",
                String::from_utf8_lossy(message)
            )
            .into());
        }
        if id % FULL_CHECK_EVERY == 0 {
            jsonrpc::check_text_result(message, id, ECHO_TEXT)?;
        }
        if now == MEASURING {
            recorder.record(latency);
        }
    }
    Ok(recorder)
}

/// Echo round trips on `connections` keep-alive connections against a
/// freshly started server in `mode`.
pub(crate) fn throughput(
    target: &Target,
    mode: HttpMode,
    connections: usize,
    plan: Plan,
    log_dir: &Path,
) -> Result<Measurement, Error> {
    let (mut server, addr) = Running::http(target, mode, log_dir)?;
    let outcome = runtime()?.block_on(drive(addr, mode, connections, plan, server.pid));
    let mut measurement = outcome.map_err(|e| server.failure(&e.to_string()))?;
    measurement.peak_rss_kib = server.rss_kib()?.1;
    Ok(measurement)
}

async fn drive(
    addr: SocketAddr,
    mode: HttpMode,
    connections: usize,
    plan: Plan,
    pid: u32,
) -> Result<Measurement, Error> {
    let mut clients = Vec::with_capacity(connections);
    for _ in 0..connections {
        let mut client = Client::open(addr, mode).await?;
        client.probe().await?;
        clients.push(client);
    }
    let phase = Arc::new(AtomicU8::new(WARMING));
    let workers: Vec<_> = clients
        .into_iter()
        .map(|client| tokio::spawn(worker(client, phase.clone())))
        .collect();
    tokio::time::sleep(plan.warmup).await;
    let cpu0 = CpuSnapshot::take(pid)?;
    let t0 = Instant::now();
    phase.store(MEASURING, Ordering::Relaxed);
    tokio::time::sleep(plan.duration).await;
    phase.store(STOPPED, Ordering::Relaxed);
    let t1 = Instant::now();
    let cpu1 = CpuSnapshot::take(pid)?;
    let mut recorder = Recorder::default();
    for worker in workers {
        recorder.merge(worker.await.map_err(|e| format!("load task: {e}"))??);
    }
    let cpu = cpu1.since(&cpu0);
    let requests = recorder.len() as u64;
    let (p50, p99) = recorder.p50_p99();
    Ok(Measurement {
        requests,
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

/// Connections the sessions are opened over (sessions outlive requests,
/// not connections).
const SESSION_CONNECTIONS: usize = 4;
/// Sessions opened before the baseline is read, to leave out one-time costs.
const WARM_SESSIONS: usize = 16;
/// Time given to the server to settle before each RSS reading.
const SETTLE: Duration = Duration::from_millis(300);

/// Opens `count` sessions, spread over a few connections kept open.
async fn open_sessions(addr: SocketAddr, count: usize) -> Result<Vec<Connection>, Error> {
    let per_connection = count.div_ceil(SESSION_CONNECTIONS);
    let tasks: Vec<_> = (0..SESSION_CONNECTIONS)
        .map(|i| {
            let n = per_connection.min(count.saturating_sub(i * per_connection));
            tokio::spawn(async move {
                let mut client = Client {
                    connection: Connection::open(addr).await?,
                    mode: HttpMode::Stateful,
                    session: String::new(),
                };
                for _ in 0..n {
                    client.initialize().await?;
                }
                Ok::<_, Error>(client.connection)
            })
        })
        .collect();
    let mut connections = Vec::with_capacity(tasks.len());
    for task in tasks {
        connections.push(task.await.map_err(|e| format!("session task: {e}"))??);
    }
    Ok(connections)
}

/// Idle RSS of a freshly started stateful server and its growth over
/// `count` initialized sessions.
pub(crate) fn sessions(target: &Target, count: usize, log_dir: &Path) -> Result<Sessions, Error> {
    let (mut server, addr) = Running::http(target, HttpMode::Stateful, log_dir)?;
    std::thread::sleep(SETTLE);
    let idle_rss_kib = server.rss_kib()?.0;
    let rt = runtime()?;
    let warm = rt
        .block_on(open_sessions(addr, WARM_SESSIONS))
        .map_err(|e| server.failure(&e.to_string()))?;
    std::thread::sleep(SETTLE);
    let baseline_rss_kib = server.rss_kib()?.0;
    let started = Instant::now();
    let loaded = rt
        .block_on(open_sessions(addr, count))
        .map_err(|e| server.failure(&e.to_string()))?;
    let elapsed = started.elapsed();
    std::thread::sleep(SETTLE);
    let loaded_rss_kib = server.rss_kib()?.0;
    drop((warm, loaded));
    Ok(Sessions {
        idle_rss_kib,
        baseline_rss_kib,
        loaded_rss_kib,
        sessions: count as u64,
        elapsed,
    })
}
