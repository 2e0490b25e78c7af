-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "GenerationKind" ADD VALUE 'video_extend';
ALTER TYPE "GenerationKind" ADD VALUE 'video_lipsync';
ALTER TYPE "GenerationKind" ADD VALUE 'multi_image2video';
ALTER TYPE "GenerationKind" ADD VALUE 'motion_control';

-- AlterTable
ALTER TABLE "Generation" ADD COLUMN     "provider" TEXT,
ADD COLUMN     "providerVideoId" TEXT;

-- CreateTable
CREATE TABLE "ProviderPreference" (
    "family" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "updatedBy" BIGINT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProviderPreference_pkey" PRIMARY KEY ("family")
);
