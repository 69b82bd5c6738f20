# The image of docker-compose.yml's simulator and sync services: the repository and its
# dependencies, on the Node.js major version the functions deploy on (the npm scripts then run
# the pinned node package, as everywhere else).
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall patches postgres.js with it.
COPY functions/core/db/postgres-copy-fix.mjs functions/core/db/
RUN npm ci --no-audit --no-fund
COPY . .
