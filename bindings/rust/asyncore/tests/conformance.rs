// The language-neutral conformance scenarios (tests/conformance), written
// with this crate: each test runs one scenario on a fresh virtual-clock
// loop, records its trace and compares it with
// the trace CPython prints for tests/conformance/scenarios/<name>.py.
//
// The crate follows asyncio's rule that an await whose result is ready does
// not suspend (a done task, a free lock, a queued item), so the steps read
// as the scenarios' pseudo-code.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;

use asyncore::sys;
use asyncore::{
    as_completed, cancel_current, current_cancelling, gather, gather_settled, shield, sleep, spawn, spawn_eager,
    task_group, timeout, to_thread, wait, wait_for, Barrier, Condition, ContextVar, Error, ErrorKind, Event,
    Guard, JoinHandle, Lock, Loop, LoopFuture, Queue, Result, Semaphore, TsFuture, WaitMode,
};

// ---- the trace ----

thread_local! {
    static OUT: RefCell<String> = const { RefCell::new(String::new()) };
}

fn line(s: String) {
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        o.push_str(&s);
        o.push('\n');
    });
}

/// A trace line.
macro_rules! tr {
    ($($a:tt)*) => { line(format!($($a)*)) };
}

/// A trace line carrying the loop time in whole milliseconds.
macro_rules! trt {
    ($($a:tt)*) => {{
        // The text first: it may await (the time is the time it is ready).
        let text = format!($($a)*);
        line(format!("t={} {}", (asyncore::time() * 1000.0).round() as i64, text))
    }};
}

fn vloop() -> Rc<Loop> {
    Rc::new(Loop::builder().virtual_clock(true).build().expect("loop"))
}

/// Runs `main` as asyncio.run does, on a fresh virtual-clock loop.
fn run_main<F, T>(lp: &Loop, main: F)
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    if let Err(e) = lp.run_main(main) {
        tr!("main failed: {}", e.name());
    }
}

/// The folder of the conformance suite (tests/conformance).
fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/conformance")
}

