//! Streamable HTTP: the server transport of the Model Context Protocol over HTTP.
//!
#![doc = include_str!("docs/streamable-http.md")]

mod body;
mod config;
mod event_store;
pub(crate) mod guard;
mod handler;
mod headers;
mod peek;
mod response;
mod router;
mod server;
mod service;
mod session;
mod session_transport;
mod sse;
mod stateless;
mod table;

#[doc(inline)]
pub use body::ResponseBody;
#[doc(inline)]
pub use config::{HeaderValidator, StreamableHttpConfig};
#[doc(inline)]
pub use event_store::{
    EventId, EventLog, EventStore, InMemoryEventStore, InvalidEventId, STANDALONE_STREAM,
};
#[doc(inline)]
pub use handler::{Answer, SessionHandler};
#[doc(inline)]
pub use headers::{
    HeaderValueError, LAST_EVENT_ID, MCP_METHOD, MCP_NAME, MCP_PARAM_PREFIX, MCP_PROTOCOL_VERSION,
    MCP_SESSION_ID, decode_header_value, encode_header_value, encode_param_value,
    header_matches_value, needs_encoding,
};
#[doc(inline)]
pub use server::{HttpServer, serve_http};
#[doc(inline)]
pub use service::{ResponseFuture, StreamableHttpService};
#[doc(inline)]
pub use session_transport::{SessionReader, SessionTransport, SessionWriter};
