import { Body, Controller, Headers, Inject, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ActivityService } from './activity.service';
import { ArtifactsService, describeUpload } from './artifacts.service';
import { ApiAuthGuard, CurrentPrincipal, mayAccessProject, type Principal } from './auth';
import { ClustersService } from './clusters.service';
import { ApiError, ApiExceptionFilter, parseInput } from './errors';
import { ProjectDirectory } from './projects';
import { readUpload } from './raw-upload';
import { Endpoint, ROUTES } from './routes';

export const OPENAPI_DOCUMENT = Symbol.for('faultline.api.openapi');

// Controllers only translate HTTP: parse the input with the route's contract, call a service.
// Every one is guarded (token, scope, project) and answers errors in the API's one shape.

@Controller('api/v1')
@UseGuards(ApiAuthGuard)
@UseFilters(ApiExceptionFilter)
export class MetaController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: Record<string, unknown>) {}

  @Endpoint(ROUTES.openapi)
  openapi(): Record<string, unknown> {
    return this.document;
  }
}

@Controller('api/v1')
@UseGuards(ApiAuthGuard)
@UseFilters(ApiExceptionFilter)
export class ProjectsController {
  constructor(@Inject(ProjectDirectory) private readonly projects: ProjectDirectory) {}

  @Endpoint(ROUTES.listProjects)
  async list(@CurrentPrincipal() principal: Principal) {
    return { data: (await this.projects.list()).filter((p) => mayAccessProject(principal, p.id)) };
  }

  @Endpoint(ROUTES.getProject)
  async get(@Param() params: unknown) {
    const { project } = parseInput(ROUTES.getProject.params, params, 'path');
    const found = await this.projects.get(project);
    if (!found) throw new ApiError('project_not_found', `no project ${project}`);
    return found;
  }
}

@Controller('api/v1')
@UseGuards(ApiAuthGuard)
@UseFilters(ApiExceptionFilter)
export class ClustersController {
  constructor(@Inject(ClustersService) private readonly clusters: ClustersService) {}

  @Endpoint(ROUTES.listClusters)
  list(@Param() params: unknown, @Query() query: unknown, @Req() request: FastifyRequest) {
    const { project } = parseInput(ROUTES.listClusters.params, params, 'path');
    return this.clusters.list(project, parseInput(ROUTES.listClusters.query, query, 'query'), request.url);
  }

  @Endpoint(ROUTES.mergeClusters)
  merge(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { project } = parseInput(ROUTES.mergeClusters.params, params, 'path');
    return this.clusters.merge(project, parseInput(ROUTES.mergeClusters.body, body, 'body'), principal);
  }

  @Endpoint(ROUTES.getCluster)
  get(@Param() params: unknown, @Query() query: unknown) {
    const { project, clusterId } = parseInput(ROUTES.getCluster.params, params, 'path');
    return this.clusters.detail(project, clusterId, parseInput(ROUTES.getCluster.query, query, 'query'));
  }

  @Endpoint(ROUTES.splitCluster)
  split(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { project, clusterId } = parseInput(ROUTES.splitCluster.params, params, 'path');
    return this.clusters.split(project, clusterId, parseInput(ROUTES.splitCluster.body, body, 'body'), principal);
  }

  @Endpoint(ROUTES.setIssueStatus)
  setStatus(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { project, fingerprint } = parseInput(ROUTES.setIssueStatus.params, params, 'path');
    return this.clusters.setStatus(project, fingerprint, parseInput(ROUTES.setIssueStatus.body, body, 'body'), principal);
  }

  @Endpoint(ROUTES.listAnalyses)
  analyses(@Param() params: unknown, @Query() query: unknown) {
    const { project, clusterId } = parseInput(ROUTES.listAnalyses.params, params, 'path');
    return this.clusters.analyses(project, clusterId, parseInput(ROUTES.listAnalyses.query, query, 'query').limit);
  }

  @Endpoint(ROUTES.requestAnalysis)
  requestAnalysis(@Param() params: unknown) {
    const { project, clusterId } = parseInput(ROUTES.requestAnalysis.params, params, 'path');
    return this.clusters.requestAnalysis(project, clusterId);
  }
}

@Controller('api/v1')
@UseGuards(ApiAuthGuard)
@UseFilters(ApiExceptionFilter)
export class ActivityController {
  constructor(@Inject(ActivityService) private readonly activity: ActivityService) {}

  @Endpoint(ROUTES.listEvents)
  events(@Param() params: unknown, @Query() query: unknown, @Req() request: FastifyRequest) {
    const { project } = parseInput(ROUTES.listEvents.params, params, 'path');
    return this.activity.listEvents(project, parseInput(ROUTES.listEvents.query, query, 'query'), request.url);
  }

  @Endpoint(ROUTES.getEvent)
  event(@Param() params: unknown) {
    const { project, eventId } = parseInput(ROUTES.getEvent.params, params, 'path');
    return this.activity.getEvent(project, eventId);
  }

  /** 201 for a new deploy, 200 for one already recorded: the status is decided here, so the reply is sent here. */
  @Endpoint(ROUTES.createDeploy)
  async createDeploy(@Param() params: unknown, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { project } = parseInput(ROUTES.createDeploy.params, params, 'path');
    const result = await this.activity.recordDeploy(project, parseInput(ROUTES.createDeploy.body, body, 'body'));
    await reply.status(result.status).send(result.body);
  }

  @Endpoint(ROUTES.listDeploys)
  deploys(@Param() params: unknown, @Query() query: unknown, @Req() request: FastifyRequest) {
    const { project } = parseInput(ROUTES.listDeploys.params, params, 'path');
    return this.activity.listDeploys(project, parseInput(ROUTES.listDeploys.query, query, 'query'), request.url);
  }

  @Endpoint(ROUTES.listAlerts)
  alerts(@Param() params: unknown, @Query() query: unknown, @Req() request: FastifyRequest) {
    const { project } = parseInput(ROUTES.listAlerts.params, params, 'path');
    return this.activity.listAlerts(project, parseInput(ROUTES.listAlerts.query, query, 'query'), request.url);
  }
}

@Controller('api/v1')
@UseGuards(ApiAuthGuard)
@UseFilters(ApiExceptionFilter)
export class ArtifactsController {
  constructor(@Inject(ArtifactsService) private readonly artifacts: ArtifactsService) {}

  /** Parameters first, then the body: a bad name or kind is refused without reading the file. */
  @Endpoint(ROUTES.uploadArtifact)
  async upload(@Param() params: unknown, @Query() query: unknown, @Headers() headers: unknown, @Req() request: FastifyRequest) {
    const { project, release } = parseInput(ROUTES.uploadArtifact.params, params, 'path');
    const upload = describeUpload(parseInput(ROUTES.uploadArtifact.query, query, 'query'), parseInput(ROUTES.uploadArtifact.headers, headers, 'header'));
    const body = await readUpload(request, this.artifacts.maxBytes);
    return { artifacts: [await this.artifacts.upload(project, release, upload, body)] };
  }

  @Endpoint(ROUTES.listArtifacts)
  async list(@Param() params: unknown) {
    const { project, release } = parseInput(ROUTES.listArtifacts.params, params, 'path');
    return { data: await this.artifacts.list(project, release) };
  }
}
