//! Malformed input gives typed errors with clear messages, never a panic.

use mcp_types::*;

fn err<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
    match serde_json::from_str::<T>(json) {
        Ok(v) => panic!("{json} parsed as {v:?}"),
        Err(e) => e.to_string(),
    }
}

fn assert_err<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str, needle: &str) {
    let e = err::<T>(json);
    assert!(
        e.contains(needle),
        "{json}: {e:?} does not mention {needle:?}"
    );
}

#[test]
fn message_types_check_the_envelope() {
    let ok = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}"#;
    assert!(serde_json::from_str::<CallToolRequest>(ok).is_ok());
    assert_err::<CallToolRequest>("{", "EOF");
    assert_err::<CallToolRequest>("[1]", "CallToolRequest message");
    assert_err::<CallToolRequest>(
        r#"{"id":1,"method":"tools/call","params":{"name":"x"}}"#,
        "missing `\"jsonrpc\": \"2.0\"`",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"1.0","id":1,"method":"tools/call","params":{"name":"x"}}"#,
        "`jsonrpc` must be \"2.0\"",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}"#,
        "CallToolRequest is missing `id`",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"2.0","id":1.5,"method":"tools/call","params":{"name":"x"}}"#,
        "a string or an integer",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"name":"x"}}"#,
        "expected method \"tools/call\", got \"tools/list\"",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"2.0","id":1,"params":{"name":"x"}}"#,
        "missing `\"method\": \"tools/call\"`",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#,
        "CallToolRequest is missing `params`",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}"#,
        "missing field `name`",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":7}}"#,
        "invalid type: integer `7`, expected a string",
    );
    assert_err::<CallToolRequest>(
        r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/call","params":{"name":"x"}}"#,
        "duplicate member `id`",
    );
    assert_err::<ProgressNotification>(
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":true,"progress":1}}"#,
        "a string or an integer",
    );
    assert_err::<CallToolResultResponse>(
        r#"{"jsonrpc":"2.0","result":{"content":[]}}"#,
        "missing `id`",
    );
    // An optional `params` may be absent or null.
    assert!(
        serde_json::from_str::<PingRequest>(r#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#)
            .unwrap()
            .params
            .is_none()
    );
    assert!(
        serde_json::from_str::<PingRequest>(
            r#"{"jsonrpc":"2.0","id":"p","method":"ping","params":null}"#
        )
        .unwrap()
        .params
        .is_none()
    );
}