/// The expected trace of scenario `name`: what CPython prints for it. The
/// build makes it once per scenario into $ASYNCORE_CONFORMANCE_TRACES
/// (<build>/tests/conformance); without that, expect.py makes it now.
fn expected(name: &str) -> String {
    if let Some(dir) = std::env::var_os("ASYNCORE_CONFORMANCE_TRACES") {
        let path = PathBuf::from(dir).join(format!("{name}.trace"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            return text;
        }
    }
    let python = if std::path::Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
    let dir = suite_dir();
    let out = std::process::Command::new(python)
        .arg(dir.join("expect.py"))
        .arg(dir.join("scenarios"))
        .arg(name)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(out.status.success(), "expect.py {name}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("a UTF-8 trace")
}

fn check(name: &str, scenario: fn()) {
    OUT.with(|o| o.borrow_mut().clear());
    scenario();
    let got = OUT.with(|o| std::mem::take(&mut *o.borrow_mut()));
    let want = expected(name);
    assert_eq!(got.trim_end_matches('\n'), want.trim_end_matches('\n'), "scenario {name}");
}

macro_rules! scenarios {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(#[test]
        fn $test() {
            check($name, scenarios::$test);
        })*

        /// The scenario names this program implements.
        const IMPLEMENTED: &[&str] = &[$($name),*];
    };
}

/// Every scenario of tests/conformance/scenarios.txt has its test here,
/// or is listed as missing (with the reason) in bindings/rust/meson.build,
/// which passes the list as $ASYNCORE_CONFORMANCE_MISSING: a new scenario
/// fails this until it is written in Rust.
#[test]
fn every_listed_scenario_is_implemented() {
    let path = suite_dir().join("scenarios.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let missing = std::env::var("ASYNCORE_CONFORMANCE_MISSING").unwrap_or_default();
    let missing: Vec<&str> = missing.split_whitespace().collect();
    let listed: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| !missing.contains(l))
        .collect();
    assert!(!listed.is_empty());
    assert_eq!(listed, IMPLEMENTED);
}

scenarios! {
    s01 => "01-call-soon-fifo",
    s02 => "02-call-later-order",
    s03 => "03-done-callbacks-never-inline",
    s04 => "04-tasks-run-concurrently",
    s05 => "05-await-in-sequence",
    s06 => "06-task-result-shared",
    s07 => "07-task-error-propagates",
    s08 => "08-cancel-before-start",
    s09 => "09-cancel-at-await",
    s10 => "10-cancel-swallowed",
    s11 => "11-uncancel-withdraws",
    s12 => "12-cancel-propagates-to-awaited",
    s13 => "13-finish-with-pending-cancel",
    s14 => "14-cancel-self-then-await",
    s15 => "15-yield-round-robin",
    s16 => "16-eager-task",
    s17 => "17-context-flows-down",
    s18 => "18-callback-context",
    s19 => "19-run-cancels-leftovers",
    s20 => "20-unretrieved-error-reported",
    s21 => "21-virtual-clock",
    s22 => "22-future-cancel-wakes-awaiter",
    s23 => "23-task-name",
    s24 => "24-timer-cancel",
    s25 => "25-gather-results-in-order",
    s26 => "26-gather-first-error",
    s27 => "27-gather-return-exceptions",
    s28 => "28-gather-cancel-cancels-children",
    s29 => "29-wait-first-completed",
    s30 => "30-wait-timeout",
    s31 => "31-as-completed-order",
    s32 => "32-wait-for-timeout-cleanup",
    s33 => "33-wait-for-in-time",
    s34 => "34-timeout-scope-expires",
    s35 => "35-timeout-scopes-nested",
    s36 => "36-shield",
    s37 => "37-taskgroup-waits-for-all",
    s38 => "38-taskgroup-failure-cancels-the-rest",
    s39 => "39-taskgroup-aggregates-errors",
    s40 => "40-taskgroup-body-error",
    s41 => "41-taskgroup-parent-cancelled",
    s42 => "42-to-thread-result",
    s43 => "43-to-thread-error",
    s44 => "44-threadsafe-future",
    s45 => "45-call-soon-threadsafe",
    s46 => "46-lock-fifo",
    s47 => "47-lock-cancelled-waiter",
    s48 => "48-semaphore-bound",
    s49 => "49-event-wakes-all",
    s50 => "50-condition-notify",
    s51 => "51-queue-fifo-and-join",
    s52 => "52-queue-bounded-put-waits",
    s53 => "53-queue-cancelled-get-loses-nothing",
    s54 => "54-queue-shutdown",
    s55 => "55-priority-queue",
    s56 => "56-barrier",
    s57 => "57-lock-release-unlocked",
    s58 => "58-lock-locked-until-waiter-runs",
    s59 => "59-lock-woken-waiter-cancelled",
    s60 => "60-ready-operations-do-not-suspend",
    s61 => "61-event-clear-before-waiter-runs",
    s62 => "62-event-wait-after-set-passes",
    s63 => "63-event-woken-waiter-cancelled",
    s64 => "64-condition-notify-n",
    s65 => "65-condition-notify-all",
    s66 => "66-condition-wait-for",
    s67 => "67-condition-needs-the-lock",
    s68 => "68-condition-cancelled-waiter-reacquires",
    s69 => "69-condition-notified-then-cancelled",
    s70 => "70-condition-shared-lock",
    s71 => "71-semaphore-value-errors",
    s72 => "72-semaphore-reacquire-queues-behind",
    s73 => "73-semaphore-locked-while-woken-waiters",
    s74 => "74-semaphore-woken-waiter-cancelled",
    s75 => "75-semaphore-cancelled-waiters-skipped",
    s76 => "76-semaphore-two-releases-first-two-waiters",
    s77 => "77-barrier-indexes",
    s78 => "78-barrier-draining",
    s79 => "79-barrier-cancelled-waiter",
    s80 => "80-barrier-abort",
    s81 => "81-barrier-reset",
    s82 => "82-barrier-parties-error",
    s83 => "83-barrier-released-party-cancelled",
    s84 => "84-queue-woken-put-cancelled",
    s85 => "85-queue-woken-get-cancelled-keeps-order",
    s86 => "86-queue-woken-get-not-reserved",
    s87 => "87-queue-woken-put-not-reserved",
    s88 => "88-queue-maxsize-not-positive",
    s89 => "89-queue-errors",
    s90 => "90-queue-shutdown-drains",
    s91 => "91-queue-shutdown-immediate",
    s92 => "92-lifo-queue-order",
    s93 => "93-queue-join-waits-for-every-item",
    s94 => "94-queue-put-cancelled-while-waiting",
    s95 => "95-queue-getters-served-in-order",
    s96 => "96-priority-queue-blocked-put",
    s97 => "97-queue-shutdown-wakes-waiters",
    s98 => "98-acquire-timeout-leaves-no-trace",
    s100 => "100-future-set-when-done",
    s101 => "101-future-result-not-ready",
    s102 => "102-done-callbacks-order",
    s103 => "103-remove-done-callback",
    s104 => "104-unretrieved-future-error",
    s105 => "105-unretrieved-task-error",
    s106 => "106-cancel-message",
    s107 => "107-cancel-message-chain",
    s108 => "108-cancel-twice",
    s109 => "109-cancel-swallowed-continues",
    s110 => "110-self-cancel-then-await",
    s111 => "111-await-done-no-suspend",
    s112 => "112-sleep-zero-yields",
    s113 => "113-task-awaits-itself",
    s114 => "114-run-inside-running-loop",
    s115 => "115-closed-loop",
    s116 => "116-run-shutdown-error",
    s117 => "117-callback-context",
    s118 => "118-task-context-copy",
    s119 => "119-to-thread-context",
    s120 => "120-to-thread-error-cause",
    s121 => "121-timers-equal-deadline",
    s122 => "122-timer-joins-ready-queue",
    s123 => "123-call-later-negative",
    s124 => "124-handle-cancel",
    s125 => "125-eager-finishes-at-once",
    s126 => "126-eager-step-context",
    s127 => "127-future-cancel",
    s128 => "128-awaiter-wakeup-order",
    s129 => "129-current-task-all-tasks",
    s130 => "130-callback-error-reported",
    s131 => "131-run-finishes-the-iteration",
    s140 => "140-timeout-zero-expires-at-once",
    s141 => "141-timeout-past-deadline-and-negative",
    s142 => "142-timeout-zero-sleep-zero-raises",
    s143 => "143-timeout-zero-self-cancel",
    s144 => "144-timeout-error-cause",
    s145 => "145-timeout-reschedule-before-enter",
    s146 => "146-timeout-reenter-refused",
    s147 => "147-timeout-reschedule-after-exit-or-expiry",
    s148 => "148-timeout-swallowed-cancel",
    s149 => "149-timeout-reschedule-moves-deadline",
    s150 => "150-timeouts-nested-same-deadline",
    s151 => "151-timeout-while-cancelling",
    s152 => "152-wait-for-zero-never-starts",
    s153 => "153-wait-for-negative-cancels",
    s154 => "154-wait-for-done-task-no-suspend",
    s155 => "155-wait-for-coroutine-in-caller",
    s156 => "156-wait-for-cancelled-from-outside",
    s157 => "157-wait-for-inner-swallows-cancel",
    s158 => "158-wait-for-cleanup-error-wins",
    s159 => "159-wait-for-shield-zero",
    s160 => "160-gather-child-cancelled-alone",
    s161 => "161-gather-child-cancelled-return-exceptions",
    s162 => "162-gather-cancelled-from-outside",
    s163 => "163-gather-same-task-twice",
    s164 => "164-gather-zero",
    s165 => "165-gather-done-children-no-suspend",
    s166 => "166-wait-first-exception",
    s167 => "167-wait-all-completed-with-errors",
    s168 => "168-wait-timeout-does-not-cancel",
    s169 => "169-as-completed-duplicates",
    s170 => "170-as-completed-timeout",
    s171 => "171-shield-outer-cancelled-inner-goes-on",
    s172 => "172-shield-inner-outcome-reaches-awaiter",
    s173 => "173-taskgroup-child-error-while-body-awaits",
    s174 => "174-taskgroup-body-error-and-child-error",
    s175 => "175-taskgroup-create-task-refused",
    s176 => "176-taskgroups-nested-errors",
    s177 => "177-taskgroups-nested-errors-outer-cancelled",
    s178 => "178-taskgroup-cancelled-while-joining",
    s179 => "179-taskgroup-spawn-while-joining",
    s180 => "180-to-thread-holds-clock",
}

// ---- shared helpers ----

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T>>>>;

/// A task handle several tasks refer to (asyncio shares task objects).
type Shared<T> = Rc<RefCell<JoinHandle<T>>>;

fn shared<T: 'static>(h: JoinHandle<T>) -> Shared<T> {
    Rc::new(RefCell::new(h))
}

