import type { DatasetAdapter } from './adapter.js';
import { bfclMultiple } from './bfcl-multiple.js';
import { gorillaHuggingFace, gorillaTensorFlowHub, gorillaTorchHub } from './gorilla-apibench.js';
import { metatoolMulti, metatoolSingle } from './metatool.js';
import { sealTools } from './seal-tools.js';
import { stableToolBench } from './stabletoolbench.js';

/** Every public benchmark the eval converts, in report order. */
export const publicDatasetAdapters: readonly DatasetAdapter[] = [
  metatoolSingle,
  metatoolMulti,
  sealTools,
  stableToolBench,
  bfclMultiple,
  gorillaTorchHub,
  gorillaTensorFlowHub,
  gorillaHuggingFace,
];
