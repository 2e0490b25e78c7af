-- AlterEnum
ALTER TYPE "PriceRule" ADD VALUE 'per_output_second';

-- AlterEnum
ALTER TYPE "ProviderKind" ADD VALUE 'veo';

-- AlterTable
ALTER TABLE "CatalogModel" ADD COLUMN     "offeredOptions" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "optionMultipliers" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "providerCostUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "spec" TEXT;

-- The five models of part 1 sell the spec named like their slug, and their provider costs (USD per
-- price unit) are the published figures of PROVIDERS.md A.4 / B (1 KIE credit ≈ $0.005).
UPDATE "CatalogModel" SET "spec" = "slug" WHERE "spec" IS NULL AND "slug" IN ('kling-ai-avatar', 'infinitalk-480p', 'infinitalk-720p', 'kling-text2video', 'kling-image2video');
UPDATE "CatalogModel" SET "providerCostUsd" = 0.6 WHERE "slug" = 'kling-ai-avatar' AND "providerCostUsd" = 0;
UPDATE "CatalogModel" SET "providerCostUsd" = 0.015 WHERE "slug" = 'infinitalk-480p' AND "providerCostUsd" = 0;
UPDATE "CatalogModel" SET "providerCostUsd" = 0.06 WHERE "slug" = 'infinitalk-720p' AND "providerCostUsd" = 0;
UPDATE "CatalogModel" SET "providerCostUsd" = 0.14 WHERE "slug" IN ('kling-text2video', 'kling-image2video') AND "providerCostUsd" = 0;
