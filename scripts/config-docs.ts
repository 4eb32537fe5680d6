import { settings } from '../src/config/schema';

/** The README's configuration table, written from the descriptions in src/config/schema.ts. */
export function configTable(): string {
  const rows = Object.entries(settings).map(([name, setting]) => {
    const parsed = setting.schema.safeParse(undefined);
    const value = 'defaultText' in setting ? setting.defaultText : parsed.success ? parsed.data : undefined;
    const fallback = value === undefined ? 'none' : `\`${String(value)}\``;
    return `| \`${name}\` | ${fallback} | ${setting.description} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

if (require.main === module) process.stdout.write(`${configTable()}\n`);
