//! DNS-rebinding protection of the legacy server (`Host` and `Origin`, with
//! the same rules as the Streamable HTTP server's) and session ids.

use http::header::{HOST, ORIGIN};
use http::request::Parts;

use super::config::SseServerConfig;

/// Why a request failed the checks.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// `Host` missing or not allowed (421).
    Host,
    /// `Origin` present and not allowed (403).
    Origin,
}

fn host_allowed(allowed: &[String], authority: &str) -> bool {
    crate::http::guard::host_allowed(allowed, authority)
}

fn origin_allowed(config: &SseServerConfig, origin: &str) -> bool {
    crate::http::guard::origin_in(
        config.allowed_origins.as_deref(),
        &config.allowed_hosts,
        origin,
    )
}

/// The `Host` and `Origin` checks, when enabled.
pub(crate) fn check(config: &SseServerConfig, parts: &Parts) -> Result<(), Refused> {
    if !config.dns_rebinding_protection {
        return Ok(());
    }
    let host = match parts.headers.get(HOST) {
        Some(h) => h.to_str().ok(),
        None => parts.uri.authority().map(|a| a.as_str()),
    };
    if !host.is_some_and(|h| host_allowed(&config.allowed_hosts, h)) {
        return Err(Refused::Host);
    }
    if let Some(origin) = parts.headers.get(ORIGIN)
        && !origin.to_str().is_ok_and(|o| origin_allowed(config, o))
    {
        return Err(Refused::Origin);
    }
    Ok(())
}

/// A new session id: 128 random bits in lowercase hex.
pub(crate) fn new_session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().uri("/sse");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn checks() {
        let c = SseServerConfig::default();
        assert_eq!(check(&c, &parts(&[("host", "127.0.0.1:8000")])), Ok(()));
        assert_eq!(check(&c, &parts(&[("host", "[::1]:8000")])), Ok(()));
        assert_eq!(
            check(&c, &parts(&[("host", "evil.example")])),
            Err(Refused::Host)
        );
        assert_eq!(check(&c, &parts(&[])), Err(Refused::Host));
        let bad_origin = parts(&[("host", "localhost"), ("origin", "http://evil.example")]);
        assert_eq!(check(&c, &bad_origin), Err(Refused::Origin));
        let good_origin = parts(&[("host", "localhost"), ("origin", "http://localhost:3000")]);
        assert_eq!(check(&c, &good_origin), Ok(()));
        let listed = SseServerConfig::default().allowed_origins(["https://app.example"]);
        let p = parts(&[("host", "localhost"), ("origin", "https://app.example/")]);
        assert_eq!(check(&listed, &p), Ok(()));
        let off = SseServerConfig::default().dns_rebinding_protection(false);
        assert_eq!(check(&off, &parts(&[("host", "evil")])), Ok(()));
    }

    #[test]
    fn session_ids() {
        let a = new_session_id().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_session_id().unwrap());
    }
}
