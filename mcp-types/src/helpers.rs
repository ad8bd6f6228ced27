//! Hand-written conveniences over the generated types: the constructors that
//! everyday server and client code needs. Each generated struct with required
//! members also has a `new` taking them (in schema order).

use serde_json::Value;

use crate::{
    AudioContent, BlobResourceContents, CallToolResult, ContentBlock, EmbeddedResource,
    ImageContent, Implementation, InitializeResult, InputRequest, InputRequiredResult,
    ProtocolVersion, ResourceLink, ServerCapabilities, TextContent, TextOrBlobResourceContents,
    TextResourceContents,
};

impl ContentBlock {
    /// A text block.
    ///
    /// ```
    /// use mcp_types::ContentBlock;
    ///
    /// let block = ContentBlock::text("hello");
    /// assert_eq!(block.as_text(), Some("hello"));
    /// assert_eq!(serde_json::to_value(&block).unwrap(), serde_json::json!({"type": "text", "text": "hello"}));
    /// ```
    pub fn text(text: impl Into<String>) -> Self {
        ContentBlock::Text(TextContent::new(text))
    }

    /// An image block from base64-encoded data and its MIME type.
    pub fn image(data_base64: impl Into<String>, mime_type: impl Into<String>) -> Self {
        ContentBlock::Image(ImageContent::new(data_base64, mime_type))
    }

    /// An audio block from base64-encoded data and its MIME type.
    pub fn audio(data_base64: impl Into<String>, mime_type: impl Into<String>) -> Self {
        ContentBlock::Audio(AudioContent::new(data_base64, mime_type))
    }

    /// A block embedding a resource's contents.
    pub fn resource(resource: EmbeddedResource) -> Self {
        ContentBlock::Resource(resource)
    }

    /// A block embedding a text resource.
    ///
    /// ```
    /// use mcp_types::ContentBlock;
    ///
    /// let block = ContentBlock::embedded_text("file:///notes.txt", "remember the milk");
    /// let json = serde_json::to_value(&block).unwrap();
    /// assert_eq!(json["type"], "resource");
    /// assert_eq!(json["resource"]["uri"], "file:///notes.txt");
    /// ```
    pub fn embedded_text(uri: impl Into<String>, text: impl Into<String>) -> Self {
        ContentBlock::Resource(EmbeddedResource::new(TextOrBlobResourceContents::text(
            uri, text,
        )))
    }

    /// A link to a resource the client can read (2025-06-18 onwards).
    ///
    /// ```
    /// use mcp_types::ContentBlock;
    ///
    /// let block = ContentBlock::resource_link("file:///main.rs", "main.rs");
    /// assert_eq!(serde_json::to_value(&block).unwrap()["type"], "resource_link");
    /// ```
    pub fn resource_link(uri: impl Into<String>, name: impl Into<String>) -> Self {
        ContentBlock::ResourceLink(ResourceLink::new(name, uri))
    }

    /// The text of a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ContentBlock::Text(t) => Some(&t.text),
            _ => None,
        }
    }
}

impl From<&str> for ContentBlock {
    fn from(text: &str) -> Self {
        ContentBlock::text(text)
    }
}

impl From<String> for ContentBlock {
    fn from(text: String) -> Self {
        ContentBlock::text(text)
    }
}

impl TextOrBlobResourceContents {
    /// Text contents of the resource at `uri`.
    ///
    /// ```
    /// use mcp_types::TextOrBlobResourceContents;
    ///
    /// let c = TextOrBlobResourceContents::text("file:///a.txt", "hi").with_mime_type("text/plain");
    /// assert_eq!(c.uri(), "file:///a.txt");
    /// ```
    pub fn text(uri: impl Into<String>, text: impl Into<String>) -> Self {
        TextOrBlobResourceContents::Text(TextResourceContents::new(text, uri))
    }

    /// Binary contents (base64-encoded) of the resource at `uri`.
    pub fn blob(uri: impl Into<String>, blob_base64: impl Into<String>) -> Self {
        TextOrBlobResourceContents::Blob(BlobResourceContents::new(blob_base64, uri))
    }

