// In-memory DynamoDB for the HipOA local stack. Started by org.hipoa.local (Java), never by hand:
//   * listens on 127.0.0.1 with an OS-chosen port and prints one line "DYNALITE_PORT <n>" on stdout;
//   * exits as soon as its stdin closes, so it cannot outlive the JVM that started it (even one killed with -9).
// dynalite's own CLI ignores "--port 0", hence this script.
'use strict';
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.on('error', (err) => {
  console.error('dynalite: ' + err.message);
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('DYNALITE_PORT ' + server.address().port + '\n');
});

function quit() {
  server.close();
  process.exit(0);
}
process.stdin.on('end', quit);
process.stdin.on('close', quit);
process.stdin.on('error', quit);
process.stdin.resume();
