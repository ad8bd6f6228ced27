//! The shared answer logic of the floors: one JSON-RPC message in, at most
//! one canned-shape message out.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Request<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    method: Cow<'a, str>,
    #[serde(borrow, default)]
    params: Option<Params<'a>>,
}

#[derive(Deserialize)]
struct Params<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    arguments: Option<Arguments<'a>>,
}

#[derive(Deserialize)]
struct Arguments<'a> {
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
    #[serde(default)]
    a: Option<f64>,
    #[serde(default)]
    b: Option<f64>,
}

/// What [`answer`] did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `initialize`: a canned initialize result was written.
    Initialized,
    /// A response (result or error) was written.
    Response,
    /// A notification: nothing was written.
    Nothing,
}

/// Parses one JSON-RPC message and appends the response (no newline) to `out`.
pub fn answer(message: &[u8], out: &mut Vec<u8>) -> Answer {
    let Ok(request) = serde_json::from_slice::<Request<'_>>(message) else {
        out.extend_from_slice(
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}"#,
        );
        return Answer::Response;
    };
    let Some(id) = request.id else {
        return Answer::Nothing;
    };
    out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    out.extend_from_slice(id.get().as_bytes());
    let params = request.params.as_ref();
    let arguments = params.and_then(|p| p.arguments.as_ref());
    let name = params.and_then(|p| p.name.as_deref());
    let kind = match (&*request.method, name) {
        ("initialize", _) => {
            out.extend_from_slice(
                br#","result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"floor","version":"0.0.0"}}}"#,
            );
            return Answer::Initialized;
        }
        ("tools/call", Some("echo")) => arguments.and_then(|a| a.text.as_deref()).map(text_result),
        ("tools/call", Some("add")) => arguments
            .and_then(|a| Some(a.a? + a.b?))
            .map(|sum| text_result(&sum.to_string())),
        _ => None,
    };
    match kind {
        Some(result) => {
            out.extend_from_slice(br#","result":{"content":[{"type":"text","text":"#);
            out.extend_from_slice(&result);
            out.extend_from_slice(br#"}],"isError":false}}"#);
        }
        None => out
            .extend_from_slice(br#","error":{"code":-32601,"message":"unknown method or tool"}}"#),
    }
    Answer::Response
}

fn text_result(text: &str) -> Vec<u8> {
    serde_json::to_vec(text).expect("a string always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(message: &str) -> (Answer, String) {
        let mut out = Vec::new();
        let answer = answer(message.as_bytes(), &mut out);
        (answer, String::from_utf8(out).unwrap())
    }

    #[test]
    fn echoes_text_with_escapes() {
        let (kind, out) = run(
            r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a\"b"}}}"#,
        );
        assert_eq!(kind, Answer::Response);
        assert_eq!(
            out,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"a\"b"}],"isError":false}}"#
        );
    }

    #[test]
    fn adds_and_ignores_notifications() {
        let (_, out) = run(
            r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#,
        );
        assert!(
            out.contains(r#""id":"x""#) && out.contains(r#""text":"3""#),
            "{out}"
        );
        let (kind, out) = run(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        assert_eq!((kind, out.as_str()), (Answer::Nothing, ""));
    }
}
