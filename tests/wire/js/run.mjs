// Runs the JavaScript client tests, or skips (exit 77, the ctest skip code)
// when the SDK was not installed (`npm ci --prefix tests/wire/js`).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, "node_modules", "@aws-sdk", "client-sqs"))) {
  console.log("SKIP: @aws-sdk/client-sqs is not installed (run: npm ci --prefix tests/wire/js)");
  process.exit(77);
}
const result = spawnSync(process.execPath, ["--test", join(here, "sqs.test.mjs")], { stdio: "inherit" });
process.exit(result.status ?? 1);
