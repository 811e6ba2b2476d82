import type { ScoredTool } from './types.js';

/** Keeps the `limit` best-scoring items seen so far, best first; cheap for the small k retrieval asks for. */
export class TopK {
  private readonly items: ScoredTool[] = [];

  constructor(private readonly limit: number) {}

  /** Lowest score that would still enter: lets a caller skip work for hopeless candidates. */
  get threshold(): number {
    return this.items.length < this.limit ? -Infinity : this.items[this.items.length - 1]!.score;
  }

  offer(id: string, score: number): void {
    if (this.limit <= 0 || score <= this.threshold) return;
    let position = this.items.length;
    while (position > 0 && this.items[position - 1]!.score < score) position--;
    this.items.splice(position, 0, { id, score });
    if (this.items.length > this.limit) this.items.pop();
  }

  result(): ScoredTool[] {
    return [...this.items];
  }
}
