import type { ScrubRules } from './options';

/*
 * PII scrubbing. Every pattern is bounded (no nested quantifiers, capped repetition) so a hostile
 * input costs linear time; patterns are compiled once at module load, never per event.
 */

/*
 * Keyword-led secrets, in three passes compiled once per combination of rules: a case-insensitive
 * pass for header names and credential schemes, a pass anchored on the `:`/`=` of key=value secrets
 * (the rare separator, not every letter, is where the engine tries), and a case-sensitive pass for
 * token shapes (JWTs, API key prefixes) and URL passwords. Measured on the fixture corpus, this is
 * about half the cost of one case-insensitive alternation of everything. (Substring pre-checks before
 * each pass were tried and cost more than the passes: most needles miss, and each miss scans it all.)
 */
interface Branch {
  src: string;
  groups: number;
  render: (g: Array<string | undefined>) => string;
}

const HEADER: Branch = {
  src: String.raw`\b((?:proxy-)?authorization|set-cookie|cookie|x-api-key|x-auth-token|x-access-token|x-csrf-token|x-xsrf-token|x-amz-security-token|x-goog-api-key|x-sentry-auth)(\\?["']?[ \t]*[:=][ \t]*\\?["']?|\\?"[ \t]*,[ \t]*\\?")[^"'\\\r\n]{1,4096}`,
  groups: 2,
  render: (g) => `${g[0]}${g[1]}${REDACTED}`,
};
const BEARER: Branch = { src: String.raw`\b(bearer[ \t]+)[A-Za-z0-9._~+/=-]{8,4096}`, groups: 1, render: (g) => `${g[0]}[token]` };
const BASIC: Branch = { src: String.raw`\b(basic[ \t]+)(?=[A-Za-z0-9+/]{0,4096}[0-9=])[A-Za-z0-9+/]{12,4096}={0,2}`, groups: 1, render: (g) => `${g[0]}[token]` };
// Keys anywhere in a word (`session_token`, `client_secret`, `x-api-key`); the key stays, the value goes.
const KEY_VALUE: Branch = {
  src: String.raw`(?<=(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|session[_-]?id|sessid|jsessionid)\\?["']?[ \t]*)([:=][ \t]*\\?["']?)(?!\[(?:redacted|token)\])[^\s"'\\&,;}\]]{1,4096}`,
  groups: 1,
  render: (g) => `${g[0]}${REDACTED}`,
};
const JWT: Branch = { src: String.raw`(eyJ)[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,4096}`, groups: 1, render: () => '[token]' };
const API_KEY: Branch = {
  src: String.raw`\b((?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,256}|gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{20,255}|xox[abprs]-[A-Za-z0-9-]{10,255}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,255}|glpat-[A-Za-z0-9_-]{20,255})`,
  groups: 1,
  render: () => '[token]',
};
const URL_PASSWORD: Branch = { src: String.raw`(:\/\/[^\s:@/"']{0,256}:)[^\s@/"']{1,256}(?=@)`, groups: 1, render: (g) => `${g[0]}${REDACTED}` };

interface KeywordPass {
  re: RegExp;
  replace: (m: string, ...args: unknown[]) => string;
}

function combine(branches: Branch[], flags: string): KeywordPass | null {
  if (branches.length === 0) return null;
  const re = new RegExp(branches.map((b) => b.src).join('|'), flags);
  return {
    re,
    replace: (m, ...args) => {
      // Every branch's first group always takes part in its match: it tells which branch matched.
      let offset = 0;
      for (const b of branches) {
        if (args[offset] !== undefined) return b.render(args.slice(offset, offset + b.groups) as Array<string | undefined>);
        offset += b.groups;
      }
      return m;
    },
  };
}

const keywordPasses = new Map<number, KeywordPass[]>();

function passesFor(headers: boolean, tokens: boolean, urlPasswords: boolean): KeywordPass[] {
  const key = (headers ? 1 : 0) | (tokens ? 2 : 0) | (urlPasswords ? 4 : 0);
  let passes = keywordPasses.get(key);
  if (!passes) {
    const insensitive: Branch[] = [];
    if (headers) insensitive.push(HEADER);
    if (tokens) insensitive.push(BEARER, BASIC);
    const sensitive: Branch[] = [];
    if (tokens) sensitive.push(JWT, API_KEY);
    if (urlPasswords) sensitive.push(URL_PASSWORD);
    passes = [
      combine(insensitive, 'gi'),
      tokens ? combine([KEY_VALUE], 'gi') : null,
      combine(sensitive, 'g'),
    ].filter((p): p is KeywordPass => p !== null);
    keywordPasses.set(key, passes);
  }
  return passes;
}

// 13–19 digits, contiguous or in the printed groups (4-4-4-4…, Amex 4-6-5); never starting inside a longer number.
const CARD_RE = /(?<![\w.-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{4,5})(?![\w-])/g;
const IPV4_RE = /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g;
const IPV6_RE = /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|(?:\b(?:[0-9a-f]{1,4}:){1,6}|::)(?::[0-9a-f]{1,4}){1,6}\b|\b(?:[0-9a-f]{1,4}:){1,7}:(?![0-9a-f:])/gi;

export const REDACTED = '[redacted]';

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay): keeps epoch-ms timestamps and ids out. */
function cardPrefix(d: string): boolean {
  const n2 = Number(d.slice(0, 2));
  const n4 = Number(d.slice(0, 4));
  return (
    d[0] === '4' ||
    (n2 >= 51 && n2 <= 55) ||
    (n4 >= 2221 && n4 <= 2720) ||
    n2 === 34 ||
    n2 === 37 ||
    n2 === 36 ||
    n2 === 38 ||
    (n4 >= 3000 && n4 <= 3059) ||
    n2 === 35 ||
    n2 === 62 ||
    n2 === 65 ||
    n4 === 6011 ||
    (n4 >= 6440 && n4 <= 6499)
  );
}

