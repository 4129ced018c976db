module asyncore.bench/w5

go 1.19

require asyncore v0.0.0

replace asyncore => ../../bindings/go
