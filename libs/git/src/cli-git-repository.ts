import { execFile } from 'node:child_process';
import { BlameLine, Commit, GitCommandError, GitTag, LogRange } from './types';

export interface CliGitRepositoryOptions {
  /** Per command. A git that hangs (a lock, a huge repository) must not hang the analyzer. */
  timeoutMs?: number;
  /** Default output bound for commands that return whole listings (log, ls-tree). */
  maxOutputBytes?: number;
  /** Commits returned by one `log` call at most: a range of thousands of commits is not evidence. */
  maxLogCount?: number;
  gitBinary?: string;
  /** Blame through whitespace-only changes (`-w`), so a re-indent does not hide who changed a line. Default true. */
  blameIgnoreWhitespace?: boolean;
}

interface RunOptions {
  maxBytes: number;
  /** Return the output cut at maxBytes instead of failing. */
  truncate?: boolean;
  /** Exit codes that mean "answered" rather than "failed" (e.g. rev-parse --verify's 1 = unknown). */
  okExitCodes?: number[];
}

interface RunResult {
  stdout: string;
  truncated: boolean;
  exitCode: number;
  stderr: string;
}

// Read-only, deterministic output whatever the user's git config says: no colour, no pager, no
// signature lines in log, no fsmonitor daemon, no optional locks taken on the repository.
const GLOBAL_ARGS = [
  '--no-pager',
  '--no-optional-locks',
  '-c', 'core.quotePath=false',
  '-c', 'core.fsmonitor=false',
  '-c', 'color.ui=never',
  '-c', 'log.showSignature=false',
  '-c', 'diff.noprefix=false',
  '-c', 'diff.mnemonicPrefix=false',
];

const REV_PATTERN = /^[A-Za-z0-9._/@{}~^+-]+$/;
const US = '\x1f';
const RS = '\x1e';

/**
 * Git through its CLI: `execFile` (no shell), argument arrays only, every command bounded in
 * time and output. Read-only. Satisfies the `GitRepository` port of `@faultline/analysis`.
 */
export class CliGitRepository {
  private readonly timeoutMs: number;
  private readonly maxOutputBytes: number;
  private readonly maxLogCount: number;
  private readonly gitBinary: string;
  private readonly blameIgnoreWhitespace: boolean;

  constructor(
    readonly repoDir: string,
    options: CliGitRepositoryOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxOutputBytes = options.maxOutputBytes ?? 16 * 1024 * 1024;
    this.maxLogCount = options.maxLogCount ?? 500;
    this.gitBinary = options.gitBinary ?? 'git';
    this.blameIgnoreWhitespace = options.blameIgnoreWhitespace ?? true;
  }

  /** Commits in a range (`a..b`) or a date window, newest first, each with the files it changed. */
  async log(range: LogRange, paths?: string[]): Promise<Commit[]> {
    const format = `${RS}%H${US}%P${US}%an${US}%aI${US}%cI${US}%s${US}%b${US}`;
    const args = ['log', `--format=${format}`, '--name-only', '--full-diff', '--diff-merges=first-parent', '--no-renames', `--max-count=${this.maxLogCount}`];
    if (typeof range === 'string') {
      args.push('--end-of-options', checkRange(range));
    } else {
      args.push(`--since=${checkDate(range.since)}`, `--until=${checkDate(range.until)}`, '--end-of-options', checkRev(range.rev ?? 'HEAD'));
    }
    args.push('--', ...checkPaths(paths ?? []));
    const { stdout } = await this.run(args, { maxBytes: this.maxOutputBytes });
    return stdout
      .split(RS)
      .filter((record) => record.trim() !== '')
      .map((record) => {
        const [sha, parents, authorName, authorDate, committerDate, subject, body, rest = ''] = record.split(US);
        return {
          sha,
          parents: parents.split(' ').filter(Boolean),
          authorName,
          authorDate,
          committerDate,
          subject,
          body: body.trim(),
          files: rest.split('\n').filter((line) => line !== '').map(unquotePath),
        };
      });
  }

