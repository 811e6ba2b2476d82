/**
 * Per-query score accumulator over document slots, reused across queries so a search allocates nothing per
 * matched document: a stamp per slot says whether its entries belong to the current query (and term), so nothing
 * is cleared between queries. Scores are BM25 sums times the number of distinct query terms matched.
 */
export class ScoreBoard {
  private sums = new Float64Array(0);
  private matchedTerms = new Uint32Array(0);
  private queryStamps = new Uint32Array(0);
  private termStamps = new Uint32Array(0);
  private order = new Int32Array(0);
  private touchedCount = 0;
  private query = 0;
  private term = 0;

  /** Begins a query over slots `0 .. slots - 1`. */
  start(slots: number): void {
    if (slots > this.sums.length) this.grow(slots);
    if (this.query >= STAMP_LIMIT || this.term >= STAMP_LIMIT) this.resetStamps();
    this.query++;
    this.touchedCount = 0;
  }

  /** The following `add` calls are for the next distinct query term. */
  nextTerm(): void {
    this.term++;
  }

  add(slot: number, value: number): void {
    if (this.queryStamps[slot] !== this.query) {
      this.queryStamps[slot] = this.query;
      this.sums[slot] = 0;
      this.matchedTerms[slot] = 0;
      this.order[this.touchedCount++] = slot;
    }
    if (this.termStamps[slot] !== this.term) {
      this.termStamps[slot] = this.term;
      this.matchedTerms[slot]!++;
    }
    this.sums[slot]! += value;
  }

  /** Slots that matched any term of the current query, in the order they first matched. */
  touched(): Int32Array {
    return this.order.subarray(0, this.touchedCount);
  }

  score(slot: number): number {
    return this.sums[slot]! * this.matchedTerms[slot]!;
  }

  /** Only between queries: zeroed stamps belong to no query yet, so nothing needs copying. */
  private grow(slots: number): void {
    const capacity = Math.max(slots, this.sums.length * 2, 64);
    this.sums = new Float64Array(capacity);
    this.matchedTerms = new Uint32Array(capacity);
    this.queryStamps = new Uint32Array(capacity);
    this.termStamps = new Uint32Array(capacity);
    this.order = new Int32Array(capacity);
  }

  private resetStamps(): void {
    this.queryStamps.fill(0);
    this.termStamps.fill(0);
    this.query = 0;
    this.term = 0;
  }
}

/** Stamps restart from 0 well before they would overflow 32 bits (a query has far fewer than 2^31 terms). */
const STAMP_LIMIT = 2 ** 31;
