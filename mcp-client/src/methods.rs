//! The typed methods of [`ClientSession`]: one per request a client sends,
//! plus pagination helpers.

use std::collections::BTreeMap;

use mcp_types::{
    CallToolRequest, CallToolRequestParams, CallToolResult, CompleteRequest, CompleteRequestParams,
    CompleteRequestParamsArgument, CompleteRequestParamsRef, CompleteResult, EmptyResult,
    GetPromptRequest, GetPromptRequestParams, GetPromptResult, JsonObject, ListPromptsRequest,
    ListPromptsResult, ListResourceTemplatesRequest, ListResourceTemplatesResult,
    ListResourcesRequest, ListResourcesResult, ListToolsRequest, ListToolsResult, LoggingLevel,
    PaginatedRequestParams, PingRequest, Prompt, ReadResourceRequest, ReadResourceRequestParams,
    ReadResourceResult, RequestMethod, RequestParams, Resource, ResourceTemplate,
    RootsListChangedNotification, SetLevelRequest, SetLevelRequestParams, SubscribeRequest,
    SubscribeRequestParams, Tool, UnsubscribeRequest, UnsubscribeRequestParams,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ClientSession;
use crate::error::{ClientError, Result};
use crate::handshake;
use crate::mrtr::{CallOptions, parse};
use crate::service::lock;
use crate::tools::drop_invalid_header_tools;

/// A paginated list result: its items and its next cursor.
trait Page: DeserializeOwned {
    type Item;
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

macro_rules! page {
    ($result:ty, $item:ty, $field:ident) => {
        impl Page for $result {
            type Item = $item;
            fn into_parts(self) -> (Vec<$item>, Option<String>) {
                (self.$field, self.next_cursor)
            }
        }
    };
}

page!(ListToolsResult, Tool, tools);
page!(ListPromptsResult, Prompt, prompts);
page!(ListResourcesResult, Resource, resources);
page!(
    ListResourceTemplatesResult,
    ResourceTemplate,
    resource_templates
);

/// Turns `impl Serialize` arguments into a JSON object; `null` (or `()`) is none.
fn object_arguments(arguments: impl Serialize, what: &str) -> Result<Option<JsonObject>> {
    match serde_json::to_value(arguments).map_err(|e| ClientError::Encode(e.to_string()))? {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(ClientError::Encode(format!(
            "{what} must be a JSON object, not {other}"
        ))),
    }
}

impl ClientSession {
    /// Checks that the server is alive. The session era sends `ping`;
    /// 2026-07-28, which has none, sends `server/discover`.
    pub async fn ping(&self) -> Result<()> {
        if self.inner.version.is_stateless() {
            self.inner.rediscover().await.map(drop)
        } else {
            self.request::<PingRequest>(RequestParams::default(), CallOptions::default())
                .await
                .map(|_: EmptyResult| ())
        }
    }

    /// One page of a list; served from the cache while the server's `ttlMs`
    /// has not passed.
    async fn list_page<M>(&self, cursor: Option<String>) -> Result<M::Result>
    where
        M: RequestMethod<Params = PaginatedRequestParams>,
    {
        let shared = &self.inner.shared;
        if let Some(raw) = shared.cache.get(M::METHOD, cursor.as_deref()) {
            return parse(M::METHOD, &raw);
        }
        let params = PaginatedRequestParams {
            cursor: cursor.clone(),
            ..Default::default()
        };
        let answer = self
            .inner
            .send::<M>(params, &CallOptions::default())
            .await?;
        shared.cache.put(
            M::METHOD,
            cursor.as_deref(),
            answer.raw.get(),
            answer.ttl_ms.map(|t| t as i64),
        );
        answer.parse(M::METHOD)
    }

    /// Follows `nextCursor` from the first page, for at most the session's
    /// page limit; a server that goes on (or repeats a cursor) is an error.
    async fn list_all<R: Page>(
        &self,
        method: &str,
        mut page: impl AsyncFnMut(Option<String>) -> Result<R>,
    ) -> Result<Vec<R::Item>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..self.inner.config.max_list_pages {
            let (mut more, next) = page(cursor.clone()).await?.into_parts();
            items.append(&mut more);
            match next {
                None => return Ok(items),
                Some(next) if Some(&next) == cursor.as_ref() => {
                    return Err(ClientError::InvalidResponse(format!(
                        "`{method}` repeated the cursor {next:?}"
                    )));
                }
                Some(next) => cursor = Some(next),
            }
        }
        Err(ClientError::InvalidResponse(format!(
            "`{method}` returned more than {} pages",
            self.inner.config.max_list_pages
        )))
    }

    /// One page of `tools/list`. Tools whose `x-mcp-header` declarations are
    /// invalid are left out (with a warning), and the output schemas of the
    /// rest are kept for validating [`call_tool`](Self::call_tool) results.
    ///
    /// Under 2026-07-28 a page is cached for the server's `ttlMs` (not when it
    /// is 0 or absent) and dropped on `notifications/tools/list_changed` or
    /// [`clear_cache`](Self::clear_cache); this holds for every `list_*` method.
    pub async fn list_tools(&self, cursor: Option<String>) -> Result<ListToolsResult> {
        let mut result = self.list_page::<ListToolsRequest>(cursor).await?;
        drop_invalid_header_tools(&mut result.tools);
        self.inner.shared.tools.register(&result.tools);
        Ok(result)
    }

    /// Every tool, following `nextCursor`.
    pub async fn list_all_tools(&self) -> Result<Vec<Tool>> {
        self.list_all("tools/list", async |c| self.list_tools(c).await)
            .await
    }

    /// Calls a tool; `arguments` serializes to a JSON object (or `()` for none).
    ///
    /// Under 2026-07-28, an `input_required` answer is fulfilled through the
    /// callbacks and the call retried, up to the session's round limit. A
    /// `structuredContent` that does not match the tool's `outputSchema` (as
    /// listed last) fails with [`ClientError::InvalidStructuredContent`]; a
    /// tool error (`isError: true`) is a normal result.
    pub async fn call_tool(&self, name: &str, arguments: impl Serialize) -> Result<CallToolResult> {
        self.call_tool_with(name, arguments, CallOptions::default())
            .await
    }

    /// [`call_tool`](Self::call_tool) with a timeout, progress updates or extra `_meta`.
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: impl Serialize,
        options: CallOptions,
    ) -> Result<CallToolResult> {
        let mut params = CallToolRequestParams::new(name);
        params.arguments = object_arguments(arguments, "tool arguments")?;
        let result = self.request::<CallToolRequest>(params, options).await?;
        self.inner.shared.tools.validate(name, &result)?;
        Ok(result)
    }

    /// One page of `resources/list`.
    pub async fn list_resources(&self, cursor: Option<String>) -> Result<ListResourcesResult> {
        self.list_page::<ListResourcesRequest>(cursor).await
    }

    /// Every resource, following `nextCursor`.
    pub async fn list_all_resources(&self) -> Result<Vec<Resource>> {
        self.list_all("resources/list", async |c| self.list_resources(c).await)
            .await
    }

    /// One page of `resources/templates/list`.
    pub async fn list_resource_templates(
        &self,
        cursor: Option<String>,
    ) -> Result<ListResourceTemplatesResult> {
        self.list_page::<ListResourceTemplatesRequest>(cursor).await
    }

    /// Every resource template, following `nextCursor`.
    pub async fn list_all_resource_templates(&self) -> Result<Vec<ResourceTemplate>> {
        self.list_all("resources/templates/list", async |c| {
            self.list_resource_templates(c).await
        })
        .await
    }

    /// Reads a resource.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult> {
        self.request::<ReadResourceRequest>(
            ReadResourceRequestParams::new(uri),
            CallOptions::default(),
        )
        .await
    }

    /// Subscribes to updates of a resource (session era; under 2026-07-28 use
    /// [`listen`](Self::listen) with `resourceSubscriptions`). Updates reach
    /// the builder's `on_resource_updated` callback.
    pub async fn subscribe_resource(&self, uri: &str) -> Result<()> {
        self.session_only(SubscribeRequest::METHOD)?;
        self.request::<SubscribeRequest>(SubscribeRequestParams::new(uri), CallOptions::default())
            .await
            .map(drop)
    }

    /// Ends a subscription made with [`subscribe_resource`](Self::subscribe_resource).
    pub async fn unsubscribe_resource(&self, uri: &str) -> Result<()> {
        self.session_only(UnsubscribeRequest::METHOD)?;
        self.request::<UnsubscribeRequest>(
            UnsubscribeRequestParams::new(uri),
            CallOptions::default(),
        )
        .await
        .map(drop)
    }

    fn session_only(&self, method: &'static str) -> Result<()> {
        if self.inner.version.is_stateless() {
            return Err(ClientError::NotInRevision {
                method,
                version: self.inner.version,
                hint: "; use `listen` with `resourceSubscriptions`",
            });
        }
        Ok(())
    }

    /// One page of `prompts/list`.
    pub async fn list_prompts(&self, cursor: Option<String>) -> Result<ListPromptsResult> {
        self.list_page::<ListPromptsRequest>(cursor).await
    }

    /// Every prompt, following `nextCursor`.
    pub async fn list_all_prompts(&self) -> Result<Vec<Prompt>> {
        self.list_all("prompts/list", async |c| self.list_prompts(c).await)
            .await
    }

    /// Gets a prompt; `arguments` serializes to a JSON object whose values are
    /// strings (other values are sent as their JSON text), or `()` for none.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<GetPromptResult> {
        let mut params = GetPromptRequestParams::new(name);
        params.arguments = object_arguments(arguments, "prompt arguments")?.map(|map| {
            map.into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => (k, s),
                    other => (k, other.to_string()),
                })
                .collect::<BTreeMap<_, _>>()
        });
        self.request::<GetPromptRequest>(params, CallOptions::default())
            .await
    }

    /// Asks for completions of a prompt's or resource template's argument.
    ///
    /// ```no_run
    /// use mcp_types::{CompleteRequestParamsArgument, CompleteRequestParamsRef, PromptReference};
    ///
    /// # async fn f(session: mcp_client::ClientSession) -> mcp_client::Result<()> {
    /// let reference = CompleteRequestParamsRef::Prompt(PromptReference::new("greet"));
    /// let result = session.complete(reference, CompleteRequestParamsArgument::new("name", "Al")).await?;
    /// println!("{:?}", result.completion.values);
    /// # Ok(()) }
    /// ```
    pub async fn complete(
        &self,
        reference: CompleteRequestParamsRef,
        argument: CompleteRequestParamsArgument,
    ) -> Result<CompleteResult> {
        self.request::<CompleteRequest>(
            CompleteRequestParams::new(argument, reference),
            CallOptions::default(),
        )
        .await
    }

    /// Sets the least severe level of `notifications/message` the server
    /// sends. The session era sends `logging/setLevel`; under 2026-07-28 every
    /// later request carries the level in its `_meta` (without it a
    /// 2026-07-28 server sends no logs).
    pub async fn set_logging_level(&self, level: LoggingLevel) -> Result<()> {
        let inner = &self.inner;
        if inner.version.is_stateless() {
            *lock(&inner.log_level) = Some(level);
            inner.peer.set_request_meta(Some(handshake::stateless_meta(
                &inner.config,
                &inner.shared.callbacks,
                inner.version,
                Some(level),
            )));
            return Ok(());
        }
        self.request::<SetLevelRequest>(SetLevelRequestParams::new(level), CallOptions::default())
            .await
            .map(drop)
    }

    /// Tells the server the roots changed (session era,
    /// `notifications/roots/list_changed`); under 2026-07-28 servers ask for
    /// roots on each request, so there is nothing to send.
    pub async fn notify_roots_changed(&self) -> Result<()> {
        if self.inner.version.is_stateless() {
            return Ok(());
        }
        self.inner
            .peer
            .notify::<RootsListChangedNotification>(Default::default())
            .await
            .map_err(Into::into)
    }
}
