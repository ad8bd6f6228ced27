//! The checks every request passes before its body is read: DNS-rebinding
//! protection (`Host`, `Origin`), `Content-Type` and `Accept`.

use http::header::{ACCEPT, CONTENT_TYPE, HOST, ORIGIN};
use http::{HeaderMap, request::Parts};

use super::config::StreamableHttpConfig;

/// Why a request failed the DNS-rebinding checks.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Rebinding {
    /// The `Host` is missing or not allowed (HTTP 421).
    BadHost,
    /// The `Origin` is present and not allowed (HTTP 403).
    BadOrigin,
}

/// Splits `host[:port]` (or `[v6][:port]`) into the host and whether a port followed.
fn split_host(authority: &str) -> (&str, bool) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => (&authority[..=end], authority.len() > end + 1),
            None => (authority, false),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (host, true),
        _ => (authority, false),
    }
}

/// Whether `authority` (a `Host` value) matches an allowed entry: one without a
/// port matches any port, one with a port matches exactly.
pub(crate) fn host_allowed(allowed: &[String], authority: &str) -> bool {
    let (host, _) = split_host(authority);
    allowed.iter().any(|entry| {
        let (entry_host, entry_has_port) = split_host(entry);
        if entry_has_port {
            entry.eq_ignore_ascii_case(authority)
        } else {
            entry_host.eq_ignore_ascii_case(host)
        }
    })
}

fn origin_allowed(config: &StreamableHttpConfig, origin: &str) -> bool {
    origin_in(
        config.allowed_origins.as_deref(),
        &config.allowed_hosts,
        origin,
    )
}

/// Whether `origin` is allowed: listed in `origins` when there is a list,
/// otherwise an `http(s)` origin whose authority is an allowed host. Shared
/// with the legacy SSE server.
pub(crate) fn origin_in(origins: Option<&[String]>, hosts: &[String], origin: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    if let Some(list) = origins {
        return list
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin));
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        // `null` and other opaque origins.
        return false;
    };
    (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
        && !authority.contains('/')
        && host_allowed(hosts, authority)
}

/// The DNS-rebinding checks, when enabled.
pub(crate) fn check_rebinding(
    config: &StreamableHttpConfig,
    parts: &Parts,
) -> Result<(), Rebinding> {
    if !config.dns_rebinding_protection {
        return Ok(());
    }
    let host = match parts.headers.get(HOST) {
        Some(h) => h.to_str().ok(),
        None => parts.uri.authority().map(|a| a.as_str()),
    };
    if !host.is_some_and(|h| host_allowed(&config.allowed_hosts, h)) {
        return Err(Rebinding::BadHost);
    }
    if let Some(origin) = parts.headers.get(ORIGIN)
        && !origin.to_str().is_ok_and(|o| origin_allowed(config, o))
    {
        return Err(Rebinding::BadOrigin);
    }
    Ok(())
}

/// Whether the body is declared as `application/json` (parameters allowed).
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// Which of the two response types the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accept {
    /// `application/json`.
    pub(crate) json: bool,
    /// `text/event-stream`.
    pub(crate) sse: bool,
}

/// The `Accept` values MCP clients send, which say both types without
/// parameters: read without splitting and comparing media ranges.
const BOTH: [&[u8]; 2] = [
    b"application/json, text/event-stream",
    b"text/event-stream, application/json",
];

/// Reads `Accept`; a request without one accepts anything.
pub(crate) fn accept(headers: &HeaderMap) -> Accept {
    let both = Accept {
        json: true,
        sse: true,
    };
    let mut values = headers.get_all(ACCEPT).iter();
    match (values.next(), values.next()) {
        (None, _) => both,
        (Some(v), None) if BOTH.contains(&v.as_bytes()) => both,
        _ => media_ranges(headers),
    }
}

