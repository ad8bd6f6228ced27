//! Streamable HTTP: the client transport of the Model Context Protocol over HTTP.
//!
#![doc = include_str!("docs/streamable-http-client.md")]

mod builder;
mod client;
mod error;
mod headers;
mod hooks;
mod message;
mod post;
mod renew;
mod shared;
mod slots;
pub(crate) mod sse;
mod stream;

#[doc(inline)]
pub use builder::StreamableHttpClientBuilder;
#[doc(inline)]
pub use client::{HttpClientHandle, HttpClientReader, HttpClientWriter, StreamableHttpClient};
#[doc(inline)]
pub use error::{HTTP_TRANSPORT_ERROR, HttpClientError, SessionExpired, is_session_expired};
#[doc(inline)]
pub use headers::{InvalidToolHeader, ParamHeader, ToolHeaders, X_MCP_HEADER, encode_header_value};

#[cfg(feature = "sse-client")]
pub(crate) use builder::parse_url;
#[cfg(feature = "sse-client")]
pub(crate) use error::{connect_error, excerpt, status_error};
#[cfg(feature = "sse-client")]
pub(crate) use post::read_limited;
#[cfg(feature = "sse-client")]
pub(crate) use shared::{HttpClient, http_client};
#[cfg(feature = "sse-client")]
pub(crate) use slots::Slots;
#[cfg(feature = "sse-client")]
pub(crate) use stream::is_event_stream;
