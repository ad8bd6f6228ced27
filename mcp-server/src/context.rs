//! [`Context`]: what a tool, resource or prompt handler can ask of the
//! protocol — logging, progress, reading resources, elicitation, sampling,
//! roots — the same way in both eras.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use mcp_lowlevel::CancellationToken;
use mcp_lowlevel::{HandlerError, RequestContext};
use mcp_types::{
    ClientCapabilities, CreateMessageRequest, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequest, ElicitResult, ErrorCode, ErrorObject, Implementation, InputRequest,
    InputRequiredResult, ListRootsRequest, ListRootsResult, LoggingLevel, ProtocolVersion,
    ReadResourceResult, RequestId, RequestMethod, Root, SamplingMessage,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::ToolError;
use crate::registry::Core;

/// The context of the request a handler is serving.
///
/// Ask for it by taking it as the handler's first argument:
///
/// ```
/// use mcp_server::{Context, McpServer, ToolError};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Job { steps: u32 }
///
/// let server = McpServer::new("demo").tool("work", |ctx: Context, job: Job| async move {
///     for step in 0..job.steps {
///         ctx.report_progress(f64::from(step), Some(f64::from(job.steps)), None).await;
///     }
///     ctx.info("done").await;
///     Ok::<_, ToolError>(format!("{} steps", job.steps))
/// });
/// # drop(server);
/// ```
pub struct Context<S = ()> {
    inner: Arc<Inner<S>>,
}

impl<S> Clone for Context<S> {
    fn clone(&self) -> Self {
        Context {
            inner: self.inner.clone(),
        }
    }
}

impl<S> std::fmt::Debug for Context<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("request_id", self.inner.request.request_id())
            .field("version", &self.inner.request.protocol_version())
            .finish_non_exhaustive()
    }
}

struct Inner<S> {
    request: RequestContext<S>,
    core: Arc<Core<S>>,
    inputs: Mutex<Inputs>,
}

/// Multi Round-Trip bookkeeping: the responses gathered over earlier rounds
/// (carried in the sealed `requestState`) and this round's, and the counter
/// that names each input request by its place in the handler.
#[derive(Default)]
struct Inputs {
    next: usize,
    responses: BTreeMap<String, Value>,
}

