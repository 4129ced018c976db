"""close_peer.py — Python's ssl module as the server in the TLS closing
tests. Each mode prints its port, accepts one connection, then:

  hold CERT KEY      reads until the client's close_notify, prints "got
                     close_notify" and whether the TCP connection is still
                     open, waits for SIGUSR1, answers with its own
                     close_notify ("answered"), then waits for the client's
                     TCP EOF ("tcp eof").
  silent CERT KEY    reads until the client's close_notify, never answers,
                     and reports the client's TCP EOF.
  notify CERT KEY    sends "bye\\n" and close_notify, then waits for the
                     client's close_notify ("unwrap ok").
  tcp-eof CERT KEY   sends "x\\n", then ends its side of the TCP connection
                     without close_notify, and waits for the client's EOF.
"""
import select
import signal
import socket
import ssl
import sys


def read_to_close_notify(s):
    while True:
        try:
            data = s.recv(65536)
        except ssl.SSLZeroReturnError:
            return
        if not data:
            return


def tcp_open(raw):
    """True when the client has not closed TCP (nothing readable yet)."""
    r, _, _ = select.select([raw], [], [], 0)
    return not r


def wait_tcp_eof(raw):
    raw.settimeout(60)
    try:
        while raw.recv(65536):
            pass
        return "tcp eof"
    except OSError as e:
        return "tcp error " + type(e).__name__


def main():
    mode, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ls = socket.create_server(("127.0.0.1", 0))
    print(ls.getsockname()[1], flush=True)
    ls.settimeout(120)  # the test may run under valgrind
    conn, _ = ls.accept()
    conn.settimeout(60)
    s = ctx.wrap_socket(conn, server_side=True)
    if mode == "hold":
        read_to_close_notify(s)
        print("got close_notify", flush=True)
        print("tcp open" if tcp_open(s) else "tcp closed", flush=True)
        signal.sigtimedwait({signal.SIGUSR1}, 60)
        raw = s.unwrap()  # ours, the client's came already
        print("answered", flush=True)
        print(wait_tcp_eof(raw), flush=True)
    elif mode == "silent":
        read_to_close_notify(s)
        print("got close_notify", flush=True)
        # No answer: the raw socket only, until the client gives up.
        raw = socket.socket(fileno=s.detach())
        print(wait_tcp_eof(raw) + " without our close_notify", flush=True)
    elif mode == "notify":
        s.sendall(b"bye\n")
        try:
            s.unwrap()
            print("unwrap ok", flush=True)
        except (ssl.SSLError, OSError) as e:
            print("unwrap failed", type(e).__name__, flush=True)
    elif mode == "tcp-eof":
        s.sendall(b"x\n")
        raw = socket.socket(fileno=s.detach())
        raw.shutdown(socket.SHUT_WR)  # FIN, no close_notify
        print(wait_tcp_eof(raw), flush=True)


if __name__ == "__main__":
    main()
