package mock

import (
	"bytes"
	"net"
	"testing"
)

type discardConn struct{ net.Conn }

func (discardConn) Write(b []byte) (int, error) { return len(b), nil }

func BenchmarkProtocolErrorsWrite200(b *testing.B) {
	resp := append([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Sun, 29 Nov 2026 22:00:00 GMT\r\nContent-Length: 2048\r\n\r\n"), bytes.Repeat([]byte("x"), 2048)...)
	c := &protoConn{Conn: discardConn{}, maxHeader: 1 << 20}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.Write(resp)
	}
}
