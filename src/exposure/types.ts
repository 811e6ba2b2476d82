import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool } from '../catalog/tool.js';
import type { Principal } from '../policy/auth/principal.js';

/** A `tools/list` request; `query` is the draft SEP-1821 field asking for the tools relevant to a task. */
export interface ToolListRequest {
  readonly query?: string;
}

/** What a meta tool may do on behalf of the caller of its session. */
export interface MetaCallScope {
  readonly principal: Principal | undefined;
  readonly signal: AbortSignal;
  /** Runs a catalog tool through the full call pipeline, exactly like a direct `tools/call`. */
  callTool(exposedName: string, args: Record<string, unknown>): Promise<CallToolResult>;
}

/** A tool toolscope itself provides (`search_tools`, `call_tool`), answered without the downstream pipeline. */
export interface MetaTool {
  readonly definition: Tool;
  run(args: Record<string, unknown>, scope: MetaCallScope): Promise<CallToolResult>;
}

/** What a `tools/call` name means in one session. */
export type ToolResolution =
  | { readonly kind: 'catalog'; readonly tool: CatalogTool }
  | { readonly kind: 'meta'; readonly tool: MetaTool };

/** The part of a client session an exposure mode sees. */
export interface SessionPeer {
  readonly id: string;
  readonly principal: Principal | undefined;
  /** Sends `notifications/tools/list_changed` to this session only. */
  notifyToolsChanged(): void;
}

/** One session's view of the catalog; may hold per-session state (tools added to this session only). */
export interface ExposureSession {
  listTools(request: ToolListRequest): Promise<Tool[]>;
  /** `undefined` when the name means nothing in this session. */
  resolveCall(name: string): ToolResolution | undefined;
  /** For a name `resolveCall` knows nothing of: the names of tools the caller may call it most likely meant. */
  closestNames(name: string): string[];
  close(): void;
}

/** How clients see the catalog: every tool, a search meta tool, or tools added per session. */
export interface ExposureMode {
  readonly name: string;
  openSession(peer: SessionPeer): ExposureSession;
}
