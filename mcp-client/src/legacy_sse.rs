//! The backwards-compatible connection to a URL (feature `http`): Streamable
//! HTTP first, then the deprecated HTTP+SSE transport of 2024-11-05 when the
//! server refuses the `POST`, as the specification's transports chapter
//! ("Backwards Compatibility") asks of clients.
//!
//! A Streamable HTTP attempt that ends with the server refusing the handshake
//! (an error status turns into a JSON-RPC error answer, so the handshake fails
//! with [`ClientError::Handshake`] or [`ClientError::Rpc`]) is followed by a
//! `GET` of the same URL expecting an SSE stream whose first event is
//! `endpoint`. Where the transport knows the status (a body that is not
//! JSON-RPC), only 400, 404 and 405 lead there; a server error body that is
//! JSON-RPC hides the status, and then the `GET` is tried too. A server that
//! is reachable but not a legacy one refuses that `GET` as well, and the
//! error names both attempts. Errors that are not a refusal (the connection
//! failed, a timeout) are returned as they are, without a second attempt.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use futures::stream::BoxStream;
use mcp_transport::http_client::{HTTP_TRANSPORT_ERROR, StreamableHttpClient};
use mcp_transport::sse_legacy::{SseClient, SseClientBuilder};
use mcp_transport::{Inbound, Transport, TransportError};
use mcp_types::{JsonRpcMessage, ProtocolVersion};

use crate::ClientSession;
use crate::builder::{ClientSessionBuilder, VersionChoice};
use crate::error::{ClientError, Result};

/// The HTTP statuses with which a legacy server refuses a `POST` of
/// `initialize`, per the specification.
const LEGACY_REFUSALS: [u16; 3] = [400, 404, 405];

/// Connects to `url` over Streamable HTTP, falling back to legacy HTTP+SSE.
pub(crate) async fn connect_url(
    builder: ClientSessionBuilder,
    url: String,
) -> Result<ClientSession> {
    // The same as `ClientSessionBuilder::connect_http`, with the transport
    // watched for the HTTP statuses of refused requests; keep the two alike.
    let client = StreamableHttpClient::builder(url.clone()).build()?;
    let statuses = Statuses::default();
    let watched = Watched {
        inner: client,
        statuses: statuses.clone(),
    };
    let streamable = match builder.clone().connect(watched).await {
        Ok(session) => return Ok(session),
        Err(e) => e,
    };
    if !worth_falling_back(&streamable, builder.config.version, &statuses.seen()) {
        return Err(streamable);
    }
    tracing::debug!(error = %streamable, %url, "Streamable HTTP refused; trying the legacy HTTP+SSE transport");
    match connect_sse(builder, SseClient::builder(url.clone())).await {
        Ok(session) => Ok(session),
        Err(legacy) => Err(ClientError::Handshake(format!(
            "{url} is neither a Streamable HTTP endpoint ({streamable}) nor a legacy HTTP+SSE one ({legacy})"
        ))),
    }
}

/// The HTTP statuses of the error answers the Streamable HTTP transport made
/// up (a server error body that is itself JSON-RPC carries no status).
#[derive(Debug, Clone, Default)]
struct Statuses(Arc<Mutex<Vec<u16>>>);

impl Statuses {
    fn record(&self, inbound: &Inbound) {
        let JsonRpcMessage::Error(e) = &inbound.message else {
            return;
        };
        if e.error.code != HTTP_TRANSPORT_ERROR {
            return;
        }
        let status = e.error.data.as_ref().and_then(|d| d.get("httpStatus"));
        if let Some(status) = status
            .and_then(|s| s.as_u64())
            .and_then(|s| u16::try_from(s).ok())
        {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(status);
        }
    }

    fn seen(&self) -> Vec<u16> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// A transport whose inbound messages pass by [`Statuses::record`].
struct Watched<T> {
    inner: T,
    statuses: Statuses,
}

impl<T: Transport> Transport for Watched<T> {
    type Reader = BoxStream<'static, Result<Inbound, TransportError>>;
    type Writer = T::Writer;

