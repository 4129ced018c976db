/*
 * taskgroup_download.c — download files in a task group (asyncio.TaskGroup):
 * the group waits for every download, and the one failing download comes
 * back inside a group error.
 *
 * The C twin of:
 *
 *   async def download_file(filename, url):
 *       print(f"Downloading {filename} from {url}...")
 *       await asyncio.sleep(2)
 *       if "error" in url:
 *           raise ValueError(f"Failed to download {filename}")
 *       print(f"Finished downloading {filename}")
 *       return f"Content of {filename}"
 *
 *   async def main_task_group():
 *       print("Main: Starting file downloads with TaskGroup...")
 *       ...
 *       try:
 *           async with asyncio.TaskGroup() as tg:
 *               for name, url in files_to_download.items():
 *                   tasks.append(tg.create_task(download_file(name, url)))
 *       except* ValueError as eg:
 *           print(f"Main: Caught exception group: {eg}")
 *           for exc in eg.exceptions:
 *               print(f"  Individual exception: {exc}")
 *       finally:
 *           ... collect each task's result, error or cancellation ...
 *       print(f"Main: Final download status: {results}")
 *
 * The failure happens at the same moment the other downloads finish, so
 * nothing is left to cancel. Python's ValueError is AC_EINVAL here. Pass
 * --virtual-clock to run on the loop's virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

struct download {
  AC_ASYNC_FIELDS;
  const char *filename, *url;
};

static int download_file(ac_task *task, void *state) {
  struct download *d = state;
  char text[128];
  AC_BEGIN(d);
  printf("Downloading %s from %s...\n", d->filename, d->url);
  AC_AWAIT(d, ac_task_sleep(task, 2));  /* the network request */
  AC_CHECK(task);
  if (strstr(d->url, "error") != NULL) {
    snprintf(text, sizeof text, "Failed to download %s", d->filename);
    return ac_task_fail(task, AC_EINVAL, text);
  }
  printf("Finished downloading %s\n", d->filename);
  snprintf(text, sizeof text, "Content of %s", d->filename);
  {
    ac_value v;
    ac_value_set_bytes(&v, text, strlen(text));
    return ac_task_return(task, &v);
  }
  AC_END(d);
}

static const char *const files[3][2] = {
    {"report.pdf", "http://example.com/report.pdf"},
    {"data.csv", "http://example.com/data.csv"},
    {"invalid.json", "http://example.com/error_data.json"}, /* this one fails */
};

struct main_state {
  AC_ASYNC_FIELDS;
  ac_taskgroup *tg;
  ac_task *tasks[3];
  ac_future *join;
};

static void print_status(struct main_state *m) {
  printf("Main: Final download status: {");
  for (int i = 0; i < 3; ++i) {
    ac_future *f = ac_task_future(m->tasks[i]);
    ac_value v;
    printf("%s'%s': '", i ? ", " : "", files[i][0]);
    if (!ac_future_done(f)) {
      printf("Still pending (should not happen with TaskGroup if awaited)");
    } else if (ac_future_cancelled(f)) {
      printf("Cancelled");
    } else if (ac_future_result(f, &v) == 0) {
      printf("%.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
    } else {
      printf("Error: %s", ac_error_message(ac_future_error(f)));
    }
    printf("'");
  }
  printf("}\n");
}

static int main_task_group(ac_task *task, void *state) {
  struct main_state *m = state;
  int rc;
  AC_BEGIN(m);
  printf("Main: Starting file downloads with TaskGroup...\n");
  if ((rc = ac_taskgroup_new(task, &m->tg)) < 0) return rc;
  for (int i = 0; i < 3; ++i) {
    struct download *d;
    rc = ac_taskgroup_spawn_inline(m->tg, download_file, sizeof *d, 0, &m->tasks[i], (void **)&d);
    if (rc < 0) return rc;
    d->filename = files[i][0];
    d->url = files[i][1];
  }
  /* The body does nothing else: leave the group, which waits for all. */
  if ((rc = ac_taskgroup_join(m->tg, 0, NULL, &m->join)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->join));
  rc = ac_task_outcome(task);
  if (rc == AC_EGROUP) {
    ac_error *group = ac_future_error(m->join);
    printf("Main: Caught exception group: %s\n", ac_error_message(group));
    for (int64_t i = 0; i < ac_error_child_count(group); ++i)
      if (ac_error_code(ac_error_child(group, i)) == AC_EINVAL)
        printf("  Individual exception: %s\n", ac_error_message(ac_error_child(group, i)));
  } else if (rc < 0) {
    printf("Main: Caught unexpected exception: %s\n", ac_strerror(rc));
  }
  print_status(m);
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  for (int i = 0; i < 3; ++i) ac_task_unref(m->tasks[i]);
  ac_future_unref(m->join);
  ac_taskgroup_unref(m->tg);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m = {0};
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc = ac_run(main_task_group, &m, free_main, flags, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "taskgroup_download: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  return 0;
}
