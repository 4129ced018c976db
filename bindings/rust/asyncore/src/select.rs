//! Racing futures: [`select`] of two futures of any types, [`race`] of
//! many of one type, and the [`select!`](crate::select) macro over them.
//!
//! The first future to finish wins; the others are dropped at once, before
//! the winner's output is returned. Dropping an operation of this crate
//! undoes what it had not handed over yet: a lock or permit granted but
//! not read is released, a pending queue operation is withdrawn, a
//! [`Receiver::recv`](crate::Receiver::recv) that already took a message
//! gives it back to the receiver, so the next `recv` returns it.
//! (asyncio: `asyncio.wait(..., return_when=FIRST_COMPLETED)` then
//! cancelling the others.)
//!
//! The futures are polled in the order given, so when several are ready in
//! the same iteration the first given wins.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The output of [`select`]: which of the two futures finished first, with
/// its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first future won.
    Left(A),
    /// The second future won.
    Right(B),
}

/// Runs `a` and `b` concurrently inside the calling task; the first to
/// finish gives the output, the other is dropped (its operations
/// cancelled and undone).
///
/// ```no_run
/// use std::time::Duration;
/// use asyncore::{select, sleep, Either};
/// # asyncore::run(async {
/// let q = asyncore::Queue::<i64>::new(0)?;
/// match select(q.get(), sleep(Duration::from_millis(10))).await {
///     Either::Left(item) => println!("got {}", item?),
///     Either::Right(_) => println!("nothing within 10 ms"),
/// }
/// # Ok(()) }).unwrap();
/// ```
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    Select { a: Some(a), b: Some(b) }
}

/// The future of [`select`].
#[must_use = "futures do nothing unless awaited"]
pub struct Select<A, B> {
    a: Option<A>,
    b: Option<B>,
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: the two futures are never moved out of their slots; a
        // slot is only emptied in place (dropping the future there).
        let this = unsafe { self.get_unchecked_mut() };
        let a = this.a.as_mut().expect("select polled after completion");
        if let Poll::Ready(v) = unsafe { Pin::new_unchecked(a) }.poll(cx) {
            this.a = None;
            this.b = None;
            return Poll::Ready(Either::Left(v));
        }
        let b = this.b.as_mut().expect("select polled after completion");
        if let Poll::Ready(v) = unsafe { Pin::new_unchecked(b) }.poll(cx) {
            this.b = None;
            this.a = None;
            return Poll::Ready(Either::Right(v));
        }
        Poll::Pending
    }
}

/// Runs every future of `futures` concurrently inside the calling task;
/// the first to finish gives `(its index, its output)`, the others are
/// dropped. Empty: never finishes.
pub fn race<I>(futures: I) -> Race<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    Race { futures: futures.into_iter().map(|f| Some(Box::pin(f))).collect() }
}

/// The future of [`race`].
#[must_use = "futures do nothing unless awaited"]
pub struct Race<F> {
    futures: Vec<Option<Pin<Box<F>>>>,
}

impl<F: Future> Future for Race<F> {
    type Output = (usize, F::Output);
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        for i in 0..self.futures.len() {
            let Some(f) = self.futures[i].as_mut() else { continue };
            if let Poll::Ready(v) = f.as_mut().poll(cx) {
                // The losers go before the winner's output is handed on.
                self.futures.clear();
                return Poll::Ready((i, v));
            }
        }
        Poll::Pending
    }
}

/// Waits for the first of several futures and runs the arm of the one
/// that finished; the others are dropped (their operations cancelled and
/// undone). Arms are polled in the order written.
///
/// ```no_run
/// use std::time::Duration;
/// # asyncore::run(async {
/// let (tx, mut rx) = asyncore::channel::<String>(8)?;
/// let out = asyncore::select! {
///     msg = rx.recv() => format!("message {:?}", msg?),
///     _ = asyncore::sleep(Duration::from_secs(1)) => "timed out".to_string(),
/// };
/// # drop(tx); Ok(()) }).unwrap();
/// ```
#[macro_export]
macro_rules! select {
    ($p1:pat = $f1:expr => $b1:expr, $p2:pat = $f2:expr => $b2:expr $(,)?) => {
        match $crate::select($f1, $f2).await {
            $crate::Either::Left($p1) => $b1,
            $crate::Either::Right($p2) => $b2,
        }
    };
    ($p1:pat = $f1:expr => $b1:expr, $p2:pat = $f2:expr => $b2:expr, $p3:pat = $f3:expr => $b3:expr $(,)?) => {
        match $crate::select($f1, $crate::select($f2, $f3)).await {
            $crate::Either::Left($p1) => $b1,
            $crate::Either::Right($crate::Either::Left($p2)) => $b2,
            $crate::Either::Right($crate::Either::Right($p3)) => $b3,
        }
    };
    ($p1:pat = $f1:expr => $b1:expr, $p2:pat = $f2:expr => $b2:expr, $p3:pat = $f3:expr => $b3:expr,
     $p4:pat = $f4:expr => $b4:expr $(,)?) => {
        match $crate::select($f1, $crate::select($f2, $crate::select($f3, $f4))).await {
            $crate::Either::Left($p1) => $b1,
            $crate::Either::Right($crate::Either::Left($p2)) => $b2,
            $crate::Either::Right($crate::Either::Right($crate::Either::Left($p3))) => $b3,
            $crate::Either::Right($crate::Either::Right($crate::Either::Right($p4))) => $b4,
        }
    };
}
