import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildEvidencePack } from './build-evidence-pack';
import { renderAnalysisMarkdown } from './markdown';
import { RootCauseAnalysis } from './rca-schema';

void describe('renderAnalysisMarkdown', () => {
  void it('reads like a post-incident review and escapes text that came from crash data or a model', async () => {
    const onset = '2025-03-01T12:00:00Z';
    const pack = await buildEvidencePack({
      cluster: {
        clusterId: 'cl-9',
        project: 'shop',
        title: 'Error: <img src=x onerror=alert(1)>',
        errorType: 'Error',
        canonicalKind: 'generic',
        messageTemplate: 'boom',
        count: 10,
        users: 3,
        firstSeen: onset,
        lastSeen: onset,
        timeline: Array.from({ length: 60 }, (_, i) => ({ at: new Date(Date.parse(onset) + (i - 30) * 60_000).toISOString(), count: i < 30 ? 0 : 5 })),
      },
      releases: [{ release: 'v1', firstSeen: onset, lastSeen: onset, count: 10 }],
      deploys: [{ project: 'shop', release: 'v1', environment: 'production', commitSha: null, previousSha: null, deployedAt: '2025-03-01T11:50:00Z', changedFiles: [] }],
      breakdowns: { browser: [{ value: 'Firefox | 124', count: 10 }] },
      events: [],
    });
    const analysis: RootCauseAnalysis = {
      analyzer: 'claude',
      model: 'claude-test',
      summary: 'It broke.',
      category: 'unknown',
      confidence: 0.4,
      rootCause: 'User input <script>alert(1)</script> reached the renderer.',
      hypotheses: [{ statement: 'A | B', confidence: 0.4, evidenceIds: ['ev:timeline'], confirmIf: 'x', ruleOutIf: 'y' }],
      suspectCommits: [],
      fix: { description: 'Escape it.', patch: 'diff --git a/a b/a\n-```\n+x' },
      test: 'A test.',
      blastRadius: '10 events.',
      monitorAfterFix: ['rate'],
      rollbackPlan: 'None.',
      prevention: ['Escape output'],
      evidenceIds: ['ev:timeline', 'ev:stats'],
    };
    const md = renderAnalysisMarkdown(analysis, pack);
    assert.ok(md.startsWith('# Root-cause analysis: Error: &lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(md.includes('User input &lt;script&gt;alert(1)&lt;/script&gt; reached the renderer.'));
    assert.ok(!md.includes('<script>'));
    assert.ok(md.includes('| 1 | A \\| B | 40% |'));
    assert.ok(md.includes('*written by* claude (claude-test)'));
    assert.ok(md.includes('no suspect commit'));
    assert.ok(md.includes('```diff\ndiff --git a/a b/a\n-`\u200b``\n+x\n```'), 'a fence inside the patch cannot close the block');
    assert.ok(md.indexOf('## Timeline') < md.indexOf('## Impact') && md.indexOf('## Fix') < md.indexOf('## Verification'));
    assert.ok(md.includes('<code>ev:timeline</code>'));
  });
});
