module example.com/zdemo

go 1.19
