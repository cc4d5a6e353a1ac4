/**
 * Every handler prints the per-target metrics it counted however it ends, and a metrics failure never fails an
 * invocation whose work is done.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import type { PowertoolsTelemetry } from '../../lib/observability/powertools.js';
import { publishingTargetMetrics } from '../../lib/wiring/container.js';

const telemetryWith = (publish: () => void) =>
  ({ publishTargetMetrics: vi.fn(publish) }) as unknown as PowertoolsTelemetry;

describe('publishingTargetMetrics', () => {
  it('publishes after the handler answers and after it throws, keeping its answer and its error', async () => {
    const telemetry = telemetryWith(() => {});
    const logger = new Logger({ logLevel: 'SILENT' });
    const ok = publishingTargetMetrics(async (n: number) => n + 1, telemetry, logger);
    const failing = publishingTargetMetrics(
      async () => {
        throw new Error('records left');
      },
      telemetry,
      logger,
    );

    expect(await ok(1, {})).toBe(2);
    await expect(failing(1, {})).rejects.toThrow('records left');
    expect(telemetry.publishTargetMetrics).toHaveBeenCalledTimes(2);
  });

  it('logs a metrics failure instead of failing the invocation', async () => {
    const logger = new Logger({ logLevel: 'SILENT' });
    const error = vi.spyOn(logger, 'error');
    const handler = publishingTargetMetrics(
      async () => 'handed off',
      telemetryWith(() => {
        throw new Error('EMF refused');
      }),
      logger,
    );

    expect(await handler(undefined, {})).toBe('handed off');
    expect(error).toHaveBeenCalledWith('per-target metrics not published', expect.anything());
  });
});