    fn split(self) -> (Self::Reader, Self::Writer) {
        let (reader, writer) = self.inner.split();
        let statuses = self.statuses;
        let reader = reader
            .inspect(move |item| {
                if let Ok(inbound) = item {
                    statuses.record(inbound);
                }
            })
            .boxed();
        (reader, writer)
    }
}

/// Connects over the legacy HTTP+SSE transport. It belongs to the session
/// era, so [`VersionChoice::Auto`] becomes the `initialize` handshake at the
/// newest session-era revision (the server may answer with an older one).
pub(crate) async fn connect_sse(
    mut builder: ClientSessionBuilder,
    client: SseClientBuilder,
) -> Result<ClientSession> {
    if builder.config.version == VersionChoice::Auto {
        builder.config.version = VersionChoice::Fixed(ProtocolVersion::LATEST_SESSION);
    }
    let transport = client
        .connect()
        .await
        .map_err(|e| ClientError::Closed(format!("could not open the SSE stream: {e}")))?;
    builder.connect(transport).await
}

/// Whether a failed Streamable HTTP attempt may be a legacy server: the
/// server answered but refused the handshake, with 400, 404 or 405 where the
/// status is known, and the session may speak a session-era revision
/// (HTTP+SSE has no 2026-07-28).
fn worth_falling_back(error: &ClientError, version: VersionChoice, statuses: &[u16]) -> bool {
    let session_era = match version {
        VersionChoice::Auto => true,
        VersionChoice::Fixed(v) => !v.is_stateless(),
    };
    session_era
        && matches!(error, ClientError::Handshake(_) | ClientError::Rpc(_))
        && statuses.iter().all(|s| LEGACY_REFUSALS.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcp_types::{ErrorCode, ErrorObject};

    #[test]
    fn only_refusals_fall_back() {
        let refused = ClientError::Handshake("HTTP 405".into());
        assert!(worth_falling_back(&refused, VersionChoice::Auto, &[]));
        assert!(worth_falling_back(
            &refused,
            VersionChoice::Auto,
            &[405, 404]
        ));
        assert!(worth_falling_back(
            &ClientError::Rpc(ErrorObject::new(ErrorCode(-32000), "HTTP 404")),
            VersionChoice::Fixed(ProtocolVersion::V2024_11_05),
            &[404]
        ));
        assert!(!worth_falling_back(&refused, VersionChoice::Auto, &[401]));
        assert!(!worth_falling_back(
            &refused,
            VersionChoice::Auto,
            &[405, 500]
        ));
        assert!(!worth_falling_back(
            &refused,
            VersionChoice::Fixed(ProtocolVersion::V2026_07_28),
            &[]
        ));
        assert!(!worth_falling_back(
            &ClientError::Closed("connection refused".into()),
            VersionChoice::Auto,
            &[]
        ));
        assert!(!worth_falling_back(
            &ClientError::Timeout(std::time::Duration::from_secs(1)),
            VersionChoice::Auto,
            &[]
        ));
    }

    #[test]
    fn made_up_errors_record_their_status() {
        let statuses = Statuses::default();
        let mut error = ErrorObject::new(HTTP_TRANSPORT_ERROR, "HTTP 401");
        error.data = Some(serde_json::json!({"httpStatus": 401, "body": ""}));
        let message = JsonRpcMessage::Error(mcp_types::JsonRpcErrorResponse {
            id: Some(mcp_types::RequestId::Number(1)),
            error,
        });
        statuses.record(&Inbound::from(message));
        let other = JsonRpcMessage::Error(mcp_types::JsonRpcErrorResponse {
            id: Some(mcp_types::RequestId::Number(2)),
            error: ErrorObject::new(ErrorCode::METHOD_NOT_FOUND, "no"),
        });
        statuses.record(&Inbound::from(other));
        assert_eq!(statuses.seen(), [401]);
    }
}
