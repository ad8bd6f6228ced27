//! Every official 2026-07-28 example deserializes into the type its
//! directory names and serializes back to the same JSON.

mod common;

use std::collections::BTreeSet;

use mcp_types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use common::{examples, pretty, same_json};

/// Parses `text` as `T` (from text, which is how messages arrive, and from a
/// `Value`), then checks that both serialize back to the example.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    text: &str,
) -> Result<(), String> {
    let expected: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let from_text: T = serde_json::from_str(text).map_err(|e| format!("from text: {e}"))?;
    let from_value: T =
        serde_json::from_value(expected.clone()).map_err(|e| format!("from value: {e}"))?;
    if from_text != from_value {
        return Err("text and value parse differently".into());
    }
    let back = serde_json::to_value(&from_text).map_err(|e| e.to_string())?;
    if !same_json(&back, &expected) {
        return Err(format!(
            "serializes differently:\n{}\nexpected:\n{}",
            pretty(&back),
            pretty(&expected)
        ));
    }
    Ok(())
}

/// A bare error object (`{code, message, data?}`) with the given code.
fn error_object(text: &str, code: ErrorCode) -> Result<(), String> {
    round_trip::<ErrorObject>(text)?;
    let e: ErrorObject = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if e.code != code {
        return Err(format!("code {} instead of {code}", e.code));
    }
    Ok(())
}

/// A JSON-RPC error response with the given code whose `data` is a `D`.
fn error_response<D: Serialize + DeserializeOwned>(
    text: &str,
    code: ErrorCode,
    has_data: bool,
) -> Result<(), String> {
    round_trip::<JsonRpcErrorResponse>(text)?;
    let r: JsonRpcErrorResponse = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if r.error.code != code {
        return Err(format!("code {} instead of {code}", r.error.code));
    }
    match (&r.error.data, has_data) {
        (Some(data), true) => {
            let typed: D =
                serde_json::from_value(data.clone()).map_err(|e| format!("data: {e}"))?;
            let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
            if !same_json(&back, data) {
                return Err("data serializes differently".into());
            }
            Ok(())
        }
        (None, false) => Ok(()),
        (data, _) => Err(format!("unexpected data {data:?}")),
    }
}

/// Type name (examples directory) to the check for one example file. A
/// directory missing here fails the test, so a new example type must be
/// added to this table.
macro_rules! table {
    ($($dir:ident),* $(,)? ; $($special:literal => $check:expr),* $(,)?) => {
        fn check(dir: &str, text: &str) -> Option<Result<(), String>> {
            match dir {
                $(stringify!($dir) => Some(round_trip::<$dir>(text)),)*
                $($special => Some($check(text)),)*
                _ => None,
            }
        }
    };
}

table! {
    AudioContent, BlobResourceContents, BooleanSchema, CallToolRequest, CallToolRequestParams,
    CallToolResult, CallToolResultResponse, CancelledNotification, CancelledNotificationParams,
    ClientCapabilities, CompleteRequest, CompleteRequestParams, CompleteResult,
    CompleteResultResponse, CreateMessageRequest, CreateMessageRequestParams, CreateMessageResult,
    DiscoverRequest, DiscoverResult, DiscoverResultResponse, ElicitRequest,
    ElicitRequestFormParams, ElicitResult, EmbeddedResource, GetPromptRequest,
    GetPromptRequestParams, GetPromptResult, GetPromptResultResponse, ImageContent, InputRequests,
    InputRequiredResult, InputResponses, ListPromptsRequest, ListPromptsResult,
    ListPromptsResultResponse, ListResourceTemplatesRequest, ListResourceTemplatesResult,
    ListResourceTemplatesResultResponse, ListResourcesRequest, ListResourcesResult,
    ListResourcesResultResponse, ListRootsRequest, ListRootsResult, ListToolsRequest,
    ListToolsResult, ListToolsResultResponse, LoggingMessageNotification,
    LoggingMessageNotificationParams, ModelPreferences, NumberSchema, PaginatedRequestParams,
    ProgressNotification, ProgressNotificationParams, PromptListChangedNotification,
    ReadResourceRequest, ReadResourceResult, ReadResourceResultResponse, Resource, ResourceLink,
    ResourceListChangedNotification, ResourceUpdatedNotification,
    ResourceUpdatedNotificationParams, Root, SamplingMessage, ServerCapabilities, StringSchema,
    SubscriptionsAcknowledgedNotification, SubscriptionsListenRequest, SubscriptionsListenResult,
    SubscriptionsListenResultResponse, TextContent, TextResourceContents,
    TitledMultiSelectEnumSchema, TitledSingleSelectEnumSchema, Tool, ToolListChangedNotification,
    ToolResultContent, ToolUseContent, UntitledMultiSelectEnumSchema,
    UntitledSingleSelectEnumSchema;
    // Rust spells the acronym as a word.
    "ElicitRequestURLParams" => round_trip::<ElicitRequestUrlParams>,
    // Error objects and error responses are the hand-written JSON-RPC types.
    "ParseError" => |t| error_object(t, ErrorCode::PARSE_ERROR),
    "InternalError" => |t| error_object(t, ErrorCode::INTERNAL_ERROR),
    "InvalidParamsError" => |t| error_object(t, ErrorCode::INVALID_PARAMS),
    "MethodNotFoundError" => |t| error_object(t, ErrorCode::METHOD_NOT_FOUND),
    "InvalidRequestError" => |t| error_object(t, ErrorCode::INVALID_REQUEST),
    "HeaderMismatchError" => |t| error_response::<Value>(t, ErrorCode::HEADER_MISMATCH, false),
    "MissingRequiredClientCapabilityError" => |t| error_response::<MissingRequiredClientCapabilityErrorData>(t, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY, true),
    "UnsupportedProtocolVersionError" => |t| error_response::<UnsupportedProtocolVersionErrorData>(t, ErrorCode::UNSUPPORTED_PROTOCOL_VERSION, true),
}

