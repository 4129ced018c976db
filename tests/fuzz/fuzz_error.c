/*
 * fuzz_error.c — ac_error and ac_value: building error graphs (causes,
 * children, payloads), refusing cycles, deep chains, formatting, the code
 * tables, and values stored in and moved out of futures.
 *
 * The input is a program of one-byte operations on 16 error slots. A model
 * of every error made (code, message, cause, children, payload) is kept
 * beside the library's, and every accessor is checked against it. Pointer
 * payloads and pointer values carry a tag whose destructor counts its runs:
 * each must run exactly once by the end of the input.
 */
#include <asyncore.h>
#include <math.h>

#include "fuzz.h"

enum { SLOTS = 16, MAX_NODES = 512, MAX_CHILDREN = 64 };

typedef struct node {
  ac_error *err;  /* not a reference: the model follows the library's graph */
  int code;
  char message[64];
  int has_message;
  struct node *cause;
  struct node *children[MAX_CHILDREN];
  size_t n_children;
  int payload_kind;  /* ac_value_kind */
  int64_t payload_i64;
  size_t payload_len;
  uint8_t payload_bytes[16];
  void *payload_ptr;
} node;

static node nodes[MAX_NODES];
static size_t n_nodes;
static node *slots[SLOTS];
static long tags_made, tags_freed;

#define TAG_MAGIC 0x7a67u
typedef struct tag {
  unsigned magic;
  long id;
} tag;

static void tag_free(void *p) {
  tag *t = p;
  FZ_CHECK(t != NULL && t->magic == TAG_MAGIC, "pointer destructor ran on a freed or foreign tag");
  t->magic = 0;
  tags_freed++;
  free(t);
}

static tag *tag_new(void) {
  tag *t = malloc(sizeof *t);
  if (t == NULL) abort();
  t->magic = TAG_MAGIC;
  t->id = tags_made++;
  return t;
}

/* The codes worth trying: those this library names, errno and resolver
 * codes, and the edges. */
static const int interesting_codes[] = {
  AC_ECANCELLED, AC_ESTATE, AC_EWRONGTHREAD, AC_ECLOSED, AC_ERUNNING, AC_ESTOPPED,
  AC_EGROUP, AC_EHOST, AC_EEMPTY, AC_EFULL, AC_ESHUTDOWN, AC_EBROKEN,
  AC_EINCOMPLETE, AC_ELIMIT, AC_EINTERNAL, AC_EMISUSE, AC_EINVAL, AC_ENOMEM,
  AC_ETIMEDOUT, AC_EAGAIN, AC_EPIPE, AC_ECONNRESET, AC_EOF, AC_EAI_NONAME,
  AC_EAI_PROTOCOL, AC_EAI_ADDRFAMILY, -1, -9999, -10000, -10017, -10018,
  -4096, -3012, INT32_MIN, 0, 1, 
};

static int pick_code(fz_in *in) {
  uint8_t b = fz_u8(in);
  size_t n = sizeof interesting_codes / sizeof interesting_codes[0];
  if (b < n) return interesting_codes[b];
  if (b < 200) return -(int)(b - n) - 1;
  return (int)fz_u32(in);
}

static ac_error_kind model_kind(int code) {
  switch (code) {
    case AC_ECANCELLED: return AC_ERROR_KIND_CANCELLED;
    case AC_ETIMEDOUT: return AC_ERROR_KIND_TIMEOUT;
    case AC_EINVAL: case AC_ESTATE: case AC_EWRONGTHREAD: case AC_ECLOSED:
    case AC_ERUNNING: case AC_EMISUSE:
      return AC_ERROR_KIND_USAGE;
    case AC_EGROUP: return AC_ERROR_KIND_GROUP;
    case AC_EHOST: return AC_ERROR_KIND_HOST;
    default: return code <= -10000 ? AC_ERROR_KIND_RUNTIME : AC_ERROR_KIND_OS;
  }
}

