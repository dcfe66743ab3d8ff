import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The newest modification time of any file below `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * Once per test run: tests that start the server as `npm start` does need the compiled
 * JavaScript of the sources being tested, so dist/ is built again when src/ is newer.
 */
export default function setup(): void {
  const built = fs.existsSync('dist/main.js') ? newest('dist') : 0;
  if (built < newest('src')) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
}
