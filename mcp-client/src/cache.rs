//! Caching of list results by the hints of 2026-07-28 (`ttlMs`,
//! `cacheScope`): a page is kept for `ttlMs` and dropped when the server says
//! the list changed.
//!
//! Both scopes are cached: the cache belongs to one session, so a `"private"`
//! answer is never shared with another user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::service::lock;

/// The most pages kept at once; beyond it the cache is emptied first.
const MAX_ENTRIES: usize = 256;

#[derive(Debug)]
struct Entry {
    expires: Instant,
    raw: Arc<str>,
}

/// Raw list results, by method and cursor.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    entries: Mutex<HashMap<(&'static str, Option<String>), Entry>>,
}

impl ListCache {
    /// The cached page, if it is still fresh.
    pub(crate) fn get(&self, method: &'static str, cursor: Option<&str>) -> Option<Arc<str>> {
        let mut entries = lock(&self.entries);
        let key = (method, cursor.map(str::to_owned));
        match entries.get(&key) {
            Some(e) if e.expires > Instant::now() => Some(e.raw.clone()),
            Some(_) => {
                entries.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Keeps a page for `ttl_ms` milliseconds; a missing, zero or negative
    /// TTL keeps nothing.
    pub(crate) fn put(
        &self,
        method: &'static str,
        cursor: Option<&str>,
        raw: &str,
        ttl_ms: Option<i64>,
    ) {
        let Some(ttl) = ttl_ms.filter(|t| *t > 0) else {
            return;
        };
        let Some(expires) = Instant::now().checked_add(Duration::from_millis(ttl as u64)) else {
            return;
        };
        let mut entries = lock(&self.entries);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            (method, cursor.map(str::to_owned)),
            Entry {
                expires,
                raw: raw.into(),
            },
        );
    }

    /// Drops every page of `method`.
    pub(crate) fn invalidate(&self, method: &str) {
        lock(&self.entries).retain(|(m, _), _| *m != method);
    }

    /// Drops everything.
    pub(crate) fn clear(&self) {
        lock(&self.entries).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_pages_for_their_ttl_and_drops_them_on_invalidation() {
        let cache = ListCache::default();
        cache.put("tools/list", None, "{\"tools\":[]}", Some(60_000));
        cache.put("tools/list", Some("2"), "{\"tools\":[1]}", Some(60_000));
        cache.put("prompts/list", None, "{}", Some(0));
        cache.put("resources/list", None, "{}", None);
        assert_eq!(
            cache.get("tools/list", None).as_deref(),
            Some("{\"tools\":[]}")
        );
        assert_eq!(
            cache.get("tools/list", Some("2")).as_deref(),
            Some("{\"tools\":[1]}")
        );
        assert!(
            cache.get("prompts/list", None).is_none(),
            "ttlMs 0 is not cached"
        );
        assert!(
            cache.get("resources/list", None).is_none(),
            "no ttlMs is not cached"
        );
        cache.invalidate("tools/list");
        assert!(cache.get("tools/list", None).is_none());
        cache.put("tools/list", None, "{}", Some(1));
        std::thread::sleep(Duration::from_millis(5));
        assert!(cache.get("tools/list", None).is_none(), "expired");
    }
}
