export { ApiModule } from './api.module';
export { buildOpenApiDocument } from './openapi';
export { API_PREFIX, ROUTES } from './routes';
export type { RouteSpec, Scope } from './routes';
export { ApiError, ApiExceptionFilter } from './errors';
export type { ApiErrorCode } from './errors';
export {
  AlertList,
  AnalysisAccepted,
  AnalysisList,
  ClusterDetail,
  ClusterList,
  DeployList,
  DeployResult,
  ErrorBody,
  EventList,
  MergeResult,
  Project,
  ProjectList,
  SplitResult,
  StatusResult,
} from './contracts';
