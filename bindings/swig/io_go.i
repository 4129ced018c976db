/*
 * io_go.i — the Go part of the SWIG interface for files (fs.h), watched
 * descriptors (fdwatch.h) and socket options (sockopt.h). Included by
 * bindings/go/go.i, so only SWIG's Go run reads it.
 *
 * The functions that take a plain value are wrapped as they are. The
 * option structs (ac_connect_options, ac_server_options) and the stat
 * record (ac_stat) reach Go through the small helpers below, which take or
 * give plain numbers: the Go layer (file.go, sockopt.go) builds its own
 * types from them.
 */

#ifdef SWIGGO

AC_HANDLE_OUT(ac_file)
%typemap(gotype) ac_file **file_out, ac_future **opened_out "*uintptr"
%typemap(gotype) uint64_t *stat_out "*uint64"

%nodefaultctor;
%nodefaultdtor;
struct ac_file {};
%clearnodefaultctor;
%clearnodefaultdtor;

/* Through the helpers below instead. */
%ignore ac_stat;
%ignore ac_fs_stat_result;
/* Go passes open(2) flags itself (and its int out-parameter would be
 * Go's 64-bit int). */
%ignore ac_fs_open_flags;
%ignore ac_connect_options;
%ignore ac_connect_options_init;
%ignore ac_stream_connect_tcp_ex;
%ignore ac_stream_connect_tcp_addresses;
%ignore ac_server_options;
%ignore ac_server_options_init;
%ignore ac_server_listen_tcp_ex;
%ignore ac_server_listen_tcp_tasks_ex;
%ignore ac_udp_options;
%ignore ac_udp_options_init;
%ignore ac_udp_bind_ex;

%include "asyncore/fs.h"
%include "asyncore/fdwatch.h"
%include "asyncore/sockopt.h"

%{
static void acgo_connect_opts_(ac_connect_options *o, const char *local_host, int local_port,
                               double delay, int interleave, int nodelay) {
  ac_connect_options_init(o);
  o->local_host = (local_host != NULL && local_host[0] != '\0') ? local_host : NULL;
  o->local_port = local_port;
  o->happy_eyeballs_delay = delay;
  o->interleave = interleave;
  o->nodelay = nodelay;
}
%}

%inline %{
/* The ac_stat of a completed stat future as 14 numbers: the ten integer
 * fields in their order, then atime, mtime, ctime and birthtime in
 * nanoseconds since the epoch. */
int acgo_fs_stat_result(const ac_future *f, uint64_t *stat_out) {
  ac_stat st;
  int rc = ac_fs_stat_result(f, &st);
  if (rc < 0) return rc;
  stat_out[0] = st.dev;
  stat_out[1] = st.ino;
  stat_out[2] = st.mode;
  stat_out[3] = st.nlink;
  stat_out[4] = st.uid;
  stat_out[5] = st.gid;
  stat_out[6] = st.rdev;
  stat_out[7] = st.size;
  stat_out[8] = st.blksize;
  stat_out[9] = st.blocks;
  stat_out[10] = (uint64_t)(int64_t)(st.atime * 1e9);
  stat_out[11] = (uint64_t)(int64_t)(st.mtime * 1e9);
  stat_out[12] = (uint64_t)(int64_t)(st.ctime * 1e9);
  stat_out[13] = (uint64_t)(int64_t)(st.birthtime * 1e9);
  return 0;
}

/* ac_stream_connect_tcp_ex with the options as numbers (local_host ""
 * for any, delay < 0 for no happy eyeballs). */
int acgo_stream_connect_tcp_ex(ac_loop *loop, const char *host, int port, const char *local_host,
                               int local_port, double delay, int interleave, int nodelay,
                               ac_stream **stream_out, ac_future **connected_out) {
  ac_connect_options o;
  acgo_connect_opts_(&o, local_host, local_port, delay, interleave, nodelay);
  return ac_stream_connect_tcp_ex(loop, host, port, &o, stream_out, connected_out);
}

/* ac_stream_connect_tcp_addresses with the addresses in one string,
 * separated by newlines. */
int acgo_stream_connect_tcp_addresses(ac_loop *loop, const char *list, int port,
                                      const char *local_host, int local_port, double delay,
                                      int interleave, int nodelay, ac_stream **stream_out,
                                      ac_future **connected_out) {
  const char *hosts[64];
  char buf[4096];
  size_t n = 0, len = strlen(list);
  if (len >= sizeof buf) return AC_EINVAL;
  memcpy(buf, list, len + 1);
  for (char *p = buf; n < 64;) {
    hosts[n++] = p;
    char *nl = strchr(p, '\n');
    if (nl == NULL) break;
    *nl = '\0';
    p = nl + 1;
  }
  ac_connect_options o;
  acgo_connect_opts_(&o, local_host, local_port, delay, interleave, nodelay);
  return ac_stream_connect_tcp_addresses(loop, hosts, n, port, &o, stream_out, connected_out);
}

/* ac_server_listen_tcp_ex with the options as numbers. */
int acgo_server_listen_tcp_ex(ac_loop *loop, const char *host, int port, int backlog,
                              int reuse_address, int reuse_port, int ipv6_only,
                              ac_server_connection_fn fn, void *ud, ac_free_fn free_ud,
                              ac_server **out) {
  ac_server_options o;
  ac_server_options_init(&o);
  o.reuse_address = reuse_address;
  o.reuse_port = reuse_port;
  o.ipv6_only = ipv6_only;
  return ac_server_listen_tcp_ex(loop, host, port, backlog, &o, fn, ud, free_ud, out);
}

int acgo_udp_bind_ex(ac_loop *loop, const char *host, int port, int reuse_port,
                     int allow_broadcast, ac_udp **out) {
  ac_udp_options o;
  ac_udp_options_init(&o);
  o.reuse_port = reuse_port;
  o.allow_broadcast = allow_broadcast;
  return ac_udp_bind_ex(loop, host, port, &o, out);
}
%}

#endif
