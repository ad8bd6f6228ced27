//! Serving over Streamable HTTP (feature `http`): the one-line runner, the
//! `tower::Service` to mount in axum, and the check of `Mcp-Param-*` headers
//! against the tools' `x-mcp-header` declarations.

use std::net::SocketAddr;
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use mcp_lowlevel::RunningServer;
use mcp_transport::Inbound;
use mcp_transport::http::{
    Answer, HeaderValidator, HttpServer, SessionHandler, SessionTransport, StreamableHttpConfig,
    StreamableHttpService, header_matches_value,
};
use mcp_types::{ErrorCode, ErrorObject, JsonRpcRequest, ToolInputSchema};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::McpServer;
use crate::registry::{Core, Table, ToolEntry};

/// Serves each HTTP session (or stateless request) with a started server.
pub struct HttpHandler<S> {
    running: Arc<RunningServer<S>>,
}

impl<S> std::fmt::Debug for HttpHandler<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpHandler").finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> SessionHandler for HttpHandler<S> {
    fn serve(&self, transport: SessionTransport) -> impl Future<Output = ()> + Send + 'static {
        let running = self.running.clone();
        async move {
            if let Err(e) = running.serve(transport).await {
                tracing::debug!(error = %e, "HTTP session ended with an error");
            }
        }
    }

    fn answer(&self, inbound: Inbound) -> Result<Answer, Inbound> {
        Ok(Box::pin(self.running.answer(inbound)))
    }
}

/// A started server mounted as a Streamable HTTP `tower::Service`.
#[derive(Debug)]
pub struct HttpService<S> {
    /// The service: mount it with `axum::Router::nest_service("/mcp", service)`.
    pub service: StreamableHttpService<HttpHandler<S>>,
    running: Arc<RunningServer<S>>,
}

impl<S: Send + Sync + 'static> HttpService<S> {
    /// Runs the lifespan teardown; call it when the HTTP server has stopped.
    pub async fn shutdown(&self) {
        self.running.shutdown().await;
    }
}

impl<S: Send + Sync + 'static> McpServer<S> {
    /// Starts the server (running its lifespan setup) as a Streamable HTTP
    /// service for both protocol eras, with the default configuration:
    /// DNS-rebinding protection for loopback, 4 MiB bodies, bounded sessions.
    pub async fn http_service(self) -> crate::Result<HttpService<S>> {
        self.http_service_with(StreamableHttpConfig::default())
            .await
    }

    /// [`McpServer::http_service`] with a configuration of your own.
    pub async fn http_service_with(
        self,
        config: StreamableHttpConfig,
    ) -> crate::Result<HttpService<S>> {
        let core = self.core.clone();
        let running = Arc::new(
            self.into_lowlevel()
                .start()
                .await
                .map_err(crate::Error::Lifespan)?,
        );
        let config = config.header_validator(param_header_validator(core));
        let service = StreamableHttpService::with_config(
            HttpHandler {
                running: running.clone(),
            },
            config,
        );
        Ok(HttpService { service, running })
    }

    /// Serves Streamable HTTP on `addr` at the path `/mcp` (and `/`), both
    /// protocol eras, until the process is stopped.
    pub async fn serve_http(self, addr: impl tokio::net::ToSocketAddrs) -> crate::Result<()> {
        let http = self.http_service().await?;
        let server = HttpServer::bind(addr).await?;
        let local: SocketAddr = server.local_addr();
        tracing::info!(%local, "serving MCP over Streamable HTTP at /mcp");
        let result = server.serve(http.service.clone()).await;
        http.shutdown().await;
        result.map_err(Into::into)
    }
}

/// The members of `tools/call` params the header check reads, borrowed from
/// the raw params.
#[derive(serde::Deserialize)]
struct CallParams<'a> {
    #[serde(borrow, default)]
    name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
}

