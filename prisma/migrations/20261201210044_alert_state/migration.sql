-- CreateTable
CREATE TABLE "AlertState" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "notified" BOOLEAN NOT NULL DEFAULT false,
    "details" JSONB NOT NULL DEFAULT '{}',
    "firstSeenAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3),
    "clearedAt" TIMESTAMP(3),
    "lastSentAt" TIMESTAMP(3),
    "mutedUntil" TIMESTAMP(3),
    "mutedBy" BIGINT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertState_key_key" ON "AlertState"("key");

-- CreateIndex
CREATE INDEX "AlertState_active_idx" ON "AlertState"("active");
