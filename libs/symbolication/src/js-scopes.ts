/**
 * Finds the function that encloses a position in original JavaScript/TypeScript source, for frames
 * whose name the source map's `names` cannot give (the call site that would name it is not in the
 * trace, or the callee was not renamed). A tokenizer, not a parser: it skips strings, comments,
 * templates and regular expressions, pairs brackets, and reads a function's name from the few
 * tokens before its `{` (`function f(`, `f(…) {` in a class or object, `const f = (…) =>`,
 * `f: function`, class fields). Anything it cannot name counts as anonymous.
 */

export interface SourceScope {
  /** Offsets of the body: from its `{` (or the first token of an arrow's expression body) to its end. */
  start: number;
  end: number;
  /** null for an anonymous function. `Class.method`, `new Class` for constructors. */
  name: string | null;
}

const CONTROL_KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'function', 'return', 'typeof', 'await', 'yield']);
const REGEX_AFTER_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);
const OPERATOR_CHARS = '=<>!&|+-*%^~?';
const IDENT = 'i';
const LITERAL = 'l';

type Frame =
  | { kind: 'paren' | 'bracket' | 'block' | 'object' | 'template' }
  | { kind: 'class'; name: string | null }
  | { kind: 'function'; name: string | null; start: number };

interface ExpressionArrow {
  depth: number;
  start: number;
  name: string | null;
}

export function scanScopes(source: string): SourceScope[] {
  return new Scanner(source).run();
}

class Scanner {
  // Parallel arrays keep the token list cheap: type (IDENT, LITERAL or the punctuator itself), text, offset.
  private readonly types: string[] = [];
  private readonly texts: string[] = [];
  /** For `)` and `}` tokens: the index of the matching `(` or `{`. */
  private readonly openOf = new Map<number, number>();
  private readonly stack: Array<Frame & { token: number }> = [];
  private readonly arrows: ExpressionArrow[] = [];
  private readonly scopes: SourceScope[] = [];
  private i = 0;

  constructor(private readonly src: string) {}

