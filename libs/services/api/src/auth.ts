import { createHash } from 'node:crypto';
import { Inject, Injectable, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { ApiToken } from '@faultline/config';
import { ProjectId } from './contracts';
import { ApiError } from './errors';
import { ProjectDirectory } from './projects';
import { checkUploadMediaType } from './raw-upload';
import { ROUTE_SPEC, type RouteSpec } from './routes';

/** Who is calling: what the token allows, and a label that names it without revealing it. */
export interface Principal {
  /** `token:<first 12 hex of its SHA-256>`: goes into audit columns such as `changed_by`. */
  label: string;
  scopes: ReadonlyArray<'read' | 'write'>;
  /** Project ids, or `*` for the whole organization. */
  projects: readonly string[];
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The configured API tokens, looked up by hash: the lookup's timing says nothing about the token. */
export class TokenRegistry {
  private readonly byHash = new Map<string, Principal>();

  constructor(tokens: readonly ApiToken[]) {
    for (const t of tokens) {
      const hash = sha256(t.token);
      this.byHash.set(hash, { label: `token:${hash.slice(0, 12)}`, scopes: t.scopes, projects: t.projects });
    }
  }

  find(token: string): Principal | null {
    return this.byHash.get(sha256(token)) ?? null;
  }
}

export function mayAccessProject(principal: Principal, project: string): boolean {
  return principal.projects.includes('*') || principal.projects.includes(project);
}

type ApiRequest = FastifyRequest & { principal?: Principal };

/**
 * Authenticates `Authorization: Bearer <token>`, then authorizes by the route's scope and the
 * `:project` in the path: 401 without a known token, 403 for a missing scope or another
 * project's data, 404 for a project that does not exist (only to tokens that could see it).
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokenRegistry) private readonly tokens: TokenRegistry,
    @Inject(ProjectDirectory) private readonly projects: ProjectDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const spec = this.reflector.get<RouteSpec | undefined>(ROUTE_SPEC, context.getHandler());
    if (!spec) throw new ApiError('internal_error', 'route without a specification');
    if (spec.scope === 'public') return true;
    const request = context.switchToHttp().getRequest<ApiRequest>();

    const header = request.headers.authorization;
    if (!header) throw new ApiError('unauthorized', 'missing Authorization: Bearer <token>');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError('unauthorized', 'the Authorization header must be `Bearer <token>`');
    const principal = this.tokens.find(match[1]);
    if (!principal) throw new ApiError('invalid_token', 'unknown API token');

    if (!principal.scopes.includes(spec.scope)) {
      throw new ApiError('insufficient_scope', `this operation needs the ${spec.scope} scope`, { required: spec.scope, granted: principal.scopes });
    }
    const project = (request.params as Record<string, string> | undefined)?.project;
    if (project !== undefined) {
      if (!ProjectId.safeParse(project).success) {
        throw new ApiError('validation_failed', `invalid path: project: not a project id`, [{ in: 'path', path: 'project', message: 'not a project id' }]);
      }
      if (!mayAccessProject(principal, project)) throw new ApiError('project_forbidden', `this token may not access project ${project}`);
      if (!(await this.projects.get(project))) throw new ApiError('project_not_found', `no project ${project}`);
    }
    // Fastify also parses text/plain; the API speaks JSON only, but for file uploads.
    const contentType = request.headers['content-type'];
    if (spec.upload) {
      checkUploadMediaType(request, spec.upload.mediaTypes);
    } else if (spec.body && request.body !== undefined && !(contentType && /^application\/([\w.-]+\+)?json\b/i.test(contentType))) {
      throw new ApiError('unsupported_media_type', 'send the body as JSON (Content-Type: application/json)');
    }
    request.principal = principal;
    return true;
  }
}

/** The authenticated caller of the current request (set by ApiAuthGuard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<ApiRequest>().principal;
  if (!principal) throw new ApiError('unauthorized', 'not authenticated');
  return principal;
});
