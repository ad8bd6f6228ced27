//! The backwards-compatible connection to a URL (feature `http`): Streamable
//! HTTP first, then the deprecated HTTP+SSE transport of 2024-11-05 when the
//! server refuses the `POST`, as the specification's transports chapter
//! ("Backwards Compatibility") asks of clients.
//!
//! A Streamable HTTP attempt that ends with the server refusing the handshake
//! (an error status such as 400, 404 or 405 turns into a JSON-RPC error
//! answer, so the handshake fails with [`ClientError::Handshake`] or
//! [`ClientError::Rpc`]) is followed by a `GET` of the same URL expecting an
//! SSE stream whose first event is `endpoint`. A server that is reachable but
//! not a legacy one refuses that `GET` as well, and the Streamable HTTP error
//! is what the caller sees. Errors that are not a refusal (the connection
//! failed, a timeout) are returned as they are, without a second attempt.

use mcp_transport::sse_legacy::{SseClient, SseClientBuilder};
use mcp_types::ProtocolVersion;

use crate::ClientSession;
use crate::builder::{ClientSessionBuilder, VersionChoice};
use crate::error::{ClientError, Result};

/// Connects to `url` over Streamable HTTP, falling back to legacy HTTP+SSE.
pub(crate) async fn connect_url(
    builder: ClientSessionBuilder,
    url: String,
) -> Result<ClientSession> {
    let client = mcp_transport::http_client::StreamableHttpClient::builder(url.clone());
    let streamable = match builder.clone().connect_http(client).await {
        Ok(session) => return Ok(session),
        Err(e) => e,
    };
    if !worth_falling_back(&streamable, builder.config.version) {
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
/// server answered but refused the handshake, and the session may speak a
/// session-era revision (HTTP+SSE has no 2026-07-28).
fn worth_falling_back(error: &ClientError, version: VersionChoice) -> bool {
    let session_era = match version {
        VersionChoice::Auto => true,
        VersionChoice::Fixed(v) => !v.is_stateless(),
    };
    session_era && matches!(error, ClientError::Handshake(_) | ClientError::Rpc(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcp_types::{ErrorCode, ErrorObject};

    #[test]
    fn only_refusals_fall_back() {
        let refused = ClientError::Handshake("HTTP 405".into());
        assert!(worth_falling_back(&refused, VersionChoice::Auto));
        assert!(worth_falling_back(
            &ClientError::Rpc(ErrorObject::new(ErrorCode(-32000), "HTTP 404")),
            VersionChoice::Fixed(ProtocolVersion::V2024_11_05)
        ));
        assert!(!worth_falling_back(
            &refused,
            VersionChoice::Fixed(ProtocolVersion::V2026_07_28)
        ));
        assert!(!worth_falling_back(
            &ClientError::Closed("connection refused".into()),
            VersionChoice::Auto
        ));
        assert!(!worth_falling_back(
            &ClientError::Timeout(std::time::Duration::from_secs(1)),
            VersionChoice::Auto
        ));
    }
}
