// The W5 echo server on Node's net module: the Node.js peer. Prints
// "port N", serves for SECONDS, then prints its user and system CPU time.
//   node w5_echo.js [SECONDS=11]
'use strict';
const net = require('net');

const seconds = Number(process.argv[2] || 11);
const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (data) => socket.write(data));
  socket.on('error', () => socket.destroy()); // a reset: this client is gone
});
server.listen(0, '127.0.0.1', () => {
  console.log(`port ${server.address().port}`);
});
setTimeout(() => {
  server.close();
  const cpu = process.cpuUsage();
  console.log(`cpu user ${(cpu.user / 1e6).toFixed(3)} s sys ${(cpu.system / 1e6).toFixed(3)} s`);
  process.exit(0);
}, seconds * 1000);
