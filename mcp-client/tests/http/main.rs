//! `ClientSession::connect_url` against a scripted HTTP/1.1 server that
//! records every request: the 2026-07-28 headers and version retry, and the
//! session-era fallback with `Mcp-Session-Id`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use mcp_client::ClientSession;
use mcp_types::ProtocolVersion;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One HTTP request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    headers: HashMap<String, String>,
    body: Value,
}

/// What the script answers: status, extra headers, JSON body (none for `Null`).
type Answer = (u16, Vec<(&'static str, String)>, Value);

type Log = Arc<Mutex<Vec<Seen>>>;

async fn serve(script: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let script = Arc::new(script);
    let sink = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (script, sink) = (script.clone(), sink.clone());
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut read = BufReader::new(read);
                loop {
                    let mut line = String::new();
                    if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let method = line.split(' ').next().unwrap_or_default().to_owned();
                    let mut headers = HashMap::new();
                    loop {
                        let mut h = String::new();
                        read.read_line(&mut h).await.unwrap();
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                        }
                    }
                    let len: usize = headers
                        .get("content-length")
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; len];
                    read.read_exact(&mut body).await.unwrap();
                    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let seen = Seen {
                        method,
                        headers,
                        body,
                    };
                    let n = {
                        let mut log = sink.lock().unwrap();
                        log.push(seen.clone());
                        log.len() - 1
                    };
                    let (status, extra, body) = script(&seen, n);
                    let body = if body.is_null() {
                        String::new()
                    } else {
                        body.to_string()
                    };
                    let mut response =
                        format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                    if !body.is_empty() {
                        response.push_str("content-type: application/json\r\n");
                    }
                    for (k, v) in extra {
                        response.push_str(&format!("{k}: {v}\r\n"));
                    }
                    response.push_str("\r\n");
                    response.push_str(&body);
                    if write.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, log)
}

fn ok(id: &Value, result: Value) -> Answer {
    (
        200,
        vec![],
        json!({"jsonrpc": "2.0", "id": id, "result": result}),
    )
}

fn error(status: u16, id: &Value, code: i32, data: Value) -> Answer {
    (
        status,
        vec![],
        json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": "no", "data": data}}),
    )
}

fn modern(seen: &Seen, n: usize) -> Answer {
    let id = &seen.body["id"];
    if seen.method != "POST" {
        return (405, vec![], Value::Null);
    }
    if n == 0 {
        return error(
            400,
            id,
            -32022,
            json!({"supported": ["2026-07-28"], "requested": "x"}),
        );
    }
    match seen.body["method"].as_str() {
        Some("server/discover") => ok(
            id,
            json!({
                "supportedVersions": ["2026-07-28"], "capabilities": {"tools": {}},
                "resultType": "complete", "ttlMs": 0, "cacheScope": "private"
            }),
        ),
        Some("tools/list") => ok(
            id,
            json!({"resultType": "complete", "tools": [
                {"name": "add_numbers", "inputSchema": {"type": "object", "properties": {
                    "a": {"type": "number"}, "b": {"type": "number"},
                    "region": {"type": "string", "x-mcp-header": "Region"}}}},
                {"name": "invalid_space_in_name", "inputSchema": {"type": "object", "properties": {
                    "a": {"type": "string", "x-mcp-header": "A B"}}}}
            ]}),
        ),
        Some("tools/call") => ok(
            id,
            json!({"resultType": "complete", "content": [{"type": "text", "text": "The sum of a and b is 3"}]}),
        ),
        _ => error(404, id, -32601, Value::Null),
    }
}

#[tokio::test]
async fn stateless_requests_carry_their_headers() {
    let (url, log) = serve(modern).await;
    let session = ClientSession::connect_url(url).await.unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2026_07_28);
    let tools = session.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 1, "the tool with an invalid header is dropped");
    let result = session
        .call_tool("add_numbers", json!({"a": 1, "b": 2, "region": "eu"}))
        .await
        .unwrap();
    assert_eq!(result.content[0].as_text(), Some("The sum of a and b is 3"));
    session.close().await.unwrap();

    let log = log.lock().unwrap().clone();
    let posts: Vec<_> = log.iter().filter(|s| s.method == "POST").collect();
    assert!(posts.len() >= 4, "{posts:?}");
    for post in &posts {
        let meta_version =
            post.body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"].as_str();
        assert_eq!(
            post.headers.get("mcp-protocol-version").map(String::as_str),
            meta_version,
            "{post:?}"
        );
        assert_eq!(
            post.headers.get("mcp-method").map(String::as_str),
            post.body["method"].as_str(),
            "{post:?}"
        );
        assert!(
            post.body["params"]["_meta"]["io.modelcontextprotocol/clientInfo"]["name"].is_string()
        );
    }
    let call = posts
        .iter()
        .find(|p| p.body["method"] == "tools/call")
        .unwrap();
    assert_eq!(
        call.headers.get("mcp-name").map(String::as_str),
        Some("add_numbers")
    );
    assert_eq!(
        call.headers.get("mcp-param-region").map(String::as_str),
        Some("eu")
    );
    assert!(
        log.iter()
            .all(|s| !s.headers.contains_key("mcp-session-id"))
    );
}

fn legacy(seen: &Seen, _n: usize) -> Answer {
    let id = &seen.body["id"];
    match (seen.method.as_str(), seen.body["method"].as_str()) {
        ("POST", Some("initialize")) => {
            let (status, _, body) = ok(
                id,
                json!({
                    "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                    "serverInfo": {"name": "legacy-http", "version": "1"}
                }),
            );
            (
                status,
                vec![("mcp-session-id", "session-1".to_owned())],
                body,
            )
        }
        ("POST", Some("tools/list")) => ok(id, json!({"tools": []})),
        ("POST", Some(_)) if id.is_null() => (202, vec![], Value::Null),
        ("POST", _) => error(400, id, -32601, Value::Null),
        _ => (405, vec![], Value::Null),
    }
}

#[tokio::test]
async fn session_era_servers_get_a_session() {
    let (url, log) = serve(legacy).await;
    let session = ClientSession::connect_url(url).await.unwrap();
    assert_eq!(session.protocol_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(session.server_info().unwrap().name, "legacy-http");
    session.list_tools(None).await.unwrap();
    session.close().await.unwrap();
    let log = log.lock().unwrap().clone();
    let list = log
        .iter()
        .find(|s| s.body["method"] == "tools/list")
        .unwrap();
    assert_eq!(
        list.headers.get("mcp-session-id").map(String::as_str),
        Some("session-1")
    );
    assert_eq!(
        list.headers.get("mcp-protocol-version").map(String::as_str),
        Some("2025-11-25")
    );
    assert!(list.body["params"].get("_meta").is_none());
}

#[tokio::test]
async fn bad_urls_fail_clearly() {
    let err = ClientSession::connect_url("ftp://example.com/mcp")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ftp"), "{err}");
}
