//! W1-W4 (and W1g, W1 gathered) on Tokio's current_thread runtime: the
//! Tokio peer. Prints RESULT <workload> tokio <value> <unit>.
//!
//!     tokio-peer [SCALE=1]        W1-W4, sizes divided by SCALE
//!     tokio-peer w5 [SECONDS=11]  the W5 echo server: prints "port N",
//!                                 serves for SECONDS, then its CPU time
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Mutex};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
}

async fn w1(n: usize) {
    let handles: Vec<_> = (0..n).map(|_| tokio::spawn(async { 1u64 })).collect();
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    assert_eq!(total, n as u64);
}

/// W1g: W1 in asyncio's shape, spawn N then join them all, results in
/// order. futures' join_all is not among the crates this peer builds from
/// (Tokio's JoinSet yields in completion order), so the join is the
/// JoinHandles awaited in order into a Vec, as the HOW line says.
async fn w1g(n: usize) {
    let handles: Vec<_> = (0..n).map(|_| tokio::spawn(async { 1u64 })).collect();
    let mut results = Vec::with_capacity(n);
    for h in handles {
        results.push(h.await.unwrap());
    }
    assert_eq!(results.iter().sum::<u64>(), n as u64);
}

async fn w2(n: usize) -> usize {
    let handles: Vec<_> = (0..n)
        .map(|_| tokio::spawn(async { tokio::time::sleep(Duration::from_millis(100)).await }))
        .collect();
    let peak = rss();
    for h in handles {
        h.await.unwrap();
    }
    peak
}

async fn w3(n: usize) {
    let (tx1, mut rx1) = mpsc::channel::<usize>(1);
    let (tx2, mut rx2) = mpsc::channel::<usize>(1);
    let pong = tokio::spawn(async move {
        for _ in 0..n {
            let v = rx1.recv().await.unwrap();
            tx2.send(v).await.unwrap();
        }
    });
    for i in 0..n {
        tx1.send(i).await.unwrap();
        assert_eq!(rx2.recv().await.unwrap(), i);
    }
    pong.await.unwrap();
}

async fn w4(tasks: usize, rounds: usize) {
    let lock = std::sync::Arc::new(Mutex::new(0usize));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let lock = lock.clone();
            tokio::spawn(async move {
                for _ in 0..rounds {
                    let mut g = lock.lock().await;
                    *g += 1;
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(*lock.lock().await, tasks * rounds);
}

fn rss() -> usize {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    s.split_whitespace().nth(1).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0) * 4096
}

fn timed<F: std::future::Future>(f: F) -> f64 {
    let r = rt();
    let t0 = Instant::now();
    r.block_on(f);
    t0.elapsed().as_secs_f64()
}

async fn echo(mut socket: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 65536];
    loop {
        match socket.read(&mut buf).await {
            Ok(n) if n > 0 => {
                if socket.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
            _ => break, // a reset, or the client is done
        }
    }
}

/// W5: a task per connection, read / write_all, on current_thread.
fn w5(seconds: f64) {
    let r = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    r.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("port {}", listener.local_addr().unwrap().port());
        let acceptor = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let _ = socket.set_nodelay(true);
                tokio::spawn(echo(socket));
            }
        });
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        acceptor.abort();
    });
    drop(r);
    // utime and stime, fields 14 and 15 of /proc/self/stat, in clock ticks
    // (100 a second on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = after.split_whitespace().map(|w| w.parse().unwrap_or(0.0)).collect();
    if f.len() >= 13 {
        println!("cpu user {:.3} s sys {:.3} s", f[11] / 100.0, f[12] / 100.0);
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("w5") {
        w5(std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(11.0));
        return;
    }
    let scale: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let n2 = 100_000 / scale;
    let before = rss();
    let r = rt();
    let t0 = Instant::now();
    let peak = r.block_on(w2(n2));
    let d2 = t0.elapsed().as_secs_f64();
    println!("RESULT W2 tokio {:.0} B/task", peak.saturating_sub(before) as f64 / n2 as f64);
    println!("RESULT W2ms tokio {:.0} ms", d2 * 1e3);
    let n = 200_000 / scale;
    timed(w1(n / 10));
    println!("RESULT W1 tokio {:.1} ns/task", timed(w1(n)) * 1e9 / n as f64);
    timed(w1g(n / 10));
    println!("RESULT W1g tokio {:.1} ns/task", timed(w1g(n)) * 1e9 / n as f64);
    println!("HOW W1g tokio spawn N, then await the N JoinHandles in order (no join_all offline)");
    timed(w3(n / 10));
    println!("RESULT W3 tokio {:.1} ns/trip", timed(w3(n)) * 1e9 / n as f64);
    let rounds = 2000 / scale;
    timed(w4(100, rounds / 10 + 1));
    println!("RESULT W4 tokio {:.1} ns/acquire", timed(w4(100, rounds)) * 1e9 / (100 * rounds) as f64);
}
