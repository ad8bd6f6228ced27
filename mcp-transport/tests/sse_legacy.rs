//! Tests of the legacy HTTP+SSE transport (revision 2024-11-05): the client
//! against the server (features `sse-client` + `sse-server`), the client
//! against a hand-written endpoint, and the server's checks.

#![cfg(any(feature = "sse-client", feature = "sse-server"))]
#![allow(dead_code, unreachable_pub)]

#[cfg(feature = "sse-client")]
#[path = "sse_legacy/client.rs"]
mod client;
#[cfg(feature = "sse-server")]
#[path = "sse_legacy/server.rs"]
mod server;
