// Files and descriptors from Rust: File, fs requests, Python's errors as
// io::Error, and readiness on a real pipe.
mod common;

use asyncore::fs;
use common::vloop;

#[test]
fn file_round_trip_and_errors() {
    let lp = vloop();
    let dir = std::env::temp_dir().join(format!("ac-fsrust-{}", std::process::id()));
    let d = dir.to_str().unwrap().to_string();
    lp.run_until_complete(async move {
        fs::mkdir(&d, 0o755).await?;
        let p = format!("{d}/a.txt");
        let f = fs::File::open(&p, "w").await?;
        f.write(b"one\ntwo\n")?;
        f.close().await?;
        let f = fs::File::open(&p, "r").await?;
        assert_eq!(f.read_line().await?, b"one\n");
        assert_eq!(f.read_to_end().await?, b"two\n");
        assert_eq!(f.read_line().await?, b"");
        f.close().await?;
        assert_eq!(fs::stat(&p).await?.size, 8);
        let fd = fs::open(&p, fs::open_flags("r")?, 0).await? as i32;
        assert_eq!(fs::read(fd, 3, Some(4)).await?, b"two");
        fs::close(fd).await?;
        assert_eq!(fs::scandir(&d).await?, vec!["a.txt".to_string()]);
        let err = fs::File::open("/nonexistent/x", "r").await.err().unwrap();
        assert_eq!(err.code(), -2);
        assert!(err
            .to_string()
            .contains("No such file or directory: '/nonexistent/x'"));
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        fs::unlink(&p).await?;
        fs::rmdir(&d).await?;
        Ok::<(), asyncore::Error>(())
    })
    .unwrap();
}

#[test]
fn readiness_on_a_pipe() {
    let lp = vloop();
    let mut p = [0i32; 2];
    assert_eq!(unsafe { libc_pipe(p.as_mut_ptr()) }, 0);
    let (r, w) = (p[0], p[1]);
    lp.run_until_complete(async move {
        fs::write(w, b"x", None).await?;
        fs::wait_readable(r).await?;
        fs::wait_writable(w).await?;
        assert_eq!(fs::read(r, 10, None).await?, b"x");
        fs::close(r).await?;
        fs::close(w).await?;
        Ok::<(), asyncore::Error>(())
    })
    .unwrap();
}

extern "C" {
    #[link_name = "pipe"]
    fn libc_pipe(fds: *mut i32) -> i32;
}
