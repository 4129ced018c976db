// TLS: TlsConnector / TlsAcceptor against each other, with certificates
// made at test time by tests/tls/make_certs.sh (real clock: the handshake
// timeout would jump ahead on the virtual one).
use std::process::Command;
use std::time::Duration;

use asyncore::{Loop, Stream, TlsAcceptor, TlsConnector, TlsContext};

// A folder per test: the tests of this file run in parallel.
fn certs(test: &str) -> String {
    let dir = std::env::temp_dir().join(format!("asyncore-rs-tls-{}-{test}", std::process::id()));
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
    let dir = certs("round-trip");
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

// A server whose context is loaded from PEM text, choosing a second context
// by SNI; the client trusts the CA from PEM text too.
#[test]
fn tls_sni_callback_and_pem_in_memory() {
    if unsafe { asyncore::sys::ac_tls_available() } == 0 {
        eprintln!("skipped: built without TLS");
        return;
    }
    let dir = certs("sni");
    let d = dir.clone();
    let read = move |n: &str| std::fs::read_to_string(format!("{d}/{n}")).unwrap();
    let lp = Loop::new().unwrap();
    let r = lp.run_until_complete(async move {
        let other = TlsContext::server()?;
        other.load_cert_chain_pem(&read("other.pem"), Some(&read("other.key")))?;
        let sctx = TlsContext::server()?;
        sctx.load_cert_chain_pem(&read("server.pem"), Some(&read("server.key")))?;
        let asked = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
        let seen = asked.clone();
        sctx.set_sni_callback(move |name| {
            seen.borrow_mut().push(name.to_string());
            if name == "other.test" {
                Some(other.clone())
            } else {
                None
            }
        })?;
        let server = TlsAcceptor::new(sctx).serve("127.0.0.1", 0, echo)?;
        let port = server.port()?;
        let cctx = TlsContext::client()?;
        cctx.load_verify_pem(&read("ca.pem"))?;
        let conn = TlsConnector::new(cctx);
        let mut got = Vec::new();
        for name in ["other.test", "localhost"] {
            let s = conn.connect(name, "127.0.0.1", port).await?;
            s.write(b"x\n")?;
            let line = s.read_line().await?;
            got.push(format!("{} {}", String::from_utf8_lossy(&line).trim_end(), s.tls_peer_subject().unwrap()));
            s.close();
        }
        // Malformed PEM text is refused with OpenSSL's reason.
        let bad = TlsContext::server()?;
        let err = bad.load_cert_chain_pem("not a certificate", None).unwrap_err();
        server.close();
        server.wait_closed().await?;
        Ok(format!("{} | {} | {}", got.join(", "), asked.borrow().join(","), err.class_name()))
    });
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(r.unwrap(), "x CN=other.test, x CN=localhost | other.test,localhost | SSLError");
}
