/*
 * fuzz_api.c — sequences of API calls on the virtual clock.
 *
 * The input is a little program: a few tasks, each with a script of
 * operations over one shared lock, semaphore, event, condition and queue
 * (sleep, acquire-hold-release, wait, set, notify, wait_for, put, get,
 * timeout scope, task group, barrier, cancel another task, await a future
 * completed by a timer),
 * and a few events the loop fires at chosen times (cancel a task, set the
 * event, shut the queue down). Tasks behave as `async with` does: a
 * cancellation releases what they hold, then ends them cancelled (or, in a
 * timeout scope that expired, the operation is abandoned and the script
 * goes on).
 *
 * Checked after every step and at the end (a failed check aborts):
 *  - a lock is held by at most one task; the condition's lock likewise;
 *    the semaphore has at most its value of holders;
 *  - a lock or semaphore waiter is granted only when every earlier waiter
 *    is done (FIFO);
 *  - a condition wait ends holding the lock, also when cancelled; a
 *    wait_for ends with its predicate true, called with the lock held;
 *  - a barrier wait gives an index below the number of parties;
 *  - an event wait ends without error only if the event was set;
 *  - a task group's join fails with one child per failed task;
 *  - a timeout scope reports a timeout only once its deadline has passed;
 *  - queue items: put = got + left + dropped by shutdown, each item
 *    released exactly once, none handed out twice;
 *  - after the loop drains and the tasks left are cancelled, no task is
 *    pending, nothing is held, every free_ud and task state was released
 *    exactly once, and the exception handler was never called.
 *
 * Layout: byte 0 tasks (1..5), byte 1 semaphore value and kind (and the
 * barrier's parties), byte 2
 * queue bound, byte 3 number of timed events; each event two bytes (time,
 * action); then per task a length byte and that many operation bytes.
 * An operation byte: low nibble the operation (OP_*, in order), high
 * nibble its argument.
 */
#include <asyncore.h>
#include <math.h>
#include <stdbool.h>

#include "fuzz.h"

enum { MAX_TASKS = 5, MAX_OPS = 12, MAX_CHILDREN = 3, MAX_TAGS = 256, MAX_WAITERS = 64 };

enum op {
  OP_SLEEP, OP_LOCK, OP_SEM, OP_EWAIT, OP_ESET, OP_CWAIT, OP_CNOTIFY, OP_PUT,
  OP_GET, OP_NOWAIT, OP_TIMEOUT, OP_CANCEL, OP_GROUP, OP_FUTURE, OP_BARRIER, OP_WAIT_FOR,
  OP_COUNT
};

typedef struct actor {
  int id;
  ac_task *task;
  uint8_t ops[MAX_OPS];
  int n_ops, pc;
  int phase;
  bool holds_lock, holds_sem, holds_cond;
  ac_timeout *scope;
  bool scope_for_next;  /* a TIMEOUT op arms a scope around the next one */
  ac_future *waiting;   /* extra reference: the acquire being waited on */
  bool immediate;       /* the acquire, put or get was done at once */
  uint64_t wait_seq;
  int tag;              /* the item of a pending put */
  uint64_t event_sets_at_wait;
  bool event_set_at_wait;
  ac_taskgroup *tg;
  int children_failed;
  int free_count;
  int64_t target;       /* wait_for: the counter value its predicate waits for */
} actor;

typedef struct child {
  double delay;
  bool fail;
  int phase;
  struct run_state *run;
} child;

enum tag_state { TAG_UNUSED, TAG_PUTTING, TAG_OUT, TAG_FREED };

