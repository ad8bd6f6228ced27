//! Every typed method, in every revision; pagination; header and output
//! schema checks.

use mcp_client::{ClientError, ClientSession, VersionChoice};
use mcp_types::{
    CompleteRequestParamsArgument, CompleteRequestParamsRef, ErrorCode, LoggingLevel,
    PromptReference, ProtocolVersion, ResourceTemplateReference, SubscriptionFilter,
    TextOrBlobResourceContents,
};
use serde_json::json;

use crate::support::{Options, choices, connect, connect_with, first_text};

#[tokio::test]
async fn every_typed_method_in_every_revision() {
    for choice in choices() {
        let (session, _server) = connect(choice).await;
        let stateless = session.protocol_version().is_stateless();
        let v = session.protocol_version();

        let tools = session.list_tools(None).await.unwrap();
        assert!(tools.tools.iter().any(|t| t.name == "echo"), "{v}");
        let sum = session
            .call_tool("add_numbers", json!({"a": 2, "b": 3.5}))
            .await
            .unwrap();
        assert_eq!(first_text(&sum), "The sum of 2 and 3.5 is 5.5", "{v}");
        let unknown = session.call_tool("nope", ()).await.unwrap_err();
        assert_eq!(
            unknown.rpc().map(|e| e.code),
            Some(ErrorCode::INVALID_PARAMS),
            "{v}"
        );
        let bad_args = session.call_tool("echo", json!([1, 2])).await.unwrap_err();
        assert!(matches!(bad_args, ClientError::Encode(_)), "{bad_args}");

        let resources = session.list_resources(None).await.unwrap();
        assert_eq!(resources.resources[0].uri, "test://static-text");
        let templates = session.list_resource_templates(None).await.unwrap();
        assert_eq!(
            templates.resource_templates[0].uri_template,
            "test://items/{id}"
        );
        let read = session.read_resource("test://items/7").await.unwrap();
        match &read.contents[0] {
            TextOrBlobResourceContents::Text(t) => assert_eq!(t.text, "item 7"),
            other => panic!("{other:?}"),
        }
        let missing = session.read_resource("test://missing").await.unwrap_err();
        let expected = ErrorCode::resource_not_found(v);
        assert_eq!(missing.rpc().map(|e| e.code), Some(expected), "{v}");

        let prompts = session.list_prompts(None).await.unwrap();
        assert_eq!(prompts.prompts[0].name, "greeting");
        let prompt = session
            .get_prompt("greeting", json!({"name": "Ada"}))
            .await
            .unwrap();
        let message = serde_json::to_value(&prompt.messages[0]).unwrap();
        assert_eq!(message["content"]["text"], "Hello, Ada!", "{v}");
        let plain = session.get_prompt("plain", ()).await.unwrap();
        assert_eq!(plain.messages.len(), 1);

        let reference = CompleteRequestParamsRef::Prompt(PromptReference::new("greeting"));
        let completion = session
            .complete(reference, CompleteRequestParamsArgument::new("name", "Al"))
            .await
            .unwrap();
        assert_eq!(
            completion.completion.values,
            vec!["Alice".to_owned(), "Alan".to_owned()]
        );
        let reference = CompleteRequestParamsRef::ResourceTemplate(ResourceTemplateReference::new(
            "test://items/{id}",
        ));
        session
            .complete(reference, CompleteRequestParamsArgument::new("id", "B"))
            .await
            .unwrap();

        session
            .set_logging_level(LoggingLevel::Warning)
            .await
            .unwrap();
        if stateless {
            let err = session
                .subscribe_resource("test://static-text")
                .await
                .unwrap_err();
            assert!(matches!(err, ClientError::NotInRevision { .. }), "{err}");
            assert!(err.to_string().contains("listen"), "{err}");
        } else {
            session
                .subscribe_resource("test://static-text")
                .await
                .unwrap();
            session
                .unsubscribe_resource("test://static-text")
                .await
                .unwrap();
            let err = session
                .listen(SubscriptionFilter::default())
                .await
                .unwrap_err();
            assert!(matches!(err, ClientError::NotInRevision { .. }), "{err}");
        }
        session.close().await.unwrap();
        let after = session.list_tools(None).await.unwrap_err();
        assert!(after.is_closed(), "{after}");
    }
}

