// The files the server reads at run time next to its code (migrations, OCPP schemas),
// copied beside the compiled JavaScript in dist/.
import fs from 'node:fs';

const assets = [
  ['src/db/migrations', 'dist/db/migrations'],
  ['src/ocpp/protocol/ocpp16.schemas.json', 'dist/ocpp/protocol/ocpp16.schemas.json'],
];
for (const [from, to] of assets) fs.cpSync(from, to, { recursive: true });
