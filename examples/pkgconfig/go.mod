module example.com/pkgconfig

go 1.19
