//! Resumability of session-era SSE streams: event ids and the stores that keep
//! sent events for replay after a client reconnects with `Last-Event-ID`.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use futures::future::BoxFuture;

/// The stream number of a session's standalone stream (the one a `GET` opens).
/// Streams of `POST` responses are numbered from 1.
pub const STANDALONE_STREAM: u64 = 0;

/// The id of an SSE event: which stream of the session it belongs to and its
/// position in that stream. It travels as `<stream>-<seq>` and is unique
/// within a session; position 0 is the priming event that opens a stream.
///
/// ```
/// use mcp_transport::http::EventId;
///
/// let id: EventId = "3-17".parse().unwrap();
/// assert_eq!(id, EventId { stream: 3, seq: 17 });
/// assert_eq!(id.to_string(), "3-17");
/// assert!("3".parse::<EventId>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId {
    /// The stream within the session ([`STANDALONE_STREAM`] for the `GET` stream).
    pub stream: u64,
    /// The event's position within its stream, from 1 (0 is the priming event).
    pub seq: u64,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.stream, self.seq)
    }
}

/// The error of reading a `Last-Event-ID` this server did not issue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed SSE event id `{0}`")]
pub struct InvalidEventId(pub String);

impl FromStr for EventId {
    type Err = InvalidEventId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidEventId(s.to_owned());
        let (stream, seq) = s.split_once('-').ok_or_else(bad)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(stream) || !digits(seq) {
            return Err(bad());
        }
        Ok(EventId {
            stream: stream.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

/// Where the server keeps the SSE events it sends, so that a client whose
/// connection dropped can resume a stream with `Last-Event-ID`.
///
/// The store opens one [`EventLog`] per session; the log belongs to that
/// session's routing task alone, so an implementation needs no locking on the
/// hot path. [`InMemoryEventStore`] is the default; an implementation backed by
/// another store (to survive restarts, say) implements these two traits.
pub trait EventStore: Send + Sync + 'static {
    /// Opens the event log of a new session.
    fn open(&self, session_id: &str) -> Box<dyn EventLog>;
}

/// The events of one session, see [`EventStore`].
pub trait EventLog: Send + 'static {
    /// Records an event as it went on the wire (its complete `id:` / `data:`
    /// frame, ready to be sent again). Called for every event before it is sent;
    /// it must not block: an implementation that writes elsewhere queues the
    /// write. A log may forget old events to stay within its bounds.
    fn append(&mut self, id: EventId, event: Bytes);

    /// The recorded events of stream `after.stream` that came after `after`,
    /// oldest first; empty when there are none (or they were forgotten).
    fn replay_after(&mut self, after: EventId) -> BoxFuture<'_, Vec<Bytes>>;
}

/// The default [`EventStore`]: events kept in memory, bounded per stream, in
/// the number of streams and in bytes per session; the oldest go first.
///
/// ```
/// use mcp_transport::http::InMemoryEventStore;
///
/// let store = InMemoryEventStore::default()
///     .max_events_per_stream(64)
///     .max_streams(16)
///     .max_bytes_per_session(128 * 1024);
/// # drop(store);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct InMemoryEventStore {
    max_events_per_stream: usize,
    max_streams: usize,
    max_bytes: usize,
}

impl Default for InMemoryEventStore {
    /// 128 events per stream, 32 streams and 256 KiB per session.
    fn default() -> Self {
        InMemoryEventStore {
            max_events_per_stream: 128,
            max_streams: 32,
            max_bytes: 256 * 1024,
        }
    }
}

impl InMemoryEventStore {
    /// How many events of one stream are kept (at least 1).
    pub fn max_events_per_stream(mut self, n: usize) -> Self {
        self.max_events_per_stream = n.max(1);
        self
    }

    /// How many streams of one session are kept (at least 1).
    pub fn max_streams(mut self, n: usize) -> Self {
        self.max_streams = n.max(1);
        self
    }

    /// How many bytes of events one session keeps.
    pub fn max_bytes_per_session(mut self, n: usize) -> Self {
        self.max_bytes = n;
        self
    }
}

impl EventStore for InMemoryEventStore {
    fn open(&self, _session_id: &str) -> Box<dyn EventLog> {
        Box::new(InMemoryLog {
            limits: *self,
            streams: VecDeque::new(),
            bytes: 0,
        })
    }
}

