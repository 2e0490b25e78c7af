/**
 * Builds only the providers whose keys are configured. The rest of the app asks the registry
 * for a provider by id and uses `configured` to hide the models of the others.
 */
import { createKieProvider, type KieProviderConfig } from './kie/index.js';
import { createKlingSuiteProvider, type KlingSuiteConfig } from './kling/index.js';
import type { UrlHost } from './url-host.js';
import { createVeoProvider, type VeoProviderConfig } from './veo/index.js';
import type { ProviderId, VideoProvider } from './types.js';

export interface RegistryLogger {
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface ProviderRegistryConfig {
  /** `config.kie` from loadConfig: set when KIE_API_KEY is. */
  kie?: { apiKey: string; apiBaseUrl: string; uploadBaseUrl: string; webhookHmacKey?: string };
  /** `config.kling` from loadConfig: set when both Kling keys are. */
  kling?: { accessKey: string; secretKey: string; apiBaseUrl: string };
  /** Host for URL-only inputs (Kling motion control, lip-sync of an uploaded video); `createMediaHosting`. */
  urlHost?: UrlHost;
  /** The operator's cap on Kling avatar audio in seconds (KLING_AVATAR_MAX_AUDIO_SECONDS). */
  klingAvatarMaxAudioSeconds?: number;
  /** Veo: how long to wait for the 1080p file before delivering 720p (VEO_1080P_WAIT_MS). */
  veoHdWaitMs?: number;
  /** One provider HTTP request (PROVIDER_TIMEOUT_MS). */
  timeoutMs: number;
  logger: RegistryLogger;
  /** Extra client settings (tests: tiny retry delays). */
  overrides?: { kie?: Partial<KieProviderConfig>; kling?: Partial<KlingSuiteConfig>; veo?: Partial<VeoProviderConfig> };
}

export interface ProviderRegistry {
  get(id: ProviderId | string): VideoProvider | undefined;
  readonly configured: ReadonlySet<ProviderId>;
  all(): VideoProvider[];
}

export function createProviderRegistry(config: ProviderRegistryConfig): ProviderRegistry {
  const providers = new Map<ProviderId, VideoProvider>();
  if (config.kie) {
    providers.set(
      'kie',
      createKieProvider({
        apiKey: config.kie.apiKey,
        apiBaseUrl: config.kie.apiBaseUrl,
        uploadBaseUrl: config.kie.uploadBaseUrl,
        ...(config.kie.webhookHmacKey ? { webhookHmacKey: config.kie.webhookHmacKey } : {}),
        timeoutMs: config.timeoutMs,
        logger: config.logger,
        ...config.overrides?.kie,
      }),
    );
  }
  if (config.kie) {
    // Veo 3.1 runs on KIE's own endpoints with the same key (docs/providers.md §veo).
    providers.set(
      'veo',
      createVeoProvider({
        apiKey: config.kie.apiKey,
        apiBaseUrl: config.kie.apiBaseUrl,
        uploadBaseUrl: config.kie.uploadBaseUrl,
        ...(config.kie.webhookHmacKey ? { webhookHmacKey: config.kie.webhookHmacKey } : {}),
        timeoutMs: config.timeoutMs,
        logger: config.logger,
        ...(config.overrides?.kie?.retry ? { retry: config.overrides.kie.retry } : {}),
        ...(config.veoHdWaitMs !== undefined ? { hdWaitMs: config.veoHdWaitMs } : {}),
        ...config.overrides?.veo,
      }),
    );
  }
  if (config.kling) {
    providers.set(
      'kling',
      createKlingSuiteProvider({
        accessKey: config.kling.accessKey,
        secretKey: config.kling.secretKey,
        apiBaseUrl: config.kling.apiBaseUrl,
        timeoutMs: config.timeoutMs,
        logger: config.logger,
        ...(config.urlHost ? { urlHost: config.urlHost } : {}),
        ...(config.klingAvatarMaxAudioSeconds !== undefined ? { avatarMaxAudioSeconds: config.klingAvatarMaxAudioSeconds } : {}),
        ...config.overrides?.kling,
      }),
    );
  }
  const configured: ReadonlySet<ProviderId> = new Set(providers.keys());
  return {
    get: (id) => providers.get(id as ProviderId),
    configured,
    all: () => [...providers.values()],
  };
}
