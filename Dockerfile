# The Outcomes image: the wheel and its PostgreSQL driver on a slim Python, run as a plain user.
#   docker build -t registry.example.com/outcomes:0.1.0 .
#   docker run --rm -e JIRA_EMAIL -e JIRA_TOKEN -v "$PWD/config:/etc/outcomes:ro" \
#     registry.example.com/outcomes:0.1.0 run --config /etc/outcomes/outcomes.yaml
FROM python:3.12-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 outcomes
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir "$(ls /wheels/outcomes-*.whl)[postgres]" && rm -rf /wheels
USER outcomes
WORKDIR /home/outcomes
ENTRYPOINT ["outcomes"]
CMD ["--help"]
