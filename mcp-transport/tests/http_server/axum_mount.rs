//! The service mounted in an axum router, under a tower-http layer.

use axum::Router;
use http::StatusCode;
use mcp_transport::http::{SessionTransport, StreamableHttpService};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::common::*;

#[tokio::test]
async fn nested_in_axum_with_trace_layer() {
    let (log, _events) = tokio::sync::mpsc::unbounded_channel();
    let service =
        StreamableHttpService::new(move |t: SessionTransport| echo_engine(t, log.clone()));
    let app = Router::new()
        .nest_service("/mcp", service)
        .layer(TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut params = json!({});
    params["_meta"] = meta_2026();
    let mut reply = send(post_2026(addr, "quick", None), rpc(1, "quick", params)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json().await["id"], 1);

    // The session era works through axum as well.
    let session = initialize(addr, "2025-11-25").await;
    assert!(!session.is_empty());
    server.abort();
}