  /** The patch a commit made (against its first parent), optionally limited to paths, cut at maxBytes. */
  async diff(sha: string, paths: string[] | undefined, maxBytes: number): Promise<string> {
    if (paths && paths.length === 0) return '';
    const args = ['show', '--format=', '--patch', '--no-color', '--no-ext-diff', '--no-textconv', '--diff-merges=first-parent', '--end-of-options', checkRev(sha), '--', ...checkPaths(paths ?? [])];
    const result = await this.run(args, { maxBytes, truncate: true });
    return result.truncated ? `${result.stdout}\n[diff truncated at ${maxBytes} bytes]\n` : result.stdout;
  }

  /** Who last changed each line of `path` in [startLine, endLine] at `rev` (default HEAD). Clamped to the file's length. */
  async blame(path: string, startLine: number, endLine: number, rev?: string): Promise<BlameLine[]> {
    const [file] = checkPaths([path]);
    const start = Math.max(1, Math.floor(startLine));
    let end = Math.max(start, Math.floor(endLine));
    for (let attempt = 0; attempt < 2; attempt++) {
      const args = ['blame', '--line-porcelain', ...(this.blameIgnoreWhitespace ? ['-w'] : []), '-L', `${start},${end}`];
      if (rev !== undefined) args.push(checkRev(rev));
      args.push('--', file);
      try {
        const { stdout } = await this.run(args, { maxBytes: this.maxOutputBytes });
        return parseLinePorcelain(stdout);
      } catch (error) {
        // "file x has only N lines": ask again for what exists rather than fail the whole pack.
        const only = error instanceof GitCommandError ? /has only (\d+) lines?/.exec(error.stderr) : null;
        if (!only || attempt > 0) throw error;
        const length = Number(only[1]);
        if (length < start) return [];
        end = length;
      }
    }
    return [];
  }

  /** The content of `path` at `rev`, or null when the file does not exist there. */
  async show(path: string, rev: string, maxBytes = 2 * 1024 * 1024): Promise<string | null> {
    const [file] = checkPaths([path]);
    const object = `${checkRev(rev)}:${file.replace(/^\.?\//, '')}`;
    try {
      const { stdout } = await this.run(['cat-file', 'blob', object], { maxBytes });
      return stdout;
    } catch (error) {
      if (error instanceof GitCommandError && /does not exist|not a valid object name|invalid object name|exists on disk, but not in/i.test(error.stderr)) return null;
      throw error;
    }
  }

