//! Settling the protocol revision: probe `server/discover` (2026-07-28) and
//! fall back to the session era's `initialize` handshake, and the capabilities
//! the client advertises in each revision.

use std::time::{Duration, Instant};

use mcp_lowlevel::{Peer, RequestOptions};
use mcp_types::{
    ClientCapabilities, ClientCapabilitiesElicitation, ClientCapabilitiesRoots, ErrorCode,
    Implementation, InitializeRequest, InitializeRequestParams, InitializedNotification,
    JsonObject, LoggingLevel, Meta, ProtocolVersion, Revisioned, ServerCapabilities, meta,
};
use serde::Deserialize;
use serde_json::Value;

use crate::builder::{SessionConfig, VersionChoice};
use crate::callbacks::Callbacks;
use crate::error::{ClientError, Result};

/// What the client learned about the server when the session was set up.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) version: ProtocolVersion,
    pub(crate) server_info: Option<Implementation>,
    pub(crate) capabilities: ServerCapabilities,
    pub(crate) instructions: Option<String>,
    /// When the `server/discover` answer stops being fresh (2026-07-28).
    pub(crate) fresh_until: Option<Instant>,
}

/// The capabilities the client advertises in `version`, from the callbacks set.
pub(crate) fn client_capabilities(
    callbacks: &Callbacks,
    version: ProtocolVersion,
) -> ClientCapabilities {
    let mut caps = ClientCapabilities::default();
    if callbacks.sampling.is_some() {
        caps.sampling = Some(Default::default());
    }
    if callbacks.elicitation.is_some() {
        caps.elicitation = Some(ClientCapabilitiesElicitation {
            form: Some(JsonObject::new()),
            url: Some(JsonObject::new()),
            ..Default::default()
        });
    }
    if callbacks.roots.is_some() {
        caps.roots = Some(ClientCapabilitiesRoots {
            list_changed: Some(true),
            ..Default::default()
        });
    }
    caps.conform_to(version);
    caps
}

/// The `_meta` every 2026-07-28 request carries.
pub(crate) fn stateless_meta(
    config: &SessionConfig,
    callbacks: &Callbacks,
    version: ProtocolVersion,
    log_level: Option<LoggingLevel>,
) -> Meta {
    let mut info = config.info.clone();
    info.conform_to(version);
    let mut m = Meta::new();
    m.set_protocol_version(version);
    m.insert_as(
        meta::CLIENT_CAPABILITIES,
        &client_capabilities(callbacks, version),
    );
    m.insert_as(meta::CLIENT_INFO, &info);
    if let Some(level) = log_level {
        m.insert_as(meta::LOG_LEVEL, &level);
    }
    m
}

/// Settles the revision as `config.version` says.
pub(crate) async fn negotiate(
    peer: &Peer,
    config: &SessionConfig,
    callbacks: &Callbacks,
) -> Result<Identity> {
    match config.version {
        VersionChoice::Fixed(v) if v.is_stateless() => {
            match discover(peer, config, callbacks, v, true).await? {
                Some(identity) => Ok(identity),
                None => Err(ClientError::Handshake(format!(
                    "the server does not speak {v}"
                ))),
            }
        }
        VersionChoice::Fixed(v) => initialize(peer, config, callbacks, v)
            .await
            .map_err(refused),
        VersionChoice::Auto => {
            let probe = discover(peer, config, callbacks, ProtocolVersion::LATEST, false);
            if let Some(identity) = probe.await? {
                return Ok(identity);
            }
            match initialize(peer, config, callbacks, ProtocolVersion::LATEST_SESSION).await {
                // A server slow to answer the probe may have taken it after all
                // and now serve 2026-07-28 only: probe again, waiting longer.
                Err(ClientError::Rpc(e)) if e.code == ErrorCode::UNSUPPORTED_PROTOCOL_VERSION => {
                    let patient = SessionConfig {
                        discover_timeout: config.request_timeout,
                        ..config.clone()
                    };
                    let again = discover(peer, &patient, callbacks, ProtocolVersion::LATEST, true);
                    match again.await {
                        Ok(Some(identity)) => Ok(identity),
                        _ => Err(refused(ClientError::Rpc(e))),
                    }
                }
                other => other.map_err(refused),
            }
        }
    }
}

/// An `initialize` the server answered with an error.
fn refused(e: ClientError) -> ClientError {
    match e {
        ClientError::Rpc(e) => {
            ClientError::Handshake(format!("the server refused `initialize`: {e}"))
        }
        other => other,
    }
}

