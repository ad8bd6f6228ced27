//! The Model Context Protocol engine: a router from method to handler that is
//! a `tower::Service`, the connection engine that drives it over any
//! transport, and the protocol's fixed parts for both eras.
//!
//! ```
//! use mcp_lowlevel::{HandlerError, RequestContext, Server};
//! use mcp_types::{CallToolRequest, CallToolResult, ContentBlock, Implementation};
//!
//! # async fn run() -> Result<(), mcp_lowlevel::BoxError> {
//! let server = Server::new(Implementation::new("echo", "1.0.0"))
//!     .request::<CallToolRequest, _, _>(|_ctx: RequestContext<()>, params| async move {
//!         let text = params.name;
//!         Ok::<_, HandlerError>(CallToolResult::success(vec![ContentBlock::text(text)]))
//!     });
//! # let (client_end, server_end) = mcp_transport::memory::pair();
//! # drop(client_end);
//! server.serve(server_end).await?;
//! # Ok(()) }
//! ```
//!
//! | piece | what it is |
//! | --- | --- |
//! | [`Router`], [`RouterService`] | method table and its `tower::Service` over [`Incoming`] |
//! | [`Server`], [`RunningServer`] | handshake, `ping`, `logging/setLevel`, `server/discover`, capabilities, lifespan |
//! | [`Connection`], [`serve`] | the engine: reads a transport, runs the service, writes answers |
//! | [`answer`] | one message answered without a connection (a 2026-07-28 `POST`) |
//! | [`Peer`] | sends requests and notifications to the other side |
//! | [`RequestContext`] | what a handler knows: id, `_meta`, version, client, peer, state |
//! | [`memory`] | an in-memory client/server pair for tests |
//! | [`tasks`] | server-side tasks: the engine, its store, both eras' wire shapes |

mod answer;
mod connection;
mod context;
mod error;
mod finish;
mod head;
pub mod memory;
mod mrtr;
mod notify;
mod peer;
mod router;
mod server;
mod service;
mod session;
mod signal;
pub mod tasks;

pub use answer::{AnswerStream, answer};
pub use connection::{Connection, ConnectionConfig, serve};
pub use context::{NotificationContext, RequestContext};
pub use error::{HandlerError, PeerError};
pub use mrtr::StateKey;
pub use notify::{ChangeEvent, Notifier};
pub use peer::{Peer, PeerConfig, RequestOptions};
pub use router::{CacheHint, Role, Router, RouterConfig, RouterService};
pub use server::{ListChanged, RunningServer, Server};
pub use service::{BoxError, Incoming, IncomingMessage, McpService};
pub use session::{ClientHello, Session};
pub use tokio_util::sync::CancellationToken;
