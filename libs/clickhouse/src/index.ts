export { connectClickHouse, insertJsonRows } from './client';
export type { ClickHouse, ClickHouseSettings } from './client';
export { MIGRATIONS_DIR, MigrationChecksumError, loadMigrations, runMigrations } from './migrations';
export type { Migration, MigrationSettings } from './migrations';
export { DEFAULT_PAYLOAD_SAMPLES_PER_ISSUE, EventsRepository, payloadSamples } from './events.repository';
export type { EventsRepositoryOptions, InsertEventsResult } from './events.repository';
export { IssuesRepository } from './issues.repository';
export type { IssueRow, IssueStatusKind, IssueStatusRow, KnownIssue, MemberRow, MembershipRow } from './issues.repository';
export { SignalsRepository } from './signals.repository';
export { ClusterQueries } from './cluster-queries';
export type { ClusterContext, ClusterFilter, ClusterFingerprints, ClusterSummaryRow, IssueSummaryRow, MinuteCount, ReleaseCountRow, TimeRange } from './cluster-queries';
export { fromClickHouseTime, toClickHouseTime, toCrashEventRow, toEventSampleRow } from './rows';
export type { CrashEventRow, EventSampleRow } from './rows';
export { ApiQueries } from './api-queries';
export type {
  AlertDeliveryRow,
  AnalysisRecord,
  BreakdownRow,
  ClusterIssueRow,
  ClusterListFilter,
  ClusterListRow,
  DeployRecord,
  EventSummaryRow,
  Keyset,
  StoredProjectRow,
} from './api-queries';
export { DetectionRepository, INFERRED_DEPLOY_PREFIX, deployMarkerId, inferredDeployId, isInferredDeployId } from './detection.repository';
export type { DeployMarker, ResolvedIssueActivity, UnmarkedRelease } from './detection.repository';
export { AlertsRepository } from './alerts.repository';
export type { AlertRecord, AlertRecordStatus, ClusterImpactRow } from './alerts.repository';
export { AnalysesRepository } from './analyses.repository';
export type { AnalysisRow } from './analyses.repository';
