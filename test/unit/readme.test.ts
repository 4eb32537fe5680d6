import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTable } from '../../scripts/config-docs';

/** Prettier pads table cells; compare tables with padding folded. */
const fold = (text: string) => text.replace(/ +/g, ' ').replace(/-{3,}/g, '---');
const readme = fold(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'));

test('the README documents every setting exactly as src/config/schema.ts describes it', () => {
  expect(readme).toContain(fold(configTable()));
});

test('the README shows the two set-up commands in order', () => {
  expect(readme.indexOf('npm install')).toBeGreaterThan(-1);
  expect(readme.indexOf('npm start')).toBeGreaterThan(readme.indexOf('npm install'));
  expect(readme).toContain('npm test');
});
