//! The raw JSON-RPC the load generator sends, and the checks on what comes
//! back. Requests are written straight into a reused buffer; responses are
//! scanned cheaply on the hot path and parsed in full every so often.

use std::io::Write;

use serde_json::Value;

use crate::Error;

/// The text every `echo` call sends (and expects back).
pub(crate) const ECHO_TEXT: &str = "the quick brown fox jumps over the lazy dog";
/// Protocol version of the initialize lifecycle (stdio, stateful HTTP).
pub(crate) const LEGACY_VERSION: &str = "2025-11-25";
/// Protocol version of the stateless, per-request-metadata requests.
pub(crate) const STATELESS_VERSION: &str = "2026-07-28";
/// Every how many responses one is parsed and checked in full.
pub(crate) const FULL_CHECK_EVERY: u64 = 1024;

/// How a `tools/call` request is dressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// After an `initialize` handshake (2025-11-25): no request `_meta`.
    Session,
    /// 2026-07-28 stateless: `_meta` carries the protocol version, client
    /// info and client capabilities.
    Stateless,
}

/// An `initialize` request (2025-11-25), without a trailing newline.
pub(crate) fn initialize(id: u64) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"initialize","params":{{"protocolVersion":"{LEGACY_VERSION}","capabilities":{{}},"clientInfo":{{"name":"mcp-bench","version":"0.1.0"}}}}}}"#
    )
}

/// The `notifications/initialized` notification.
pub(crate) const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// Appends a `tools/call` request (no newline) to `out`.
pub(crate) fn tools_call(out: &mut Vec<u8>, id: u64, tool: &str, arguments: &str, style: Style) {
    // Writing into a Vec cannot fail.
    let _ = write!(
        out,
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{arguments}"#
    );
    if style == Style::Stateless {
        let _ = write!(
            out,
            r#","_meta":{{"io.modelcontextprotocol/protocolVersion":"{STATELESS_VERSION}","io.modelcontextprotocol/clientInfo":{{"name":"mcp-bench","version":"0.1.0"}},"io.modelcontextprotocol/clientCapabilities":{{}}}}"#
        );
    }
    out.extend_from_slice(b"}}");
}

