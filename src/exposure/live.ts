import type { ExposureConfig } from './config.js';
import type { ExposureMode, ExposureSession } from './types.js';

/**
 * The exposure mode the config names now. When an edit of `exposure` replaces it while serving, every open session
 * switches to the new mode at once and is told its tool list changed; a dynamic session's found tools start over.
 * A call already resolved in the old mode finishes there.
 */
export class LiveExposure implements ExposureMode {
  private mode: ExposureMode;
  /** Each open session's way to switch to another mode. */
  private readonly switches = new Set<(mode: ExposureMode) => void>();

  constructor(
    config: ExposureConfig,
    private readonly create: (config: ExposureConfig) => ExposureMode,
  ) {
    this.mode = create(config);
  }

  get name(): string {
    return this.mode.name;
  }

  reconfigure(config: ExposureConfig): void {
    this.mode = this.create(config);
    for (const switchTo of this.switches) switchTo(this.mode);
  }

  openSession(peer: Parameters<ExposureMode['openSession']>[0]): ExposureSession {
    let inner = this.mode.openSession(peer);
    const switchTo = (mode: ExposureMode) => {
      inner.close();
      inner = mode.openSession(peer);
      peer.notifyToolsChanged();
    };
    this.switches.add(switchTo);
    return {
      listTools: (request) => inner.listTools(request),
      resolveCall: (name) => inner.resolveCall(name),
      closestNames: (name) => inner.closestNames(name),
      close: () => {
        this.switches.delete(switchTo);
        inner.close();
      },
    };
  }
}
