// Writes docs/parameters.md from the parameter table. Run from the repository root:
//   npm run build:ts && node dist/src/strategy/params/write-parameters-doc.js
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderParametersDoc } from './parameters-doc.js';

const target = resolve(process.cwd(), 'docs/parameters.md');
writeFileSync(target, renderParametersDoc());
process.stdout.write(`wrote ${target}\n`);
