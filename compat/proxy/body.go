package proxy

import (
	"bytes"
	"io"
	"sync"
)

// The bodies of an exchange as the proxy streams them: a copy of the first bytes of each is
// kept for the check that runs off the request path.

// emptyBody stands in for a request without a body.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// capture keeps the first max bytes written to it.
type capture struct {
	buf       bytes.Buffer
	max       int64
	total     int64
	truncated bool
}

func (c *capture) Write(b []byte) {
	c.total += int64(len(b))
	room := c.max - int64(c.buf.Len())
	if int64(len(b)) > room {
		c.truncated = true
		b = b[:max(room, 0)]
	}
	c.buf.Write(b)
}

// teeBody copies what is read through it into a capture; onClose sees whether the body was
// read to its end or failed.
type teeBody struct {
	rc      io.ReadCloser
	c       *capture
	eof     bool
	readErr error
	once    sync.Once
	onClose func(*teeBody)
}

func (t *teeBody) Read(b []byte) (int, error) {
	n, err := t.rc.Read(b)
	if n > 0 {
		t.c.Write(b[:n])
	}
	switch {
	case err == io.EOF:
		t.eof = true
	case err != nil && t.readErr == nil:
		t.readErr = err
	}
	return n, err
}

func (t *teeBody) Close() error {
	err := t.rc.Close()
	if t.onClose != nil {
		t.once.Do(func() { t.onClose(t) })
	}
	return err
}
