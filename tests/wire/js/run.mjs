// Runs one JavaScript client test file, or skips (exit 77, the ctest skip
// code) when its SDK package was not installed (`npm ci --prefix tests/wire/js`).
//   node run.mjs <test file> <package>   e.g. node run.mjs sqs.test.mjs @aws-sdk/client-sqs
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [testFile = "sqs.test.mjs", pkg = "@aws-sdk/client-sqs"] = process.argv.slice(2);
if (!existsSync(join(here, "node_modules", ...pkg.split("/")))) {
  console.log(`SKIP: ${pkg} is not installed (run: npm ci --prefix tests/wire/js)`);
  process.exit(77);
}
const result = spawnSync(process.execPath, ["--test", join(here, testFile)], { stdio: "inherit" });
process.exit(result.status ?? 1);
