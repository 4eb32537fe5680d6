import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Every relative link in the README and docs/ leads somewhere: the file exists, and an `#anchor` names a
 * heading of that file (as GitHub spells it) or an explicit `<a id>`.
 */
const root = join(__dirname, '..', '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => join('docs', f))].filter((f) =>
  f.endsWith('.md'),
);

/** The text outside fenced code blocks and inline code, where links and headings live. */
function prose(markdown: string): string {
  return markdown
    .replace(/^```[\s\S]*?^```/gm, '')
    .replace(/`[^`\n]*`/g, (code) => code.replace(/[[\]()]/g, ' '));
}

/** GitHub's anchors: lowercased, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const withoutFences = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, title] of withoutFences.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = title
      .toLowerCase()
      .replace(/<[^>]*>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const [, id] of markdown.matchAll(/<a id="([^"]+)"><\/a>/g)) found.add(id);
  return found;
}

const links = pages.flatMap((page) =>
  [...prose(readFileSync(join(root, page), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => ({ page, target })),
);

test('the README and docs link to each other', () => {
  expect(links.filter((l) => l.page === 'README.md' && l.target.startsWith('docs/')).length).toBeGreaterThan(
    10,
  );
});

test.each(links)('$page links to $target, which exists', ({ page, target }) => {
  const [path, anchor] = target.split('#');
  const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), path);
  expect({ target, exists: existsSync(file) }).toEqual({ target, exists: true });
  expect(relative(root, file).startsWith('..')).toBe(false);
  if (anchor !== undefined) {
    expect(statSync(file).isFile()).toBe(true);
    expect(anchors(readFileSync(file, 'utf8'))).toContain(anchor);
  }
});
