export { CliGitRepository } from './cli-git-repository';
export type { CliGitRepositoryOptions } from './cli-git-repository';
export { GIT_FAILURES, GitCommandError } from './types';
export type { BlameLine, Commit, GitFailure, GitTag, LogRange } from './types';
export { cloneBundle } from './bundle';
