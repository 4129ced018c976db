//! The W5 server through the safe crate: `Server::serve` with a task per
//! connection, read / write / drain (asyncio's streams echo). Prints
//! `port N`, serves for SECONDS, then prints its user and system CPU time,
//! like the other W5 servers. With W5_TLS_CERT and W5_TLS_KEY (PEM files)
//! it is the W5-TLS server: the same echo behind `TlsAcceptor::serve`.
//!
//!     cargo run --release --example w5_echo [SECONDS=11]
//!     W5_TLS_CERT=cert.pem W5_TLS_KEY=key.pem \
//!         cargo run --release --example w5_echo [SECONDS=11]
use asyncore::{sleep, Result, Server, Stream, TlsAcceptor, TlsContext};

async fn echo(s: Stream) -> Result<()> {
    loop {
        let data = match s.read(65536).await {
            Ok(d) if !d.is_empty() => d,
            _ => break, // a reset, or the client is done
        };
        if s.write(&data).is_err() || s.drain().await.is_err() {
            break;
        }
    }
    s.close();
    Ok(())
}

/// User and system CPU seconds of this process: utime and stime, fields
/// 14 and 15 of /proc/self/stat, in clock ticks (100 a second on Linux).
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|w| w.parse().unwrap_or(0.0))
        .collect();
    if f.len() < 13 {
        return (0.0, 0.0);
    }
    (f[11] / 100.0, f[12] / 100.0)
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(11.0);
    let tls = match (std::env::var("W5_TLS_CERT"), std::env::var("W5_TLS_KEY")) {
        (Ok(c), Ok(k)) => Some((c, k)),
        (Err(_), Err(_)) => None,
        _ => {
            eprintln!("w5_echo: W5_TLS_CERT and W5_TLS_KEY name the certificate and key");
            std::process::exit(2);
        }
    };
    let served = asyncore::run(async move {
        let server = match tls {
            Some((cert, key)) => {
                let ctx = TlsContext::server()?;
                ctx.load_cert_chain(&cert, &key)?;
                TlsAcceptor::new(ctx).serve("127.0.0.1", 0, echo)?
            }
            None => Server::serve("127.0.0.1", 0, echo)?,
        };
        println!("port {}", server.port()?);
        sleep(seconds).await?;
        server.close();
        Ok(())
    });
    if let Err(e) = served {
        eprintln!("w5_echo: {e}");
        std::process::exit(1);
    }
    let (user, sys) = cpu();
    println!("cpu user {user:.3} s sys {sys:.3} s");
}
