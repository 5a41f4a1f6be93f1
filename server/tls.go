package server

import (
	"crypto/tls"
	"net"
	"slices"
)

// alpnProtocols are what a TLS listener offers by ALPN, in order of preference: HTTP/2,
// which the KPL and the Java async client use, then HTTP/1.1, which the Go SDK and the AWS
// CLI use.
var alpnProtocols = []string{"h2", "http/1.1"}

// ServeTLS is Serve over TLS: it accepts connections on ln, makes the TLS handshake with
// config (which must carry a certificate), and serves HTTP/2 or HTTP/1.1 as the client
// chooses by ALPN. config is not modified; when its NextProtos is empty both protocols are
// offered. It may run beside Serve on other listeners of the same Server.
func (s *Server) ServeTLS(ln net.Listener, config *tls.Config) error {
	c := config.Clone()
	if len(c.NextProtos) == 0 {
		c.NextProtos = slices.Clone(alpnProtocols)
	}
	return s.Serve(tls.NewListener(ln, c))
}