/// Awaits a shared task (its result moves to this awaiter).
async fn join<T: 'static>(h: &Shared<T>) -> Result<T> {
    std::future::poll_fn(|cx| Pin::new(&mut *h.borrow_mut()).poll(cx)).await
}

/// Takes a free lock at once (asyncio: an acquire of a free lock nobody
/// waits for does not suspend); else waits in line.
async fn acquire(lock: &Lock) -> Result<Guard<Lock>> {
    match lock.try_lock() {
        Some(g) => Ok(g),
        None => lock.lock().await,
    }
}

/// As [`acquire`], for a semaphore permit.
async fn acquire_permit(sem: &Semaphore) -> Result<Guard<Semaphore>> {
    match sem.try_acquire() {
        Some(g) => Ok(g),
        None => sem.acquire().await,
    }
}

fn econnreset() -> Error {
    Error::from_code(sys::AC_ECONNRESET)
}

/// worker(name, delay, value): sleep(delay); trace '<name>: done'; return value
async fn worker(name: &'static str, delay: f64, value: i64) -> Result<i64> {
    sleep(delay).await?;
    trt!("{name}: done");
    Ok(value)
}

/// failing(delay, code=ECONNRESET): sleep(delay); raise error(code)
async fn failing(delay: f64, code: i32) -> Result<i64> {
    sleep(delay).await?;
    Err(Error::from_code(code))
}

