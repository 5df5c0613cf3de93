# One image for every service; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
# The explorer's and the dashboard's pages and scripts, read at run time (tsc does not copy them).
COPY --from=build /app/gateway/explorer/*.html /app/gateway/explorer/*.js ./gateway/explorer/
COPY --from=build /app/gateway/dashboard/*.html /app/gateway/dashboard/*.js ./gateway/dashboard/
USER node
CMD ["node", "dist/gateway/main.js"]
