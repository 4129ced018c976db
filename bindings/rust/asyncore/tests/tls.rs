// TLS: TlsConnector / TlsAcceptor against each other, with certificates
// made at test time by tests/tls/make_certs.sh (real clock: the handshake
// timeout would jump ahead on the virtual one).
use std::process::Command;
use std::time::Duration;

use asyncore::{Loop, Stream, TlsAcceptor, TlsConnector, TlsContext};

fn certs() -> String {
    let dir = std::env::temp_dir().join(format!("asyncore-rs-tls-{}", std::process::id()));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/tls/make_certs.sh");
    let ok = Command::new("sh").arg(script).arg(&dir).output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "make_certs.sh failed");
    dir.to_str().unwrap().to_string()
}

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
fn tls_round_trip_alpn_and_refusal() {
    if unsafe { asyncore::sys::ac_tls_available() } == 0 {
        eprintln!("skipped: built without TLS");
        return;
    }
    let dir = certs();
    let d = dir.clone();
    let lp = Loop::new().unwrap();
    let r = lp.run_until_complete(async move {
        let sctx = TlsContext::server()?;
        sctx.load_cert_chain(&format!("{d}/server.pem"), &format!("{d}/server.key"))?;
        sctx.set_alpn_protocols(&["h2"])?;
        let server = TlsAcceptor::new(sctx).handshake_timeout(Duration::from_secs(5)).serve("127.0.0.1", 0, echo)?;
        let port = server.port()?;
        let cctx = TlsContext::client()?;
        cctx.load_verify_locations(&format!("{d}/ca.pem"))?;
        cctx.set_alpn_protocols(&["h2", "http/1.1"])?;
        let conn = TlsConnector::new(cctx);
        let s = conn.connect("localhost", "127.0.0.1", port).await?;
        s.write(b"hi\n")?;
        let line = s.read_line().await?;
        let got = format!(
            "{} {} {} {}",
            String::from_utf8_lossy(&line).trim_end(),
            s.tls_version().unwrap(),
            s.tls_alpn().unwrap(),
            s.tls_peer_subject().unwrap()
        );
        s.close();
        // A name the certificate does not carry.
        let err = match conn.connect("other.test", "127.0.0.1", port).await {
            Ok(_) => panic!("wrong hostname accepted"),
            Err(e) => e,
        };
        server.close();
        server.wait_closed().await?;
        Ok(format!("{got} | {} {}", err.class_name(), err.message().contains("hostname mismatch")))
    });
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(r.unwrap(), "hi TLSv1.3 h2 CN=localhost | SSLCertVerificationError true");
}