/// The parts of a `server/discover` answer the client needs; lenient, since
/// what counts is whether the answer is a modern one at all.
#[derive(Deserialize)]
struct Discovered {
    #[serde(rename = "supportedVersions")]
    supported_versions: Vec<String>,
    #[serde(default)]
    capabilities: Option<ServerCapabilities>,
    #[serde(default)]
    instructions: Option<String>,
    #[serde(rename = "ttlMs", default)]
    ttl_ms: Option<f64>,
    #[serde(rename = "_meta", default)]
    meta: Option<Meta>,
}

/// The newest stateless revision this client speaks among `offered`.
fn pick_stateless<'a>(offered: impl IntoIterator<Item = &'a str>) -> Option<ProtocolVersion> {
    offered
        .into_iter()
        .filter_map(ProtocolVersion::parse)
        .filter(|v| v.is_stateless())
        .max()
}

/// Probes `server/discover` at `version`: `Ok(Some)` for a 2026-07-28 server,
/// `Ok(None)` when the server is not one (in `strict` mode that is an error).
/// A `-32022` listing a revision this client speaks is retried once with it.
pub(crate) async fn discover(
    peer: &Peer,
    config: &SessionConfig,
    callbacks: &Callbacks,
    mut version: ProtocolVersion,
    strict: bool,
) -> Result<Option<Identity>> {
    let not_modern = |why: String| -> Result<Option<Identity>> {
        peer.set_request_meta(None);
        if strict {
            Err(ClientError::Handshake(why))
        } else {
            tracing::debug!(reason = %why, "not a 2026-07-28 server; falling back to `initialize`");
            Ok(None)
        }
    };
    for attempt in 0..2 {
        let answer = discover_once(peer, config, callbacks, version, config.discover_timeout).await;
        let why = match answer {
            Ok(found)
                if found
                    .supported_versions
                    .iter()
                    .any(|v| v == version.as_str()) =>
            {
                return Ok(Some(identity_from(found, version)));
            }
            Ok(found) => {
                match pick_stateless(found.supported_versions.iter().map(String::as_str)) {
                    Some(v) if attempt == 0 && v != version => {
                        version = v;
                        continue;
                    }
                    _ => format!(
                        "`server/discover` lists {:?}, no revision this client speaks statelessly",
                        found.supported_versions
                    ),
                }
            }
            Err(ClientError::Rpc(e)) if e.code == ErrorCode::UNSUPPORTED_PROTOCOL_VERSION => {
                let supported: Vec<String> = e
                    .data
                    .as_ref()
                    .and_then(|d| d.get("supported"))
                    .and_then(|s| Vec::<String>::deserialize(s).ok())
                    .unwrap_or_default();
                match pick_stateless(supported.iter().map(String::as_str)) {
                    Some(v) if attempt == 0 => {
                        version = v;
                        continue;
                    }
                    _ => {
                        format!("the server does not accept {version} (it supports {supported:?})")
                    }
                }
            }
            Err(ClientError::Closed(reason)) => return Err(ClientError::Closed(reason)),
            Err(e) => format!("`server/discover` failed: {e}"),
        };
        return not_modern(why);
    }
    not_modern("the server refused every revision offered".into())
}

/// One `server/discover` with the `_meta` of `version`.
async fn discover_once(
    peer: &Peer,
    config: &SessionConfig,
    callbacks: &Callbacks,
    version: ProtocolVersion,
    timeout: Duration,
) -> Result<Discovered> {
    peer.set_request_meta(Some(stateless_meta(config, callbacks, version, None)));
    let options = RequestOptions {
        timeout: Some(timeout),
        ..Default::default()
    };
    let raw = peer
        .request_raw("server/discover", &serde_json::json!({}), options)
        .await
        .map_err(ClientError::from)?;
    serde_json::from_str(raw.get())
        .map_err(|e| ClientError::InvalidResponse(format!("`server/discover` result: {e}")))
}

fn identity_from(found: Discovered, version: ProtocolVersion) -> Identity {
    let server_info = found
        .meta
        .as_ref()
        .and_then(|m| m.get_as::<Implementation>(meta::SERVER_INFO));
    Identity {
        version,
        server_info,
        capabilities: found.capabilities.unwrap_or_default(),
        instructions: found.instructions,
        fresh_until: fresh_until(found.ttl_ms),
    }
}