#[test]
fn every_official_example_round_trips() {
    let examples = examples();
    assert!(
        examples.len() > 50,
        "found only {} example directories",
        examples.len()
    );
    let mut missing = BTreeSet::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for (dir, files) in &examples {
        for (file, text) in files {
            match check(dir, text) {
                None => {
                    missing.insert(dir.clone());
                }
                Some(Ok(())) => count += 1,
                Some(Err(e)) => failures.push(format!("{dir}/{file}: {e}")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "example directories without a type in the table: {missing:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {} examples failed:\n{}",
        failures.len(),
        count + failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn examples_land_in_typed_fields() {
    let examples = examples();
    let text = |dir: &str| examples[dir][0].1.clone();

    let result: CallToolResult = serde_json::from_str(&text("CallToolResult")).unwrap();
    assert!(matches!(result.content[0], ContentBlock::Text(_)));

    let listed: ListToolsResult = serde_json::from_str(&text("ListToolsResult")).unwrap();
    let tool = &listed.tools[0];
    assert_eq!(
        tool.description.as_deref(),
        Some("Get current weather information for a location")
    );
    assert!(tool.extra.is_empty() && tool.input_schema.properties.is_some());
    assert_eq!(listed.cache_scope, Some(CacheScope::Public));

    let pending: InputRequiredResult = serde_json::from_str(
        &examples["InputRequiredResult"]
            .iter()
            .find(|(f, _)| f.contains("elicitation"))
            .unwrap()
            .1,
    )
    .unwrap();
    let requests = pending.input_requests.unwrap();
    assert!(matches!(requests["github_login"], InputRequest::Elicit(_)));
    assert!(matches!(
        requests["capital_of_france"],
        InputRequest::CreateMessage(_)
    ));
    let InputRequest::Elicit(elicit) = &requests["github_login"] else {
        unreachable!()
    };
    assert!(
        matches!(elicit.params, ElicitRequestParams::Form(_)),
        "no `mode` reads as a form"
    );

    let responses: InputResponses = serde_json::from_str(&text("InputResponses")).unwrap();
    assert!(matches!(
        responses["github_login"],
        InputResponse::Elicit(_)
    ));
    assert!(matches!(
        responses["capital_of_france"],
        InputResponse::CreateMessage(_)
    ));

    let request: CallToolRequest = serde_json::from_str(&text("CallToolRequest")).unwrap();
    assert_eq!(request.id, RequestId::from("call-tool-example"));
    assert_eq!(request.params.name, "get_weather");
    let meta = request.params.meta.unwrap();
    assert_eq!(meta.protocol_version(), Some("2026-07-28"));

    let response: CallToolResultResponse =
        serde_json::from_str(&text("CallToolResultResponse")).unwrap();
    assert!(matches!(
        response.result,
        CallToolResultResponseResult::CallTool(_)
    ));

    let schema: ElicitRequestFormParams =
        serde_json::from_str(&text("ElicitRequestFormParams")).unwrap();
    assert!(
        schema
            .requested_schema
            .properties
            .values()
            .all(|p| matches!(
                p,
                PrimitiveSchemaDefinition::String(_) | PrimitiveSchemaDefinition::Number(_)
            ))
    );
}
