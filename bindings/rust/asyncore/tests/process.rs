// Child processes, signals and pipes: real children (/bin/sh, cat), real
// signals sent by a child, a real pipe.
use std::os::fd::OwnedFd;

use asyncore::{connect_read_pipe, connect_write_pipe, run, signal, timeout, Command, Signals, Stdio};

#[test]
fn command_output_line_by_line() {
    let (lines, code) = run(async {
        let child = Command::new("printf").arg("a\\nb\\n").stdout(Stdio::Piped).spawn()?;
        assert!(child.id() > 0);
        assert!(child.stdin.is_none());
        let out = child.stdout.as_ref().unwrap();
        let mut got = Vec::new();
        loop {
            let l = out.read_line().await?;
            if l.is_empty() {
                break;
            }
            got.extend(l);
        }
        Ok((got, child.wait().await?))
    })
    .unwrap();
    assert_eq!(lines, b"a\nb\n");
    assert_eq!(code, 0);
}

#[test]
fn shell_communicate_env_cwd() {
    let out = run(async {
        let child = Command::shell("tr a-z A-Z; echo \"$X $(pwd)\" >&2; exit 5")
            .env("X", "x1")
            .current_dir("/")
            .stdin(Stdio::Piped)
            .stdout(Stdio::Piped)
            .stderr(Stdio::Piped)
            .spawn()?;
        child.communicate(b"hello\n").await
    })
    .unwrap();
    assert_eq!(out.status, 5);
    assert_eq!(out.stdout, b"HELLO\n");
    assert_eq!(out.stderr, b"x1 /\n");
}

#[test]
fn not_found_is_enoent_and_kill_is_negative() {
    run(async {
        let e = Command::new("/nonexistent/program").spawn().err().expect("no such program");
        assert_eq!(e.code(), -libc_enoent());
        assert_eq!(e.class_name(), "FileNotFoundError");
        let child = Command::new("sleep").arg("30").spawn()?;
        // A timeout cancels the wait, not the child.
        assert!(timeout(0.2, child.wait()).await.is_err());
        assert_eq!(child.try_wait(), None);
        child.kill()?;
        assert_eq!(child.wait().await?, -9);
        Ok(())
    })
    .unwrap();
}

fn libc_enoent() -> i32 {
    2
}

#[test]
fn signals_as_a_stream() {
    let got = run(async {
        let mut sigs = Signals::new(&[10, 12])?; // SIGUSR1, SIGUSR2
        let pid = std::process::id();
        Command::shell(&format!("kill -USR2 {pid}; kill -USR1 {pid}")).spawn()?.wait().await?;
        let a = sigs.recv().await?;
        let b = sigs.recv().await?;
        assert!(signal(9).is_err()); // SIGKILL cannot be caught
        Ok(vec![a, b])
    })
    .unwrap();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, vec![10, 12]);
}

#[test]
fn pipes_and_epipe() {
    run(async {
        let (r, w) = std::io::pipe().map_err(|_| asyncore::Error::from_code(-24))?;
        let r = connect_read_pipe(OwnedFd::from(r))?;
        let w = connect_write_pipe(OwnedFd::from(w))?;
        w.write(b"through a pipe\n")?;
        w.drain().await?;
        assert_eq!(r.read_line().await?, b"through a pipe\n");
        r.close();
        r.wait_closed().await?;
        let e = w.write(b"x").expect_err("the reader is gone");
        assert_eq!(e.class_name(), "BrokenPipeError");
        Ok(())
    })
    .unwrap();
}
