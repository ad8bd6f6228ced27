//! For every revision: one message per method that the revision defines
//! (request, result, notification), built with the Rust types and trimmed with
//! `conform_to`, validates against that revision's schema (also strictly: no
//! member the revision does not define), round-trips, and dispatches.

#[path = "../common/mod.rs"]
mod common;
mod samples;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use mcp_types::meta::SUBSCRIPTION_ID;
use mcp_types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use common::{has_def, schema, validate};
use samples::*;

use ProtocolVersion::{V2024_11_05, V2025_03_26, V2025_06_18, V2025_11_25, V2026_07_28};

// ---------------------------------------------------------------- checks

/// The last path segment of a type's name (`CallToolResult`), which is the
/// name of its schema definition.
fn def_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

fn json_of(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("serializes")
}

/// The members of a message that an old revision's `XRequest` definition
/// describes: it lists only `method` and `params`, the envelope adds the rest.
fn without_envelope(version: ProtocolVersion, def: &str, json: &Value) -> Value {
    let mut json = json.clone();
    let props = &schema(version)[common::defs_key(version)][def]["properties"];
    if props.get("jsonrpc").is_none() {
        if let Some(map) = json.as_object_mut() {
            map.remove("jsonrpc");
            map.remove("id");
        }
    }
    json
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(
    value: &T,
    errors: &mut Vec<String>,
    what: &str,
) {
    let text = serde_json::to_string(value).expect("serializes");
    match serde_json::from_str::<T>(&text) {
        Ok(back) if &back == value => {}
        Ok(back) => errors.push(format!(
            "{what}: round trip changed the value:\n{back:?}\n!=\n{value:?}"
        )),
        Err(e) => errors.push(format!("{what}: does not parse back: {e}\n{text}")),
    }
}

/// The result wrapped in a JSON-RPC response, against the revision's response definition.
fn check_response(version: ProtocolVersion, result: &Value, errors: &mut Vec<String>) {
    let response = json!({ "jsonrpc": "2.0", "id": 1, "result": result });
    let def = if has_def(version, "JSONRPCResultResponse") {
        "JSONRPCResultResponse"
    } else {
        "JSONRPCResponse"
    };
    errors.extend(validate(version, def, &response, false).err());
}

fn check_request<R>(version: ProtocolVersion, mut request: R, mut result: R::Result) -> Vec<String>
where
    R: RequestMethod + Serialize + DeserializeOwned + Revisioned + PartialEq + Debug,
    R::Result: PartialEq + Debug,
{
    let mut errors = Vec::new();
    let def = def_name::<R>();
    request.conform_to(version);
    let json = json_of(&request);
    errors.extend(validate(version, def, &json, false).err());
    errors.extend(validate(version, def, &without_envelope(version, def, &json), true).err());
    let standalone = json.get("id").is_some();
    if standalone {
        errors.extend(validate(version, "JSONRPCRequest", &json, false).err());
    }
    round_trip(&request, &mut errors, def);
    check_dispatch(R::METHOD, json.get("params"), &mut errors);

    let result_def = def_name::<R::Result>();
    result.conform_to(version);
    let json = json_of(&result);
    errors.extend(validate(version, result_def, &json, true).err());
    // An input request embedded in a 2026-07-28 result is answered in the retry, not in a response.
    if standalone {
        check_response(version, &json, &mut errors);
    }
    round_trip(&result, &mut errors, result_def);
    errors
}

fn check_notification<N>(version: ProtocolVersion, mut notification: N) -> Vec<String>
where
    N: NotificationMethod + Serialize + DeserializeOwned + Revisioned + PartialEq + Debug,
{
    let mut errors = Vec::new();
    let def = def_name::<N>();
    notification.conform_to(version);
    let json = json_of(&notification);
    errors.extend(validate(version, def, &json, false).err());
    errors.extend(validate(version, def, &without_envelope(version, def, &json), true).err());
    errors.extend(validate(version, "JSONRPCNotification", &json, false).err());
    round_trip(&notification, &mut errors, def);
    check_dispatch(N::METHOD, json.get("params"), &mut errors);
    errors
}

/// The params parse through a dispatch enum into a typed variant and
/// serialize back unchanged.
fn check_dispatch(method: &str, params: Option<&Value>, errors: &mut Vec<String>) {
    let raw = params.map(|p| serde_json::value::to_raw_value(p).expect("raw"));
    let raw = raw.as_deref();
    let mut typed = Vec::new();
    macro_rules! try_enum {
        ($($e:ident),*) => {$(
            match $e::from_parts(method, raw) {
                Ok($e::Other { .. }) => {}
                Ok(v) => typed.push((v.method().to_owned(), v.to_raw_params().expect("params serialize"))),
                Err(e) => errors.push(format!("{method}: {} cannot parse the params: {e}", stringify!($e))),
            }
        )*};
    }
    try_enum!(
        ClientRequest,
        ServerRequest,
        ClientNotification,
        ServerNotification
    );
    if typed.is_empty() {
        errors.push(format!("{method}: no dispatch enum knows the method"));
    }
    for (m, p) in typed {
        let back: Option<Value> = p.map(|p| serde_json::from_str(p.get()).expect("JSON"));
        if m != method
            || !common::same_json(
                back.as_ref().unwrap_or(&json!({})),
                params.unwrap_or(&json!({})),
            )
        {
            errors.push(format!("{method}: dispatch gave {m} with {back:?}"));
        }
    }
}

// ---------------------------------------------------------------- cases

type Run = Box<dyn Fn(ProtocolVersion) -> Vec<String>>;

struct Case {
    method: &'static str,
    revisions: Revisions,
    run: Run,
}

fn req<R>(build: fn(ProtocolVersion) -> Option<(R, R::Result)>) -> Case
where
    R: RequestMethod + Serialize + DeserializeOwned + Revisioned + PartialEq + Debug,
    R::Result: PartialEq + Debug,
{
    Case {
        method: R::METHOD,
        revisions: R::REVISIONS,
        run: Box::new(move |v| build(v).map_or_else(Vec::new, |(r, res)| check_request(v, r, res))),
    }
}

fn note<N>(build: fn(ProtocolVersion) -> N) -> Case
where
    N: NotificationMethod + Serialize + DeserializeOwned + Revisioned + PartialEq + Debug,
{
    Case {
        method: N::METHOD,
        revisions: N::REVISIONS,
        run: Box::new(move |v| check_notification(v, build(v))),
    }
}

fn cases() -> Vec<Case> {
    vec![
        req(|v| {
            let params = InitializeRequestParams {
                meta: Some(request_meta()),
                ..InitializeRequestParams::new(client_capabilities(), implementation(), v.as_str())
            };
            let result = InitializeResult {
                meta: Some(Meta::new()),
                ..InitializeResult::for_version(v, server_capabilities(), implementation())
                    .with_instructions("Be nice.")
            };
            Some((InitializeRequest::new(1, params), result))
        }),
        req(|_| {
            Some((
                PingRequest::new("ping-1", Some(request_params())),
                EmptyResult {
                    meta: Some(Meta::new()),
                    ..EmptyResult::default()
                },
            ))
        }),
        req(|_| {
            let params = CompleteRequestParams {
                context: Some(CompleteRequestParamsContext {
                    arguments: Some([("language".to_owned(), "rust".to_owned())].into()),
                    extra: JsonObject::new(),
                }),
                meta: Some(request_meta()),
                ..CompleteRequestParams::new(
                    CompleteRequestParamsArgument::new("framework", "ax"),
                    CompleteRequestParamsRef::Prompt(PromptReference {
                        title: Some("Review".into()),
                        ..PromptReference::new("review")
                    }),
                )
            };
            let result = CompleteResult::new(CompleteResultCompletion {
                total: Some(2),
                has_more: Some(false),
                ..CompleteResultCompletion::new(vec!["axum".into(), "axe".into()])
            });
            Some((CompleteRequest::new(2, params), result))
        }),
        req(|_| {
            let params = CompleteRequestParams::new(
                CompleteRequestParamsArgument::new("path", "sr"),
                CompleteRequestParamsRef::ResourceTemplate(ResourceTemplateReference::new(
                    "file:///{path}",
                )),
            );
            Some((
                CompleteRequest::new(
                    3,
                    CompleteRequestParams {
                        meta: Some(request_meta()),
                        ..params
                    },
                ),
                CompleteResult::new(CompleteResultCompletion::new(vec!["src".into()])),
            ))
        }),
        req(|_| {
            Some((
                SetLevelRequest::new(
                    4,
                    SetLevelRequestParams {
                        meta: Some(request_meta()),
                        ..SetLevelRequestParams::new(LoggingLevel::Warning)
                    },
                ),
                EmptyResult::default(),
            ))
        }),
        req(|_| {
            let prompt = Prompt {
                title: Some("Review".into()),
                description: Some("Reviews code".into()),
                arguments: Some(vec![PromptArgument {
                    title: Some("Code".into()),
                    description: Some("The code".into()),
                    required: Some(true),
                    ..PromptArgument::new("code")
                }]),
                icons: Some(vec![icon()]),
                meta: Some(Meta::new()),
                ..Prompt::new("review")
            };
            let result = ListPromptsResult {
                next_cursor: Some("page-3".into()),
                ttl_ms: Some(60_000),
                cache_scope: Some(CacheScope::Public),
                ..ListPromptsResult::new(vec![prompt])
            };
            Some((ListPromptsRequest::new(5, paginated()), result))
        }),
        req(|v| {
            let params = GetPromptRequestParams {
                arguments: Some([("code".to_owned(), "fn main() {}".to_owned())].into()),
                input_responses: Some(input_responses()),
                request_state: Some("state".into()),
                meta: Some(request_meta()),
                ..GetPromptRequestParams::new("review")
            };
            let messages = content(v)
                .into_iter()
                .map(|c| PromptMessage::new(c, Role::User))
                .collect();
            Some((
                GetPromptRequest::new(6, params),
                GetPromptResult {
                    description: Some("A review".into()),
                    ..GetPromptResult::new(messages)
                },
            ))
        }),
        req(|_| {
            let resource = Resource {
                title: Some("Main".into()),
                description: Some("The main file".into()),
                mime_type: Some("text/x-rust".into()),
                size: Some(12),
                annotations: Some(annotations()),
                icons: Some(vec![icon()]),
                meta: Some(Meta::new()),
                ..Resource::new("main.rs", "file:///main.rs")
            };
            let result = ListResourcesResult {
                next_cursor: Some("n".into()),
                ttl_ms: Some(1),
                cache_scope: Some(CacheScope::Private),
                ..ListResourcesResult::new(vec![resource])
            };
            Some((ListResourcesRequest::new(7, paginated()), result))
        }),
        req(|_| {
            let template = ResourceTemplate {
                title: Some("Files".into()),
                description: Some("Project files".into()),
                mime_type: Some("text/plain".into()),
                annotations: Some(annotations()),
                icons: Some(vec![icon()]),
                ..ResourceTemplate::new("files", "file:///{path}")
            };
            let result = ListResourceTemplatesResult {
                ttl_ms: Some(1),
                cache_scope: Some(CacheScope::Public),
                ..ListResourceTemplatesResult::new(vec![template])
            };
            Some((ListResourceTemplatesRequest::new(8, paginated()), result))
        }),
        req(|_| {
            let params = ReadResourceRequestParams {
                meta: Some(request_meta()),
                input_responses: Some(input_responses()),
                request_state: Some("s".into()),
                ..ReadResourceRequestParams::new("file:///a.txt")
            };
            let result = ReadResourceResult {
                ttl_ms: Some(0),
                cache_scope: Some(CacheScope::Private),
                ..ReadResourceResult::new(vec![
                    TextOrBlobResourceContents::text("file:///a.txt", "a")
                        .with_mime_type("text/plain"),
                    TextOrBlobResourceContents::blob("file:///b.bin", "AAE="),
                ])
            };
            Some((ReadResourceRequest::new(9, params), result))
        }),
        req(|_| {
            Some((
                SubscribeRequest::new(
                    10,
                    SubscribeRequestParams {
                        meta: Some(request_meta()),
                        ..SubscribeRequestParams::new("file:///a.txt")
                    },
                ),
                EmptyResult::default(),
            ))
        }),
        req(|_| {
            Some((
                UnsubscribeRequest::new(
                    11,
                    UnsubscribeRequestParams {
                        meta: Some(request_meta()),
                        ..UnsubscribeRequestParams::new("file:///a.txt")
                    },
                ),
                EmptyResult::default(),
            ))
        }),
        req(|_| {
            let result = ListToolsResult {
                next_cursor: Some("n".into()),
                ttl_ms: Some(5),
                cache_scope: Some(CacheScope::Public),
                ..ListToolsResult::new(vec![tool()])
            };
            Some((ListToolsRequest::new(12, paginated()), result))
        }),
        req(|v| {
            let params = CallToolRequestParams {
                arguments: Some(object(json!({"city": "Paris"}))),
                task: Some(TaskMetadata {
                    ttl: Some(5),
                    extra: JsonObject::new(),
                }),
                input_responses: Some(input_responses()),
                request_state: Some("s".into()),
                meta: Some(request_meta()),
                ..CallToolRequestParams::new("weather")
            };
            let mut result = CallToolResult::success(content(v));
            result.is_error = Some(false);
            result.structured_content = Some(json!({"temperature": 22.5}));
            Some((CallToolRequest::new(13, params), result))
        }),
        req(|_| {
            let t = task();
            let result = GetTaskResult {
                meta: Some(Meta::new()),
                poll_interval: t.poll_interval,
                status_message: t.status_message,
                ..GetTaskResult::new(t.created_at, t.last_updated_at, t.status, t.task_id, t.ttl)
            };
            Some((
                GetTaskRequest::new(14, GetTaskRequestParams::new("task-1")),
                result,
            ))
        }),
        req(|_| {
            let result = GetTaskPayloadResult {
                meta: Some(Meta::new()),
                extra: object(json!({"content": []})),
            };
            Some((
                GetTaskPayloadRequest::new(15, GetTaskPayloadRequestParams::new("task-1")),
                result,
            ))
        }),
        req(|_| {
            Some((
                ListTasksRequest::new(16, Some(paginated())),
                ListTasksResult {
                    next_cursor: Some("n".into()),
                    ..ListTasksResult::new(vec![task()])
                },
            ))
        }),
        req(|_| {
            let t = task();
            Some((
                CancelTaskRequest::new(17, CancelTaskRequestParams::new("task-1")),
                CancelTaskResult::new(
                    t.created_at,
                    t.last_updated_at,
                    TaskStatus::Cancelled,
                    t.task_id,
                    None,
                ),
            ))
        }),
        req(|_| {
            let result = DiscoverResult {
                instructions: Some("Use the weather tool.".into()),
                meta: Some(Meta::new()),
                ..DiscoverResult::new(
                    CacheScope::Public,
                    server_capabilities(),
                    "complete",
                    vec!["2026-07-28".into()],
                    3_600_000,
                )
            };
            Some((DiscoverRequest::new(18, request_params()), result))
        }),
        req(|_| {
            let filter = SubscriptionFilter {
                tools_list_changed: Some(true),
                prompts_list_changed: Some(false),
                resources_list_changed: Some(true),
                resource_subscriptions: Some(vec!["file:///a.txt".into()]),
                extra: JsonObject::new(),
            };
            let mut meta = Meta::new();
            meta.insert(SUBSCRIPTION_ID.into(), json!(19));
            Some((
                SubscriptionsListenRequest::new(
                    19,
                    SubscriptionsListenRequestParams::new(request_meta(), filter),
                ),
                SubscriptionsListenResult::new(meta, "complete"),
            ))
        }),
        req(|v| {
            let request = server_request(v, CreateMessageRequest::new(sampling_params(v)), |r| {
                r.jsonrpc = Some(JsonrpcTag);
                r.id = Some(20.into());
            });
            let result = CreateMessageResult {
                stop_reason: Some("endTurn".into()),
                ..CreateMessageResult::new(
                    SamplingContent::One(SamplingMessageContentBlock::Text(text("Paris"))),
                    "claude",
                    Role::Assistant,
                )
            };
            Some((request, result))
        }),
        req(|v| {
            // Sampling with tools (2025-11-25 onwards): tool use and tool results, several blocks at once.
            if v < V2025_11_25 {
                return None;
            }
            let mut params = sampling_params(v);
            let tool_use = SamplingMessageContentBlock::ToolUse(ToolUseContent::new(
                "call-1",
                object(json!({"city": "Paris"})),
                "weather",
            ));
            let tool_result = SamplingMessageContentBlock::ToolResult(ToolResultContent {
                is_error: Some(false),
                ..ToolResultContent::new(content(v), "call-1")
            });
            params.messages.push(SamplingMessage::new(
                SamplingContent::Many(vec![tool_use.clone()]),
                Role::Assistant,
            ));
            params.messages.push(SamplingMessage::new(
                SamplingContent::Many(vec![tool_result]),
                Role::User,
            ));
            let request = server_request(v, CreateMessageRequest::new(params), |r| {
                r.jsonrpc = Some(JsonrpcTag);
                r.id = Some(21.into());
            });
            let result = CreateMessageResult {
                stop_reason: Some("toolUse".into()),
                ..CreateMessageResult::new(
                    SamplingContent::Many(vec![tool_use]),
                    "claude",
                    Role::Assistant,
                )
            };
            Some((request, result))
        }),
        req(|v| {
            let params = ListRootsRequestParams {
                meta: Some(request_meta()),
                extra: JsonObject::new(),
            };
            let request = server_request(v, ListRootsRequest::new(Some(params)), |r| {
                r.jsonrpc = Some(JsonrpcTag);
                r.id = Some(22.into());
            });
            let root = Root {
                name: Some("project".into()),
                meta: Some(Meta::new()),
                ..Root::new("file:///project")
            };
            Some((request, ListRootsResult::new(vec![root])))
        }),
        req(|v| {
            let request = server_request(
                v,
                ElicitRequest::new(ElicitRequestParams::Form(form_params(v))),
                |r| {
                    r.jsonrpc = Some(JsonrpcTag);
                    r.id = Some(23.into());
                },
            );
            let mut content: std::collections::BTreeMap<String, ElicitResultContentValue> = [
                (
                    "name".to_owned(),
                    ElicitResultContentValue::String("Ada".into()),
                ),
                ("age".to_owned(), ElicitResultContentValue::Integer(36)),
                ("ok".to_owned(), ElicitResultContentValue::Boolean(true)),
            ]
            .into();
            if v >= V2025_11_25 {
                content.insert(
                    "colors".into(),
                    ElicitResultContentValue::StringArray(vec!["#f00".into()]),
                );
            }
            let result = ElicitResult {
                content: Some(content),
                meta: Some(Meta::new()),
                ..ElicitResult::new(ElicitResultAction::Accept)
            };
            Some((request, result))
        }),
        req(|v| {
            // URL mode (2025-11-25 onwards).
            if v < V2025_11_25 {
                return None;
            }
            let params = ElicitRequestUrlParams {
                elicitation_id: Some("e-1".into()),
                task: Some(TaskMetadata::default()),
                ..ElicitRequestUrlParams::new("Sign in", "https://example.com/login")
            };
            let request = server_request(
                v,
                ElicitRequest::new(ElicitRequestParams::Url(params)),
                |r| {
                    r.jsonrpc = Some(JsonrpcTag);
                    r.id = Some(24.into());
                },
            );
            Some((request, ElicitResult::new(ElicitResultAction::Cancel)))
        }),
        note(|_| {
            CancelledNotification::new(CancelledNotificationParams {
                request_id: Some(7.into()),
                reason: Some("user".into()),
                meta: Some(notification_meta()),
                extra: JsonObject::new(),
            })
        }),
        note(|_| {
            ProgressNotification::new(ProgressNotificationParams {
                total: Some(100.0),
                message: Some("halfway".into()),
                meta: Some(notification_meta()),
                ..ProgressNotificationParams::new(50.0, RequestId::from("progress-1"))
            })
        }),
        note(|_| InitializedNotification::new(notification_params())),
        note(|_| RootsListChangedNotification::new(notification_params())),
        note(|_| {
            let t = task();
            TaskStatusNotification::new(TaskStatusNotificationParams {
                meta: Some(notification_meta()),
                poll_interval: t.poll_interval,
                status_message: t.status_message,
                ..TaskStatusNotificationParams::new(
                    t.created_at,
                    t.last_updated_at,
                    TaskStatus::Completed,
                    t.task_id,
                    t.ttl,
                )
            })
        }),
        note(|_| {
            LoggingMessageNotification::new(LoggingMessageNotificationParams {
                logger: Some("db".into()),
                meta: Some(notification_meta()),
                ..LoggingMessageNotificationParams::new(
                    json!({"error": "connection failed"}),
                    LoggingLevel::Error,
                )
            })
        }),
        note(|_| {
            ResourceUpdatedNotification::new(ResourceUpdatedNotificationParams {
                meta: Some(notification_meta()),
                ..ResourceUpdatedNotificationParams::new("file:///a.txt")
            })
        }),
        note(|_| ResourceListChangedNotification::new(notification_params())),
        note(|_| ToolListChangedNotification::new(notification_params())),
        note(|_| PromptListChangedNotification::new(notification_params())),
        note(|_| {
            ElicitationCompleteNotification::new(ElicitationCompleteNotificationParams::new("e-1"))
        }),
        note(|_| {
            let filter = SubscriptionFilter {
                tools_list_changed: Some(true),
                ..SubscriptionFilter::default()
            };
            SubscriptionsAcknowledgedNotification::new(
                SubscriptionsAcknowledgedNotificationParams {
                    meta: Some(notification_meta()),
                    ..SubscriptionsAcknowledgedNotificationParams::new(filter)
                },
            )
        }),
    ]
}

/// The methods a revision's schema defines, read from its method unions.
fn schema_methods(version: ProtocolVersion) -> BTreeSet<String> {
    let defs = &schema(version)[common::defs_key(version)];
    let mut out = BTreeSet::new();
    for union in [
        "ClientRequest",
        "ServerRequest",
        "ClientNotification",
        "ServerNotification",
        "InputRequest",
    ] {
        let Some(node) = defs.get(union) else {
            continue;
        };
        let members: Vec<&Value> = match node.get("anyOf").and_then(Value::as_array) {
            Some(refs) => refs
                .iter()
                .map(|r| {
                    &defs[r["$ref"]
                        .as_str()
                        .unwrap_or_default()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()]
                })
                .collect(),
            None => vec![node],
        };
        for m in members {
            out.insert(
                m["properties"]["method"]["const"]
                    .as_str()
                    .expect("a method const")
                    .to_owned(),
            );
        }
    }
    out
}

#[test]
fn every_method_of_every_revision_validates_and_round_trips() {
    let cases = cases();
    let mut failures = Vec::new();
    let mut checked = BTreeMap::new();
    for version in ProtocolVersion::ALL {
        let covered: BTreeSet<String> = cases
            .iter()
            .filter(|c| c.revisions.contains(version))
            .map(|c| c.method.to_owned())
            .collect();
        let expected = schema_methods(version);
        assert_eq!(
            covered, expected,
            "{version}: the methods with cases (left) are not the schema's (right)"
        );
        for case in cases.iter().filter(|c| c.revisions.contains(version)) {
            let errors = (case.run)(version);
            *checked.entry(version).or_insert(0) += 1;
            failures.extend(
                errors
                    .into_iter()
                    .map(|e| format!("[{version} {}] {e}", case.method)),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(checked.values().all(|n| *n >= 10), "{checked:?}");
}

#[test]
fn conform_to_removes_what_old_revisions_lack() {
    let mut result = CallToolResult::success([ContentBlock::text("hi")]);
    result.structured_content = Some(json!({}));
    result.conform_to(V2026_07_28);
    assert_eq!(
        result.result_type.as_deref(),
        Some("complete"),
        "2026-07-28 requires resultType"
    );
    result.conform_to(V2024_11_05);
    assert_eq!(result.result_type, None);
    assert_eq!(result.structured_content, None);

    let mut info = implementation();
    info.conform_to(V2025_06_18);
    assert!(info.title.is_some() && info.icons.is_none() && info.website_url.is_none());
    info.conform_to(V2024_11_05);
    assert_eq!(info.title, None);
    assert_eq!(
        json_of(&info),
        json!({"name": "example", "version": "1.0.0"})
    );

    // Recursion: tools in a list lose their 2025-06-18 and later members.
    let mut list = ListToolsResult {
        ttl_ms: Some(1),
        cache_scope: Some(CacheScope::Public),
        ..ListToolsResult::new(vec![tool()])
    };
    list.conform_to(V2025_03_26);
    let tool = &list.tools[0];
    assert!(
        tool.title.is_none()
            && tool.icons.is_none()
            && tool.output_schema.is_none()
            && tool.execution.is_none()
    );
    assert!(
        tool.annotations.is_some(),
        "annotations arrived in 2025-03-26"
    );
    assert!(
        tool.input_schema.schema.is_none(),
        "`$schema` arrived in 2025-11-25"
    );
    assert!(list.ttl_ms.is_none() && list.cache_scope.is_none());

    // 2026-07-28 moved `properties` and `required` of an input schema into its
    // open keyword set: they stay. `execution` and `listChanged` of roots are gone.
    let mut tool = self::tool();
    tool.conform_to(V2026_07_28);
    assert!(tool.input_schema.properties.is_some() && tool.input_schema.required.is_some());
    assert!(tool.execution.is_none());
    let mut caps = client_capabilities();
    caps.conform_to(V2026_07_28);
    assert_eq!(caps.roots.as_ref().and_then(|r| r.list_changed), None);
    assert!(caps.tasks.is_none());

    // `_meta` is never touched.
    let mut params = CallToolRequestParams {
        meta: Some(request_meta()),
        ..CallToolRequestParams::new("x")
    };
    params.conform_to(V2024_11_05);
    assert_eq!(params.meta, Some(request_meta()));
}

#[test]
fn strict_validation_refuses_members_a_revision_lacks() {
    let info = implementation();
    let json = json_of(&info);
    assert!(
        validate(V2024_11_05, "Implementation", &json, false).is_ok(),
        "the schemas allow unknown members"
    );
    let err = validate(V2024_11_05, "Implementation", &json, true)
        .expect_err("title, icons, ... are unknown in 2024-11-05");
    assert!(err.contains("title") || err.contains("additional"), "{err}");
    let mut conformed = info;
    conformed.conform_to(V2024_11_05);
    assert!(validate(V2024_11_05, "Implementation", &json_of(&conformed), true).is_ok());

    let mut result = CallToolResult::success([ContentBlock::text("x")]);
    result.result_type = Some("complete".into());
    assert!(validate(V2025_06_18, "CallToolResult", &json_of(&result), true).is_err());
    result.conform_to(V2025_06_18);
    assert!(validate(V2025_06_18, "CallToolResult", &json_of(&result), true).is_ok());
}
