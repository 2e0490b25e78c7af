# syntax=docker/dockerfile:1
# Build stage: install, generate the Prisma client, typecheck and compile.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY locales ./locales
RUN npm run typecheck -- -p tsconfig.build.json && npm run build && npm prune --omit=dev
# ffmpeg/ffprobe ship inside their npm packages (@ffmpeg-installer, @ffprobe-installer); their
# install scripts only chmod, which an allowScripts policy may skip: make them executable for all.
RUN find node_modules/@ffmpeg-installer node_modules/@ffprobe-installer -type f \( -name ffmpeg -o -name ffprobe \) -exec chmod 755 {} +

# Runtime stage: compiled code only, non-root, started with node directly so SIGTERM reaches
# the process (it drains updates and jobs, then exits). Migrations run at start.
FROM node:20-bookworm-slim
ENV NODE_ENV=production DATA_DIR=/data PORT=8080
# Memory: with no limit set, V8 sizes the heap for the machine and lets it grow to ~4× the live
# set between collections (170 MB used for a ~50 MB live set under a high poll rate, peak RSS
# 330–380 MB with 10,000 jobs in flight). Any old-space limit under ~2 GB makes it collect at
# 1.3–2× instead: ~250 MB peak. 1 GB leaves room for a far bigger live set; scripts/bench runs
# the bot with the value written here.
ENV NODE_OPTIONS=--max-old-space-size=1024
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/locales ./locales
RUN mkdir -p /data && chown node:node /data
USER node
# The media converter must run in the runtime image (voice notes → mp3 for Kling, video probing).
RUN node -e "const {execFileSync:x}=require('node:child_process');for(const p of ['@ffmpeg-installer/ffmpeg','@ffprobe-installer/ffprobe'])x(require(p).path,['-version'],{stdio:'ignore'})"
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
