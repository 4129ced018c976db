// dump.cpp — ac_loop_dump: every pending task and what it waits for.
//
// Nothing here is on a hot path, and nothing is recorded for it ahead of
// time beyond what the objects already keep: a task's `waiter` is the
// future it awaits; the future's type says what it is (a task, a sleep, a
// combinator, a task group, a primitive's operation); a plain future is
// looked up among the loop's closables (streams, datagram endpoints,
// servers) that hold it. An operation of a primitive is read through its
// waiter while the waiter is linked in a list of the primitive, which
// proves the primitive alive; otherwise only its kind and address are told.
#include "inspect/dump.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <asyncore/inspect.h>

#include "core/handle.hpp"
#include "core/sleep.hpp"
#include "core/task.hpp"
#include "io/server.hpp"
#include "io/stream.hpp"
#include "io/udp.hpp"
#include "structured/combinators.hpp"
#include "structured/taskgroup.hpp"
#include "structured/timeout.hpp"
#include "sync/queue.hpp"
#include "sync/sync.hpp"

namespace ac {
namespace {

constexpr int kMaxDepth = 8;     // nested combinators followed
constexpr size_t kMaxItems = 64;  // futures listed per combinator

struct Field {
  enum Type : uint8_t { kInt, kReal, kStr, kAddr, kBool };
  const char *key;
  Type type;
  int64_t i = 0;
  double d = 0;
  const char *s = nullptr;  // static storage
  const void *p = nullptr;
};

// What a future stands for, as a tree (combinators hold others).
struct Desc {
  const char *kind = "future";
  const void *object = nullptr;  // the primitive, stream, group ... shown
  ac_task *task = nullptr;       // kind "task"
  std::vector<Field> fields;
  std::vector<Desc> items;
  const char *items_key = nullptr;  // "items", "tasks", or "inner" (one)

