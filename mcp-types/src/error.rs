//! JSON-RPC and MCP error codes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ProtocolVersion;

/// A JSON-RPC error code: an open set, so that MCP's own codes and an
/// application's fit beside the standard ones.
///
/// ```
/// use mcp_types::{ErrorCode, ProtocolVersion};
///
/// assert_eq!(ErrorCode::resource_not_found(ProtocolVersion::V2025_11_25).0, -32002);
/// assert_eq!(ErrorCode::resource_not_found(ProtocolVersion::V2026_07_28).0, -32602);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i32);

impl ErrorCode {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: ErrorCode = ErrorCode(-32700);
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: ErrorCode = ErrorCode(-32600);
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: ErrorCode = ErrorCode(-32601);
    /// Invalid method parameters.
    pub const INVALID_PARAMS: ErrorCode = ErrorCode(-32602);
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: ErrorCode = ErrorCode(-32603);
    /// Resource not found, session era (2024-11-05 to 2025-11-25); 2026-07-28
    /// uses [`ErrorCode::INVALID_PARAMS`] instead.
    pub const RESOURCE_NOT_FOUND: ErrorCode = ErrorCode(-32002);
    /// URL elicitation required (2025-11-25 only; retired in 2026-07-28).
    pub const URL_ELICITATION_REQUIRED: ErrorCode = ErrorCode(-32042);
    /// An HTTP header disagrees with the body (2026-07-28).
    pub const HEADER_MISMATCH: ErrorCode = ErrorCode(-32020);
    /// The request needs a client capability that it did not declare (2026-07-28).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: ErrorCode = ErrorCode(-32021);
    /// The request's protocol version is not supported (2026-07-28).
    pub const UNSUPPORTED_PROTOCOL_VERSION: ErrorCode = ErrorCode(-32022);

    /// The code a server answers an unknown resource with in `version`.
    pub const fn resource_not_found(version: ProtocolVersion) -> ErrorCode {
        if version.is_stateless() {
            Self::INVALID_PARAMS
        } else {
            Self::RESOURCE_NOT_FOUND
        }
    }

    /// The MCP-specific codes that `version` defines, beside JSON-RPC's
    /// standard -32700 and -32600 to -32603.
    pub fn mcp_codes(version: ProtocolVersion) -> &'static [ErrorCode] {
        match version {
            ProtocolVersion::V2024_11_05
            | ProtocolVersion::V2025_03_26
            | ProtocolVersion::V2025_06_18 => &[Self::RESOURCE_NOT_FOUND],
            ProtocolVersion::V2025_11_25 => {
                &[Self::RESOURCE_NOT_FOUND, Self::URL_ELICITATION_REQUIRED]
            }
            ProtocolVersion::V2026_07_28 => &[
                Self::HEADER_MISMATCH,
                Self::MISSING_REQUIRED_CLIENT_CAPABILITY,
                Self::UNSUPPORTED_PROTOCOL_VERSION,
            ],
        }
    }

    /// Maps a code to the one `version` uses for the same condition (today:
    /// resource-not-found, -32002 before 2026-07-28 and -32602 after).
    pub fn for_version(self, version: ProtocolVersion) -> ErrorCode {
        if self == Self::RESOURCE_NOT_FOUND {
            Self::resource_not_found(version)
        } else {
            self
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<i32> for ErrorCode {
    fn from(code: i32) -> Self {
        ErrorCode(code)
    }
}
