// The I/O the analysis needs, as small interfaces passed in. `CliGitRepository` (@faultline/git)
// and `AnthropicToolClient` (@faultline/llm) satisfy them structurally; this library imports neither.

export interface GitCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorDate: string;
  committerDate: string;
  subject: string;
  body: string;
  files: string[];
}

export interface GitBlameLine {
  line: number;
  sha: string;
  originalLine: number;
  originalPath: string;
  authorName: string;
  authorTime: string;
  summary: string;
  content: string;
  boundary: boolean;
}

export interface GitTagRef {
  name: string;
  sha: string;
  date: string;
}

/** Read-only access to the project's repository. */
export interface GitRepository {
  /** Newest first. A range `a..b` or a date window. */
  log(range: string | { since: string; until: string; rev?: string }, paths?: string[]): Promise<GitCommit[]>;
  diff(sha: string, paths: string[] | undefined, maxBytes: number): Promise<string>;
  blame(path: string, startLine: number, endLine: number, rev?: string): Promise<GitBlameLine[]>;
  show(path: string, rev: string): Promise<string | null>;
  tags(): Promise<GitTagRef[]>;
  changedFiles(sha: string): Promise<string[]>;
  resolve(rev: string): Promise<string | null>;
  listFiles(rev?: string): Promise<string[]>;
}

export interface LlmTextBlock {
  type: 'text';
  text: string;
  cache_control?: { type: 'ephemeral' };
}
export interface LlmToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}
export interface LlmToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}
export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string | Array<LlmTextBlock | LlmToolUseBlock | LlmToolResultBlock>;
}

export interface LlmToolRequest {
  system: string;
  messages: LlmMessage[];
  tool: { name: string; description: string; input_schema: { type: 'object'; [key: string]: unknown } };
  maxTokens: number;
}

export interface LlmToolResponse {
  input: unknown;
  toolUseId: string | null;
  usage: { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheCreationInputTokens: number; totalTokens: number; costUsd: number | null };
  stopReason: string | null;
  requestId: string | null;
  model: string;
}

/** One forced tool call to a model. Throws when the model cannot be reached (the caller falls back). */
export interface LlmPort {
  callTool(req: LlmToolRequest): Promise<LlmToolResponse>;
}
