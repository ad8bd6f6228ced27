//! Protocol revisions: [`ProtocolVersion`] and sets of revisions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A released revision of the Model Context Protocol.
///
/// Revisions are ordered by release date, so `<`/`>` compare them:
///
/// ```
/// use mcp_types::ProtocolVersion;
///
/// let v: ProtocolVersion = "2025-06-18".parse().unwrap();
/// assert!(v < ProtocolVersion::LATEST);
/// assert!(!v.is_stateless());
/// assert_eq!(v.to_string(), "2025-06-18");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// `2024-11-05`: the first release (stdio and HTTP+SSE).
    V2024_11_05,
    /// `2025-03-26`: Streamable HTTP, batching, audio, tool annotations, OAuth.
    V2025_03_26,
    /// `2025-06-18`: structured tool output, elicitation, resource links; no batching.
    V2025_06_18,
    /// `2025-11-25`: tasks, URL elicitation, icons, sampling with tools.
    V2025_11_25,
    /// `2026-07-28`: the stateless era (no handshake, Multi Round-Trip Requests).
    V2026_07_28,
}

impl ProtocolVersion {
    /// Every revision, oldest first.
    pub const ALL: [ProtocolVersion; 5] = [
        Self::V2024_11_05,
        Self::V2025_03_26,
        Self::V2025_06_18,
        Self::V2025_11_25,
        Self::V2026_07_28,
    ];

    /// The newest revision.
    pub const LATEST: ProtocolVersion = Self::V2026_07_28;

    /// The newest revision of the session era (with the `initialize` handshake).
    pub const LATEST_SESSION: ProtocolVersion = Self::V2025_11_25;

    /// The version a Streamable HTTP server assumes when a request carries no
    /// `MCP-Protocol-Version` header.
    pub const HTTP_DEFAULT: ProtocolVersion = Self::V2025_03_26;

    /// The revision's date string, as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V2024_11_05 => "2024-11-05",
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
        }
    }

    /// Looks a revision up by its date string; `None` for unknown strings.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The position of this revision in [`ProtocolVersion::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether this revision belongs to the stateless era (no `initialize`
    /// handshake; version and capabilities travel in every request's `_meta`).
    pub const fn is_stateless(self) -> bool {
        matches!(self, Self::V2026_07_28)
    }

    /// Whether JSON-RPC batch arrays are allowed (2025-03-26 only).
    pub const fn supports_batch(self) -> bool {
        matches!(self, Self::V2025_03_26)
    }

    /// The negotiation rule of the session era: the requested revision when
    /// the server supports it, otherwise the newest session-era revision
    /// the server supports.
    ///
    /// ```
    /// use mcp_types::ProtocolVersion;
    ///
    /// assert_eq!(
    ///     ProtocolVersion::negotiate("2025-03-26"),
    ///     ProtocolVersion::V2025_03_26
    /// );
    /// assert_eq!(ProtocolVersion::negotiate("1999-01-01"), ProtocolVersion::LATEST_SESSION);
    /// ```
    pub fn negotiate(requested: &str) -> ProtocolVersion {
        match Self::parse(requested) {
            Some(v) if !v.is_stateless() => v,
            _ => Self::LATEST_SESSION,
        }
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown revision string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown MCP protocol version `{0}`")]
pub struct UnknownProtocolVersion(pub String);

impl FromStr for ProtocolVersion {
    type Err = UnknownProtocolVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownProtocolVersion(s.to_owned()))
    }
}

impl Serialize for ProtocolVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProtocolVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A set of revisions, used by the generated code to say where a field,
/// type or method exists.
///
/// ```
/// use mcp_types::{ProtocolVersion, Revisions};
///
/// let since = Revisions::since(ProtocolVersion::V2025_06_18);
/// assert!(since.contains(ProtocolVersion::V2026_07_28));
/// assert!(!since.contains(ProtocolVersion::V2025_03_26));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Revisions(u8);

impl Revisions {
    /// Every revision.
    pub const ALL: Revisions = Revisions(0b1_1111);

    /// The set with the bits given, bit `i` standing for `ProtocolVersion::ALL[i]`.
    pub const fn from_bits(bits: u8) -> Self {
        Revisions(bits & Self::ALL.0)
    }

    /// The bits of this set.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The revisions from `first` on.
    pub const fn since(first: ProtocolVersion) -> Self {
        Revisions(Self::ALL.0 & !((1u8 << first.index()) - 1))
    }

    /// Whether `version` is in the set.
    pub const fn contains(self, version: ProtocolVersion) -> bool {
        self.0 & (1 << version.index()) != 0
    }

    /// The revisions of the set, oldest first.
    pub fn iter(self) -> impl Iterator<Item = ProtocolVersion> {
        ProtocolVersion::ALL
            .into_iter()
            .filter(move |v| self.contains(*v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_ordered_and_round_trip() {
        for pair in ProtocolVersion::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
        }
        for v in ProtocolVersion::ALL {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<ProtocolVersion>(&json).unwrap(), v);
        }
        let err = serde_json::from_str::<ProtocolVersion>("\"2020-01-01\"").unwrap_err();
        assert!(err.to_string().contains("unknown MCP protocol version"));
    }

    #[test]
    fn negotiation_picks_requested_or_latest_session() {
        assert_eq!(
            ProtocolVersion::negotiate("2024-11-05"),
            ProtocolVersion::V2024_11_05
        );
        assert_eq!(
            ProtocolVersion::negotiate("2026-07-28"),
            ProtocolVersion::V2025_11_25
        );
    }

    #[test]
    fn revision_sets() {
        let s = Revisions::since(ProtocolVersion::V2025_11_25);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![ProtocolVersion::V2025_11_25, ProtocolVersion::V2026_07_28]
        );
        assert_eq!(
            Revisions::since(ProtocolVersion::V2024_11_05),
            Revisions::ALL
        );
    }
}
