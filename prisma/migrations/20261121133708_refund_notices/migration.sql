-- AlterTable
ALTER TABLE "Generation" ADD COLUMN     "refundNoticeAt" TIMESTAMP(3);

-- Refunds made before this column existed were already announced.
UPDATE "Generation" SET "refundNoticeAt" = "refundedAt" WHERE "refundedAt" IS NOT NULL;
