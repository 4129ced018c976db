//! Safe async/await over libasyncore, an asyncio-style event loop on libuv.
//!
//! ```no_run
//! use asyncore::{run, sleep, spawn};
//!
//! run(async {
//!     let a = spawn(async { sleep(2.0).await?; Ok("Alice") });
//!     let b = spawn(async { sleep(1.0).await?; Ok("Bob") });
//!     println!("{} {}", a.await?, b.await?);
//!     Ok(())
//! })
//! .unwrap();
//! ```
//!
//! * A [`Loop`] runs on one thread; tasks are Rust futures (they need not be
//!   `Send`) driven by the loop's task protocol, so they interleave with
//!   tasks written in C or any other binding on the same loop.
//! * Tasks return `Result<T, Error>`: an `Err` fails the task with that
//!   error, a panic fails it with [`Error::Host`]; no panic crosses into C.
//! * Cancellation is asyncio's: [`JoinHandle::cancel`] makes the task's
//!   current (or next) await of a loop future resolve to
//!   `Err(Error::Cancelled)`; propagate it with `?` or handle it.
//! * Every raw handle is released exactly once, by `Drop`.

mod awaiting;
mod channel;
mod combinators;
mod context;
mod entry;
mod error;
mod fdwatch;
pub mod fs;
mod fallible;
mod future;
mod io;
mod joinset;
mod mutex;
mod net;
mod process;
mod queue;
mod runtime;
mod select;
mod sync;
mod task;
mod taskgroup;
mod thread;
mod time;
mod timeout;
mod tls;
mod value;

pub use asyncore_sys as sys;
pub use context::ContextVar;
pub use asyncore_macros::{main, test};
pub use entry::MainOutput;
pub use error::{err_class, err_name, strerror, Cause, Error, ErrorKind, HostSource, Result};
pub use fallible::{fallible, Fallible};
pub use future::{sleep, Completer, LoopFuture, Sleep};
pub use combinators::{
    as_completed, gather, gather_settled, shield, wait, wait_for, AsCompleted, Gather, GatherSettled, Wait, WaitFor,
    WaitMode, WaitSets, Waitable, Watched,
};
pub use fdwatch::{add_reader, add_writer, remove_reader, remove_writer};
pub use net::{
    getaddrinfo, getnameinfo, ConnectOptions, Family, KeepAlive, ListenOptions, Op, Server, Stream, UdpOptions,
    UdpSocket,
};
pub use process::{
    connect_read_pipe, connect_write_pipe, signal, Child, Command, Output, Signals, Stdio, Tty,
};
pub use queue::Queue;
pub use runtime::{
    dump, dump_json, run, run_with, stats, time, CallbackHandle, CallbackResult, ContextSubject, ExceptionContext, Loop,
    LoopBuilder, LoopHandle, StepReport, SHUTDOWN_TIMEOUT,
};
pub use sync::{Acquire, Barrier, Condition, Event, Guard, Lock, Releasable, Semaphore};
pub use task::{
    all_tasks, cancel_current, checkpoint, current_cancelling, current_task, spawn, spawn_eager, try_spawn, yield_now,
    JoinHandle, Task, TaskWait, YieldNow,
};
pub use taskgroup::{task_group, TaskGroup, TaskGroupRun};
pub use thread::{to_thread, Executor, ToThread, TsFuture, TsWait};
pub use timeout::{timeout, timeout_at, Timeout, TimeoutScope};
pub use tls::{TlsAcceptor, TlsConnector, TlsContext, Verify};
pub use value::Value;

pub use channel::{channel, Receiver, Recv, Sender};
pub use io::StreamIo;
pub use joinset::JoinSet;
pub use mutex::{Mutex, MutexGuard};
pub use select::{race, select, Either, Race, Select};
pub use time::{now, IntoDeadline, IntoDelay};

/// Gives back memory the runtime keeps for reuse on this thread
/// (`ac_trim`): the small blocks tasks and futures were made of, kept after
/// a burst, go back to the system where whole slabs of them are free.
/// Returns the bytes given back: 0 when there was nothing, and where the
/// runtime keeps nothing for reuse (under AddressSanitizer or valgrind, on
/// Windows, with `ASYNCORE_POOL=0`). Call it on the loop's thread when it is
/// idle, e.g. after a burst of tasks.
pub fn trim() -> u64 {
    // SAFETY: no arguments; any thread.
    let n = unsafe { sys::ac_trim() };
    u64::try_from(n).unwrap_or(0)
}

/// The version of the library loaded, as "MAJOR.MINOR.PATCH".
pub fn version() -> String {
    // SAFETY: static storage.
    unsafe { std::ffi::CStr::from_ptr(sys::ac_version_string()) }.to_string_lossy().into_owned()
}
