// spawn.js — P1 for Node: child_process.spawn('/bin/true') with the
// parent's descriptors, awaiting its 'exit', one child after another.
// Prints RESULT P1 node <us> us/child.
//
//   node spawn.js N
'use strict';
const { spawn } = require('child_process');

function one() {
  return new Promise((resolve, reject) => {
    const c = spawn('/bin/true', [], { stdio: 'inherit' });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
  });
}

async function main() {
  const n = Number(process.argv[2] || 1000);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await one();
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  console.log('HOW P1 node child_process.spawn + exit event of /bin/true, one at a time');
  console.log(`RESULT P1 node ${us.toFixed(1)} us/child`);
}

main().catch((e) => {
  console.error('spawn:', e);
  process.exit(1);
});