export function isCardNumber(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && cardPrefix(digits) && luhn(digits);
}

function isLocalChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}
function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}
function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/**
 * Replaces e-mail addresses, scanning from each `@` outwards: linear however the input is built,
 * where a regex with a character-class prefix would retry at every position.
 */
export function replaceEmails(input: string, replacement: string): string {
  let at = input.indexOf('@');
  if (at === -1) return input;
  let out = '';
  let last = 0;
  while (at !== -1) {
    let s = at;
    while (s > last && at - s < 64 && isLocalChar(input.charCodeAt(s - 1))) s--;
    let e = at + 1;
    while (e < input.length && e - at <= 253 && isDomainChar(input.charCodeAt(e))) e++;
    // Trim trailing dots/hyphens, then require a dotted domain ending in an alphabetic TLD of 2+ letters.
    while (e > at + 1 && (input.charCodeAt(e - 1) === 46 || input.charCodeAt(e - 1) === 45)) e--;
    const domain = input.slice(at + 1, e);
    const dot = domain.lastIndexOf('.');
    let valid = s < at && dot > 0 && domain.length - dot - 1 >= 2;
    for (let i = dot + 1; valid && i < domain.length; i++) valid = isAlpha(domain.charCodeAt(i));
    if (valid) {
      out += input.slice(last, s) + replacement;
      last = e;
      at = input.indexOf('@', e);
    } else {
      at = input.indexOf('@', at + 1);
    }
  }
  return last === 0 ? input : out + input.slice(last);
}

export function replaceCards(input: string, replacement: string): string {
  return input.replace(CARD_RE, (m) => (isCardNumber(m) ? replacement : m));
}

export function replaceIps(input: string, replacement: string): string {
  let out = input.indexOf('.') === -1 ? input : input.replace(IPV4_RE, replacement);
  if (out.indexOf(':') !== -1) out = out.replace(IPV6_RE, (m) => (m.length >= 3 ? replacement : m));
  return out;
}

const extraCache = new WeakMap<readonly string[], RegExp[]>();
const extraBySource = new Map<string, RegExp[]>();

/** Compiles `extraPatterns` once per rules object; a source that is not a valid regex is skipped. */
export function compileExtraPatterns(patterns: readonly string[]): RegExp[] {
  const cached = extraCache.get(patterns);
  if (cached) return cached;
  const key = patterns.join('\u0000');
  let compiled = extraBySource.get(key);
  if (!compiled) {
    compiled = [];
    for (const source of patterns) {
      if (typeof source !== 'string' || source.length === 0) continue;
      try {
        compiled.push(new RegExp(source, 'g'));
      } catch {
        // An invalid user pattern must not take the pipeline down; config validation reports it.
      }
    }
    if (extraBySource.size > 64) extraBySource.clear();
    extraBySource.set(key, compiled);
  }
  extraCache.set(patterns, compiled);
  return compiled;
}

/** Throws on the first invalid extra pattern: for configuration validation at start-up. */
export function validateScrubRules(rules: ScrubRules): void {
  for (const source of rules.extraPatterns) new RegExp(source, 'g');
}

/** Removes personal data from text according to the rules. Never throws. */
export function scrubText(text: string, rules: ScrubRules): string {
  if (typeof text !== 'string' || text.length === 0) return typeof text === 'string' ? text : '';
  let out = text;
  for (const pass of passesFor(rules.authHeaders, rules.tokens, rules.urlPasswords)) {
    pass.re.lastIndex = 0;
    out = out.replace(pass.re, pass.replace);
  }
  if (rules.emails) out = replaceEmails(out, '[email]');
  if (rules.creditCards) out = replaceCards(out, '[card]');
  if (rules.ipAddresses) out = replaceIps(out, '[ip]');
  if (rules.extraPatterns && rules.extraPatterns.length > 0) {
    for (const re of compileExtraPatterns(rules.extraPatterns)) {
      re.lastIndex = 0;
      out = out.replace(re, REDACTED);
    }
  }
  return out;
}

/**
 * Scrubs a prefix of a long text and cuts it to `maxChars`: a window larger than the cut is scrubbed,
 * and widened when scrubbing shrank it so much that a secret cut at the window's edge could slip in.
 */
export function scrubBounded(text: string, rules: ScrubRules, maxChars: number): string {
  const margin = 4096;
  let window = maxChars + margin;
  for (;;) {
    if (text.length <= window) {
      const all = scrubText(text, rules);
      return all.length > maxChars ? all.slice(0, maxChars) : all;
    }
    const part = scrubText(text.slice(0, window), rules);
    if (part.length >= maxChars + margin) return part.slice(0, maxChars);
    window *= 2;
  }
}
