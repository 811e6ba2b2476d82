import { CONFIDENCE_CALIBRATION } from './confidence-calibration.js';
import type { RetrieverKind } from './tool-index.js';
import type { RetrievalSignals, ScoredTool } from './types.js';

/**
 * What the confidence model reads of a found tool. A raw score says little on its own (a cosine of 0.5 is a clear
 * winner for one request and the best of a poor lot for another), so each side's score is also measured against the
 * other candidates of the same search: the standard query-performance-prediction signals, reduced to the two that
 * helped on held-out queries (eval/reports/models/<model>/confidence-calibration.md lists those that did not).
 */
export interface ConfidenceFeatures {
  /** log(1 + BM25 score). */
  readonly lexical: number;
  /** The query-tool cosine (0 when the dense side did not rank the tool). */
  readonly dense: number;
  /** log(1 + BM25) above that of the fifth best lexical candidate: how far the tool stands out by its words. */
  readonly lexicalLead: number;
  /** The cosine above the mean cosine of the dense candidates: how far the tool stands out by meaning. */
  readonly denseLead: number;
}

export type ConfidenceFeature = keyof ConfidenceFeatures;

/**
 * A logistic model of "this tool is one the request needs": an intercept and a weight per feature it reads. A
 * feature without a weight is not read (the BM25 model reads no dense feature; a model fitted before the lead
 * features existed reads raw scores only).
 */
export type ConfidenceModel = { readonly intercept: number; readonly lexical: number } & Partial<Record<ConfidenceFeature, number>>;

/**
 * Below this confidence the best match is reported as no good match. Kept at 0.2 with the ranking-level model
 * (eval/reports/models/all-MiniLM-L6-v2-q8/confidence-calibration.md, threshold table): held out, Youden's J is
 * within noise from 0.2 to 0.3 (mean 0.426 at 0.2, 0.433 at 0.25, 0.446 at 0.3), and a higher threshold turns plain
 * requests away with the offline use-lite embedder ("list the files in a directory" scores 0.24 on a filesystem and
 * memory gateway).
 */
export const GOOD_MATCH = 0.2;

export type MatchQuality = 'good' | 'none';

/**
 * The calibrated model for a retriever kind and embedder: one fitted for that embedder when the calibration has it
 * (hybrid and dense read the cosine), else the lexical-only one, which reads what every ranking here carries.
 */
export function confidenceModel(kind: RetrieverKind, embedderId: string | undefined): ConfidenceModel {
  const fitted = embedderId === undefined || kind === 'bm25' ? undefined : CONFIDENCE_CALIBRATION.models[`${kind}:${embedderId}`];
  return fitted ?? CONFIDENCE_CALIBRATION.models.bm25!;
}

/**
 * What one search's lexical candidates (best first, as many as the search ranks: FUSION_CANDIDATES) say about any
 * BM25 score: the fifth best, 0 when fewer tools matched a query word.
 */
export function lexicalReference(candidates: readonly ScoredTool[]): Pick<RetrievalSignals, 'lexicalFifth'> {
  return { lexicalFifth: candidates[4]?.score ?? 0 };
}

/** What one search's dense candidates say about any cosine: their mean (none when there were no candidates). */
export function denseReference(candidates: readonly ScoredTool[]): Pick<RetrievalSignals, 'denseMean'> {
  if (candidates.length === 0) return {};
  return { denseMean: candidates.reduce((sum, { score }) => sum + score, 0) / candidates.length };
}

export function confidenceFeatures(signals: RetrievalSignals | undefined): ConfidenceFeatures {
  const lexical = Math.log1p(signals?.lexical ?? 0);
  const dense = signals?.dense ?? 0;
  return {
    lexical,
    dense,
    lexicalLead: lexical - Math.log1p(signals?.lexicalFifth ?? 0),
    denseLead: dense - (signals?.denseMean ?? 0),
  };
}

/**
 * Probability (0..1) that a found tool is one the request needs, from its signals. A tool doing what the request's
 * verb asks in the domain the verb names is at least a good match: the model sees only word and vector similarity,
 * and "remember that Alice works at Acme" shares neither with the memory server's `create_entities`. That floor is a
 * rule, not a fit (these requests are too few in the eval suites to calibrate on).
 */
export function confidence(signals: RetrievalSignals | undefined, model: ConfidenceModel): number {
  const features = confidenceFeatures(signals);
  let logit = model.intercept;
  for (const feature of Object.keys(features) as ConfidenceFeature[]) logit += (model[feature] ?? 0) * features[feature];
  const calibrated = 1 / (1 + Math.exp(-logit));
  return signals?.doesImpliedAction ? Math.max(calibrated, GOOD_MATCH) : calibrated;
}

/**
 * How likely a search found what the request asks for, from its results' confidences: the whole request's best
 * result (decomposition ranks it first), or, when every action of a request of several has a better best of its own,
 * the weakest action's best. The weakest action alone, as before, said "no good match" for most requests that
 * decomposition splits, whether or not the five results held a relevant tool: a step is often a fragment ("Please use
 * these details.") or one of several sentences of a single-tool request, and scores low whatever is found
 * (eval/reports/models/all-MiniLM-L6-v2-q8/confidence-calibration.md, as served). `undefined` for no results.
 */
export function requestConfidence(found: readonly ConfidentResult[]): number | undefined {
  const [first] = found;
  return first === undefined ? undefined : Math.max(first.confidence, weakestStepBest(found)!);
}

/** A found tool's confidence and, for a request of several actions, the action it was found for (0: the whole). */
export interface ConfidentResult {
  readonly confidence: number;
  readonly step?: number;
}

/** The lowest of each action's best confidence (with one action: the best); `undefined` for no results. */
export function weakestStepBest(found: readonly ConfidentResult[]): number | undefined {
  if (found.length === 0) return undefined;
  return Math.min(...bestByStep(found).values());
}

/** The actions (1-based) of a request of several whose best tool is no good match; none for a request of one action. */
export function stepsWithoutGoodMatch(found: readonly ConfidentResult[]): number[] {
  const best = bestByStep(found);
  if (best.has(0)) return [];
  return [...best].filter(([, confidence]) => matchQuality(confidence) === 'none').map(([step]) => step).sort((a, b) => a - b);
}

/** Each action's best confidence; the whole request's (step 0) only when it was not split into actions. */
function bestByStep(found: readonly ConfidentResult[]): Map<number, number> {
  const best = new Map<number, number>();
  for (const { step = 0, confidence } of found) best.set(step, Math.max(best.get(step) ?? 0, confidence));
  if (best.size > 1) best.delete(0);
  return best;
}

export function matchQuality(best: number | undefined): MatchQuality {
  return best !== undefined && best >= GOOD_MATCH ? 'good' : 'none';
}
