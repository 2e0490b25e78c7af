-- CreateEnum
CREATE TYPE "SubscriptionState" AS ENUM ('active', 'canceled', 'failed');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "LedgerKind" ADD VALUE 'welcome';
ALTER TYPE "LedgerKind" ADD VALUE 'promo';
ALTER TYPE "LedgerKind" ADD VALUE 'referral';

-- AlterTable
ALTER TABLE "Broadcast" ADD COLUMN     "buttonText" TEXT,
ADD COLUMN     "buttonUrl" TEXT,
ADD COLUMN     "segment" TEXT NOT NULL DEFAULT 'all';

-- CreateTable
CREATE TABLE "UserOrigin" (
    "userId" BIGINT NOT NULL,
    "invitedBy" BIGINT,
    "startParam" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UserOrigin_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "ReferralReward" (
    "chargeId" TEXT NOT NULL,
    "inviterId" BIGINT NOT NULL,
    "inviteeId" BIGINT NOT NULL,
    "credits" INTEGER NOT NULL,
    "reversed" INTEGER NOT NULL DEFAULT 0,
    "shortfall" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reversedAt" TIMESTAMP(3),

    CONSTRAINT "ReferralReward_pkey" PRIMARY KEY ("chargeId")
);

-- CreateTable
CREATE TABLE "PromoCode" (
    "code" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "maxUses" INTEGER,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdBy" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PromoCode_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "PromoRedemption" (
    "code" TEXT NOT NULL,
    "userId" BIGINT NOT NULL,
    "credits" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PromoRedemption_pkey" PRIMARY KEY ("code","userId")
);

-- CreateTable
CREATE TABLE "PromoAttempt" (
    "id" BIGSERIAL NOT NULL,
    "userId" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PromoAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StarSubscription" (
    "id" TEXT NOT NULL,
    "userId" BIGINT NOT NULL,
    "payload" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "stars" INTEGER NOT NULL,
    "state" "SubscriptionState" NOT NULL DEFAULT 'active',
    "canceledByBot" BOOLEAN NOT NULL DEFAULT false,
    "firstChargeId" TEXT,
    "lastChargeId" TEXT,
    "payments" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StarSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UserOrigin_invitedBy_createdAt_idx" ON "UserOrigin"("invitedBy", "createdAt");

-- CreateIndex
CREATE INDEX "ReferralReward_inviterId_createdAt_idx" ON "ReferralReward"("inviterId", "createdAt");

-- CreateIndex
CREATE INDEX "ReferralReward_createdAt_idx" ON "ReferralReward"("createdAt");

-- CreateIndex
CREATE INDEX "PromoRedemption_userId_idx" ON "PromoRedemption"("userId");

-- CreateIndex
CREATE INDEX "PromoAttempt_userId_createdAt_idx" ON "PromoAttempt"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "StarSubscription_payload_key" ON "StarSubscription"("payload");

-- CreateIndex
CREATE INDEX "StarSubscription_userId_idx" ON "StarSubscription"("userId");

-- CreateIndex
CREATE INDEX "StarSubscription_state_expiresAt_idx" ON "StarSubscription"("state", "expiresAt");

-- AddForeignKey
ALTER TABLE "PromoRedemption" ADD CONSTRAINT "PromoRedemption_code_fkey" FOREIGN KEY ("code") REFERENCES "PromoCode"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Backfill: every user who exists now has had their first contact (no welcome, no attribution).
INSERT INTO "UserOrigin" ("userId", "createdAt") SELECT "id", "createdAt" FROM "User" ON CONFLICT DO NOTHING;
