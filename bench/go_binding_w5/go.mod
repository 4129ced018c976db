module asyncore.bench/w5

go 1.19

require libasyncore.org/go/asyncore v0.0.0

replace libasyncore.org/go/asyncore => ../../bindings/go