#[test]
fn unions_name_the_problem() {
    assert_err::<ContentBlock>(
        r#"{"type":"foo","text":"x"}"#,
        r#"unknown content type "foo""#,
    );
    assert_err::<ContentBlock>(r#"{"text":"x"}"#, "content is missing its `type` member");
    assert_err::<ContentBlock>(r#"{"type":5}"#, "expected the content `type`, a string");
    assert_err::<ContentBlock>(
        r#""text""#,
        "expected content object (with a `type` member)",
    );
    assert_err::<ContentBlock>(
        r#"{"type":"text"}"#,
        "invalid ContentBlock::Text: missing field `text`",
    );
    assert_err::<ContentBlock>(
        r#"{"type":"image","data":1,"mimeType":"x"}"#,
        "invalid ContentBlock::Image",
    );
    assert_err::<ElicitRequestParams>(
        r#"{"mode":"voice","message":"x"}"#,
        r#"unknown elicit request mode "voice""#,
    );
    assert_err::<InputRequest>(
        r#"{"method":"tools/call","params":{}}"#,
        r#"unknown input request method "tools/call""#,
    );
    assert_err::<PrimitiveSchemaDefinition>(
        "[]",
        "an array is not a valid PrimitiveSchemaDefinition",
    );
    assert_err::<TextOrBlobResourceContents>(
        r#"{"uri":"x"}"#,
        "is not a valid TextOrBlobResourceContents",
    );
    assert_err::<SamplingContent>("3", "SamplingContent: an object or an array");
    assert_err::<LoggingLevel>(r#""loud""#, "unknown variant `loud`");
    // The fallback variant of a union with an optional discriminator.
    let form: ElicitRequestParams = serde_json::from_str(
        r#"{"message":"x","requestedSchema":{"type":"object","properties":{}}}"#,
    )
    .unwrap();
    assert!(matches!(form, ElicitRequestParams::Form(_)));
}

#[test]
fn const_tags_refuse_other_values() {
    assert_err::<TextContent>(
        r#"{"type":"image","text":"x"}"#,
        r#"expected "text", got "image""#,
    );
    assert_err::<TextContent>(r#"{"type":1,"text":"x"}"#, r#"the string "text""#);
    assert_err::<TextContent>(r#"{"text":"x"}"#, "missing field `type`");
    assert_err::<Tool>(
        r#"{"name":"t","inputSchema":{"type":"array"}}"#,
        r#"expected "object""#,
    );
    assert_eq!(serde_json::to_string(&TextTag).unwrap(), r#""text""#);
    assert_eq!(
        serde_json::from_str::<ObjectTag>(r#""object""#).unwrap(),
        ObjectTag
    );
}

#[test]
fn dispatch_parses_or_reports() {
    let raw = |s: &str| serde_json::value::RawValue::from_string(s.to_owned()).unwrap();
    let call = ClientRequest::from_parts("tools/call", Some(&raw(r#"{"name":"x"}"#))).unwrap();
    assert!(matches!(&call, ClientRequest::CallTool(p) if p.name == "x"));
    assert_eq!(call.method(), "tools/call");
    assert!(call.revisions().contains(ProtocolVersion::V2024_11_05));
    let err = ClientRequest::from_parts("tools/call", Some(&raw("{}"))).unwrap_err();
    assert!(err.to_string().contains("missing field `name`"), "{err}");
    // Missing params read as `{}`.
    assert!(matches!(
        ClientRequest::from_parts("tools/list", None).unwrap(),
        ClientRequest::ListTools(_)
    ));
    let other = ServerNotification::from_parts("x/y", Some(&raw(r#"{"a":1}"#))).unwrap();
    assert_eq!(other.method(), "x/y");
    assert!(matches!(
        other,
        ServerNotification::Other {
            params: Some(_),
            ..
        }
    ));
    assert_eq!(other.to_raw_params().unwrap().unwrap().get(), r#"{"a":1}"#);
}

#[test]
fn hostile_input_never_panics() {
    let inputs = [
        "",
        "null",
        "true",
        "0",
        "-1e999",
        "\"\"",
        "[]",
        "{}",
        "[[[[[]]]]]",
        "{\"type\":null}",
        "{\"type\":\"text\",\"text\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":18446744073709551616,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[]}",
        "{\"method\":\"sampling/createMessage\",\"params\":{\"messages\":[{\"role\":\"x\",\"content\":[]}],\"maxTokens\":-1}}",
        "\u{0}",
        "{\"\u{ffff}\":1}",
    ];
    for input in inputs {
        let _ = serde_json::from_str::<ContentBlock>(input);
        let _ = serde_json::from_str::<CallToolRequest>(input);
        let _ = serde_json::from_str::<CallToolResultResponse>(input);
        let _ = serde_json::from_str::<InputRequest>(input);
        let _ = serde_json::from_str::<InputResponses>(input);
        let _ = serde_json::from_str::<PrimitiveSchemaDefinition>(input);
        let _ = serde_json::from_str::<SamplingContent>(input);
        let _ = serde_json::from_str::<ElicitResult>(input);
        let _ = serde_json::from_str::<InitializeRequest>(input);
        let _ = JsonRpcMessage::from_slice(input.as_bytes());
    }
}

#[test]
fn json_schemas_describe_the_wire() {
    let schema = serde_json::to_value(schemars::schema_for!(CallToolRequest)).unwrap();
    assert_eq!(schema["properties"]["method"]["const"], "tools/call");
    assert_eq!(schema["properties"]["jsonrpc"]["const"], "2.0");
    let schema = serde_json::to_value(schemars::schema_for!(ContentBlock)).unwrap();
    assert_eq!(
        schema["anyOf"].as_array().map(Vec::len),
        Some(5),
        "{schema:#}"
    );
    let schema = serde_json::to_value(schemars::schema_for!(TextContent)).unwrap();
    assert_eq!(schema["properties"]["type"]["const"], "text");
    let schema = serde_json::to_value(schemars::schema_for!(InputRequiredResult)).unwrap();
    assert!(schema["properties"]["inputRequests"].is_object());
}

#[test]
fn discriminator_may_come_anywhere() {
    let late =
        r#"{"text":"x","annotations":{"priority":0.5},"custom":[1],"type":"text","_meta":{"a":1}}"#;
    let ContentBlock::Text(t) = serde_json::from_str::<ContentBlock>(late).unwrap() else {
        panic!("not text");
    };
    assert_eq!(t.text, "x");
    assert_eq!(t.annotations.and_then(|a| a.priority), Some(0.5));
    assert_eq!(t.extra["custom"], serde_json::json!([1]));
    assert!(t.meta.is_some());
    // This crate writes the discriminator first.
    let text = serde_json::to_string(&ContentBlock::text("hi")).unwrap();
    assert_eq!(text, r#"{"type":"text","text":"hi"}"#);
    // From a `Value` too (a union nested in a buffered one).
    let v: serde_json::Value = serde_json::from_str(late).unwrap();
    assert!(matches!(
        serde_json::from_value::<ContentBlock>(v).unwrap(),
        ContentBlock::Text(_)
    ));
}

#[test]
fn results_that_may_ask_for_input_go_by_result_type() {
    use CallToolResultResponseResult as R;
    let pending: R =
        serde_json::from_str(r#"{"requestState":"s","resultType":"input_required"}"#).unwrap();
    assert!(matches!(pending, R::InputRequired(ref p) if p.request_state.as_deref() == Some("s")));
    let done: R = serde_json::from_str(r#"{"content":[]}"#).unwrap();
    assert!(
        matches!(done, R::CallTool(ref r) if r.result_type.is_none()),
        "absent means complete"
    );
    let other = r#"{"resultType":"later","content":[]}"#;
    let later: R = serde_json::from_str(other).unwrap();
    assert!(matches!(later, R::CallTool(ref r) if r.result_type.as_deref() == Some("later")));
    assert_eq!(
        serde_json::to_value(&later).unwrap(),
        serde_json::from_str::<serde_json::Value>(other).unwrap()
    );
    assert_err::<R>(
        r#"{"resultType":"complete"}"#,
        "invalid CallToolResultResponseResult::CallTool: missing field `content`",
    );
}
