# The API in a small runtime image. Build: docker build -t cuf-api .
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p api && strip target/release/api

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app --create-home cuf
COPY --from=build /src/target/release/api /usr/local/bin/api
USER cuf
WORKDIR /app
ENV CUF_BIND=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/api"]
CMD ["serve"]
