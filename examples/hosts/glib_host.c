/*
 * glib_host.c — the loop inside GLib's main loop (a GTK application's, for
 * instance): a GSource watches the loop's backend fd, tells GLib how long
 * it may sleep (the loop's backend timeout), and steps the loop once, never
 * blocking, when the fd is readable or the time has come. GLib keeps its
 * own sources (here a timeout of its own) running alongside.
 *
 *   glib_host [--virtual-clock]
 */
#include <glib.h>
#include <string.h>

#include "scenario.h"

typedef struct {
  GSource source;
  ac_loop *loop;
  gpointer tag;
} LoopSource;

static gboolean loop_prepare(GSource *source, gint *timeout) {
  LoopSource *s = (LoopSource *)source;
  *timeout = ac_loop_backend_timeout(s->loop);
  return *timeout == 0;
}

static gboolean loop_check(GSource *source) {
  LoopSource *s = (LoopSource *)source;
  return (g_source_query_unix_fd(source, s->tag) & G_IO_IN) != 0 ||
         ac_loop_backend_timeout(s->loop) == 0;
}

static gboolean loop_dispatch(GSource *source, GSourceFunc callback, gpointer user_data) {
  (void)callback;
  (void)user_data;
  LoopSource *s = (LoopSource *)source;
  return ac_loop_step(s->loop, 0, NULL, NULL) >= 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static GSourceFuncs loop_funcs = {loop_prepare, loop_check, loop_dispatch, NULL, NULL, NULL};

struct host {
  GMainLoop *main;
  int done;
};

/* GLib's own work, beside ours: quits the main loop once the scenario is
 * over. */
static gboolean poll_done(gpointer p) {
  struct host *h = p;
  if (!h->done) return G_SOURCE_CONTINUE;
  g_main_loop_quit(h->main);
  return G_SOURCE_REMOVE;
}

int main(int argc, char **argv) {
  int virtual_clock = argc > 1 && strcmp(argv[1], "--virtual-clock") == 0;
  ac_loop *loop;
  if (ac_loop_new(virtual_clock ? AC_LOOP_VIRTUAL_CLOCK : AC_LOOP_DEFAULT, &loop) != 0) return 1;

  GSource *source = g_source_new(&loop_funcs, sizeof(LoopSource));
  LoopSource *ls = (LoopSource *)source;
  ls->loop = loop;
  ls->tag = g_source_add_unix_fd(source, ac_loop_backend_fd(loop), G_IO_IN);
  g_source_attach(source, NULL);

  struct host h = {g_main_loop_new(NULL, FALSE), 0};
  g_timeout_add(10, poll_done, &h);
  if (scenario_start(loop, &h.done) != 0) return 1;
  g_main_loop_run(h.main);
  printf("GLib's main loop drove the loop to the end\n");

  g_source_destroy(source);
  g_source_unref(source);
  g_main_loop_unref(h.main);
  ac_loop_shutdown(loop, 1);
  ac_loop_unref(loop);
  return 0;
}
