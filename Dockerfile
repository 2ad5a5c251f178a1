# syntax=docker/dockerfile:1
# Image of the gateway for docker-compose.yml and the Helm chart. Build: docker build -t ensemble .

FROM eclipse-temurin:25-jdk AS build
WORKDIR /workspace
COPY . .
# The cache mount keeps Maven's repository (and the wrapper's Maven) between builds without
# baking it into a layer. Tests run in CI, not in the image build.
RUN --mount=type=cache,target=/root/.m2 \
    set -e; \
    ./mvnw -B -DskipTests package; \
    set -- $(find target -maxdepth 1 -name 'ensemble-*.jar' ! -name '*-plain.jar'); \
    if [ "$#" -ne 1 ]; then echo "expected one application jar in target/, found: $*" >&2; exit 1; fi; \
    cp "$1" /workspace/ensemble.jar

FROM eclipse-temurin:25-jre
# A fixed numeric uid so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
RUN groupadd --gid 10001 ensemble \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin ensemble
WORKDIR /app
# Owned by root: the process can read its jar but not replace it.
COPY --from=build /workspace/ensemble.jar /app/ensemble.jar
# The router's tokenizer (DJL) unpacks its native library into a cache directory; the user's home
# is not writable, /tmp is. ONNX Runtime unpacks into java.io.tmpdir (/tmp) by itself.
ENV DJL_CACHE_DIR=/tmp/djl.ai
USER 10001:10001
EXPOSE 8080
# MaxRAMPercentage sizes the heap from the container's memory limit rather than the host's.
ENTRYPOINT ["java","--enable-native-access=ALL-UNNAMED","--add-modules","jdk.incubator.vector","-XX:MaxRAMPercentage=75","-jar","/app/ensemble.jar"]
