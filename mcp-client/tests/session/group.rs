//! `ClientSessionGroup`: aggregation, naming policies, routing.

use mcp_client::{ClientError, ClientSession, ClientSessionGroup, NamePolicy, VersionChoice};
use mcp_types::{ProtocolVersion, TextOrBlobResourceContents};
use serde_json::json;

use crate::support::{connect, first_text};

#[tokio::test]
async fn prefixed_names_route_to_their_server() {
    let (modern, _s1) = connect(VersionChoice::Auto).await;
    let (legacy, _s2) = connect(VersionChoice::Fixed(ProtocolVersion::V2025_06_18)).await;
    let mut group = ClientSessionGroup::new(NamePolicy::Prefix {
        separator: "_".into(),
    });
    group.add("modern", modern).await.unwrap();
    group.add("legacy", legacy).await.unwrap();
    let names: Vec<&str> = group.tools().map(|t| t.name.as_str()).collect();
    assert!(
        names.contains(&"modern_echo") && names.contains(&"legacy_echo"),
        "{names:?}"
    );
    let echoed = group
        .call_tool("legacy_echo", json!({"text": "hi"}))
        .await
        .unwrap();
    assert_eq!(first_text(&echoed), "hi");
    let caps = group.call_tool("modern_client_caps", ()).await.unwrap();
    assert_eq!(
        caps.structured_content.unwrap()["protocolVersion"],
        "2026-07-28"
    );
    let caps = group.call_tool("legacy_client_caps", ()).await.unwrap();
    assert_eq!(
        caps.structured_content.unwrap()["protocolVersion"],
        "2025-06-18"
    );

    let prompt = group
        .get_prompt("legacy_greeting", json!({"name": "Bo"}))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&prompt.messages[0]).unwrap()["content"]["text"],
        "Hello, Bo!"
    );
    assert_eq!(group.prompts().count(), 6);
    // The same URI from two servers: the first added owns it.
    assert_eq!(group.resources().count(), 3);
    let read = group.read_resource("test://static-text").await.unwrap();
    assert!(matches!(
        &read.contents[0],
        TextOrBlobResourceContents::Text(_)
    ));

    let missing = group.call_tool("echo", ()).await.unwrap_err();
    assert!(
        matches!(missing, ClientError::NotFound { kind: "tool", .. }),
        "{missing}"
    );
    assert!(group.remove("legacy").is_some());
    assert!(group.tools().all(|t| t.name.starts_with("modern_")));
    group.refresh().await.unwrap();
    assert!(group.session("modern").is_some());
}

#[tokio::test]
async fn colliding_names_are_refused_by_default() {
    let (a, _s1) = connect(VersionChoice::Auto).await;
    let (b, _s2) = connect(VersionChoice::Auto).await;
    let mut group = ClientSessionGroup::new(NamePolicy::Error);
    group.add("a", a.clone()).await.unwrap();
    let err = group.add("b", b).await.unwrap_err();
    match &err {
        ClientError::NameCollision {
            kind,
            first,
            second,
            ..
        } => {
            assert_eq!((*kind, first.as_str(), second.as_str()), ("tool", "a", "b"));
        }
        other => panic!("{other}"),
    }
    assert_eq!(group.sessions().count(), 1);
    let dup = group.add("a", a).await.unwrap_err();
    assert!(matches!(
        dup,
        ClientError::NameCollision { kind: "server", .. }
    ));
    let echoed = group
        .call_tool("echo", json!({"text": "one"}))
        .await
        .unwrap();
    assert_eq!(first_text(&echoed), "one");
    let _ = ClientSession::builder();
}
