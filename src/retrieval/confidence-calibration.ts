// Written by `npm run eval:ranking` (eval/ranking-study.ts), one embedder per run; the reports are
// confidence-calibration.md in eval/reports (use-lite) and in eval/reports/models/<model> (transformers models).
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
    },
    "hybrid:transformers:Xenova/all-MiniLM-L6-v2:q8": {
      "intercept": -4.3549,
      "lexical": 0.5,
      "dense": 1.9317
    }
  },
};
