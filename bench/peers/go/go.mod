module asyncore.bench/gopeer

go 1.19
