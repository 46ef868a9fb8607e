/**
 * ProGuard / R8 `mapping.txt`: class lines `original.Class -> a.b:`, indented member lines
 * `[startLine:endLine:]type name(args)[:origStart[:origEnd]] -> obf`, and `#` comments, some of
 * them R8 JSON metadata. Several member lines with the same obfuscated name and range form one
 * inline chain, innermost call first.
 *
 * Mappings run to tens of megabytes, so parsing is in two steps: one pass indexes the class lines,
 * and a class's members are parsed the first time a frame in that class is remapped.
 */

export interface ProguardFrameInput {
  /** The obfuscated class, e.g. `a.b`. */
  className: string;
  methodName: string;
  /** The obfuscated line, null or 0 when the trace has none. */
  line: number | null;
  /** The file the trace named (`SourceFile`, `Unknown Source`, `Foo.kt`), used to infer the original file. */
  file?: string | null;
}

export interface ProguardOriginalFrame {
  className: string;
  methodName: string;
  line: number | null;
  file: string;
}

export type ProguardRemapResult =
  /** Innermost first, as the mapping lists an inline chain (reverse them for oldest-first frames). */
  | { status: 'remapped'; frames: ProguardOriginalFrame[] }
  /** The class is not in this mapping: it was not obfuscated (or belongs to another mapping). */
  | { status: 'class_not_found' }
  /** The method has line ranges, and none holds the frame's line. */
  | { status: 'out_of_range' }
  /** No line, and the obfuscated name stands for several original methods. */
  | { status: 'ambiguous' };

interface MemberLine {
  obfStart: number | null;
  obfEnd: number | null;
  /** The original class when the method was inlined (or merged) from another class, else null. */
  className: string | null;
  methodName: string;
  origStart: number | null;
  origEnd: number | null;
}

/** Consecutive member lines for one obfuscated name and range: one frame's inline chain. */
type MemberGroup = MemberLine[];

interface ClassEntry {
  original: string;
  obfuscated: string;
  /** Where the class body starts and ends in the text (parsed on demand). */
  bodyStart: number;
  bodyEnd: number;
  parsed: ParsedClass | null;
}

interface ParsedClass {
  sourceFile: string | null;
  methods: Map<string, MemberGroup[]>;
  fields: Map<string, string>;
}

export interface ProguardHeader {
  /** R8's `pg_map_id`: a short hash of the mapping that R8 can also write into stack traces. */
  mapId: string | null;
  compiler: string | null;
  compilerVersion: string | null;
  /** The version from `# {"id":"com.android.tools.r8.mapping","version":"2.2"}`. */
  mappingVersion: string | null;
}

const CLASS_LINE = /^(\S+)\s+->\s+(\S+?):\s*$/;
const METHOD_LINE = /^\s+(?:(\d+):(\d+):)?(\S+)\s+([^\s(]+)\(([^)]*)\)(?::(\d+)(?::(\d+))?)?\s+->\s+(\S+)\s*$/;
const FIELD_LINE = /^\s+(\S+)\s+(\S+)\s+->\s+(\S+)\s*$/;

export class ProguardMapping {
  private readonly byObfuscated = new Map<string, ClassEntry>();
  private readonly byOriginal = new Map<string, ClassEntry>();

  private constructor(
    private readonly text: string,
    readonly header: ProguardHeader,
  ) {}

