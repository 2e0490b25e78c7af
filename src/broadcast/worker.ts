/**
 * The broadcast worker: drains BroadcastRecipient rows one at a time at a steady rate.
 *
 * - A recipient is claimed with a conditional update that sets `leaseUntil` (compare-and-swap on
 *   the lease it saw), so several instances can drain one queue and a crashed instance's claims
 *   are taken over when their lease runs out.
 * - Messages go out one after another and each is marked `sent` in the very next statement, so a
 *   crash between the send and the mark can repeat at most the one message in flight.
 * - 429: waits `retry_after` (all sending pauses, as Telegram asks), then retries the same
 *   recipient. 403: the recipient is `blocked` and the user marked unreachable. Other 4xx:
 *   `failed`. 5xx and network errors: retried with backoff up to `maxAttempts`, then `failed`.
 * - When no recipient of a broadcast is pending, the broadcast is `done` and the admin who sent
 *   it gets one report with the sent / blocked / failed counts.
 */
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';
import { markUnreachable } from '../domain/users.js';
import type { BroadcastMessenger } from './ports.js';

export interface BroadcastWorkerOptions {
  prisma: PrismaClient;
  /** Sends the messages and the admin's end report (the bot layer's createBroadcastMessenger). */
  messenger: BroadcastMessenger;
  logger: Logger;
  /** Messages per second (default 25, under Telegram's ~30/s for bulk sends). */
  ratePerSecond?: number;
  now?: () => Date;
  /** How long a claim holds (default 5 minutes; it covers one send, retries included). */
  leaseMs?: number;
  /** Attempts for transient errors before a recipient is `failed` (default 4). */
  maxAttempts?: number;
  /** First backoff after a transient error (default 2 s, doubling). */
  retryBaseMs?: number;
  /** How often an idle worker looks for new work (default 1 s; `wake()` cuts it short). */
  idleMs?: number;
}

export interface BroadcastWorker {
  start(): void;
  /** Finishes the send in flight (and marks it), releases any claim and returns. */
  stop(): Promise<void>;
  /** New work was queued: look now instead of at the next idle tick. */
  wake(): void;
}

interface Claim {
  broadcastId: string;
  userId: bigint;
  attempts: number;
  text: string;
  button: { text: string; url: string } | null;
  lease: Date;
}

