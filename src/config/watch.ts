import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { loadConfig, type LoadedConfig } from './load.js';

export interface ConfigWatchHandlers {
  /** A new, valid version of the file. */
  readonly changed: (loaded: LoadedConfig) => Promise<unknown> | void;
  /** A new version that cannot be used (invalid JSON, unknown keys, ...): the error lists every problem. */
  readonly refused: (error: Error) => void;
}

/** Edits usually come in bursts (an editor's save, a rename after a write): read the file once they settle. */
const SETTLE_MS = 150;

/**
 * Follows edits of the config file while serving, by hand or by `toolscope add/remove/enable/disable`. The folder is
 * watched, not the file: atomic edits replace the file, and a watch on the old one would hear nothing more.
 * A version whose text did not change (a touch, a rewrite with the same content) is not reported.
 */
export class ConfigWatcher {
  private readonly watcher: FSWatcher;
  private timer: NodeJS.Timeout | undefined;
  private lastText: string | undefined;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly handlers: ConfigWatchHandlers,
  ) {
    const name = basename(path);
    this.watcher = watch(dirname(path), (_event, file) => {
      if (file === name) this.schedule();
    });
  }

  /** Remembers the text the running config was loaded from, so only real edits count. */
  async start(): Promise<void> {
    this.lastText = await readFile(this.path, 'utf8').catch(() => undefined);
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher.close();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.reading = this.reading.then(() => this.reload());
    }, SETTLE_MS);
  }

  private async reload(): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch(() => undefined);
    // Gone for a moment (an editor's save by delete and create): the next event brings it back.
    if (text === undefined || text === this.lastText) return;
    this.lastText = text;
    try {
      const loaded = await loadConfig(this.path);
      await this.handlers.changed(loaded);
    } catch (error) {
      this.handlers.refused(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
