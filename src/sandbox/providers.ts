/**
 * The emulated providers of the sandbox (KIE and the official Kling API) and the panel's script
 * for the next task: it succeeds (default), fails, is rejected at submission, or never finishes.
 * A scripted outcome is used by the next task of either provider, then the script goes back to
 * "succeed". Providers with real keys are not emulated and cannot be scripted.
 */
import { FakeKie } from './kie/index.js';
import { FakeKling } from './kling/index.js';

export const NEXT_OUTCOMES = ['succeed', 'fail', 'reject', 'never'] as const;
export type NextOutcome = (typeof NEXT_OUTCOMES)[number];

export interface ProviderPanelState {
  /** Which providers are emulated here ('real' = real keys configured, not scriptable). */
  kie: 'emulated' | 'real' | 'off';
  kling: 'emulated' | 'real' | 'off';
  next: NextOutcome;
  delayMs: number;
}

export interface EmulatedProviders {
  kie: FakeKie | undefined;
  kling: FakeKling | undefined;
  state(): ProviderPanelState;
  setNext(outcome: NextOutcome): void;
  stop(): Promise<void>;
}

export interface EmulatedProvidersOptions {
  emulateKie: boolean;
  emulateKling: boolean;
  realKie: boolean;
  realKling: boolean;
  /** How long an emulated task takes from creation to its result. */
  delayMs: number;
  /** Called when the script changes by itself (the scripted task was created). */
  onChange: () => void;
}

export async function startEmulatedProviders(options: EmulatedProvidersOptions): Promise<EmulatedProviders> {
  const step = Math.max(1, Math.round(options.delayMs / 3));
  const [kie, kling] = await Promise.all([
    // The task moves waiting → queuing → generating → done, one step per `step` ms.
    options.emulateKie ? FakeKie.start({ pollsPerStep: 0, stepMs: step }) : undefined,
    options.emulateKling ? FakeKling.start({ lifecycle: { unit: 'ms', processingAfter: step, finishAfter: Math.max(step, options.delayMs) } }) : undefined,
  ]);
  let next: NextOutcome = 'succeed';
  let baseline = 0;
  let watch: NodeJS.Timeout | undefined;
  const submissions = () => (kie?.count('createTask') ?? 0) + (kling?.requestsFor('create').length ?? 0);

  const disarm = () => {
    kie?.reset();
    if (kling) {
      kling.nextOutcomes.length = 0;
      kling.clearFaults();
    }
    if (watch) clearInterval(watch);
    watch = undefined;
  };

  const arm = (outcome: NextOutcome) => {
    switch (outcome) {
      case 'succeed':
        return;
      case 'fail':
        kie?.nextTaskOutcome('fail', { failCode: '501', failMsg: 'Generation failed' });
        kling?.setNextOutcome({ status: 'failed', message: 'Generation failed' });
        return;
      case 'reject':
        kie?.failNext('createTask', { code: 422, msg: 'The input may violate the content policy' });
        kling?.failNext('create', { code: 1301, message: 'Failure to pass the risk control system' });
        return;
      case 'never':
        kie?.nextTaskOutcome('never');
        kling?.setNextOutcome({ status: 'processing' });
        return;
    }
  };

  return {
    kie,
    kling,
    state: () => ({
      kie: kie ? 'emulated' : options.realKie ? 'real' : 'off',
      kling: kling ? 'emulated' : options.realKling ? 'real' : 'off',
      next,
      delayMs: options.delayMs,
    }),
    setNext(outcome) {
      if (!kie && !kling) return; // real providers cannot be scripted
      disarm();
      next = outcome;
      if (outcome === 'succeed') return;
      arm(outcome);
      baseline = submissions();
      // The first submission to either provider takes the script; the other one is disarmed.
      watch = setInterval(() => {
        if (submissions() === baseline) return;
        disarm();
        next = 'succeed';
        options.onChange();
      }, 100);
      watch.unref();
    },
    async stop() {
      disarm();
      await Promise.all([kie?.stop(), kling?.stop()]);
    },
  };
}
