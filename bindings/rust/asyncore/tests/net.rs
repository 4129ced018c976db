// Network: streams and servers over TCP and Unix sockets, UDP, DNS.
mod common;

use asyncore::{getaddrinfo, getnameinfo, sleep, spawn, timeout, Family, Server, Stream, UdpSocket};
use common::{vloop, Trace};

async fn echo(s: Stream) -> asyncore::Result<()> {
    loop {
        let line = s.read_line().await?;
        if line.is_empty() {
            break;
        }
        s.write(&line)?;
        s.drain().await?;
    }
    s.close();
    Ok(())
}

#[test]
fn tcp_echo_round_trip() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let server = Server::serve("127.0.0.1", 0, echo)?;
        let port = server.port()?;
        assert!(server.address()?.starts_with("127.0.0.1:"));
        let c = Stream::connect("127.0.0.1", port).await?;
        assert_eq!(c.peer_address()?, format!("127.0.0.1:{port}"));
        for line in ["hello\n", "world\n"] {
            c.write(line.as_bytes())?;
            let back = c.read_line().await?;
            tr.push(String::from_utf8(back).unwrap().trim_end().to_string());
        }
        c.write_eof()?;
        // The server closes its side once it read EOF.
        let rest = c.read_to_end().await?;
        tr.push(format!("eof {}", rest.len()));
        c.close();
        c.wait_closed().await?;
        server.close();
        server.wait_closed().await?;
        tr.push(format!("accepted {}", server.accepted()));
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "hello world eof 0 accepted 1");
}

#[test]
fn unix_stream_and_partial_reads() {
    let lp = vloop();
    let dir = std::env::temp_dir().join(format!("asyncore-rs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.sock");
    let p = path.to_str().unwrap().to_string();
    let r = lp.run_until_complete(async move {
        let server = Server::serve_unix(&p, |s: Stream| async move {
            s.write(b"abc|defgh")?;
            s.drain().await?;
            s.close();
            Ok(())
        })?;
        let c = Stream::connect_unix(&p).await?;
        let until = c.read_until(b"|").await?;
        let exact = c.read_exact(3).await?;
        let short = c.read_exact(10).await;
        server.close();
        Ok((until, exact, short.map_err(|e| e.name())))
    });
    std::fs::remove_dir_all(&dir).ok();
    let (until, exact, short) = r.unwrap();
    assert_eq!(until, b"abc|");
    assert_eq!(exact, b"def");
    assert_eq!(short, Err("AC_EINCOMPLETE".to_string()));
}

#[test]
fn a_cancelled_read_loses_no_bytes() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let server = Server::serve("127.0.0.1", 0, |s: Stream| async move {
            sleep(1.0).await?;
            s.write(b"late data\n")?;
            s.drain().await?;
            sleep(1.0).await?;
            s.close();
            Ok(())
        })?;
        let c = Stream::connect("127.0.0.1", server.port()?).await?;
        // A read that times out before the data comes...
        let first = timeout(0.5, c.read_line()).await;
        // ... leaves the stream ready for the next one.
        let second = c.read_line().await?;
        // Until the server's handler closed its side.
        c.read_to_end().await?;
        server.close();
        Ok((first.map_err(|e| e.kind()), second))
    });
    let (first, second) = r.unwrap();
    assert_eq!(first, Err(asyncore::ErrorKind::Timeout));
    assert_eq!(second, b"late data\n");
}

#[test]
fn connecting_to_a_closed_port_is_refused() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        // Find a free port, then close it.
        let server = Server::bind("127.0.0.1", 0, |_s| {})?;
        let port = server.port()?;
        server.close();
        server.wait_closed().await?;
        Stream::connect("127.0.0.1", port).await.map(|_| ())
    });
    let e = r.unwrap_err();
    assert_eq!(e.code(), asyncore::sys::AC_ECONNREFUSED);
    assert_eq!(e.kind(), asyncore::ErrorKind::Os(std::io::ErrorKind::ConnectionRefused));
}

#[test]
fn a_panicking_connection_handler_is_reported() {
    let lp = vloop();
    let seen = Trace::new();
    let s2 = seen.clone();
    lp.set_exception_handler(move |m, _| s2.push(m)).unwrap();
    lp.run_until_complete(async {
        let server = Server::bind("127.0.0.1", 0, |_s| panic!("handler bug"))?;
        let c = Stream::connect("127.0.0.1", server.port()?).await?;
        // The server side was dropped after the handler: we read EOF.
        let rest = c.read_to_end().await?;
        assert!(rest.is_empty());
        Ok(())
    })
    .unwrap();
    assert_eq!(seen.take(), vec!["connection handler panicked: handler bug".to_string()]);
}

#[test]
fn udp_datagrams_both_ways() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let a = UdpSocket::bind("127.0.0.1", 0)?;
        let b = UdpSocket::bind("127.0.0.1", 0)?;
        let (aa, ba) = (a.local_address()?, b.local_address()?);
        let b2 = b.clone();
        let echo = spawn(async move {
            let (from, data) = b2.recv_from().await?;
            b2.send(&data, Some(&from))?;
            Ok(from)
        });
        a.send(b"ping", Some(&ba))?;
        let back = a.recv().await?;
        let from = echo.await?;
        Ok((back, from == aa, a.dropped()))
    });
    assert_eq!(r.unwrap(), (b"ping".to_vec(), true, 0));
}

#[test]
fn name_resolution() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let addrs = getaddrinfo("127.0.0.1", "80", Family::V4).await?;
        let (host, serv) =
            getnameinfo("127.0.0.1:80", (asyncore::sys::AC_NI_NUMERICHOST | asyncore::sys::AC_NI_NUMERICSERV) as i32)
                .await?;
        let bad = getaddrinfo("127.0.0.1", "80", Family::V6).await;
        Ok((addrs, host, serv, bad.is_err()))
    });
    assert_eq!(r.unwrap(), (vec!["127.0.0.1:80".to_string()], "127.0.0.1".to_string(), "80".to_string(), true));
}

#[test]
fn writing_after_close_is_refused() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let server = Server::serve("127.0.0.1", 0, echo)?;
        let c = Stream::connect("127.0.0.1", server.port()?).await?;
        c.close();
        assert!(c.is_closing());
        let w = c.write(b"x");
        server.close();
        // Let the server's handler see EOF and finish.
        sleep(0.1).await?;
        Ok(w)
    });
    assert_eq!(r.unwrap().unwrap_err().code(), asyncore::sys::AC_ECLOSED);
}
