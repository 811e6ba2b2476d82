// Written by `npm run eval:ranking` (eval/ranking-study.ts); the report is eval/reports/confidence-calibration.md.
import type { ConfidenceModel } from './confidence.js';

export const CONFIDENCE_CALIBRATION: { readonly models: Readonly<Record<string, ConfidenceModel>> } = {
  models: {
    "bm25": {
      "intercept": -5.1581,
      "lexical": 0.7645
    },
    "hybrid:use-lite": {
      "intercept": -5.4346,
      "lexical": 0.6635,
      "dense": 1.8395
    }
  },
};
