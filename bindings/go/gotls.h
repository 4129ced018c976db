// gotls.h — the C side of the Go face's TLS extras (gotls.c): the SNI
// callback's trampoline and PEM loading, called with the context as an
// integer so no Go code converts integers to pointers.
#ifndef ASYNCORE_GOTLS_H
#define ASYNCORE_GOTLS_H
#include <stddef.h>
#include <stdint.h>

#include <asyncore.h>

// Installs the SNI callback of `ctx`: the Go function behind `handle`
// chooses the context; the handle is released with the callback.
int acgo_tls_set_sni(uintptr_t ctx, uintptr_t handle);
// ac_tls_context_load_cert_chain_pem (key NULL: in cert).
int acgo_tls_load_cert_pem(uintptr_t ctx, const char *cert, size_t cert_len, const char *key,
                           size_t key_len);
// ac_tls_context_load_verify_pem.
int acgo_tls_load_verify_pem(uintptr_t ctx, const char *pem, size_t len);
#endif
