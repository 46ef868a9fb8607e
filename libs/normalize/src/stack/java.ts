import type { ExceptionValue, Frame } from '@faultline/schema';
import { guessInApp, makeFrame } from '../frames';
import { type ParsedTrace, exception, indentOf, parseExceptionHeader, splitQualifiedType } from './common';

// `at pkg.Class.method(File.java:42)`, `(Unknown Source)`, `(Native Method)`, Java 9 `java.base/…`, logback's `~[jar:1.0]`.
const FRAME_RE = /^\s*at\s+([^\s(]{1,2048})\(([^()]{0,1024})\)(?:\s*~?\[[^\]]{0,512}\])?\s*$/;
const MORE_RE = /^\s*\.\.\.\s(\d{1,9})\s(?:more|common frames omitted)\s*$/;
const CAUSED_RE = /^(\s*)Caused by: (.*)$/;
const SUPPRESSED_RE = /^(\s*)Suppressed: (.*)$/;

// Hostile inputs can repeat `Caused by:` blocks with `... 99999 more` a hundred thousand times; each
// restored block copies frames. Links past MAX_NODES are read but not kept; copies stop at MAX_RESTORED.
const MAX_NODES = 64;
const MAX_RESTORED = 2048;

export function parseJavaFrame(line: string): Frame | null {
  if (line.length > 4096) return null;
  const m = FRAME_RE.exec(line);
  if (!m) return null;
  let qualified = m[1];
  const slash = qualified.lastIndexOf('/');
  if (slash >= 0) qualified = qualified.slice(slash + 1); // module / class-loader prefix
  const dot = qualified.lastIndexOf('.');
  const cls = dot > 0 ? qualified.slice(0, dot) : null;
  const method = dot > 0 ? qualified.slice(dot + 1) : qualified;
  const loc = m[2];
  let file: string | null = null;
  let lineNo: number | null = null;
  if (loc !== 'Unknown Source' && loc !== 'Native Method' && loc.length > 0) {
    const colon = loc.lastIndexOf(':');
    if (colon > 0 && /^\d{1,9}$/.test(loc.slice(colon + 1))) {
      file = loc.slice(0, colon);
      lineNo = Number(loc.slice(colon + 1));
    } else {
      file = loc;
    }
  }
  if (file === 'Unknown Source') file = null;
  return makeFrame(method, cls, file, lineNo, null, guessInApp('java', method, cls, file));
}

export function isJavaFrame(line: string | undefined): boolean {
  return line !== undefined && line.indexOf('at ') !== -1 && FRAME_RE.test(line);
}

interface Node {
  header: string;
  indent: number;
  kind: 'root' | 'cause' | 'suppressed';
  /** The exception whose frames `... N more` refers to. */
  enclosing: Node | null;
  /** Innermost first while parsing. */
  frames: Frame[];
  causes: Node[];
  suppressed: Node[];
}

/**
 * A Java/Android trace: header, `at` lines, `Caused by:` blocks ending in `... N more` (the N oldest
 * frames shared with the enclosing trace, restored here) and indented `Suppressed:` blocks.
 */
export function parseJava(lines: readonly string[], i: number, end: number): ParsedTrace | null {
  const root: Node = { header: lines[i], indent: indentOf(lines[i]), kind: 'root', enclosing: null, frames: [], causes: [], suppressed: [] };
  const all: Node[] = [root];
  let current = root;
  // Where the frames of links beyond MAX_NODES go: parsed, then dropped.
  const discard: Node = { header: '', indent: 0, kind: 'cause', enclosing: null, frames: [], causes: [], suppressed: [] };
  let j = i + 1;
  while (j < end) {
    const line = lines[j];
    const frame = parseJavaFrame(line);
    if (frame) {
      if (current !== discard) current.frames.push(frame);
      j++;
      continue;
    }
    const more = MORE_RE.exec(line);
    if (more) {
      const enc = current.enclosing;
      if (enc && current !== discard) {
        const n = Math.min(Number(more[1]), enc.frames.length, Math.max(0, MAX_RESTORED - current.frames.length));
        if (n > 0) current.frames.push(...enc.frames.slice(enc.frames.length - n));
      }
      j++;
      continue;
    }
    const caused = CAUSED_RE.exec(line);
    if ((caused || SUPPRESSED_RE.test(line)) && all.length >= MAX_NODES) {
      current = discard;
      j++;
      continue;
    }
    if (caused) {
      const indent = indentOf(caused[1]);
      // The cause belongs to the latest exception printed at the same indentation (root causes sit at column 0).
      let owner: Node = root;
      for (let k = all.length - 1; k >= 0; k--) {
        const n = all[k];
        if ((n.kind === 'root' ? 0 : n.indent) === indent || (n.kind === 'root' && indent <= root.indent)) {
          owner = n;
          break;
        }
      }
      const node: Node = { header: caused[2], indent, kind: 'cause', enclosing: owner, frames: [], causes: [], suppressed: [] };
      // A chain is linear: attach to the last cause of the owner's chain.
      let tail = owner;
      while (tail.causes.length > 0) tail = tail.causes[tail.causes.length - 1];
      node.enclosing = tail;
      tail.causes.push(node);
      all.push(node);
      current = node;
      j++;
      continue;
    }
    const suppressed = SUPPRESSED_RE.exec(line);
    if (suppressed) {
      const indent = indentOf(suppressed[1]);
      let owner: Node = root;
      for (let k = all.length - 1; k >= 0; k--) {
        const n = all[k];
        if ((n.kind === 'root' ? 0 : n.indent) < indent) {
          owner = n;
          break;
        }
      }
      const node: Node = { header: suppressed[2], indent, kind: 'suppressed', enclosing: owner, frames: [], causes: [], suppressed: [] };
      owner.suppressed.push(node);
      all.push(node);
      current = node;
      j++;
      continue;
    }
    break;
  }
  if (root.frames.length === 0 && all.length === 1 && !/^Exception in thread /.test(lines[i].trim())) return null;

  const toValue = (n: Node, suppressed: boolean): ExceptionValue => {
    const h = parseExceptionHeader(n.header);
    const { type, module } = splitQualifiedType(h.type);
    return exception(type, h.value, n.frames.slice().reverse(), module, suppressed ? { type: 'suppressed', handled: null } : null);
  };
  // Output: suppressed exceptions (with their own causes) first, then the main chain root cause first, outermost last.
  const out: ExceptionValue[] = [];
  const emitChain = (start: Node, suppressed: boolean): void => {
    const chain: Node[] = [];
    for (let n: Node | undefined = start; n; n = n.causes[n.causes.length - 1]) chain.push(n);
    for (const n of chain) for (const s of n.suppressed) emitChain(s, true);
    for (let k = chain.length - 1; k >= 0; k--) out.push(toValue(chain[k], suppressed));
  };
  emitChain(root, false);
  const thread = /^\s*Exception in thread "([^"]{0,256})"/.exec(lines[i]);
  return {
    format: 'java',
    platform: 'java',
    exceptions: out,
    start: i,
    end: j,
    severity: null,
    tags: thread ? { thread: thread[1] } : {},
  };
}