  /** @internal Use `parseProguardMapping`. */
  static index(text: string): ProguardMapping {
    const header: ProguardHeader = { mapId: null, compiler: null, compilerVersion: null, mappingVersion: null };
    const mapping = new ProguardMapping(text, header);
    let current: ClassEntry | null = null;
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      const first = text.charCodeAt(pos);
      if (first === 35 /* # */) {
        if (current === null) readHeaderComment(text.slice(pos, end), header);
      } else if (first !== 32 && first !== 9 && first !== 10 && first !== 13) {
        const match = CLASS_LINE.exec(text.slice(pos, end));
        if (match !== null) {
          if (current !== null) current.bodyEnd = pos;
          current = { original: match[1], obfuscated: match[2], bodyStart: end + 1, bodyEnd: text.length, parsed: null };
          mapping.byObfuscated.set(current.obfuscated, current);
          mapping.byOriginal.set(current.original, current);
        }
      }
      pos = end + 1;
    }
    return mapping;
  }

  get classCount(): number {
    return this.byObfuscated.size;
  }

  /** The original name of an obfuscated class, or null when the mapping does not rename it. */
  remapClass(obfuscated: string): string | null {
    return this.byObfuscated.get(obfuscated)?.original ?? null;
  }

  /** The original name of an obfuscated field of an obfuscated class. */
  remapField(obfuscatedClass: string, obfuscatedField: string): string | null {
    const entry = this.byObfuscated.get(obfuscatedClass);
    return entry ? (this.parsed(entry).fields.get(obfuscatedField) ?? null) : null;
  }

  /** The R8 `sourceFile` metadata of an original class, when the mapping has it. */
  sourceFileOf(originalClass: string): string | null {
    const entry = this.byOriginal.get(originalClass);
    return entry ? this.parsed(entry).sourceFile : null;
  }

  remapFrame(frame: ProguardFrameInput): ProguardRemapResult {
    const entry = this.byObfuscated.get(frame.className);
    if (entry === undefined) return { status: 'class_not_found' };
    const groups = this.parsed(entry).methods.get(frame.methodName);
    const line = frame.line !== null && frame.line > 0 ? frame.line : null;
    // A method the mapping does not list was not renamed, and its lines were not moved.
    if (groups === undefined) return { status: 'remapped', frames: [this.output(entry.original, frame.methodName, line, entry, frame)] };

    if (line !== null) {
      const hit = groups.find((g) => g[0].obfStart !== null && g[0].obfStart <= line && line <= (g[0].obfEnd ?? g[0].obfStart));
      if (hit !== undefined) return { status: 'remapped', frames: hit.map((m) => this.output(m.className ?? entry.original, m.methodName, originalLine(m, line), entry, frame)) };
      // Plain ProGuard: no ranges at all, so lines were not changed.
      const rangeless = groups.filter((g) => g[0].obfStart === null);
      if (rangeless.length === 0) return { status: 'out_of_range' };
      return this.unique(rangeless, entry, frame, (m) => m.origStart ?? line);
    }
    return this.unique(groups, entry, frame, () => null);
  }

  /** Without a usable line: one answer only if every candidate is the same original method. */
  private unique(groups: MemberGroup[], entry: ClassEntry, frame: ProguardFrameInput, lineOf: (m: MemberLine) => number | null): ProguardRemapResult {
    // The outermost member of a chain (the last line) is the method the obfuscated one stands for.
    const outer = groups.map((g) => g[g.length - 1]);
    const first = outer[0];
    const same = outer.every((m) => m.methodName === first.methodName && m.className === first.className);
    if (!same) return { status: 'ambiguous' };
    if (groups.length === 1 && lineOf(first) !== null) {
      return { status: 'remapped', frames: groups[0].map((m) => this.output(m.className ?? entry.original, m.methodName, lineOf(m), entry, frame)) };
    }
    // Overloads sharing an obfuscated name: one frame, with a line only if they all agree on it.
    const line = lineOf(first);
    const agreed = outer.every((m) => lineOf(m) === line) ? line : null;
    return { status: 'remapped', frames: [this.output(first.className ?? entry.original, first.methodName, agreed, entry, frame)] };
  }

  private output(className: string, methodName: string, line: number | null, entry: ClassEntry, frame: ProguardFrameInput): ProguardOriginalFrame {
    return { className, methodName, line, file: this.inferFile(className, entry, frame.file ?? null) };
  }

  /**
   * R8's `sourceFile` metadata when present; else the trace's own file name when it is real and the
   * class is the frame's own; else `<OuterClass>.<ext>` (what retrace does), with the extension of
   * the trace's file name when it had one.
   */
  private inferFile(originalClass: string, entry: ClassEntry, traceFile: string | null): string {
    const known = this.sourceFileOf(originalClass);
    if (known !== null) return known;
    const real = traceFile !== null && traceFile !== 'SourceFile' && traceFile !== 'Unknown Source' && !traceFile.startsWith('r8-map-id-');
    if (real && originalClass === entry.original) return traceFile;
    const extension = real && /\.\w+$/.test(traceFile) ? (/\.\w+$/.exec(traceFile) as RegExpExecArray)[0] : '.java';
    const simple = originalClass.slice(originalClass.lastIndexOf('.') + 1);
    return `${simple.split('$')[0]}${extension}`;
  }

  private parsed(entry: ClassEntry): ParsedClass {
    if (entry.parsed !== null) return entry.parsed;
    const parsed: ParsedClass = { sourceFile: null, methods: new Map(), fields: new Map() };
    const body = this.text.slice(entry.bodyStart, entry.bodyEnd);
    let previous: MemberLine | null = null;
    let previousGroup: MemberGroup | null = null;
    let previousObf: string | null = null;
    for (const raw of body.split('\n')) {
      const line = raw.trimEnd();
      const trimmed = line.trimStart();
      if (trimmed === '') continue;
      if (trimmed.startsWith('#')) {
        // Member-level metadata (synthesized, outlines, residual signatures) does not break a chain.
        if (previous === null) {
          const meta = readJsonComment(trimmed);
          if (meta?.id === 'sourceFile' && typeof meta.fileName === 'string') parsed.sourceFile = meta.fileName;
        }
        continue;
      }
      const method = METHOD_LINE.exec(line);
      if (method !== null) {
        const qualified = method[4];
        const dot = qualified.lastIndexOf('.');
        const member: MemberLine = {
          obfStart: method[1] !== undefined ? Number(method[1]) : null,
          obfEnd: method[2] !== undefined ? Number(method[2]) : null,
          className: dot >= 0 ? qualified.slice(0, dot) : null,
          methodName: dot >= 0 ? qualified.slice(dot + 1) : qualified,
          origStart: method[6] !== undefined ? Number(method[6]) : null,
          origEnd: method[7] !== undefined ? Number(method[7]) : null,
        };
        const obf = method[8];
        const sameChain =
          previous !== null && previousGroup !== null && previousObf === obf && member.obfStart !== null && previous.obfStart === member.obfStart && previous.obfEnd === member.obfEnd;
        if (sameChain) {
          (previousGroup as MemberGroup).push(member);
        } else {
          const group: MemberGroup = [member];
          const list = parsed.methods.get(obf);
          if (list) list.push(group);
          else parsed.methods.set(obf, [group]);
          previousGroup = group;
        }
        previous = member;
        previousObf = obf;
        continue;
      }
      const field = FIELD_LINE.exec(line);
      if (field !== null) parsed.fields.set(field[3], field[2]);
      previous = null;
      previousGroup = null;
      previousObf = null;
    }
    entry.parsed = parsed;
    return parsed;
  }
}

