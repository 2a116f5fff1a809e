// pkgconfig encodes a small image as PNG in memory with libpng, decodes it
// again and checks the pixels. libpng is found with `#cgo pkg-config:`, which
// gives go build only `pkg-config --libs libpng` (-lpng16). libpng calls zlib,
// which its .pc file lists under Requires.private and Libs.private, so a
// static link needs `pkg-config --static --libs libpng` (-lpng16 -lm -lz):
//
//	go build -ldflags '-linkmode=external -extldflags=-static'  # fails: undefined deflate, inflate, crc32...
//	gorelink .                                                 # works
//
// Needs libpng-dev (and zlib1g-dev, which it pulls in).
package main

/*
#cgo pkg-config: libpng
#include <stdlib.h>
#include <string.h>
#include <png.h>

// roundtrip encodes a W*H RGBA gradient as PNG, decodes it, and compares.
// Returns the PNG size in bytes, or -1 with msg set on failure. Writing and
// reading the PNG runs zlib's deflate and inflate, inside libpng.
static long roundtrip(int w, int h, const char **msg) {
	size_t n = (size_t)w * h * 4;
	unsigned char *px = malloc(n), *back = malloc(n);
	void *mem = NULL;
	png_alloc_size_t memlen = 0;
	png_image img;
	long ret = -1;

	*msg = "out of memory";
	if (!px || !back)
		goto out;
	for (size_t i = 0; i < n; i++)
		px[i] = (unsigned char)(i * 7 + i / 13);

	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = w;
	img.height = h;
	img.format = PNG_FORMAT_RGBA;
	if (!png_image_write_get_memory_size(img, memlen, 0, px, 0, NULL)) {
		*msg = img.message;
		goto out;
	}
	mem = malloc(memlen);
	if (!mem || !png_image_write_to_memory(&img, mem, &memlen, 0, px, 0, NULL)) {
		*msg = mem ? img.message : "out of memory";
		goto out;
	}

	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, mem, memlen)) {
		*msg = img.message;
		goto out;
	}
	img.format = PNG_FORMAT_RGBA;
	if (img.width != (png_uint_32)w || img.height != (png_uint_32)h) {
		*msg = "decoded size differs";
		png_image_free(&img);
		goto out;
	}
	if (!png_image_finish_read(&img, NULL, back, 0, NULL)) {
		*msg = img.message;
		goto out;
	}
	if (memcmp(px, back, n) != 0) {
		*msg = "decoded pixels differ";
		goto out;
	}
	*msg = NULL;
	ret = (long)memlen;
out:
	free(px);
	free(back);
	free(mem);
	return ret;
}

static const char *png_version(void) { return png_get_libpng_ver(NULL); }
*/
import "C"

import (
	"fmt"
	"os"
)

func main() {
	var msg *C.char
	n := C.roundtrip(64, 48, &msg)
	if n < 0 {
		fmt.Fprintln(os.Stderr, "pkgconfig: libpng:", C.GoString(msg))
		os.Exit(1)
	}
	fmt.Printf("libpng %s\n", C.GoString(C.png_version()))
	fmt.Printf("png roundtrip ok: 64x48 RGBA, %d bytes\n", int64(n))
}
