// DynamoDB for the HipOA local stack (dynalite). Started by org.hipoa.local (Java), never by hand:
//   * listens on 127.0.0.1, on the port given as the first argument (0 or none: OS-chosen) and prints one line
//     "DYNALITE_PORT <n>" on stdout;
//   * keeps its tables in memory, or in a LevelDB folder given as the second argument — then a restart on the same
//     folder and port finds every acknowledged write again (the fault runs kill it and start it again mid-run);
//   * exits as soon as its stdin closes, so it cannot outlive the JVM that started it (even one killed with -9).
// dynalite's own CLI ignores "--port 0", hence this script.
'use strict';
const dynalite = require('dynalite');

const port = Number(process.argv[2] || 0);
const path = process.argv[3] || undefined;
const options = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
if (path) options.path = path;
const server = dynalite(options);
server.on('error', (err) => {
  console.error('dynalite: ' + err.message);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
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
