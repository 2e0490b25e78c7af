/** Users: created on first contact, refreshed on every later one. No Telegram types here. */
import type { PrismaClient } from '../db/client.js';
import type { User } from '../generated/prisma/client.js';

export type { User } from '../generated/prisma/client.js';

export interface Contact {
  id: number | bigint;
  username?: string;
  firstName: string;
  languageCode?: string;
}

export async function setLanguage(prisma: PrismaClient, userId: bigint, language: string): Promise<void> {
  await prisma.user.update({ where: { id: userId }, data: { language } });
}

export async function markUnreachable(prisma: PrismaClient, userId: bigint): Promise<void> {
  await prisma.user.updateMany({ where: { id: userId, unreachable: false }, data: { unreachable: true } });
}

/** Finds a user by numeric id or @username. */
export async function findUser(prisma: PrismaClient, ref: string): Promise<User | null> {
  const text = ref.trim();
  if (/^\d{1,19}$/.test(text)) return prisma.user.findUnique({ where: { id: BigInt(text) } });
  const username = text.replace(/^@/, '');
  if (!/^[A-Za-z0-9_]{3,32}$/.test(username)) return null;
  return prisma.user.findFirst({ where: { username: { equals: username, mode: 'insensitive' } } });
}
