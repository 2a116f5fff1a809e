//go:build !amd64

package main

// #cgo LDFLAGS: -lm
// #include <math.h>
import "C"

import "fmt"

// libInfo shows that libm was linked (no zlib archive for this architecture here).
func libInfo() string { return fmt.Sprintf("libm sqrt(2)=%.3f", float64(C.sqrt(2))) }