/**
 * `1:5:void m():10:14` maps obfuscated line 3 to 12. A single original line (`:24`) is a call site
 * in an inline chain; no original range at all means the line did not move.
 */
function originalLine(member: MemberLine, line: number): number | null {
  if (member.origStart === null) return line;
  if (member.obfStart === null) return member.origStart;
  const origEnd = member.origEnd ?? member.origStart;
  const obfEnd = member.obfEnd ?? member.obfStart;
  if (origEnd - member.origStart === obfEnd - member.obfStart) return member.origStart + (line - member.obfStart);
  return member.origStart;
}

function readHeaderComment(line: string, header: ProguardHeader): void {
  const text = line.replace(/^#\s*/, '');
  const kv = /^(compiler|compiler_version|pg_map_id)\s*:\s*(\S+)/.exec(text);
  if (kv !== null) {
    if (kv[1] === 'compiler') header.compiler = kv[2];
    else if (kv[1] === 'compiler_version') header.compilerVersion = kv[2];
    else header.mapId = kv[2];
    return;
  }
  const meta = readJsonComment(line);
  if (meta?.id === 'com.android.tools.r8.mapping' && typeof meta.version === 'string') header.mappingVersion = meta.version;
}

function readJsonComment(line: string): Record<string, unknown> | null {
  const text = line.replace(/^#\s*/, '');
  if (!text.startsWith('{')) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    // A comment that only looks like JSON is still just a comment.
    return null;
  }
}

export function parseProguardMapping(text: string): ProguardMapping {
  return ProguardMapping.index(text);
}
