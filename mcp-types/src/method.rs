//! The traits that tie a method name to its parameter and result types, and
//! the per-revision wire shape.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Meta, ProtocolVersion, Revisions};

/// A request method: its name, parameter type and result type.
///
/// Implemented by the generated request message types (`CallToolRequest`,
/// `InitializeRequest`, ...), so a method is named by its type:
///
/// ```
/// use mcp_types::{CallToolRequest, ProtocolVersion, RequestMethod};
///
/// assert_eq!(CallToolRequest::METHOD, "tools/call");
/// assert!(CallToolRequest::REVISIONS.contains(ProtocolVersion::V2024_11_05));
/// ```
pub trait RequestMethod: Send + Sync + 'static {
    /// The JSON-RPC method name.
    const METHOD: &'static str;
    /// The revisions that define this method.
    const REVISIONS: Revisions;
    /// The type of `params`.
    type Params: Serialize + DeserializeOwned + Revisioned + Send + Sync + 'static;
    /// The type of a successful `result`.
    type Result: Serialize + DeserializeOwned + Revisioned + Send + Sync + 'static;
}

/// A notification method: its name and parameter type.
pub trait NotificationMethod: Send + Sync + 'static {
    /// The JSON-RPC method name.
    const METHOD: &'static str;
    /// The revisions that define this notification.
    const REVISIONS: Revisions;
    /// The type of `params`.
    type Params: Serialize + DeserializeOwned + Revisioned + Send + Sync + 'static;
}

/// A value that can be trimmed to the exact wire shape of one revision.
///
/// Generated for every protocol type: fields that `version` does not define
/// are cleared, recursively, and a result's `resultType` (required from
/// 2026-07-28 on) is set to `"complete"` when unset. Values a peer sent that
/// the model does not know (each type's `extra` map, `_meta`) are left alone,
/// and so are union variants: a value must not use a variant that the
/// revision lacks (an audio content block for 2024-11-05, say).
///
/// ```
/// use mcp_types::{Implementation, ProtocolVersion, Revisioned};
///
/// let mut info = Implementation::new("demo", "1.0");
/// info.title = Some("Demo".into());
/// info.conform_to(ProtocolVersion::V2024_11_05); // `title` arrived in 2025-06-18
/// assert_eq!(info.title, None);
/// ```
pub trait Revisioned {
    /// Clears what `version` does not define.
    fn conform_to(&mut self, version: ProtocolVersion);
}

impl<T: Revisioned> Revisioned for Option<T> {
    fn conform_to(&mut self, version: ProtocolVersion) {
        if let Some(v) = self {
            v.conform_to(version);
        }
    }
}

impl<T: Revisioned> Revisioned for Vec<T> {
    fn conform_to(&mut self, version: ProtocolVersion) {
        for v in self {
            v.conform_to(version);
        }
    }
}

impl<T: Revisioned> Revisioned for Box<T> {
    fn conform_to(&mut self, version: ProtocolVersion) {
        (**self).conform_to(version);
    }
}

impl<T: Revisioned> Revisioned for BTreeMap<String, T> {
    fn conform_to(&mut self, version: ProtocolVersion) {
        for v in self.values_mut() {
            v.conform_to(version);
        }
    }
}

macro_rules! opaque {
    ($($ty:ty),*) => {$(
        impl Revisioned for $ty {
            fn conform_to(&mut self, _: ProtocolVersion) {}
        }
    )*};
}

opaque!(
    String,
    bool,
    i64,
    f64,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    Meta,
    crate::RequestId,
    ()
);
