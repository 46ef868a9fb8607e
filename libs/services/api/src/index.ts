export { ApiModule } from './api.module';
export type { ApiModuleOptions } from './api.module';
export { ArtifactsService, inferKind } from './artifacts.service';
export type { ArtifactUpload, ListableArtifactStore } from './artifacts.service';
export { buildOpenApiDocument } from './openapi';
export { API_PREFIX, ROUTES, UPLOAD_MEDIA_TYPES } from './routes';
export type { RouteSpec, Scope } from './routes';
export { ApiError, ApiExceptionFilter } from './errors';
export type { ApiErrorCode } from './errors';
export {
  AlertList,
  AnalysisAccepted,
  AnalysisList,
  ArtifactList,
  ArtifactUploadResult,
  ArtifactView,
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
