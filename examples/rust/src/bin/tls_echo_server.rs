//! asyncio's echo server with ssl= (start_server with a TLS context):
//!
//!     tls_echo_server CERT KEY [HOST [PORT]] [--connections N]
//!
//! Prints "serving on ADDRESS" and echoes every line each client sends
//! until the client closes; with --connections N it stops after N clients.
use std::cell::Cell;
use std::rc::Rc;

use asyncore::{Event, Result, Stream, TlsAcceptor, TlsContext};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--virtual-clock").collect();
    let mut connections: i64 = -1;
    if let Some(i) = args.iter().position(|a| a == "--connections") {
        connections = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(-1);
        args.drain(i..(i + 2).min(args.len()));
    }
    if args.len() < 2 {
        eprintln!("usage: tls_echo_server CERT KEY [HOST [PORT]] [--connections N]");
        std::process::exit(2);
    }
    let host = args.get(2).cloned().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.get(3).and_then(|p| p.parse().ok()).unwrap_or(0);
    let (cert, key) = (args[0].clone(), args[1].clone());
    asyncore_examples::run(async move {
        let ctx = TlsContext::server()?;
        ctx.load_cert_chain(&cert, &key)?;
        let all_served = Event::new()?;
        let left = Rc::new(Cell::new(connections));
        let (done, left2) = (all_served.clone(), left.clone());
        let server = TlsAcceptor::new(ctx).serve(&host, port, move |s: Stream| {
            let (done, left) = (done.clone(), left2.clone());
            async move {
                while let Ok(line) = s.read_line().await {
                    if line.is_empty() {
                        break; // the client's close_notify
                    }
                    if s.write(&line).is_err() || s.drain().await.is_err() {
                        break;
                    }
                }
                s.close();
                if left.get() > 0 {
                    left.set(left.get() - 1);
                    if left.get() == 0 {
                        let _ = done.set();
                    }
                }
                Result::Ok(())
            }
        })?;
        println!("serving on {}", server.address()?);
        use std::io::Write;
        std::io::stdout().flush().ok();
        all_served.wait().await?;
        server.close();
        Result::Ok(())
    })
}