static struct run_state {
  ac_loop *loop;
  ac_lock *lock;
  ac_semaphore *sem;
  int64_t sem_value;
  ac_event *event;
  ac_condition *cond;
  ac_queue *queue;
  size_t queue_max;
  actor actors[MAX_TASKS];
  int n_actors;
  /* the model */
  actor *lock_holder, *cond_holder;
  int sem_holders;
  uint64_t seq;
  actor *lock_waiters[MAX_WAITERS], *sem_waiters[MAX_WAITERS];
  int n_lock_waiters, n_sem_waiters;
  uint64_t event_sets;
  enum tag_state tags[MAX_TAGS];
  uint64_t tag_in[MAX_TAGS];  /* when each item entered the queue */
  uint64_t ins_seq, last_out;
  int n_tags;
  long puts_ok, gets_ok, dropped;
  long frees_expected, frees_done;
  long children_made, children_freed;
  int handler_calls;
  ac_barrier *barrier;
  int64_t parties;
  int64_t cond_counter;  /* raised by each notify; wait_for's predicates read it */
  bool tearing_down;
} R;

static void on_exception(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                         void *ud) {
  R.handler_calls++;
  fprintf(stderr, "exception handler: %s (%s)\n", message, error ? ac_err_name(ac_error_code(error)) : "-");
}

/* ---- queue items: pointers into the tag table, released exactly once */

static void tag_free(void *p) {
  enum tag_state *t = p;
  FZ_CHECK(*t == TAG_PUTTING || *t == TAG_OUT, "queue item %d released twice (state %d)",
           (int)(t - R.tags), (int)*t);
  *t = TAG_FREED;
}

static int new_tag(void) {
  if (R.n_tags == MAX_TAGS) return -1;
  R.tags[R.n_tags] = TAG_PUTTING;
  return R.n_tags++;
}

/* Items enter a FIFO queue at a put_nowait, at a put done at once, or
 * when a woken put's task runs (asyncio 3.13), and must leave it in that
 * order: at a get_nowait, a get done at once, or a woken get's run. */
static void item_in(int tag) { R.tag_in[tag] = ++R.ins_seq; }
static void item_out(const void *ptr) {
  int tag = (int)((const enum tag_state *)ptr - R.tags);
  FZ_CHECK(tag >= 0 && tag < R.n_tags && R.tag_in[tag] != 0, "an item got that never entered the queue");
  FZ_CHECK(R.tag_in[tag] > R.last_out, "queue order: item %d (in #%llu) out after #%llu", tag,
           (unsigned long long)R.tag_in[tag], (unsigned long long)R.last_out);
  R.last_out = R.tag_in[tag];
}

/* ---- FIFO of waiters */

static void waiter_add(actor **list, int *n, actor *a, ac_future *f) {
  if (*n == MAX_WAITERS) return;
  a->waiting = ac_future_ref(f);
  a->wait_seq = ++R.seq;
  list[(*n)++] = a;
}

/* `a` finished waiting (granted or not); when granted, no earlier waiter may
 * still wait. */
static void waiter_done(actor **list, int *n, actor *a, bool granted, const char *what) {
  if (a->waiting == NULL) return;
  for (int i = 0; i < *n; i++) {
    actor *w = list[i];
    if (w == a) continue;
    if (granted && w->wait_seq < a->wait_seq)
      FZ_CHECK(ac_future_done(w->waiting), "%s granted to task %d while task %d, queued earlier, still waits",
               what, a->id, w->id);
  }
  for (int i = 0; i < *n; i++) {
    if (list[i] == a) {
      memmove(&list[i], &list[i + 1], (size_t)(*n - i - 1) * sizeof list[0]);
      (*n)--;
      break;
    }
  }
  ac_future_unref(a->waiting);
  a->waiting = NULL;
}

/* ---- the model's view of holding */

static void take_lock(actor *a) {
  FZ_CHECK(R.lock_holder == NULL, "task %d got the lock held by task %d", a->id,
           R.lock_holder ? R.lock_holder->id : -1);
  FZ_CHECK(ac_lock_locked(R.lock) == 1, "task %d holds the lock but locked() is 0", a->id);
  R.lock_holder = a;
  a->holds_lock = true;
}
static void take_cond(actor *a) {
  FZ_CHECK(R.cond_holder == NULL, "task %d got the condition's lock held by task %d", a->id,
           R.cond_holder ? R.cond_holder->id : -1);
  FZ_CHECK(ac_condition_locked(R.cond) == 1, "task %d holds the condition's lock, locked() is 0", a->id);
  R.cond_holder = a;
  a->holds_cond = true;
}
static void take_sem(actor *a) {
  R.sem_holders++;
  FZ_CHECK(R.sem_holders <= R.sem_value, "%d holders of a semaphore of %lld", R.sem_holders,
           (long long)R.sem_value);
  a->holds_sem = true;
}