#[tokio::test]
async fn list_all_follows_cursors_within_a_bound() {
    let options = Options {
        page_size: 2,
        ..Options::default()
    };
    for choice in [
        VersionChoice::Fixed(ProtocolVersion::V2025_03_26),
        VersionChoice::Auto,
    ] {
        let (session, _server) = connect_with(
            options.clone(),
            ClientSession::builder().protocol_version(choice),
        )
        .await;
        let first = session.list_tools(None).await.unwrap();
        assert_eq!(first.next_cursor.as_deref(), Some("2"));
        assert_eq!(first.tools.len(), 2);
        let all = session.list_all_tools().await.unwrap();
        let names: Vec<_> = all.iter().map(|t| t.name.as_str()).collect();
        assert!(
            names.contains(&"echo")
                && names.contains(&"region_tool")
                && names.contains(&"client_caps")
        );
        assert_eq!(session.list_all_prompts().await.unwrap().len(), 3);
        assert_eq!(session.list_all_resources().await.unwrap().len(), 3);
        assert_eq!(
            session.list_all_resource_templates().await.unwrap().len(),
            1
        );
    }
    let (bounded, _server) =
        connect_with(options, ClientSession::builder().max_list_pages(2)).await;
    let err = bounded.list_all_tools().await.unwrap_err();
    assert!(err.to_string().contains("more than 2 pages"), "{err}");
}

#[tokio::test]
async fn tools_with_invalid_header_declarations_are_dropped() {
    for choice in choices() {
        let (session, _server) = connect(choice).await;
        let names: Vec<String> = session
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert!(names.contains(&"region_tool".to_owned()), "{names:?}");
        assert!(
            names.iter().all(|n| !n.starts_with("invalid_")),
            "{names:?}"
        );
        let region = session
            .call_tool("region_tool", json!({"region": "eu"}))
            .await
            .unwrap();
        assert_eq!(first_text(&region), "region=eu");
    }
}

#[tokio::test]
async fn structured_content_is_checked_against_the_output_schema() {
    for choice in [
        VersionChoice::Fixed(ProtocolVersion::V2025_06_18),
        VersionChoice::Auto,
    ] {
        let (session, _server) = connect(choice).await;
        // Before the tool is listed, its schema is unknown: nothing is checked.
        session.call_tool("bad_weather", ()).await.unwrap();
        session.list_all_tools().await.unwrap();
        let ok = session.call_tool("weather", ()).await.unwrap();
        assert_eq!(ok.structured_content, Some(json!({"temperature": 21.5})));
        let err = session.call_tool("bad_weather", ()).await.unwrap_err();
        match &err {
            ClientError::InvalidStructuredContent { tool, message } => {
                assert_eq!(tool, "bad_weather");
                assert!(message.contains("hot"), "{message}");
            }
            other => panic!("{other}"),
        }
    }
}

#[tokio::test]
async fn list_results_are_cached_for_their_ttl() {
    let options = Options {
        ttl_ms: Some(60_000),
        ..Options::default()
    };
    let (changed_tx, mut changed_rx) = tokio::sync::mpsc::unbounded_channel();
    let builder = ClientSession::builder().on_tools_list_changed(move || {
        let _ = changed_tx.send(());
    });
    let (session, server) = connect_with(options.clone(), builder).await;
    assert!(session.protocol_version().is_stateless());
    let count = || {
        server
            .state()
            .tool_lists
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    session.list_tools(None).await.unwrap();
    session.list_tools(None).await.unwrap();
    session.list_all_tools().await.unwrap();
    assert_eq!(count(), 1, "served from the cache");
    session.call_tool("change", ()).await.unwrap();
    changed_rx.recv().await.unwrap();
    session.list_tools(None).await.unwrap();
    assert_eq!(count(), 2, "list_changed drops the cache");
    session.clear_cache();
    session.list_tools(None).await.unwrap();
    assert_eq!(count(), 3);

    // `ttlMs: 0` (the default hint) and the session era cache nothing.
    for choice in [
        VersionChoice::Auto,
        VersionChoice::Fixed(ProtocolVersion::V2025_11_25),
    ] {
        let opts = if choice == VersionChoice::Auto {
            Options::default()
        } else {
            options.clone()
        };
        let (session, server) =
            connect_with(opts, ClientSession::builder().protocol_version(choice)).await;
        session.list_tools(None).await.unwrap();
        session.list_tools(None).await.unwrap();
        assert_eq!(
            server
                .state()
                .tool_lists
                .load(std::sync::atomic::Ordering::SeqCst),
            2,
            "{choice:?}"
        );
    }
}