  run(): SourceScope[] {
    const src = this.src;
    const n = src.length;
    while (this.i < n) {
      const c = src.charCodeAt(this.i);
      if (c === 10 || c === 13) {
        this.maybeEndArrowAtNewline();
        this.i++;
      } else if (c === 32 || c === 9 || c === 0xfeff || c === 0xa0) {
        this.i++;
      } else if (c === 47 /* / */ && src.charCodeAt(this.i + 1) === 47) {
        const end = src.indexOf('\n', this.i);
        this.i = end < 0 ? n : end;
      } else if (c === 47 && src.charCodeAt(this.i + 1) === 42 /* * */) {
        const end = src.indexOf('*/', this.i + 2);
        this.i = end < 0 ? n : end + 2;
      } else if (c === 39 || c === 34) {
        this.push(LITERAL, '', this.i);
        this.skipString(c);
      } else if (c === 96 /* ` */) {
        this.push(LITERAL, '', this.i);
        this.i++;
        this.scanTemplate();
      } else if (isIdentStart(c)) {
        const start = this.i;
        while (this.i < n && isIdentPart(src.charCodeAt(this.i))) this.i++;
        this.push(IDENT, src.slice(start, this.i), start);
      } else if (c >= 48 && c <= 57) {
        const start = this.i;
        while (this.i < n && (isIdentPart(src.charCodeAt(this.i)) || src.charCodeAt(this.i) === 46)) this.i++;
        this.push(LITERAL, '', start);
      } else if (c === 47 && this.regexAllowed()) {
        this.push(LITERAL, '', this.i);
        this.skipRegex();
      } else {
        this.punctuator();
      }
    }
    for (const arrow of this.arrows) this.scopes.push({ start: arrow.start, end: n, name: arrow.name });
    for (const frame of this.stack) if (frame.kind === 'function') this.scopes.push({ start: frame.start, end: n, name: frame.name });
    return this.scopes.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  private punctuator(): void {
    const src = this.src;
    const ch = src[this.i];
    const at = this.i;
    if (ch === '(' || ch === '[') {
      this.push(ch, ch, at);
      this.stack.push({ kind: ch === '(' ? 'paren' : 'bracket', token: this.types.length - 1 });
      this.i++;
    } else if (ch === ')' || ch === ']') {
      this.closeArrowsAt(this.stack.length, at);
      const wanted = ch === ')' ? 'paren' : 'bracket';
      const index = this.findOpen(wanted);
      this.push(ch, ch, at);
      if (index >= 0) {
        if (ch === ')') this.openOf.set(this.types.length - 1, this.stack[index].token);
        this.stack.length = index;
      }
      this.i++;
    } else if (ch === '{') {
      const frame = this.classifyBrace(at);
      this.push('{', '{', at);
      this.stack.push({ ...frame, token: this.types.length - 1 });
      this.i++;
    } else if (ch === '}') {
      this.closeArrowsAt(this.stack.length, at);
      const top = this.stack.pop();
      this.i++;
      if (top?.kind === 'template') {
        this.scanTemplate();
        return;
      }
      if (top?.kind === 'function') this.scopes.push({ start: top.start, end: at, name: top.name });
      this.push('}', '}', at);
      if (top !== undefined) this.openOf.set(this.types.length - 1, top.token);
    } else if (OPERATOR_CHARS.includes(ch)) {
      let end = this.i + 1;
      while (end < src.length && OPERATOR_CHARS.includes(src[end])) end++;
      // `a?.b` and `x ?? y`: the run stops before a `.` anyway; `=>` must stay one token.
      const text = src.slice(this.i, end);
      this.i = end;
      this.push(text, text, at);
    } else if (ch === ',' || ch === ';') {
      this.closeArrowsAt(this.stack.length, at);
      this.push(ch, ch, at);
      this.i++;
    } else {
      this.push(ch, ch, at);
      this.i++;
    }
  }

  /** Decides what a `{` opens, from the tokens before it. */
  private classifyBrace(at: number): Frame {
    const t = this.types.length - 1;
    if (t < 0) return { kind: 'block' };
    const prev = this.types[t];
    if (prev === '=>') return { kind: 'function', name: this.qualify(this.arrowName(t)), start: at };

    const classAt = this.findClassKeyword(t);
    if (classAt >= 0) {
      const next = this.texts[classAt + 1];
      const own = this.types[classAt + 1] === IDENT && next !== 'extends' ? next : null;
      return { kind: 'class', name: own ?? this.assignedName(classAt - 1) };
    }

    const close = prev === ')' ? t : this.returnTypeStart(t);
    if (close >= 0) {
      const open = this.openOf.get(close);
      if (open === undefined) return { kind: 'block' };
      let before = open - 1;
      if (this.texts[before] === '*') before--;
      if (this.types[before] !== IDENT) return { kind: 'block' };
      const word = this.texts[before];
      if (word === 'function') return { kind: 'function', name: this.qualify(this.assignedName(this.skipAsync(before - 1))), start: at };
      if (this.texts[before - 1] === 'function' || (this.texts[before - 1] === '*' && this.texts[before - 2] === 'function')) {
        return { kind: 'function', name: word, start: at };
      }
      if (CONTROL_KEYWORDS.has(word)) return { kind: 'block' };
      return { kind: 'function', name: this.methodName(word), start: at };
    }

    if (prev === IDENT) {
      return REGEX_AFTER_KEYWORDS.has(this.texts[t]) && this.texts[t] !== 'else' && this.texts[t] !== 'do' ? { kind: 'object' } : { kind: 'block' };
    }
    if (prev === LITERAL || prev === ';' || prev === '}' || prev === '{') return { kind: 'block' };
    return { kind: 'object' };
  }

  /** `) : Promise<{ a: number } | null> {` (TypeScript): the index of that `)`, or -1. */
  private returnTypeStart(t: number): number {
    const last = this.types[t];
    if (last !== IDENT && last !== '>' && last !== ']' && last !== '}') return -1;
    for (let k = t, seen = 0; k > 0 && seen < 60; k--, seen++) {
      const type = this.types[k];
      if (type === '}') {
        // An object type inside the return type: skip it whole.
        const open = this.openOf.get(k);
        if (open === undefined) return -1;
        k = open;
        continue;
      }
      if (type === ';' || type === '{' || type === '=' || type === '=>') return -1;
      if (type === ':' && this.types[k - 1] === ')') return k - 1;
    }
    return -1;
  }

  private findClassKeyword(t: number): number {
    for (let k = t, seen = 0; k >= 0 && seen < 16; k--, seen++) {
      const type = this.types[k];
      if (type === ';' || type === '{' || type === '}' || type === '=' || type === '=>' || type === ':' || type === ',') return -1;
      if (type === IDENT && this.texts[k] === 'class' && this.texts[k - 1] !== '.') return k;
    }
    return -1;
  }

  /** The name a function expression or class gets from `name = …`, `name: …` or `obj.name = …`. */
  private assignedName(k: number): string | null {
    const type = this.types[k];
    if ((type === '=' || type === ':') && this.types[k - 1] === IDENT) return this.texts[k - 1];
    return null;
  }

  private arrowName(arrowToken: number): string | null {
    const param = arrowToken - 1;
    let k: number;
    if (this.types[param] === ')') {
      const open = this.openOf.get(param);
      if (open === undefined) return null;
      k = open - 1;
    } else {
      k = param - 1;
    }
    return this.assignedName(this.skipAsync(k));
  }

  private skipAsync(k: number): number {
    return this.types[k] === IDENT && this.texts[k] === 'async' ? k - 1 : k;
  }

  /** `name(…) {` is a method: qualified by its class, if any. */
  private methodName(word: string): string {
    const owner = this.stack.at(-1);
    if (owner?.kind === 'class' && owner.name !== null) return word === 'constructor' ? `new ${owner.name}` : `${owner.name}.${word}`;
    return word;
  }

  /** Class fields holding functions (`handle = () => {…}`) read as methods. */
  private qualify(name: string | null): string | null {
    if (name === null) return null;
    const owner = this.stack.at(-1);
    return owner?.kind === 'class' && owner.name !== null ? `${owner.name}.${name}` : name;
  }

  private push(type: string, text: string, at: number): void {
    const last = this.types.length - 1;
    // The first token of an arrow's expression body opens a pseudo-scope that ends with the expression.
    if (last >= 0 && this.types[last] === '=>' && type !== '{') {
      this.arrows.push({ depth: this.stack.length, start: at, name: this.qualify(this.arrowName(last)) });
    }
    this.types.push(type);
    this.texts.push(text);
  }

  /** Expression-bodied arrows opened at `depth` or deeper end here (a `,`, `;` or the closing bracket around them). */
  private closeArrowsAt(depth: number, at: number): void {
    while (this.arrows.length > 0 && this.arrows[this.arrows.length - 1].depth >= depth) {
      const arrow = this.arrows.pop() as ExpressionArrow;
      this.scopes.push({ start: arrow.start, end: at, name: arrow.name });
    }
  }

  /** `const f = x => x.y` ends at the line break when the next line starts a new statement. */
  private maybeEndArrowAtNewline(): void {
    const arrow = this.arrows.at(-1);
    if (arrow === undefined || arrow.depth !== this.stack.length) return;
    const last = this.types.at(-1);
    if (last !== IDENT && last !== LITERAL && last !== ')' && last !== ']' && last !== '}') return;
    let k = this.i;
    while (k < this.src.length && /\s/.test(this.src[k])) k++;
    const next = this.src.charCodeAt(k);
    if (isIdentStart(next) || next === 39 || next === 34 || next === 96) this.closeArrowsAt(this.stack.length, this.i);
  }

  private findOpen(kind: 'paren' | 'bracket'): number {
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const frame = this.stack[k];
      if (frame.kind === kind) return k;
      if (frame.kind === 'template') return -1;
    }
    return -1;
  }

