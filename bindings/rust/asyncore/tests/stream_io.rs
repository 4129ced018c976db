// The standard async I/O traits over our streams: futures::io utilities,
// and (feature `tokio`) tokio-util codecs.
mod common;

use asyncore::{Server, Stream};
use common::vloop;
use futures_util::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// A server written with futures::io (lines in, upper-cased lines out) and
/// a client using `copy` and `read_to_string` over StreamIo.
#[test]
fn futures_io_utilities_over_a_stream() {
    let lp = vloop();
    let got = lp
        .run_until_complete(async {
            let server = Server::serve("127.0.0.1", 0, |s: Stream| async move {
                let mut io = s.io();
                let mut line = String::new();
                loop {
                    line.clear();
                    if io.read_line(&mut line).await? == 0 {
                        break;
                    }
                    io.write_all(line.to_uppercase().as_bytes()).await?;
                }
                io.close().await?;
                Ok(())
            })?;
            let c = Stream::connect("127.0.0.1", server.port()?).await?;
            let mut io = c.io();
            let input: &[u8] = b"one\ntwo\nthree\n";
            let n = futures_util::io::copy(input, &mut io).await?;
            io.flush().await?;
            io.close().await?;
            let mut back = String::new();
            io.read_to_string(&mut back).await?;
            server.close();
            Ok((n, back))
        })
        .unwrap();
    assert_eq!(got, (14, "ONE\nTWO\nTHREE\n".to_string()));
}

/// Large writes wait for the stream to drain (no unbounded buffer), and
/// every byte arrives.
#[test]
fn a_large_transfer_through_the_traits() {
    let lp = vloop();
    let total = lp
        .run_until_complete(async {
            let server = Server::serve("127.0.0.1", 0, |s: Stream| async move {
                let data = vec![7u8; 1 << 20];
                let mut io = s.io();
                io.write_all(&data).await?;
                io.close().await?;
                Ok(())
            })?;
            let c = Stream::connect("127.0.0.1", server.port()?).await?;
            let mut buf = Vec::new();
            c.io().read_to_end(&mut buf).await?;
            server.close();
            Ok(buf.iter().filter(|&&b| b == 7).count())
        })
        .unwrap();
    assert_eq!(total, 1 << 20);
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_util_codec_over_a_stream() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_util::codec::{Framed, LinesCodec};
    let lp = vloop();
    let got = lp
        .run_until_complete(async {
            let server = Server::serve("127.0.0.1", 0, |s: Stream| async move {
                let mut framed = Framed::new(s.io(), LinesCodec::new());
                while let Some(line) = framed.next().await {
                    let line = line.map_err(asyncore::Error::other)?;
                    framed.send(format!("{} chars", line.len())).await.map_err(asyncore::Error::other)?;
                }
                Ok(())
            })?;
            let c = Stream::connect("127.0.0.1", server.port()?).await?;
            let mut framed = Framed::new(c.io(), LinesCodec::new());
            let mut out = Vec::new();
            for line in ["a", "hello", ""] {
                framed.send(line).await.map_err(asyncore::Error::other)?;
                out.push(framed.next().await.unwrap().map_err(asyncore::Error::other)?);
            }
            // Ends the writing side: the server's loop sees the end.
            SinkExt::<String>::close(&mut framed).await.map_err(asyncore::Error::other)?;
            assert!(framed.next().await.is_none());
            server.close();
            server.wait_closed().await?;
            Ok(out)
        })
        .unwrap();
    assert_eq!(got, ["1 chars", "5 chars", "0 chars"]);
}
