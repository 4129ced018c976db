"""peer.py — Python's ssl module as the other side of the TLS tests.

  peer.py server CERT KEY [--alpn a,b] [--require-client CAFILE]
      Prints its port, accepts one connection, reads one line and answers
      "py:<line>" (plus " client=<CN>" for a client certificate), then
      sends close_notify and closes.
  peer.py client PORT CAFILE HOSTNAME [--cert CERT KEY] [--alpn a,b]
      Connects, sends "hello\\n", prints the answer line, the version and
      the ALPN protocol, then sends close_notify and waits for the server's.
"""
import socket
import ssl
import sys


def opt(args, name, n=1):
    if name in args:
        i = args.index(name)
        return args[i + 1:i + 1 + n]
    return None


def server(args):
    cert, key = args[0], args[1]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    alpn = opt(args, "--alpn")
    if alpn:
        ctx.set_alpn_protocols(alpn[0].split(","))
    req = opt(args, "--require-client")
    if req:
        ctx.load_verify_locations(req[0])
        ctx.verify_mode = ssl.CERT_REQUIRED
    ls = socket.create_server(("127.0.0.1", 0))
    print(ls.getsockname()[1], flush=True)
    ls.settimeout(120)  # the test may run under valgrind
    conn, _ = ls.accept()
    conn.settimeout(10)
    try:
        s = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        print("handshake failed:", type(e).__name__, flush=True)
        return
    f = s.makefile("rb")
    line = f.readline().decode().rstrip("\n")
    extra = ""
    pc = s.getpeercert()
    if pc:
        cn = [v for rdn in pc["subject"] for (k, v) in rdn if k == "commonName"]
        extra = " client=" + cn[0]
    s.sendall(("py:%s%s\n" % (line, extra)).encode())
    f.close()
    try:
        s.unwrap()
    except (ssl.SSLError, OSError):
        pass
    s.close()


def client(args):
    port, cafile, host = int(args[0]), args[1], args[2]
    ctx = ssl.create_default_context(cafile=cafile)
    cert = opt(args, "--cert", 2)
    if cert:
        ctx.load_cert_chain(cert[0], cert[1])
    alpn = opt(args, "--alpn")
    if alpn:
        ctx.set_alpn_protocols(alpn[0].split(","))
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s = ctx.wrap_socket(raw, server_hostname=host)
    except (ssl.SSLError, OSError) as e:
        print("handshake failed:", type(e).__name__, e.args[-1] if e.args else "")
        return
    s.sendall(b"hello\n")
    f = s.makefile("rb")
    print(f.readline().decode().rstrip("\n"), s.version(), s.selected_alpn_protocol())
    f.close()
    s.unwrap()  # our close_notify, then the server's
    print("closed")
    raw.close()


if __name__ == "__main__":
    {"server": server, "client": client}[sys.argv[1]](sys.argv[2:])
