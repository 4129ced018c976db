module libasyncore.org/go/asyncore

go 1.19
