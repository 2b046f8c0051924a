# The hub's runtime image. It packages what the Maven build produced, so build that first:
#   mvn -B package -DskipTests
#   docker build -t irhub/irhub:0.1.0 .
# (helm/irhub/README.md, "Building the image", has the details and how to run it.)
FROM eclipse-temurin:17-jre-noble

LABEL org.opencontainers.image.title="irhub" \
      org.opencontainers.image.description="Identity response hub: detections in, contained identities out, with proof." \
      org.opencontainers.image.version="0.1.0"

# A named user, not only a uid: the embedded PostgreSQL's initdb refuses to run as a uid without a passwd entry.
# /var/lib/irhub is where the chart keeps the embedded store's data; owned by the user so a volume mounted there is
# writable.
RUN groupadd --system --gid 10001 irhub \
 && useradd --system --uid 10001 --gid 10001 --home-dir /opt/irhub --no-create-home --shell /usr/sbin/nologin irhub \
 && mkdir -p /var/lib/irhub \
 && chown 10001:10001 /var/lib/irhub

WORKDIR /opt/irhub
# Libraries first: they change less often than the hub's own jar, so the layer is reused. Root owns the files: the
# hub can read but not change them.
COPY hub-runtime/target/lib/ /opt/irhub/lib/
COPY hub-runtime/target/irhub.jar /opt/irhub/irhub.jar

# The heap follows the container's memory limit; temporary files (and the embedded PostgreSQL's unpacked binaries)
# go to /tmp, the one writable place when the root file system is read-only.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp"

USER 10001:10001
# 8080: webhooks (/hooks), the operator API (/api), Slack interactions; 9876: /observe/health, /observe/metrics
EXPOSE 8080 9876

ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/irhub/irhub.jar"]
CMD ["run", "--config", "/etc/irhub/irhub.yaml"]
