//! Tests of the Streamable HTTP client transport (feature `http-client`)
//! against hand-written HTTP servers on real sockets, and against this crate's
//! own Streamable HTTP server when feature `http-server` is on too.

#![cfg(feature = "http-client")]
#![allow(dead_code, unreachable_pub)]

#[path = "http_client/errors.rs"]
mod errors;
#[path = "http_client/mock.rs"]
mod mock;
#[path = "http_client/real_server.rs"]
mod real_server;
#[path = "http_client/resume.rs"]
mod resume;
#[path = "http_client/session.rs"]
mod session;
#[path = "http_client/stateless.rs"]
mod stateless;
