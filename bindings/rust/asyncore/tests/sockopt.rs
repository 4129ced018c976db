// Socket options, connection and listening options, servers closing their
// clients, UDP options and descriptor watching from Rust, over real
// sockets and pipes; options read back with getsockopt.
mod common;

use std::cell::{Cell, RefCell};
use std::os::unix::io::AsRawFd;
use std::rc::Rc;
use std::time::Duration;

use asyncore::{
    fs, sleep, spawn, ConnectOptions, KeepAlive, ListenOptions, Server, Stream, UdpOptions, UdpSocket,
};
use common::vloop;

// Linux's values (the test reads the options the library set).
const SOL_SOCKET: i32 = 1;
const SO_REUSEADDR: i32 = 2;
const SO_BROADCAST: i32 = 6;
const SO_KEEPALIVE: i32 = 9;
const SO_REUSEPORT: i32 = 15;
const IPPROTO_TCP: i32 = 6;
const TCP_NODELAY: i32 = 1;
const TCP_KEEPIDLE: i32 = 4;
const TCP_KEEPINTVL: i32 = 5;
const TCP_KEEPCNT: i32 = 6;
const EADDRINUSE: i32 = 98;
const ECONNREFUSED: i32 = 111;
const EACCES: i32 = 13;
const EBADF: i32 = 9;
const ENOSPC: i32 = 28;

extern "C" {
    fn getsockopt(fd: i32, level: i32, name: i32, value: *mut std::ffi::c_void, len: *mut u32) -> i32;
    fn pipe(fds: *mut i32) -> i32;
    fn close(fd: i32) -> i32;
    fn write(fd: i32, buf: *const std::ffi::c_void, n: usize) -> isize;
}

fn option(fd: i32, level: i32, name: i32) -> i32 {
    let mut v: i32 = -1;
    let mut len = std::mem::size_of::<i32>() as u32;
    assert_eq!(unsafe { getsockopt(fd, level, name, &mut v as *mut i32 as *mut _, &mut len) }, 0);
    v
}

fn new_pipe() -> (i32, i32) {
    let mut p = [0i32; 2];
    assert_eq!(unsafe { pipe(p.as_mut_ptr()) }, 0);
    (p[0], p[1])
}

/// A server keeping every connection it accepts.
fn keeping(opts: ListenOptions, port: u16) -> asyncore::Result<(Server, Rc<RefCell<Vec<Stream>>>)> {
    let kept = Rc::new(RefCell::new(Vec::new()));
    let k = kept.clone();
    let server = opts.bind("127.0.0.1", port, move |s| k.borrow_mut().push(s))?;
    Ok((server, kept))
}

async fn until_kept(kept: &Rc<RefCell<Vec<Stream>>>, n: usize) {
    for _ in 0..5000 {
        if kept.borrow().len() >= n {
            return;
        }
        let _ = sleep(0.001).await;
    }
    panic!("only {} connections", kept.borrow().len());
}

