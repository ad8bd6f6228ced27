//! A minimal HTTP/1.1 keep-alive client for the load generator: one POST at
//! a time per connection, `Content-Length` or chunked responses, and the
//! JSON-RPC message picked out of a JSON or `text/event-stream` body.
//!
//! Hand-rolled on a tokio `TcpStream` rather than hyper: a request is one
//! `write`, a response usually one `read`, and nothing is allocated per
//! request, so the client costs little next to the servers it measures.

use std::io::{self, Write};
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Error;

/// Least free buffer space offered to one `read`.
const MIN_READ: usize = 4096;

/// What the response head says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Head {
    /// Status code.
    pub(crate) status: u16,
    /// `Content-Length`, when given.
    pub(crate) content_length: Option<usize>,
    /// `Transfer-Encoding: chunked`.
    pub(crate) chunked: bool,
    /// `Content-Type: text/event-stream`.
    pub(crate) event_stream: bool,
    /// `Mcp-Session-Id`, when given.
    pub(crate) session_id: Option<String>,
    /// Length of the head, blank line included.
    pub(crate) len: usize,
}

/// Parses a response head if `data` holds all of it.
pub(crate) fn parse_head(data: &[u8]) -> Result<Option<Head>, Error> {
    let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let text = std::str::from_utf8(&data[..end]).map_err(|_| "response head is not UTF-8")?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut head = Head {
        status,
        len: end + 4,
        ..Head::default()
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            head.content_length = Some(value.parse().map_err(|_| "bad Content-Length")?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            head.chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("content-type") {
            head.event_stream = value.to_ascii_lowercase().starts_with("text/event-stream");
        } else if name.eq_ignore_ascii_case("mcp-session-id") {
            head.session_id = Some(value.to_owned());
        }
    }
    Ok(Some(head))
}

/// Decodes a chunked body into `out` if `data` holds all of it (through the
/// last chunk and the trailer's blank line); returns the bytes consumed.
pub(crate) fn decode_chunked(data: &[u8], out: &mut Vec<u8>) -> Result<Option<usize>, Error> {
    out.clear();
    let mut at = 0;
    loop {
        let Some(line_end) = data[at..].windows(2).position(|w| w == b"\r\n") else {
            return Ok(None);
        };
        let size_text = std::str::from_utf8(&data[at..at + line_end]).map_err(|_| "bad chunk")?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        at += line_end + 2;
        if size == 0 {
            // Trailer fields (none expected), then a blank line.
            loop {
                let Some(end) = data[at..].windows(2).position(|w| w == b"\r\n") else {
                    return Ok(None);
                };
                at += end + 2;
                if end == 0 {
                    return Ok(Some(at));
                }
            }
        }
        if data.len() < at + size + 2 {
            return Ok(None);
        }
        out.extend_from_slice(&data[at..at + size]);
        at += size + 2;
    }
}

/// The JSON-RPC message of an SSE body: the first non-empty `data` field
/// that holds an object (priming events carry empty data).
pub(crate) fn sse_message(body: &[u8]) -> Option<&[u8]> {
    body.split(|&b| b == b'\n').find_map(|line| {
        let data = line.strip_prefix(b"data:")?;
        let data = data.strip_prefix(b" ").unwrap_or(data).trim_ascii_end();
        data.starts_with(b"{").then_some(data)
    })
}

/// A response: its head and its JSON-RPC message (empty for 202/204).
#[derive(Debug)]
pub(crate) struct Response<'a> {
    /// The parsed head.
    pub(crate) head: Head,
    /// The JSON-RPC message, from a JSON or an SSE body.
    pub(crate) message: &'a [u8],
}

/// One keep-alive connection.
#[derive(Debug)]
pub(crate) struct Connection {
    stream: TcpStream,
    authority: String,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    request: Vec<u8>,
    body: Vec<u8>,
}

