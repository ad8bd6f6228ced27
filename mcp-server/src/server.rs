//! [`McpServer`]: the builder users start from, and [`ServerHandle`], which
//! changes a running server's tools, resources and prompts.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::future::BoxFuture;
use mcp_lowlevel::tasks::{TaskAugmented, TaskConfig, Tasks};
use mcp_lowlevel::{BoxError, ChangeEvent, HandlerError, ListChanged, RequestContext, Server};
use mcp_types::{
    CompleteRequest, CompleteResult, GetPromptRequest, Icon, Implementation, ListPromptsRequest,
    ListPromptsResult, ListResourceTemplatesRequest, ListResourceTemplatesResult,
    ListResourcesRequest, ListResourcesResult, ListToolsRequest, ListToolsResult,
    ReadResourceRequest,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::prompt::{PromptDef, PromptHandler, prompt_args};
use crate::registry::{Core, PromptEntry, ResourceEntry, TemplateEntry, ToolEntry};
use crate::resource::{ResourceDef, ResourceHandler, ResourceTemplateDef, template_args};
use crate::tool::{ToolDef, ToolHandler, erase};
use crate::uri_template::UriTemplate;
use crate::{Context, IntoContents, IntoPromptResult, ToolError};

type Setup<S> = Box<dyn FnOnce() -> BoxFuture<'static, Result<S, BoxError>> + Send>;
type Teardown<S> = Box<dyn FnOnce(Arc<S>) -> BoxFuture<'static, ()> + Send>;

/// A Model Context Protocol server: name it, add tools, resources and
/// prompts, and serve it.
///
/// ```no_run
/// use mcp_server::McpServer;
///
/// /// Add two numbers
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Add { a: i64, b: i64 }
///
/// #[tokio::main]
/// async fn main() -> mcp_server::Result<()> {
///     McpServer::new("Demo")
///         .tool("add", |Add { a, b }: Add| a + b)
///         .resource_template("greeting://{name}", |name: String| format!("Hello, {name}!"))
///         .serve_stdio()
///         .await
/// }
/// ```
pub struct McpServer<S = ()> {
    info: Implementation,
    instructions: Option<String>,
    setup: Setup<S>,
    teardown: Option<Teardown<S>>,
    pub(crate) core: Arc<Core<S>>,
}

impl<S> std::fmt::Debug for McpServer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl McpServer<()> {
    /// A server named `name`, without application state.
    pub fn new(name: impl Into<String>) -> Self {
        McpServer {
            info: Implementation::new(name.into(), env!("CARGO_PKG_VERSION")),
            instructions: None,
            setup: Box::new(|| Box::pin(async { Ok(()) })),
            teardown: None,
            core: Arc::new(Core::new(None)),
        }
    }

    /// The same as [`McpServer::new`], for those who prefer the word.
    pub fn builder(name: impl Into<String>) -> Self {
        McpServer::new(name)
    }

    /// Gives the server application state, built by `setup` before the first
    /// request and reachable from every handler's [`Context::state`].
    ///
    /// # Panics
    /// When handlers were already added: call `lifespan` first, since the
    /// handlers' `Context` type names the state.
    pub fn lifespan<T, F, Fut, E>(self, setup: F) -> McpServer<T>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        assert!(
            self.core.is_empty(),
            "call `lifespan` before adding tools, resources or prompts"
        );
        McpServer {
            info: self.info,
            instructions: self.instructions,
            setup: Box::new(move || Box::pin(async move { setup().await.map_err(Into::into) })),
            teardown: None,
            core: Arc::new(Core::new(self.core.page_size)),
        }
    }
}

