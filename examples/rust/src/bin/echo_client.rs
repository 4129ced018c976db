//! asyncio's TCP echo client (open_connection, write, readline, close,
//! wait_closed):
//!
//!     echo_client ADDRESS LINE...
//!
//! ADDRESS is HOST:PORT or the path of a Unix socket (anything with a '/').
//! Sends each LINE, prints what comes back, then ends its side and closes.
use asyncore::{Error, Result, Stream};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--virtual-clock").collect();
    let Some((address, lines)) = args.split_first() else {
        eprintln!("usage: echo_client ADDRESS LINE...");
        std::process::exit(2);
    };
    let (address, lines) = (address.clone(), lines.to_vec());
    asyncore_examples::run(async move {
        let stream = if address.contains('/') {
            Stream::connect_unix(&address).await?
        } else {
            let (host, port) = address
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.trim_matches(|c| c == '[' || c == ']').to_string(), p.parse().ok()?)))
                .ok_or_else(|| Error::with_message(asyncore::sys::AC_EINVAL, format!("bad address {address}")))?;
            Stream::connect(&host, port).await?
        };
        println!("connected");
        for line in &lines {
            stream.write(format!("{line}\n").as_bytes())?;
            let back = stream.read_line().await?;
            print!("echo: {}", String::from_utf8_lossy(&back));
        }
        stream.write_eof()?;
        stream.close();
        stream.wait_closed().await?;
        println!("closed");
        Result::Ok(())
    })
}
