import type { QueryEntry } from '../format.js';
import { directQueries } from './direct.js';
import { multiToolQueries } from './multi-tool.js';
import { crossServiceQueries, deleteVsArchiveQueries, listVsGetQueries, readVsWriteQueries } from './near-miss.js';
import { paraphraseQueries } from './paraphrase.js';
import { referenceDirectQueries, referenceMultiToolQueries, referenceNearMissQueries, referenceParaphraseQueries } from './reference-servers.js';

/** Every labelled query, in file order. */
export function allQueries(): QueryEntry[] {
  return [
    ...directQueries,
    ...paraphraseQueries,
    ...multiToolQueries,
    ...readVsWriteQueries,
    ...crossServiceQueries,
    ...listVsGetQueries,
    ...deleteVsArchiveQueries,
    ...referenceDirectQueries,
    ...referenceParaphraseQueries,
    ...referenceNearMissQueries,
    ...referenceMultiToolQueries,
  ];
}
