//! Input the server needs (sampling, elicitation, roots): real requests in
//! the session era, Multi Round-Trip Requests under 2026-07-28; the same
//! callbacks answer both.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mcp_client::{
    ClientError, ClientSession, ClientSessionBuilder, VersionChoice, accept_with_defaults,
    sampled_text,
};
use mcp_types::{
    ElicitResult, ElicitResultAction, ElicitResultContentValue, ProtocolVersion, Root,
};

use crate::support::{Options, connect, connect_with, first_text};

fn answering(builder: ClientSessionBuilder, calls: Arc<AtomicUsize>) -> ClientSessionBuilder {
    let (c1, c2, c3) = (calls.clone(), calls.clone(), calls);
    builder
        .sampling(move |params| {
            c1.fetch_add(1, Ordering::SeqCst);
            async move {
                assert_eq!(params.max_tokens, 20);
                Ok(sampled_text("test-model", "sampled words"))
            }
        })
        .elicitation(move |request| {
            c2.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(accept_with_defaults(
                    &request,
                    [(
                        "name".to_owned(),
                        ElicitResultContentValue::String("Ada".into()),
                    )],
                ))
            }
        })
        .roots(move || {
            c3.fetch_add(1, Ordering::SeqCst);
            async {
                Ok(vec![
                    serde_json::from_value::<Root>(serde_json::json!({"uri": "file:///a"}))
                        .unwrap(),
                    serde_json::from_value::<Root>(
                        serde_json::json!({"uri": "file:///b", "name": "b"}),
                    )
                    .unwrap(),
                ])
            }
        })
}

#[tokio::test]
async fn callbacks_answer_input_requests_in_both_eras() {
    for choice in [
        VersionChoice::Fixed(ProtocolVersion::V2024_11_05),
        VersionChoice::Fixed(ProtocolVersion::V2025_11_25),
        VersionChoice::Auto,
    ] {
        let calls = Arc::new(AtomicUsize::new(0));
        let builder = answering(
            ClientSession::builder().protocol_version(choice),
            calls.clone(),
        );
        let (session, _server) = connect_with(Options::default(), builder).await;
        let v = session.protocol_version();

        assert_eq!(
            first_text(&session.call_tool("sample", ()).await.unwrap()),
            "sampled: sampled words",
            "{v}"
        );
        assert_eq!(
            first_text(&session.call_tool("roots", ()).await.unwrap()),
            "file:///a,file:///b",
            "{v}"
        );
        if v >= ProtocolVersion::V2025_06_18 {
            let asked = session.call_tool("ask_name", ()).await.unwrap();
            assert_eq!(first_text(&asked), "action=accept name=Ada", "{v}");
            let multi = session.call_tool("multi", ()).await.unwrap();
            assert_eq!(
                first_text(&multi),
                "name=Ada sample=sampled words roots=2",
                "{v}"
            );
            let all = session.call_tool("all_at_once", ()).await.unwrap();
            assert_eq!(
                first_text(&all),
                "name=Ada sample=sampled words roots=2",
                "{v}"
            );
            assert_eq!(calls.load(Ordering::SeqCst), 9, "{v}");
        }
    }
}

#[tokio::test]
async fn elicitation_defaults_fill_the_answer() {
    let builder = ClientSession::builder()
        .elicitation(|request| async move { Ok(accept_with_defaults(&request, [])) });
    for choice in [
        VersionChoice::Fixed(ProtocolVersion::V2025_11_25),
        VersionChoice::Auto,
    ] {
        let (session, _server) =
            connect_with(Options::default(), builder.clone().protocol_version(choice)).await;
        let asked = session.call_tool("ask_name", ()).await.unwrap();
        assert_eq!(first_text(&asked), "action=accept name=Anonymous");
    }
    let decline = ClientSession::builder()
        .elicitation(|_request| async { Ok(ElicitResult::new(ElicitResultAction::Decline)) });
    let (session, _server) = connect_with(Options::default(), decline).await;
    assert_eq!(
        first_text(&session.call_tool("ask_name", ()).await.unwrap()),
        "action=decline name=-"
    );
}

#[tokio::test]
async fn input_without_a_callback_fails_clearly() {
    let (session, _server) = connect(VersionChoice::Auto).await;
    let err = session.call_tool("sample", ()).await.unwrap_err();
    match &err {
        ClientError::MissingCallback { method, key } => {
            assert_eq!(method, "sampling/createMessage");
            assert_eq!(key, "sample");
        }
        other => panic!("{other}"),
    }
    // In the session era the server's own request fails with -32601, and the
    // tool reports that.
    let (session, _server) = connect(VersionChoice::Fixed(ProtocolVersion::V2025_11_25)).await;
    let err = session.call_tool("sample", ()).await.unwrap_err();
    assert!(
        err.rpc().unwrap().message.contains("Method not found"),
        "{err}"
    );
}

#[tokio::test]
async fn rounds_are_bounded() {
    let calls = Arc::new(AtomicUsize::new(0));
    let builder = answering(ClientSession::builder().max_input_rounds(2), calls);
    let (session, _server) = connect_with(Options::default(), builder).await;
    let err = session.call_tool("multi", ()).await.unwrap_err();
    assert!(matches!(err, ClientError::TooManyInputRounds(2)), "{err}");
    assert!(err.to_string().contains("more than 2 times"), "{err}");
}

#[tokio::test]
async fn a_failing_callback_fails_the_call() {
    let builder = ClientSession::builder().sampling(|_p| async {
        Err(mcp_types::ErrorObject::new(
            mcp_types::ErrorCode(-1),
            "the user refused",
        ))
    });
    let (session, _server) = connect_with(Options::default(), builder.clone()).await;
    let err = session.call_tool("sample", ()).await.unwrap_err();
    assert!(matches!(err, ClientError::Callback { .. }), "{err}");
    assert!(err.to_string().contains("the user refused"), "{err}");
    let (session, _server) = connect_with(
        Options::default(),
        builder.protocol_version(VersionChoice::Fixed(ProtocolVersion::V2025_11_25)),
    )
    .await;
    let err = session.call_tool("sample", ()).await.unwrap_err();
    assert!(err.to_string().contains("the user refused"), "{err}");
}
