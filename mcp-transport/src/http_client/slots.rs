//! [`Slots`]: the bound on messages in flight that a writer `Sink` waits on.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A writer's share of a semaphore: `poll_ready` waits for a slot, each sent
/// message takes it along to its task and frees it when done.
pub(crate) struct Slots {
    semaphore: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
    acquiring: Option<Pin<Box<dyn Future<Output = Option<OwnedSemaphorePermit>> + Send>>>,
}

impl Slots {
    /// `n` slots.
    pub(crate) fn new(n: usize) -> Self {
        Slots {
            semaphore: Arc::new(Semaphore::new(n)),
            permit: None,
            acquiring: None,
        }
    }

    /// Waits for a free slot; `false` when the semaphore is closed.
    pub(crate) fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        if self.permit.is_some() {
            return Poll::Ready(true);
        }
        if self.acquiring.is_none() {
            if let Ok(permit) = self.semaphore.clone().try_acquire_owned() {
                self.permit = Some(permit);
                return Poll::Ready(true);
            }
            let semaphore = self.semaphore.clone();
            self.acquiring = Some(Box::pin(
                async move { semaphore.acquire_owned().await.ok() },
            ));
        }
        let Some(acquiring) = self.acquiring.as_mut() else {
            return Poll::Pending;
        };
        match acquiring.as_mut().poll(cx) {
            Poll::Ready(permit) => {
                self.acquiring = None;
                self.permit = permit;
                Poll::Ready(self.permit.is_some())
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// The slot `poll_ready` secured, or a free one if the caller skipped it.
    pub(crate) fn take(&mut self) -> Option<OwnedSemaphorePermit> {
        self.permit
            .take()
            .or_else(|| self.semaphore.clone().try_acquire_owned().ok())
    }
}
