import { Get, HttpCode, Post, SetMetadata, applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { z } from 'zod';
import * as c from './contracts';

export const API_PREFIX = '/api/v1';

/** Who may call a route: anyone (the API description), a read token, or a write token. */
export type Scope = 'public' | 'read' | 'write';

/**
 * One HTTP operation: the single description that routes the request (`@Endpoint`), decides
 * which scope it needs (the auth guard), validates its input (the controller) and documents
 * it (the OpenAPI document). A route cannot be served without being documented.
 */
export interface RouteSpec {
  method: 'GET' | 'POST';
  /** OpenAPI form, below API_PREFIX: `/projects/{project}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  scope: Scope;
  status: number;
  params?: z.ZodObject;
  query?: z.ZodType;
  /** Header parameters (lower-case names), validated and documented like the query. */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** Whether the body may be left out entirely. */
  bodyOptional?: boolean;
  /**
   * A file upload instead of a JSON body: the file's bytes as sent, in one of these media types
   * (or none). The handler reads them after the guard, within its own size limit (raw-upload.ts).
   */
  upload?: { mediaTypes: readonly string[] };
  /** More than the summary, for the OpenAPI document. */
  description?: string;
  response: z.ZodType;
  errors: number[];
}

const route = <S extends RouteSpec>(spec: S): S => spec;
const READ_ERRORS = [400, 401, 403, 404, 500];
const WRITE_ERRORS = [400, 401, 403, 404, 409, 500, 503];
const UPLOAD_ERRORS = [400, 401, 403, 404, 413, 415, 500];

/** What artifact uploads may be sent as: the content decides the kind, these only have to look like a file. */
export const UPLOAD_MEDIA_TYPES = ['application/octet-stream', 'application/json', 'text/plain', 'text/javascript', 'application/javascript'] as const;

export const ROUTES = {
  openapi: route({
    method: 'GET', path: '/openapi.json', operationId: 'getOpenApi', summary: 'This API description (OpenAPI 3.1)', tag: 'meta',
    scope: 'public', status: 200, response: z.record(z.string(), z.unknown()), errors: [500],
  }),
  listProjects: route({
    method: 'GET', path: '/projects', operationId: 'listProjects', summary: 'Projects the token may see', tag: 'projects',
    scope: 'read', status: 200, response: c.ProjectList, errors: [401, 403, 500],
  }),
  getProject: route({
    method: 'GET', path: '/projects/{project}', operationId: 'getProject', summary: 'One project, with its DSN', tag: 'projects',
    scope: 'read', status: 200, params: c.ProjectParams, response: c.Project, errors: READ_ERRORS,
  }),
  listClusters: route({
    method: 'GET', path: '/projects/{project}/clusters', operationId: 'listClusters', tag: 'clusters',
    summary: 'Root-cause clusters, filtered, sorted and paginated (cursor)',
    scope: 'read', status: 200, params: c.ProjectParams, query: c.ListClustersQuery, response: c.ClusterList, errors: READ_ERRORS,
  }),
  getCluster: route({
    method: 'GET', path: '/projects/{project}/clusters/{clusterId}', operationId: 'getCluster', tag: 'clusters',
    summary: 'A cluster: timeline, issues, releases, breakdowns, samples, suspects and the latest analysis',
    scope: 'read', status: 200, params: c.ClusterParams, query: c.ClusterDetailQuery, response: c.ClusterDetail, errors: READ_ERRORS,
  }),
  mergeClusters: route({
    method: 'POST', path: '/projects/{project}/clusters/merge', operationId: 'mergeClusters', tag: 'clusters',
    summary: 'Merge clusters into one (new membership versions, assigned by "manual")',
    scope: 'write', status: 200, params: c.ProjectParams, body: c.MergeBody, response: c.MergeResult, errors: WRITE_ERRORS,
  }),
  splitCluster: route({
    method: 'POST', path: '/projects/{project}/clusters/{clusterId}/split', operationId: 'splitCluster', tag: 'clusters',
    summary: 'Move issues out of a cluster into a new one',
    scope: 'write', status: 201, params: c.ClusterParams, body: c.SplitBody, response: c.SplitResult, errors: WRITE_ERRORS,
  }),
  setIssueStatus: route({
    method: 'POST', path: '/projects/{project}/issues/{fingerprint}/status', operationId: 'setIssueStatus', tag: 'issues',
    summary: 'Resolve, resolve in a release, ignore or reopen an issue',
    scope: 'write', status: 200, params: c.IssueParams, body: c.StatusBody, response: c.StatusResult, errors: WRITE_ERRORS,
  }),
  listEvents: route({
    method: 'GET', path: '/projects/{project}/events', operationId: 'listEvents', tag: 'events', summary: 'Events, newest first',
    scope: 'read', status: 200, params: c.ProjectParams, query: c.ListEventsQuery, response: c.EventList, errors: READ_ERRORS,
  }),
  getEvent: route({
    method: 'GET', path: '/projects/{project}/events/{eventId}', operationId: 'getEvent', tag: 'events', summary: 'One normalized event',
    scope: 'read', status: 200, params: c.EventParams, response: c.EventView, errors: READ_ERRORS,
  }),
  createDeploy: route({
    method: 'POST', path: '/projects/{project}/deploys', operationId: 'createDeploy', tag: 'deploys',
    summary: 'Record a deploy marker (idempotent: 201 when new, 200 when already recorded)',
    scope: 'write', status: 201, params: c.ProjectParams, body: c.DeployBody, response: c.DeployResult, errors: WRITE_ERRORS,
  }),
  listDeploys: route({
    method: 'GET', path: '/projects/{project}/deploys', operationId: 'listDeploys', tag: 'deploys', summary: 'Deploy markers, newest first',
    scope: 'read', status: 200, params: c.ProjectParams, query: c.ListDeploysQuery, response: c.DeployList, errors: READ_ERRORS,
  }),
  listAnalyses: route({
    method: 'GET', path: '/projects/{project}/clusters/{clusterId}/analyses', operationId: 'listAnalyses', tag: 'analyses',
    summary: "A cluster's root-cause analyses, newest first",
    scope: 'read', status: 200, params: c.ClusterParams, query: c.ListAnalysesQuery, response: c.AnalysisList, errors: READ_ERRORS,
  }),
  requestAnalysis: route({
    method: 'POST', path: '/projects/{project}/clusters/{clusterId}/analyses', operationId: 'requestAnalysis', tag: 'analyses',
    summary: 'Ask the analyzer for a new analysis (asynchronous)',
    scope: 'write', status: 202, params: c.ClusterParams, response: c.AnalysisAccepted, errors: WRITE_ERRORS,
  }),
  listAlerts: route({
    method: 'GET', path: '/projects/{project}/alerts', operationId: 'listAlerts', tag: 'alerts', summary: 'Alerts with their delivery outcomes',
    scope: 'read', status: 200, params: c.ProjectParams, query: c.ListAlertsQuery, response: c.AlertList, errors: READ_ERRORS,
  }),
  uploadArtifact: route({
    method: 'POST', path: '/projects/{project}/releases/{release}/artifacts', operationId: 'uploadArtifact', tag: 'artifacts',
    summary: 'Upload a source map, minified file or ProGuard/R8 mapping for a release',
    description:
      'The body is the file itself. `name` and `kind` come as query parameters or headers; the kind defaults from the name. ' +
      'Source maps and minified files are stored under their name, ProGuard/R8 mappings under their UUID (and as the latest mapping of the release). ' +
      'Debug IDs are read from the file: `debug_id`/`debugId` in a map, the `//# debugId=` comment in a minified file. ' +
      'Uploading the same name (same release and kind) again replaces the file; the answer is 201 either way. ' +
      'Larger than ARTIFACT_MAX_BYTES (64 MiB by default): 413. A file that is not what its kind says: 400 invalid_artifact.',
    scope: 'write', status: 201, params: c.ReleaseParams, query: c.UploadArtifactQuery, headers: c.UploadArtifactHeaders,
    upload: { mediaTypes: UPLOAD_MEDIA_TYPES }, response: c.ArtifactUploadResult, errors: UPLOAD_ERRORS,
  }),
  listArtifacts: route({
    method: 'GET', path: '/projects/{project}/releases/{release}/artifacts', operationId: 'listArtifacts', tag: 'artifacts',
    summary: "A release's uploaded source maps, minified files and mappings",
    scope: 'read', status: 200, params: c.ReleaseParams, response: c.ArtifactList, errors: READ_ERRORS,
  }),
} satisfies Record<string, RouteSpec>;

export const ROUTE_SPEC = Symbol.for('faultline.api.route');

/** Fastify route config flag of upload routes: their body reaches the handler as the unread request stream. */
export const RAW_UPLOAD = 'faultlineRawUpload';

/** Nest routing from the route table: `/projects/{project}` → `projects/:project`. */
export function Endpoint(spec: RouteSpec): MethodDecorator {
  const path = spec.path.replace(/\{(\w+)\}/g, ':$1').replace(/^\//, '');
  const decorators = [spec.method === 'GET' ? Get(path) : Post(path), HttpCode(spec.status), SetMetadata(ROUTE_SPEC, spec)];
  if (spec.upload) decorators.push(RouteConfig({ [RAW_UPLOAD]: true }));
  return applyDecorators(...decorators);
}