#[test]
fn stream_options_read_back() {
    vloop()
        .run_until_complete(async {
            let (server, kept) = keeping(ListenOptions::new(), 0)?;
            let s = Stream::connect("127.0.0.1", server.port()?).await?;
            let fd = s.fileno().expect("a socket");
            assert_eq!(s.as_raw_fd(), fd);
            // On by default, as asyncio.
            assert!(s.nodelay()?);
            assert_eq!(option(fd, IPPROTO_TCP, TCP_NODELAY), 1);
            s.set_nodelay(false)?;
            assert!(!s.nodelay()?);
            assert_eq!(option(fd, IPPROTO_TCP, TCP_NODELAY), 0);
            s.set_keepalive(Some(
                KeepAlive::new()
                    .with_idle(Duration::from_secs(30))
                    .with_interval(Duration::from_millis(4500))
                    .with_count(4),
            ))?;
            assert_ne!(option(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
            assert_eq!(option(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
            assert_eq!(option(fd, IPPROTO_TCP, TCP_KEEPINTVL), 5); // rounded up
            assert_eq!(option(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
            s.set_keepalive(None)?;
            assert_eq!(option(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
            until_kept(&kept, 1).await;
            s.close();
            s.wait_closed().await?;
            assert_eq!(s.fileno(), None);
            assert_eq!(s.as_raw_fd(), -1);
            assert_eq!(s.set_nodelay(true).unwrap_err().code(), asyncore::sys::AC_ECLOSED);
            server.close();
            assert_eq!(server.close_clients(), 1);
            server.wait_closed().await?;
            Ok::<(), asyncore::Error>(())
        })
        .unwrap();
}

#[test]
fn connection_options() {
    vloop()
        .run_until_complete(async {
            let (server, kept) = keeping(ListenOptions::new(), 0)?;
            let port = server.port()?;
            let s = ConnectOptions::new().local_address("127.0.0.2", 0).nodelay(false).connect("127.0.0.1", port).await?;
            assert!(s.local_address()?.starts_with("127.0.0.2:"));
            assert!(!s.nodelay()?);
            until_kept(&kept, 1).await;
            assert_eq!(kept.borrow()[0].peer_address()?, s.local_address()?);
            // Nothing listens on 127.0.0.3: refused, then the next one, in
            // order and raced.
            for opts in [ConnectOptions::new(), ConnectOptions::new().happy_eyeballs_delay(Duration::from_millis(250))] {
                let c = opts.connect_addresses(&["127.0.0.3", "127.0.0.1"], port).await?;
                assert_eq!(c.peer_address()?, format!("127.0.0.1:{port}"));
                c.close();
            }
            let c = Stream::connect_with("127.0.0.1", port, &ConnectOptions::new().interleave(2)).await?;
            c.close();
            let e = ConnectOptions::new()
                .happy_eyeballs_delay(Duration::from_millis(250))
                .connect_addresses(&["127.0.0.3", "127.0.0.4"], port)
                .await
                .err()
                .unwrap();
            assert_eq!(e.code(), -ECONNREFUSED);
            assert_eq!(
                e.to_string(),
                format!(
                    "ConnectionRefusedError: Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.3', {port}), \
                     [Errno 111] Connect call failed ('127.0.0.4', {port})"
                )
            );
            let e = ConnectOptions::new().connect_addresses(&["localhost"], port).await.err().unwrap();
            assert_eq!(e.code(), asyncore::sys::AC_EINVAL);
            let e = ConnectOptions::new().local_address("localhost", 0).connect("127.0.0.1", port).await.err().unwrap();
            assert_eq!(e.code(), asyncore::sys::AC_EINVAL);
            s.close();
            server.close();
            server.close_clients();
            server.wait_closed().await?;
            Ok::<(), asyncore::Error>(())
        })
        .unwrap();
}

#[test]
fn listening_options() {
    vloop()
        .run_until_complete(async {
            let a = ListenOptions::new().reuse_port(true).backlog(16).bind("127.0.0.1", 0, |_| {})?;
            let port = a.port()?;
            let b = ListenOptions::new().reuse_port(true).serve("127.0.0.1", port, |s: Stream| async move {
                s.close();
                Ok(())
            })?;
            let fd = a.fileno().expect("listening");
            assert_eq!(a.as_raw_fd(), fd);
            assert_eq!(option(fd, SOL_SOCKET, SO_REUSEPORT), 1);
            assert_eq!(option(fd, SOL_SOCKET, SO_REUSEADDR), 1);
            assert_eq!(b.port()?, port);
            let e = Server::bind("127.0.0.1", port, |_| {}).err().unwrap();
            assert_eq!(e.code(), -EADDRINUSE);
            let c = ListenOptions::new().reuse_address(false).bind("127.0.0.1", 0, |_| {})?;
            assert_eq!(option(c.as_raw_fd(), SOL_SOCKET, SO_REUSEADDR), 0);
            for s in [&a, &b, &c] {
                s.close();
                s.wait_closed().await?;
            }
            assert_eq!(a.fileno(), None);
            Ok::<(), asyncore::Error>(())
        })
        .unwrap();
}

#[test]
fn servers_close_and_abort_their_clients() {
    vloop()
        .run_until_complete(async {
            let (server, kept) = keeping(ListenOptions::new(), 0)?;
            let port = server.port()?;
            // serve_forever ends with a cancellation when the server closes.
            let forever = server.serve_forever();
            let second = server.serve_forever().await.unwrap_err();
            assert_eq!(second.code(), asyncore::sys::AC_ESTATE);
            let c1 = Stream::connect("127.0.0.1", port).await?;
            let c2 = Stream::connect("127.0.0.1", port).await?;
            until_kept(&kept, 2).await;
            assert_eq!(server.connections(), 2);
            let srv = server.clone();
            let closer = spawn(async move {
                sleep(0.01).await?;
                srv.close();
                Ok::<(), asyncore::Error>(())
            });
            assert!(forever.await.unwrap_err().is_cancelled());
            closer.await?;
            // Closed, two connections open: wait_closed waits for them.
            let srv = server.clone();
            let done = Rc::new(Cell::new(false));
            let d = done.clone();
            let waiter = spawn(async move {
                srv.wait_closed().await?;
                d.set(true);
                Ok::<(), asyncore::Error>(())
            });
            sleep(0.01).await?;
            assert!(!done.get());
            // close_clients sends what is buffered first.
            kept.borrow()[0].write(b"flushed")?;
            let first_is_c1 = kept.borrow()[0].peer_address()? == c1.local_address()?;
            let (flushed, other) = if first_is_c1 { (&c1, &c2) } else { (&c2, &c1) };
            assert_eq!(server.close_clients(), 2);
            assert_eq!(flushed.read_to_end().await?, b"flushed");
            assert_eq!(other.read_to_end().await?, b"");
            waiter.await?;
            assert!(done.get());
            assert_eq!(server.connections(), 0);
            assert_eq!(server.close_clients(), 0);
            assert_eq!(server.abort_clients(), 0);
            Ok::<(), asyncore::Error>(())
        })
        .unwrap();
}

#[test]
fn abort_clients_drops_buffered_output() {
    vloop()
        .run_until_complete(async {
            let (server, kept) = keeping(ListenOptions::new(), 0)?;
            let c = Stream::connect("127.0.0.1", server.port()?).await?;
            until_kept(&kept, 1).await;
            // More than the socket buffers take while the client does not read.
            kept.borrow()[0].write(&vec![b'x'; 16 << 20])?;
            sleep(0.01).await?;
            assert!(kept.borrow()[0].write_buffer_size() > 0);
            assert_eq!(server.abort_clients(), 1);
            let got = c.read_to_end().await.map(|v| v.len()).unwrap_or(0);
            assert!(got < 16 << 20, "all {got} bytes arrived");
            server.close();
            server.wait_closed().await?;
            Ok::<(), asyncore::Error>(())
        })
        .unwrap();
}

#[test]
fn udp_options() {
    vloop()
        .run_until_complete(async {
            let a = UdpOptions::new().reuse_port(true).allow_broadcast(true).bind("127.0.0.1", 0)?;
            let port: u16 = a.local_address()?.rsplit(':').next().unwrap().parse().unwrap();
            let b = UdpOptions::new().reuse_port(true).bind("127.0.0.1", port)?;
            let (fa, fb) = (a.fileno().unwrap(), b.as_raw_fd());
            assert_eq!(option(fa, SOL_SOCKET, SO_REUSEPORT), 1);
            assert_eq!(option(fa, SOL_SOCKET, SO_BROADCAST), 1);
            assert_eq!(option(fb, SOL_SOCKET, SO_BROADCAST), 0);
            assert_eq!(option(fb, SOL_SOCKET, SO_REUSEADDR), 0);
            a.send(b"x", Some("127.255.255.255:9"))?;
            assert_eq!(b.send(b"x", Some("127.255.255.255:9")).unwrap_err().code(), -EACCES);
            b.set_broadcast(true)?;
            b.send(b"x", Some("127.255.255.255:9"))?;
            assert_eq!(UdpSocket::bind("127.0.0.1", port).err().unwrap().code(), -EADDRINUSE);
            a.close();
            assert_eq!(a.fileno(), None);
            Ok::<(), asyncore::Error>(())
        })
        .unwrap();
}

/// A loop on the real clock: on the virtual one, a descriptor that stays
/// ready keeps the loop busy and time would never pass for the sleeps.
fn real_loop() -> asyncore::Loop {
    asyncore::Loop::builder().build().expect("loop")
}

#[test]
fn readers_and_writers_on_a_pipe() {
    let lp = real_loop();
    let (r, w) = new_pipe();
    let reports = Rc::new(RefCell::new(Vec::<String>::new()));
    let rep = reports.clone();
    lp.set_exception_handler(move |msg, e| {
        rep.borrow_mut().push(format!("{msg}: {}", e.map(|e| e.code()).unwrap_or(0)))
    })
    .unwrap();
    lp.run_until_complete(async move {
        let first = Rc::new(Cell::new(0));
        let second = Rc::new(Cell::new(0));
        let dropped = Rc::new(Cell::new(false));
        // The first reader's closure owns a guard: replaced, it is dropped.
        struct Guard(Rc<Cell<bool>>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let (f, g) = (first.clone(), Guard(dropped.clone()));
        fs::add_reader(r, move || {
            let _ = &g;
            f.set(f.get() + 1)
        })?;
        let s = second.clone();
        asyncore::add_reader(r, move || {
            s.set(s.get() + 1);
            // Removing itself from inside its call is safe.
            if s.get() == 2 {
                asyncore::remove_reader(r).map(|_| ())
            } else {
                Ok(())
            }
        })?;
        assert!(dropped.get());
        assert_eq!(unsafe { write(w, b"x".as_ptr() as *const _, 1) }, 1);
        for _ in 0..100 {
            if second.get() >= 2 {
                break;
            }
            sleep(0.001).await?;
        }
        assert_eq!((first.get(), second.get()), (0, 2));
        assert!(!fs::remove_reader(r)?);
        // A writer that panics: reported, never crossing the loop.
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        fs::add_writer(w, move || {
            c.set(c.get() + 1);
            if c.get() == 1 {
                panic!("writer failed");
            }
        })?;
        for _ in 0..100 {
            if calls.get() >= 2 {
                break;
            }
            sleep(0.001).await?;
        }
        assert!(calls.get() >= 2);
        assert!(fs::remove_writer(w)?);
        assert!(!fs::remove_writer(w)?);
        // Bad descriptors.
        assert_eq!(fs::add_reader(-1, || {}).unwrap_err().code(), asyncore::sys::AC_EINVAL);
        assert_eq!(fs::add_reader(987, || {}).unwrap_err().code(), -EBADF);
        Ok::<(), asyncore::Error>(())
    })
    .unwrap();
    let reports = reports.borrow();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].starts_with("Exception in callback"), "{reports:?}");
    unsafe {
        close(r);
        close(w);
    }
}

#[test]
fn a_descriptor_closed_behind_the_loops_back() {
    let lp = real_loop();
    let (r, w) = new_pipe();
    let reports = Rc::new(RefCell::new(Vec::<i32>::new()));
    let rep = reports.clone();
    lp.set_exception_handler(move |_, e| rep.borrow_mut().push(e.map(|e| e.code()).unwrap_or(0))).unwrap();
    let dropped = Rc::new(Cell::new(false));
    let d = dropped.clone();
    lp.run_until_complete(async move {
        struct Guard(Rc<Cell<bool>>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let g = Guard(d);
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        fs::add_reader(r, move || {
            let _ = &g;
            c.set(c.get() + 1)
        })?;
        let waiting = spawn(fs::wait_readable(r));
        sleep(0.001).await?;
        unsafe { close(r) };
        // Dropped at the next poll: the waiter fails, no spin.
        let e = waiting.await.unwrap_err();
        assert_eq!(e.code(), -EBADF);
        sleep(0.01).await?;
        assert_eq!(calls.get(), 0);
        assert!(!fs::remove_reader(r)?);
        Ok::<(), asyncore::Error>(())
    })
    .unwrap();
    assert!(dropped.get());
    assert_eq!(*reports.borrow(), vec![-EBADF]);
    unsafe { close(w) };
}

#[test]
fn no_space_left_on_dev_full() {
    if std::fs::OpenOptions::new().write(true).open("/dev/full").is_err() {
        eprintln!("skipped: no writable /dev/full");
        return;
    }
    vloop()
        .run_until_complete(async {
            let fd = fs::open("/dev/full", fs::open_flags("w")?, 0).await? as i32;
            let e = fs::write(fd, b"data", None).await.unwrap_err();
            assert_eq!(e.code(), -ENOSPC);
            assert_eq!(e.to_string(), "OSError: [Errno 28] No space left on device");
            let io: std::io::Error = e.into();
            assert_eq!(io.raw_os_error(), Some(ENOSPC));
            fs::close(fd).await?;
            let f = fs::File::open("/dev/full", "w").await?;
            f.write(b"line\n")?;
            assert_eq!(f.drain().await.unwrap_err().code(), -ENOSPC);
            let _ = f.close().await;
            Ok::<(), asyncore::Error>(())
        })
        .unwrap();
}
