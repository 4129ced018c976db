//! The benchmark workloads (W1, W1g, W2 ...) through the safe crate.
//! `cargo run --release --example bench [scale [W1,W2,...]]`; prints
//! `RESULT <workload> asyncore-rust <value> <unit>` like the peers. The
//! optional list runs only those workloads (for instruction counts).
use std::time::Instant;

use asyncore::{gather, sleep, spawn, yield_now, Lock, Loop, Queue, Result};

async fn w1(n: usize) -> Result<()> {
    let handles: Vec<_> = (0..n).map(|_| spawn(async { Ok(1i64) })).collect();
    let mut total = 0;
    for h in handles {
        total += h.await?;
    }
    assert_eq!(total, n as i64);
    Ok(())
}

/// W1 in asyncio's shape: the same tasks, then one gather over them.
async fn w1g(n: usize) -> Result<()> {
    let handles: Vec<_> = (0..n).map(|_| spawn(async { Ok(1i64) })).collect();
    let total: i64 = gather(handles).await?.into_iter().sum();
    assert_eq!(total, n as i64);
    Ok(())
}

async fn w2(n: usize) -> Result<usize> {
    let handles: Vec<_> = (0..n).map(|_| spawn(sleep(0.1))).collect();
    // Let every task start its sleep before measuring.
    asyncore::yield_now().await?;
    let peak = rss();
    for h in handles {
        h.await?;
    }
    Ok(peak)
}

async fn w3(n: usize) -> Result<()> {
    let (q1, q2) = (Queue::<i64>::new(1)?, Queue::<i64>::new(1)?);
    let (r1, s2) = (q1.clone(), q2.clone());
    let pong = spawn(async move {
        for _ in 0..n {
            let v = r1.get().await?;
            s2.put(v).await?;
        }
        Ok(())
    });
    for i in 0..n as i64 {
        q1.put(i).await?;
        assert_eq!(q2.get().await?, i);
    }
    pong.await
}

async fn w4(tasks: usize, rounds: usize) -> Result<()> {
    let lock = Lock::new()?;
    let counter = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (lock, counter) = (lock.clone(), counter.clone());
            spawn(async move {
                for _ in 0..rounds {
                    let _g = lock.lock().await?;
                    counter.set(counter.get() + 1);
                    yield_now().await?;
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.await?;
    }
    assert_eq!(counter.get(), tasks * rounds);
    Ok(())
}

fn rss() -> usize {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    s.split_whitespace().nth(1).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0) * 4096
}

fn timed<F>(f: F) -> f64
where
    F: std::future::Future<Output = Result<()>> + 'static,
{
    let lp = Loop::new().unwrap();
    let t0 = Instant::now();
    lp.run_until_complete(f).unwrap();
    t0.elapsed().as_secs_f64()
}

fn main() {
    let scale: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let only = std::env::args().nth(2);
    let run = |w: &str| only.as_deref().is_none_or(|l| l.split(',').any(|x| x.eq_ignore_ascii_case(w)));
    if run("W2") {
        let n2 = 100_000 / scale;
        let lp = Loop::new().unwrap();
        let before = rss();
        let t0 = Instant::now();
        let peak = lp.run_until_complete(w2(n2)).unwrap();
        let d2 = t0.elapsed().as_secs_f64();
        drop(lp);
        // As the C program does, the bench's own array of handles is not
        // counted: what a task costs is.
        let handles = n2 * std::mem::size_of::<asyncore::JoinHandle<()>>();
        let grown = peak.saturating_sub(before).saturating_sub(handles);
        println!("RESULT W2 asyncore-rust {:.0} B/task", grown as f64 / n2 as f64);
        println!("RESULT W2ms asyncore-rust {:.0} ms", d2 * 1e3);
    }
    let n = 200_000 / scale;
    if run("W1") {
        timed(w1(n / 10));
        println!("RESULT W1 asyncore-rust {:.1} ns/task", timed(w1(n)) * 1e9 / n as f64);
    }
    if run("W1g") {
        timed(w1g(n / 10));
        println!("RESULT W1g asyncore-rust {:.1} ns/task", timed(w1g(n)) * 1e9 / n as f64);
    }
    if run("W3") {
        timed(w3(n / 10));
        println!("RESULT W3 asyncore-rust {:.1} ns/trip", timed(w3(n)) * 1e9 / n as f64);
    }
    if run("W4") {
        let rounds = 2000 / scale;
        timed(w4(100, rounds / 10 + 1));
        println!("RESULT W4 asyncore-rust {:.1} ns/acquire", timed(w4(100, rounds)) * 1e9 / (100 * rounds) as f64);
    }
}
