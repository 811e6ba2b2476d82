import type { Catalog, CatalogChange } from '../../catalog/catalog.js';
import type { RetrievalConfig } from '../../config/retrieval.js';
import type { Logger } from '../../log.js';
import type { CatalogSearch } from '../../retrieval/catalog-search.js';
import type { ToolPinning } from './tool-pinning.js';

/**
 * Retrieval hijack check: a new or changed tool whose description is written to win searches ("use me for files,
 * email, anything") would take requests other tools answered. After each catalog change the recent searches (kept in
 * the state across restarts) whose tool is still here are replayed; a tool that now takes the top rank of at least
 * `minRequests` of them, and at least `share` of those replayed, that another tool answered before, is quarantined
 * for review (kind `hijack`) like a changed description. Searches whose tool is away (its server down or not yet
 * connected) cannot be replayed: the tools checked without them are checked again when tools arrive, so once that
 * tool is back its searches count.
 * Runs after the change is indexed, so the tool is searchable for that moment: typically milliseconds, and up to the
 * servers' first connection at start (`holdUntil`).
 */
export class RetrievalHijackCheck {
  private checks: Promise<void> = Promise.resolve();
  /** Tools that arrived while the servers first connect, checked together once they have (`holdUntil`). */
  private held: string[] | undefined;
  /** Tools checked while some searches could not be replayed (their tool away): checked again at the next arrivals. */
  private uncheckedAgainst = new Set<string>();

  constructor(
    private readonly catalog: Catalog,
    private readonly search: Pick<CatalogSearch, 'recentSearches' | 'replayTop'>,
    private readonly pinning: Pick<ToolPinning, 'holdForReview' | 'quarantined'>,
    /** `retrieval.hijackCheck` in effect, read at each catalog change: an edit of the config applies while serving. */
    private readonly settings: () => RetrievalConfig['hijackCheck'],
    private readonly logger: Logger,
  ) {}

  attach(): void {
    this.catalog.on('change', (change: CatalogChange) => {
      if (!this.settings().enabled) return;
      const arrived = [...change.added, ...change.changed.map(([, after]) => after)].map((tool) => tool.exposedName);
      if (arrived.length === 0) return;
      if (this.held) this.held.push(...arrived);
      else this.enqueue(arrived);
    });
  }

  /**
   * Holds the tools that arrive until `startup` (the servers' first connection) settles, then checks them in one go.
   * While servers are still connecting the catalog is partial: word weights differ from the whole catalog's and the
   * searches other servers answered cannot be replayed yet; and each server's arrival would replay every search again.
   */
  holdUntil(startup: Promise<void>): void {
    this.held = [];
    void startup.then(() => {
      const arrived = this.held ?? [];
      this.held = undefined;
      if (arrived.length > 0) this.enqueue(arrived);
    });
  }

  private enqueue(arrived: readonly string[]): void {
    this.checks = this.checks.then(async () => void (await this.check(arrived))).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'retrieval hijack check failed');
    });
  }

  /** Resolves when the checks of every change so far are done. */
  settled(): Promise<void> {
    return this.checks;
  }

  /** Replays the recent searches; returns the tools it quarantined. */
  async check(names: readonly string[]): Promise<string[]> {
    const present = (name: string) => this.catalog.get(name) !== undefined && !this.pinning.quarantined(name);
    const candidates = new Set([...names, ...this.uncheckedAgainst].filter(present));
    const mayWin = (tool: { exposedName: string }) => !this.pinning.quarantined(tool.exposedName);
    // Only a search whose tool is here, and may win, can be taken from it. The searches outlive a restart, after
    // which servers connect one by one: the first one's tools would otherwise take those of the servers still to come.
    const searches = await this.search.recentSearches();
    const answerable = searches.filter(({ top }) => present(top));
    const away = answerable.length < searches.length;
    const flagged = await this.flag(candidates, new Map(answerable.map(({ query, top }) => [query, top])), mayWin);
    this.uncheckedAgainst = away ? new Set([...candidates].filter((name) => !flagged.includes(name))) : new Set();
    return flagged;
  }

  /** Quarantines the candidates that now take the top rank of enough of `replays` (request → the tool that answered). */
  private async flag(candidates: ReadonlySet<string>, replays: ReadonlyMap<string, string>, mayWin: (tool: { exposedName: string }) => boolean): Promise<string[]> {
    const { minRequests, share } = this.settings();
    if (candidates.size === 0 || replays.size < minRequests) return [];
    const taken = new Map<string, string[]>();
    for (const [query, before] of replays) {
      const now = await this.search.replayTop(query, mayWin);
      if (now === undefined || now === before || !candidates.has(now)) continue;
      taken.set(now, [...(taken.get(now) ?? []), before]);
    }
    const flagged: string[] = [];
    for (const [name, answeredBy] of taken) {
      if (answeredBy.length < minRequests || answeredBy.length / replays.size < share) continue;
      const others = [...new Set(answeredBy)].slice(0, 5).join(', ');
      const reason =
        `would take the top search rank for ${answeredBy.length} of ${replays.size} recent requests that other tools ` +
        `answered (${others}): a description written to win searches (retrieval hijack)`;
      if (this.pinning.holdForReview(name, 'hijack', [reason])) flagged.push(name);
    }
    return flagged;
  }
}
