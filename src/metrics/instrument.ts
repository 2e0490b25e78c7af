/**
 * Decorators that instrument the boundaries without touching the code behind them: a provider
 * (every network call: latency, outcome, and a health signal for the alerts) and the job
 * messenger (delivery outcomes).
 */
import type { JobMessenger } from '../jobs/ports.js';
import { ProviderError, type VideoProvider } from '../providers/types.js';
import type { Metrics } from './types.js';

/** The provider calls that go over the network, with their operation label. */
const OPERATIONS: Record<string, string> = {
  submit: 'submit',
  findTask: 'find_task',
  getStatus: 'get_status',
  getAccountCredits: 'credit',
};

/** Told about every provider call's result (the alerts' provider health). */
export type ProviderCallObserver = (provider: string, operation: string, error: ProviderError | null) => void;

/**
 * Wraps the network methods of `provider` (and any extra ones such as KIE's getAccountCredits);
 * everything else passes through unchanged. A thrown error is classified with the provider's
 * own classifyError for the label and rethrown untouched.
 */
export function instrumentProvider<P extends VideoProvider>(provider: P, metrics: Metrics, observe?: ProviderCallObserver): P {
  const wrapped = new Map<string | symbol, unknown>();
  return new Proxy(provider, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      const operation = typeof property === 'string' ? OPERATIONS[property] : undefined;
      if (!operation || typeof value !== 'function') return value;
      let fn = wrapped.get(property);
      if (!fn) {
        fn = async (...args: unknown[]) => {
          const started = performance.now();
          try {
            const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            metrics.providerRequest(target.id, operation, 'ok', (performance.now() - started) / 1000);
            observe?.(target.id, operation, null);
            return result;
          } catch (error) {
            let classified: ProviderError;
            try {
              classified = target.classifyError(error);
            } catch {
              classified = new ProviderError('unclassified', 'final', 'unknown');
            }
            metrics.providerRequest(target.id, operation, classified.errorClass, (performance.now() - started) / 1000, classified.code);
            observe?.(target.id, operation, classified);
            throw error;
          }
        };
        wrapped.set(property, fn);
      }
      return fn;
    },
  });
}

/** Counts each delivery attempt's outcome; every other messenger method passes through. */
export function instrumentMessenger<M extends JobMessenger>(messenger: M, metrics: Metrics): M {
  const deliver: JobMessenger['deliver'] = async (job, video) => {
    try {
      const outcome = await messenger.deliver(job, video);
      metrics.delivery(outcome.kind === 'retry' ? 'failed' : outcome.kind);
      return outcome;
    } catch (error) {
      metrics.delivery('failed');
      throw error;
    }
  };
  return new Proxy(messenger, {
    get: (target, property, receiver) => (property === 'deliver' ? deliver : Reflect.get(target, property, receiver)),
  });
}

/** The provider registry's shape, as far as instrumenting it needs. */
export interface ProviderSource<P extends VideoProvider = VideoProvider> {
  get(id: string): P | undefined;
  all(): P[];
}

/**
 * The same registry with every provider instrumented (each wrapped once); every other member
 * of the registry passes through.
 */
export function instrumentRegistry<R extends ProviderSource>(registry: R, metrics: Metrics, observe?: ProviderCallObserver): R {
  const wrapped = new Map<VideoProvider, VideoProvider>();
  const wrap = (provider: VideoProvider | undefined) => {
    if (!provider) return undefined;
    let w = wrapped.get(provider);
    if (!w) {
      w = instrumentProvider(provider, metrics, observe);
      wrapped.set(provider, w);
    }
    return w;
  };
  return new Proxy(registry, {
    get(target, property, receiver) {
      if (property === 'get') return (id: string) => wrap(target.get(id));
      if (property === 'all') return () => target.all().map((p) => wrap(p)!);
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
