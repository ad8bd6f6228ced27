//! Runnable examples of the Model Context Protocol SDK: each program lives in
//! `examples/` and runs with `cargo run --example <name>`; `tests/` drives each
//! of them through a real client.
