//! Sealing of Multi Round-Trip `requestState`: the server's state travels
//! through the client and must come back unaltered.
//!
//! A sealed state is `base64url(json) "." base64url(HMAC-SHA256(key, json))`.
//! The key is random per server process unless one is given (servers behind a
//! load balancer share one, so any replica can open what another sealed).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::HandlerError;

/// The secret that seals and opens `requestState`.
#[derive(Clone)]
pub struct StateKey([u8; 32]);

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateKey(..)")
    }
}

impl StateKey {
    /// A key from the operating system's random source.
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        // Without an OS random source a fixed key would make states forgeable;
        // fall back to a key derived from the time and address space instead.
        if getrandom::fill(&mut key).is_err() {
            let seed = format!("{:?}{:p}", std::time::SystemTime::now(), &key);
            let mut mac = <Hmac<Sha256>>::new_from_slice(seed.as_bytes()).expect("any key length");
            mac.update(b"mcp request state");
            key.copy_from_slice(&mac.finalize().into_bytes());
        }
        StateKey(key)
    }

    /// A key from bytes the application manages.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        StateKey(key)
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256>>::new_from_slice(&self.0).expect("HMAC takes any key length")
    }

    /// Seals `state` into an opaque string.
    pub fn seal(&self, state: &Value) -> String {
        let json = state.to_string();
        let mut mac = self.mac();
        mac.update(json.as_bytes());
        let tag = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Opens a sealed string, refusing anything this key did not seal.
    pub fn open(&self, sealed: &str) -> Result<Value, HandlerError> {
        let tampered =
            || HandlerError::invalid_params("Invalid requestState: it failed its integrity check");
        let (body, tag) = sealed.split_once('.').ok_or_else(tampered)?;
        let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| tampered())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| tampered())?;
        let mut mac = self.mac();
        mac.update(&json);
        mac.verify_slice(&tag).map_err(|_| tampered())?;
        serde_json::from_slice(&json).map_err(|_| tampered())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seal_round_trips_and_detects_tampering() {
        let key = StateKey::random();
        let sealed = key.seal(&json!({"step": 2, "name": "Alice"}));
        assert_eq!(
            key.open(&sealed).unwrap(),
            json!({"step": 2, "name": "Alice"})
        );
        for bad in [
            format!("{sealed}-TAMPERED"),
            sealed.replacen('e', "f", 1),
            "garbage".to_owned(),
            String::new(),
        ] {
            let err = key.open(&bad).unwrap_err();
            assert!(err.to_string().contains("integrity"), "{bad}: {err}");
        }
        assert!(
            StateKey::random().open(&sealed).is_err(),
            "another key must not open it"
        );
    }
}
