//! The server's tables of tools, resources, templates and prompts, read
//! without locks on every request and replaced whole on change, and the
//! protocol handlers that serve them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arc_swap::ArcSwap;
use futures::future::BoxFuture;
use mcp_lowlevel::{ChangeEvent, HandlerError, Notifier, RequestContext};
use mcp_types::{
    CallToolResult, ContentBlock, ErrorCode, ErrorObject, GetPromptResult, Prompt,
    ReadResourceResult, Resource, ResourceTemplate, Tool,
};
use serde_json::json;

use crate::uri_template::UriTemplate;
use crate::{Context, ToolError};

pub(crate) type ErasedTool<S> = crate::tool::ErasedTool<S>;
pub(crate) type ErasedRead<S> = Arc<
    dyn Fn(
            Context<S>,
            String,
            Vec<(String, String)>,
        ) -> BoxFuture<'static, Result<ReadResourceResult, ToolError>>
        + Send
        + Sync,
>;
pub(crate) type ErasedPrompt<S> = Arc<
    dyn Fn(Context<S>, serde_json::Value) -> BoxFuture<'static, Result<GetPromptResult, ToolError>>
        + Send
        + Sync,
>;

/// The variables a URI template matched, in template order.
pub(crate) type TemplateVars = Vec<(String, String)>;

pub(crate) struct ToolEntry<S> {
    pub(crate) tool: Tool,
    pub(crate) enabled: AtomicBool,
    pub(crate) call: ErasedTool<S>,
    pub(crate) task: crate::tasks::TaskMode,
}

pub(crate) struct ResourceEntry<S> {
    pub(crate) resource: Resource,
    pub(crate) read: ErasedRead<S>,
}

pub(crate) struct TemplateEntry<S> {
    pub(crate) template: ResourceTemplate,
    pub(crate) matcher: UriTemplate,
    pub(crate) read: ErasedRead<S>,
}

pub(crate) struct PromptEntry<S> {
    pub(crate) prompt: Prompt,
    pub(crate) get: ErasedPrompt<S>,
}

