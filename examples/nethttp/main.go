// nethttp serves one page. Package net uses cgo for name resolution by
// default, so with CGO_ENABLED=1 the binary links against the C library.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os/user"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	once := flag.Bool("once", false, "serve a single request, then exit")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	done := make(chan struct{})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		name := "unknown"
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		fmt.Fprintf(w, "hello from gorelink's nethttp example (uid name: %s)\n", name)
		if *once {
			close(done)
		}
	})
	srv := &http.Server{}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	<-done
	// Shutdown, not Close: Close would drop the connection whose handler
	// has just returned but whose response is not yet written.
	if err := srv.Shutdown(context.Background()); err != nil {
		log.Fatal(err)
	}
}
