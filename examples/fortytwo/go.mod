module example.com/fortytwo

go 1.19
