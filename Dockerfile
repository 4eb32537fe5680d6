# Multi-stage build: compile with dev dependencies, ship only production ones, run as non-root.
# The server runs its migrations at start, then listens; no separate migration step is needed.
#   docker build -t roster .
#   docker run -p 8080:8080 -v roster-data:/data -e PUBLIC_URL=https://roster.example.com roster
# Node 24 is an LTS line supported until 2028 (Node 20's ended in April 2026); every dependency
# declares it supported. CI proves these steps on exactly the files copied here
# (scripts/check-image-build.js): the benchmarks in scripts/ use test/ and are not part of the image.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
# npm ci runs the prepare script, which compiles TypeScript to dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    DATABASE_URL=sqlite:/data/roster.sqlite
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
