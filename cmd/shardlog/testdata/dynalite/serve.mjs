// serve.mjs runs dynalite, a local DynamoDB, for the KCL acceptance test (e2e_kcl_test.go):
// on 127.0.0.1 at a port the system chooses, which it prints on stdout once listening, with
// tables ACTIVE at once and the data in memory. It exits when its stdin closes, so that it
// never outlives the test that started it.
import dynalite from "dynalite";

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
