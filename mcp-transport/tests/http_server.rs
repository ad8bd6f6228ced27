//! Tests of the Streamable HTTP server transport (feature `http-server`): a
//! fake engine behind a real socket, driven by a real HTTP client.

#![cfg(feature = "http-server")]
#![allow(dead_code, unreachable_pub)]

#[path = "http_server/axum_mount.rs"]
mod axum_mount;
#[path = "http_server/common.rs"]
mod common;
#[path = "http_server/guard.rs"]
mod guard;
#[path = "http_server/session.rs"]
mod session;
#[path = "http_server/stateless.rs"]
mod stateless;
