/**
 * AlertState rows: read, create once, and compare-and-set writes on `version` (the claim that
 * makes one instance of a group send an alert). Mutes are written with an audit row.
 */
import type { PrismaClient } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';
import { writeAudit } from '../domain/admin.js';
import type { AlertRow } from './policy.js';

export interface StoredAlert extends AlertRow {
  id: number;
  key: string;
  version: number;
  mutedBy: bigint | null;
}

type Row = Awaited<ReturnType<PrismaClient['alertState']['findUniqueOrThrow']>>;

function toStored(row: Row): StoredAlert {
  const details = row.details && typeof row.details === 'object' && !Array.isArray(row.details) ? (row.details as Record<string, unknown>) : {};
  return {
    id: row.id,
    key: row.key,
    version: row.version,
    active: row.active,
    notified: row.notified,
    details,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    clearedAt: row.clearedAt,
    lastSentAt: row.lastSentAt,
    mutedUntil: row.mutedUntil,
    mutedBy: row.mutedBy,
  };
}

export interface AlertStore {
  get(key: string): Promise<StoredAlert | null>;
  byId(id: number): Promise<StoredAlert | null>;
  /** Creates the row (inactive) unless it exists. */
  ensure(key: string): Promise<void>;
  /** Writes `next` when the row is still at `version`; true when this call won. */
  write(id: number, version: number, next: AlertRow): Promise<boolean>;
  /** Active conditions and the ones muted until after `now`, newest first. */
  list(now: Date, limit?: number): Promise<StoredAlert[]>;
  activeKeys(): Promise<string[]>;
  /** Sets or lifts a mute and audits it in one transaction. */
  mute(id: number, adminId: bigint, until: Date | null): Promise<StoredAlert | null>;
}

export function createAlertStore(prisma: PrismaClient): AlertStore {
  return {
    async get(key) {
      const row = await prisma.alertState.findUnique({ where: { key } });
      return row ? toStored(row) : null;
    },
    async byId(id) {
      const row = await prisma.alertState.findUnique({ where: { id } });
      return row ? toStored(row) : null;
    },
    async ensure(key) {
      await prisma.alertState.createMany({ data: [{ key }], skipDuplicates: true });
    },
    async write(id, version, next) {
      const result = await prisma.alertState.updateMany({
        where: { id, version },
        data: {
          active: next.active,
          notified: next.notified,
          details: next.details as Prisma.InputJsonValue,
          firstSeenAt: next.firstSeenAt,
          lastSeenAt: next.lastSeenAt,
          clearedAt: next.clearedAt,
          lastSentAt: next.lastSentAt,
          mutedUntil: next.mutedUntil,
          version: version + 1,
        },
      });
      return result.count === 1;
    },
    async list(now, limit = 20) {
      const rows = await prisma.alertState.findMany({
        where: { OR: [{ active: true }, { mutedUntil: { gt: now } }] },
        orderBy: [{ active: 'desc' }, { lastSeenAt: 'desc' }],
        take: limit,
      });
      return rows.map(toStored);
    },
    async activeKeys() {
      return (await prisma.alertState.findMany({ where: { active: true }, select: { key: true } })).map((r) => r.key);
    },
    async mute(id, adminId, until) {
      return prisma.$transaction(async (tx) => {
        const row = await tx.alertState.findUnique({ where: { id } });
        if (!row) return null;
        const updated = await tx.alertState.update({
          where: { id },
          data: { mutedUntil: until, mutedBy: until ? adminId : null, version: { increment: 1 } },
        });
        await writeAudit(tx, adminId, until ? 'alert_mute' : 'alert_unmute', row.key, until ? { until: until.toISOString() } : {});
        return toStored(updated);
      });
    },
  };
}
