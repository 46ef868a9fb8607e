import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliGitRepository } from './cli-git-repository';
import { GitCommandError } from './types';

/** A scratch repository whose commits carry chosen dates, so ranges and blame are predictable. */
function scratchRepo() {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-git-'));
  const git = (args: string[], date?: string) =>
    execFileSync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: date ?? '', GIT_COMMITTER_DATE: date ?? '', GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  git(['init', '-q', '-b', 'main']);
  return {
    dir,
    commit(files: Record<string, string>, message: string, date: string): string {
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      git(['add', '-A']);
      git(['commit', '-q', '-m', message], date);
      return git(['rev-parse', 'HEAD']);
    },
    tag(name: string, date: string, annotated = true) {
      git(annotated ? ['tag', '-a', name, '-m', name] : ['tag', name], date);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const lines = (n: number, label: string) => Array.from({ length: n }, (_, i) => `${label} line ${i + 1}`).join('\n') + '\n';

void describe('CliGitRepository', () => {
  const repo = scratchRepo();
  const git = new CliGitRepository(repo.dir);
  let first = '';
  let second = '';
  let third = '';

  before(() => {
    first = repo.commit({ 'src/app.ts': lines(20, 'app'), 'package.json': '{"name":"x"}\n' }, 'initial import', '2025-01-01T10:00:00Z');
    repo.tag('v1.0.0', '2025-01-01T10:05:00Z');
    const changed = lines(20, 'app').replace('app line 10\n', 'app line 10 changed\n');
    second = repo.commit({ 'src/app.ts': changed }, 'change line 10', '2025-01-02T10:00:00Z');
    third = repo.commit({ 'docs/readme.md': '# readme\n', 'src/space name.ts': 'x\n' }, 'docs\n\nlonger body', '2025-01-03T10:00:00Z');
    repo.tag('v1.1.0', '2025-01-03T10:05:00Z', false);
  });
  after(() => repo.dispose());

  void it('lists a range newest first, with files', async () => {
    const commits = await git.log('v1.0.0..v1.1.0');
    assert.deepEqual(
      commits.map((c) => c.sha),
      [third, second],
    );
    assert.equal(commits[0].subject, 'docs');
    assert.equal(commits[0].body, 'longer body');
    assert.deepEqual(commits[0].files.sort(), ['docs/readme.md', 'src/space name.ts']);
    assert.equal(commits[1].authorName, 'Ada');
    assert.equal(Date.parse(commits[1].authorDate), Date.parse('2025-01-02T10:00:00Z'));
    assert.deepEqual(commits[1].parents, [first]);
  });

  void it('filters by paths and by date window', async () => {
    assert.deepEqual(
      (await git.log('v1.0.0..v1.1.0', ['src/app.ts'])).map((c) => c.sha),
      [second],
    );
    const window = await git.log({ since: '2025-01-01T12:00:00Z', until: '2025-01-02T12:00:00Z' });
    assert.deepEqual(
      window.map((c) => c.sha),
      [second],
    );
  });

  void it('returns a diff limited to paths, and cuts it at maxBytes', async () => {
    const diff = await git.diff(second, ['src/app.ts'], 100_000);
    assert.match(diff, /^-app line 10$/m);
    assert.match(diff, /^\+app line 10 changed$/m);
    assert.equal(await git.diff(third, ['src/app.ts'], 100_000), '');
    const cut = await git.diff(first, undefined, 200);
    assert.match(cut, /\[diff truncated at 200 bytes\]/);
    assert.ok(cut.length < 260);
  });

  void it('blames lines, clamping ranges past the end of the file', async () => {
    const blame = await git.blame('src/app.ts', 9, 11, 'v1.1.0');
    assert.deepEqual(
      blame.map((b) => [b.line, b.sha]),
      [
        [9, first],
        [10, second],
        [11, first],
      ],
    );
    assert.equal(blame[1].content, 'app line 10 changed');
    assert.equal(blame[1].summary, 'change line 10');
    assert.equal(blame[1].authorTime, '2025-01-02T10:00:00.000Z');
    const clamped = await git.blame('src/app.ts', 19, 40);
    assert.deepEqual(
      clamped.map((b) => b.line),
      [19, 20],
    );
  });

  void it('shows a file at a revision, null when absent', async () => {
    assert.equal(await git.show('src/app.ts', first), lines(20, 'app'));
    assert.equal(await git.show('docs/readme.md', 'v1.0.0'), null);
    assert.equal(await git.show('src/app.ts', 'no-such-rev'), null);
  });

  void it('lists tags peeled to commits, oldest first', async () => {
    const tags = await git.tags();
    assert.deepEqual(
      tags.map((t) => [t.name, t.sha]),
      [
        ['v1.0.0', first],
        ['v1.1.0', third],
      ],
    );
  });

  void it('lists changed files, resolves revisions and lists the tree', async () => {
    assert.deepEqual((await git.changedFiles(third)).sort(), ['docs/readme.md', 'src/space name.ts']);
    assert.equal(await git.resolve('v1.0.0'), first);
    assert.equal(await git.resolve(second.slice(0, 10)), second);
    assert.equal(await git.resolve('nope'), null);
    assert.deepEqual((await git.listFiles('v1.1.0')).sort(), ['docs/readme.md', 'package.json', 'src/app.ts', 'src/space name.ts']);
  });

  void it('refuses option-like or malformed arguments before running git', async () => {
    await assert.rejects(git.log('--output=/tmp/x'), (e: unknown) => e instanceof GitCommandError && e.reason === 'bad_argument');
    await assert.rejects(git.diff('-p', undefined, 10), (e: unknown) => e instanceof GitCommandError && e.reason === 'bad_argument');
    await assert.rejects(git.show('a\0b', 'HEAD'), (e: unknown) => e instanceof GitCommandError && e.reason === 'bad_argument');
    await assert.rejects(git.resolve('HEAD; rm -rf /'), (e: unknown) => e instanceof GitCommandError && e.reason === 'bad_argument');
  });

  void it('reports failures with a reason instead of an empty answer', async () => {
    await assert.rejects(git.log('v9.9.9..v1.1.0'), (e: unknown) => e instanceof GitCommandError && e.reason === 'command_failed');
    await assert.rejects(new CliGitRepository(repo.dir, { gitBinary: '/nonexistent/git' }).tags(), (e: unknown) => e instanceof GitCommandError && e.reason === 'spawn_failed');
    await assert.rejects(new CliGitRepository(repo.dir, { maxOutputBytes: 10 }).log('v1.0.0..v1.1.0'), (e: unknown) => e instanceof GitCommandError && e.reason === 'output_too_large');
  });
});
