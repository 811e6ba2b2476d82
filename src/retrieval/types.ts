/** What the retrieval index needs of a tool; built from a CatalogTool (id = exposedName) or an eval catalog line. */
export interface IndexableTool {
  readonly id: string;
  readonly server: string;
  /** What the server is for, in the admin's words (config `servers.<name>.description`): indexed with each tool. */
  readonly serverDescription?: string;
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
  /** Content hash: the embedding cache key. */
  readonly hash: string;
}

/** The raw scores behind a ranked tool: what the confidence estimate reads (src/retrieval/confidence.ts). */
export interface RetrievalSignals {
  /** BM25 score; 0 when the tool matched no query term. */
  readonly lexical?: number;
  /** Cosine similarity of the query and tool embeddings. */
  readonly dense?: number;
  /**
   * The same search's fifth best BM25 score (`confidence.ts`, lexicalReference): the same for every tool of one
   * ranking, and carried by each because later stages reorder, merge and cut rankings.
   */
  readonly lexicalFifth?: number;
  /** The mean cosine of the same search's dense candidates (`confidence.ts`, denseReference); as `lexicalFifth`. */
  readonly denseMean?: number;
  /**
   * The tool is of the domain the request's verb names and does what the verb asks (`implied-domain.ts`: the memory
   * server's create tools for "remember that …"), which no word or vector similarity shows.
   */
  readonly doesImpliedAction?: boolean;
}

export interface ScoredTool {
  readonly id: string;
  readonly score: number;
  readonly signals?: RetrievalSignals;
  /** For a request of several actions: the action (1-based) this tool was found for; 0 for the whole request. */
  readonly step?: number;
}

export interface SearchOptions {
  readonly limit: number;
  /** Applied before the top-k cut: only tools the caller may call compete for the k places. */
  readonly filter?: (id: string) => boolean;
}

export interface Retriever {
  readonly name: string;
  search(query: string, options: SearchOptions): Promise<ScoredTool[]>;
}

/** What a later ranking stage works from: the ranking before it, and the indexed tools by id. */
export interface RankingStageParts {
  readonly base: Retriever;
  readonly tool: (id: string) => IndexableTool | undefined;
}
