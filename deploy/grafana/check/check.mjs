// Writes the dashboard as a TypeScript object literal typed as Grafana's own Dashboard, then runs tsc:
// every field and panel field must exist in the schema with the right type (excess-property checks),
// which a JSON import would not enforce. Panel plugin options are Record<string, unknown> there.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dashboard = JSON.parse(readFileSync(join(here, '..', 'exchange-dashboard.json'), 'utf8'));
const out = mkdtempSync(join(here, 'gen-'));
const file = join(out, 'dashboard.ts');
writeFileSync(file,
  "import type { Dashboard } from '@grafana/schema/dist/esm/raw/dashboard/x/Dashboard_types.gen';\n" +
  `export const dashboard: Dashboard = ${JSON.stringify(dashboard, null, 2)};\n`);
try {
  execFileSync(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'),
    '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', file],
    { stdio: 'inherit', cwd: here });
} catch {
  console.error('the dashboard does not type-check against @grafana/schema\'s Dashboard (errors above)');
  process.exit(1);
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(`${dashboard.panels.length} panels: the dashboard type-checks against @grafana/schema's Dashboard`);
