package ready

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"strings"
)

// Notifier is the socket a process names in NOTIFY_SOCKET to tell sup,
// as with systemd's sd_notify, that it is ready ("READY=1") and what it is
// doing ("STATUS=..."). It is a datagram socket in Linux's abstract
// namespace, so it needs no file and vanishes with its last descriptor;
// its name carries 128 random bits, so no other process guesses it.
type Notifier struct {
	conn *net.UnixConn
	addr string
}

// Message is what one datagram said. Fields not sent are empty.
type Message struct {
	Ready    bool
	Stopping bool
	Status   string
}

// Listen opens a notify socket.
func Listen() (*Notifier, error) {
	var nonce [16]byte
	rand.Read(nonce[:])
	name := "@sup-notify-" + hex.EncodeToString(nonce[:])
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	return &Notifier{conn: conn, addr: name}, nil
}

// Addr is the value of NOTIFY_SOCKET.
func (n *Notifier) Addr() string { return n.addr }

// Run reads datagrams and hands each to fn until Close. It returns at once
// when fn returns false.
func (n *Notifier) Run(fn func(Message) bool) {
	buf := make([]byte, 4096)
	for {
		k, _, err := n.conn.ReadFromUnix(buf)
		if err != nil {
			return
		}
		if !fn(ParseMessage(string(buf[:k]))) {
			return
		}
	}
}

// Close releases the socket; Run returns.
func (n *Notifier) Close() error { return n.conn.Close() }

// ParseMessage reads sd_notify's newline-separated KEY=VALUE assignments.
// Unknown keys are ignored, as systemd does.
func ParseMessage(s string) Message {
	var m Message
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch k {
		case "READY":
			m.Ready = v == "1"
		case "STOPPING":
			m.Stopping = v == "1"
		case "STATUS":
			if len(v) > 200 {
				v = v[:200]
			}
			m.Status = v
		}
	}
	return m
}
