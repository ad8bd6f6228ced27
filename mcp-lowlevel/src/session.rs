//! What one connection knows about itself: the negotiated revision, the peer's
//! identity and capabilities, and the log level.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use mcp_types::{
    ClientCapabilities, Implementation, InitializeResult, LoggingLevel, ProtocolVersion,
};

use crate::signal::Signal;

/// The state of one session-era connection (or of one stateless request's
/// sender, for 2026-07-28 peers).
///
/// It is shared by the connection's engine and every handler through
/// [`crate::Peer::session`].
#[derive(Debug, Default)]
pub struct Session {
    version: AtomicU8,
    initialized: Signal,
    client: OnceLock<ClientHello>,
    /// Boxed: only a client's session holds one, and it is large.
    server: OnceLock<Box<InitializeResult>>,
    log_level: AtomicU8,
    subscriptions: Mutex<HashSet<String>>,
    task_owner: OnceLock<String>,
}

/// What the client said about itself in `initialize`.
///
/// Both parts are shared: every request of the session hands them to its
/// handler without copying them.
#[derive(Debug, Clone)]
pub struct ClientHello {
    /// The client's name and version.
    pub info: Arc<Implementation>,
    /// The client's capabilities.
    pub capabilities: Arc<ClientCapabilities>,
}

const NO_LEVEL: u8 = 0;

impl Session {
    /// A fresh session with nothing negotiated.
    pub fn new() -> Self {
        Session::default()
    }

    /// An unguessable id of this session, naming the owner of the tasks it creates.
    pub fn task_owner(&self) -> &str {
        self.task_owner
            .get_or_init(|| crate::StateKey::random().seal(&serde_json::Value::Null))
    }

    /// The negotiated revision, once `initialize` has been answered.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        match self.version.load(Ordering::Acquire) {
            0 => None,
            n => ProtocolVersion::ALL.get(usize::from(n) - 1).copied(),
        }
    }

    /// Records the negotiated revision.
    pub fn set_protocol_version(&self, version: ProtocolVersion) {
        // `index()` is below `ALL.len()`, so it fits in a byte.
        self.version
            .store(version.index() as u8 + 1, Ordering::Release);
    }

    /// Whether `notifications/initialized` has been received (server side) or
    /// sent (client side).
    pub fn is_initialized(&self) -> bool {
        self.initialized.has_fired()
    }

    /// Marks the handshake complete.
    pub fn set_initialized(&self) {
        self.initialized.fire();
    }

    /// Resolves once the handshake is complete.
    pub async fn initialized(&self) {
        self.initialized.wait().await;
    }

    /// The client's `initialize` parameters (server side).
    pub fn client(&self) -> Option<&ClientHello> {
        self.client.get()
    }

    /// Records the client's `initialize` parameters; only the first call counts.
    pub fn set_client(&self, hello: ClientHello) -> bool {
        self.client.set(hello).is_ok()
    }

    /// The server's `initialize` result (client side).
    pub fn server(&self) -> Option<&InitializeResult> {
        self.server.get().map(|result| &**result)
    }

    /// Records the server's `initialize` result; only the first call counts.
    pub fn set_server(&self, result: InitializeResult) -> bool {
        self.server.set(Box::new(result)).is_ok()
    }

    /// The minimum level of `notifications/message` the client asked for with
    /// `logging/setLevel`; `None` when it never asked (then every level is sent).
    pub fn log_level(&self) -> Option<LoggingLevel> {
        match self.log_level.load(Ordering::Acquire) {
            NO_LEVEL => None,
            n => LEVELS.get(usize::from(n) - 1).copied(),
        }
    }

    /// Adds a `resources/subscribe` URI; `false` when the bound of
    /// [`Session::MAX_SUBSCRIPTIONS`] is reached.
    pub fn subscribe(&self, uri: String) -> bool {
        let mut subs = crate::peer::lock(&self.subscriptions);
        if subs.len() >= Self::MAX_SUBSCRIPTIONS && !subs.contains(&uri) {
            return false;
        }
        subs.insert(uri);
        true
    }

    /// Removes a `resources/subscribe` URI.
    pub fn unsubscribe(&self, uri: &str) -> bool {
        crate::peer::lock(&self.subscriptions).remove(uri)
    }

    /// Whether the client subscribed to `uri`.
    pub fn is_subscribed(&self, uri: &str) -> bool {
        crate::peer::lock(&self.subscriptions).contains(uri)
    }

    /// The most resource subscriptions one session may hold.
    pub const MAX_SUBSCRIPTIONS: usize = 4096;

    /// Records the level from `logging/setLevel`.
    pub fn set_log_level(&self, level: LoggingLevel) {
        let n = LEVELS.iter().position(|l| *l == level).unwrap_or(0) as u8 + 1;
        self.log_level.store(n, Ordering::Release);
    }
}

/// Every level, least severe first.
pub(crate) const LEVELS: [LoggingLevel; 8] = [
    LoggingLevel::Debug,
    LoggingLevel::Info,
    LoggingLevel::Notice,
    LoggingLevel::Warning,
    LoggingLevel::Error,
    LoggingLevel::Critical,
    LoggingLevel::Alert,
    LoggingLevel::Emergency,
];
