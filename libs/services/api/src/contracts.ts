import { z } from 'zod';
import { CATEGORIES } from '@faultline/clustering';
import { AnalysisRequest, CrashEvent, Deploy } from '@faultline/schema';
import { ARTIFACT_KINDS } from '@faultline/symbolication';

// ---------------------------------------------------------------- common pieces

export const ProjectId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a project id is letters, digits, - and _');
const Id = z.string().min(1).max(256);
const IsoTime = z.iso.datetime({ offset: true }).describe('ISO-8601 date-time');
const Limit = z.coerce.number().int().min(1).max(200).default(50).describe('Page size, 1..200');
const Cursor = z.string().min(1).max(512).optional().describe('Opaque cursor from `page.nextCursor` of the previous page');

/** `from` ≤ `to` when both are given. */
const ordered = (v: { from?: string; to?: string }) => v.from === undefined || v.to === undefined || Date.parse(v.from) <= Date.parse(v.to);
const orderedMessage = { message: '`from` must not be after `to`', path: ['from'] };

export const PRIORITY_TIERS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export const ISSUE_STATUSES = ['unresolved', 'resolved', 'resolved_in_release', 'ignored'] as const;
export const CLUSTER_SORTS = ['impact', 'count', 'last_seen'] as const;
export type ClusterSort = (typeof CLUSTER_SORTS)[number];
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. `invalid_token`, `validation_failed`'),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Page = z.object({
  limit: z.number().int(),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  next: z.string().nullable().describe('The next page as a relative link; null on the last page'),
});
export type Page = z.infer<typeof Page>;

const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), page: Page });

// ---------------------------------------------------------------- path parameters

export const ProjectParams = z.object({ project: ProjectId });
export const ClusterParams = ProjectParams.extend({ clusterId: Id });
export const IssueParams = ProjectParams.extend({ fingerprint: Id });
export const EventParams = ProjectParams.extend({ eventId: Id });

// ---------------------------------------------------------------- projects

export const Project = z.object({
  id: z.string(),
  name: z.string(),
  dsn: z.string().describe('What SDKs are configured with: http://<publicKey>@<gateway host>/<project>'),
  source: z.enum(['config', 'store']),
});
export type Project = z.infer<typeof Project>;
export const ProjectList = z.object({ data: z.array(Project) });

// ---------------------------------------------------------------- clusters

export const ListClustersQuery = z
  .object({
    environment: z.string().min(1).max(100).optional(),
    release: z.string().min(1).max(200).optional(),
    status: z.enum(ISSUE_STATUSES).optional().describe("The cluster's status: the most open status among its issues"),
    priority: z
      .string()
      .regex(/^(critical|high|medium|low)$/i, 'one of CRITICAL, HIGH, MEDIUM, LOW')
      .transform((v) => v.toUpperCase() as (typeof PRIORITY_TIERS)[number])
      .optional()
      .describe('Priority tier: CRITICAL | HIGH | MEDIUM | LOW'),
    category: z.enum(CATEGORIES).optional(),
    from: IsoTime.optional(),
    to: IsoTime.optional(),
    sort: z.enum(CLUSTER_SORTS).default('impact'),
    limit: Limit,
    cursor: Cursor,
  })
  .refine(ordered, orderedMessage);
export type ListClustersQuery = z.infer<typeof ListClustersQuery>;

export const Priority = z.object({
  tier: z.enum(PRIORITY_TIERS),
  impactScore: z.number().describe('0..100, from reach (users), rate (events per hour) and category'),
  eventsPerHour: z.number(),
  matchedRule: z.string().nullable().describe('The criticality rule that set the tier, if any'),
});

export const ClusterSummary = z.object({
  id: z.string(),
  title: z.string(),
  category: z.string(),
  priority: Priority,
  status: z.enum(ISSUE_STATUSES),
  confidence: z.number().describe('The lowest membership confidence among its issues (1 = certain)'),
  count: z.number().int().describe('Events matching the filter (time window, environment, release)'),
  affectedUsers: z.number().int().describe('Distinct users among those events (approximate: HyperLogLog)'),
  range: z
    .object({ firstEvent: z.string(), lastEvent: z.string() })
    .nullable()
    .describe('First and last event matching the filter; null when none matched'),
  firstSeen: z.string().describe('First event ever'),
  lastSeen: z.string().describe('Last event ever'),
  issueCount: z.number().int(),
  releases: z.array(z.string()),
  environments: z.array(z.string()),
});
export type ClusterSummary = z.infer<typeof ClusterSummary>;
export const ClusterList = list(ClusterSummary);

export const ClusterDetailQuery = z
  .object({
    from: IsoTime.optional().describe('Window of timeline, breakdowns, releases and samples (default: the 24 h up to the last event)'),
    to: IsoTime.optional(),
    samples: z.coerce.number().int().min(0).max(20).default(5),
  })
  .refine(ordered, orderedMessage);

