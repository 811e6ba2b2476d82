import { CONFIDENCE_CALIBRATION } from './confidence-calibration.js';
import type { RetrieverKind } from './tool-index.js';
import type { RetrievalSignals } from './types.js';

/** A logistic model of "this tool is one the request needs", over a found tool's raw retrieval scores. */
export interface ConfidenceModel {
  readonly intercept: number;
  /** Weight of log(1 + BM25 score). */
  readonly lexical: number;
  /** Weight of the query-tool cosine; only in models fitted for one embedder. */
  readonly dense?: number;
}

/** Below this confidence the best match is reported as no good match (eval/reports/confidence-calibration.md). */
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

/** Probability (0..1) that a found tool is one the request needs, from its raw scores. */
export function confidence(signals: RetrievalSignals | undefined, model: ConfidenceModel): number {
  const logit =
    model.intercept +
    model.lexical * Math.log1p(signals?.lexical ?? 0) +
    (model.dense !== undefined ? model.dense * (signals?.dense ?? 0) : 0);
  return 1 / (1 + Math.exp(-logit));
}

export function matchQuality(best: number | undefined): MatchQuality {
  return best !== undefined && best >= GOOD_MATCH ? 'good' : 'none';
}
