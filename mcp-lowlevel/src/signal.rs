//! A one-shot signal that costs nothing until someone waits for it.
//!
//! Every connection, and every stateless request, has a [`Peer`](crate::Peer)
//! and a [`Session`](crate::Session), each with an event others may wait for
//! (the connection closing, the handshake completing). Few ever wait; a
//! cancellation token made up front would be an allocation per stateless
//! request for nothing. Here the token is made by the first waiter.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio_util::sync::CancellationToken;

/// An event that happens once: [`fire`](Signal::fire) it, or
/// [`wait`](Signal::wait) for it.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    fired: AtomicBool,
    waiters: OnceLock<CancellationToken>,
}

impl Signal {
    /// Marks the event as happened and wakes whoever waits.
    pub(crate) fn fire(&self) {
        // Set before the token is read: a waiter that made its token after
        // this read sees the flag (see `wait`).
        self.fired.store(true, Ordering::SeqCst);
        if let Some(token) = self.waiters.get() {
            token.cancel();
        }
    }

    /// Whether the event has happened.
    pub(crate) fn has_fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }

    /// Resolves once the event has happened (at once if it has).
    pub(crate) async fn wait(&self) {
        // The token exists before the flag is read: either `fire` finds the
        // token and cancels it, or this reads the flag `fire` set.
        let token = self.waiters.get_or_init(CancellationToken::new);
        if self.has_fired() {
            return;
        }
        token.cancelled().await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_waiter_wakes_when_the_signal_fires() {
        let signal = Arc::new(Signal::default());
        let waiting = tokio::spawn({
            let signal = signal.clone();
            async move { signal.wait().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished() && !signal.has_fired());
        signal.fire();
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the waiter woke")
            .unwrap();
    }

    #[tokio::test]
    async fn waiting_after_the_fire_returns_at_once_and_without_a_token_before() {
        let signal = Signal::default();
        signal.fire();
        assert!(signal.waiters.get().is_none(), "no waiter, no token");
        tokio::time::timeout(Duration::from_secs(5), signal.wait())
            .await
            .expect("resolved at once");
    }

    #[test]
    fn racing_fire_and_wait_never_loses_the_wake_up() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            for _ in 0..500 {
                let signal = Arc::new(Signal::default());
                let waiter = tokio::spawn({
                    let signal = signal.clone();
                    async move { signal.wait().await }
                });
                let firer = tokio::spawn({
                    let signal = signal.clone();
                    async move { signal.fire() }
                });
                firer.await.unwrap();
                tokio::time::timeout(Duration::from_secs(5), waiter)
                    .await
                    .expect("the wake-up was not lost")
                    .unwrap();
            }
        });
    }
}
