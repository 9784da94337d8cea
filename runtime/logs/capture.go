package logs

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
)

// bufSize is the capture read size: a pipe holds 64 KiB by default, so one
// read usually empties it.
const bufSize = 64 << 10

// Buffers lends capture buffers. An idle child holds none: a buffer is taken
// only once its pipe is readable and returned as soon as the read is written
// out, so a thousand quiet children cost no buffer memory.
type Buffers struct{ pool sync.Pool }

// NewBuffers returns an empty buffer pool.
func NewBuffers() *Buffers {
	b := &Buffers{}
	b.pool.New = func() any { s := make([]byte, bufSize); return &s }
	return b
}

// Capture copies r to w until r reports EOF (every write end of the pipe is
// closed). It keeps reading after a write error, so the child never blocks on
// a sup that cannot write; bytes that could not be written are counted in
// lost and the first write error is returned.
func (b *Buffers) Capture(r io.Reader, w io.Writer) (n, lost int64, err error) {
	read := b.reader(r)
	for {
		bp, k, rerr := read()
		if k > 0 {
			wn, werr := w.Write((*bp)[:k])
			n += int64(wn)
			if werr != nil {
				lost += int64(k - wn)
				if err == nil {
					err = werr
				}
			}
		}
		if bp != nil {
			b.pool.Put(bp)
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, os.ErrClosed) {
				return n, lost, err
			}
			if err == nil {
				err = rerr
			}
			return n, lost, err
		}
	}
}

// reader returns a read function that takes a buffer only when data is
// there. For an *os.File (a pipe registered with the runtime poller) it waits
// for readability without a buffer; for other readers it reads directly.
func (b *Buffers) reader(r io.Reader) func() (*[]byte, int, error) {
	f, ok := r.(*os.File)
	if ok {
		if rc, err := f.SyscallConn(); err == nil {
			return func() (*[]byte, int, error) {
				var bp *[]byte
				var k int
				var rerr error
				cerr := rc.Read(func(fd uintptr) bool {
					bp = b.pool.Get().(*[]byte)
					for {
						k, rerr = syscall.Read(int(fd), *bp)
						if rerr != syscall.EINTR {
							break
						}
					}
					if rerr == syscall.EAGAIN {
						b.pool.Put(bp)
						bp = nil
						return false // wait for readability, holding no buffer
					}
					return true
				})
				if cerr != nil {
					return bp, 0, cerr
				}
				if rerr != nil {
					return bp, 0, rerr
				}
				if k == 0 {
					return bp, 0, io.EOF
				}
				return bp, k, nil
			}
		}
	}
	return func() (*[]byte, int, error) {
		bp := b.pool.Get().(*[]byte)
		k, err := r.Read(*bp)
		return bp, k, err
	}
}