/// Appends an `echo` call with [`ECHO_TEXT`] (no newline) to `out`.
pub(crate) fn echo_call(out: &mut Vec<u8>, id: u64, style: Style) {
    tools_call(
        out,
        id,
        "echo",
        &format!(r#"{{"text":"{ECHO_TEXT}"}}"#),
        style,
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The numeric `id` of a success response, found by a cheap scan: the first
/// `"id":` member, which must be followed by digits, and a `"result"` member
/// somewhere. `None` for errors and anything else.
pub(crate) fn success_id(message: &[u8]) -> Option<u64> {
    let at = find(message, b"\"id\"")? + 4;
    let rest = message[at..].trim_ascii_start().strip_prefix(b":")?;
    let rest = rest.trim_ascii_start();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let id = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    find(message, b"\"result\"")?;
    Some(id)
}

/// Checks a response in full: the right id, and a `result` whose first
/// content block is the text `expected_text`.
pub(crate) fn check_text_result(message: &[u8], id: u64, expected_text: &str) -> Result<(), Error> {
    let shown = || String::from_utf8_lossy(&message[..message.len().min(400)]).into_owned();
    let value: Value =
        serde_json::from_slice(message).map_err(|e| format!("not JSON ({e}): {}", shown()))?;
    if value["id"].as_u64() != Some(id) {
        return Err(format!("expected id {id}: {}", shown()).into());
    }
    let result = &value["result"];
    let block = &result["content"][0];
    if result["isError"].as_bool() == Some(true)
        || block["type"] != "text"
        || block["text"] != expected_text
    {
        return Err(format!("expected a text result {expected_text:?}: {}", shown()).into());
    }
    Ok(())
}

/// Checks an `initialize` response: the right id and a `protocolVersion`.
pub(crate) fn check_initialize(message: &[u8], id: u64) -> Result<(), Error> {
    let value: Value = serde_json::from_slice(message)
        .map_err(|e| format!("initialize response is not JSON ({e})"))?;
    if value["id"].as_u64() != Some(id) || !value["result"]["protocolVersion"].is_string() {
        return Err(format!(
            "bad initialize response: {}",
            String::from_utf8_lossy(message)
        )
        .into());
    }
    Ok(())
}

/// The requests that prove a server has the tools, before it is timed:
/// `(tool, arguments, expected text)` for `echo` and `add`.
pub(crate) fn probe_calls() -> [(&'static str, String, &'static str); 2] {
    [
        ("echo", format!(r#"{{"text":"{ECHO_TEXT}"}}"#), ECHO_TEXT),
        ("add", r#"{"a":2,"b":3}"#.to_owned(), "5"),
    ]
}

/// Whether `text` is what `add(2, 3)` may print: `5` or `5.0`.
pub(crate) fn add_text_matches(text: &str) -> bool {
    text.trim().parse::<f64>() == Ok(5.0)
}

/// Checks a probe response; `add` accepts any spelling of 5.
pub(crate) fn check_probe(
    message: &[u8],
    id: u64,
    tool: &str,
    expected: &str,
) -> Result<(), Error> {
    if tool != "add" {
        return check_text_result(message, id, expected);
    }
    let value: Value = serde_json::from_slice(message).map_err(|e| format!("not JSON ({e})"))?;
    let text = value["result"]["content"][0]["text"].as_str().unwrap_or("");
    if value["id"].as_u64() == Some(id) && add_text_matches(text) {
        Ok(())
    } else {
        Err(format!(
            "add(2, 3) should answer 5: {}",
            String::from_utf8_lossy(message)
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_valid_json() {
        let mut out = Vec::new();
        echo_call(&mut out, 42, Style::Stateless);
        let value: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["id"], 42);
        assert_eq!(value["params"]["arguments"]["text"], ECHO_TEXT);
        let meta = &value["params"]["_meta"];
        assert_eq!(
            meta["io.modelcontextprotocol/protocolVersion"],
            STATELESS_VERSION
        );
        assert!(meta["io.modelcontextprotocol/clientCapabilities"].is_object());

        out.clear();
        echo_call(&mut out, 1, Style::Session);
        let value: Value = serde_json::from_slice(&out).unwrap();
        assert!(value["params"].get("_meta").is_none());
        let init: Value = serde_json::from_str(&initialize(0)).unwrap();
        assert_eq!(init["params"]["protocolVersion"], LEGACY_VERSION);
        let _: Value = serde_json::from_str(INITIALIZED).unwrap();
    }

    #[test]
    fn success_id_scans_cheaply() {
        let ok = br#"{"jsonrpc":"2.0","id":17,"result":{"content":[]}}"#;
        assert_eq!(success_id(ok), Some(17));
        let spaced = br#"{"result": {}, "id" : 9}"#;
        assert_eq!(success_id(spaced), Some(9));
        let error = br#"{"jsonrpc":"2.0","id":3,"error":{"code":-32601}}"#;
        assert_eq!(success_id(error), None);
        assert_eq!(success_id(br#"{"id":"abc","result":{}}"#), None);
        assert_eq!(success_id(b""), None);
    }

    #[test]
    fn full_checks() {
        let good = br#"{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"hi"}],"isError":false}}"#;
        assert!(check_text_result(good, 5, "hi").is_ok());
        assert!(check_text_result(good, 6, "hi").is_err());
        assert!(check_text_result(good, 5, "ho").is_err());
        assert!(check_probe(good, 5, "echo", "hi").is_ok());
        let sum = br#"{"id":1,"result":{"content":[{"type":"text","text":"5.0"}]}}"#;
        assert!(check_probe(sum, 1, "add", "5").is_ok());
        assert!(add_text_matches("5") && !add_text_matches("6"));
        let init = br#"{"id":0,"result":{"protocolVersion":"2025-11-25"}}"#;
        assert!(check_initialize(init, 0).is_ok());
        assert!(check_initialize(init, 1).is_err());
    }
}
