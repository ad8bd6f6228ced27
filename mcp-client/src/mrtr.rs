//! Sending a request and running its Multi Round-Trip rounds (2026-07-28):
//! an `input_required` result is answered through the callbacks and the same
//! request is sent again, with a new id, `inputResponses` and the server's
//! `requestState` echoed unchanged.

use std::borrow::Cow;
use std::time::Duration;

use futures::future::try_join_all;
use mcp_lowlevel::{Peer, RequestOptions};
use mcp_types::{
    CreateMessageRequestParams, ElicitRequestParams, ErrorObject, ListRootsResult, Meta,
    ProgressNotificationParams, ProtocolVersion, Revisioned,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use crate::error::{ClientError, Result};
use crate::service::Shared;

/// Options of one call.
///
/// ```
/// use std::time::Duration;
/// use mcp_client::CallOptions;
///
/// let (tx, _rx) = tokio::sync::mpsc::channel(16);
/// let options = CallOptions::new().timeout(Duration::from_secs(5)).progress(tx);
/// assert_eq!(options.timeout, Some(Duration::from_secs(5)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// How long each round of the call waits for its answer (the session's
    /// request timeout when `None`).
    pub timeout: Option<Duration>,
    /// Receives the `notifications/progress` the server sends for this call;
    /// setting it adds a `progressToken` to the request.
    pub progress: Option<mpsc::Sender<ProgressNotificationParams>>,
    /// Extra `_meta` entries for the request.
    pub meta: Option<Meta>,
}

impl CallOptions {
    /// No options: the session's defaults.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// Sets [`CallOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets [`CallOptions::progress`].
    pub fn progress(mut self, progress: mpsc::Sender<ProgressNotificationParams>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Sets [`CallOptions::meta`].
    pub fn meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }

    fn request_options(&self) -> RequestOptions {
        RequestOptions {
            timeout: self.timeout,
            progress: self.progress.clone(),
            meta: self.meta.clone(),
        }
    }
}

/// A final answer, with the caching hint it carried.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) raw: Box<RawValue>,
    pub(crate) ttl_ms: Option<f64>,
}

impl Answer {
    pub(crate) fn parse<T: DeserializeOwned>(&self, method: &str) -> Result<T> {
        parse(method, self.raw.get())
    }
}

pub(crate) fn parse<T: DeserializeOwned>(method: &str, raw: &str) -> Result<T> {
    serde_json::from_str(raw)
        .map_err(|e| ClientError::InvalidResponse(format!("`{method}` result: {e}")))
}

/// The members of a result that decide what happens next.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "resultType", borrow, default)]
    result_type: Option<Cow<'a, str>>,
    #[serde(rename = "ttlMs", default)]
    ttl_ms: Option<f64>,
}

#[derive(Deserialize)]
struct InputRequired {
    #[serde(rename = "inputRequests", default)]
    input_requests: Option<Map<String, Value>>,
    #[serde(rename = "requestState", default)]
    request_state: Option<String>,
}

/// What one call needs from the session.
pub(crate) struct Round<'a> {
    pub(crate) peer: &'a Peer,
    pub(crate) shared: &'a Shared,
    pub(crate) version: ProtocolVersion,
    pub(crate) max_rounds: usize,
}

impl Round<'_> {
    /// Sends `method` with `params` (a JSON object) until the answer is complete.
    pub(crate) async fn run(
        &self,
        method: &'static str,
        mut params: Value,
        options: &CallOptions,
    ) -> Result<Answer> {
        let mut rounds = 0;
        loop {
            let raw = self
                .peer
                .request_raw(method, &params, options.request_options())
                .await?;
            let head: Head<'_> = serde_json::from_str(raw.get())
                .map_err(|e| ClientError::InvalidResponse(format!("`{method}` result: {e}")))?;
            // A result without `resultType` is complete (2026-07-28), as is every
            // session-era result.
            if head.result_type.as_deref() != Some("input_required") {
                let ttl_ms = head.ttl_ms;
                return Ok(Answer { raw, ttl_ms });
            }
            if rounds >= self.max_rounds {
                return Err(ClientError::TooManyInputRounds(self.max_rounds));
            }
            rounds += 1;
            let asked: InputRequired = parse(method, raw.get())?;
            let responses = match asked.input_requests {
                Some(requests) => Some(self.fulfil(requests).await?),
                None => None,
            };
            let Value::Object(map) = &mut params else {
                return Err(ClientError::Encode(format!(
                    "`{method}` params must be an object"
                )));
            };
            // Each retry carries only what this round's answer asked for.
            map.remove("inputResponses");
            map.remove("requestState");
            if let Some(responses) = responses {
                map.insert("inputResponses".into(), Value::Object(responses));
            }
            if let Some(state) = asked.request_state {
                map.insert("requestState".into(), Value::String(state));
            }
        }
    }

    /// Answers every input request through its callback, concurrently.
    async fn fulfil(&self, requests: Map<String, Value>) -> Result<Map<String, Value>> {
        let answers = try_join_all(requests.into_iter().map(|(key, request)| async move {
            let answer = self.answer(&key, request).await?;
            Ok::<_, ClientError>((key, answer))
        }))
        .await?;
        Ok(answers.into_iter().collect())
    }

    async fn answer(&self, key: &str, request: Value) -> Result<Value> {
        let Value::Object(mut request) = request else {
            return Err(ClientError::InvalidResponse(format!(
                "input request `{key}` is not an object"
            )));
        };
        let method = match request.remove("method") {
            Some(Value::String(m)) => m,
            _ => {
                return Err(ClientError::InvalidResponse(format!(
                    "input request `{key}` has no method"
                )));
            }
        };
        let params = request
            .remove("params")
            .unwrap_or_else(|| Value::Object(Map::new()));
        let callbacks = &self.shared.callbacks;
        let missing = || ClientError::MissingCallback {
            method: method.clone(),
            key: key.to_owned(),
        };
        let failed = |error: ErrorObject| ClientError::Callback {
            method: method.clone(),
            error: Box::new(error),
        };
        let bad_params = |e: serde_json::Error| {
            ClientError::InvalidResponse(format!(
                "input request `{key}` (`{method}`) has invalid params: {e}"
            ))
        };
        let version = self.version;
        match method.as_str() {
            "sampling/createMessage" => {
                let cb = callbacks.sampling.clone().ok_or_else(missing)?;
                let params: CreateMessageRequestParams =
                    serde_json::from_value(params).map_err(bad_params)?;
                let mut result = cb(params).await.map_err(failed)?;
                result.conform_to(version);
                to_json(&result)
            }
            "elicitation/create" => {
                let cb = callbacks.elicitation.clone().ok_or_else(missing)?;
                let params: ElicitRequestParams =
                    serde_json::from_value(params).map_err(bad_params)?;
                let mut result = cb(params).await.map_err(failed)?;
                result.conform_to(version);
                to_json(&result)
            }
            "roots/list" => {
                let cb = callbacks.roots.clone().ok_or_else(missing)?;
                let mut result = ListRootsResult::new(cb(()).await.map_err(failed)?);
                result.conform_to(version);
                to_json(&result)
            }
            _ => Err(ClientError::UnsupportedInputRequest {
                method,
                key: key.to_owned(),
            }),
        }
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| ClientError::Encode(e.to_string()))
}
