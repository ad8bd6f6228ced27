//! Settling the revision: fixed revisions, Auto, fallback, capabilities.

use mcp_client::{ClientError, ClientSession, VersionChoice, sampled_text};
use mcp_types::{ElicitResult, ElicitResultAction, ProtocolVersion};
use serde_json::json;

use crate::support::{Options, choices, connect, connect_with, first_text};

#[tokio::test]
async fn connects_in_every_revision() {
    for choice in choices() {
        let (session, _server) = connect(choice).await;
        let expected = match choice {
            VersionChoice::Fixed(v) => v,
            VersionChoice::Auto => ProtocolVersion::V2026_07_28,
        };
        assert_eq!(session.protocol_version(), expected, "{choice:?}");
        let info = session.server_info().expect("server info");
        assert_eq!(info.name, "test-server", "{choice:?}");
        assert_eq!(
            session.instructions().as_deref(),
            Some("A server for testing clients.")
        );
        let caps = session.server_capabilities();
        assert!(
            caps.tools.is_some() && caps.prompts.is_some() && caps.resources.is_some(),
            "{choice:?}"
        );
        session.ping().await.unwrap();
        session.close().await.unwrap();
        assert!(session.is_closed());
    }
}

#[tokio::test]
async fn auto_falls_back_to_initialize_for_session_only_servers() {
    let options = Options {
        versions: Some(vec![
            ProtocolVersion::V2025_06_18,
            ProtocolVersion::V2025_11_25,
        ]),
        ..Options::default()
    };
    let (session, _server) = connect_with(options, ClientSession::builder()).await;
    assert_eq!(session.protocol_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(session.list_all_tools().await.unwrap()[0].name, "echo");

    // The server negotiates down; the client accepts a revision it speaks.
    let options = Options {
        versions: Some(vec![ProtocolVersion::V2024_11_05]),
        ..Options::default()
    };
    let (session, _server) = connect_with(options, ClientSession::builder()).await;
    assert_eq!(session.protocol_version(), ProtocolVersion::V2024_11_05);
    assert_eq!(session.server_info().unwrap().name, "test-server");
}

#[tokio::test]
async fn fixed_stateless_fails_clearly_against_a_session_only_server() {
    let running = crate::support::server::start(&Options {
        versions: Some(vec![ProtocolVersion::V2025_11_25]),
        ..Options::default()
    })
    .await;
    let (client_end, server_end) = mcp_transport::memory::pair();
    tokio::spawn(async move { running.serve(server_end).await });
    let err = ClientSession::builder()
        .protocol_version(VersionChoice::Fixed(ProtocolVersion::V2026_07_28))
        .connect(client_end)
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Handshake(_)), "{err}");
    assert!(err.to_string().contains("2026-07-28"), "{err}");
}

#[tokio::test]
async fn capabilities_are_advertised_from_the_callbacks_set() {
    for choice in choices() {
        let version = match choice {
            VersionChoice::Fixed(v) => v,
            VersionChoice::Auto => continue,
        };
        let (bare, _s1) = connect(choice).await;
        let seen: serde_json::Value = serde_json::from_str(&first_text(
            &bare.call_tool("client_caps", ()).await.unwrap(),
        ))
        .unwrap();
        assert_eq!(seen["capabilities"], json!({}), "{version}");
        assert_eq!(seen["protocolVersion"], version.as_str());
        assert_eq!(seen["clientInfo"]["name"], "mcp-rs-client");

        let builder = ClientSession::builder()
            .protocol_version(choice)
            .client_info(mcp_types::Implementation::new("caps-test", "9.9"))
            .sampling(|_p| async { Ok(sampled_text("m", "t")) })
            .elicitation(|_p| async { Ok(ElicitResult::new(ElicitResultAction::Decline)) })
            .roots(|| async { Ok(vec![]) });
        let (full, _s2) = connect_with(Options::default(), builder).await;
        let seen: serde_json::Value = serde_json::from_str(&first_text(
            &full.call_tool("client_caps", ()).await.unwrap(),
        ))
        .unwrap();
        let expected = match version {
            ProtocolVersion::V2024_11_05 | ProtocolVersion::V2025_03_26 => {
                json!({"sampling": {}, "roots": {"listChanged": true}})
            }
            ProtocolVersion::V2025_06_18 => {
                json!({"sampling": {}, "elicitation": {}, "roots": {"listChanged": true}})
            }
            ProtocolVersion::V2025_11_25 => {
                json!({"sampling": {}, "elicitation": {"form": {}, "url": {}}, "roots": {"listChanged": true}})
            }
            _ => json!({"sampling": {}, "elicitation": {"form": {}, "url": {}}, "roots": {}}),
        };
        assert_eq!(seen["capabilities"], expected, "{version}");
        assert_eq!(seen["clientInfo"]["name"], "caps-test");
    }
}