/// sleeper(name): try: sleep(10) except cancelled: trace '<name>: cancelled'; raise
async fn sleeper(name: &'static str) -> Result<i64> {
    if let Err(e) = sleep(10.0).await {
        if e.is_cancelled() {
            trt!("{name}: cancelled");
        }
        return Err(e);
    }
    Ok(0)
}

/// `try: <r> except <kind> as e:` — `Ok(Some(e))` when `r` failed with
/// that class, `Ok(None)` when it did not fail; an error of another class
/// propagates, as in Python.
fn catch<T>(r: Result<T>, kind: ErrorKind) -> Result<Option<Error>> {
    match r {
        Ok(_) => Ok(None),
        Err(e) if e.kind() == kind => Ok(Some(e)),
        Err(e) => Err(e),
    }
}

/// `try: <r> except Exception as e:` — every error but a cancellation
/// (a BaseException) is caught.
fn catch_exception<T>(r: Result<T>) -> Result<Option<Error>> {
    match r {
        Ok(_) => Ok(None),
        Err(e) if e.is_cancelled() => Err(e),
        Err(e) => Ok(Some(e)),
    }
}

/// `try: await t except CancelledError: pass`.
fn pass_cancelled<T>(r: Result<T>) -> Result<()> {
    catch(r, ErrorKind::Cancelled).map(|_| ())
}

/// harness.describe: "Class: message", or the class alone.
fn describe(e: &Error) -> String {
    e.to_string()
}

/// harness.code: the code's name (the class for a RuntimeError).
fn code(e: &Error) -> String {
    match e.kind() {
        ErrorKind::Runtime => e.class_name(),
        _ => e.name(),
    }
}

/// A Python boolean as the traces print it.
fn b(x: bool) -> i32 {
    x as i32
}

fn names(all: &[&str], idx: &[usize]) -> String {
    idx.iter().map(|&i| all[i]).collect::<Vec<_>>().join(", ")
}

fn codes(errs: &[Error]) -> String {
    errs.iter().map(Error::name).collect::<Vec<_>>().join(", ")
}

// The scenarios, by area (tests/conformance/scenarios.txt's sections).
#[path = "conformance/foundation.rs"]
mod foundation;
#[path = "conformance/structured.rs"]
mod structured;
#[path = "conformance/sync.rs"]
mod sync;
#[path = "conformance/tasks.rs"]
mod tasks;

mod scenarios {
    pub use super::foundation::*;
    pub use super::structured::*;
    pub use super::sync::*;
    pub use super::tasks::*;
}
