//! The session table of the session era: bounded in size, sessions closed after
//! an idle timeout by a background sweep and by a check on every lookup.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use futures::channel::mpsc;
use mcp_types::ProtocolVersion;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::router::Control;
use crate::Inbound;

/// A new session id: 128 random bits in lowercase hex (visible ASCII).
pub(crate) fn new_session_id() -> Result<Arc<str>, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    let mut id = String::with_capacity(32);
    for b in bytes {
        id.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        id.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    Ok(id.into())
}

/// What the HTTP handlers share about one session.
pub(crate) struct SessionHandle {
    pub(crate) id: Arc<str>,
    /// To the engine.
    pub(crate) inbound: mpsc::Sender<Inbound>,
    /// To the session's router.
    pub(crate) control: mpsc::Sender<Control>,
    /// The negotiated version: 0 while unknown, else its index + 1.
    version: AtomicU8,
    /// Milliseconds since the table's epoch at the last request or stream end.
    last_seen: AtomicU64,
    /// SSE streams open now; a session with one is never idle.
    open_streams: AtomicUsize,
    closed: AtomicBool,
    closing: Notify,
    epoch: Instant,
}

impl SessionHandle {
    pub(crate) fn new(
        id: Arc<str>,
        inbound: mpsc::Sender<Inbound>,
        control: mpsc::Sender<Control>,
        table: &SessionTable,
    ) -> Self {
        SessionHandle {
            id,
            inbound,
            control,
            version: AtomicU8::new(0),
            last_seen: AtomicU64::new(table.now_ms()),
            open_streams: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            closing: Notify::new(),
            epoch: table.epoch,
        }
    }

    /// The version the initialize response negotiated, once it passed.
    pub(crate) fn version(&self) -> Option<ProtocolVersion> {
        match self.version.load(Ordering::Acquire) {
            0 => None,
            i => ProtocolVersion::ALL.get(usize::from(i) - 1).copied(),
        }
    }

    pub(crate) fn set_version(&self, version: ProtocolVersion) {
        // There are five revisions: the index fits.
        self.version
            .store(version.index() as u8 + 1, Ordering::Release);
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Marks the session as used now.
    pub(crate) fn touch(&self) {
        self.last_seen.store(self.now_ms(), Ordering::Relaxed);
    }

    /// Asks the router to end the session (idempotent).
    pub(crate) fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            self.closing.notify_one();
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Resolves once [`close`](Self::close) was called (for the router).
    pub(crate) async fn closing(&self) {
        self.closing.notified().await;
    }

    fn idle_expired(&self, now_ms: u64, idle: Duration) -> bool {
        self.open_streams.load(Ordering::Acquire) == 0
            && now_ms.saturating_sub(self.last_seen.load(Ordering::Relaxed))
                > idle.as_millis() as u64
    }
}

/// Counts an open SSE stream of a session while it lives.
pub(crate) struct StreamGuard(Arc<SessionHandle>);

impl StreamGuard {
    pub(crate) fn new(session: Arc<SessionHandle>) -> Self {
        session.open_streams.fetch_add(1, Ordering::AcqRel);
        StreamGuard(session)
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.touch();
        self.0.open_streams.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The table is full.
#[derive(Debug)]
pub(crate) struct Full;

/// Live sessions by id.
pub(crate) struct SessionTable {
    map: RwLock<HashMap<Arc<str>, Arc<SessionHandle>>>,
    max: usize,
    idle: Option<Duration>,
    epoch: Instant,
    sweeping: AtomicBool,
}

impl SessionTable {
    pub(crate) fn new(max: usize, idle: Option<Duration>) -> Arc<Self> {
        Arc::new(SessionTable {
            map: RwLock::new(HashMap::new()),
            max,
            idle,
            epoch: Instant::now(),
            sweeping: AtomicBool::new(false),
        })
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The live session with this id; a session found idle past the timeout is
    /// closed and reads as absent.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<SessionHandle>> {
        let found = self
            .map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()?;
        if found.is_closed() {
            return None;
        }
        if let Some(idle) = self.idle
            && found.idle_expired(self.now_ms(), idle)
        {
            self.remove(&found);
            return None;
        }
        found.touch();
        Some(found)
    }

    /// Adds a session, first dropping expired ones when the table is full.
    pub(crate) fn insert(self: &Arc<Self>, session: Arc<SessionHandle>) -> Result<(), Full> {
        {
            let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
            if map.len() >= self.max {
                self.evict_expired(&mut map);
                if map.len() >= self.max {
                    return Err(Full);
                }
            }
            map.insert(session.id.clone(), session);
        }
        self.start_sweeper();
        Ok(())
    }

    /// Removes `session` (if it is still the one under its id) and closes it.
    pub(crate) fn remove(&self, session: &Arc<SessionHandle>) {
        {
            let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
            if map
                .get(&session.id)
                .is_some_and(|s| Arc::ptr_eq(s, session))
            {
                map.remove(&session.id);
            }
        }
        session.close();
    }

    /// How many sessions are in the table.
    pub(crate) fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Closes every session (the service is going away).
    pub(crate) fn close_all(&self) {
        let drained: Vec<_> = self
            .map
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .map(|(_, s)| s)
            .collect();
        for session in drained {
            session.close();
        }
    }

    fn evict_expired(&self, map: &mut HashMap<Arc<str>, Arc<SessionHandle>>) {
        let Some(idle) = self.idle else { return };
        let now = self.now_ms();
        map.retain(|_, s| {
            let keep = !s.is_closed() && !s.idle_expired(now, idle);
            if !keep {
                tracing::debug!(session = %s.id, "closing idle session");
                s.close();
            }
            keep
        });
    }

    fn start_sweeper(self: &Arc<Self>) {
        let Some(idle) = self.idle else { return };
        if self.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
        let table: Weak<SessionTable> = Arc::downgrade(self);
        let period = (idle / 2).clamp(Duration::from_millis(10), Duration::from_secs(60));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(table) = table.upgrade() else { break };
                let mut map = table.map.write().unwrap_or_else(|e| e.into_inner());
                table.evict_expired(&mut map);
            }
        });
    }
}