struct StreamLog {
    stream: u64,
    events: VecDeque<(u64, Bytes)>,
}

struct InMemoryLog {
    limits: InMemoryEventStore,
    streams: VecDeque<StreamLog>,
    bytes: usize,
}

impl InMemoryLog {
    fn forget_oldest(&mut self) {
        if let Some(first) = self.streams.front_mut() {
            if let Some((_, ev)) = first.events.pop_front() {
                self.bytes -= ev.len();
            }
            if first.events.is_empty() {
                self.streams.pop_front();
            }
        }
    }
}

impl EventLog for InMemoryLog {
    fn append(&mut self, id: EventId, event: Bytes) {
        let index = match self.streams.iter().rposition(|s| s.stream == id.stream) {
            Some(i) => i,
            None => {
                if self.streams.len() >= self.limits.max_streams
                    && let Some(old) = self.streams.pop_front()
                {
                    self.bytes -= old.events.iter().map(|(_, e)| e.len()).sum::<usize>();
                }
                self.streams.push_back(StreamLog {
                    stream: id.stream,
                    events: VecDeque::new(),
                });
                self.streams.len() - 1
            }
        };
        let log = &mut self.streams[index];
        self.bytes += event.len();
        log.events.push_back((id.seq, event));
        if log.events.len() > self.limits.max_events_per_stream
            && let Some((_, old)) = log.events.pop_front()
        {
            self.bytes -= old.len();
        }
        while self.bytes > self.limits.max_bytes && !self.streams.is_empty() {
            self.forget_oldest();
        }
    }

    fn replay_after(&mut self, after: EventId) -> BoxFuture<'_, Vec<Bytes>> {
        let events = self
            .streams
            .iter()
            .find(|s| s.stream == after.stream)
            .map(|s| {
                s.events
                    .iter()
                    .filter(|(seq, _)| *seq > after.seq)
                    .map(|(_, e)| e.clone())
                    .collect()
            })
            .unwrap_or_default();
        Box::pin(std::future::ready(events))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(stream: u64, seq: u64) -> EventId {
        EventId { stream, seq }
    }

    fn replay(log: &mut Box<dyn EventLog>, after: EventId) -> Vec<Bytes> {
        futures::FutureExt::now_or_never(log.replay_after(after)).unwrap()
    }

    #[test]
    fn event_ids_parse_strictly() {
        assert_eq!("0-0".parse::<EventId>().unwrap(), id(0, 0));
        for bad in ["", "-", "1-", "-1", "a-1", "1-2-3", "+1-2", "1 -2"] {
            assert!(bad.parse::<EventId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn replays_only_later_events_of_the_stream() {
        let mut log = InMemoryEventStore::default().open("s");
        log.append(id(1, 1), Bytes::from_static(b"a"));
        log.append(id(2, 1), Bytes::from_static(b"x"));
        log.append(id(1, 2), Bytes::from_static(b"b"));
        log.append(id(1, 3), Bytes::from_static(b"c"));
        assert_eq!(replay(&mut log, id(1, 1)), vec!["b", "c"]);
        assert_eq!(replay(&mut log, id(1, 0)), vec!["a", "b", "c"]);
        assert_eq!(replay(&mut log, id(2, 0)), vec!["x"]);
        assert!(replay(&mut log, id(3, 0)).is_empty());
    }

    #[test]
    fn bounds_forget_the_oldest() {
        let store = InMemoryEventStore::default()
            .max_events_per_stream(2)
            .max_streams(2)
            .max_bytes_per_session(5);
        let mut log = store.open("s");
        for seq in 1..=3 {
            log.append(id(1, seq), Bytes::from_static(b"a"));
        }
        assert_eq!(replay(&mut log, id(1, 0)).len(), 2);
        log.append(id(2, 1), Bytes::from_static(b"b"));
        log.append(id(3, 1), Bytes::from_static(b"c"));
        assert!(replay(&mut log, id(1, 0)).is_empty(), "stream 1 evicted");
        log.append(id(3, 2), Bytes::from_static(b"cccc"));
        // 1 + 1 + 4 bytes > 5: the oldest event goes.
        assert!(replay(&mut log, id(2, 0)).is_empty());
        assert_eq!(replay(&mut log, id(3, 0)), vec!["c", "cccc"]);
    }
}
