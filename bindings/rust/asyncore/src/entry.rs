//! What `#[asyncore::main]` and `#[asyncore::test]` expand to call.

use std::future::Future;

use crate::error::Error;
use crate::runtime::{run_with, LoopBuilder};

/// The return types an `#[asyncore::main]` or `#[asyncore::test]` function
/// may have: `()` (a failure of the loop panics) or a `Result<T, E>` whose
/// `E` takes this crate's [`Error`] (a failure of the loop is returned).
pub trait MainOutput: Sized + 'static {
    /// Runs `body` as the main task of a new loop (asyncio.run).
    #[doc(hidden)]
    fn run_main<F: Future<Output = Self> + 'static>(virtual_clock: bool, body: F) -> Self;
}

impl MainOutput for () {
    fn run_main<F: Future<Output = Self> + 'static>(virtual_clock: bool, body: F) -> Self {
        let options = LoopBuilder::default().virtual_clock(virtual_clock);
        if let Err(e) = run_with(options, async move {
            body.await;
            Ok(())
        }) {
            panic!("{e}");
        }
    }
}

impl<T: 'static, E: From<Error> + 'static> MainOutput for std::result::Result<T, E> {
    fn run_main<F: Future<Output = Self> + 'static>(virtual_clock: bool, body: F) -> Self {
        let options = LoopBuilder::default().virtual_clock(virtual_clock);
        match run_with(options, async move { Ok(body.await) }) {
            Ok(r) => r,
            Err(e) => Err(E::from(e)),
        }
    }
}
