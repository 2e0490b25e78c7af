/** Users of a proof run written straight to the database, each with credits granted through the ledger. */
import type { PrismaClient } from '../../src/db/client.js';
import { recordMove } from '../../src/domain/ledger.js';
import type { FakeUser } from './fake-telegram/index.js';

export async function createCreditedUsers(prisma: PrismaClient, users: readonly FakeUser[], run: { name: string; credits: number }): Promise<void> {
  for (const user of users) {
    await prisma.user.create({ data: { id: BigInt(user.id), firstName: run.name, telegramLanguage: 'en', language: 'en' } });
    const granted = await recordMove(prisma, {
      userId: BigInt(user.id),
      kind: 'grant',
      amount: run.credits,
      idempotencyKey: `grant:${run.name.toLowerCase()}:${user.id}`,
      reason: `${run.name} run`,
    });
    if (granted.status !== 'applied') throw new Error(`grant failed: ${granted.status}`);
  }
}
