import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * Cyrillic and Greek letters drawn like Latin ones (the common entries of Unicode's confusables
 * table, UTS #39): a label written only with them reads as the Latin word of its skeleton.
 */
const latinLookAlikes: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  ү: 'y',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
};

const confusableScripts = ['Latin', 'Cyrillic', 'Greek'] as const;
const scriptPatterns = {
  Latin: /\p{Script=Latin}/u,
  Cyrillic: /\p{Script=Cyrillic}/u,
  Greek: /\p{Script=Greek}/u,
} as const;

const asciiLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type DomainCheck = { domain: string } | { problem: string };

/**
 * The one spelling of an email domain that Roster stores and compares: IDNA (UTS #46) to lowercase
 * ASCII, so `ACME.com`, `ａｃｍｅ.com` and `acme.com.` are one domain and `bücher.de` is
 * `xn--bcher-kva.de`. A domain whose letters only look like another one's (`аcme.com` with a
 * Cyrillic а normalises to a different domain, so uniqueness alone would not catch it) is refused.
 */
export function normalizeEmailDomain(input: string): DomainCheck {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed.length === 0 || trimmed.length > 253) return { problem: 'a domain has 1 to 253 characters' };
  const ascii = domainToASCII(trimmed);
  const labels = ascii.split('.');
  if (!ascii || labels.length < 2 || !labels.every((label) => asciiLabel.test(label))) {
    return { problem: `"${input}" is not a domain name (such as example.com)` };
  }
  if (/^\d+$/.test(labels[labels.length - 1])) return { problem: 'an IP address is not an email domain' };
  for (const label of domainToUnicode(ascii).split('.')) {
    const lookAlike = lookAlikeProblem(label);
    if (lookAlike) return { problem: lookAlike };
  }
  return { domain: ascii };
}

/** The domain of an email address (what follows the last @), normalised; null if there is none. */
export function emailDomainOf(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1 || email.length > 320) return null;
  const checked = normalizeEmailDomain(email.slice(at + 1));
  return 'domain' in checked ? checked.domain : null;
}

function lookAlikeProblem(label: string): string | null {
  const scripts = confusableScripts.filter((script) => scriptPatterns[script].test(label));
  if (scripts.length > 1) {
    return `"${label}" mixes ${scripts.join(' and ')} letters, which can pass for another domain`;
  }
  const letters = [...label].filter((c) => /\p{L}/u.test(c));
  if (
    (scripts[0] === 'Cyrillic' || scripts[0] === 'Greek') &&
    letters.every((c) => c.toLowerCase() in latinLookAlikes)
  ) {
    const skeleton = [...label].map((c) => latinLookAlikes[c.toLowerCase()] ?? c).join('');
    return `"${label}" is written with ${scripts[0]} letters that look like "${skeleton}"`;
  }
  return null;
}
