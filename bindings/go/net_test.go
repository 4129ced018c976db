package asyncore

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// echo serves lines back until EOF.
func echo(co *Co, s *Stream) error {
	for {
		line, err := s.ReadLine(co)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		if err := s.Write(append([]byte("echo: "), line...)); err != nil {
			return err
		}
		if err := s.Drain(co); err != nil {
			return err
		}
	}
}

func TestTCPEchoServerAndClient(t *testing.T) {
	done := leakCheck(t)
	var got []string
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		srv, err := l.StartServer("127.0.0.1", 0, echo)
		if err != nil {
			return nil, err
		}
		port := srv.Port()
		addr, _ := srv.Address()
		if !strings.HasPrefix(addr, "127.0.0.1:") || port <= 0 || !srv.IsServing() {
			return nil, fmt.Errorf("server address %q port %d", addr, port)
		}
		s, err := co.OpenConnection("127.0.0.1", port)
		if err != nil {
			return nil, err
		}
		peer, _ := s.PeerAddress()
		if peer != addr {
			return nil, fmt.Errorf("peer %q", peer)
		}
		for _, msg := range []string{"hello", "streams in Go"} {
			s.Write([]byte(msg + "\n"))
			line, err := s.ReadLine(co)
			if err != nil {
				return nil, err
			}
			got = append(got, strings.TrimSuffix(string(line), "\n"))
		}
		s.WriteEOF()
		rest, err := s.ReadAll(co)
		if err != nil || len(rest) != 0 || !s.AtEOF() {
			return nil, fmt.Errorf("after EOF: %q %v", rest, err)
		}
		s.Close()
		if err := s.WaitClosed(co); err != nil {
			return nil, err
		}
		if srv.Accepted() != 1 {
			return nil, fmt.Errorf("accepted %d", srv.Accepted())
		}
		srv.Close()
		return nil, srv.WaitClosed(co)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"echo: hello", "echo: streams in Go"}) {
		t.Fatalf("got %q", got)
	}
	done()
}

func TestUnixSocketAndReadExactly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sock")
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		srv, err := l.StartUnixServer(path, func(co *Co, s *Stream) error {
			return s.Write([]byte("0123456789|abc"))
		})
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		s, err := co.OpenUnixConnection(path)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		b, err := s.ReadExactly(co, 4)
		if string(b) != "0123" || err != nil {
			return nil, fmt.Errorf("exactly: %q %v", b, err)
		}
		b, err = s.ReadUntil(co, []byte("|"))
		if string(b) != "456789|" || err != nil {
			return nil, fmt.Errorf("until: %q %v", b, err)
		}
		_, err = s.ReadExactly(co, 10)
		var e *Error
		if !errors.Is(err, ErrIncomplete) || !errors.As(err, &e) || string(e.Partial) != "abc" {
			return nil, fmt.Errorf("incomplete: %v", err)
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConnectRefused(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		srv, _ := co.Loop().StartServer("127.0.0.1", 0, echo)
		port := srv.Port()
		srv.Close()
		srv.WaitClosed(co)
		return co.OpenConnection("127.0.0.1", port)
	})
	if !errors.Is(err, ErrConnRefused) {
		t.Fatalf("got %v", err)
	}
}

func TestHandlerErrorGoesToTheExceptionHandler(t *testing.T) {
	reports := make(chan error, 1)
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		l.SetExceptionHandler(func(c ExceptionContext) { reports <- c.Err })
		bad := errors.New("handler broke")
		srv, _ := l.StartServer("127.0.0.1", 0, func(co *Co, s *Stream) error { return bad })
		defer srv.Close()
		s, err := co.OpenConnection("127.0.0.1", srv.Port())
		if err != nil {
			return nil, err
		}
		defer s.Close()
		if _, err := s.ReadAll(co); err != nil {
			return nil, err
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-reports; err == nil || err.Error() != "handler broke" {
		t.Fatalf("report: %v", err)
	}
}

func TestUDPEcho(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		server, err := l.ListenUDP("127.0.0.1", 0)
		if err != nil {
			return nil, err
		}
		defer server.Close()
		addr, _ := server.LocalAddress()
		client, _ := l.ListenUDP("127.0.0.1", 0)
		defer client.Close()
		var port int
		fmt.Sscanf(addr[strings.LastIndex(addr, ":")+1:], "%d", &port)
		if err := client.Connect("127.0.0.1", port); err != nil {
			return nil, err
		}
		if err := client.Send([]byte("ping"), ""); err != nil {
			return nil, err
		}
		data, from, err := server.RecvFrom(co)
		if err != nil || string(data) != "ping" {
			return nil, fmt.Errorf("recvfrom %q %v", data, err)
		}
		if err := server.Send([]byte("pong"), from); err != nil {
			return nil, err
		}
		reply, err := client.Recv(co)
		if err != nil || string(reply) != "pong" {
			return nil, fmt.Errorf("recv %q %v", reply, err)
		}
		if server.Dropped() != 0 || server.Queued() != 0 || server.SetRecvQueue(0) == nil {
			return nil, errors.New("queue accounting")
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNameResolution(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		addrs, err := co.GetAddrInfo("127.0.0.1", "80", FamilyIPv4, SockStream)
		if err != nil || !reflect.DeepEqual(addrs, []string{"127.0.0.1:80"}) {
			return nil, fmt.Errorf("getaddrinfo %q %v", addrs, err)
		}
		host, serv, err := co.GetNameInfo("127.0.0.1:80", NINumericHost|NINumericServ)
		if err != nil || host != "127.0.0.1" || serv != "80" {
			return nil, fmt.Errorf("getnameinfo %q %q %v", host, serv, err)
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadCancelledLosesNoData(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		srv, _ := l.StartServer("127.0.0.1", 0, func(co *Co, s *Stream) error {
			co.Sleep(50 * time.Millisecond)
			return s.Write([]byte("late data"))
		})
		defer srv.Close()
		s, err := co.OpenConnection("127.0.0.1", srv.Port())
		if err != nil {
			return nil, err
		}
		defer s.Close()
		_, err = co.WaitFor(mustGo(co, func(co *Co) (any, error) { return s.Read(co, 100) }), 10*time.Millisecond)
		if !errors.Is(err, ErrTimeout) {
			return nil, fmt.Errorf("first read: %v", err)
		}
		b, err := s.ReadAll(co)
		if string(b) != "late data" {
			return nil, fmt.Errorf("second read: %q %v", b, err)
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustGo(co *Co, fn TaskFunc) *Task {
	t, err := co.Go(fn)
	if err != nil {
		panic(err)
	}
	return t
}
