import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderOcppTypes, TYPES_FILE } from '../../scripts/generate-ocpp-types.ts';

describe('the OCPP 1.6 message types', () => {
  it('are what the schemas generate (else: npm run generate:ocpp-types)', async () => {
    expect(await fs.readFile(TYPES_FILE, 'utf8')).toBe(await renderOcppTypes());
  });
});
