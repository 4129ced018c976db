package asyncore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// net/http serves over the loop's server and streams.
func TestHTTPServerOverTheLoop(t *testing.T) {
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ln, err := Listen(l, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello from the loop, "+r.URL.Query().Get("name"))
	})
	srv := &http.Server{Handler: mux}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: false}}
	for i, name := range []string{"go", "http", "again"} {
		resp, err := client.Get("http://" + ln.Addr().String() + "/hello?name=" + name)
		if err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || string(body) != "hello from the loop, "+name {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
	}
	client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
}

// io.Copy between two of the loop's streams: an echo server whose
// handler is io.Copy(conn, conn), a client dialled through the loop that
// copies a reader into its conn and the echo back into a buffer.
func TestIOCopyBetweenStreams(t *testing.T) {
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ln, err := Listen(l, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = io.Copy(c, c)
		_ = c.(*Conn).CloseWrite()
	}()
	c, err := Dial(context.Background(), l, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 64*1024) // 1 MiB
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(c, bytes.NewReader(payload))
		if err == nil {
			err = c.CloseWrite()
		}
		copied <- err
	}()
	var back bytes.Buffer
	n, err := io.Copy(&back, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-copied; err != nil {
		t.Fatal(err)
	}
	if n != int64(len(payload)) || !bytes.Equal(back.Bytes(), payload) {
		t.Fatalf("echoed %d bytes of %d", n, len(payload))
	}
}

// Our conn talks to Go's own net package both ways.
func TestConnWithGoNet(t *testing.T) {
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer gl.Close()
	go func() {
		c, err := gl.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(c, c)
	}()
	var conn net.Conn
	conn, err = Dial(context.Background(), l, "tcp", gl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "ping\n"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ping\n" {
		t.Fatalf("%q %v", buf, err)
	}
	if conn.RemoteAddr().String() != gl.Addr().String() {
		t.Fatalf("remote %v, want %v", conn.RemoteAddr(), gl.Addr())
	}
}

// A read deadline ends a waiting read with a timeout; a later deadline in
// the future lets the bytes through; no byte is lost.
func TestConnReadDeadline(t *testing.T) {
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ln, err := Listen(l, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			peer <- c
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc := <-peer
	defer sc.Close()
	_ = sc.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	buf := make([]byte, 16)
	_, err = sc.Read(buf)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v", err)
	}
	// A deadline moved into the past wakes a waiting read at once.
	woke := make(chan error, 1)
	_ = sc.SetReadDeadline(time.Time{})
	go func() { _, err := sc.Read(buf); woke <- err }()
	time.Sleep(10 * time.Millisecond)
	_ = sc.SetReadDeadline(time.Unix(1, 0))
	if err := <-woke; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v", err)
	}
	_ = sc.SetReadDeadline(time.Time{})
	if _, err := io.WriteString(c, "late bytes"); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 10)
	if _, err := io.ReadFull(sc, got); err != nil || string(got) != "late bytes" {
		t.Fatalf("%q %v", got, err)
	}
	// Close ends the listener's Accept with net.ErrClosed.
	_ = ln.Close()
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("accept: %v", err)
	}
	if !strings.Contains(ln.Addr().String(), "127.0.0.1:") {
		t.Fatalf("addr %v", ln.Addr())
	}
}
