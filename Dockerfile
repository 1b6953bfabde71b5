# The conformance suite as a container image, so the CI of any language can gate on it.
#
#   docker build -t sagemaker-async-conformance .
#   docker run --rm --network host --user "$(id -u)" -v "$PWD:/work" \
#     -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_REGION \
#     sagemaker-async-conformance run --target /work/conformance-target.toml \
#       --report-dir /work/conformance-report
#
# The entry point is the `conformance` command (README, "A container image"). With no
# arguments it runs the suite against the embedded reference stack inside the container.
FROM python:3.12-slim-bookworm

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY spec ./spec
COPY strategies ./strategies
COPY conformance ./conformance
COPY conformance_deploy ./conformance_deploy
COPY conformance_cli ./conformance_cli
COPY reports ./reports
COPY reference ./reference
RUN python -m pip install --no-cache-dir /src \
    && useradd --create-home --uid 10001 conformance

USER 10001
WORKDIR /work
ENTRYPOINT ["conformance"]
CMD ["run"]
