-- CreateIndex
CREATE INDEX "Generation_nextRunAt_idx" ON "Generation"("nextRunAt");
