// Written by `npm run eval:ranking` (eval/ranking-study.ts), one embedder per run; the reports are
// confidence-calibration.md in eval/reports (use-lite) and in eval/reports/models/<model> (transformers models).
import type { ConfidenceModel } from './confidence.js';

export const CONFIDENCE_CALIBRATION: { readonly models: Readonly<Record<string, ConfidenceModel>> } = {
  models: {
    "bm25": {
      "intercept": -6.521,
      "lexical": 0.7501,
      "lexicalLead": 1.3771
    },
    "hybrid:use-lite": {
      "intercept": -6.0021,
      "lexical": 0.7309,
      "dense": 0.0794,
      "lexicalLead": 1.0309,
      "denseLead": 2.1287
    },
    "hybrid:transformers:Xenova/all-MiniLM-L6-v2:q8": {
      "intercept": -4.3496,
      "lexical": 0.4821,
      "dense": -1.397,
      "lexicalLead": 0.403,
      "denseLead": 7.243
    },
    "dense:transformers:Xenova/all-MiniLM-L6-v2:q8": {
      "intercept": -3.9732,
      "lexical": 0,
      "dense": 1.5656,
      "denseLead": 9.0494
    },
    "dense:use-lite": {
      "intercept": -6.6013,
      "lexical": 0,
      "dense": 5.6357,
      "denseLead": 9.3989
    }
  },
};
