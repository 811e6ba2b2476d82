import type { Redis } from 'ioredis';
import type { BucketAnswer, BucketDraw, RateBuckets } from '../rate-buckets.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * Takes one token from each bucket in KEYS or from none, atomically (a script runs alone in Redis). ARGV holds
 * capacity and refill per second for each key, in order. Time is Redis's own clock, so replicas whose clocks
 * disagree still share one bucket. A bucket is a hash {tokens, at}; it expires once it would be full again anyway.
 * Returns an empty array when taken, else the seconds each bucket needs for a token ("0" when it has one).
 */
const DRAW_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local levels, waits, refused = {}, {}, false
for i, key in ipairs(KEYS) do
  local capacity, rate = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local stored = redis.call('HMGET', key, 'tokens', 'at')
  local level, at = tonumber(stored[1]), tonumber(stored[2])
  if level == nil or at == nil then level, at = capacity, now end
  level = math.min(capacity, level + math.max(0, now - at) / 1000 * rate)
  levels[i] = level
  if level < 1 then
    waits[i] = tostring((1 - level) / rate)
    refused = true
  else
    waits[i] = '0'
  end
end
if refused then return waits end
for i, key in ipairs(KEYS) do
  local capacity, rate = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('HSET', key, 'tokens', tostring(levels[i] - 1), 'at', now)
  redis.call('PEXPIRE', key, math.ceil(capacity / rate * 1000) + 1000)
end
return {}
`;

type DrawCommand = (keyCount: number, ...keysAndArgs: Array<string | number>) => Promise<string[]>;

/** Token buckets in Redis: every replica draws on the same ones, so a limit holds across all of them together. */
export class RedisRateBuckets implements RateBuckets {
  constructor(private readonly redis: RedisConnection) {
    redis.commands.defineCommand('toolscopeDrawBuckets', { lua: DRAW_SCRIPT });
  }

  draw(draws: readonly BucketDraw[]): Promise<BucketAnswer> {
    return this.redis.run(async (commands) => {
      if (draws.length === 0) return { taken: true };
      const keys = draws.map(({ key }) => this.redis.key(`rate:${key}`));
      const args = draws.flatMap(({ limit }) => [limit.capacity, limit.refillPerSecond]);
      const waits = await drawCommand(commands)(keys.length, ...keys, ...args);
      return waits.length === 0 ? { taken: true } : { taken: false, waitSeconds: waits.map(Number) };
    });
  }
}

function drawCommand(commands: Redis): DrawCommand {
  return (commands as unknown as { toolscopeDrawBuckets: DrawCommand }).toolscopeDrawBuckets.bind(commands);
}
