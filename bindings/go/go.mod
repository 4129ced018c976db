module asyncore

go 1.19