impl<S: Send + Sync + 'static> McpServer<S> {
    /// The server's version (defaults to this crate's).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.info.version = version.into();
        self
    }

    /// A human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.info.title = Some(title.into());
        self
    }

    /// The server's website.
    pub fn website_url(mut self, url: impl Into<String>) -> Self {
        self.info.website_url = Some(url.into());
        self
    }

    /// Icons.
    pub fn icons(mut self, icons: Vec<Icon>) -> Self {
        self.info.icons = Some(icons);
        self
    }

    /// Instructions for the model.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Runs `teardown` with the state when the server shuts down.
    pub fn teardown<F, Fut>(mut self, teardown: F) -> Self
    where
        F: FnOnce(Arc<S>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.teardown = Some(Box::new(move |s| Box::pin(teardown(s))));
        self
    }

    /// Paginates list results, `size` items a page (no pagination by default).
    pub fn page_size(mut self, size: usize) -> Self {
        // The core is not shared yet while building, so it can be rebuilt.
        if let Some(core) = Arc::get_mut(&mut self.core) {
            core.page_size = Some(size.max(1));
        }
        self
    }

    /// Configures the task engine (limits, TTLs) and serves the task methods
    /// even when no tool runs as a task. Tools opt into tasks with
    /// [`ToolDef::task_support`]; the task methods are served whenever one does.
    pub fn tasks(self, config: TaskConfig) -> Self {
        self.core.tasks.store(Arc::new(Tasks::new(config)));
        self.core.tasks_enabled.store(true, Ordering::Release);
        self
    }

    /// Adds a tool; see [`ToolHandler`] for the handler shapes.
    pub fn tool<M, H>(self, def: impl Into<ToolDef>, handler: H) -> Self
    where
        H: ToolHandler<S, M>,
    {
        self.handle().add_tool(def, handler);
        self
    }

    /// Adds a resource at a fixed URI.
    pub fn resource<M, H>(self, def: impl Into<ResourceDef>, handler: H) -> Self
    where
        H: ResourceHandler<S, M>,
    {
        self.handle().add_resource(def, handler);
        self
    }

    /// Adds a resource template; the handler's argument holds the variables.
    ///
    /// # Panics
    /// When the template is not a valid RFC 6570 template.
    pub fn resource_template<M, H>(self, def: impl Into<ResourceTemplateDef>, handler: H) -> Self
    where
        H: ResourceHandler<S, M>,
    {
        self.handle().add_resource_template(def, handler);
        self
    }

    /// Adds a prompt; its arguments are the fields of the handler's argument type.
    pub fn prompt<M, H>(self, def: impl Into<PromptDef>, handler: H) -> Self
    where
        H: PromptHandler<S, M>,
    {
        self.handle().add_prompt(def, handler);
        self
    }

    /// Sets the completion handler for prompt arguments and template variables.
    pub fn completion<F, Fut>(self, handler: F) -> Self
    where
        F: Fn(Context<S>, mcp_types::CompleteRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CompleteResult, ToolError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        self.core
            .completion
            .store(Arc::new(Some(Arc::new(move |ctx, params| {
                let handler = handler.clone();
                Box::pin(async move { handler(ctx, params).await }) as BoxFuture<'static, _>
            }))));
        self
    }

    /// A handle that changes this server's tables, now or while it runs;
    /// connected clients are told of every change.
    pub fn handle(&self) -> ServerHandle<S> {
        ServerHandle {
            core: self.core.clone(),
        }
    }

    /// The low-level server: the same handlers on [`mcp_lowlevel::Server`],
    /// for users who want its knobs or to serve it their own way.
    pub fn into_lowlevel(self) -> Server<S> {
        let core = self.core;
        let mut server = Server::with_lifespan(self.info, self.setup)
            .notifier_handle(core.notifier.clone())
            .list_changed(ListChanged {
                tools: true,
                prompts: true,
                resources: true,
                resource_subscriptions: true,
            });
        if let Some(instructions) = self.instructions {
            server = server.instructions(instructions);
        }
        if let Some(teardown) = self.teardown {
            server = server.teardown(teardown);
        }
        let c = core.clone();
        server =
            server.request::<ListToolsRequest, _, _>(move |_ctx: RequestContext<S>, params| {
                let c = c.clone();
                async move {
                    let tools: Vec<_> = c
                        .tools
                        .load()
                        .iter()
                        .filter(|t| t.enabled.load(Ordering::Acquire))
                        .map(|t| t.tool.clone())
                        .collect();
                    let (page, next) = c.page(tools, params.cursor.as_deref())?;
                    let mut result = ListToolsResult::new(page);
                    result.next_cursor = next;
                    Ok(result)
                }
            });
        let c = core.clone();
        if core.serves_tasks() {
            server = server.tasks(core.tasks.load_full().as_ref().clone());
        }
        server = server.request::<TaskAugmented<crate::call::CallTool>, _, _>(
            move |ctx: RequestContext<S>, params| {
                let c = c.clone();
                crate::tasks::call_tool(c, ctx, params)
            },
        );
        let c = core.clone();
        server =
            server.request::<ListResourcesRequest, _, _>(move |_ctx: RequestContext<S>, params| {
                let c = c.clone();
                async move {
                    let items: Vec<_> = c
                        .resources
                        .load()
                        .iter()
                        .map(|r| r.resource.clone())
                        .collect();
                    let (page, next) = c.page(items, params.cursor.as_deref())?;
                    let mut result = ListResourcesResult::new(page);
                    result.next_cursor = next;
                    Ok(result)
                }
            });
        let c = core.clone();
        server = server.request::<ListResourceTemplatesRequest, _, _>(
            move |_ctx: RequestContext<S>, params| {
                let c = c.clone();
                async move {
                    let items: Vec<_> = c
                        .templates
                        .load()
                        .iter()
                        .map(|t| t.template.clone())
                        .collect();
                    let (page, next) = c.page(items, params.cursor.as_deref())?;
                    let mut result = ListResourceTemplatesResult::new(page);
                    result.next_cursor = next;
                    Ok(result)
                }
            },
        );
        let c = core.clone();
        server =
            server.request::<ReadResourceRequest, _, _>(move |ctx: RequestContext<S>, params| {
                let c = c.clone();
                async move {
                    let context = Context::new(ctx, c.clone())?;
                    c.read_with(context.clone(), &params.uri)
                        .await
                        .map_err(|e| {
                            e.into_handler_error(|requests| context.seal_input_required(requests))
                        })
                }
            });
        let c = core.clone();
        server =
            server.request::<ListPromptsRequest, _, _>(move |_ctx: RequestContext<S>, params| {
                let c = c.clone();
                async move {
                    let items: Vec<_> = c.prompts.load().iter().map(|p| p.prompt.clone()).collect();
                    let (page, next) = c.page(items, params.cursor.as_deref())?;
                    let mut result = ListPromptsResult::new(page);
                    result.next_cursor = next;
                    Ok(result)
                }
            });
        let c = core.clone();
        server = server.request::<GetPromptRequest, _, _>(move |ctx: RequestContext<S>, params| {
            let c = c.clone();
            async move {
                let entry = c.prompts.load().get(&params.name).cloned().ok_or_else(|| {
                    HandlerError::invalid_params(format!("Unknown prompt: {}", params.name))
                })?;
                let context = Context::new(ctx, c.clone())?;
                (entry.get)(context.clone(), prompt_args(params.arguments))
                    .await
                    .map_err(|e| {
                        e.into_handler_error(|requests| context.seal_input_required(requests))
                    })
            }
        });
        if core.completion.load().is_some() {
            let c = core.clone();
            server =
                server.request::<CompleteRequest, _, _>(move |ctx: RequestContext<S>, params| {
                    let c = c.clone();
                    async move {
                        let handler = (*c.completion.load_full()).clone();
                        let context = Context::new(ctx, c.clone())?;
                        match handler {
                            Some(handler) => handler(context.clone(), params).await.map_err(|e| {
                                e.into_handler_error(|r| context.seal_input_required(r))
                            }),
                            None => Ok(CompleteResult::default()),
                        }
                    }
                });
        }
        server
    }

    /// Serves the server on the process's stdin and stdout until stdin closes.
    pub async fn serve_stdio(self) -> crate::Result<()> {
        self.serve(mcp_transport::stdio()).await
    }

    /// Serves the server on any transport until it closes.
    pub async fn serve<T: mcp_transport::Transport>(self, transport: T) -> crate::Result<()> {
        let running = self
            .into_lowlevel()
            .start()
            .await
            .map_err(crate::Error::Lifespan)?;
        let result = running.serve(transport).await;
        running.shutdown().await;
        result.map_err(Into::into)
    }
}