/// The `x-mcp-header` declarations of a tool's input schema: `(property, header)`.
fn header_declarations(schema: &ToolInputSchema) -> impl Iterator<Item = (&String, &str)> {
    // A schema built by hand may carry `properties` among its other members.
    let untyped = match schema.properties {
        Some(_) => None,
        None => schema.extra.get("properties").and_then(Value::as_object),
    };
    let untyped = untyped
        .into_iter()
        .flatten()
        .filter_map(|(property, declaration)| Some((property, declaration.as_object()?)));
    schema
        .properties
        .iter()
        .flatten()
        .chain(untyped)
        .filter_map(|(property, declaration)| {
            let header = declaration.get("x-mcp-header")?.as_str()?;
            Some((property, header))
        })
}

/// Checks `Mcp-Param-<Name>` headers of a 2026-07-28 `tools/call` against the
/// arguments, for each parameter the tool declares with `x-mcp-header`.
///
/// Runs on every stateless `tools/call`, so it reads only `name` from the raw
/// params and parses the arguments only when the tool declares a header.
fn param_header_validator<S: Send + Sync + 'static>(core: Arc<Core<S>>) -> HeaderValidator {
    let declared: ArcSwapOption<Declared<S>> = ArcSwapOption::empty();
    Arc::new(move |parts, request: &JsonRpcRequest| {
        if request.method != "tools/call" {
            return Ok(());
        }
        if !any_declared(&core, &declared) {
            return Ok(());
        }
        let raw = request.params.as_deref().map_or("{}", RawValue::get);
        // Objects only (a struct would also read from an array); anything odd
        // (duplicate members, a name that is not a string) takes the slow path.
        let fast = raw
            .trim_start()
            .starts_with('{')
            .then(|| serde_json::from_str::<CallParams<'_>>(raw).ok())
            .flatten();
        let Some(fast) = fast else {
            return check_slow(&core, parts, request);
        };
        let Some(name) = fast.name.as_deref() else {
            return Ok(());
        };
        let tools = core.tools.load();
        let Some(entry) = tools.get(name) else {
            return Ok(());
        };
        let mut declared = header_declarations(&entry.tool.input_schema).peekable();
        if declared.peek().is_none() {
            return Ok(());
        }
        let arguments: Value = fast
            .arguments
            .and_then(|a| serde_json::from_str(a.get()).ok())
            .unwrap_or_default();
        for (property, header) in declared {
            check_header(parts, header, &arguments[property])?;
        }
        Ok(())
    })
}

/// Whether any tool of one tools table declares an `x-mcp-header` parameter.
struct Declared<S> {
    table: Arc<Table<ToolEntry<S>>>,
    any: bool,
}

/// Whether any tool of the current table declares an `x-mcp-header`
/// parameter: worked out once per table (a change of the tools replaces the
/// table, and a tool's schema never changes in place), so servers without such
/// tools never parse the params of a call for the check.
fn any_declared<S>(core: &Core<S>, cache: &ArcSwapOption<Declared<S>>) -> bool {
    let tools = core.tools.load();
    if let Some(known) = &*cache.load()
        && Arc::ptr_eq(&known.table, &tools)
    {
        return known.any;
    }
    let any = tools.iter().any(|entry| {
        header_declarations(&entry.tool.input_schema)
            .next()
            .is_some()
    });
    cache.store(Some(Arc::new(Declared {
        table: Arc::clone(&tools),
        any,
    })));
    any
}

/// The check on params the borrowed reading did not take: parsed whole.
fn check_slow<S: Send + Sync + 'static>(
    core: &Core<S>,
    parts: &http::request::Parts,
    request: &JsonRpcRequest,
) -> Result<(), ErrorObject> {
    let params: Value = request.params_as().unwrap_or_default();
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Ok(());
    };
    let tools = core.tools.load();
    let Some(entry) = tools.get(name) else {
        return Ok(());
    };
    for (property, header) in header_declarations(&entry.tool.input_schema) {
        check_header(parts, header, &params["arguments"][property])?;
    }
    Ok(())
}

