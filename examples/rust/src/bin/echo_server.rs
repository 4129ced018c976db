//! asyncio's TCP echo server (start_server with a handler per connection):
//!
//!     echo_server [HOST [PORT]] [--unix PATH] [--connections N]
//!
//! Listens (default 127.0.0.1, port 0: any free port), prints
//! "serving on ADDRESS", and echoes every line each client sends until the
//! client ends its side. With --connections N it stops after N clients.
use std::cell::Cell;
use std::rc::Rc;

use asyncore::{LoopFuture, Result, Server, Stream};

async fn handle_client(s: Stream) -> Result<()> {
    loop {
        let line = s.read_line().await?;
        if line.is_empty() {
            break; // the client is done
        }
        s.write(&line)?;
        s.drain().await?;
    }
    s.close();
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut host, mut port, mut unix, mut connections) = ("127.0.0.1".to_string(), 0u16, None, -1i64);
    let mut positional = 0;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--unix" if i + 1 < args.len() => {
                i += 1;
                unix = Some(args[i].clone());
            }
            "--connections" if i + 1 < args.len() => {
                i += 1;
                connections = args[i].parse().unwrap_or(-1);
            }
            "--virtual-clock" => {}
            a if positional == 0 => {
                host = a.to_string();
                positional += 1;
            }
            a => port = a.parse().unwrap_or(0),
        }
        i += 1;
    }
    asyncore_examples::run(async move {
        let all_served = LoopFuture::<()>::new()?;
        let left = Rc::new(Cell::new(connections));
        let done = all_served.clone();
        let handler = move |s: Stream| {
            let (left, done) = (left.clone(), done.clone());
            async move {
                let r = handle_client(s).await;
                if left.get() > 0 {
                    left.set(left.get() - 1);
                    if left.get() == 0 {
                        done.set_result(())?;
                    }
                }
                r
            }
        };
        let server = match &unix {
            Some(path) => Server::serve_unix(path, handler)?,
            None => Server::serve(&host, port, handler)?,
        };
        println!("serving on {}", server.address()?);
        all_served.await?;
        server.close();
        Ok(())
    })
}
