// The W5-TLS echo server on Node's tls module: the Node.js peer of W5-TLS,
// with the certificate and key named by W5_TLS_CERT and W5_TLS_KEY. Prints
// "port N", serves for SECONDS, then prints its user and system CPU time.
//   W5_TLS_CERT=cert.pem W5_TLS_KEY=key.pem node w5_tls_echo.js [SECONDS=11]
'use strict';
const fs = require('fs');
const tls = require('tls');

const seconds = Number(process.argv[2] || 11);
const server = tls.createServer({
  cert: fs.readFileSync(process.env.W5_TLS_CERT),
  key: fs.readFileSync(process.env.W5_TLS_KEY),
  noDelay: true,
}, (socket) => {
  socket.on('data', (data) => socket.write(data));
  socket.on('error', () => socket.destroy()); // a reset: this client is gone
});
server.on('tlsClientError', () => {}); // a failed handshake: that client only
server.listen(0, '127.0.0.1', () => {
  console.log(`port ${server.address().port}`);
});
setTimeout(() => {
  server.close();
  const cpu = process.cpuUsage();
  console.log(`cpu user ${(cpu.user / 1e6).toFixed(3)} s sys ${(cpu.system / 1e6).toFixed(3)} s`);
  process.exit(0);
}, seconds * 1000);
