/** One commit as `git log` reports it. Dates are ISO-8601 strings with offsets, as git wrote them. */
export interface Commit {
  sha: string;
  parents: string[];
  authorName: string;
  authorDate: string;
  committerDate: string;
  subject: string;
  body: string;
  /** Paths the commit changed (against its first parent), repo-relative. */
  files: string[];
}

/** One line of `git blame --line-porcelain`. */
export interface BlameLine {
  /** Line number in the blamed revision. */
  line: number;
  sha: string;
  /** Line number and path in the commit that introduced the line. */
  originalLine: number;
  originalPath: string;
  authorName: string;
  authorTime: string;
  summary: string;
  content: string;
  /** True when the line is older than the history git can see (a shallow clone's boundary). */
  boundary: boolean;
}

export interface GitTag {
  name: string;
  /** The commit the tag points at (annotated tags are peeled). */
  sha: string;
  /** The tagger date for annotated tags, the commit date for lightweight ones. */
  date: string;
}

/** A revision range (`a..b`) or a date window over the history of `rev` (default HEAD). */
export type LogRange = string | { since: string; until: string; rev?: string };

/** Why a git command failed. A fixed list: callers branch on it and it labels metrics. */
export const GIT_FAILURES = ['bad_argument', 'timeout', 'output_too_large', 'command_failed', 'spawn_failed'] as const;
export type GitFailure = (typeof GIT_FAILURES)[number];

export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
  constructor(
    readonly reason: GitFailure,
    message: string,
    readonly args: readonly string[] = [],
    readonly stderr = '',
    readonly exitCode: number | null = null,
  ) {
    super(message);
  }
}
