//! `ClientSession` against the test server over the in-memory pair: both
//! eras, every typed method, Multi Round-Trip Requests, callbacks, limits and
//! groups.

#[path = "../support/mod.rs"]
mod support;

mod callbacks;
mod eras;
mod group;
mod limits;
mod methods;
mod mrtr;
