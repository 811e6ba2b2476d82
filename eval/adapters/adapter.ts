import type { EvalQuery, EvalTool } from '../../src/eval/dataset-format.js';

/** A public benchmark converted to the canonical eval format. */
export interface ConvertedDataset {
  readonly tools: EvalTool[];
  readonly queries: EvalQuery[];
  /** What the conversion left out or merged, with counts; goes into the report. */
  readonly notes: string[];
}

export interface DatasetAdapter {
  /** Name of the converted dataset: cache folder and report file name. */
  readonly name: string;
  /** Folder under the shared datasets root that it reads. */
  readonly source: string;
  /** Which files and split it uses and how relevance is defined. */
  readonly description: string;
  convert(sourceDir: string): Promise<ConvertedDataset>;
}