/* Releases what `a` holds, as `async with` does on the way out. */
static void release_all(actor *a) {
  if (a->holds_lock) {
    R.lock_holder = NULL;
    a->holds_lock = false;
    FZ_RC(ac_lock_release(R.lock), 0);
  }
  if (a->holds_cond) {
    R.cond_holder = NULL;
    a->holds_cond = false;
    FZ_RC(ac_condition_release(R.cond), 0);
  }
  if (a->holds_sem) {
    R.sem_holders--;
    a->holds_sem = false;
    FZ_RC(ac_semaphore_release(R.sem), 0);
  }
}

static void check_invariants(void) {
  if (R.lock_holder == NULL && R.n_lock_waiters == 0)
    FZ_CHECK(ac_lock_locked(R.lock) == 0, "the lock is locked with no holder and no waiter");
  if (R.lock_holder != NULL) FZ_CHECK(ac_lock_locked(R.lock) == 1, "the holder's lock is not locked");
  int64_t qs = ac_queue_qsize(R.queue);
  FZ_CHECK(qs >= 0 && (R.queue_max == 0 || (size_t)qs <= R.queue_max), "queue size %lld, bound %zu",
           (long long)qs, R.queue_max);
  int64_t v = ac_semaphore_value(R.sem);
  FZ_CHECK(v >= 0 && v <= R.sem_value, "semaphore value %lld of %lld", (long long)v, (long long)R.sem_value);
}

static int predicate(void *ud) {
  actor *a = ud;
  FZ_CHECK(ac_condition_locked(R.cond) == 1, "wait_for's predicate called without the lock held");
  return R.cond_counter >= a->target;
}

/* ---- children of task groups */

static void child_free(void *p) {
  child *c = p;
  c->run->children_freed++;
  free(c);
}

static int child_step(ac_task *t, void *p) {
  child *c = p;
  if (c->phase == 0) {
    c->phase = 1;
    return ac_task_sleep(t, c->delay);
  }
  int outcome = ac_task_outcome(t);
  if (outcome != 0) return outcome;
  if (c->fail) return ac_task_fail(t, AC_EHOST, "child failed");
  return AC_STEP_DONE;
}

/* ---- futures completed by a timer */

static void complete_cb(ac_loop *loop, void *ud) {
  int rc = ac_future_set_result_int64(ud, 7);
  FZ_CHECK(rc == 0 || rc == AC_ESTATE, "set_result from a timer: %s", ac_err_name(rc));
}
static void complete_free(void *ud) {
  R.frees_done++;
  ac_future_unref(ud);
}

/* ---- timed events */

static void event_cb(ac_loop *loop, void *ud) {
  uintptr_t action = (uintptr_t)ud;
  switch (action % 4) {
    case 0: case 1: {
      actor *a = &R.actors[(action >> 2) % (uintptr_t)R.n_actors];
      int rc = ac_task_cancel(a->task, "timed cancel");
      FZ_CHECK(rc == 0 || rc == 1, "ac_task_cancel: %s", ac_err_name(rc));
      break;
    }
    case 2:
      FZ_RC(ac_event_set(R.event), 0);
      R.event_sets++;
      break;
    case 3: {
      int immediate = (int)((action >> 2) & 1);
      if (immediate) R.dropped += ac_queue_qsize(R.queue);
      FZ_RC(ac_queue_shutdown(R.queue, immediate), 0);
      break;
    }
  }
}
static void count_free(void *ud) { R.frees_done++; }

/* ---- the actors' step */