  void num(const char *k, int64_t v) { fields.push_back(Field{k, Field::kInt, v}); }
  void real(const char *k, double v) { fields.push_back(Field{k, Field::kReal, 0, v}); }
  void str(const char *k, const char *v) { fields.push_back(Field{k, Field::kStr, 0, 0, v}); }
  void addr(const char *k, const void *v) { fields.push_back(Field{k, Field::kAddr, 0, 0, nullptr, v}); }
  void flag(const char *k, bool v) { fields.push_back(Field{k, Field::kBool, v ? 1 : 0}); }
};

const char *primitive_kind(uint32_t magic) noexcept {
  switch (magic) {
    case kLockMagic: return "lock";
    case kSemaphoreMagic: return "semaphore";
    case kEventMagic: return "event";
    case kConditionMagic: return "condition";
    case kBarrierMagic: return "barrier";
    case kQueueMagic: return "queue";
    default: return "operation";
  }
}

double timer_left(const ac_loop *loop, const TimerNode *n) {
  if (n->heap_index() == TimerNode::npos && !n->hop_queued()) return -1;  // not armed
  return std::max(0.0, n->when - loop->now());
}

void describe(ac_loop *loop, ac_future *f, Desc &d, int depth);

// What a task waits for: the future it awaits, or the sleep on its own
// timer (shown as a sleep future is). False when it waits for nothing.
bool describe_wait(ac_loop *loop, ac_task *t, Desc &d) {
  if (t->sleeping()) {
    d.kind = "sleep";
    d.real("left", std::max(0.0, timer_left(loop, &t->sleep_timer())));
    return true;
  }
  if (t->waiter() == nullptr) return false;
  describe(loop, t->waiter(), d, 0);
  return true;
}

void describe_items(ac_loop *loop, const std::vector<ac_future *> &futs, Desc &d, int depth,
                    const char *key) {
  d.items_key = key;
  size_t n = std::min(futs.size(), kMaxItems);
  d.items.resize(n);
  for (size_t i = 0; i < n; ++i) describe(loop, futs[i], d.items[i], depth + 1);
  if (futs.size() > n) d.num("more", static_cast<int64_t>(futs.size() - n));
}

void describe_inner(ac_loop *loop, ac_future *inner, Desc &d, int depth) {
  if (inner == nullptr) return;
  d.items_key = "inner";
  d.items.resize(1);
  describe(loop, inner, d.items[0], depth + 1);
}

void describe_op(OpFuture *op, Desc &d) {
  d.kind = primitive_kind(op->origin_magic);
  d.object = op->origin;
  Waiter *w = op->waiting_on;
  if (w == nullptr || w->list == nullptr) {
    // Woken (or cancelled) and about to go on: the primitive is not read.
    d.flag("woken", true);
    return;
  }
  WaitList *list = w->list;
  SyncObject *owner = list->owner;
  int64_t pos = 1;
  for (Waiter *x = list->head; x != nullptr && x != w; x = x->next) ++pos;
  d.num("position", pos);
  d.num("waiters", static_cast<int64_t>(list->count));
  switch (owner->magic) {
    case kLockMagic: {
      auto *lock = static_cast<ac_lock *>(owner);
      if (op->origin_magic != kLockMagic) {
        // A condition re-acquiring its lock, or a barrier's inner lock.
        d.str("phase", "lock");
        d.addr("lock", lock);
      }
      d.flag("locked", lock->locked);
      break;
    }
    case kSemaphoreMagic:
      d.num("value", static_cast<ac_semaphore *>(owner)->value);
      break;
    case kQueueMagic: {
      auto *q = static_cast<ac_queue *>(owner);
      d.kind = list == &q->getters ? "queue_get" : "queue_put";
      d.num("size", static_cast<int64_t>(q->size()));
      if (q->maxsize > 0) d.num("maxsize", q->maxsize);
      break;
    }
    case kEventMagic:
      if (op->origin_magic == kQueueMagic) d.kind = "queue_join";
      break;
    default:
      break;
  }
}

// A plain future held by closable `c`: describes it and returns true.
bool describe_held_in(Closable *c, ac_future *f, Desc &d) {
  auto has = [f](const std::vector<ac_future *> &v) {
    return std::find(v.begin(), v.end(), f) != v.end();
  };
  if (auto *s = dynamic_cast<ac_stream *>(c)) {
    d.object = s;
    if (s->connect_future == f) {
      d.kind = "stream_connect";
      return true;
    }
    if (s->op_future == f) {
      static const char *const kReads[] = {"read", "read", "readexactly", "readuntil", "readline"};
      d.kind = "stream_read";
      d.str("op", kReads[s->op]);
      if (s->op == ac_stream::kRead || s->op == ac_stream::kExactly)
        d.num("n", static_cast<int64_t>(s->op_n));
      d.num("buffered", static_cast<int64_t>(s->buffered()));
      return true;
    }
    if (has(s->drain_waiters)) {
      d.kind = "stream_drain";
      d.num("write_buffer", static_cast<int64_t>(s->write_buffer_size()));
      return true;
    }
    if (has(s->closed_waiters)) {
      d.kind = "stream_wait_closed";
      return true;
    }
  } else if (auto *u = dynamic_cast<ac_udp *>(c)) {
    if (u->recv_future == f) {
      d.kind = "udp_recv";
      d.object = u;
      return true;
    }
  } else if (auto *srv = dynamic_cast<ac_server *>(c)) {
    if (has(srv->closed_waiters)) {
      d.kind = "server_wait_closed";
      d.object = srv;
      return true;
    }
  }
  d.object = nullptr;
  return false;
}

// The index of the HeldIndex in scope on this thread, if any.
thread_local const std::unordered_map<const ac_future *, Closable *> *tl_held = nullptr;

// A plain future held by one of the loop's closables.
bool describe_held(ac_loop *loop, ac_future *f, Desc &d) {
  if (tl_held != nullptr) {
    auto it = tl_held->find(f);
    if (it != tl_held->end()) return describe_held_in(it->second, f, d);
    d.object = nullptr;
    return false;
  }
  for (Closable *c = loop->closables; c != nullptr; c = c->next_closable)
    if (describe_held_in(c, f, d)) return true;
  d.object = nullptr;
  return false;
}

void describe(ac_loop *loop, ac_future *f, Desc &d, int depth) {
  if (f->is_task) {
    d.kind = "task";
    d.task = static_cast<ac_task *>(f);
  } else if (f->is_op) {
    describe_op(static_cast<OpFuture *>(f), d);
  } else if (auto *sl = dynamic_cast<SleepFuture *>(f)) {
    d.kind = "sleep";
    d.real("left", std::max(0.0, timer_left(loop, sl)));
  } else if (auto *g = dynamic_cast<ac_taskgroup *>(f)) {
    d.kind = "taskgroup";
    d.object = g;
    d.num("left", static_cast<int64_t>(g->live));
    if (depth < kMaxDepth) {
      std::vector<ac_future *> ts;
      ts.reserve(g->live);
      g->for_each_task([&](ac_task *t) { ts.push_back(t); });
      describe_items(loop, ts, d, depth, "tasks");
    }
  } else if (auto *ga = dynamic_cast<GatherFuture *>(f)) {
    d.kind = "gather";
    d.num("pending", static_cast<int64_t>(ga->nfuts - ga->finished));
    d.num("of", static_cast<int64_t>(ga->nfuts));
    if (depth < kMaxDepth) describe_items(loop, ga->children, d, depth, "items");
  } else if (auto *wa = dynamic_cast<WaitFuture *>(f)) {
    static const char *const kModes[] = {"ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"};
    d.kind = "wait";
    d.str("return_when", wa->mode >= 0 && wa->mode <= 2 ? kModes[wa->mode] : "?");
    double left = timer_left(loop, wa);
    if (left >= 0) d.real("timeout", left);
    if (depth < kMaxDepth) describe_items(loop, wa->items, d, depth, "items");
  } else if (auto *wf = dynamic_cast<WaitForFuture *>(f)) {
    d.kind = "wait_for";
    double left = timer_left(loop, wf);
    if (left >= 0) d.real("timeout", left);
    if (depth < kMaxDepth) describe_inner(loop, wf->inner, d, depth);
  } else if (auto *sh = dynamic_cast<ShieldFuture *>(f)) {
    d.kind = "shield";
    if (depth < kMaxDepth) describe_inner(loop, sh->inner, d, depth);
  } else if (dynamic_cast<NextFuture *>(f) != nullptr) {
    d.kind = "as_completed";
  } else if (const char *k = f->dump_kind()) {
    d.kind = k;
  } else if (!describe_held(loop, f, d)) {
    d.kind = "future";
    d.object = f;
  }
  if (f->done() && !f->is_task) d.flag("done", true);
}

// ---- output ----

void append_json_string(std::string &out, const char *s) {
  out += '"';
  for (const unsigned char *p = reinterpret_cast<const unsigned char *>(s); *p != 0; ++p) {
    unsigned char c = *p;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void append_addr(std::string &out, const void *p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%p", p);
  out += buf;
}

void append_int(std::string &out, int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRId64, v);
  out += buf;
}

void append_u64(std::string &out, uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIu64, v);
  out += buf;
}

void append_real(std::string &out, double v, bool json) {
  char buf[40];
  std::snprintf(buf, sizeof buf, json ? "%.9g" : "%.3f", v);
  out += buf;
}

void json_desc(std::string &out, const Desc &d) {
  out += "{\"kind\":";
  append_json_string(out, d.kind);
  if (d.task != nullptr) {
    out += ",\"id\":";
    append_u64(out, d.task->id);
    out += ",\"name\":";
    append_json_string(out, d.task->get_name());
    if (d.task->done()) out += ",\"done\":true";
  }
  if (d.object != nullptr) {
    out += ",\"object\":\"";
    append_addr(out, d.object);
    out += '"';
  }
  for (const Field &f : d.fields) {
    out += ",\"";
    out += f.key;
    out += "\":";
    switch (f.type) {
      case Field::kInt: append_int(out, f.i); break;
      case Field::kReal: append_real(out, f.d, true); break;
      case Field::kStr: append_json_string(out, f.s); break;
      case Field::kAddr:
        out += '"';
        append_addr(out, f.p);
        out += '"';
        break;
      case Field::kBool: out += f.i != 0 ? "true" : "false"; break;
    }
  }
  if (d.items_key != nullptr) {
    out += ",\"";
    out += d.items_key;
    out += "\":";
    bool single = std::string_view(d.items_key) == "inner";
    if (!single) out += '[';
    for (size_t i = 0; i < d.items.size(); ++i) {
      if (i > 0) out += ',';
      json_desc(out, d.items[i]);
    }
    if (!single) out += ']';
  }
  out += '}';
}

void text_desc(std::string &out, const Desc &d) {
  out += d.kind;
  if (d.task != nullptr) {
    out += " #";
    append_u64(out, d.task->id);
    out += ' ';
    out += d.task->get_name();
    if (d.task->done()) out += " (done)";
  }
  if (d.object != nullptr) {
    out += ' ';
    append_addr(out, d.object);
  }
  for (const Field &f : d.fields) {
    out += ' ';
    out += f.key;
    out += '=';
    switch (f.type) {
      case Field::kInt: append_int(out, f.i); break;
      case Field::kReal: append_real(out, f.d, false); break;
      case Field::kStr: out += f.s; break;
      case Field::kAddr: append_addr(out, f.p); break;
      case Field::kBool: out += f.i != 0 ? "yes" : "no"; break;
    }
  }
  if (d.items_key != nullptr) {
    out += " [";
    for (size_t i = 0; i < d.items.size(); ++i) {
      if (i > 0) out += ", ";
      text_desc(out, d.items[i]);
    }
    out += ']';
  }
}

void collect_tasks(const Desc &d, std::vector<ac_task *> &out) {
  if (d.task != nullptr) out.push_back(d.task);
  for (const Desc &i : d.items) collect_tasks(i, out);
}

struct Entry {
  ac_task *task;
  const char *state;
  Desc awaits;
  bool has_awaits = false;
  double timeout = -1;
  std::vector<size_t> children;  // indexes of the tasks this one awaits
  std::vector<size_t> awaited_by;
  bool printed = false;
};

const char *task_state(const ac_loop *loop, const ac_task *t) {
  if (t->stepping() || loop->current_task == t) return "running";
  if (t->must_cancel() || t->cancel_deferred() || t->cancelling() > 0) return "cancelling";
  if (t->scheduled()) return "ready";
  return "waiting";
}

void text_task(std::string &out, std::vector<Entry> &es, size_t i, int depth) {
  Entry &e = es[i];
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += '#';
  append_u64(out, e.task->id);
  out += ' ';
  out += e.task->get_name();
  if (e.printed) {
    out += " (shown above)\n";
    return;
  }
  e.printed = true;
  out += ' ';
  out += e.state;
  if (e.task->cancelling() > 0) {
    out += " cancelling=";
    append_int(out, e.task->cancelling());
  }
  if (e.timeout >= 0) {
    out += " timeout=";
    append_real(out, e.timeout, false);
  }
  if (e.has_awaits) {
    out += ": ";
    text_desc(out, e.awaits);
  }
  out += '\n';
  for (size_t c : e.children) text_task(out, es, c, depth + 1);
}

}  // namespace

HeldIndex::HeldIndex(ac_loop *loop) : prev_(tl_held) {
  // The first closable holding a future wins, as a walk finds it.
  for (Closable *c = loop->closables; c != nullptr; c = c->next_closable) {
    if (auto *s = dynamic_cast<ac_stream *>(c)) {
      for (ac_future *f : {s->connect_future, s->op_future})
        if (f != nullptr) held_.emplace(f, c);
      for (ac_future *f : s->drain_waiters) held_.emplace(f, c);
      for (ac_future *f : s->closed_waiters) held_.emplace(f, c);
    } else if (auto *u = dynamic_cast<ac_udp *>(c)) {
      if (u->recv_future != nullptr) held_.emplace(u->recv_future, c);
    } else if (auto *srv = dynamic_cast<ac_server *>(c)) {
      for (ac_future *f : srv->closed_waiters) held_.emplace(f, c);
    }
  }
  tl_held = &held_;
}

HeldIndex::~HeldIndex() { tl_held = prev_; }

void loop_dump(ac_loop *loop, int format, std::string &out) {
  HeldIndex held(loop);
  std::vector<Entry> es;
  es.reserve(loop->task_count);
  std::unordered_map<const ac_task *, size_t> index;
  for (ac_task *t = loop->tasks_head; t != nullptr; t = t->next_task) {
    index.emplace(t, es.size());
    es.push_back(Entry{t, task_state(loop, t), {}});
  }
  // Each link once (a set of links, not a search of the children: a
  // gather of n tasks links n of them).
  std::unordered_set<uint64_t> links;
  auto link = [&es, &links](size_t from, size_t to) {
    if (from == to || !links.insert(uint64_t{from} << 32 | to).second) return;
    es[from].children.push_back(to);
    es[to].awaited_by.push_back(from);
  };
  for (size_t i = 0; i < es.size(); ++i) {
    ac_task *t = es[i].task;
    if (!describe_wait(loop, t, es[i].awaits)) continue;
    es[i].has_awaits = true;
    std::vector<ac_task *> awaited;
    collect_tasks(es[i].awaits, awaited);
    for (ac_task *a : awaited) {
      auto it = index.find(a);
      if (it != index.end()) link(i, it->second);
    }
  }
  // Task groups: their tasks are awaited by the group's body (asyncio
  // 3.14 and Trio show them under it); timeout scopes: the innermost one
  // (the newest closable comes first) gives the time left.
  for (Closable *c = loop->closables; c != nullptr; c = c->next_closable) {
    if (auto *g = dynamic_cast<ac_taskgroup *>(c)) {
      auto p = index.find(g->parent);
      if (p == index.end()) continue;
      g->for_each_task([&](ac_task *t) {
        auto it = index.find(t);
        if (it != index.end()) link(p->second, it->second);
      });
    } else if (auto *to = dynamic_cast<ac_timeout *>(c)) {
      auto it = index.find(to->task);
      if (it == index.end() || es[it->second].timeout >= 0) continue;
      if (to->state != ac_timeout::kEntered && to->state != ac_timeout::kExpiring) continue;
      if (to->deadline == HUGE_VAL) continue;
      es[it->second].timeout = std::max(0.0, to->deadline - loop->now());
    }
  }

  if (format == AC_DUMP_JSON) {
    for (Entry &e : es) {
      out += "{\"id\":";
      append_u64(out, e.task->id);
      out += ",\"name\":";
      append_json_string(out, e.task->get_name());
      out += ",\"state\":\"";
      out += e.state;
      out += "\",\"cancelling\":";
      append_int(out, e.task->cancelling());
      out += ",\"awaits\":";
      if (e.has_awaits)
        json_desc(out, e.awaits);
      else
        out += "null";
      if (e.timeout >= 0) {
        out += ",\"timeout\":";
        append_real(out, e.timeout, true);
      }
      out += ",\"awaited_by\":[";
      for (size_t k = 0; k < e.awaited_by.size(); ++k) {
        if (k > 0) out += ',';
        append_u64(out, es[e.awaited_by[k]].task->id);
      }
      out += "]}\n";
    }
    return;
  }
  // Text: each task under its first awaiter, roots in creation order; then
  // whatever a cycle of awaits kept from being reached.
  for (size_t i = 0; i < es.size(); ++i)
    if (es[i].awaited_by.empty()) text_task(out, es, i, 0);
  for (size_t i = 0; i < es.size(); ++i)
    if (!es[i].printed) text_task(out, es, i, 0);
}

std::string describe_runnable(Runnable *r) noexcept {
  try {
    if (r->kind == Runnable::kTask) {
      auto *t = static_cast<ac_task *>(r);
      // A done task in the ready queue tells its watcher (watch.hpp), as
      // a watch entry would.
      if (t->done()) return "<Handle done-callback>";
      std::string s = "<Task name='";
      s += t->get_name();
      s += "' id=";
      append_u64(s, t->id);
      s += '>';
      return s;
    }
    if (r->kind == Runnable::kFutureCallback || r->kind == Runnable::kWatch)
      return "<Handle done-callback>";
    if (auto *c = dynamic_cast<ac_call *>(r))
      return c->is_timer ? "<TimerHandle callback>" : "<Handle callback>";
    if (dynamic_cast<TimerNode *>(r) != nullptr) return "<TimerHandle>";
    if (dynamic_cast<OpFuture *>(r) != nullptr) return "<Handle operation>";
    return "<Handle>";
  } catch (...) {
    return "<Handle>";
  }
}

std::string describe_await(ac_loop *loop, ac_task *t) {
  std::string out;
  Desc d;
  if (describe_wait(loop, t, d)) text_desc(out, d);
  return out;
}

}  // namespace ac