impl<S: Send + Sync + 'static> Context<S> {
    pub(crate) fn new(
        request: RequestContext<S>,
        core: Arc<Core<S>>,
    ) -> Result<Self, HandlerError> {
        let mut inputs = Inputs::default();
        if request.protocol_version().is_stateless() {
            if let Some(Value::Object(state)) = request.request_state()?
                && let Some(Value::Object(responses)) = state.get("responses")
            {
                inputs.responses.extend(responses.clone());
            }
            if let Some(responses) = request.input_responses() {
                let value = serde_json::to_value(responses)
                    .map_err(|e| HandlerError::internal(e.to_string()))?;
                if let Value::Object(map) = value {
                    inputs.responses.extend(map);
                }
            }
        }
        Ok(Context {
            inner: Arc::new(Inner {
                request,
                core,
                inputs: Mutex::new(inputs),
            }),
        })
    }

    /// Seals the responses gathered so far into the `InputRequiredResult` that
    /// asks for `requests`.
    pub(crate) fn seal_input_required(
        &self,
        requests: Vec<(String, InputRequest)>,
    ) -> InputRequiredResult {
        let responses = lock(&self.inner.inputs).responses.clone();
        let state = json!({ "responses": responses });
        let map: BTreeMap<String, InputRequest> = requests.into_iter().collect();
        match self.inner.request.input_required(map, Some(&state)) {
            HandlerError::InputRequired(result) => *result,
            _ => InputRequiredResult::new("input_required"),
        }
    }

    /// The client's answer to the input request named `key` (2026-07-28):
    /// from this retry's `inputResponses` or an earlier round's, carried in the
    /// sealed `requestState`.
    pub fn input_response(&self, key: &str) -> Option<Value> {
        lock(&self.inner.inputs).responses.get(key).cloned()
    }

    /// Stops the handler to ask the client for `requests`, named by their keys
    /// (2026-07-28); return it with `Err(..)?`. [`Context::elicit`],
    /// [`Context::sample`] and [`Context::list_roots`] do this for you, one
    /// request per round; this asks for several at once.
    pub fn input_required(&self, requests: Vec<(String, InputRequest)>) -> ToolError {
        ToolError::input_required(requests)
    }

    /// Turns this call into a task now, for a tool registered with
    /// [`TaskStart::WhenAsked`](crate::TaskStart::WhenAsked): the client gets
    /// the `CreateTaskResult` and the handler goes on detached. `true` when the
    /// call runs as a task (also when it did from the start), `false` when it
    /// is an ordinary call.
    pub async fn start_task(&self) -> bool {
        match self.inner.request.task() {
            Some(task) => task.start().await,
            None => false,
        }
    }

    /// The request's id.
    pub fn request_id(&self) -> &RequestId {
        self.inner.request.request_id()
    }

    /// The revision the request is served under.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.inner.request.protocol_version()
    }

    /// The client's name and version.
    pub fn client_info(&self) -> Option<&Implementation> {
        self.inner.request.client_info()
    }

    /// The client's capabilities.
    pub fn client_capabilities(&self) -> &ClientCapabilities {
        self.inner.request.client_capabilities()
    }

    /// Cancelled when the client cancels the request.
    pub fn cancellation(&self) -> &CancellationToken {
        self.inner.request.cancellation()
    }

    /// Whether the client cancelled the request.
    pub fn is_cancelled(&self) -> bool {
        self.cancellation().is_cancelled()
    }

    /// The application state built by the lifespan.
    pub fn state(&self) -> &S {
        self.inner.request.state()
    }

    /// The low-level request context (`_meta`, peer, extensions).
    pub fn request(&self) -> &RequestContext<S> {
        &self.inner.request
    }

    /// The HTTP request, when the server is served over HTTP.
    pub fn http_request(&self) -> Option<&http::request::Parts> {
        self.inner
            .request
            .extensions()
            .get::<http::request::Parts>()
    }

    /// Sends a log message at `level` (dropped if the client does not want it).
    pub async fn log(&self, level: LoggingLevel, message: impl Into<Value>) {
        if let Err(e) = self.inner.request.log(level, None, message.into()).await {
            tracing::debug!(error = %e, "could not send a log message");
        }
    }

    /// Logs at `debug`.
    pub async fn debug(&self, message: impl Into<Value>) {
        self.log(LoggingLevel::Debug, message).await;
    }

    /// Logs at `info`.
    pub async fn info(&self, message: impl Into<Value>) {
        self.log(LoggingLevel::Info, message).await;
    }

    /// Logs at `notice`.
    pub async fn notice(&self, message: impl Into<Value>) {
        self.log(LoggingLevel::Notice, message).await;
    }

    /// Logs at `warning`.
    pub async fn warning(&self, message: impl Into<Value>) {
        self.log(LoggingLevel::Warning, message).await;
    }

    /// Logs at `error`.
    pub async fn error(&self, message: impl Into<Value>) {
        self.log(LoggingLevel::Error, message).await;
    }

    /// Logs at `critical`.
    pub async fn critical(&self, message: impl Into<Value>) {
        self.log(LoggingLevel::Critical, message).await;
    }

    /// Logs at `alert`.
    pub async fn alert(&self, message: impl Into<Value>) {
        self.log(LoggingLevel::Alert, message).await;
    }

    /// Logs at `emergency`.
    pub async fn emergency(&self, message: impl Into<Value>) {
        self.log(LoggingLevel::Emergency, message).await;
    }

    /// Reports progress, if the client asked for it.
    pub async fn report_progress(
        &self,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) {
        if let Err(e) = self
            .inner
            .request
            .report_progress(progress, total, message)
            .await
        {
            tracing::debug!(error = %e, "could not send progress");
        }
    }

    /// Reads one of this server's resources.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, ToolError> {
        self.inner
            .core
            .read_resource(self.inner.request.clone(), self.inner.core.clone(), uri)
            .await
    }

    /// Asks the user for structured input described by `T` (form mode).
    ///
    /// In the session era this is an `elicitation/create` request to the
    /// client; under 2026-07-28 it becomes an input request of a Multi
    /// Round-Trip Request, answered when the client retries.
    pub async fn elicit<T: DeserializeOwned + JsonSchema>(
        &self,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, ToolError> {
        let schema = crate::schema::elicitation_schema_for::<T>();
        let params = json!({ "message": message.into(), "requestedSchema": schema });
        let result = self.elicit_raw(params).await?;
        Elicitation::from_result(result)
    }

    /// Asks the user to visit `url` (URL mode, 2025-11-25 onwards).
    pub async fn elicit_url(
        &self,
        message: impl Into<String>,
        url: impl Into<String>,
        elicitation_id: impl Into<String>,
    ) -> Result<ElicitResult, ToolError> {
        let params = json!({
            "mode": "url",
            "message": message.into(),
            "url": url.into(),
            "elicitationId": elicitation_id.into(),
        });
        self.elicit_raw(params).await
    }

    /// Sends `elicitation/create` with params given as JSON.
    pub async fn elicit_raw(&self, params: Value) -> Result<ElicitResult, ToolError> {
        let supported = self.client_capabilities().elicitation.is_some();
        self.input::<ElicitRequest>(params, supported, "elicitation")
            .await
    }

    /// Asks the client's model for a completion (`sampling/createMessage`).
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, ToolError> {
        let supported = self.client_capabilities().sampling.is_some();
        let params = serde_json::to_value(params).map_err(ToolError::msg)?;
        self.input::<CreateMessageRequest>(params, supported, "sampling")
            .await
    }

    /// Samples one text answer to `prompt`.
    pub async fn sample_text(
        &self,
        prompt: impl Into<String>,
        max_tokens: i64,
    ) -> Result<String, ToolError> {
        let message: SamplingMessage = serde_json::from_value(json!({
            "role": "user",
            "content": { "type": "text", "text": prompt.into() },
        }))
        .map_err(ToolError::msg)?;
        let params = CreateMessageRequestParams::new(max_tokens, vec![message]);
        let result = self.sample(params).await?;
        let content = serde_json::to_value(&result.content).map_err(ToolError::msg)?;
        let first = match &content {
            Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        Ok(first
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    /// The client's roots (`roots/list`).
    pub async fn list_roots(&self) -> Result<Vec<Root>, ToolError> {
        let supported = self.client_capabilities().roots.is_some();
        let result: ListRootsResult = self
            .input::<ListRootsRequest>(json!({}), supported, "roots")
            .await?;
        Ok(result.roots)
    }

    /// Sends a request of method `M` to the client: directly in the session
    /// era, as a Multi Round-Trip input request under 2026-07-28.
    async fn input<M: RequestMethod>(
        &self,
        params: Value,
        supported: bool,
        capability: &str,
    ) -> Result<M::Result, ToolError> {
        let version = self.protocol_version();
        if !supported {
            return Err(if version.is_stateless() {
                ToolError::protocol(
                    ErrorObject::new(
                        ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
                        format!("Missing required client capability: {capability}"),
                    )
                    .with_data(json!({ "requiredCapabilities": { capability: {} } })),
                )
            } else {
                ToolError::msg(format!("the client does not support {capability}"))
            });
        }
        if !version.is_stateless() {
            let mut params = params;
            let task = self.inner.request.task().filter(|t| t.is_started());
            if let Some(task) = task {
                params["_meta"][mcp_types::meta::RELATED_TASK] = json!({ "taskId": task.id() });
            }
            let params: M::Params = serde_json::from_value(params).map_err(ToolError::msg)?;
            let request = self.inner.request.peer().request::<M>(params);
            let answer = match task {
                Some(task) => task.waiting_for_input(request).await,
                None => request.await,
            };
            return answer.map_err(|e| ToolError::msg(format!("{} failed: {e}", M::METHOD)));
        }
        let (key, answer) = {
            let mut inputs = lock(&self.inner.inputs);
            let key = format!("{}-{}", capability, inputs.next);
            inputs.next += 1;
            let answer = inputs.responses.get(&key).cloned();
            (key, answer)
        };
        match answer {
            Some(answer) => serde_json::from_value(answer).map_err(|e| {
                ToolError::protocol(ErrorObject::new(
                    ErrorCode::INVALID_PARAMS,
                    format!("Invalid params: input response `{key}`: {e}"),
                ))
            }),
            None => {
                let request: InputRequest =
                    serde_json::from_value(json!({ "method": M::METHOD, "params": params }))
                        .map_err(ToolError::msg)?;
                Err(ToolError::input_required(vec![(key, request)]))
            }
        }
    }
}

/// The user's answer to [`Context::elicit`].
#[derive(Debug, Clone, PartialEq)]
pub enum Elicitation<T> {
    /// The user submitted the form.
    Accept(T),
    /// The user explicitly declined.
    Decline,
    /// The user dismissed the request.
    Cancel,
}

impl<T: DeserializeOwned> Elicitation<T> {
    fn from_result(result: ElicitResult) -> Result<Self, ToolError> {
        let value = serde_json::to_value(&result).map_err(ToolError::msg)?;
        match value.get("action").and_then(Value::as_str) {
            Some("accept") => {
                let content = value.get("content").cloned().unwrap_or_else(|| json!({}));
                serde_json::from_value(content)
                    .map(Elicitation::Accept)
                    .map_err(|e| ToolError::msg(format!("the elicited content does not fit: {e}")))
            }
            Some("decline") => Ok(Elicitation::Decline),
            _ => Ok(Elicitation::Cancel),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
