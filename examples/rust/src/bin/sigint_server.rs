//! A server that stops cleanly on Ctrl-C: SIGINT as a stream of signals
//! (the Rust way: tokio's signal::ctrl_c), then the server is closed and
//! waited for. The example has a child process send it SIGINT once a client
//! was served, so that its output is always the same.
use asyncore::{signal, Command, Result, Server, Stream};

async fn upper_once(s: Stream) -> Result<()> {
    let line = s.read_line().await?;
    s.write(&line.to_ascii_uppercase())?;
    s.close();
    Ok(())
}

async fn main_task() -> Result<()> {
    let mut sigint = signal(2)?; // SIGINT
    let server = Server::serve("127.0.0.1", 0, upper_once)?;
    println!("serving");
    let c = Stream::connect("127.0.0.1", server.port()?).await?;
    c.write(b"hello\n")?;
    print!("client got: {}", String::from_utf8_lossy(&c.read_line().await?));
    drop(c);
    println!("sending SIGINT");
    let kill = Command::shell(&format!("kill -INT {}", std::process::id())).spawn()?;
    kill.wait().await?;
    let sig = sigint.recv().await?;
    println!("signal {sig}: closing the server");
    server.close();
    server.wait_closed().await?;
    println!("server closed");
    Ok(())
}

fn main() {
    asyncore_examples::run(main_task());
    println!("stopped cleanly");
}