/* Marks every node reachable from `from` through causes and children
 * (iteratively, with a visited mark, so a shared subgraph costs once). */
static unsigned char mark[MAX_NODES];
static node *stack_[MAX_NODES * (MAX_CHILDREN + 1)];

static void mark_from(const node *from) {
  size_t top = 0;
  if (from != NULL) stack_[top++] = (node *)from;
  while (top > 0) {
    node *x = stack_[--top];
    size_t i = (size_t)(x - nodes);
    if (mark[i]) continue;
    mark[i] = 1;
    if (x->cause) stack_[top++] = x->cause;
    for (size_t c = 0; c < x->n_children; c++) stack_[top++] = x->children[c];
  }
}

/* Is `target` reachable from `from`? The model has no cycle: the library
 * refuses them, and a refusal it should have made fails the check. */
static int reaches(const node *from, const node *target) {
  memset(mark, 0, n_nodes);
  mark_from(from);
  return mark[target - nodes];
}

static void check_node(const node *m) {
  ac_error *e = m->err;
  FZ_CHECK(ac_error_code(e) == m->code, "code %d, model %d", ac_error_code(e), m->code);
  FZ_CHECK(ac_error_get_kind(e) == model_kind(m->code), "kind %d for code %d",
           (int)ac_error_get_kind(e), m->code);
  const char *msg = ac_error_message(e);
  const char *want = m->has_message ? m->message : ac_strerror(m->code);
  FZ_CHECK(msg != NULL && strcmp(msg, want) == 0, "message \"%s\", model \"%s\"",
           msg ? msg : "(null)", want);
  FZ_CHECK(ac_error_cause(e) == (m->cause ? m->cause->err : NULL), "cause differs from the model");
  FZ_CHECK(ac_error_child_count(e) == (int64_t)m->n_children, "%lld children, model %zu",
           (long long)ac_error_child_count(e), m->n_children);
  for (size_t i = 0; i < m->n_children; i++)
    FZ_CHECK(ac_error_child(e, i) == m->children[i]->err, "child %zu differs", i);
  FZ_CHECK(ac_error_child(e, m->n_children) == NULL, "a child past the end");
  ac_value v;
  FZ_RC(ac_error_payload(e, &v), 0);
  FZ_CHECK(v.kind == m->payload_kind, "payload kind %d, model %d", v.kind, m->payload_kind);
  switch (v.kind) {
    case AC_VALUE_INT64:
      FZ_CHECK(v.u.i64 == m->payload_i64, "payload int differs");
      break;
    case AC_VALUE_BYTES:
      FZ_CHECK(v.u.bytes.len == m->payload_len &&
                   (m->payload_len == 0 || memcmp(v.u.bytes.data, m->payload_bytes, m->payload_len) == 0),
               "payload bytes differ");
      break;
    case AC_VALUE_POINTER:
      FZ_CHECK(v.u.pointer.ptr == m->payload_ptr && v.u.pointer.free_fn == tag_free,
               "payload pointer differs");
      break;
    default:
      break;
  }
}

static void check_format(const node *m) {
  char *s = ac_error_format(m->err);
  FZ_CHECK(s != NULL, "ac_error_format returned NULL");
  const char *msg = m->has_message ? m->message : ac_strerror(m->code);
  char first[256];
  snprintf(first, sizeof first, "%s: %s\n", ac_err_name(m->code), msg);
  FZ_CHECK(strncmp(s, first, strlen(first)) == 0, "format starts \"%.80s\", expected \"%s\"", s, first);
  if (m->n_children > 0) {
    char line[64];
    snprintf(line, sizeof line, "+-- 1 of %zu\n", m->n_children);
    FZ_CHECK(strstr(s, line) != NULL, "format lacks \"%s\"", line);
  }
  if (m->n_children > 15) {
    char line[64];
    size_t rest = m->n_children - 15;
    snprintf(line, sizeof line, "and %zu more exception%s\n", rest, rest > 1 ? "s" : "");
    FZ_CHECK(strstr(s, line) != NULL, "format lacks \"%s\"", line);
  }
  /* At most 1000 errors are rendered: each takes one line of at most
   * ~90 bytes plus its indentation (4 per nesting level, at most 10
   * levels), and each child adds a "+-- i of n" line. */
  size_t lines = 0;
  for (const char *p = s; *p; p++) lines += *p == '\n';
  FZ_CHECK(lines <= 2 * 1000 + 16 * 11 + 4, "format has %zu lines", lines);
  ac_free(s);
}