    /// The same contents with a MIME type.
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        let slot = match &mut self {
            TextOrBlobResourceContents::Text(t) => &mut t.mime_type,
            TextOrBlobResourceContents::Blob(b) => &mut b.mime_type,
        };
        *slot = Some(mime_type.into());
        self
    }

    /// The URI of the resource.
    pub fn uri(&self) -> &str {
        match self {
            TextOrBlobResourceContents::Text(t) => &t.uri,
            TextOrBlobResourceContents::Blob(b) => &b.uri,
        }
    }
}

impl CallToolResult {
    /// A successful result with these content blocks.
    ///
    /// ```
    /// use mcp_types::{CallToolResult, ContentBlock};
    ///
    /// let ok = CallToolResult::success(["done".into()]);
    /// assert_eq!(ok.is_error, None);
    /// let failed = CallToolResult::error([ContentBlock::text("no such city")]);
    /// assert_eq!(failed.is_error, Some(true));
    /// ```
    pub fn success(content: impl IntoIterator<Item = ContentBlock>) -> Self {
        CallToolResult::new(content.into_iter().collect())
    }

    /// A tool execution error (`isError: true`) with these content blocks; the
    /// model sees it and can correct itself.
    pub fn error(content: impl IntoIterator<Item = ContentBlock>) -> Self {
        let mut result = CallToolResult::success(content);
        result.is_error = Some(true);
        result
    }

    /// A structured result (2025-06-18 onwards): `structuredContent` with
    /// `value`, and a text block with the same JSON for clients that read
    /// only `content`.
    ///
    /// ```
    /// use mcp_types::CallToolResult;
    ///
    /// let r = CallToolResult::structured(serde_json::json!({"temperature": 22.5}));
    /// assert_eq!(r.content[0].as_text(), Some(r#"{"temperature":22.5}"#));
    /// assert!(r.structured_content.is_some());
    /// ```
    pub fn structured(value: Value) -> Self {
        let mut result = CallToolResult::success([ContentBlock::text(value.to_string())]);
        result.structured_content = Some(value);
        result
    }
}

impl Implementation {
    /// The same implementation with a human-readable title (2025-06-18 onwards).
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

impl InitializeResult {
    /// The answer to `initialize` for the negotiated `version`.
    ///
    /// ```
    /// use mcp_types::{Implementation, InitializeResult, ProtocolVersion, ServerCapabilities};
    ///
    /// let r = InitializeResult::for_version(
    ///     ProtocolVersion::V2025_06_18,
    ///     ServerCapabilities::default(),
    ///     Implementation::new("demo", "1.0"),
    /// );
    /// assert_eq!(r.protocol_version, "2025-06-18");
    /// ```
    pub fn for_version(
        version: ProtocolVersion,
        capabilities: ServerCapabilities,
        server_info: Implementation,
    ) -> Self {
        InitializeResult::new(capabilities, version.as_str(), server_info)
    }

    /// The same result with instructions for the model.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }
}

impl InputRequiredResult {
    /// The same result with one more input request under `key` (2026-07-28).
    ///
    /// ```
    /// use mcp_types::{ElicitRequest, ElicitRequestFormParams, ElicitRequestFormParamsRequestedSchema, InputRequiredResult};
    ///
    /// let schema = ElicitRequestFormParamsRequestedSchema::new(Default::default());
    /// let ask = ElicitRequest::new(ElicitRequestFormParams::new("Your name?", schema).into());
    /// let r = InputRequiredResult::new("input_required").request("name", ask).with_state("step-1");
    /// let json = serde_json::to_value(&r).unwrap();
    /// assert_eq!(json["inputRequests"]["name"]["method"], "elicitation/create");
    /// assert_eq!(json["requestState"], "step-1");
    /// ```
    pub fn request(mut self, key: impl Into<String>, request: impl Into<InputRequest>) -> Self {
        self.input_requests
            .get_or_insert_with(Default::default)
            .insert(key.into(), request.into());
        self
    }

    /// The same result with opaque state the client sends back on its retry.
    pub fn with_state(mut self, state: impl Into<String>) -> Self {
        self.request_state = Some(state.into());
        self
    }
}