export const IssueSummary = z.object({
  fingerprint: z.string(),
  title: z.string(),
  category: z.string(),
  errorType: z.string(),
  canonicalKind: z.string(),
  culprit: z.string(),
  platform: z.string(),
  count: z.number().int(),
  affectedUsers: z.number().int(),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  status: z.enum(ISSUE_STATUSES),
  resolvedInRelease: z.string().nullable(),
  membership: z.object({ confidence: z.number(), assignedBy: z.string(), version: z.number().int() }),
});

const BreakdownValue = z.object({ value: z.string().nullable(), count: z.number().int(), share: z.number() });

export const DeployView = z.object({
  id: z.string(),
  project: z.string(),
  environment: z.string(),
  release: z.string(),
  commitSha: z.string().nullable(),
  previousSha: z.string().nullable(),
  deployedAt: z.string(),
  changedFiles: z.array(z.string()),
  receivedAt: z.string().optional(),
});
export type DeployView = z.infer<typeof DeployView>;

export const AnalysisView = z.object({
  id: z.string(),
  clusterId: z.string(),
  analyzer: z.string(),
  model: z.string(),
  status: z.string(),
  failureReason: z.string().nullable(),
  document: z.unknown().describe('The structured analysis (JSON), null when it is not JSON'),
  markdown: z.string(),
  tokens: z.object({ input: z.number().int(), output: z.number().int() }),
  createdAt: z.string(),
});
export type AnalysisView = z.infer<typeof AnalysisView>;

export const SuspectCommit = z.object({
  sha: z.string(),
  subject: z.string(),
  authorName: z.string(),
  authorDate: z.string(),
  window: z.string().describe('suspect_deploy | earlier_deploy | outside'),
  deployId: z.string().nullable(),
  files: z.array(z.string()),
  blamedLines: z.number().int().describe('Crashing lines whose last change is this commit'),
});
export type SuspectCommit = z.infer<typeof SuspectCommit>;

export const ClusterDetail = ClusterSummary.extend({
  window: z.object({ from: z.string(), to: z.string() }),
  timeline: z.array(z.object({ minute: z.string(), count: z.number().int() })).describe('Per-minute counts in the window; zero minutes omitted'),
  issues: z.array(IssueSummary),
  releaseStats: z.array(z.object({ release: z.string().nullable(), count: z.number().int(), firstSeen: z.string(), lastSeen: z.string() })),
  breakdowns: z.object({
    browser: z.array(BreakdownValue),
    os: z.array(BreakdownValue),
    device: z.array(BreakdownValue),
    region: z.array(BreakdownValue),
    release: z.array(BreakdownValue),
    environment: z.array(BreakdownValue),
  }),
  sampleEvents: z.array(CrashEvent),
  suspectDeploy: DeployView.nullable().describe('The latest deploy at or before the first event, in an environment the cluster occurs in'),
  suspectCommits: z.array(SuspectCommit).describe("From the latest analysis's evidence; empty without one"),
  latestAnalysis: AnalysisView.nullable(),
});
export type ClusterDetail = z.infer<typeof ClusterDetail>;

export const MergeBody = z.object({
  clusterIds: z.array(Id).min(2).max(100),
  into: Id.optional().describe('The surviving cluster, one of clusterIds (default: the first)'),
});
export const MergeResult = z.object({
  clusterId: z.string(),
  merged: z.array(z.string()),
  moved: z.array(z.string()).describe('Fingerprints that changed cluster'),
  version: z.number().int(),
});

export const SplitBody = z.object({ fingerprints: z.array(Id).min(1).max(1000) });
export const SplitResult = z.object({
  clusterId: z.string().describe('The new cluster'),
  from: z.string(),
  moved: z.array(z.string()),
  version: z.number().int(),
});

// ---------------------------------------------------------------- issues

export const StatusBody = z
  .object({
    status: z.enum(ISSUE_STATUSES),
    release: z.string().min(1).max(200).optional().describe('Required with resolved_in_release, refused otherwise'),
  })
  .refine((b) => (b.status === 'resolved_in_release') === (b.release !== undefined), {
    message: 'release is required with resolved_in_release and only with it',
    path: ['release'],
  });
export const StatusResult = z.object({
  fingerprint: z.string(),
  status: z.enum(ISSUE_STATUSES),
  resolvedInRelease: z.string().nullable(),
  changedAt: z.string(),
  changedBy: z.string(),
});

// ---------------------------------------------------------------- events

export const ListEventsQuery = z
  .object({ fingerprint: Id.optional(), from: IsoTime.optional(), to: IsoTime.optional(), limit: Limit, cursor: Cursor })
  .refine(ordered, orderedMessage);
