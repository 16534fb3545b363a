// docs/parameters.md is generated from the parameter table; the committed file must match.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderParametersDoc, PARAM_SPECS, ALIASES_BY_NAME } from '../src/strategy/params/index.js';

const committed = readFileSync(new URL('../docs/parameters.md', import.meta.url), 'utf8');

describe('docs/parameters.md', () => {
  it('matches the table (regenerate: npm run build:ts && node dist/src/strategy/params/write-parameters-doc.js)', () => {
    expect(committed).toBe(renderParametersDoc());
  });

  it('lists every parameter and every alias', () => {
    for (const spec of PARAM_SPECS) expect(committed).toContain(`| \`${spec.name}\` |`);
    for (const name of ALIASES_BY_NAME.keys()) expect(committed).toContain(`| \`${name}\` |`);
  });
});
