// Each example program, run on the virtual clock, prints exactly what
// CPython prints running the asyncio guide's example (the expected/<name>.txt
// files, made by the Python twins in ../python).
use std::path::Path;
use std::process::Command;

fn check(name: &str, exe: &str) {
    let out = Command::new(exe).arg("--virtual-clock").output().expect("run example");
    assert!(
        out.status.success(),
        "{name} exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // What CPython prints running the Python twin, shared by every language,
    // or this language's own where it must differ (../expected/README.md).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../expected");
    let own = dir.join(format!("{name}.rust.txt"));
    let expected_path = if own.exists() { own } else { dir.join(format!("{name}.txt")) };
    let expected = std::fs::read_to_string(&expected_path).expect("expected output");
    let got = String::from_utf8_lossy(&out.stdout);
    assert_eq!(got.trim_end_matches('\n'), expected.trim_end_matches('\n'), "output of {name}");
}

macro_rules! example {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), env!(concat!("CARGO_BIN_EXE_", stringify!($name))));
            }
        )*
    };
}

example!(
    hello_world,
    coroutine_object,
    await_sequence,
    tour,
    gather_workers,
    worker_gather,
    event_loop,
    fetch_data,
    blocking_fetch,
    wait_for_timeout,
    taskgroup_download,
    to_thread,
    lock_counter,
    semaphore_workers,
    queue_consumers,
    lock_shared_counter,
    queue_producer_consumer,
    run_command,
    sigint_server,
    tail_file,
);

/// The echo pair: the Rust server, the Rust client with three lines, over
/// TCP and over a Unix socket; the client prints what the C twin prints.
fn echo_pair(unix: Option<&str>) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_echo_server"));
    match unix {
        Some(path) => cmd.args(["--unix", path]),
        None => cmd.args(["127.0.0.1", "0"]),
    };
    let mut server = cmd.args(["--connections", "1"]).stdout(Stdio::piped()).spawn().expect("server");
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let address = first.trim().strip_prefix("serving on ").expect("serving on ...").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_echo_client"))
        .args([address.as_str(), "hello", "asyncio streams in C", "bye"])
        .output()
        .expect("client");
    let status = server.wait().unwrap();
    assert!(out.status.success(), "client: {}", String::from_utf8_lossy(&out.stderr));
    assert!(status.success(), "server exited with {status}");
    let expected = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../expected/echo_client.txt")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), expected.trim_end());
}

#[test]
fn echo_tcp() {
    echo_pair(None);
}

#[test]
fn echo_unix() {
    let dir = std::env::temp_dir().join(format!("asyncore-echo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("echo.sock");
    echo_pair(Some(path.to_str().unwrap()));
    std::fs::remove_dir_all(&dir).ok();
}

/// The TLS echo pair, with a CA and server certificate made by
/// tests/tls/make_certs.sh; the client prints what the C twin prints.
#[test]
fn tls_echo() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    if unsafe { asyncore_sys::ac_tls_available() } == 0 {
        eprintln!("skipped: built without TLS");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("asyncore-tls-echo-{}", std::process::id()));
    let made = Command::new("sh").arg(root.join("tests/tls/make_certs.sh")).arg(&dir).output().expect("make_certs");
    assert!(made.status.success(), "make_certs.sh failed");
    let c = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let mut server = Command::new(env!("CARGO_BIN_EXE_tls_echo_server"))
        .args([c("server.pem"), c("server.key"), "127.0.0.1".into(), "0".into(), "--connections".into(), "1".into()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("server");
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let address = first.trim().strip_prefix("serving on ").expect("serving on ...").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_tls_echo_client"))
        .args([c("ca.pem"), address, "localhost".into(), "hello".into(), "asyncio streams over TLS".into(), "bye".into()])
        .output()
        .expect("client");
    let status = server.wait().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(out.status.success(), "client: {}", String::from_utf8_lossy(&out.stderr));
    assert!(status.success(), "server exited with {status}");
    let expected = std::fs::read_to_string(root.join("examples/expected/tls_echo_client.txt")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), expected.trim_end());
}
