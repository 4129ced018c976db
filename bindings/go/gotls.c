// The C side of the Go face's TLS extras (declared in gotls.h).
#include "gotls.h"

// Go exports (tls_sni.go, c_callbacks.go).
extern uintptr_t acgoSniChoose(char *name, uintptr_t handle);
extern void acgoFreeHandle(void *ud);

static ac_tls_context *sni_trampoline(const char *name, void *ud) {
  return (ac_tls_context *)acgoSniChoose((char *)name, (uintptr_t)ud);
}

int acgo_tls_set_sni(uintptr_t ctx, uintptr_t handle) {
  return ac_tls_context_set_sni_callback((ac_tls_context *)ctx, sni_trampoline, (void *)handle,
                                         acgoFreeHandle);
}

int acgo_tls_load_cert_pem(uintptr_t ctx, const char *cert, size_t cert_len, const char *key,
                           size_t key_len) {
  return ac_tls_context_load_cert_chain_pem((ac_tls_context *)ctx, cert, cert_len, key, key_len,
                                            NULL);
}

int acgo_tls_load_verify_pem(uintptr_t ctx, const char *pem, size_t len) {
  return ac_tls_context_load_verify_pem((ac_tls_context *)ctx, pem, len);
}