fn fresh_until(ttl_ms: Option<f64>) -> Option<Instant> {
    let ttl = ttl_ms.filter(|t| t.is_finite() && *t > 0.0)?;
    Instant::now().checked_add(Duration::from_millis(ttl.min(u64::MAX as f64) as u64))
}

/// Re-reads `server/discover` for an established 2026-07-28 session.
pub(crate) async fn rediscover(
    peer: &Peer,
    config: &SessionConfig,
    callbacks: &Callbacks,
    version: ProtocolVersion,
    log_level: Option<LoggingLevel>,
) -> Result<Identity> {
    let options = RequestOptions {
        timeout: Some(config.request_timeout),
        meta: Some(stateless_meta(config, callbacks, version, log_level)),
        ..Default::default()
    };
    let raw = peer
        .request_raw("server/discover", &serde_json::json!({}), options)
        .await?;
    let found: Discovered = serde_json::from_str(raw.get())
        .map_err(|e| ClientError::InvalidResponse(format!("`server/discover` result: {e}")))?;
    Ok(identity_from(found, version))
}

/// The session-era handshake at `version`.
pub(crate) async fn initialize(
    peer: &Peer,
    config: &SessionConfig,
    callbacks: &Callbacks,
    version: ProtocolVersion,
) -> Result<Identity> {
    peer.set_request_meta(None);
    let mut params = InitializeRequestParams::new(
        client_capabilities(callbacks, version),
        config.info.clone(),
        version.as_str(),
    );
    params.conform_to(version);
    let options = RequestOptions {
        timeout: Some(config.request_timeout),
        ..Default::default()
    };
    let result = peer
        .request_with::<InitializeRequest>(params, options)
        .await
        .map_err(ClientError::from)?;
    let negotiated = ProtocolVersion::parse(&result.protocol_version)
        .filter(|v| !v.is_stateless())
        .ok_or_else(|| {
            ClientError::Handshake(format!(
                "the server answered `initialize` with protocol version {:?}, which this client does not support \
                 (it speaks {})",
                result.protocol_version,
                supported_session_versions()
            ))
        })?;
    let session = peer.session();
    session.set_protocol_version(negotiated);
    session.set_server(result.clone());
    peer.notify::<InitializedNotification>(Default::default())
        .await?;
    session.set_initialized();
    Ok(Identity {
        version: negotiated,
        server_info: Some(result.server_info),
        capabilities: result.capabilities,
        instructions: result.instructions,
        fresh_until: None,
    })
}

fn supported_session_versions() -> String {
    ProtocolVersion::ALL
        .iter()
        .filter(|v| !v.is_stateless())
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a server capability object says `listChanged: true`.
pub(crate) fn promises_list_changed(capability: Option<&impl serde::Serialize>) -> bool {
    capability
        .and_then(|c| serde_json::to_value(c).ok())
        .is_some_and(|v| v.get("listChanged") == Some(&Value::Bool(true)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::boxed_async;
    use serde_json::json;

    #[test]
    fn capabilities_follow_callbacks_and_revision() {
        let none = Callbacks::default();
        assert_eq!(
            serde_json::to_value(client_capabilities(&none, ProtocolVersion::LATEST)).unwrap(),
            json!({})
        );
        let all = Callbacks {
            sampling: Some(boxed_async(|_p| async {
                Ok(crate::sampled_text("m", "t"))
            })),
            elicitation: Some(boxed_async(|_p| async {
                Ok(mcp_types::ElicitResult::new(
                    mcp_types::ElicitResultAction::Decline,
                ))
            })),
            roots: Some(boxed_async(|()| async { Ok(vec![]) })),
            ..Default::default()
        };
        let caps = |v| serde_json::to_value(client_capabilities(&all, v)).unwrap();
        assert_eq!(
            caps(ProtocolVersion::V2025_11_25),
            json!({"sampling": {}, "elicitation": {"form": {}, "url": {}}, "roots": {"listChanged": true}})
        );
        assert_eq!(
            caps(ProtocolVersion::V2025_06_18),
            json!({"sampling": {}, "elicitation": {}, "roots": {"listChanged": true}})
        );
        assert_eq!(
            caps(ProtocolVersion::V2024_11_05),
            json!({"sampling": {}, "roots": {"listChanged": true}})
        );
        assert_eq!(
            caps(ProtocolVersion::V2026_07_28),
            json!({"sampling": {}, "elicitation": {"form": {}, "url": {}}, "roots": {}})
        );
    }
}
