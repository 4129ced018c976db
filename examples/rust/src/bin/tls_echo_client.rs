//! asyncio's echo client with ssl= (open_connection with a TLS context and
//! server_hostname):
//!
//!     tls_echo_client CAFILE HOST:PORT NAME LINE...
use asyncore::{Error, Result, TlsConnector, TlsContext};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--virtual-clock").collect();
    if args.len() < 3 {
        eprintln!("usage: tls_echo_client CAFILE HOST:PORT NAME LINE...");
        std::process::exit(2);
    }
    let (cafile, address, name, lines) = (args[0].clone(), args[1].clone(), args[2].clone(), args[3..].to_vec());
    asyncore_examples::run(async move {
        let (host, port) = address
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
            .ok_or_else(|| Error::with_message(asyncore::sys::AC_EINVAL, format!("bad address {address}")))?;
        let ctx = TlsContext::client()?;
        ctx.load_verify_locations(&cafile)?;
        let stream = TlsConnector::new(ctx).connect(&name, &host, port).await?;
        println!("connected with {}", stream.tls_version().unwrap_or_default());
        for line in &lines {
            stream.write(format!("{line}\n").as_bytes())?;
            let back = stream.read_line().await?;
            print!("echo: {}", String::from_utf8_lossy(&back));
        }
        stream.close(); // close_notify, then the socket
        stream.wait_closed().await?;
        println!("closed");
        Result::Ok(())
    })
}