/// Changes a server's tools, resources and prompts; clients hear of each
/// change through `list_changed` notifications. Cheap to clone.
pub struct ServerHandle<S> {
    core: Arc<Core<S>>,
}

impl<S> Clone for ServerHandle<S> {
    fn clone(&self) -> Self {
        ServerHandle {
            core: self.core.clone(),
        }
    }
}

impl<S> std::fmt::Debug for ServerHandle<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle").finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> ServerHandle<S> {
    /// Adds (or replaces) a tool.
    pub fn add_tool<M, H: ToolHandler<S, M>>(&self, def: impl Into<ToolDef>, handler: H) {
        let def = def.into();
        let name = def.name.clone();
        let task = def.task;
        let tool = def.into_tool::<H::Args, H::Output>();
        let call = erase::<S, M, H>(&name, handler);
        let entry = Arc::new(std::sync::Mutex::new(Some(ToolEntry {
            tool,
            enabled: AtomicBool::new(true),
            call,
            task,
        })));
        self.core
            .update(&self.core.tools, ChangeEvent::ToolsListChanged, |t| {
                let taken = entry.lock().unwrap_or_else(|e| e.into_inner()).take();
                match taken {
                    Some(e) => {
                        t.upsert(name.clone(), e);
                        true
                    }
                    None => false,
                }
            });
    }

    /// Removes a tool; `false` when there was none of that name.
    pub fn remove_tool(&self, name: &str) -> bool {
        self.core
            .update(&self.core.tools, ChangeEvent::ToolsListChanged, |t| {
                t.remove(name)
            })
    }

    /// Enables or disables a tool (a disabled tool is neither listed nor callable);
    /// `false` when there is no tool of that name.
    pub fn set_tool_enabled(&self, name: &str, enabled: bool) -> bool {
        let Some(entry) = self.core.tools.load().get(name).cloned() else {
            return false;
        };
        if entry.enabled.swap(enabled, Ordering::AcqRel) != enabled {
            self.core.notifier.notify(ChangeEvent::ToolsListChanged);
        }
        true
    }

    /// Adds (or replaces) a resource at a fixed URI.
    pub fn add_resource<M, H: ResourceHandler<S, M>>(
        &self,
        def: impl Into<ResourceDef>,
        handler: H,
    ) {
        let def = def.into();
        let uri = def.uri.clone();
        let read = erase_read::<S, M, H>(def.fields.mime_type.clone(), handler);
        let entry = once(ResourceEntry {
            resource: def.to_resource(),
            read,
        });
        self.core.update(
            &self.core.resources,
            ChangeEvent::ResourcesListChanged,
            |t| entry.take().map(|e| t.upsert(uri.clone(), e)).is_some(),
        );
    }

    /// Adds (or replaces) a resource template.
    ///
    /// # Panics
    /// When the template is not a valid RFC 6570 template.
    pub fn add_resource_template<M, H: ResourceHandler<S, M>>(
        &self,
        def: impl Into<ResourceTemplateDef>,
        handler: H,
    ) {
        let def = def.into();
        let matcher = UriTemplate::parse(&def.uri_template)
            .unwrap_or_else(|e| panic!("invalid URI template `{}`: {e}", def.uri_template));
        let key = def.uri_template.clone();
        let read = erase_read::<S, M, H>(def.fields.mime_type.clone(), handler);
        let entry = once(TemplateEntry {
            template: def.to_template(),
            matcher,
            read,
        });
        self.core.update(
            &self.core.templates,
            ChangeEvent::ResourcesListChanged,
            |t| entry.take().map(|e| t.upsert(key.clone(), e)).is_some(),
        );
    }

    /// Removes a resource or resource template by URI (or template string).
    pub fn remove_resource(&self, uri: &str) -> bool {
        let a = self.core.update(
            &self.core.resources,
            ChangeEvent::ResourcesListChanged,
            |t| t.remove(uri),
        );
        let b = self.core.update(
            &self.core.templates,
            ChangeEvent::ResourcesListChanged,
            |t| t.remove(uri),
        );
        a || b
    }

    /// Tells clients the tool list changed (for tools that change outside
    /// this handle, e.g. per-user filtering).
    pub fn notify_tools_list_changed(&self) {
        self.core.notifier.notify(ChangeEvent::ToolsListChanged);
    }

    /// Tells clients the prompt list changed.
    pub fn notify_prompts_list_changed(&self) {
        self.core.notifier.notify(ChangeEvent::PromptsListChanged);
    }

    /// Tells clients the resource list changed.
    pub fn notify_resources_list_changed(&self) {
        self.core.notifier.notify(ChangeEvent::ResourcesListChanged);
    }

    /// Tells subscribed clients that the resource at `uri` changed.
    pub fn notify_resource_updated(&self, uri: impl Into<String>) {
        self.core
            .notifier
            .notify(ChangeEvent::ResourceUpdated(uri.into()));
    }

    /// Adds (or replaces) a prompt.
    pub fn add_prompt<M, H: PromptHandler<S, M>>(&self, def: impl Into<PromptDef>, handler: H) {
        let def = def.into();
        let name = def.name.clone();
        let prompt = def.into_prompt::<H::Args>();
        let handler = Arc::new(handler);
        let prompt_name: Arc<str> = Arc::from(name.as_str());
        let get: crate::registry::ErasedPrompt<S> = Arc::new(move |ctx, args| {
            let handler = handler.clone();
            let prompt_name = prompt_name.clone();
            Box::pin(async move {
                let args: H::Args = serde_path_to_error::deserialize(args).map_err(|e| {
                    ToolError::protocol(mcp_types::ErrorObject::new(
                        mcp_types::ErrorCode::INVALID_PARAMS,
                        format!(
                            "Invalid arguments for prompt `{prompt_name}`: `{}`: {}",
                            e.path(),
                            e.inner()
                        ),
                    ))
                })?;
                handler.call(ctx, args).await.into_prompt_result()
            })
        });
        let entry = once(PromptEntry { prompt, get });
        self.core
            .update(&self.core.prompts, ChangeEvent::PromptsListChanged, |t| {
                entry.take().map(|e| t.upsert(name.clone(), e)).is_some()
            });
    }

    /// Removes a prompt.
    pub fn remove_prompt(&self, name: &str) -> bool {
        self.core
            .update(&self.core.prompts, ChangeEvent::PromptsListChanged, |t| {
                t.remove(name)
            })
    }
}