/// Reads every media range of every `Accept` value.
fn media_ranges(headers: &HeaderMap) -> Accept {
    let mut accept = Accept {
        json: false,
        sse: false,
    };
    for range in headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut params = range.split(';');
        let media = params.next().unwrap_or("").trim();
        let refused = params.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        let is = |s: &str| media.eq_ignore_ascii_case(s);
        accept.json |= is("application/json") || is("application/*") || is("*/*");
        accept.sse |= is("text/event-stream") || is("text/*") || is("*/*");
    }
    accept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> StreamableHttpConfig {
        StreamableHttpConfig::default()
    }

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().uri("/mcp");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn hosts_match_with_any_port() {
        let allowed = config().allowed_hosts;
        for ok in [
            "localhost",
            "localhost:3000",
            "LOCALHOST:1",
            "127.0.0.1:8080",
            "[::1]",
            "[::1]:9",
        ] {
            assert!(host_allowed(&allowed, ok), "{ok}");
        }
        for bad in [
            "evil.example.com",
            "localhost.evil.com",
            "127.0.0.2",
            "[::2]:80",
            "",
        ] {
            assert!(!host_allowed(&allowed, bad), "{bad}");
        }
        let exact = vec!["example.com:8443".to_owned()];
        assert!(host_allowed(&exact, "example.com:8443"));
        assert!(!host_allowed(&exact, "example.com:8444"));
        assert!(!host_allowed(&exact, "example.com"));
    }

    #[test]
    fn rebinding_checks() {
        let c = config();
        assert_eq!(
            check_rebinding(&c, &parts(&[("host", "localhost:1")])),
            Ok(())
        );
        assert_eq!(
            check_rebinding(&c, &parts(&[("host", "evil.example.com")])),
            Err(Rebinding::BadHost)
        );
        assert_eq!(check_rebinding(&c, &parts(&[])), Err(Rebinding::BadHost));
        assert_eq!(
            check_rebinding(
                &c,
                &parts(&[("host", "localhost:1"), ("origin", "http://localhost:1")])
            ),
            Ok(())
        );
        for origin in [
            "http://evil.example.com",
            "null",
            "file://",
            "http://localhost/x",
        ] {
            assert_eq!(
                check_rebinding(&c, &parts(&[("host", "localhost"), ("origin", origin)])),
                Err(Rebinding::BadOrigin),
                "{origin}"
            );
        }
        let listed = config().allowed_origins(["https://app.example.com"]);
        assert_eq!(
            check_rebinding(
                &listed,
                &parts(&[("host", "localhost"), ("origin", "https://app.example.com")])
            ),
            Ok(())
        );
        let off = config().dns_rebinding_protection(false);
        assert_eq!(check_rebinding(&off, &parts(&[("host", "evil")])), Ok(()));
    }

    #[test]
    fn content_type_and_accept() {
        assert!(is_json(
            &parts(&[("content-type", "application/json")]).headers
        ));
        assert!(is_json(
            &parts(&[("content-type", "Application/JSON; charset=utf-8")]).headers
        ));
        assert!(!is_json(&parts(&[("content-type", "text/plain")]).headers));
        assert!(!is_json(&parts(&[]).headers));

        let a = |v: &str| accept(&parts(&[("accept", v)]).headers);
        assert_eq!(
            a("application/json, text/event-stream"),
            Accept {
                json: true,
                sse: true
            }
        );
        assert_eq!(
            a("text/event-stream"),
            Accept {
                json: false,
                sse: true
            }
        );
        assert_eq!(
            a("application/json;q=0.9"),
            Accept {
                json: true,
                sse: false
            }
        );
        assert_eq!(
            a("*/*"),
            Accept {
                json: true,
                sse: true
            }
        );
        assert_eq!(
            a("text/html"),
            Accept {
                json: false,
                sse: false
            }
        );
        assert_eq!(
            a("application/json;q=0, text/*"),
            Accept {
                json: false,
                sse: true
            }
        );
        assert_eq!(
            accept(&parts(&[]).headers),
            Accept {
                json: true,
                sse: true
            }
        );
    }

    #[test]
    fn the_usual_values_read_as_their_media_ranges_do() {
        for usual in BOTH {
            let value = std::str::from_utf8(usual).unwrap();
            let headers = parts(&[("accept", value)]).headers;
            assert_eq!(accept(&headers), media_ranges(&headers), "{value}");
        }
        // Two values, one of them usual: every range counts.
        let headers = parts(&[
            ("accept", "application/json, text/event-stream"),
            ("accept", "text/event-stream;q=0"),
        ])
        .headers;
        assert_eq!(accept(&headers), media_ranges(&headers));
        assert!(accept(&headers).json && accept(&headers).sse);
    }
}