/// Compares one `Mcp-Param-<header>` with its argument (`Null` when absent).
fn check_header(
    parts: &http::request::Parts,
    header: &str,
    value: &Value,
) -> Result<(), ErrorObject> {
    let received = parts.headers.get(format!("mcp-param-{header}"));
    let mismatch = |why: String| {
        Err(ErrorObject::new(
            ErrorCode::HEADER_MISMATCH,
            format!("Header mismatch: Mcp-Param-{header}: {why}"),
        ))
    };
    match (received, value) {
        (None, Value::Null) => Ok(()),
        (None, _) => mismatch("missing, but the argument is present".into()),
        (Some(_), Value::Null) => mismatch("present, but the argument is absent".into()),
        (Some(raw), value) => match header_matches_value(raw.as_bytes(), value) {
            Ok(true) => Ok(()),
            Ok(false) => mismatch("does not match the argument".into()),
            Err(e) => mismatch(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ToolDef;
    use serde_json::json;

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Where {
        #[allow(dead_code)]
        region: Option<String>,
    }

    fn declaring(name: &str) -> ToolDef {
        let schema = json!({
            "type": "object",
            "properties": { "region": { "type": "string", "x-mcp-header": "Region" } },
        });
        ToolDef::new(name).input_schema(schema.as_object().cloned().unwrap())
    }

    fn check(
        validator: &HeaderValidator,
        header: Option<&str>,
        params: Value,
    ) -> Result<(), ErrorObject> {
        let mut builder = http::Request::builder().method("POST");
        if let Some(h) = header {
            builder = builder.header("Mcp-Param-Region", h);
        }
        let (parts, ()) = builder.body(()).unwrap().into_parts();
        let request = JsonRpcRequest::new(1, "tools/call", &params).unwrap();
        validator(&parts, &request)
    }

    #[test]
    fn checks_declared_headers_against_arguments() {
        let server = McpServer::new("t")
            .tool("plain", |_: Where| "ok")
            .tool(declaring("geo"), |_: Where| "ok");
        let validator = param_header_validator(server.core.clone());
        let call = |region: Value| json!({ "name": "geo", "arguments": { "region": region } });
        assert!(check(&validator, Some("eu"), call(json!("eu"))).is_ok());
        assert!(check(&validator, None, json!({ "name": "geo", "arguments": {} })).is_ok());
        for (header, params) in [
            (Some("us"), call(json!("eu"))),
            (None, call(json!("eu"))),
            (Some("eu"), json!({ "name": "geo", "arguments": {} })),
            (Some("eu"), json!({ "name": "geo" })),
        ] {
            let e = check(&validator, header, params).unwrap_err();
            assert_eq!(e.code, ErrorCode::HEADER_MISMATCH);
        }
        // Tools without declarations, unknown tools and odd params pass.
        assert!(
            check(
                &validator,
                None,
                json!({ "name": "plain", "arguments": {} })
            )
            .is_ok()
        );
        assert!(check(&validator, None, json!({ "name": "nope" })).is_ok());
        assert!(check(&validator, None, json!({ "name": 7 })).is_ok());
        assert!(check(&validator, None, json!(["geo", { "region": "eu" }])).is_ok());
        // A member given twice is read the way a full parse reads it: the last one.
        let (parts, ()) = http::Request::builder().body(()).unwrap().into_parts();
        let twice = JsonRpcRequest {
            id: 1.into(),
            method: "tools/call".into(),
            params: Some(
                RawValue::from_string(
                    r#"{"name":"plain","name":"geo","arguments":{"region":"eu"}}"#.into(),
                )
                .unwrap(),
            ),
        };
        assert!(validator(&parts, &twice).is_err());
    }

    #[test]
    fn sees_tools_added_later() {
        let server = McpServer::new("t").tool("plain", |_: Where| "ok");
        let validator = param_header_validator(server.core.clone());
        let params = json!({ "name": "geo", "arguments": { "region": "eu" } });
        // No tool declares a header yet (and `geo` does not exist).
        assert!(check(&validator, None, params.clone()).is_ok());
        server.handle().add_tool(declaring("geo"), |_: Where| "ok");
        assert!(check(&validator, None, params.clone()).is_err());
        assert!(check(&validator, Some("eu"), params).is_ok());
    }
}
