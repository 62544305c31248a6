//go:build linux

package dimse

import (
	"io"
	"net"
	"syscall"
	"testing"
)

// quickAckState reads TCP_QUICKACK back: 1 while the kernel acknowledges at
// once, 0 once it delays acknowledgements to ride them on its answers.
func quickAckState(t *testing.T, c net.Conn) int {
	t.Helper()
	var tcp *net.TCPConn
	switch c := c.(type) {
	case *quickAckConn:
		tcp = c.TCPConn
	case *net.TCPConn:
		tcp = c
	}
	raw, err := tcp.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := raw.Control(func(fd uintptr) { v, gerr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK) }); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}

// exchange runs a few question-and-answer rounds on a loopback connection
// and returns the server side's TCP_QUICKACK after each of its reads.
func exchange(t *testing.T, wrap func(net.Conn) net.Conn) []int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.(*net.TCPConn).SetNoDelay(false) // as dcmtk's findscu
	accepted, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	server := wrap(accepted)
	defer server.Close()
	var states []int
	buf := make([]byte, 16)
	for range 5 {
		if _, err := client.Write([]byte("question")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(server, buf[:8]); err != nil {
			t.Fatal(err)
		}
		states = append(states, quickAckState(t, server))
		if _, err := server.Write([]byte("answer!!")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(client, buf[:8]); err != nil {
			t.Fatal(err)
		}
	}
	return states
}

// TestQuickAckAtEachRead: an association's connection acknowledges at once
// what it reads, where a plain connection, once it has answered, delays the
// acknowledgement (and a client with Nagle's algorithm on then holds its
// next small PDU for about 40 ms).
func TestQuickAckAtEachRead(t *testing.T) {
	plain := exchange(t, func(c net.Conn) net.Conn { return c })
	t.Logf("plain connection, TCP_QUICKACK after each read: %v", plain)
	for i, v := range exchange(t, quickAck) {
		if v != 1 {
			t.Errorf("read %d: TCP_QUICKACK %d, want 1", i+1, v)
		}
	}
}
