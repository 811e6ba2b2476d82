// Written by `npm run eval:ranking` (eval/ranking-study.ts); the report is eval/reports/confidence-calibration.md.
import type { ConfidenceModel } from './confidence.js';

export const CONFIDENCE_CALIBRATION: { readonly models: Readonly<Record<string, ConfidenceModel>> } = {
  models: {
    bm25: { intercept: -2, lexical: 0.8 },
  },
};