enum { PH_NEXT, PH_ENTERED, PH_A, PH_B, PH_C, PH_DONE_OP };

static double arg_delay(uint8_t arg) { return (double)(arg % 4) * 0.5; }

/* Ends the current operation: leaves its timeout scope, if any. Returns
 * AC_ECANCELLED to end the task, 0 to go on. */
static int finish_op(actor *a, ac_task *t, int outcome) {
  release_all(a);
  if (a->scope != NULL) {
    double when = ac_timeout_when(a->scope);
    int rc = ac_timeout_exit(a->scope, outcome);
    if (rc == AC_ETIMEDOUT)
      FZ_CHECK(ac_loop_time(R.loop) >= when, "a timeout at %g reported at %g", when, ac_loop_time(R.loop));
    ac_timeout_unref(a->scope);
    a->scope = NULL;
    outcome = rc;
  }
  a->phase = PH_NEXT;
  a->pc++;
  return outcome == AC_ECANCELLED ? AC_ECANCELLED : 0;
}

static int actor_step(ac_task *t, void *p) {
  actor *a = p;
  int outcome = ac_task_outcome(t);
  check_invariants();
  for (;;) {
    if (a->phase == PH_NEXT) {
      if (a->pc >= a->n_ops) return AC_STEP_DONE;
      uint8_t code = a->ops[a->pc] % OP_COUNT;
      if (code == OP_TIMEOUT) {
        if (!a->scope_for_next) {
          a->scope_for_next = true;
          a->pc++;
          continue;
        }
      }
      if (a->scope_for_next && code != OP_TIMEOUT) {
        a->scope_for_next = false;
        uint8_t targ = a->ops[a->pc - 1] >> 4;
        FZ_RC(ac_timeout_new(R.loop, arg_delay(targ) + (targ & 4 ? 0.25 : 0), &a->scope), 0);
        FZ_RC(ac_timeout_enter(a->scope, t), 0);
      }
      a->phase = PH_A;
      outcome = 0;
      a->scope_for_next = false;
    }
    uint8_t b = a->ops[a->pc];
    uint8_t code = b % OP_COUNT, arg = b >> 4;
    ac_future *f = NULL;
    int rc;
    switch (code) {
      case OP_TIMEOUT:  /* a second TIMEOUT in a row: nothing */
      case OP_SLEEP:
        if (a->phase == PH_A) {
          a->phase = PH_B;
          return ac_task_sleep(t, arg_delay(arg));
        }
        break;
      case OP_LOCK:
      case OP_SEM: {
        bool is_lock = code == OP_LOCK;
        if (a->phase == PH_A) {
          rc = is_lock ? ac_lock_acquire(R.lock, &f) : ac_semaphore_acquire(R.sem, &f);
          FZ_RC(rc, 0);
          /* Done at once: the lock (permit) is ours now, whatever happens
           * before the task runs again. */
          a->immediate = ac_future_done(f);
          if (a->immediate) {
            FZ_CHECK(ac_future_get_state(f) == AC_FUTURE_RESULT, "an acquire done at once without a result");
            if (is_lock) take_lock(a);
            else take_sem(a);
          } else if (is_lock) {
            waiter_add(R.lock_waiters, &R.n_lock_waiters, a, f);
          } else {
            waiter_add(R.sem_waiters, &R.n_sem_waiters, a, f);
          }
          a->phase = PH_B;
          return ac_task_await_owned(t, f);
        }
        if (a->phase == PH_B) {
          bool granted = outcome == 0;
          if (is_lock) waiter_done(R.lock_waiters, &R.n_lock_waiters, a, granted, "the lock");
          else waiter_done(R.sem_waiters, &R.n_sem_waiters, a, granted, "a permit");
          if (!granted) break;
          if (a->immediate) {
            /* already counted as held */
          } else if (is_lock) {
            take_lock(a);
          } else {
            take_sem(a);
          }
          a->phase = PH_C;
          return ac_task_sleep(t, arg_delay(arg));
        }
        break;
      }
      case OP_EWAIT:
        if (a->phase == PH_A) {
          FZ_RC(ac_event_wait(R.event, &f), 0);
          a->event_set_at_wait = ac_event_is_set(R.event) == 1;
          a->event_sets_at_wait = R.event_sets;
          a->phase = PH_B;
          return ac_task_await_owned(t, f);
        }
        if (outcome == 0)
          FZ_CHECK(a->event_set_at_wait || R.event_sets > a->event_sets_at_wait,
                   "task %d's event wait ended though the event was never set", a->id);
        break;
      case OP_ESET:
        if (arg & 1) {
          FZ_RC(ac_event_clear(R.event), 0);
        } else {
          FZ_RC(ac_event_set(R.event), 0);
          R.event_sets++;
        }
        break;
      case OP_CWAIT:
      case OP_CNOTIFY:
      case OP_WAIT_FOR:
        if (a->phase == PH_A) {
          FZ_RC(ac_condition_acquire(R.cond, &f), 0);
          a->immediate = ac_future_done(f);
          if (a->immediate) take_cond(a);
          a->phase = PH_B;
          return ac_task_await_owned(t, f);
        }
        if (a->phase == PH_B) {
          if (outcome != 0) break;
          if (!a->immediate) take_cond(a);
          if (code == OP_CNOTIFY) {
            int n = arg % 3;
            R.cond_counter++;
            rc = (arg & 8) ? ac_condition_notify_all(R.cond) : ac_condition_notify(R.cond, n);
            FZ_CHECK(rc >= 0 && ((arg & 8) || rc <= n), "notify(%d) woke %d", n, rc);
            break;
          }
          if (code == OP_WAIT_FOR) {
            a->target = R.cond_counter + arg % 3;
            R.frees_expected++;
            FZ_RC(ac_condition_wait_for(R.cond, predicate, a, count_free, &f), 0);
            if (ac_future_done(f)) {
              /* The predicate held at once: the lock was not let go. */
              FZ_CHECK(R.cond_counter >= a->target, "wait_for done at once with its predicate false");
              ac_future_unref(f);
              break;
            }
          } else {
            FZ_RC(ac_condition_wait(R.cond, &f), 0);
          }
          R.cond_holder = NULL;  /* the wait released it */
          a->holds_cond = false;
          a->phase = PH_C;
          return ac_task_await_owned(t, f);
        }
        if (a->phase == PH_C) {
          /* Notified or cancelled, the wait ends holding the lock. */
          FZ_CHECK(outcome == 0 || outcome == AC_ECANCELLED, "condition wait ended with %s",
                   ac_err_name(outcome));
          take_cond(a);
          if (code == OP_WAIT_FOR && outcome == 0) {
            int64_t v = 0;
            FZ_RC(ac_future_result_int64(ac_task_awaited(t), &v), 0);
            FZ_CHECK(v != 0 && R.cond_counter >= a->target, "wait_for ended with its predicate false");
          }
        }
        break;
      case OP_PUT:
        if (a->phase == PH_A) {
          a->tag = new_tag();
          if (a->tag < 0) break;
          ac_value v;
          ac_value_set_pointer(&v, &R.tags[a->tag], tag_free);
          rc = ac_queue_put(R.queue, &v, &f);
          if (rc == AC_ESHUTDOWN) {
            ac_value_clear(&v);  /* refused: still ours */
            break;
          }
          FZ_RC(rc, 0);
          a->immediate = ac_future_done(f);
          if (a->immediate) item_in(a->tag);
          a->phase = PH_B;
          return ac_task_await_owned(t, f);
        }
        /* A put done at once has put its item; a waiting one only if its
         * task saw it succeed. */
        if (outcome == 0 || a->immediate) {
          FZ_CHECK(a->immediate || ac_future_get_state(ac_task_awaited(t)) == AC_FUTURE_RESULT,
                   "a put succeeded without a result");
          /* (its item may be got, or dropped by a shutdown, already) */
          if (!a->immediate) item_in(a->tag);
          R.puts_ok++;
        } else {
          FZ_CHECK(R.tags[a->tag] == TAG_FREED, "a put that ended with %s kept its item",
                   ac_err_name(outcome));
        }
        break;
      case OP_GET:
        if (a->phase == PH_A) {
          rc = ac_queue_get(R.queue, &f);
          if (rc == AC_ESHUTDOWN) break;
          FZ_RC(rc, 0);
          a->immediate = ac_future_done(f);
          if (a->immediate && ac_future_get_state(f) == AC_FUTURE_RESULT) {
            ac_value peek;
            FZ_RC(ac_future_result(f, &peek), 0);
            item_out(peek.u.pointer.ptr);
          }
          a->phase = PH_B;
          return ac_task_await_owned(t, f);
        }
        /* The item is ours when the get's future holds it (a get done at
         * once, then the task cancelled before it ran, still got it). */
        if (outcome == 0 || ac_future_get_state(ac_task_awaited(t)) == AC_FUTURE_RESULT) {
          ac_value v;
          FZ_RC(ac_future_take_result(ac_task_awaited(t), &v), 0);
          FZ_CHECK(v.kind == AC_VALUE_POINTER, "a got item of kind %d", v.kind);
          enum tag_state *ts = v.u.pointer.ptr;
          if (!a->immediate) item_out(ts);
          FZ_CHECK(*ts == TAG_PUTTING, "item %d got in state %d", (int)(ts - R.tags), (int)*ts);
          *ts = TAG_OUT;
          ac_value_clear(&v);
          FZ_CHECK(*ts == TAG_FREED, "clearing a got item did not release it");
          R.gets_ok++;
          FZ_RC(ac_queue_task_done(R.queue), 0);
        }
        break;
      case OP_NOWAIT:
        if (arg & 1) {
          ac_value v;
          rc = ac_queue_get_nowait(R.queue, &v, NULL);
          if (rc == 0) {
            enum tag_state *ts = v.u.pointer.ptr;
            item_out(ts);
            FZ_CHECK(*ts == TAG_PUTTING, "item got in state %d", (int)*ts);
            *ts = TAG_OUT;
            ac_value_clear(&v);
            R.gets_ok++;
            FZ_RC(ac_queue_task_done(R.queue), 0);
          } else {
            FZ_CHECK(rc == AC_EEMPTY || rc == AC_ESHUTDOWN, "get_nowait: %s", ac_err_name(rc));
          }
        } else {
          int tg = new_tag();
          if (tg < 0) break;
          ac_value v;
          ac_value_set_pointer(&v, &R.tags[tg], tag_free);
          rc = ac_queue_put_nowait(R.queue, &v);
          if (rc == 0) {
            item_in(tg);
            R.puts_ok++;
          } else {
            FZ_CHECK(rc == AC_EFULL || rc == AC_ESHUTDOWN, "put_nowait: %s", ac_err_name(rc));
            ac_value_clear(&v);
          }
        }
        break;
      case OP_CANCEL: {
        actor *target = &R.actors[arg % R.n_actors];
        rc = ac_task_cancel(target->task, NULL);
        FZ_CHECK(rc == 0 || rc == 1, "ac_task_cancel: %s", ac_err_name(rc));
        break;
      }
      case OP_GROUP:
        if (a->phase == PH_A) {
          FZ_RC(ac_taskgroup_new(t, &a->tg), 0);
          int n = arg % MAX_CHILDREN + 1;
          a->children_failed = 0;
          for (int i = 0; i < n; i++) {
            child *c = calloc(1, sizeof *c);
            if (c == NULL) abort();
            c->delay = (double)i * 0.5;
            c->fail = (arg & 4) && i == n - 1;
            c->run = &R;
            FZ_RC(ac_taskgroup_spawn(a->tg, child_step, c, child_free, 0, NULL), 0);
            R.children_made++;
          }
          FZ_RC(ac_taskgroup_join(a->tg, 0, NULL, &f), 0);
          a->phase = PH_B;
          return ac_task_await_owned(t, f);
        }
        if (a->phase == PH_B) {
          FZ_CHECK(ac_taskgroup_size(a->tg) == 0, "the join ended with %lld tasks of the group left",
                   (long long)ac_taskgroup_size(a->tg));
          if (outcome == AC_EGROUP) {
            ac_error *e = ac_future_error(ac_task_awaited(t));
            FZ_CHECK(e != NULL && ac_error_child_count(e) == 1,
                     "a group with one failing task failed with %lld children",
                     e ? (long long)ac_error_child_count(e) : 0LL);
            FZ_CHECK(ac_error_code(ac_error_child(e, 0)) == AC_EHOST, "the group's child error");
          } else {
            FZ_CHECK(outcome == 0 || outcome == AC_ECANCELLED, "the join ended with %s",
                     ac_err_name(outcome));
          }
          ac_taskgroup_unref(a->tg);
          a->tg = NULL;
          if (outcome == AC_EGROUP) outcome = 0;  /* handled: the script goes on */
        }
        break;
      case OP_BARRIER:
        if (a->phase == PH_A) {
          FZ_RC(ac_barrier_wait(R.barrier, &f), 0);
          a->phase = PH_B;
          return ac_task_await_owned(t, f);
        }
        if (outcome == 0) {
          int64_t idx = -1;
          FZ_RC(ac_future_result_int64(ac_task_awaited(t), &idx), 0);
          FZ_CHECK(idx >= 0 && idx < R.parties, "barrier index %lld of %lld parties", (long long)idx,
                   (long long)R.parties);
        } else {
          FZ_CHECK(outcome == AC_ECANCELLED || outcome == AC_EBROKEN, "barrier wait ended with %s",
                   ac_err_name(outcome));
        }
        break;
      case OP_FUTURE:
        if (a->phase == PH_A) {
          FZ_RC(ac_future_new(R.loop, &f), 0);
          R.frees_expected++;
          FZ_RC(ac_loop_call_later(R.loop, arg_delay(arg), complete_cb, ac_future_ref(f), complete_free, NULL), 0);
          a->phase = PH_B;
          return ac_task_await_owned(t, f);
        }
        break;
    }
    /* The operation is over (done, or ended by `outcome`). */
    if (finish_op(a, t, outcome) == AC_ECANCELLED) return AC_ECANCELLED;
    outcome = 0;
  }
}