/// An ordered table with lookup by name: listing order is registration order.
pub(crate) struct Table<T> {
    order: Vec<Arc<T>>,
    index: HashMap<String, usize>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            order: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Clone for Table<T> {
    fn clone(&self) -> Self {
        Table {
            order: self.order.clone(),
            index: self.index.clone(),
        }
    }
}

impl<T> Table<T> {
    pub(crate) fn get(&self, key: &str) -> Option<&Arc<T>> {
        self.index.get(key).map(|&i| &self.order[i])
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Arc<T>> {
        self.order.iter()
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// Inserts or replaces the entry under `key`.
    pub(crate) fn upsert(&mut self, key: String, entry: T) {
        match self.index.get(&key) {
            Some(&i) => self.order[i] = Arc::new(entry),
            None => {
                self.index.insert(key, self.order.len());
                self.order.push(Arc::new(entry));
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &str) -> bool {
        let Some(i) = self.index.remove(key) else {
            return false;
        };
        self.order.remove(i);
        for v in self.index.values_mut() {
            if *v > i {
                *v -= 1;
            }
        }
        true
    }
}

/// The completion handler: reference, argument name, partial value, and the
/// other arguments already given.
pub(crate) type ErasedCompletion<S> = Arc<
    dyn Fn(
            Context<S>,
            mcp_types::CompleteRequestParams,
        ) -> BoxFuture<'static, Result<mcp_types::CompleteResult, ToolError>>
        + Send
        + Sync,
>;

/// Everything a server serves.
pub(crate) struct Core<S> {
    pub(crate) tools: ArcSwap<Table<ToolEntry<S>>>,
    pub(crate) resources: ArcSwap<Table<ResourceEntry<S>>>,
    pub(crate) templates: ArcSwap<Table<TemplateEntry<S>>>,
    pub(crate) prompts: ArcSwap<Table<PromptEntry<S>>>,
    pub(crate) completion: ArcSwap<Option<ErasedCompletion<S>>>,
    pub(crate) notifier: Notifier,
    pub(crate) page_size: Option<usize>,
    /// The task engine `tools/call` uses for tools that run as tasks.
    pub(crate) tasks: ArcSwap<mcp_lowlevel::tasks::Tasks>,
    /// Whether the task methods are served even without a task tool.
    pub(crate) tasks_enabled: AtomicBool,
}

impl<S: Send + Sync + 'static> Core<S> {
    pub(crate) fn new(page_size: Option<usize>) -> Self {
        Core {
            tools: ArcSwap::default(),
            resources: ArcSwap::default(),
            templates: ArcSwap::default(),
            prompts: ArcSwap::default(),
            completion: ArcSwap::from_pointee(None),
            notifier: Notifier::new(),
            page_size,
            tasks: ArcSwap::from_pointee(mcp_lowlevel::tasks::Tasks::new(Default::default())),
            tasks_enabled: AtomicBool::new(false),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.tools.load().len() == 0
            && self.resources.load().len() == 0
            && self.templates.load().len() == 0
            && self.prompts.load().len() == 0
            && self.completion.load().is_none()
    }

    /// Applies `change` to a table and tells connected clients.
    pub(crate) fn update<T>(
        &self,
        table: &ArcSwap<Table<T>>,
        event: ChangeEvent,
        change: impl Fn(&mut Table<T>) -> bool,
    ) -> bool {
        let mut changed = false;
        table.rcu(|current| {
            let mut next = Table::clone(current);
            changed = change(&mut next);
            next
        });
        if changed {
            self.notifier.notify(event);
        }
        changed
    }

    /// One page of `items`, after `cursor`.
    pub(crate) fn page<T: Clone>(
        &self,
        items: Vec<T>,
        cursor: Option<&str>,
    ) -> Result<(Vec<T>, Option<String>), HandlerError> {
        let start = match cursor {
            None => 0,
            Some(c) => c
                .parse::<usize>()
                .ok()
                .filter(|&n| n <= items.len())
                .ok_or_else(|| HandlerError::invalid_params(format!("Invalid cursor: {c:?}")))?,
        };
        let Some(size) = self.page_size else {
            return Ok((items.into_iter().skip(start).collect(), None));
        };
        let end = (start + size).min(items.len());
        let next = (end < items.len()).then(|| end.to_string());
        Ok((items[start..end].to_vec(), next))
    }

    /// The enabled tool `name`, if there is one.
    pub(crate) fn tool(&self, name: &str) -> Option<Arc<ToolEntry<S>>> {
        self.tools
            .load()
            .get(name)
            .filter(|e| e.enabled.load(Ordering::Acquire))
            .cloned()
    }

    /// Whether the server serves the task methods: some tool runs as a task,
    /// or tasks were configured explicitly.
    pub(crate) fn serves_tasks(&self) -> bool {
        self.tasks_enabled.load(Ordering::Acquire)
            || self
                .tools
                .load()
                .iter()
                .any(|t| t.task.support != mcp_lowlevel::tasks::TaskSupport::Forbidden)
    }

    /// Serves `tools/call` of the tool `name`.
    pub(crate) async fn call_tool(
        self: Arc<Self>,
        request: RequestContext<S>,
        name: &str,
        arguments: Option<Box<serde_json::value::RawValue>>,
    ) -> Result<CallToolResult, HandlerError> {
        let entry = self.tool(name).ok_or_else(|| unknown_tool(name))?;
        self.call_entry(request, &entry, arguments).await
    }

    /// Serves `tools/call` of a tool already looked up.
    pub(crate) async fn call_entry(
        self: Arc<Self>,
        request: RequestContext<S>,
        entry: &ToolEntry<S>,
        arguments: Option<Box<serde_json::value::RawValue>>,
    ) -> Result<CallToolResult, HandlerError> {
        let ctx = Context::new(request, self.clone())?;
        match (entry.call)(ctx.clone(), arguments).await {
            Ok(result) => Ok(result),
            Err(e) => match e.into_outcome(|requests| ctx.seal_input_required(requests)) {
                Ok(message) => Ok(CallToolResult::error(vec![ContentBlock::text(message)])),
                Err(e) => Err(e),
            },
        }
    }

    /// Serves `resources/read` (and [`Context::read_resource`]).
    pub(crate) fn read_resource(
        &self,
        request: RequestContext<S>,
        core: Arc<Self>,
        uri: &str,
    ) -> BoxFuture<'static, Result<ReadResourceResult, ToolError>> {
        match Context::new(request, core) {
            Ok(ctx) => self.read_with(ctx, uri),
            Err(e) => Box::pin(std::future::ready(Err(handler_to_tool_error(e)))),
        }
    }

    /// Reads `uri` with `ctx` as the handler's context (whose gathered input
    /// responses seal an input-required outcome).
    pub(crate) fn read_with(
        &self,
        ctx: Context<S>,
        uri: &str,
    ) -> BoxFuture<'static, Result<ReadResourceResult, ToolError>> {
        let found = self.find_resource(uri);
        let uri = uri.to_owned();
        Box::pin(async move {
            let Some((read, vars)) = found else {
                return Err(ToolError::protocol(
                    ErrorObject::new(
                        ErrorCode::RESOURCE_NOT_FOUND,
                        format!("Resource not found: {uri}"),
                    )
                    .with_data(json!({ "uri": uri })),
                ));
            };
            read(ctx, uri, vars).await
        })
    }

    fn find_resource(&self, uri: &str) -> Option<(ErasedRead<S>, TemplateVars)> {
        if let Some(entry) = self.resources.load().get(uri) {
            return Some((entry.read.clone(), Vec::new()));
        }
        self.templates
            .load()
            .iter()
            .find_map(|t| t.matcher.matches(uri).map(|vars| (t.read.clone(), vars)))
    }
}

fn handler_to_tool_error(e: HandlerError) -> ToolError {
    match e {
        HandlerError::Rpc(e) => ToolError::protocol(e),
        other => ToolError::msg(other),
    }
}

/// The error for a `tools/call` of a tool that does not exist (or is disabled).
pub(crate) fn unknown_tool(name: &str) -> HandlerError {
    HandlerError::Rpc(
        ErrorObject::new(ErrorCode::INVALID_PARAMS, format!("Unknown tool: {name}"))
            .with_data(json!({ "name": name })),
    )
}
