//! The Model Context Protocol client: [`ClientSession`] talks to one server in
//! either protocol era through one typed API; [`ClientSessionGroup`] puts
//! several together.
//!
//! ```no_run
//! use mcp_client::{ClientSession, sampled_text};
//!
//! # #[tokio::main] async fn main() -> mcp_client::Result<()> {
//! let session = ClientSession::builder()
//!     .sampling(|_request| async { Ok(sampled_text("my-model", "42")) })
//!     .spawn("my-mcp-server", ["--stdio"])
//!     .await?;
//! println!("connected to {:?} ({})", session.server_info(), session.protocol_version());
//! for tool in session.list_all_tools().await? {
//!     println!("tool: {}", tool.name);
//! }
//! let result = session.call_tool("add", serde_json::json!({"a": 1, "b": 2})).await?;
//! println!("{:?}", result.content);
//! session.close().await?;
//! # Ok(()) }
//! ```
//!
#![doc = include_str!("../docs/eras.md")]
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `child-process` | yes | `ClientSession::spawn`, `ClientSession::spawn_with`: a server as a child process |
//! | `http` | no | `ClientSession::connect_url`, `ClientSessionBuilder::connect_http`: Streamable HTTP servers, falling back to legacy HTTP+SSE (`ClientSessionBuilder::connect_sse`) |
//!
//! ## Pieces
//!
//! | item | what it is |
//! | --- | --- |
//! | [`ClientSession`], [`ClientSessionBuilder`] | one server: typed requests, callbacks, era handling |
//! | [`CallOptions`] | timeout, progress and `_meta` of one call |
//! | [`Subscription`], [`ServerNotification`] | a 2026-07-28 `subscriptions/listen` stream |
//! | [`ClientSessionGroup`], [`NamePolicy`] | several servers as one |
//! | [`accept_with_defaults`], [`sampled_text`] | helpers for answering elicitation and sampling |
//! | [`ClientError`] | what a call can end in |

mod builder;
mod cache;
mod callbacks;
mod closing;
mod elicit;
mod error;
mod group;
mod handshake;
#[cfg(feature = "http")]
mod legacy_sse;
mod listen;
mod methods;
mod mrtr;
mod service;
mod session;
mod tools;

#[doc(inline)]
pub use builder::{ClientSessionBuilder, VersionChoice};
#[doc(inline)]
pub use callbacks::CallbackResult;
#[doc(inline)]
pub use elicit::{accept_with_defaults, sampled_text};
#[doc(inline)]
pub use error::{ClientError, Result};
#[doc(inline)]
pub use group::{ClientSessionGroup, NamePolicy};
#[doc(inline)]
pub use listen::{ServerNotification, Subscription};
#[doc(inline)]
pub use mrtr::CallOptions;
#[doc(inline)]
pub use session::{ClientSession, WeakClientSession};
