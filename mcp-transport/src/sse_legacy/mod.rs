//! The deprecated HTTP+SSE transport of revision 2024-11-05, for peers that
//! predate Streamable HTTP.
//!
//! The client opens a long-lived `GET` of the server's SSE endpoint; the
//! server's first event, `endpoint`, names the URI where the client `POST`s
//! each of its messages (answered with `202 Accepted`); every server message
//! arrives on the SSE stream as a `message` event. The session lives as long
//! as the `GET` stream.
//!
//! | | type | feature |
//! | --- | --- | --- |
//! | client | [`SseClient`] (a [`Transport`](crate::Transport)) | `sse-client` |
//! | server | [`SseServerService`] (a `tower::Service<http::Request<B>>`) | `sse-server` |
//!
//! The server runs the same [`SessionHandler`](crate::http::SessionHandler)
//! as the Streamable HTTP server, once per SSE connection, so one engine can
//! serve both transports side by side (the specification's advice for
//! servers that keep old clients working):
//!
//! ```no_run
//! # #[cfg(feature = "sse-server")]
//! # async fn f() -> std::io::Result<()> {
//! use mcp_transport::http::{HttpServer, SessionTransport};
//! use mcp_transport::sse_legacy::{SseServerConfig, SseServerService};
//!
//! let service = SseServerService::with_config(
//!     |transport: SessionTransport| async move {
//!         // Run the protocol engine on `transport` here.
//!         drop(transport);
//!     },
//!     SseServerConfig::default().sse_path("/sse").messages_path("/messages"),
//! );
//! HttpServer::bind("127.0.0.1:8000").await?.serve(service).await
//! # }
//! ```
//!
//! And the client:
//!
//! ```no_run
//! # #[cfg(feature = "sse-client")]
//! # async fn f() -> Result<(), mcp_transport::TransportError> {
//! use mcp_transport::Transport;
//! use mcp_transport::sse_legacy::SseClient;
//!
//! let client = SseClient::connect("http://127.0.0.1:8000/sse").await?;
//! println!("posting to {}", client.endpoint());
//! let (reader, writer) = client.split();
//! # drop((reader, writer)); Ok(()) }
//! ```

// The links to the other side's types resolve when both features are on (as on docs.rs).
#![cfg_attr(
    not(all(feature = "sse-client", feature = "sse-server")),
    allow(rustdoc::broken_intra_doc_links)
)]

#[cfg(feature = "sse-client")]
mod client;
#[cfg(feature = "sse-server")]
mod config;
#[cfg(feature = "sse-server")]
mod guard;
#[cfg(feature = "sse-server")]
mod server;
#[cfg(feature = "sse-server")]
mod session;

#[cfg(feature = "sse-client")]
#[doc(inline)]
pub use client::{SseClient, SseClientBuilder, SseClientReader, SseClientWriter};
#[cfg(feature = "sse-server")]
#[doc(inline)]
pub use config::SseServerConfig;
#[cfg(feature = "sse-server")]
#[doc(inline)]
pub use server::{SseResponseFuture, SseServerService};
#[cfg(feature = "sse-server")]
#[doc(inline)]
pub use session::SseResponseBody;
