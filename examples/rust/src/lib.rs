//! What the example programs share: asyncio.run with the --virtual-clock
//! switch, and Python-style formatting of results.

use std::future::Future;

use asyncore::{Loop, Result};

/// asyncio.run(main()), on the virtual clock when the program was given
/// `--virtual-clock` (the same output, no real waiting). Exits with 1 and
/// the error on stderr if main fails.
pub fn run<F, T>(main: F) -> T
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let virtual_clock = std::env::args().any(|a| a == "--virtual-clock");
    match asyncore::run_with(Loop::builder().virtual_clock(virtual_clock), main) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("main failed: {e}");
            std::process::exit(1);
        }
    }
}

/// A list of strings as Python prints it: `['a', 'b']`.
pub fn py_list<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("'{}'", s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}