export function createBroadcastWorker(options: BroadcastWorkerOptions): BroadcastWorker {
  const { prisma, messenger } = options;
  const logger = options.logger.child({ component: 'broadcast' });
  const now = options.now ?? (() => new Date());
  const interval = 1000 / Math.max(0.1, options.ratePerSecond ?? 25);
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const retryBaseMs = options.retryBaseMs ?? 2_000;
  const idleMs = options.idleMs ?? 1_000;

  let running: Promise<void> | undefined;
  let stopping = false;
  let nextSendAt = 0;
  let wakeIdle: (() => void) | undefined;
  const stopWaiters = new Set<() => void>();

  /** Sleeps; `stop()` cuts it short (and `wake()` too when `wakeable`). */
  function sleep(ms: number, wakeable: boolean): Promise<void> {
    if (stopping || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopWaiters.delete(done);
        if (wakeIdle === done) wakeIdle = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopWaiters.add(done);
      if (wakeable) wakeIdle = done;
    });
  }

  async function claimNext(): Promise<Claim | null> {
    for (let tries = 0; tries < 5; tries++) {
      const at = now();
      const candidate = await prisma.broadcastRecipient.findFirst({
        where: {
          status: 'pending',
          nextAttemptAt: { lte: at },
          OR: [{ leaseUntil: null }, { leaseUntil: { lt: at } }],
          broadcast: { status: { in: ['pending', 'running'] } },
        },
        orderBy: [{ nextAttemptAt: 'asc' }, { broadcastId: 'asc' }, { userId: 'asc' }],
        select: {
          broadcastId: true,
          userId: true,
          attempts: true,
          leaseUntil: true,
          broadcast: { select: { text: true, status: true, buttonText: true, buttonUrl: true } },
        },
      });
      if (!candidate) return null;
      const lease = new Date(at.getTime() + leaseMs);
      const won = await prisma.broadcastRecipient.updateMany({
        where: { broadcastId: candidate.broadcastId, userId: candidate.userId, status: 'pending', leaseUntil: candidate.leaseUntil },
        data: { leaseUntil: lease },
      });
      if (won.count === 0) continue; // another instance took it
      if (candidate.broadcast.status === 'pending') {
        await prisma.broadcast.updateMany({ where: { id: candidate.broadcastId, status: 'pending' }, data: { status: 'running', startedAt: at } });
      }
      const { buttonText, buttonUrl } = candidate.broadcast;
      const button = buttonText && buttonUrl ? { text: buttonText, url: buttonUrl } : null;
      return { broadcastId: candidate.broadcastId, userId: candidate.userId, attempts: candidate.attempts, text: candidate.broadcast.text, button, lease };
    }
    return null;
  }

  const key = (c: Claim) => ({ broadcastId_userId: { broadcastId: c.broadcastId, userId: c.userId } });

  async function settle(c: Claim, data: { status: 'sent' | 'blocked' | 'failed' | 'pending'; error?: string; nextAttemptAt?: Date; attempts?: number }) {
    await prisma.broadcastRecipient.update({
      where: key(c),
      data: {
        status: data.status,
        leaseUntil: null,
        ...(data.status === 'sent' ? { sentAt: now() } : {}),
        ...(data.error !== undefined ? { error: data.error.slice(0, 500) } : {}),
        ...(data.nextAttemptAt ? { nextAttemptAt: data.nextAttemptAt } : {}),
        ...(data.attempts !== undefined ? { attempts: data.attempts } : {}),
      },
    });
  }

  async function pace(): Promise<void> {
    const wait = nextSendAt - Date.now();
    if (wait > 0) await sleep(wait, false);
    nextSendAt = Math.max(Date.now(), nextSendAt) + interval;
  }

  async function deliver(c: Claim): Promise<void> {
    for (;;) {
      await pace();
      if (stopping) {
        await settle(c, { status: 'pending' });
        return;
      }
      const outcome = await messenger.send(c.userId, c.text, c.button);
      if (outcome.status !== 'sent') {
        if (outcome.status === 'rate_limited') {
          const seconds = outcome.retryAfterSeconds;
          logger.warn({ broadcastId: c.broadcastId, retryAfter: seconds }, 'broadcast rate-limited; waiting');
          await prisma.broadcastRecipient.update({ where: key(c), data: { leaseUntil: new Date(now().getTime() + seconds * 1000 + leaseMs) } });
          nextSendAt = Date.now() + seconds * 1000;
          continue; // same recipient, after retry_after (pace() waits)
        }
        if (outcome.status === 'blocked') {
          await settle(c, { status: 'blocked', error: outcome.error });
          await markUnreachable(prisma, c.userId).catch(() => {});
          return;
        }
        if (outcome.status === 'rejected') {
          await settle(c, { status: 'failed', error: outcome.error, attempts: c.attempts + 1 });
          return;
        }
        const attempts = c.attempts + 1;
        const message = outcome.error;
        if (attempts >= maxAttempts) {
          logger.warn({ broadcastId: c.broadcastId, userId: c.userId.toString(), err: message }, 'broadcast recipient failed');
          await settle(c, { status: 'failed', error: message, attempts });
        } else {
          const delay = retryBaseMs * 2 ** (attempts - 1);
          await settle(c, { status: 'pending', error: message, attempts, nextAttemptAt: new Date(now().getTime() + delay) });
        }
        return;
      }
      // Sent: record it at once (the only window for a repeat after a crash is here).
      await settle(c, { status: 'sent', attempts: c.attempts + 1 });
      return;
    }
  }

  /** Closes broadcasts with nothing pending and reports each one once. */
  async function finishBroadcasts(): Promise<void> {
    const open = await prisma.broadcast.findMany({
      where: { OR: [{ status: { in: ['pending', 'running'] } }, { status: 'done', reportedAt: null }] },
      select: { id: true, status: true },
    });
    for (const b of open) {
      if (b.status !== 'done') {
        const pending = await prisma.broadcastRecipient.count({ where: { broadcastId: b.id, status: 'pending' } });
        if (pending > 0) continue;
        const counts = await recipientCounts(b.id);
        await prisma.broadcast.updateMany({
          where: { id: b.id, status: { in: ['pending', 'running'] } },
          data: { status: 'done', finishedAt: now(), ...counts },
        });
      }
      await report(b.id);
    }
  }

  async function recipientCounts(broadcastId: string) {
    const rows = await prisma.broadcastRecipient.groupBy({ by: ['status'], where: { broadcastId }, _count: { _all: true } });
    const n = (s: string) => rows.find((r) => r.status === s)?._count._all ?? 0;
    return { sent: n('sent'), blocked: n('blocked'), failed: n('failed') };
  }

  async function report(broadcastId: string): Promise<void> {
    const claimed = await prisma.broadcast.updateMany({ where: { id: broadcastId, status: 'done', reportedAt: null }, data: { reportedAt: now() } });
    if (claimed.count === 0) return;
    const b = await prisma.broadcast.findUniqueOrThrow({ where: { id: broadcastId } });
    const admin = await prisma.user.findUnique({ where: { id: b.adminId }, select: { language: true, telegramLanguage: true } });
    logger.info({ broadcastId, total: b.total, sent: b.sent, blocked: b.blocked, failed: b.failed }, 'broadcast finished');
    for (let attempt = 1; ; attempt++) {
      const outcome = await messenger.report(b.chatId, admin, { total: b.total, sent: b.sent, blocked: b.blocked, failed: b.failed });
      if (outcome.status === 'sent') return;
      if (outcome.status !== 'rate_limited' || attempt >= 3 || stopping) {
        logger.warn({ err: 'error' in outcome ? outcome.error : outcome.status, broadcastId }, 'could not send the broadcast report');
        return;
      }
      await sleep(outcome.retryAfterSeconds * 1000, false);
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      try {
        const claim = await claimNext();
        if (claim) {
          await deliver(claim);
          continue;
        }
        await finishBroadcasts();
      } catch (err) {
        logger.error({ err }, 'broadcast worker step failed');
      }
      await sleep(idleMs, true);
    }
  }

  return {
    start() {
      if (running) return;
      stopping = false;
      running = loop();
    },
    async stop() {
      stopping = true;
      for (const w of [...stopWaiters]) w();
      await running;
      running = undefined;
    },
    wake() {
      wakeIdle?.();
    },
  };
}
