// W1-W4 with promises and async functions: the Node.js peer.
// Prints RESULT <workload> <system> <value> <unit>.
'use strict';

const scale = Number(process.argv[2] || 1);

async function w1(n) {
  const trivial = async () => 1;
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(trivial());
  let total = 0;
  for (const t of tasks) total += await t;
  if (total !== n) throw new Error('w1');
}

// W1g: the same, then one Promise.all (asyncio.gather's counterpart).
async function w1g(n) {
  const trivial = async () => 1;
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(trivial());
  const results = await Promise.all(tasks);
  let total = 0;
  for (const v of results) total += v;
  if (total !== n) throw new Error('w1g');
}

async function w2(n) {
  const sleep = () => new Promise((r) => setTimeout(r, 100));
  const all = [];
  for (let i = 0; i < n; i++) all.push(sleep());
  const peak = process.memoryUsage().rss;
  await Promise.all(all);
  return peak;
}

// A capacity-1 async queue.
class Queue {
  constructor() { this.item = undefined; this.full = false; this.getters = []; this.putters = []; }
  async put(v) {
    while (this.full) await new Promise((r) => this.putters.push(r));
    this.item = v; this.full = true;
    const g = this.getters.shift(); if (g) g();
  }
  async get() {
    while (!this.full) await new Promise((r) => this.getters.push(r));
    const v = this.item; this.full = false; this.item = undefined;
    const p = this.putters.shift(); if (p) p();
    return v;
  }
}

async function w3(n) {
  const q1 = new Queue(), q2 = new Queue();
  const ponger = (async () => { for (let i = 0; i < n; i++) await q2.put(await q1.get()); })();
  for (let i = 0; i < n; i++) {
    await q1.put(i);
    if ((await q2.get()) !== i) throw new Error('w3');
  }
  await ponger;
}

class Lock {
  constructor() { this.locked = false; this.waiters = []; }
  async acquire() {
    if (!this.locked && this.waiters.length === 0) { this.locked = true; return; }
    await new Promise((r) => this.waiters.push(r));
  }
  release() {
    const w = this.waiters.shift();
    if (w) w(); else this.locked = false;
  }
}

async function w4(tasks, rounds) {
  const lock = new Lock();
  let counter = 0;
  const yieldOnce = () => new Promise((r) => setImmediate(r));
  const worker = async () => {
    for (let r = 0; r < rounds; r++) {
      await lock.acquire();
      counter++;
      await yieldOnce();
      lock.release();
    }
  };
  const all = [];
  for (let t = 0; t < tasks; t++) all.push(worker());
  await Promise.all(all);
  if (counter !== tasks * rounds) throw new Error('w4');
}

async function timed(f) {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0);
}

(async () => {
  const n2 = Math.floor(100000 / scale);
  const before = process.memoryUsage().rss;
  let peak = 0;
  const d2 = await timed(async () => { peak = await w2(n2); });
  console.log(`RESULT W2 node ${((peak - before) / n2).toFixed(0)} B/task`);
  console.log(`RESULT W2ms node ${(d2 / 1e6).toFixed(0)} ms`);
  const n = Math.floor(200000 / scale);
  await timed(() => w1(Math.floor(n / 10)));
  console.log(`RESULT W1 node ${((await timed(() => w1(n))) / n).toFixed(1)} ns/task`);
  await timed(() => w1g(Math.floor(n / 10)));
  console.log(`RESULT W1g node ${((await timed(() => w1g(n))) / n).toFixed(1)} ns/task`);
  await timed(() => w3(Math.floor(n / 10)));
  console.log(`RESULT W3 node ${((await timed(() => w3(n))) / n).toFixed(1)} ns/trip`);
  const rounds = Math.floor(2000 / scale);
  await timed(() => w4(100, Math.floor(rounds / 10) + 1));
  console.log(`RESULT W4 node ${((await timed(() => w4(100, rounds))) / (100 * rounds)).toFixed(1)} ns/acquire`);
})();
