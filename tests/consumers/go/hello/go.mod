module example.com/hello

go 1.19

require libasyncore.org/go/asyncore v0.0.0

replace libasyncore.org/go/asyncore => ../asyncore-go
