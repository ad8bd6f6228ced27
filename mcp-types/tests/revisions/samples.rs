//! The messages of the revision tests: rich values (members of every
//! revision set) that `conform_to` trims, with union variants picked per
//! revision.

use mcp_types::meta::{CLIENT_CAPABILITIES, SUBSCRIPTION_ID};
use mcp_types::*;
use serde_json::{Value, json};

use ProtocolVersion::{V2025_03_26, V2025_06_18, V2025_11_25, V2026_07_28};

pub(crate) fn request_meta() -> Meta {
    let mut m = Meta::new();
    m.set_protocol_version(V2026_07_28);
    m.insert(CLIENT_CAPABILITIES.into(), json!({}));
    m.set_progress_token(RequestId::from("progress-1"));
    m
}

pub(crate) fn notification_meta() -> Meta {
    let mut m = Meta::new();
    m.insert(SUBSCRIPTION_ID.into(), json!("listen-1"));
    m
}

pub(crate) fn object(v: Value) -> JsonObject {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

pub(crate) fn icon() -> Icon {
    Icon {
        mime_type: Some("image/png".into()),
        sizes: Some(vec!["48x48".into()]),
        theme: Some(IconTheme::Dark),
        ..Icon::new("https://example.com/icon.png")
    }
}

pub(crate) fn implementation() -> Implementation {
    Implementation {
        title: Some("Example".into()),
        description: Some("An example implementation".into()),
        icons: Some(vec![icon()]),
        website_url: Some("https://example.com".into()),
        ..Implementation::new("example", "1.0.0")
    }
}

pub(crate) fn annotations() -> Annotations {
    Annotations {
        audience: Some(vec![Role::User, Role::Assistant]),
        priority: Some(0.5),
        last_modified: Some("2025-01-01T00:00:00Z".into()),
        extra: JsonObject::new(),
    }
}

pub(crate) fn text(t: &str) -> TextContent {
    TextContent {
        annotations: Some(annotations()),
        ..TextContent::new(t)
    }
}

/// One content block of every kind the revision has.
pub(crate) fn content(version: ProtocolVersion) -> Vec<ContentBlock> {
    let mut blocks = vec![
        ContentBlock::Text(text("hello")),
        ContentBlock::Image(ImageContent {
            annotations: Some(annotations()),
            ..ImageContent::new("aGk=", "image/png")
        }),
        ContentBlock::Resource(EmbeddedResource {
            annotations: Some(annotations()),
            ..EmbeddedResource::new(
                TextOrBlobResourceContents::text("file:///a.txt", "a").with_mime_type("text/plain"),
            )
        }),
    ];
    if version >= V2025_03_26 {
        blocks.push(ContentBlock::audio("aGk=", "audio/wav"));
    }
    if version >= V2025_06_18 {
        blocks.push(ContentBlock::ResourceLink(ResourceLink {
            title: Some("A".into()),
            description: Some("a file".into()),
            mime_type: Some("text/plain".into()),
            size: Some(1),
            icons: Some(vec![icon()]),
            annotations: Some(annotations()),
            ..ResourceLink::new("a.txt", "file:///a.txt")
        }));
    }
    blocks
}

pub(crate) fn tool() -> Tool {
    Tool {
        title: Some("Weather".into()),
        description: Some("Get the weather".into()),
        input_schema: ToolInputSchema {
            schema: Some("https://json-schema.org/draft/2020-12/schema".into()),
            properties: Some([("city".to_owned(), object(json!({"type": "string"})))].into()),
            required: Some(vec!["city".into()]),
            ..ToolInputSchema::default()
        },
        output_schema: Some(ToolOutputSchema {
            r#type: Some("object".into()),
            properties: Some(
                [("temperature".to_owned(), object(json!({"type": "number"})))].into(),
            ),
            ..ToolOutputSchema::default()
        }),
        annotations: Some(ToolAnnotations {
            title: Some("Weather".into()),
            read_only_hint: Some(true),
            destructive_hint: Some(false),
            idempotent_hint: Some(true),
            open_world_hint: Some(true),
            extra: JsonObject::new(),
        }),
        icons: Some(vec![icon()]),
        execution: Some(ToolExecution {
            task_support: Some(ToolExecutionTaskSupport::Optional),
            extra: JsonObject::new(),
        }),
        meta: Some(Meta::new()),
        ..Tool::new(ToolInputSchema::default(), "weather")
    }
}

pub(crate) fn task() -> Task {
    Task {
        poll_interval: Some(500),
        status_message: Some("working on it".into()),
        ..Task::new(
            "2025-01-01T00:00:00Z",
            "2025-01-01T00:00:01Z",
            TaskStatus::Working,
            "task-1",
            Some(60_000),
        )
    }
}

pub(crate) fn input_responses() -> InputResponses {
    [(
        "ask".to_owned(),
        InputResponse::Elicit(ElicitResult::new(ElicitResultAction::Decline)),
    )]
    .into()
}

pub(crate) fn client_capabilities() -> ClientCapabilities {
    ClientCapabilities {
        experimental: Some([("x".to_owned(), JsonObject::new())].into()),
        roots: Some(ClientCapabilitiesRoots {
            list_changed: Some(true),
            extra: JsonObject::new(),
        }),
        sampling: Some(ClientCapabilitiesSampling {
            context: Some(JsonObject::new()),
            tools: Some(JsonObject::new()),
            extra: JsonObject::new(),
        }),
        elicitation: Some(ClientCapabilitiesElicitation {
            form: Some(JsonObject::new()),
            url: Some(JsonObject::new()),
            extra: JsonObject::new(),
        }),
        tasks: Some(ClientCapabilitiesTasks {
            list: Some(JsonObject::new()),
            cancel: Some(JsonObject::new()),
            ..Default::default()
        }),
        extensions: Some([("io.modelcontextprotocol/ui".to_owned(), JsonObject::new())].into()),
        extra: JsonObject::new(),
    }
}

pub(crate) fn server_capabilities() -> ServerCapabilities {
    ServerCapabilities {
        experimental: Some([("x".to_owned(), JsonObject::new())].into()),
        logging: Some(JsonObject::new()),
        completions: Some(JsonObject::new()),
        prompts: Some(ServerCapabilitiesPrompts {
            list_changed: Some(true),
            extra: JsonObject::new(),
        }),
        resources: Some(ServerCapabilitiesResources {
            subscribe: Some(true),
            list_changed: Some(true),
            extra: JsonObject::new(),
        }),
        tools: Some(ServerCapabilitiesTools {
            list_changed: Some(true),
            extra: JsonObject::new(),
        }),
        tasks: Some(ServerCapabilitiesTasks {
            list: Some(JsonObject::new()),
            ..Default::default()
        }),
        extensions: Some(
            [(
                "io.modelcontextprotocol/tasks".to_owned(),
                JsonObject::new(),
            )]
            .into(),
        ),
        extra: JsonObject::new(),
    }
}

pub(crate) fn paginated() -> PaginatedRequestParams {
    PaginatedRequestParams {
        cursor: Some("page-2".into()),
        meta: Some(request_meta()),
        extra: JsonObject::new(),
    }
}

pub(crate) fn request_params() -> RequestParams {
    RequestParams {
        meta: Some(request_meta()),
        extra: JsonObject::new(),
    }
}

pub(crate) fn notification_params() -> Option<NotificationParams> {
    Some(NotificationParams {
        meta: Some(notification_meta()),
        extra: JsonObject::new(),
    })
}

pub(crate) fn sampling_params(version: ProtocolVersion) -> CreateMessageRequestParams {
    let mut message = SamplingMessage::new(
        SamplingContent::One(SamplingMessageContentBlock::Text(text("Hi"))),
        Role::User,
    );
    if version >= V2025_11_25 {
        message.meta = Some(Meta::new());
    }
    CreateMessageRequestParams {
        model_preferences: Some(ModelPreferences {
            hints: Some(vec![ModelHint {
                name: Some("claude".into()),
                extra: JsonObject::new(),
            }]),
            cost_priority: Some(0.3),
            speed_priority: Some(0.5),
            intelligence_priority: Some(0.8),
            extra: JsonObject::new(),
        }),
        system_prompt: Some("Be brief.".into()),
        include_context: Some(IncludeContext::ThisServer),
        temperature: Some(0.7),
        stop_sequences: Some(vec!["STOP".into()]),
        metadata: Some(object(json!({"k": "v"}))),
        tools: Some(vec![tool()]),
        tool_choice: Some(ToolChoice {
            mode: Some(ToolChoiceMode::Auto),
            extra: JsonObject::new(),
        }),
        task: Some(TaskMetadata {
            ttl: Some(1000),
            extra: JsonObject::new(),
        }),
        ..CreateMessageRequestParams::new(100, vec![message])
    }
}

/// A request a server sends on its own before 2026-07-28 (with `jsonrpc`
/// and `id`), embedded in an `InputRequiredResult` from then on (without).
pub(crate) fn server_request<R>(version: ProtocolVersion, mut request: R, set: fn(&mut R)) -> R {
    if version < V2026_07_28 {
        set(&mut request);
    }
    request
}

pub(crate) fn form_params(version: ProtocolVersion) -> ElicitRequestFormParams {
    let mut properties: std::collections::BTreeMap<String, PrimitiveSchemaDefinition> = [
        (
            "name".to_owned(),
            PrimitiveSchemaDefinition::String(StringSchema {
                title: Some("Name".into()),
                description: Some("Your name".into()),
                min_length: Some(1),
                max_length: Some(50),
                format: Some(StringSchemaFormat::Email),
                default: Some("a@example.com".into()),
                ..StringSchema::default()
            }),
        ),
        (
            "age".to_owned(),
            PrimitiveSchemaDefinition::Number(NumberSchema {
                minimum: Some(0.0),
                maximum: Some(150.0),
                default: Some(30.0),
                ..NumberSchema::new(NumberSchemaType::Integer)
            }),
        ),
        (
            "ok".to_owned(),
            PrimitiveSchemaDefinition::Boolean(BooleanSchema {
                default: Some(true),
                ..BooleanSchema::default()
            }),
        ),
        (
            "color".to_owned(),
            PrimitiveSchemaDefinition::UntitledSingleSelectEnum(
                UntitledSingleSelectEnumSchema::new(vec!["red".into(), "blue".into()]),
            ),
        ),
    ]
    .into();
    if version >= V2025_11_25 {
        properties.insert(
            "colors".to_owned(),
            PrimitiveSchemaDefinition::TitledMultiSelectEnum(TitledMultiSelectEnumSchema::new(
                TitledMultiSelectEnumSchemaItems::new(vec![
                    TitledMultiSelectEnumSchemaItemsAnyOf::new("#f00", "Red"),
                ]),
            )),
        );
    }
    ElicitRequestFormParams {
        mode: Some("form".into()),
        task: Some(TaskMetadata::default()),
        meta: Some(request_meta()),
        ..ElicitRequestFormParams::new(
            "Who are you?",
            ElicitRequestFormParamsRequestedSchema {
                schema: Some("https://json-schema.org/draft/2020-12/schema".into()),
                required: Some(vec!["name".into()]),
                ..ElicitRequestFormParamsRequestedSchema::new(properties)
            },
        )
    }
}
