import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT } from '../../src/config.ts';

/** The default as written in a file: the original's 0/1 switches for booleans. */
const written = (value: unknown) => (typeof value === 'boolean' ? (value ? '1' : '0') : String(value ?? ''));
const variables = Object.entries(ENVIRONMENT) as [string, { default?: unknown; desc?: string }][];

function envExample(): Map<string, { value: string; comment: string | undefined }> {
  const lines = fs.readFileSync('.env.example', 'utf8').split('\n');
  const entries = new Map<string, { value: string; comment: string | undefined }>();
  lines.forEach((line, index) => {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) return;
    const above = lines[index - 1];
    entries.set(match[1]!, { value: match[2]!, comment: above?.startsWith('# ') ? above.slice(2) : undefined });
  });
  return entries;
}

function readmeTable(): Map<string, string> {
  const readme = fs.readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|/gm)) rows.set(match[1]!, match[2]!.trim());
  return rows;
}

describe('the settings as documented', () => {
  it('.env.example lists every variable config.ts reads, with its default and a one-line comment', () => {
    const example = envExample();
    expect([...example.keys()].sort()).toEqual(variables.map(([name]) => name).sort());
    for (const [name, spec] of variables) {
      expect(example.get(name)?.value, name).toBe(written(spec.default));
      expect(example.get(name)?.comment, `the comment above ${name}`).toBe(spec.desc);
    }
  });

  it("the README's table lists the same variables, with the same defaults where it gives them literally", () => {
    const table = readmeTable();
    expect([...table.keys()].sort()).toEqual(variables.map(([name]) => name).sort());
    for (const [name, spec] of variables) {
      const cell = table.get(name)!;
      const literal = /^`([^`]*)`$/.exec(cell)?.[1];
      if (literal !== undefined) expect(literal, name).toBe(written(spec.default));
      else if (cell === '–') expect(written(spec.default), name).toBe('');
    }
  });
});
