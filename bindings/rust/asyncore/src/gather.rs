//! asyncio.gather for Rust futures: run them as tasks, collect the results
//! in argument order.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, Result};
use crate::task::{current_cancelling, try_spawn, JoinHandle};

/// Runs every future as a task of the current loop (spawned now, in order)
/// and resolves to their results in the same order (asyncio.gather).
///
/// The first error is returned as soon as it is seen; the other tasks keep
/// running, as in asyncio. If the task awaiting the gather is cancelled,
/// every task not yet done is cancelled too.
pub fn gather<I, F, T>(futures: I) -> Gather<T>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let mut handles = Vec::new();
    for f in futures {
        match try_spawn(f) {
            Ok(h) => handles.push(h),
            Err(e) => return Gather { handles, results: Vec::new(), failed: Some(e) },
        }
    }
    Gather { results: Vec::new(), handles, failed: None }
}

/// The future of [`gather`].
pub struct Gather<T> {
    handles: Vec<JoinHandle<T>>,
    results: Vec<Option<T>>,
    failed: Option<Error>,
}

impl<T> Unpin for Gather<T> {}

impl<T: 'static> Future for Gather<T> {
    type Output = Result<Vec<T>>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>>> {
        let this = &mut *self;
        if let Some(e) = this.failed.take() {
            return Poll::Ready(Err(e));
        }
        if this.results.len() < this.handles.len() {
            this.results.resize_with(this.handles.len(), || None);
        }
        let mut pending = false;
        for i in 0..this.handles.len() {
            if this.results[i].is_some() {
                continue;
            }
            match Pin::new(&mut this.handles[i]).poll(cx) {
                Poll::Pending => pending = true,
                Poll::Ready(Ok(v)) => this.results[i] = Some(v),
                Poll::Ready(Err(e)) => {
                    if e.is_cancelled() && current_cancelling() > 0 {
                        // The awaiting task is being cancelled: cancel every
                        // child, as asyncio's gather does.
                        for h in &this.handles {
                            h.cancel();
                        }
                    }
                    this.handles.clear();
                    return Poll::Ready(Err(e));
                }
            }
        }
        if pending {
            return Poll::Pending;
        }
        this.handles.clear();
        Poll::Ready(Ok(this.results.drain(..).map(|r| r.unwrap()).collect()))
    }
}