/// A value handed out once, to a closure that may run more than once (`rcu`).
fn once<T>(value: T) -> Once<T> {
    Once(std::sync::Mutex::new(Some(value)))
}

struct Once<T>(std::sync::Mutex<Option<T>>);

impl<T> Once<T> {
    fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

fn erase_read<S, M, H>(mime: Option<String>, handler: H) -> crate::registry::ErasedRead<S>
where
    S: Send + Sync + 'static,
    H: ResourceHandler<S, M>,
{
    let handler = Arc::new(handler);
    Arc::new(move |ctx, uri, vars| {
        let handler = handler.clone();
        let mime = mime.clone();
        Box::pin(async move {
            let args: H::Args = if vars.is_empty() {
                parse_no_vars::<H::Args>()?
            } else {
                template_args(&vars).map_err(|e| {
                    ToolError::protocol(mcp_types::ErrorObject::new(
                        mcp_types::ErrorCode::INVALID_PARAMS,
                        format!("Invalid parameters for resource `{uri}`: {e}"),
                    ))
                })?
            };
            handler
                .call(ctx, args)
                .await
                .into_read_result(&uri, mime.as_deref())
        })
    })
}

fn parse_no_vars<A: DeserializeOwned + JsonSchema>() -> Result<A, ToolError> {
    serde_json::from_value(serde_json::json!({})).map_err(ToolError::msg)
}
