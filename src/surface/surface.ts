import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ErrorCode,
  McpError,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import type { DownstreamConnection, ListKind } from '../downstream/connection.js';
import type { DownstreamManager } from '../downstream/manager.js';
import type { RequestSettings, ServerSupervisor } from '../downstream/supervisor.js';
import type { Logger } from '../log.js';
import { callAttributes, type RequestTrace } from '../observability/tracing.js';
import type { Principal } from '../policy/auth/principal.js';
import type { ReadHandler } from '../pipeline/compose.js';
import { CallRefused, refusalError } from '../pipeline/refusal.js';
import type { AccessDecisions } from '../policy/tool-access.js';
import { LogLevels } from './log-levels.js';
import { exposedContent, exposedPromptName, exposedUri, promptOwner, resolveUri } from './names.js';
import { SubscriptionCounts } from './subscriptions.js';
import { promptTarget, resourceTarget } from './targets.js';
import { protocolError } from '../protocol-error.js';
import { errorMessage } from '../error-message.js';

export interface SurfaceDeps {
  readonly downstream: DownstreamManager;
  readonly catalog: Catalog;
  readonly access: AccessDecisions;
  /** The call pipeline for reads: scopes, validation, approval, rate limit, audit. */
  readonly read: ReadHandler;
  readonly logger: Logger;
}

export interface SurfaceEvents {
  /** A server's resources or prompts changed (it said so, or it (re)connected). */
  listChanged: [ListKind];
  /** A subscribed resource changed: its exposed URI. */
  resourceUpdated: [server: string, uri: string];
  /** A log line a server sent outside any one session's call. */
  log: [server: string, params: LoggingMessageNotification['params']];
}

/** Who asks, and how to cancel: what every request of a client session carries. */
export interface Requester {
  readonly principal: Principal | undefined;
  readonly signal: AbortSignal;
  /** The request's span while tracing is on: the read's stages run in spans within it. */
  readonly trace?: RequestTrace | undefined;
}

/**
 * Everything downstream servers offer besides tools, aggregated under the same namespaces: resources and templates,
 * prompts, subscriptions, logging and completion. Reads and prompt gets are calls through the pipeline; listings show
 * a principal only what it may read.
 */
export class DownstreamSurface extends EventEmitter<SurfaceEvents> {
  private readonly subscriptions = new SubscriptionCounts();
  private readonly logLevels = new LogLevels();
  /** Each server's prompt listing, kept until it announces a change or reconnects. */
  private readonly promptListings = new Map<string, Promise<Prompt[]>>();

  constructor(private readonly deps: SurfaceDeps) {
    super();
    // One listener per client session.
    this.setMaxListeners(0);
    for (const supervisor of deps.downstream.servers()) this.follow(supervisor);
    // Live configuration adds and removes servers while sessions carry on.
    deps.downstream.on('added', (supervisor) => this.follow(supervisor));
    deps.downstream.on('removed', (server) => {
      this.promptListings.delete(server);
      this.subscriptions.forget(server);
      this.emit('listChanged', 'resources');
      this.emit('listChanged', 'prompts');
    });
  }

  /** An edit of the policy: what each principal may list may differ, so every session is told to list again. */
  policyChanged(): void {
    this.emit('listChanged', 'resources');
    this.emit('listChanged', 'prompts');
  }

  async listResources(principal: Principal | undefined): Promise<Resource[]> {
    return this.gather('resources', async (supervisor, connection, settings) =>
      (await connection.listResources(settings.timeoutMs, settings.limits))
        .filter((resource) => this.deps.access.mayCall(principal, resourceTarget(supervisor.name, supervisor.namespace, resource.uri)))
        .map((resource) => ({ ...resource, uri: exposedUri(supervisor.namespace, resource.uri) })),
    );
  }

  async listResourceTemplates(principal: Principal | undefined): Promise<ResourceTemplate[]> {
    return this.gather('resources', async (supervisor, connection, settings) =>
      (await connection.listResourceTemplates(settings.timeoutMs, settings.limits))
        .filter((template) => this.deps.access.mayCall(principal, resourceTarget(supervisor.name, supervisor.namespace, template.uriTemplate)))
        .map((template) => ({ ...template, uriTemplate: exposedUri(supervisor.namespace, template.uriTemplate) })),
    );
  }

  async listPrompts(principal: Principal | undefined): Promise<Prompt[]> {
    return this.gather('prompts', async (supervisor) =>
      (await this.promptsOf(supervisor))
        .filter((prompt) => this.deps.access.mayCall(principal, promptTarget(supervisor.name, supervisor.namespace, prompt)))
        .map((prompt) => ({ ...prompt, name: exposedPromptName(supervisor.namespace, prompt.name) })),
    );
  }

