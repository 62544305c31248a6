//go:build !linux

package dimse

import "net"

// quickAck is Linux's (see quickack_linux.go); elsewhere conn is kept as is.
func quickAck(conn net.Conn) net.Conn { return conn }
