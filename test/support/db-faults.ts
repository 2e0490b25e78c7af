/**
 * Database faults for e2e tests, on PGlite and PostgreSQL alike: a trigger on "Payment" that
 * fails the next N inserts (the payment credit's transaction then rolls back). The count lives in
 * a sequence, which is not rolled back with the failing transaction.
 */
import type { PrismaClient } from '../../src/db/client.js';

const SETUP = [
  `CREATE SEQUENCE IF NOT EXISTS test_fault_seq`,
  `CREATE TABLE IF NOT EXISTS test_fault ("until" bigint NOT NULL)`,
  `CREATE OR REPLACE FUNCTION test_fault_payment() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF nextval('test_fault_seq') <= (SELECT coalesce(max("until"), 0) FROM test_fault) THEN
       RAISE EXCEPTION 'injected database fault at the payment credit';
     END IF;
     RETURN NEW;
   END $$`,
  `DROP TRIGGER IF EXISTS test_fault_payment ON "Payment"`,
  `CREATE TRIGGER test_fault_payment BEFORE INSERT ON "Payment" FOR EACH ROW EXECUTE FUNCTION test_fault_payment()`,
];

/** The next `failures` payment credits fail with a database error. */
export async function failNextPaymentCredits(prisma: PrismaClient, failures: number): Promise<void> {
  for (const sql of SETUP) await prisma.$executeRawUnsafe(sql);
  await prisma.$executeRawUnsafe(`DELETE FROM test_fault`);
  await prisma.$executeRawUnsafe(
    `INSERT INTO test_fault ("until") SELECT (CASE WHEN is_called THEN last_value ELSE 0 END) + ${Math.max(0, Math.floor(failures))} FROM test_fault_seq`,
  );
}

/** How many payment inserts were attempted since the faults were first armed. */
export async function paymentCreditAttempts(prisma: PrismaClient): Promise<number> {
  const rows = await prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT (CASE WHEN is_called THEN last_value ELSE 0 END) AS n FROM test_fault_seq`);
  return Number(rows[0]?.n ?? 0);
}