  /** A resource read, through the pipeline; the contents carry exposed URIs. */
  async readResource(requester: Requester, uri: string): Promise<ReadResourceResult> {
    const supervisor = this.resourceOwner(uri);
    const target = resourceTarget(supervisor.name, supervisor.namespace, this.serverUri(uri));
    const result = (await this.run(requester, target, {}, 'resource read')) as ReadResourceResult;
    return { ...result, contents: result.contents.map((content) => ({ ...content, uri: exposedUri(supervisor.namespace, content.uri) })) };
  }

  /** A prompt get, through the pipeline (its arguments validated against the prompt's); embedded resources carry exposed URIs. */
  async getPrompt(requester: Requester, name: string, args: Record<string, string>): Promise<GetPromptResult> {
    const { supervisor, prompt } = await this.findPrompt(name);
    const result = (await this.run(requester, promptTarget(supervisor.name, supervisor.namespace, prompt), args, 'prompt get')) as GetPromptResult;
    return { ...result, messages: result.messages.map((message) => ({ ...message, content: exposedContent(supervisor.namespace, message.content) })) };
  }

  /**
   * Completion of a prompt's or a resource template's argument, through the pipeline: allowed when the prompt or
   * template may be read, audited with the value being completed, rate-limited as a call of it.
   */
  async complete(requester: Requester, params: CompleteRequest['params']): Promise<CompleteResult> {
    const { ref } = params;
    const [target, downstreamRef] =
      ref.type === 'ref/prompt'
        ? await this.findPrompt(ref.name).then(({ supervisor, prompt }) => [
            promptTarget(supervisor.name, supervisor.namespace, prompt),
            { ...ref, name: prompt.name },
          ] as const)
        : (() => {
            const owner = this.resourceOwner(ref.uri);
            const uri = this.serverUri(ref.uri);
            return [resourceTarget(owner.name, owner.namespace, uri), { ...ref, uri }] as const;
          })();
    const completion: CatalogTool = { ...target, read: { kind: 'completion', params: { ...params, ref: downstreamRef } } };
    return (await this.run(requester, completion, { [params.argument.name]: params.argument.value }, 'completion')) as CompleteResult;
  }

  /**
   * Subscribes for one session, through the pipeline like a read (so audited and rate-limited); the server is told
   * each time (subscribing is idempotent) and told to stop only after the last session lets go (`unsubscribe`).
   */
  async subscribe(requester: Requester, uri: string): Promise<{ server: string; uri: string }> {
    const supervisor = this.resourceOwner(uri);
    const own = this.serverUri(uri);
    const target = resourceTarget(supervisor.name, supervisor.namespace, own);
    await this.run(requester, { ...target, read: { kind: 'resource', uri: own, subscribe: true } }, {}, 'subscription');
    this.subscriptions.add(supervisor.name, own);
    return { server: supervisor.name, uri: own };
  }

  /** Drops one session's subscription (as `subscribe` returned it); the server is told after the last. */
  async unsubscribe(held: { server: string; uri: string }): Promise<void> {
    if (!this.subscriptions.remove(held.server, held.uri)) return;
    const supervisor = this.deps.downstream.server(held.server);
    const connection = supervisor?.readyConnection;
    if (!supervisor || !connection) return;
    await supervisor
      .use((ready, { timeoutMs }) => ready.unsubscribe(held.uri, timeoutMs))
      .catch((error: unknown) => this.deps.logger.debug({ err: error, server: held.server }, 'unsubscribe failed'));
  }

  /** The session's logging level; servers get the most verbose level any session asked for. */
  setLogLevel(session: string, level: LoggingLevel): void {
    this.applyLogLevel(this.logLevels.set(session, level));
  }

  logLevelOf(session: string): LoggingLevel | undefined {
    return this.logLevels.of(session);
  }

  closeSession(session: string): void {
    this.applyLogLevel(this.logLevels.drop(session));
  }

  /** Whether `principal` may see `server`'s log lines sent outside its calls: it may call one of the server's tools. */
  maySeeLogsOf(principal: Principal | undefined, server: string): boolean {
    return this.deps.catalog.forServer(server).some((tool) => this.deps.access.mayCall(principal, tool));
  }

  private follow(supervisor: ServerSupervisor): void {
    supervisor.on('listChanged', (kind) => {
      if (kind === 'prompts') this.promptListings.delete(supervisor.name);
      this.emit('listChanged', kind);
    });
    supervisor.on('resourceUpdated', (uri) => this.emit('resourceUpdated', supervisor.name, exposedUri(supervisor.namespace, uri)));
    supervisor.on('log', (params) => this.emit('log', supervisor.name, params));
    supervisor.on('connected', (connection) => this.adopt(supervisor, connection));
  }