export const EventSummary = z.object({
  id: z.string(),
  fingerprint: z.string(),
  timestamp: z.string(),
  platform: z.string(),
  release: z.string().nullable(),
  environment: z.string().nullable(),
  severity: z.string(),
  errorType: z.string(),
  message: z.string(),
  userId: z.string().nullable(),
  transaction: z.string().nullable(),
  payloadKept: z.boolean().describe('Whether the full payload was kept (a few sample events per issue per batch): then GET /events/{id} returns it'),
});
export type EventSummary = z.infer<typeof EventSummary>;
export const EventList = list(EventSummary);

// ---------------------------------------------------------------- deploys

/** The deploy message without its project (the path says which); a body `project` must match the path. */
export const DeployBody = Deploy.omit({ project: true }).extend({ project: ProjectId.optional() });
export const DeployResult = DeployView.extend({ created: z.boolean().describe('false when this deploy was already recorded') });
export const ListDeploysQuery = z
  .object({ environment: z.string().min(1).max(100).optional(), from: IsoTime.optional(), to: IsoTime.optional(), limit: Limit, cursor: Cursor })
  .refine(ordered, orderedMessage);
export const DeployList = list(DeployView);

// ---------------------------------------------------------------- analyses

export const ListAnalysesQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });
export const AnalysisList = z.object({ data: z.array(AnalysisView) });
export const AnalysisAccepted = z.object({ status: z.literal('accepted'), request: AnalysisRequest });

// ---------------------------------------------------------------- alerts

export const ListAlertsQuery = z
  .object({ clusterId: Id.optional(), from: IsoTime.optional(), to: IsoTime.optional(), limit: Limit, cursor: Cursor })
  .refine(ordered, orderedMessage);
export const AlertView = z.object({
  id: z.string(),
  clusterId: z.string(),
  trigger: z.string(),
  createdAt: z.string(),
  payload: z.unknown(),
  deliveries: z.array(
    z.object({
      target: z.string().describe('The webhook, with its path (where Slack keeps the secret) redacted'),
      status: z.string(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      updatedAt: z.string(),
    }),
  ),
});
export type AlertView = z.infer<typeof AlertView>;
export const AlertList = list(AlertView);

// ---------------------------------------------------------------- artifacts (source maps, minified files, ProGuard/R8 mappings)

export const ReleaseParams = ProjectParams.extend({ release: z.string().min(1).max(200) });

// Names are paths or URLs (`~/static/js/app.js.map`); the store hashes them, so only control characters are refused.
const ArtifactName = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^\P{Cc}+$/u, 'an artifact name holds no control characters');
const ArtifactKind = z.enum(ARTIFACT_KINDS, { error: 'kind is one of sourcemap, minified_source, proguard' });
const Uuid = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, 'a UUID');

const NAME_HELP =
  'The URL or path the file is served under, `~` standing for scheme and host: `~/static/js/app.3f9a.js.map`. ' +
  'Optional for ProGuard mappings, which are stored under their UUID.';
const KIND_HELP = 'sourcemap | minified_source | proguard. Default: from the name (`.map`, `.js`/`.mjs`/`.cjs`, `.txt`).';
const DEBUG_ID_HELP =
  "ProGuard only: the UUID the build assigned to the mapping (sentry-android-gradle-plugin's `io.sentry.ProguardUuids`). " +
  'Default: the UUID derived from the file (UUIDv5 of its bytes, as Sentry tooling does).';

/** The upload's description, in the query string... */
export const UploadArtifactQuery = z.object({
  name: ArtifactName.optional().describe(NAME_HELP),
  kind: ArtifactKind.optional().describe(KIND_HELP),
  debugId: Uuid.optional().describe(DEBUG_ID_HELP),
});
/** ...or in headers, for names that are awkward to URL-encode. A value given both ways must agree. */
export const UploadArtifactHeaders = z.object({
  'x-faultline-artifact-name': ArtifactName.optional().describe('Same as the `name` query parameter'),
  'x-faultline-artifact-kind': ArtifactKind.optional().describe('Same as the `kind` query parameter'),
  'x-faultline-debug-id': Uuid.optional().describe('Same as the `debugId` query parameter'),
});

export const ArtifactView = z.object({
  name: z.string(),
  kind: ArtifactKind,
  debugId: z.string().nullable().describe('Source map debug ID (`debug_id`/`debugId`, or the `//# debugId=` comment), or the ProGuard mapping UUID'),
  size: z.number().int().describe('Bytes'),
  release: z.string(),
});
export type ArtifactView = z.infer<typeof ArtifactView>;
export const ArtifactUploadResult = z.object({ artifacts: z.array(ArtifactView) });
export const ArtifactList = z.object({ data: z.array(ArtifactView).describe('Sorted by name, then kind') });

/**
 * One event as stored: the full normalized event when its payload was kept as a sample,
 * otherwise the columns every event keeps (no frames).
 */
export const EventView = z.union([
  CrashEvent.extend({ payloadKept: z.literal(true) }),
  EventSummary.extend({ payloadKept: z.literal(false), crashFrame: z.string().describe('The crash site, e.g. `fn (file:line)`') }),
]);
export type EventView = z.infer<typeof EventView>;