static void actor_free(void *p) {
  actor *a = p;
  a->free_count++;
  FZ_CHECK(a->free_count == 1, "task %d's state released %d times", a->id, a->free_count);
}

/* Steps the loop until nothing is left to wait for. */
static void drain(void) {
  for (int i = 0;; i++) {
    FZ_CHECK(i < 200000, "the loop never drains");
    int pending = 0;
    int rc = ac_loop_step(R.loop, 0.0, &pending, NULL);
    FZ_CHECK(rc >= 0, "ac_loop_step: %s", ac_err_name(rc));
    check_invariants();
    if (!pending && rc == 0) break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_in in = {data, size};
  memset(&R, 0, sizeof R);
  FZ_RC(ac_loop_new(AC_LOOP_VIRTUAL_CLOCK, &R.loop), 0);
  FZ_RC(ac_loop_set_exception_handler(R.loop, on_exception, NULL, NULL), 0);
  R.n_actors = fz_u8(&in) % MAX_TASKS + 1;
  uint8_t sb = fz_u8(&in);
  R.sem_value = sb % 3 + 1;
  FZ_RC((sb & 0x10) ? ac_semaphore_new_bounded(R.loop, R.sem_value, &R.sem)
                    : ac_semaphore_new(R.loop, R.sem_value, &R.sem), 0);
  R.parties = (sb >> 5) % 3 + 1;
  FZ_RC(ac_barrier_new(R.loop, R.parties, &R.barrier), 0);
  R.queue_max = fz_u8(&in) % 4;
  FZ_RC(ac_queue_new(R.loop, AC_QUEUE_FIFO, R.queue_max, &R.queue), 0);
  FZ_RC(ac_lock_new(R.loop, &R.lock), 0);
  FZ_RC(ac_event_new(R.loop, &R.event), 0);
  FZ_RC(ac_condition_new(R.loop, NULL, &R.cond), 0);

  int n_events = fz_u8(&in) % 5;
  for (int i = 0; i < n_events; i++) {
    double when = (double)(fz_u8(&in) % 16) * 0.25;
    uintptr_t action = fz_u8(&in);
    R.frees_expected++;
    FZ_RC(ac_loop_call_at(R.loop, when, event_cb, (void *)action, count_free, NULL), 0);
  }
  for (int i = 0; i < R.n_actors; i++) {
    actor *a = &R.actors[i];
    a->id = i;
    a->n_ops = fz_u8(&in) % (MAX_OPS + 1);
    for (int k = 0; k < a->n_ops; k++) a->ops[k] = fz_u8(&in);
  }
  for (int i = 0; i < R.n_actors; i++)
    FZ_RC(ac_task_new(R.loop, actor_step, &R.actors[i], actor_free, 0, &R.actors[i].task), 0);

  drain();
  /* What still waits (an event never set, a full queue) is cancelled, as
   * asyncio.run does with the tasks left; then nothing may be pending. */
  R.tearing_down = true;
  for (int i = 0; i < R.n_actors; i++) {
    int rc = ac_task_cancel(R.actors[i].task, "teardown");
    FZ_CHECK(rc == 0 || rc == 1, "teardown cancel: %s", ac_err_name(rc));
  }
  drain();
  for (int i = 0; i < R.n_actors; i++) {
    actor *a = &R.actors[i];
    FZ_CHECK(ac_future_done(ac_task_future(a->task)), "task %d pending after the loop drained", i);
    FZ_CHECK(!a->holds_lock && !a->holds_sem && !a->holds_cond && a->scope == NULL,
             "task %d ended holding something", i);
    FZ_CHECK(a->free_count == 1, "task %d's state released %d times", i, a->free_count);
  }
  FZ_CHECK(R.lock_holder == NULL && ac_lock_locked(R.lock) == 0, "the lock is held at the end");
  FZ_CHECK(R.cond_holder == NULL && ac_condition_locked(R.cond) == 0, "the condition's lock is held at the end");
  FZ_CHECK(ac_semaphore_value(R.sem) == R.sem_value, "semaphore value %lld at the end, initial %lld",
           (long long)ac_semaphore_value(R.sem), (long long)R.sem_value);
  int64_t left = ac_queue_qsize(R.queue);
  FZ_CHECK(R.puts_ok == R.gets_ok + left + R.dropped, "queue: %ld put, %ld got, %lld left, %ld dropped",
           R.puts_ok, R.gets_ok, (long long)left, R.dropped);
  FZ_CHECK(R.children_freed == R.children_made, "%ld group tasks made, %ld states released",
           R.children_made, R.children_freed);

  for (int i = 0; i < R.n_actors; i++) ac_task_unref(R.actors[i].task);
  ac_lock_unref(R.lock);
  ac_semaphore_unref(R.sem);
  ac_event_unref(R.event);
  ac_condition_unref(R.cond);
  ac_queue_unref(R.queue);
  ac_barrier_unref(R.barrier);
  FZ_RC(ac_loop_close(R.loop), 0);
  ac_loop_unref(R.loop);
  FZ_CHECK(R.frees_done == R.frees_expected, "%ld free_ud expected, %ld ran", R.frees_expected, R.frees_done);
  for (int i = 0; i < R.n_tags; i++)
    FZ_CHECK(R.tags[i] == TAG_FREED, "queue item %d never released (state %d)", i, (int)R.tags[i]);
  FZ_CHECK(R.handler_calls == 0, "the exception handler was called %d times", R.handler_calls);
  return 0;
}
