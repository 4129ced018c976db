//! Tasks with error types of their own: [`fallible`] makes a future that
//! returns `Result<T, E>`, for any error type `E`, one that a task runs.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, Result};

/// `fut`, whose error (of any type) becomes this crate's [`Error`] by
/// [`Error::other`]: the task fails with it, and the awaiter of the task
/// gets it back with its source chain and the original error
/// ([`Error::downcast_ref`]).
///
/// ```no_run
/// #[derive(Debug)]
/// struct BadReply(String);
/// impl std::fmt::Display for BadReply {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         write!(f, "bad reply: {}", self.0)
///     }
/// }
/// impl std::error::Error for BadReply {}
///
/// async fn fetch() -> Result<u32, BadReply> {
///     Err(BadReply("nope".into()))
/// }
///
/// # asyncore::run(async {
/// let e = asyncore::spawn(asyncore::fallible(fetch())).await.unwrap_err();
/// assert_eq!(e.downcast_ref::<BadReply>().unwrap().0, "nope");
/// # Ok(()) }).unwrap();
/// ```
pub fn fallible<F, T, E>(fut: F) -> Fallible<F>
where
    F: Future<Output = std::result::Result<T, E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    Fallible { fut }
}

/// The future of [`fallible`].
#[must_use = "futures do nothing unless awaited"]
pub struct Fallible<F> {
    fut: F,
}

impl<F, T, E> Future for Fallible<F>
where
    F: Future<Output = std::result::Result<T, E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    type Output = Result<T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        // SAFETY: structural pinning of the only field.
        let fut = unsafe { self.map_unchecked_mut(|s| &mut s.fut) };
        fut.poll(cx).map(|r| r.map_err(Error::other))
    }
}
