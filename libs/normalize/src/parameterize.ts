import { MAX_MESSAGE_CHARS, basename } from './util';
import { replaceEmails } from './scrub';

/*
 * Message templates: the variable parts of a message become placeholders so that
 * "order 123 failed" and "order 456 failed" read the same. Each pass is skipped when a cheap
 * substring test shows it cannot match.
 */

const URL_RE = /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s"'<>()[\]{}`]{1,2048}/gi;
const UUID_RE = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ASSET_RE = /[\w$~@-]{1,128}(?:\.[\w-]{1,64}){0,4}\.(?:m?js|cjs|jsx|css|map|wasm)\b/g;
const IPV4_RE = /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?::\d{1,5})?\b/g;
const IPV6_RE = /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|(?:\b(?:[0-9a-f]{1,4}:){1,6}|::)(?::[0-9a-f]{1,4}){1,6}\b/gi;
const QUOTED_RE = /"[^"\n]{0,512}"|(?<![\w\\])'[^'\n]{0,512}'(?!\w)|`[^`\n]{0,512}`/g;
const HEX_PREFIXED_RE = /\b0x[0-9a-f]{1,64}\b/gi;
const HEX_WORD_RE = /\b[0-9a-f]{8,128}\b/gi;
const NUM_RE = /(?<![\w.<])-?\d{1,64}(?:[.,:]\d{1,64}){0,8}/g;
const DIGIT_RE = /\d/;
const HEX_LETTER_RE = /[a-f]/i;

function isHexHash(s: string): boolean {
  return s.length >= 6 && s.length <= 64 && /^[0-9a-f]+$/i.test(s) && DIGIT_RE.test(s);
}

/** Bundler hashes: hex (webpack), 8-char base64url (Vite/Rollup), upper-case alnum (esbuild). */
function isHashLike(s: string): boolean {
  if (isHexHash(s)) return true;
  if (s.length < 8 || s.length > 32 || !/^[A-Za-z0-9_-]+$/.test(s)) return false;
  let digits = 0;
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
  }
  return (digits > 0 && upper + lower > 0) || (upper >= 2 && lower >= 1);
}

const ASSET_EXT = /\.(?:m?js|cjs|jsx|css|map|wasm)$/;

/**
 * Removes cache-busting hashes from an asset file name, keeping the directory:
 * `https://cdn/x/main.3f9a1c2b.js` → `https://cdn/x/main.js`, `index-B2xYz9Qa.js` → `index.js`,
 * `vendor.8b7c6d5e.chunk.js?v=3` → `vendor.chunk.js`. With a replacement, the hash is replaced instead
 * (`main.<hash>.js`). Non-asset names are returned unchanged (query strings aside).
 */
export function stripAssetHash(file: string, replacement = ''): string {
  if (typeof file !== 'string' || file.length === 0) return '';
  const cut = file.search(/[?#]/);
  const path = cut >= 0 ? file.slice(0, cut) : file;
  const name = basename(path);
  if (!ASSET_EXT.test(name)) return cut >= 0 && ASSET_EXT.test(path) ? path : file;
  const dir = path.slice(0, path.length - name.length);
  const segments = name.split('.');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    let seg = segments[i];
    if (i === 0) {
      const dash = Math.max(seg.lastIndexOf('-'), seg.lastIndexOf('_'));
      if (dash > 0 && isHashLike(seg.slice(dash + 1))) seg = replacement ? seg.slice(0, dash + 1) + replacement : seg.slice(0, dash);
      else if (segments.length > 2 && isHexHash(seg) && seg.length >= 8) seg = replacement || '';
      if (seg.length > 0) out.push(seg);
    } else if (i < segments.length - 1 && isHashLike(seg)) {
      if (replacement) out.push(replacement);
    } else {
      out.push(seg);
    }
  }
  return dir + out.join('.');
}

/** Replaces the variable parts of a message with `<url>`, `<email>`, `<uuid>`, `<hash>`, `<ip>`, `<str>`, `<hex>`, `<num>`. */
export function parameterizeMessage(message: string): string {
  if (typeof message !== 'string' || message.length === 0) return '';
  let m = message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS) : message;
  if (m.indexOf('://') !== -1) m = m.replace(URL_RE, '<url>');
  if (m.indexOf('@') !== -1) m = replaceEmails(m, '<email>');
  if (m.indexOf('-') !== -1) m = m.replace(UUID_RE, '<uuid>');
  if (m.indexOf('.') !== -1) {
    m = m.replace(ASSET_RE, (name) => stripAssetHash(name, '<hash>'));
    m = m.replace(IPV4_RE, '<ip>');
  }
  if (m.indexOf('::') !== -1 || m.indexOf(':') !== m.lastIndexOf(':')) m = m.replace(IPV6_RE, (s) => (DIGIT_RE.test(s) ? '<ip>' : s));
  if (m.indexOf('"') !== -1 || m.indexOf("'") !== -1 || m.indexOf('`') !== -1) m = m.replace(QUOTED_RE, '<str>');
  if (m.indexOf('0x') !== -1 || m.indexOf('0X') !== -1) m = m.replace(HEX_PREFIXED_RE, '<hex>');
  m = m.replace(HEX_WORD_RE, (s) => (DIGIT_RE.test(s) && HEX_LETTER_RE.test(s) ? '<hex>' : s));
  return m.replace(NUM_RE, '<num>');
}