  /** A server (re)connected: what sessions asked of it before is asked again, and its lists are news. */
  private adopt(supervisor: ServerSupervisor, connection: DownstreamConnection): void {
    this.promptListings.delete(supervisor.name);
    const log = this.deps.logger.child({ server: supervisor.name });
    void supervisor
      .use(async (_, { timeoutMs }) => {
        const level = this.logLevels.mostVerbose();
        if (level && connection.capabilities.logging) await connection.setLoggingLevel(level, timeoutMs);
        if (connection.capabilities.resources?.subscribe) {
          await Promise.all(this.subscriptions.held(supervisor.name).map((uri) => connection.subscribe(uri, timeoutMs)));
        }
      })
      .catch((error: unknown) => log.warn({ err: error }, 'could not restore the logging level or subscriptions'));
    if (connection.capabilities.resources) this.emit('listChanged', 'resources');
    if (connection.capabilities.prompts) this.emit('listChanged', 'prompts');
  }

  private applyLogLevel(level: LoggingLevel | undefined): void {
    if (!level) return;
    for (const supervisor of this.deps.downstream.servers()) {
      const connection = supervisor.readyConnection;
      if (!connection?.capabilities.logging) continue;
      void supervisor
        .use((_, { timeoutMs }) => connection.setLoggingLevel(level, timeoutMs))
        .catch((error: unknown) => this.deps.logger.warn({ err: error, server: supervisor.name }, 'could not set the logging level'));
    }
  }

  /** One listing across every ready server that offers `capability`; a server that fails is left out and logged. */
  private async gather<T>(
    capability: 'resources' | 'prompts',
    list: (supervisor: ServerSupervisor, connection: DownstreamConnection, settings: RequestSettings) => Promise<T[]>,
  ): Promise<T[]> {
    const lists = await Promise.all(
      this.deps.downstream.servers().map(async (supervisor) => {
        const connection = supervisor.readyConnection;
        if (!connection?.capabilities[capability]) return [];
        try {
          return await supervisor.use((ready, settings) => list(supervisor, ready, settings));
        } catch (error) {
          this.deps.logger.warn({ err: error, server: supervisor.name }, `${capability} listing failed; the server's are left out`);
          return [];
        }
      }),
    );
    return lists.flat();
  }

  private promptsOf(supervisor: ServerSupervisor): Promise<Prompt[]> {
    let listing = this.promptListings.get(supervisor.name);
    if (!listing) {
      listing = supervisor.use((connection, settings) => connection.listPrompts(settings.timeoutMs, settings.limits));
      this.promptListings.set(supervisor.name, listing);
      listing.catch(() => this.promptListings.delete(supervisor.name));
    }
    return listing;
  }

  private async findPrompt(exposed: string): Promise<{ supervisor: ServerSupervisor; prompt: Prompt }> {
    const owner = promptOwner(this.namespaced(), exposed);
    const supervisor = owner && this.deps.downstream.server(owner.name);
    const prompt = supervisor && (await this.promptsOf(supervisor)).find((candidate) => exposedPromptName(supervisor.namespace, candidate.name) === exposed);
    if (!supervisor || !prompt) throw protocolError(ErrorCode.InvalidParams, `unknown prompt "${exposed}"`);
    return { supervisor, prompt };
  }

  private resourceOwner(uri: string): ServerSupervisor {
    const resolved = resolveUri(this.namespaced(), uri);
    const supervisor = resolved && this.deps.downstream.server(resolved.server);
    if (!supervisor) throw protocolError(ErrorCode.InvalidParams, `no server offers the resource "${uri}" (namespaced URIs start with toolscope://NAMESPACE/)`);
    return supervisor;
  }

  private serverUri(uri: string): string {
    return resolveUri(this.namespaced(), uri)!.uri;
  }

  private namespaced() {
    return this.deps.downstream.servers().map((supervisor) => ({ name: supervisor.name, namespace: supervisor.namespace }));
  }

  /** Through the pipeline; a refusal is answered as a JSON-RPC error, a downstream failure names the server. */
  private async run(requester: Requester, target: CatalogTool, args: Record<string, unknown>, request: string) {
    const { trace } = requester;
    trace?.annotate(callAttributes(target));
    try {
      return await this.deps.read({
        callId: randomUUID(),
        principal: requester.principal,
        tool: target,
        arguments: args,
        signal: requester.signal,
        client: {},
        decisions: [],
        startedAt: Date.now(),
        ...(trace && { trace }),
      });
    } catch (error) {
      if (error instanceof CallRefused) throw refusalError(error, request);
      // The server's own error (resource not found, invalid params) reaches the client as the server sent it.
      if (error instanceof McpError) throw error;
      const reason = errorMessage(error);
      throw protocolError(ErrorCode.InternalError, `server "${target.server}" failed: ${reason}`);
    }
  }
}
