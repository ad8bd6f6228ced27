//! An incremental, bounded parser of Server-Sent Events (the `text/event-stream`
//! format of the HTML standard), shared by the Streamable HTTP and the legacy
//! HTTP+SSE clients.
//!
//! Bytes go in as they arrive, in chunks of any size; events come out once their
//! blank line has arrived. Lines end with `\n`, `\r\n` or `\r` (also when a
//! chunk splits `\r\n`), `data` lines of one event are joined with `\n`, comment
//! lines (`:` first) are skipped, and the `id` and `retry` fields update the
//! stream's state, which outlives each event. An event larger than the limit is
//! skipped whole and reported once; the stream goes on with the next one.

use std::collections::VecDeque;
use std::time::Duration;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event` field; `message` when the event had none.
    pub(crate) event: String,
    /// The `data` lines joined with `\n` (empty for a priming event).
    pub(crate) data: String,
}

/// An event exceeded the size limit and was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EventTooLarge {
    /// Bytes seen before giving up.
    pub(crate) size: usize,
    /// The limit.
    pub(crate) limit: usize,
}

/// What [`SseParser::feed`] yields.
pub(crate) type SseItem = Result<SseEvent, EventTooLarge>;

/// The parser of one event stream (and of its reconnections, which keep the
/// last event id and the retry delay; see [`SseParser::reconnected`]).
#[derive(Debug)]
pub(crate) struct SseParser {
    limit: usize,
    /// The current, unfinished line.
    line: Vec<u8>,
    /// The data of the current event, each line followed by `\n`.
    data: String,
    event: String,
    /// Bytes of the current event so far (lines of all fields).
    size: usize,
    /// The current event is too large: drop lines until its end.
    skipping: bool,
    /// The last chunk ended with `\r`: a `\n` first in the next one belongs to it.
    after_cr: bool,
    /// Nothing of the stream has been read yet (a byte order mark may come).
    at_start: bool,
    last_event_id: Option<String>,
    retry: Option<Duration>,
}

impl SseParser {
    /// A parser that accepts events of at most `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        SseParser {
            limit,
            line: Vec::new(),
            data: String::new(),
            event: String::new(),
            size: 0,
            skipping: false,
            after_cr: false,
            at_start: true,
            last_event_id: None,
            retry: None,
        }
    }

    /// The id of the last event that set one: what `Last-Event-ID` resumes from.
    pub(crate) fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// The reconnection delay the server asked for with `retry`.
    pub(crate) fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Readies the parser for a new connection of the same stream: a partial
    /// event is dropped, the last event id and retry delay are kept.
    pub(crate) fn reconnected(&mut self) {
        self.line.clear();
        self.data.clear();
        self.event.clear();
        self.size = 0;
        self.skipping = false;
        self.after_cr = false;
        self.at_start = true;
    }

    /// Parses `chunk`, pushing every event it completes onto `out`.
    pub(crate) fn feed(&mut self, mut chunk: &[u8], out: &mut VecDeque<SseItem>) {
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while !chunk.is_empty() {
            if self.at_start {
                // A UTF-8 byte order mark may open the stream; it is dropped.
                const BOM: &[u8] = b"\xEF\xBB\xBF";
                let have = self.line.len() + chunk.len();
                if have < BOM.len() && BOM.starts_with(&[&self.line[..], chunk].concat()) {
                    self.line.extend_from_slice(chunk);
                    return;
                }
                self.at_start = false;
                let mut head = std::mem::take(&mut self.line);
                head.extend_from_slice(chunk);
                let start = if head.starts_with(BOM) { BOM.len() } else { 0 };
                // Re-feed what was held back; `at_start` is now false.
                self.feed(&head[start..], out);
                return;
            }
            let Some(end) = memchr::memchr2(b'\n', b'\r', chunk) else {
                self.push_line_bytes(chunk, out);
                return;
            };
            self.push_line_bytes(&chunk[..end], out);
            let crlf = chunk[end] == b'\r';
            chunk = &chunk[end + 1..];
            if crlf {
                match chunk.first() {
                    Some(b'\n') => chunk = &chunk[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            self.end_line(out);
        }
    }

    fn push_line_bytes(&mut self, bytes: &[u8], out: &mut VecDeque<SseItem>) {
        self.size += bytes.len();
        if self.skipping {
            // Only whether the line is empty matters while skipping.
            if !bytes.is_empty() && self.line.is_empty() {
                self.line.push(b'x');
            }
            return;
        }
        if self.size > self.limit {
            out.push_back(Err(EventTooLarge {
                size: self.size,
                limit: self.limit,
            }));
            self.skipping = true;
            self.line.clear();
            self.data.clear();
            self.event.clear();
            if !bytes.is_empty() {
                self.line.push(b'x');
            }
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn end_line(&mut self, out: &mut VecDeque<SseItem>) {
        if self.line.is_empty() {
            self.dispatch(out);
            return;
        }
        // The line terminator counts against the limit too.
        self.size += 1;
        let line = std::mem::take(&mut self.line);
        if !self.skipping {
            self.field(&line);
        }
        // Reuse the allocation.
        self.line = line;
        self.line.clear();
    }

    fn field(&mut self, line: &[u8]) {
        if line.first() == Some(&b':') {
            return;
        }
        let (name, value) = match memchr::memchr(b':', line) {
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"data" => {
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            b"event" => self.event = String::from_utf8_lossy(value).into_owned(),
            b"id" if !value.contains(&0) => {
                self.last_event_id =
                    (!value.is_empty()).then(|| String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // Absurd values saturate; the caller bounds the delay it honours.
                let ms = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(u64::MAX);
                self.retry = Some(Duration::from_millis(ms));
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut VecDeque<SseItem>) {
        let skipped = std::mem::replace(&mut self.skipping, false);
        self.size = 0;
        if skipped || self.data.is_empty() {
            self.data.clear();
            self.event.clear();
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        let event = match std::mem::take(&mut self.event) {
            e if e.is_empty() => "message".to_owned(),
            e => e,
        };
        out.push_back(Ok(SseEvent { event, data }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_chunks(chunks: &[&[u8]], limit: usize) -> (Vec<SseItem>, SseParser) {
        let mut p = SseParser::new(limit);
        let mut out = VecDeque::new();
        for c in chunks {
            p.feed(c, &mut out);
        }
        (out.into_iter().collect(), p)
    }

    fn ev(event: &str, data: &str) -> SseItem {
        Ok(SseEvent {
            event: event.into(),
            data: data.into(),
        })
    }

    #[test]
    fn basic_fields() {
        let (items, p) = parse_chunks(
            &[b"event: endpoint\ndata: /messages?sessionId=1\n\nid: 7\nretry: 500\ndata: {}\n\n"],
            1024,
        );
        assert_eq!(
            items,
            vec![ev("endpoint", "/messages?sessionId=1"), ev("message", "{}")]
        );
        assert_eq!(p.last_event_id(), Some("7"));
        assert_eq!(p.retry(), Some(Duration::from_millis(500)));
    }

    #[test]
    fn line_endings_and_split_chunks() {
        for input in [
            &b"data: a\r\ndata: b\r\n\r\ndata: c\r\rdata: d\n\n"[..],
            b"data: a\ndata: b\n\ndata: c\r\rdata: d\r\n\r\n",
        ] {
            // Every split point, including inside `\r\n`.
            for cut in 0..input.len() {
                let (items, _) = parse_chunks(&[&input[..cut], &input[cut..]], 1024);
                assert_eq!(
                    items,
                    vec![
                        ev("message", "a\nb"),
                        ev("message", "c"),
                        ev("message", "d")
                    ],
                    "cut {cut}"
                );
            }
            // Byte by byte.
            let bytes: Vec<&[u8]> = input.chunks(1).collect();
            let (items, _) = parse_chunks(&bytes, 1024);
            assert_eq!(items.len(), 3);
        }
    }

    #[test]
    fn comments_priming_and_odd_fields() {
        let (items, p) = parse_chunks(
            &[b": keep-alive\n\nid: e-1\nretry: 250\ndata: \n\ndata\n\ndata:no-space\nbogus: x\nretry: 1s\n\n"],
            1024,
        );
        // The priming event has empty data; `data` alone is an empty line of data.
        assert_eq!(
            items,
            vec![
                ev("message", ""),
                ev("message", ""),
                ev("message", "no-space")
            ]
        );
        assert_eq!(p.last_event_id(), Some("e-1"));
        assert_eq!(p.retry(), Some(Duration::from_millis(250)));
    }

    #[test]
    fn id_rules() {
        let (_, p) = parse_chunks(&[b"id: a\n\nid: b\0c\n\n"], 1024);
        assert_eq!(p.last_event_id(), Some("a"), "an id with NUL is ignored");
        let (_, p) = parse_chunks(&[b"id: a\n\nid\n\n"], 1024);
        assert_eq!(p.last_event_id(), None, "an empty id resets");
        // An id without data still counts (no event is dispatched).
        let (items, p) = parse_chunks(&[b"id: only\n\n"], 1024);
        assert!(items.is_empty());
        assert_eq!(p.last_event_id(), Some("only"));
    }

    #[test]
    fn bom_and_utf8() {
        let (items, _) = parse_chunks(&[b"\xEF\xBB", b"\xBFdata: h\xC3\xA9\n\n"], 1024);
        assert_eq!(items, vec![ev("message", "hé")]);
        let (items, _) = parse_chunks(&[b"data: \xFF\n\n"], 1024);
        assert_eq!(items, vec![ev("message", "\u{FFFD}")]);
    }

    #[test]
    fn incomplete_event_is_not_dispatched() {
        let (items, _) = parse_chunks(&[b"data: partial\n"], 1024);
        assert!(items.is_empty());
    }

    #[test]
    fn oversized_events_are_skipped() {
        let big = format!("data: {}\n\n", "x".repeat(100));
        let input = format!(
            "data: ok\n\n{big}data: {}\ndata: more\n\ndata: after\n\n",
            "y".repeat(20)
        );
        let (items, _) = parse_chunks(&[input.as_bytes()], 64);
        assert_eq!(items.len(), 4);
        assert_eq!(items[0], ev("message", "ok"));
        assert!(matches!(items[1], Err(EventTooLarge { limit: 64, .. })));
        assert_eq!(
            items[2],
            ev("message", &format!("{}\nmore", "y".repeat(20)))
        );
        assert_eq!(items[3], ev("message", "after"));
        // A huge line split over many chunks is bounded too.
        let mut p = SseParser::new(64);
        let mut out = VecDeque::new();
        for _ in 0..1000 {
            p.feed(b"data: zzzzzzzzzzzzzzzzzzzzzzzz", &mut out);
        }
        assert!(p.line.len() <= 64);
        p.feed(b"\n\ndata: next\n\n", &mut out);
        assert_eq!(out.len(), 2);
        assert!(out[0].is_err());
        assert_eq!(out[1], ev("message", "next"));
    }

    #[test]
    fn reconnection_keeps_id_and_retry() {
        let (_, mut p) = parse_chunks(&[b"id: 3\nretry: 10\ndata: x\n\ndata: half"], 1024);
        p.reconnected();
        let mut out = VecDeque::new();
        p.feed(b"data: new\n\n", &mut out);
        assert_eq!(out.pop_front(), Some(ev("message", "new")));
        assert_eq!(p.last_event_id(), Some("3"));
        assert_eq!(p.retry(), Some(Duration::from_millis(10)));
    }
}