  private regexAllowed(): boolean {
    const t = this.types.length - 1;
    if (t < 0) return true;
    const type = this.types[t];
    if (type === IDENT) return REGEX_AFTER_KEYWORDS.has(this.texts[t]);
    return type !== LITERAL && type !== ')' && type !== ']' && type !== '}';
  }

  /** Strings end at their quote or, if unterminated (JSX text like `don't`), at the line break. */
  private skipString(quote: number): void {
    const src = this.src;
    this.i++;
    while (this.i < src.length) {
      const c = src.charCodeAt(this.i);
      if (c === 92) this.i += 2;
      else if (c === quote) {
        this.i++;
        return;
      } else if (c === 10) return;
      else this.i++;
    }
  }

  private skipRegex(): void {
    const src = this.src;
    let inClass = false;
    this.i++;
    while (this.i < src.length) {
      const c = src.charCodeAt(this.i);
      if (c === 10) return;
      if (c === 92) this.i += 2;
      else {
        this.i++;
        if (c === 91) inClass = true;
        else if (c === 93) inClass = false;
        else if (c === 47 && !inClass) break;
      }
    }
    while (this.i < src.length && isIdentPart(src.charCodeAt(this.i))) this.i++;
  }

  /** From inside a template literal: to its closing backtick, or into a `${` expression. */
  private scanTemplate(): void {
    const src = this.src;
    while (this.i < src.length) {
      const c = src.charCodeAt(this.i);
      if (c === 92) this.i += 2;
      else if (c === 96) {
        this.i++;
        return;
      } else if (c === 36 && src.charCodeAt(this.i + 1) === 123) {
        this.i += 2;
        this.stack.push({ kind: 'template', token: this.types.length - 1 });
        return;
      } else this.i++;
    }
  }
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** Innermost-scope lookups over one source's scopes. */
export class ScopeIndex {
  private readonly scopes: SourceScope[];
  /** For each scope, the index of the nearest scope around it, or -1. */
  private readonly parents: Int32Array;

  constructor(source: string) {
    this.scopes = scanScopes(source);
    this.parents = new Int32Array(this.scopes.length);
    const open: number[] = [];
    for (let k = 0; k < this.scopes.length; k++) {
      while (open.length > 0 && this.scopes[open[open.length - 1]].end < this.scopes[k].start) open.pop();
      this.parents[k] = open.length > 0 ? open[open.length - 1] : -1;
      open.push(k);
    }
  }

  /** The name of the innermost function around `offset`; null when it is anonymous or top-level code. */
  nameAt(offset: number): string | null {
    const scopes = this.scopes;
    // The last scope starting at or before the offset; if it ended already, the answer is among its ancestors.
    let lo = 0;
    let hi = scopes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (scopes[mid].start <= offset) lo = mid + 1;
      else hi = mid - 1;
    }
    for (let k = hi; k >= 0; k = this.parents[k]) {
      if (scopes[k].end >= offset) return scopes[k].name;
    }
    return null;
  }
}