/* Every error reachable from the slots, checked against the model. */
static void check_all(void) {
  memset(mark, 0, n_nodes);
  for (int s = 0; s < SLOTS; s++) mark_from(slots[s]);
  for (size_t i = 0; i < n_nodes; i++)
    if (mark[i]) check_node(&nodes[i]);
}

static node *new_node(ac_error *e, int code, const char *message, node *cause) {
  FZ_CHECK(n_nodes < MAX_NODES, "model full");
  node *m = &nodes[n_nodes++];
  memset(m, 0, sizeof *m);
  m->err = e;
  m->code = code;
  if (message != NULL) {
    m->has_message = 1;
    snprintf(m->message, sizeof m->message, "%s", message);
  }
  m->cause = cause;
  return m;
}

/* The slot's reference goes; the model keeps the node while another error
 * still reaches it (the library keeps it alive then). */
static void drop_slot(int s) {
  if (slots[s] == NULL) return;
  node *m = slots[s];
  slots[s] = NULL;
  ac_error_unref(m->err);
}

static void codes(fz_in *in) {
  int code = pick_code(in);
  const char *a = ac_strerror(code), *b = ac_err_name(code), *c = ac_err_class(code);
  const char *d = ac_last_error_message(code);
  FZ_CHECK(a && b && c && d && *b && *c, "a code table gave NULL or empty for %d", code);
#define XX(name, value, msg)                                                         \
  if (code == value)                                                                 \
    FZ_CHECK(strcmp(a, msg) == 0 && strcmp(b, "AC_E" #name) == 0, "table for %s", #name);
  AC_ERRNO_MAP(XX)
#undef XX
}

/* A value stored in a future and read back, then moved out. */
static void value_roundtrip(ac_loop *loop, fz_in *in) {
  ac_future *f;
  FZ_RC(ac_future_new(loop, &f), 0);
  uint8_t kind = fz_u8(in) % 5;
  ac_value v, got;
  const uint8_t *data = NULL;
  size_t len = 0;
  tag *t = NULL;
  long freed_before = tags_freed;
  switch (kind) {
    case 0: ac_value_set_none(&v); break;
    case 1: ac_value_set_int64(&v, (int64_t)fz_u32(in) << 16); break;
    case 2: ac_value_set_double(&v, (double)(int32_t)fz_u32(in) / 7.0); break;
    case 3:
      len = fz_bytes(in, fz_u8(in) % 40, &data);
      ac_value_set_bytes(&v, len ? data : NULL, len);
      break;
    default:
      t = tag_new();
      ac_value_set_pointer(&v, t, tag_free);
      break;
  }
  FZ_RC(ac_future_set_result(f, &v), 0);
  FZ_RC(ac_future_set_result(f, &v), AC_ESTATE);
  FZ_RC(ac_future_result(f, &got), 0);
  FZ_CHECK(got.kind == (int32_t)kind, "result kind %d, stored %d", got.kind, kind);
  if (kind == 3) {
    FZ_CHECK(got.u.bytes.len == len && (len == 0 || memcmp(got.u.bytes.data, data, len) == 0),
             "bytes result differs");
    FZ_CHECK(len == 0 || got.u.bytes.data != (const void *)data, "bytes were not copied");
  } else if (kind == 1 || kind == 2) {
    FZ_CHECK(memcmp(&got.u, &v.u, 8) == 0, "number result differs");
  } else if (kind == 4) {
    FZ_CHECK(got.u.pointer.ptr == t, "pointer result differs");
  }
  if (fz_u8(in) & 1) {
    FZ_RC(ac_future_take_result(f, &got), 0);
    FZ_RC(ac_future_result(f, &v), 0);
    FZ_CHECK(v.kind == AC_VALUE_NONE, "the future kept a value after take_result");
    ac_value_clear(&got);
    FZ_CHECK(got.kind == AC_VALUE_NONE, "ac_value_clear left a value");
    FZ_CHECK(tags_freed == freed_before + (t != NULL), "destructor runs after take+clear");
  }
  ac_future_unref(f);
  FZ_CHECK(tags_freed == freed_before + (t != NULL), "pointer value not released exactly once");
}

/* A future failed with a slot's error hands out that very error. */
static void error_in_future(ac_loop *loop, node *m) {
  ac_future *f;
  FZ_RC(ac_future_new(loop, &f), 0);
  int rc = ac_future_set_error(f, m->err);
  if (m->code == AC_ECANCELLED) {
    FZ_RC(rc, AC_EINVAL);
    ac_future_unref(f);
    return;
  }
  FZ_RC(rc, 0);
  FZ_CHECK(ac_future_error(f) == m->err, "the future's error is not the one set");
  ac_error *x = NULL;
  FZ_RC(ac_future_exception(f, &x), 0);
  FZ_CHECK(x == m->err, "exception() differs");
  FZ_RC(ac_future_result(f, NULL), m->code);
  ac_future_unref(f);
}

static ac_loop *the_loop;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (the_loop == NULL) FZ_RC(ac_loop_new(AC_LOOP_VIRTUAL_CLOCK, &the_loop), 0);
  fz_in in = {data, size};
  n_nodes = 0;
  memset(slots, 0, sizeof slots);
  tags_made = tags_freed = 0;
  size_t chain_budget = 600;
  int deep_done = 0;
  int ops = 0;
  while (fz_more(&in) && ops++ < 200) {
    uint8_t op = fz_u8(&in);
    int a = fz_u8(&in) % SLOTS;
    switch (op % 10) {
      case 0: {  /* new error */
        int code = pick_code(&in);
        const uint8_t *mp;
        size_t ml = fz_bytes(&in, fz_u8(&in) % 48, &mp);
        char msg[64];
        memcpy(msg, mp, ml);
        msg[ml] = '\0';
        int with_msg = (op & 0x10) == 0;
        int c = fz_u8(&in);
        node *cause = (c & 0x80) ? slots[c % SLOTS] : NULL;
        ac_error *e = NULL;
        int rc = ac_error_new(code, with_msg ? msg : NULL, cause ? cause->err : NULL, &e);
        if (code >= 0) {
          FZ_RC(rc, AC_EINVAL);
          break;
        }
        FZ_RC(rc, 0);
        if (n_nodes == MAX_NODES) {
          ac_error_unref(e);
          break;
        }
        drop_slot(a);
        slots[a] = new_node(e, code, with_msg ? msg : NULL, cause);
        break;
      }
      case 1: {  /* add child: refused exactly when it would close a cycle */
        node *p = slots[a], *c = slots[fz_u8(&in) % SLOTS];
        if (p == NULL || c == NULL) {
          FZ_RC(ac_error_add_child(p ? p->err : NULL, c ? c->err : NULL), AC_EINVAL);
          break;
        }
        int cycle = reaches(c, p);
        int rc = ac_error_add_child(p->err, c->err);
        FZ_RC(rc, cycle ? AC_EINVAL : 0);
        /* (A slot whose error is nearly full is emptied after each
         * operation, below, so there is room.) */
        if (rc == 0) p->children[p->n_children++] = c;
        break;
      }
      case 2: drop_slot(a); break;
      case 3: {  /* another reference in another slot */
        int b = fz_u8(&in) % SLOTS;
        if (slots[a] == NULL || a == b) break;
        drop_slot(b);
        slots[b] = slots[a];
        FZ_CHECK(ac_error_ref(slots[a]->err) == slots[a]->err, "ref returned another pointer");
        break;
      }
      case 4: {  /* payload */
        node *m = slots[a];
        uint8_t k = fz_u8(&in) % 4;
        ac_value v;
        if (m == NULL) break;
        long freed = tags_freed;
        int had_tag = m->payload_kind == AC_VALUE_POINTER;
        tag *t = NULL;
        if (k == 0) {
          ac_value_set_none(&v);
        } else if (k == 1) {
          ac_value_set_int64(&v, (int64_t)fz_u32(&in));
        } else if (k == 2) {
          const uint8_t *b;
          size_t l = fz_bytes(&in, fz_u8(&in) % 17, &b);
          ac_value_set_bytes(&v, l ? b : NULL, l);
          m->payload_len = l;
          memcpy(m->payload_bytes, b, l);
        } else {
          t = tag_new();
          ac_value_set_pointer(&v, t, tag_free);
        }
        FZ_RC(ac_error_set_payload(m->err, &v), 0);
        FZ_CHECK(tags_freed == freed + had_tag, "the replaced payload was not released at once");
        m->payload_kind = v.kind;
        m->payload_i64 = v.u.i64;
        m->payload_ptr = t;
        break;
      }
      case 5:
        if (slots[a]) check_format(slots[a]);
        break;
      case 6: {  /* a deep chain of causes, or of single children */
        /* Mostly short; now and then one deep enough that any recursion
         * over the chain (freeing, formatting, the cycle search) would
         * overflow the stack. */
        int children = (op & 0x10) != 0;
        size_t depth = (size_t)fz_u16(&in) % (children ? 32 : 200) + 1;
        if ((op & 0x60) == 0x60 && a == 15 && !deep_done) {
          /* (each add_child searches the child's whole graph for a cycle,
           * so a chain of children costs its depth squared to build) */
          depth = children ? 300 : 30000;
          deep_done = 1;
        } else if (depth > chain_budget) {
          depth = chain_budget + 1;
        }
        if (depth <= 200) chain_budget -= depth - 1;  /* the deep one is outside it */
        ac_error *top = NULL;
        FZ_RC(ac_error_new(AC_EHOST, "bottom", slots[a] ? slots[a]->err : NULL, &top), 0);
        for (size_t i = 1; i < depth; i++) {
          ac_error *e;
          if (children) {
            FZ_RC(ac_error_new(AC_EGROUP, NULL, NULL, &e), 0);
            FZ_RC(ac_error_add_child(e, top), 0);
          } else {
            FZ_RC(ac_error_new(AC_EINTERNAL, NULL, top, &e), 0);
          }
          ac_error_unref(top);
          top = e;
        }
        /* The bottom of the chain can never become a child of its top's
         * descendants: adding the top below a slot error that it reaches
         * is a cycle. */
        if (slots[a] != NULL) FZ_RC(ac_error_add_child(slots[a]->err, top), AC_EINVAL);
        char *s = ac_error_format(top);
        FZ_CHECK(s != NULL, "format of a deep chain returned NULL");
        size_t lines = 0;
        for (const char *p = s; *p; p++) lines += *p == '\n';
        FZ_CHECK(lines <= 1100, "format of a %zu-deep chain has %zu lines", depth, lines);
        ac_free(s);
        ac_error_unref(top);
        break;
      }
      case 7: codes(&in); break;
      case 8: value_roundtrip(the_loop, &in); break;
      case 9:
        if (slots[a]) error_in_future(the_loop, slots[a]);
        break;
    }
    /* Bound the model: a parent full of children takes no more. */
    for (int s = 0; s < SLOTS; s++)
      if (slots[s] && slots[s]->n_children >= MAX_CHILDREN - 1) drop_slot(s);
    check_all();
  }
  for (int s = 0; s < SLOTS; s++) drop_slot(s);
  FZ_CHECK(tags_freed == tags_made, "%ld pointer payloads made, %ld released", tags_made, tags_freed);
  return 0;
}