  /** Tags, oldest first, each peeled to its commit. */
  async tags(): Promise<GitTag[]> {
    const format = `%(refname:short)${US}%(objectname)${US}%(*objectname)${US}%(creatordate:iso-strict)`;
    const { stdout } = await this.run(['for-each-ref', '--sort=creatordate', `--format=${format}`, 'refs/tags'], { maxBytes: this.maxOutputBytes });
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, object, peeled, date] = line.split(US);
        return { name, sha: peeled || object, date };
      });
  }

  /** Paths a commit changed against its first parent. */
  async changedFiles(sha: string): Promise<string[]> {
    const { stdout } = await this.run(['show', '--format=', '--name-only', '-z', '--no-renames', '--diff-merges=first-parent', '--end-of-options', checkRev(sha)], {
      maxBytes: this.maxOutputBytes,
    });
    return stdout.split('\0').map((name) => name.replace(/^\n+/, '')).filter(Boolean);
  }

  /** The full commit sha a revision names, or null when it names none. */
  async resolve(rev: string): Promise<string | null> {
    const { stdout, exitCode } = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${checkRev(rev)}^{commit}`], {
      maxBytes: 4096,
      okExitCodes: [1],
    });
    return exitCode === 0 ? stdout.trim() || null : null;
  }

  /** Every file path in the tree of `rev` (default HEAD): what stack paths are matched against. */
  async listFiles(rev = 'HEAD'): Promise<string[]> {
    const { stdout } = await this.run(['ls-tree', '-r', '--name-only', '-z', '--full-tree', checkRev(rev)], { maxBytes: this.maxOutputBytes });
    return stdout.split('\0').filter(Boolean);
  }

  private run(args: string[], options: RunOptions): Promise<RunResult> {
    const fullArgs = [...GLOBAL_ARGS, ...args];
    return new Promise((resolve, reject) => {
      execFile(
        this.gitBinary,
        fullArgs,
        { cwd: this.repoDir, encoding: 'utf8', maxBuffer: options.maxBytes, timeout: this.timeoutMs, killSignal: 'SIGKILL', windowsHide: true },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout, stderr, truncated: false, exitCode: 0 });
          const code = (error as NodeJS.ErrnoException).code as string | number | undefined;
          if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
            if (options.truncate) return resolve({ stdout: stdout.slice(0, options.maxBytes), stderr, truncated: true, exitCode: 0 });
            return reject(new GitCommandError('output_too_large', `git ${args[0]}: output exceeds ${options.maxBytes} bytes`, args, stderr));
          }
          if (code === 'ENOENT' || code === 'EACCES') {
            return reject(new GitCommandError('spawn_failed', `cannot run ${this.gitBinary}: ${error.message}`, args));
          }
          if ((error as { killed?: boolean }).killed) {
            return reject(new GitCommandError('timeout', `git ${args[0]} timed out after ${this.timeoutMs} ms`, args, stderr));
          }
          const exitCode = typeof code === 'number' ? code : null;
          if (exitCode !== null && options.okExitCodes?.includes(exitCode)) return resolve({ stdout, stderr, truncated: false, exitCode });
          reject(new GitCommandError('command_failed', `git ${args[0]} failed (exit ${exitCode ?? 'unknown'}): ${stderr.trim().split('\n')[0] ?? ''}`, args, stderr, exitCode));
        },
      );
    });
  }
}

function parseLinePorcelain(text: string): BlameLine[] {
  const lines: BlameLine[] = [];
  let current: Partial<BlameLine> & { authorEpoch?: number } = {};
  for (const raw of text.split('\n')) {
    const header = /^([0-9a-f]{40}) (\d+) (\d+)(?: \d+)?$/.exec(raw);
    if (header) {
      current = { sha: header[1], originalLine: Number(header[2]), line: Number(header[3]), boundary: false };
      continue;
    }
    if (raw.startsWith('\t')) {
      lines.push({
        line: current.line ?? 0,
        sha: current.sha ?? '',
        originalLine: current.originalLine ?? 0,
        originalPath: current.originalPath ?? '',
        authorName: current.authorName ?? '',
        authorTime: current.authorEpoch !== undefined ? new Date(current.authorEpoch * 1000).toISOString() : '',
        summary: current.summary ?? '',
        content: raw.slice(1),
        boundary: current.boundary ?? false,
      });
      continue;
    }
    const space = raw.indexOf(' ');
    const key = space < 0 ? raw : raw.slice(0, space);
    const value = space < 0 ? '' : raw.slice(space + 1);
    if (key === 'author') current.authorName = value;
    else if (key === 'author-time') current.authorEpoch = Number(value);
    else if (key === 'summary') current.summary = value;
    else if (key === 'filename') current.originalPath = unquotePath(value);
    else if (key === 'boundary') current.boundary = true;
  }
  return lines;
}

function checkRev(rev: string): string {
  if (!REV_PATTERN.test(rev) || rev.startsWith('-') || rev.length > 256) {
    throw new GitCommandError('bad_argument', `not a revision: ${JSON.stringify(rev.slice(0, 80))}`);
  }
  return rev;
}

function checkRange(range: string): string {
  const parts = range.split(/\.{2,3}/);
  if (parts.length > 2 || parts.some((part) => part.startsWith('-'))) {
    throw new GitCommandError('bad_argument', `not a revision range: ${JSON.stringify(range.slice(0, 80))}`);
  }
  return checkRev(range);
}

function checkDate(value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new GitCommandError('bad_argument', `not a date: ${JSON.stringify(value.slice(0, 80))}`);
  return value;
}

function checkPaths(paths: string[]): string[] {
  for (const path of paths) {
    if (path === '' || /[\0\n\r]/.test(path) || path.length > 4096) {
      throw new GitCommandError('bad_argument', `not a path: ${JSON.stringify(path.slice(0, 80))}`);
    }
  }
  return paths;
}

/** Git C-quotes paths with control characters (`"a\tb"`); undo it. */
function unquotePath(path: string): string {
  if (!(path.length >= 2 && path.startsWith('"') && path.endsWith('"'))) return path;
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(escapes[next] ?? next, 'utf8'));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