impl Connection {
    /// Connects (with `TCP_NODELAY`, as any HTTP client sets it).
    pub(crate) async fn open(addr: SocketAddr) -> Result<Self, Error> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            authority: addr.to_string(),
            buf: vec![0; 16 * 1024],
            start: 0,
            end: 0,
            request: Vec::with_capacity(1024),
            body: Vec::with_capacity(1024),
        })
    }

    /// POSTs `body` to `/mcp` with the standard MCP headers plus `headers`
    /// and reads the whole response.
    pub(crate) async fn post(
        &mut self,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response<'_>, Error> {
        self.request.clear();
        self.request
            .extend_from_slice(b"POST /mcp HTTP/1.1\r\nHost: ");
        self.request.extend_from_slice(self.authority.as_bytes());
        self.request.extend_from_slice(
            b"\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n",
        );
        for (name, value) in headers {
            self.request.extend_from_slice(name.as_bytes());
            self.request.extend_from_slice(b": ");
            self.request.extend_from_slice(value.as_bytes());
            self.request.extend_from_slice(b"\r\n");
        }
        // Writing into a Vec cannot fail.
        let _ = write!(self.request, "Content-Length: {}\r\n\r\n", body.len());
        self.request.extend_from_slice(body);
        self.stream.write_all(&self.request).await?;
        self.read_response().await
    }

    async fn read_more(&mut self) -> Result<(), Error> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        } else if self.buf.len() - self.end < MIN_READ {
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
            if self.buf.len() - self.end < MIN_READ {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        match self.stream.read(&mut self.buf[self.end..]).await? {
            0 => Err(
                io::Error::new(io::ErrorKind::UnexpectedEof, "server closed the connection").into(),
            ),
            n => {
                self.end += n;
                Ok(())
            }
        }
    }

    async fn read_response(&mut self) -> Result<Response<'_>, Error> {
        let head = loop {
            if let Some(head) = parse_head(&self.buf[self.start..self.end])? {
                break head;
            }
            self.read_more().await?;
        };
        self.start += head.len;
        if head.chunked {
            loop {
                if let Some(used) = decode_chunked(&self.buf[self.start..self.end], &mut self.body)?
                {
                    self.start += used;
                    break;
                }
                self.read_more().await?;
            }
        } else {
            let len = head.content_length.unwrap_or(0);
            while self.end - self.start < len {
                self.read_more().await?;
            }
            self.body.clear();
            self.body
                .extend_from_slice(&self.buf[self.start..self.start + len]);
            self.start += len;
        }
        let message = if head.event_stream {
            sse_message(&self.body).unwrap_or_default()
        } else {
            self.body.trim_ascii()
        };
        Ok(Response { head, message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads() {
        let data = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                     Mcp-Session-Id: abc-1\r\ntransfer-encoding: chunked\r\n\r\nrest";
        let head = parse_head(data).unwrap().unwrap();
        assert_eq!(head.status, 200);
        assert!(head.chunked && head.event_stream);
        assert_eq!(head.session_id.as_deref(), Some("abc-1"));
        assert_eq!(&data[head.len..], b"rest");

        let data = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
        let head = parse_head(data).unwrap().unwrap();
        assert_eq!((head.status, head.content_length), (202, Some(0)));
        assert!(!head.chunked && !head.event_stream);
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
        assert!(parse_head(b"SPDY 200\r\n\r\n").is_err());
    }

    #[test]
    fn chunked_bodies_decode_only_when_complete() {
        let data = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\nNEXT";
        let mut out = Vec::new();
        let used = decode_chunked(data, &mut out).unwrap();
        assert_eq!(used, Some(data.len() - 4));
        assert_eq!(out, b"hello world");
        for cut in 0..data.len() - 4 {
            assert_eq!(
                decode_chunked(&data[..cut], &mut out).unwrap(),
                None,
                "{cut}"
            );
        }
        assert!(decode_chunked(b"zz\r\n", &mut out).is_err());
    }

    #[test]
    fn sse_message_skips_priming_events() {
        let body = b"data: \nid: 0/0\nretry: 3000\n\ndata: {\"id\":1}\nid: 1/0\n\n";
        assert_eq!(sse_message(body), Some(&b"{\"id\":1}"[..]));
        assert_eq!(
            sse_message(b"data:{\"a\":2}\r\n\r\n"),
            Some(&b"{\"a\":2}"[..])
        );
        assert_eq!(sse_message(b"retry: 1\n\n"), None);
    }
}
